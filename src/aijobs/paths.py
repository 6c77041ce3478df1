"""Every path the suite uses, defined once and resolved from the project root.

Notebooks, tests and the build import these instead of building paths from the working
directory, so a notebook runs the same from JupyterLab, papermill or pytest.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def _find_project_root() -> Path:
    # AIJOBS_ROOT lets an installed copy of the package point at a checkout elsewhere.
    env = os.environ.get("AIJOBS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    raise RuntimeError(
        f"cannot find the project root above {here}: expected a folder holding pyproject.toml "
        "and data/. Set AIJOBS_ROOT to the checkout's path."
    )


PROJECT_ROOT = _find_project_root()
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
# The build's record in an output folder (what each page was built from: reports/cache.py)
MANIFEST_NAME = ".aijobs-build.json"
# The list of reports (and named scenarios) lives beside the notebooks it runs.
REPORTS_CONFIG = NOTEBOOKS_DIR / "reports.yaml"
SOURCES_FILE = DATA_DIR / "sources.yaml"
# Page style and script, shipped inside the package.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The suite's Jupyter data, shaped as a JUPYTER_PATH entry: kernels/python3/kernel.json is
# ipykernel started through the warm-kernel provisioner (aijobs.reports.provisioner).
JUPYTER_DIR = Path(__file__).resolve().parent / "jupyter"
# The article lives beside the checkout in ../shared; it is not ours to commit.
SHARED_DIR = PROJECT_ROOT.parent / "shared"
ARTICLE_FILE = SHARED_DIR / "seed" / "ai-job-market-article.txt"


# Every project file read in this process (tables, sidecars, configs), in order. The report
# build records them after a run, so a report is rebuilt when one of them changes.
FILES_READ: dict[str, None] = {}


# Open collections of reads (see collected_reads): each gets every file recorded meanwhile.
_COLLECTING: list[list[str]] = []


def record_read(path: Path | str) -> Path:
    """Note that `path` was read as an input; returns it (as a Path)."""
    note_reads((resolved_name(path),))
    return path if isinstance(path, Path) else Path(path)


def note_reads(full_names: Iterable[str]) -> None:
    """record_read for names already resolved (resolved_name; those collected_reads gave):
    a cached table check replays its reads on every load, thousands of times a build."""
    for full in full_names:
        FILES_READ[full] = None
        for collected in _COLLECTING:
            collected.append(full)


def resolved_name(path: Path | str) -> str:
    """A file's full name, symbolic links resolved (found once per name and working folder)."""
    text = os.fspath(path)
    return _resolved(text, "" if os.path.isabs(text) else os.getcwd())


@functools.lru_cache(maxsize=4096)
def _resolved(path: str, cwd: str) -> str:
    """A file's full name, symbolic links resolved, found once per process for each name (and
    working folder, for a relative one): a report records the same few files thousands of
    times (every cached table check replays its reads), and resolving each time walked the
    file system for every one (9,219 calls, 5% of all reports' cells under cProfile)."""
    return str(Path(cwd, path).resolve())


@contextlib.contextmanager
def collected_reads() -> Iterator[list[str]]:
    """Collect every file recorded as read inside the block (even one recorded before), so
    that a cached result can record the same reads again when it is reused."""
    collected: list[str] = []
    _COLLECTING.append(collected)
    try:
        yield collected
    finally:
        _COLLECTING.pop()  # nested collections open and close in order


# Input files that are not tables of data/ (a user's survey file): {path: provenance with
# the keys holds, source and licence}. Reports list them among their sources.
OTHER_SOURCES: dict[str, dict[str, str]] = {}


def forget_reads() -> None:
    """Empty the records of files read (FILES_READ, OTHER_SOURCES), so that a long-lived
    kernel's next report lists only what it reads itself."""
    FILES_READ.clear()
    OTHER_SOURCES.clear()


def table_path(name: str) -> Path:
    """The CSV file of the table called `name` in data/."""
    return DATA_DIR / f"{name}.csv"


def sidecar_path(name: str) -> Path:
    """The metadata sidecar (schema and provenance) of the table called `name`."""
    return DATA_DIR / f"{name}.meta.yaml"
