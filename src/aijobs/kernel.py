"""The kernel manager the report build uses.

It talks to the kernel over local IPC sockets instead of TCP on localhost: no ports to find,
and no warning about unencrypted TCP printed by every kernel.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
