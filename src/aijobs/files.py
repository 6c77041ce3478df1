"""Reading and publishing files safely: strict YAML, atomic writes and content hashes (used by
every layer)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml


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
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
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
