"""Reading and publishing files safely: strict YAML, atomic writes, sets of files published as
one (publish_set) and content hashes (used by every layer)."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

# A test hook: with this variable set to a file path, write_atomic pauses each page (.html)
# between writing its temporary file and renaming it into place, after writing the temporary
# file's path into that file, until the file is removed (600 s at most). A test can then kill
# a build inside that window for sure (tests/reports/test_build_processes.py).
PAUSE_VAR = "AIJOBS_PAUSE_BEFORE_RENAME"


def _pause_before_rename(tmp: str, target: Path) -> None:
    marker = os.environ.get(PAUSE_VAR)
    if not marker or target.suffix != ".html":
        return
    Path(f"{marker}.part").write_text(tmp, encoding="utf-8")
    os.replace(f"{marker}.part", marker)
    end = time.monotonic() + 600
    while os.path.exists(marker) and time.monotonic() < end:
        time.sleep(0.02)


def write_atomic(target: Path, content: str | bytes) -> None:
    """Write text (UTF-8) or bytes to target via a temporary file in the same folder, fsync and
    a rename: a reader sees the old file or the new one, never half of one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; pages are meant to be shared
        _pause_before_rename(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# CSV injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that starts with one of
# these as a formula. Every CSV the suite writes goes through csv_text, which prefixes such a
# text cell with a single quote, so it shows as typed and runs nothing. A cell that already
# starts with a quote gets one more, so reading (unescaped_cell) gives back exactly what was
# written (a quote before anything else is left alone both ways). Numbers are written as
# numbers, signed or not: -0.05 stays -0.05.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with =, +, -, @, a tab or
    a carriage return (or with the escape quote itself) gets a leading single quote; a text
    that is a plain signed number ("-5", "+0.25") and every non-text value stay as they are."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] not in _FIRST_TO_CHECK:  # neither escaped nor a formula start: as it is
        return value
    if _escaped(value) or (value.startswith(FORMULA_STARTS)
                           and not _PLAIN_NUMBER.fullmatch(value)):
        return ESCAPE + value
    return value


_FIRST_TO_CHECK = frozenset((*FORMULA_STARTS, ESCAPE))


def _escaped(value: str) -> bool:
    return value.startswith(ESCAPE) and value[1:2] in (*FORMULA_STARTS, ESCAPE)


def unescaped_cell(value: Any) -> Any:
    """A cell read from a CSV, as it was before safe_cell: one leading quote dropped where
    safe_cell would have put it (before =, +, -, @, a tab, a carriage return or a quote)."""
    if isinstance(value, str) and _escaped(value):
        return value[1:]
    return value


def _number_text(value: float, digits: int | None) -> str:
    if not math.isfinite(value):
        return ""
    if digits is not None:
        value = round(value, digits)
        text = f"{value:.{digits}f}" if digits > 0 else f"{value:.0f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return repr(value)


def _csv_cell(value: Any, place: int | None) -> str:
    kind = type(value)  # the common exact types first, as the checks below treat them
    if kind is float:
        return _number_text(value, place)
    if kind is str:
        return safe_cell(value)
    if kind is int:
        return str(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value, place)
    return safe_cell(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]],
             digits: dict[str, int] | None = None) -> str:
    """CSV text of a header and rows, with every cell made formula-safe (safe_cell). Numbers
    are written as numbers: an int as it is, a float rounded to digits[column] places when
    given (trailing zeros dropped) or in full otherwise; NaN and None as an empty cell."""
    digits = dict(digits or {})
    places = [digits.get(str(h)) for h in header]
    lines = [_csv_line([safe_cell(str(h)) for h in header])]
    for row in rows:
        lines.append(_csv_line([_csv_cell(value, place)
                                for value, place in zip(row, places, strict=True)]))
    return "".join(lines)


def _csv_line(cells: list[str]) -> str:
    """One CSV line (RFC 4180): a cell with a comma, a quote, a line feed or a carriage return
    is quoted (Python's csv module leaves a lone carriage return unquoted when lines end in
    a line feed, which splits the row in any reader)."""
    if not _NEEDS_QUOTES.search("".join(cells)):  # no cell to quote (most lines)
        return ",".join(cells) + "\n"
    return ",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' if _NEEDS_QUOTES.search(c)
                    else c for c in cells) + "\n"


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def frame_csv_text(frame: Any, digits: dict[str, int] | None = None) -> str:
    """csv_text of a pandas DataFrame (no index), formula-safe, numbers as numbers."""
    return csv_text([str(c) for c in frame.columns],
                    frame.itertuples(index=False, name=None), digits)


def sha256_text(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes (read in chunks by hashlib.file_digest), or 'missing'."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, algorithm).hexdigest()
    except OSError:
        return "missing"


# libyaml's parser where PyYAML was built with it: about 10 times faster than the pure-Python one
# (reading reports.yaml and the sidecars took 0.3 s of a one-report rebuild, measured)
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type, misc]  # chosen at import
    """A safe YAML loader that refuses a key given twice in one mapping (plain YAML keeps the
    last one silently: a second `scenarios:` would drop the first list without a word)."""


