"""The warm-kernel provisioner: Jupyter starts a report's kernel by asking the warm-kernel server
(aijobs.reports.zygote) to fork one, through jupyter_client's public seam for this.

jupyter_client starts every kernel through a kernel provisioner, named in the kernelspec
(`metadata.kernel_provisioner.provisioner_name`) and found through the
`jupyter_client.kernel_provisioners` entry point. The suite's kernelspec
(aijobs/jupyter/kernels/python3/kernel.json, paths.JUPYTER_DIR) is ipykernel's own command with
this provisioner named: papermill and nbclient (through the build's kernel manager,
aijobs.reports.kernel), nbval (the tests put the folder first on JUPYTER_PATH) and JupyterLab
can all use it.

Configuration, from the kernelspec's `kernel_provisioner.config` or traitlets config
(`WarmKernelProvisioner.socket`, as the build passes it), else the environment:
- `socket`: the warm-kernel server's socket; unset, AIJOBS_WARM_KERNELS in the environment;
  none, or AIJOBS_COLD_KERNELS=1, and kernels start the ordinary way.

A kernel that is not ipykernel run by this interpreter, one whose output the caller wants to
read through a pipe, or one the server refuses (another interpreter or copy of the package) or
cannot be reached for, starts the ordinary way too, and the log says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode, default

from aijobs.reports.zygote import SOCKET_VAR, cold_kernels_asked, identity, request_kernel

log = logging.getLogger(__name__)

PROVISIONER_NAME = "aijobs-warm-kernels"  # the entry point's name in pyproject.toml
POLL_SECONDS = 0.005  # a killed kernel is gone within milliseconds: polling every 0.1 s cost
# each report 0.1 s (measured)
KILL_WAIT_SECONDS = 1.0


def ipykernel_arguments(kernel_cmd: list[str]) -> list[str] | None:
    """The arguments of an ipykernel command of this interpreter ([python, -m,
    ipykernel_launcher, -f, FILE] gives [-f, FILE]); None for another kernel's command."""
    if len(kernel_cmd) < 3 or kernel_cmd[1] != "-m" or kernel_cmd[2] != "ipykernel_launcher":
        return None
    found = shutil.which(kernel_cmd[0])
    if not found or str(Path(found).resolve()) != identity()["executable"]:
        return None  # another interpreter's kernel: only it can start that
    return list(kernel_cmd[3:])


def _stream_fd(stream: Any, default_fd: int, opened: list[int]) -> int | None:
    """The file descriptor a Popen stream argument stands for (None: a pipe, which only a
    process the caller starts itself can give)."""
    if stream is None:
        return default_fd
    if stream == subprocess.DEVNULL:
        opened.append(os.open(os.devnull, os.O_RDWR))
        return opened[-1]
    if isinstance(stream, int):
        return stream if stream >= 0 else None  # PIPE or STDOUT
    with contextlib.suppress(AttributeError, OSError, ValueError):
        return int(stream.fileno())
    return None


class LaunchRefused(BaseException):
    """A kernel was to start in a process that is stopping (see refuse_launches). Not an
    Exception: jupyter_client and nbclient, which catch and log those, let it through."""


# This process's kernels: whether it may start more, whether one is starting now, and those it
# started (Popen or ForkedKernel), so that they can be ended with it (see end_started_kernels)
_refused = False
_launching = False
_started: list[Any] = []


def refuse_launches() -> bool:
    """From now on no kernel starts in this process (a start raises LaunchRefused). Safe in a
    signal handler. True when a kernel is starting right now: its start then completes, ends
    the kernel and raises LaunchRefused, so that no kernel is ever left half-started (the
    caller must not interrupt it)."""
    global _refused
    _refused = True
    return _launching


def end_started_kernels(timeout: float = KILL_WAIT_SECONDS * 5) -> None:
    """Kill every kernel this process started that still runs, and wait (up to `timeout` s
    each) until it is gone: then nothing it could print follows this process's end."""
    while _started:
        process = _started.pop()
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=timeout)


