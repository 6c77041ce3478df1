"""The kernel manager the report build uses.

It talks to the kernel over local IPC sockets instead of TCP on localhost: no ports to find,
and no warning about unencrypted TCP printed by every kernel. Each kernel gets its own socket
prefix in the temporary folder, so parallel builds never share sockets; jupyter_client removes
the socket files when the kernel shuts down. The report-mode switch goes into the kernel's
environment only, so building a report never changes the caller's own process.

Its kernelspec is the suite's own (paths.JUPYTER_DIR): ipykernel, started by the warm-kernel
provisioner (aijobs.reports.provisioner), which asks the warm-kernel server named in its
configuration for a fresh, already-imported kernel, or starts ipykernel's own command when
there is none. Give the server with traitlets config, as the build does:
`papermill.execute_notebook(..., config=kernel_config(socket_path))`.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from queue import Empty
from typing import Any

import zmq
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type, default
from traitlets.config import Config

from aijobs import paths
from aijobs.notebook.mode import REPORT_MODE_VAR
from aijobs.reports.scratch import scratch_prefix
from aijobs.reports.zygote import MAX_SOCKET_PATH, socket_folder


def kernel_config(warm_socket: str | None) -> Config:
    """Traitlets config for a report's kernel: its kernels come from this warm-kernel server
    (None: started the ordinary way)."""
    return Config({"WarmKernelProvisioner": {"socket": warm_socket}})


RECONNECT_MS = 5  # how soon a client's socket tries again to reach a kernel not yet listening


class ReadyKernelClient(AsyncKernelClient):
    """The report kernels' client. Its readiness check asks for kernel_info until the reply
    arrives and the kernel's idle status for that very request comes through IOPub: then
    IOPub is connected and every earlier start-up message is behind us. jupyter_client's own
    check ends by waiting for 0.2 s of IOPub silence, 0.2 s more for every report."""

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        # The client connects before the kernel has bound its sockets; zmq then retries every
        # RECONNECT_IVL ms, 100 by default: each report waited up to 0.1 s for a kernel that
        # was already listening (measured: ready 0.23 s after launch, 0.12 s with 5 ms).
        # Retries back off to 100 ms, so a kernel that never comes costs no more than before.
        # Set on the context before the channels' sockets are made, so they inherit it.
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        self.context.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
        super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            reply = await self._reply_to(request, self.shell_channel, 1.0)
            # IOPub may not be subscribed yet (zmq's slow joiner): then ask again soon
            if reply is not None and await self._idle_after(request, 0.1):
                # as jupyter_client does: talk the kernel's protocol version
                major = int(reply["content"]["protocol_version"].split(".")[0])
                if major != protocol_version_info[0]:
                    self.session.adapt_version = major
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    @staticmethod
    async def _reply_to(request: str, channel, wait: float) -> dict | None:
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await channel.get_msg(timeout=left)
            except Empty:
                return None
            if msg["parent_header"].get("msg_id") == request:
                return msg
        return None

    async def _idle_after(self, request: str, wait: float) -> bool:
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (msg["parent_header"].get("msg_id") == request and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return True
        return False


class IPCKernelManager(AsyncKernelManager):
    client_class = DottedObjectName("aijobs.reports.kernel.ReadyKernelClient")
    client_factory = Type(ReadyKernelClient, klass=AsyncKernelClient)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # "<folder>/aijobs-kernel-<pid>-<10 hex>-<n>": a Unix socket path has a length limit;
        # past it even in /tmp, the kernel talks TCP on localhost instead. The pid lets a later
        # build remove the files of a killed one (aijobs.reports.scratch).
        name = f"{scratch_prefix('kernel')}{uuid.uuid4().hex[:10]}"
        prefix = os.path.join(socket_folder(len(name) + 2), name)
        if len(prefix) + 2 <= MAX_SOCKET_PATH:
            self.transport, self.ip = "ipc", prefix
        if not self.connection_file:  # else jupyter_client names it tmpXXXXXXXX.json
            self.connection_file = os.path.join(tempfile.gettempdir(), f"{name}.json")

    @default("kernel_spec_manager")
    def _suite_kernelspecs_first(self) -> KernelSpecManager:
        """The suite's kernelspecs (python3: ipykernel through the warm-kernel provisioner)
        before the installed ones."""
        installed = KernelSpecManager(data_dir=self.data_dir)
        return KernelSpecManager(data_dir=self.data_dir, kernel_dirs=[
            str(paths.JUPYTER_DIR / "kernels"), *installed.kernel_dirs])

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        env = dict(kw.get("env") or os.environ)
        env[REPORT_MODE_VAR] = "1"
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's import warning
        kw["env"] = env
        await super().start_kernel(**kw)
