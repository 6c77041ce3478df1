"""Warm kernels on the workers of a dask.distributed cluster (`--executor dask`).

A dask worker that runs a report would start each kernel cold: a new interpreter that imports
pandas, plotly and the suite again. This plugin gives every worker of the cluster its own
warm-kernel server (aijobs.reports.zygote) for the length of one sweep or build, as the local
process pool has, and stops it when the build is over. Imported only by that executor: it
needs the optional `distributed` package.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from aijobs.reports import zygote

PLUGIN_NAME = "aijobs-warm-kernels"


class WarmKernels(WorkerPlugin):
    """On each worker: a warm-kernel server for these notebooks, used by every report the
    worker runs until the plugin is removed."""

    name = PLUGIN_NAME

    def __init__(self, notebooks: list[Path]):
        self.notebooks = [str(n) for n in notebooks]
        self.socket: str | None = None  # this worker's server, while set up
        self._stack: contextlib.ExitStack | None = None

    def setup(self, worker) -> None:
        self._stack = contextlib.ExitStack()
        # a worker whose own copy of the suite lacks a notebook runs cold kernels for it
        found = [Path(n) for n in self.notebooks if Path(n).is_file()]
        self.socket = self._stack.enter_context(zygote.warm_kernels(found))

    def teardown(self, worker) -> None:
        self.socket = None
        if self._stack is not None:
            self._stack.close()
            self._stack = None


def worker_warm_socket(dask_worker=None) -> str | None:
    """On a dask worker: its warm-kernel server's socket (None: none set up). In a task the
    worker is found; `client.run` passes it as `dask_worker`."""
    plugin = (dask_worker or get_worker()).plugins.get(PLUGIN_NAME)
    return plugin.socket if isinstance(plugin, WarmKernels) else None


def run_with_warm_kernels(run: Callable[[tuple], Any], args: tuple) -> Any:
    """On a dask worker: `run((*args, socket))` with this worker's warm-kernel server."""
    return run((*args, worker_warm_socket()))


@contextlib.contextmanager
def warm_kernels_on(client, notebooks: list[Path]):
    """Every worker of the client's cluster has warm kernels for these notebooks while
    inside; none after (a worker that cannot start them runs cold kernels)."""
    client.register_plugin(WarmKernels(notebooks))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # the cluster may be gone; nothing is left to stop
            client.unregister_worker_plugin(PLUGIN_NAME)
