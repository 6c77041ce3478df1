"""The kernel manager the report build uses.

It talks to the kernel over local IPC sockets instead of TCP on localhost: no ports to find,
and no warning about unencrypted TCP printed by every kernel. Each kernel gets its own socket
prefix in the temporary folder, so parallel builds never share sockets; jupyter_client removes
the socket files when the kernel shuts down. The report-mode switch goes into the kernel's
environment only, so building a report never changes the caller's own process.
"""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager

from aijobs.notebook.mode import REPORT_MODE_VAR


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = os.path.join(tempfile.gettempdir(), f"aijobs-kernel-{uuid.uuid4().hex}")

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        env = dict(kw.get("env") or os.environ)
        env[REPORT_MODE_VAR] = "1"
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        kw["env"] = env
        return await super()._async_launch_kernel(kernel_cmd, **kw)
