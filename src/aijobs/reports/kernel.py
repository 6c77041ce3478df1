"""The kernel manager the report build uses.

It talks to the kernel over local IPC sockets instead of TCP on localhost: no ports to find,
and no warning about unencrypted TCP printed by every kernel. Each kernel gets its own socket
prefix in the temporary folder, so parallel builds never share sockets; jupyter_client removes
the socket files when the kernel shuts down. The report-mode switch goes into the kernel's
environment only, so building a report never changes the caller's own process.

With a warm-kernel server (aijobs.reports.zygote) set by `zygote.use_warm_kernels`, the kernel
command becomes `python -m aijobs.reports.kernel_launcher`, which has the server fork a fresh,
already-imported kernel; without one, it is ipykernel's own launcher.
"""

from __future__ import annotations

import os
import time
import uuid
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

from aijobs.notebook.mode import REPORT_MODE_VAR
from aijobs.reports.zygote import MAX_SOCKET_PATH, SOCKET_VAR, socket_folder, warm_socket


def _warm_command(kernel_cmd: list[str]) -> list[str]:
    # ipykernel's kernelspec: [python, -m, ipykernel_launcher, -f, {connection_file}]
    if "ipykernel_launcher" not in kernel_cmd:
        return kernel_cmd
    at = kernel_cmd.index("ipykernel_launcher")
    return [*kernel_cmd[:at], "aijobs.reports.kernel_launcher", *kernel_cmd[at + 1:]]


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
        # "<folder>/aijobs-kernel-<12 hex>-<n>": a Unix socket path has a length limit; past
        # it even in /tmp, the kernel talks TCP on localhost instead
        name = f"aijobs-kernel-{uuid.uuid4().hex[:12]}"
        prefix = os.path.join(socket_folder(len(name) + 2), name)
        if len(prefix) + 2 <= MAX_SOCKET_PATH:
            self.transport, self.ip = "ipc", prefix

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
        if warm_socket():
            env[SOCKET_VAR] = warm_socket()
            kernel_cmd = _warm_command(list(kernel_cmd))
        kw["env"] = env
        return await super()._async_launch_kernel(kernel_cmd, **kw)
