"""The kernel manager the report build uses.

It talks to the kernel over local IPC sockets instead of TCP on localhost: no ports to find,
and no warning about unencrypted TCP printed by every kernel. Each kernel gets its own socket
prefix in the temporary folder, so parallel builds never share sockets; jupyter_client removes
the socket files when the kernel shuts down. The report-mode switch goes into the kernel's
environment only, so building a report never changes the caller's own process.

With a warm-kernel server (aijobs.reports.zygote) set by `zygote.use_warm_kernels`, the
manager asks the server for a fresh, already-imported kernel forked for it, and holds the
answer as it would hold a kernel process; without one (or if the server refuses), it starts
ipykernel's own command.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type

from aijobs.notebook.mode import REPORT_MODE_VAR
from aijobs.reports.scratch import scratch_prefix
from aijobs.reports.zygote import (
    MAX_SOCKET_PATH,
    SOCKET_VAR,
    ForkedKernel,
    identity,
    request_kernel,
    socket_folder,
    warm_socket,
)

# The kernel commands a forked kernel can stand in for: ipykernel's own, and our launcher (the
# tests' kernelspec runs it), which would itself ask the server.
IPYKERNEL_MODULES = ("ipykernel_launcher", "aijobs.reports.kernel_launcher")


def ipykernel_arguments(kernel_cmd: list[str]) -> list[str] | None:
    """The arguments of an ipykernel command of this interpreter ([python, -m,
    ipykernel_launcher, -f, FILE] gives [-f, FILE]); None for another kernel's command."""
    if len(kernel_cmd) < 3 or kernel_cmd[1] != "-m" or kernel_cmd[2] not in IPYKERNEL_MODULES:
        return None
    found = shutil.which(kernel_cmd[0])
    if not found or str(Path(found).resolve()) != identity()["executable"]:
        return None  # another interpreter's kernel: only it can start that
    return list(kernel_cmd[3:])


RECONNECT_MS = 5  # how soon a client's socket tries again to reach a kernel not yet listening


class ReadyKernelClient(AsyncKernelClient):
    """The report kernels' client. Its readiness check asks for kernel_info until the reply
    arrives and the kernel's idle status for that very request comes through IOPub: then
    IOPub is connected and every earlier start-up message is behind us. jupyter_client's own
    check ends by waiting for 0.2 s of IOPub silence, 0.2 s more for every report."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            reply = await self._reply_to(request, self.shell_channel, 1.0)
            # IOPub may not be subscribed yet (zmq's slow joiner): then ask again soon
            if reply is not None and await self._idle_after(request, 0.1):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    wait_for_ready = _async_wait_for_ready  # the public name is bound to the base's method

    def _context_default(self):
        # The client connects before the kernel has bound its sockets; zmq then retries every
        # RECONNECT_IVL ms, 100 by default: each report waited up to 0.1 s for a kernel that
        # was already listening (measured: ready 0.23 s after launch, 0.12 s with 5 ms).
        # Retries back off to 100 ms, so a kernel that never comes costs no more than before.
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        context.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
        return context

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

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # After a kill the process is gone within milliseconds; polling every 0.1 s made each
        # report wait 0.1 s more (measured)
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts a kernel before killing it; the build kills kernels only
        # after their notebook has finished (shutdown_kernel="immediate"), so there is nothing
        # to interrupt, and a warm kernel would live long enough to log the KeyboardInterrupt.
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        env = dict(kw.get("env") or os.environ)
        env[REPORT_MODE_VAR] = "1"
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        env.pop(SOCKET_VAR, None)
        kw["env"] = env
        kernel = self._forked_kernel(kernel_cmd, kw)
        if kernel is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        # Held as LocalProvisioner holds its Popen. No process group: signals go through the
        # server (ForkedKernel.send_signal), which signals the kernel's own group.
        provisioner = self.provisioner
        provisioner.process, provisioner.pid, provisioner.pgid = kernel, kernel.pid, None
        provisioner.cwd = kw.get("cwd") or os.getcwd()
        self._reconcile_connection_info(provisioner.connection_info)

    def _forked_kernel(self, kernel_cmd: list[str], kw: dict) -> ForkedKernel | None:
        """A kernel forked by the warm-kernel server (this process's streams), or None: no
        server, another kernel's command, streams of the caller's own, or a refusal."""
        server, argv = warm_socket(), ipykernel_arguments(list(kernel_cmd))
        if (not server or argv is None or not isinstance(self.provisioner, LocalProvisioner)
                or any(kw.get(stream) is not None for stream in ("stdin", "stdout", "stderr"))):
            return None
        devnull = os.open(os.devnull, os.O_RDONLY)  # as Jupyter gives a kernel no input
        try:
            return request_kernel(server, argv, cwd=str(kw.get("cwd") or os.getcwd()),
                                  env=kw["env"], streams=(devnull, 1, 2))
        finally:
            os.close(devnull)
