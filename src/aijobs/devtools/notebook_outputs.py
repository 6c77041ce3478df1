"""Keep the outputs that nbval checks, and only those, stored in notebooks/.

Cells marked `# NBVAL_CHECK_OUTPUT` hold key numbers (tables of figures) that the tests
compare with a fresh run. This runs each notebook with its defaults and stores the outputs of
those cells; every other output is cleared so charts are never committed.
Run it after changing a notebook or data on purpose: `make notebook-outputs`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from aijobs import paths

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def stored_outputs_notebook(executed: nbformat.NotebookNode,
                            original: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`original` with the outputs of its checked cells taken from `executed`."""
    by_id = {c.get("id"): c for c in executed.cells}
    for cell in original.cells:
        if cell.cell_type != "code":
            continue
        run = by_id.get(cell.get("id"))
        if CHECK_MARK in cell.source and run is not None:
            cell.outputs = [o for o in run.outputs if o.get("output_type") != "stream"
                            or o.get("name") != "stderr"]
            cell.execution_count = run.execution_count
        else:
            cell.outputs = []
            cell.execution_count = None
    return original


def refresh(notebook: Path) -> None:
    import papermill

    original = nbformat.read(notebook, as_version=4)
    executed = papermill.execute_notebook(str(notebook), None, cwd=str(notebook.parent),
                                          progress_bar=False, kernel_name="python3",
                                          kernel_manager_class="aijobs.reports.kernel.IPCKernelManager")
    nbformat.write(stored_outputs_notebook(executed, original), notebook)


def main() -> int:
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        refresh(notebook)
        print(f"stored checked outputs of {notebook.relative_to(paths.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