class WarmKernelProvisioner(LocalProvisioner):
    """Launches ipykernel kernels by having the warm-kernel server fork them; any other
    kernel, or when there is no server, the way LocalProvisioner does."""

    socket = Unicode(None, allow_none=True, config=True,
                     help="The warm-kernel server's socket (aijobs.reports.zygote); None: "
                          "AIJOBS_WARM_KERNELS from the environment, if set.")

    @default("socket")
    def _socket_from_environment(self) -> str | None:
        return os.environ.get(SOCKET_VAR) or None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        env = dict(kwargs.get("env") or os.environ)
        env.pop(SOCKET_VAR, None)  # the kernel's own kernels are its business
        kwargs["env"] = env
        global _launching
        if _refused:
            raise LaunchRefused
        _launching = True  # see refuse_launches: a stop waits for the end of this start
        try:
            info = await self._launch(cmd, kwargs)
            _started[:] = [p for p in _started if p.poll() is None] + [self.process]
        finally:
            _launching = False
        if _refused:  # stopped while it started: end the kernel before it can say anything
            end_started_kernels()
            raise LaunchRefused
        return info

    async def _launch(self, cmd: list[str], kwargs: dict[str, Any]) -> KernelConnectionInfo:
        kernel = self._forked_kernel(cmd, kwargs)
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        # held as LocalProvisioner holds its Popen; no process group of ours to signal: the
        # server signals the kernel's own group (ForkedKernel.send_signal)
        self.process, self.pid, self.pgid = kernel, kernel.pid, None
        self.cwd = kwargs.get("cwd") or os.getcwd()
        return self.connection_info

    def _forked_kernel(self, cmd: list[str], kwargs: dict[str, Any]):
        """A kernel forked by the warm-kernel server, or None (logged: why not)."""
        server, argv = self.socket, ipykernel_arguments(list(cmd))
        why = ("no warm-kernel server" if not server
               else "cold kernels asked for (AIJOBS_COLD_KERNELS=1)" if cold_kernels_asked()
               else f"not ipykernel of this interpreter ({' '.join(cmd[:3])})"
               if argv is None else None)
        opened: list[int] = []
        try:
            streams = (_stream_fd(kwargs.get("stdin", subprocess.DEVNULL), 0, opened),
                       _stream_fd(kwargs.get("stdout"), 1, opened),
                       _stream_fd(kwargs.get("stderr"), 2, opened))
            if why is None and None in streams:
                why = "the caller reads the kernel's output through a pipe"
            if why is not None:
                log.info("cold kernel: %s", why)
                return None
            assert server is not None and argv is not None
            kernel = request_kernel(server, argv, cwd=str(kwargs.get("cwd") or os.getcwd()),
                                    env=kwargs["env"], streams=streams)  # type: ignore[arg-type]
        finally:
            for fd in opened:
                os.close(fd)
        return kernel  # None: request_kernel has logged why

    async def send_signal(self, signum: int) -> None:
        # jupyter_client interrupts a kernel before killing it; a kernel its manager is
        # shutting down has nothing to interrupt, and a warm kernel would live long enough to
        # log the KeyboardInterrupt
        if signum == signal.SIGINT and getattr(self.parent, "shutting_down", False):
            return
        await super().send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and wait (briefly) until it is gone: the manager then finds it dead
        at once instead of after its 0.1 s poll."""
        await super().kill(restart=restart)
        end = time.monotonic() + KILL_WAIT_SECONDS
        while self.process is not None and self.process.poll() is None \
                and time.monotonic() < end:
            await asyncio.sleep(POLL_SECONDS)

    async def wait(self) -> int | None:
        while self.process is not None and await self.poll() is None:
            await asyncio.sleep(POLL_SECONDS)
        return await super().wait()
