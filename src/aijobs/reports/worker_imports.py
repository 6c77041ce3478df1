"""What a report worker imports before its first report, loaded once by multiprocessing's
fork server so that every worker forked from it starts with them (see build._worker_context),
and by a build server before its first command (a one-report build runs in its process).
It also renders a small page once, so that the workers' first pages need not compile
templates and regular expressions (render.warm_renderer).
"""

# ruff: noqa: E402  (the collector is turned off before the imports, below)
from __future__ import annotations

import gc
import importlib
import signal
import sys


def _import_without(hidden: str, module: str) -> None:
    """Import `module` with `hidden` looking absent (an ImportError, as if not installed) unless
    it is imported already; afterwards `hidden` imports normally again."""
    if hidden in sys.modules:
        importlib.import_module(module)
        return
    sys.modules[hidden] = None  # type: ignore[assignment]  # None: "absent"
    try:
        importlib.import_module(module)
    finally:
        if hidden in sys.modules and sys.modules[hidden] is None:
            del sys.modules[hidden]


# The collector is off while this imports (its collections walked the growing heap: 0.05-0.07 s
# of the 0.9 s, measured), and what was imported is frozen at the end, so that a worker's
# collections never walk, nor copy page by page, the fork server's objects (as the warm-kernel
# server does for its kernels: zygote._freeze_objects).
_COLLECTING = gc.isenabled()
gc.disable()

try:
    # isort: off
    # aijobs first: it keeps jsonschema from loading its slow optional IRI checker (see there)
    import aijobs  # noqa: F401

    import jupyter_client.manager  # noqa: F401
    # jupyter_client's KernelSpecManager imports IPython.paths, and so all of IPython, the first
    # time a build looks up the kernelspec: 72 modules with ipykernel's, imported by every report
    # worker and by a build server on their first report though everything above was imported
    # (tests/reports/test_build.py counts them)
    import IPython  # noqa: F401
    import ipykernel.kernelspec  # noqa: F401  (the same lookup, for the kernel's own spec)
    from jupyter_client.provisioning import KernelProvisionerFactory
    import nbclient  # noqa: F401
    import nbconvert  # noqa: F401
    from nbconvert import HTMLExporter  # noqa: F401

    import aijobs.reports.page_exporter  # noqa: F401

    import aijobs.reports.build  # noqa: F401
    import aijobs.reports.kernel  # noqa: F401
    import aijobs.reports.provisioner  # noqa: F401
    from aijobs.reports import render
    # isort: on

    # papermill imports pyarrow (and numpy with it) for its HDFS handler whenever pyarrow is
    # installed, as it is here for pandas: 0.14 s of the fork server's CPU (median of 9
    # imports), for a handler the build never uses (it reads and writes local files). Imported
    # with pyarrow hidden, papermill keeps its stand-in that says pyarrow is needed for hdfs://
    # paths, and pyarrow stays importable for anything else. (Nothing above imports papermill:
    # build.py and kernel.py defer it.)
    _import_without("pyarrow", "papermill")

    # The fork server, and each worker it forks until the worker is ready, ignores SIGTERM: a
    # build that is interrupted stops its workers with SIGTERM once it has told them to start
    # nothing more (build._stop_workers); a worker still starting then simply starts nothing.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    # the kernel provisioners' entry points, read once here rather than by each worker
    KernelProvisionerFactory.instance()

    try:
        render.warm_renderer()
    except Exception:  # noqa: BLE001  (a page that cannot render fails in its own report)
        pass
except BaseException:
    # a broken import or warm-up: the collector back on for whoever goes on (the import
    # machinery, or a build server whose warm-up failed and runs its commands without it)
    if _COLLECTING:
        gc.enable()
    raise

gc.freeze()
if _COLLECTING:
    gc.enable()
