"""The kernel manager the report build uses.

It talks to the kernel over local IPC sockets instead of TCP on localhost: no ports to find,
and no warning about unencrypted TCP printed by every kernel. Each kernel gets its own socket
prefix in the temporary folder, so parallel builds never share sockets; jupyter_client removes
the socket files when the kernel shuts down.
"""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = os.path.join(tempfile.gettempdir(), f"aijobs-kernel-{uuid.uuid4().hex}")
