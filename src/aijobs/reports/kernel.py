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
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager

from aijobs.notebook.mode import REPORT_MODE_VAR
from aijobs.reports.zygote import SOCKET_VAR, warm_socket


def _warm_command(kernel_cmd: list[str]) -> list[str]:
    # ipykernel's kernelspec: [python, -m, ipykernel_launcher, -f, {connection_file}]
    if "ipykernel_launcher" not in kernel_cmd:
        return kernel_cmd
    at = kernel_cmd.index("ipykernel_launcher")
    return [*kernel_cmd[:at], "aijobs.reports.kernel_launcher", *kernel_cmd[at + 1:]]


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = os.path.join(tempfile.gettempdir(), f"aijobs-kernel-{uuid.uuid4().hex}")

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