def _unique_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice (first on line {seen[key] + 1}); "
                "keep one", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(text: str) -> Any:
    """YAML text as Python values; a duplicate key is an error (yaml.YAMLError)."""
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error as one line: 'line N, column M: what is wrong'."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


# ---- a set of files published as one ---------------------------------------------------------

def content_id(parts: dict[str, str | bytes]) -> str:
    """A short id of a set of named contents (16 hex digits of sha256 over the names and
    bytes, in name order): the same contents always give the same id, so rerunning a
    derivation on the same input changes no file."""
    digest = hashlib.sha256()
    for name in sorted(parts):
        part = parts[name]
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system
    cannot (another platform, an old kernel or C library, a file system without it)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # deferred: only here

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    return False


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_set(folder: Path, files: Mapping[str, str | bytes], *,
                owns: Callable[[str], bool],
                check: Callable[[Path], None] | None = None) -> list[Path]:
    """Publish `files` ({name: content}) into `folder` as one set: all of them or none.

    They are written to a new sibling folder (`.<folder>.new-...`), with the folder's other
    files copied over (those `owns` does not claim: another set's tables stay), read back,
    checked by `check(new_folder)` (which raises to refuse the set), and the new folder then
    takes the old one's place in one rename (Linux: an exchange, so the folder is never
    missing; elsewhere two renames). A full disk, an error or a kill at any moment leaves the
    earlier set whole. Two publishers of the same folder take turns (a lock on its parent).
    Returns the published paths.
    """
    folder = Path(folder)
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for leftover in parent.glob(f".{folder.name}.*-*"):  # a killed publisher's
            if leftover.is_dir() and leftover.name.split(".")[-1].startswith(("new-", "old-")):
                shutil.rmtree(leftover, ignore_errors=True)
        new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=parent))
        try:
            _fill(new, folder, files, owns)
            if check is not None:
                check(new)
            _fsync_folder(new)
            _swap_in(new, folder)
        finally:
            shutil.rmtree(new, ignore_errors=True)  # the new set, or after the swap the old
        _fsync_folder(parent)
    finally:
        os.close(lock)
    return [folder / name for name in files]


def _fill(new: Path, folder: Path, files: Mapping[str, str | bytes],
          owns: Callable[[str], bool]) -> None:
    mode = stat.S_IMODE(folder.stat().st_mode) if folder.is_dir() else 0o755
    os.chmod(new, mode)
    for entry in (os.scandir(folder) if folder.is_dir() else []):
        if entry.name in files or owns(entry.name):
            continue  # the new set's own, or the old set's no longer made
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, new / entry.name, symlinks=True)
        else:
            shutil.copy2(entry.path, new / entry.name, follow_symlinks=False)
    for name, content in files.items():
        if "/" in name or name.startswith("."):
            raise ValueError(f"publish_set: {name!r} is not a plain file name")
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = new / name
        with open(target, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(target, 0o644)
        if target.read_bytes() != data:
            raise OSError(errno.EIO, "read back differs from what was written", str(target))


def _swap_in(new: Path, folder: Path) -> None:
    if not folder.exists():
        os.rename(new, folder)
        return
    if _exchange(new, folder):
        return  # `new` now holds the old set, removed by the caller
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


# ---- JSON read from users ---------------------------------------------------------------------

def loads_json(text: str | bytes, *, unique_keys: bool = False,
               pairs_hook: Any = None) -> Any:
    """JSON text as Python values; a ValueError with a one-line reason when it is not JSON,
    is nested too deeply for Python to read (50,000 '[' raised RecursionError), or, with
    `unique_keys`, gives a key twice in one object (plain json keeps the last silently).
    `pairs_hook`: json's object_pairs_hook, when keys may repeat."""
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ValueError(f"the key {key!r} appears twice in one object; keep one")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs if unique_keys else pairs_hook)
    except RecursionError:
        raise ValueError("nested too deeply (thousands of '[' or '{' inside each other); "
                         "expected a flat list or object") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno})") from None


def utf16_name(head: bytes) -> str | None:
    """'UTF-16' (with its byte order) when these first bytes of a file are UTF-16 text, by its
    byte-order mark or, without one, by the zero byte beside each ASCII letter; else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 " + ("little-endian" if head[:2] == b"\xff\xfe" else "big-endian")
    sample = head[:4096]
    if len(sample) >= 8:
        evens, odds = sample[0::2], sample[1::2]
        if odds.count(0) > 0.9 * len(odds) and evens.count(0) < 0.1 * len(evens):
            return "UTF-16 little-endian"
        if evens.count(0) > 0.9 * len(evens) and odds.count(0) < 0.1 * len(odds):
            return "UTF-16 big-endian"
    return None
