"""The build's cache: a report's key (hashes of everything that decides its page), the inputs
a notebook reported reading, and the manifest beside the pages."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from aijobs import paths
from aijobs.files import file_digest, sha256_text
from aijobs.notebook.mode import INPUTS_MIME
from aijobs.reports.config import ReportSpec
from aijobs.reports.render import BuildOptions

MANIFEST_NAME = ".aijobs-build.json"
# Versions that change what a page looks like; part of every report's cache key.
RENDERING_PACKAGES = ("plotly", "nbconvert", "pandas", "papermill")


def package_fingerprint() -> str:
    """Hash of the package's code and of the versions of the packages that render pages."""
    digest = hashlib.sha256()
    package_dir = Path(__file__).parent.parent
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".js", ".json", ".yaml"):
            digest.update(str(path.relative_to(package_dir)).encode())
            digest.update(path.read_bytes())
    for name in RENDERING_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()


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


def read_manifest(reports_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((reports_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
