"""The build's cache: a report's key (hashes of everything that decides its page), the inputs
a notebook reported reading, and the manifest beside the pages."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path
from typing import Any

from aijobs import paths
from aijobs.files import file_digest, sha256_text
from aijobs.notebook.mode import INPUTS_MIME
from aijobs.reports.config import ReportSpec
from aijobs.reports.render import BuildOptions

MANIFEST_NAME = paths.MANIFEST_NAME
# Versions that change what a page looks like; part of every report's cache key.
RENDERING_PACKAGES = ("plotly", "nbconvert", "pandas", "papermill")


FINGERPRINTED = (".py", ".j2", ".css", ".js", ".json", ".yaml")
# {file: ((mtime_ns, size, inode), sha256 of its bytes)}: a build server fingerprints the
# package at every command, and a build once more; each file is read again only when it changed
_FILE_HASHES: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


def package_fingerprint() -> str:
    """Hash of the package's code and of the versions of the packages that render pages."""
    digest = hashlib.sha256()
    package_dir = Path(__file__).parent.parent
    for path in sorted(package_dir.rglob("*")):
        if path.suffix in FINGERPRINTED and path.is_file():
            digest.update(str(path.relative_to(package_dir)).encode())
            digest.update(_file_hash(path))
    for name in RENDERING_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> bytes:
    info = path.stat()
    stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
    known = _FILE_HASHES.get(path)
    if known is None or known[0] != stamp:
        known = _FILE_HASHES[path] = (stamp, hashlib.sha256(path.read_bytes()).digest())
    return known[1]


def report_key(spec: ReportSpec, used: dict[str, Any], options: BuildOptions, package: str,
               inputs: list[str]) -> str:
    """The cache key of one report: everything that decides its page."""
    payload = {
        "notebook": file_digest(spec.notebook),
        "parameters": used,
        "title": spec.title,
        "summary": spec.summary,
        "options": [options.show_code, options.self_contained],
        "package": package,
        "inputs": {p: file_digest(_input_path(p)) for p in sorted(inputs)},
    }
    return sha256_text(json.dumps(payload, sort_keys=True, default=str).encode())


def _input_path(name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else paths.PROJECT_ROOT / p


def _relative_inputs(files: list[str]) -> list[str]:
    out = []
    for f in files:
        p = Path(f)
        try:
            out.append(str(p.relative_to(paths.PROJECT_ROOT)))
        except ValueError:
            out.append(str(p))
    return sorted(set(out))


def _all_data_files() -> list[str]:
    return _relative_inputs([str(p) for p in paths.DATA_DIR.rglob("*") if p.is_file()])


def inputs_of(nb) -> list[str]:
    """Files the executed notebook reported reading (all of data/ if it reported none)."""
    files: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if INPUTS_MIME in data:
                files += list(data[INPUTS_MIME].get("files", []))
    return _relative_inputs(files) if files else _all_data_files()


def strip_inputs_outputs(nb) -> None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(INPUTS_MIME, None)


def read_manifest(reports_dir: Path, *, set_aside: bool = False, echo=None) -> dict[str, Any]:
    """The build's record of the pages in `reports_dir` ({report: entry}); {} when there is
    none. One that cannot be read (not UTF-8, not JSON, not an object of objects) is a
    record of nothing: with `set_aside` (a build, holding the lock) it is renamed
    <manifest>.unreadable, `echo` says so in one line, and every page is rebuilt."""
    path = Path(reports_dir) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        problem = None if isinstance(manifest, dict) and all(
            isinstance(v, dict) for v in manifest.values()) else "not an object of reports"
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        return {}  # refused before any build (build.checked_output_dir)
    except (OSError, ValueError, RecursionError) as exc:  # not UTF-8, not JSON, unreadable
        manifest, problem = {}, type(exc).__name__ if not str(exc) else str(exc).splitlines()[0]
    if problem is None:
        return manifest
    if set_aside:
        target = path.with_name(f"{MANIFEST_NAME}.unreadable")
        aside: Path | None = target
        try:
            os.replace(path, target)
        except OSError:
            aside = None
        if echo is not None:
            where = f"set aside as {aside.name}" if aside else "left in place"
            echo(f"warning: the build record {path} could not be read ({problem[:120]}); "
                 f"{where}, and every report is rebuilt")
    return {}
