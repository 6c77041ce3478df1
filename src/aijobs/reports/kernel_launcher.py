"""A command Jupyter can start as a kernel: `python -m aijobs.reports.kernel_launcher -f
CONNECTION_FILE`, in place of `python -m ipykernel_launcher` (the tests' nbval kernels use
it, through a kernelspec; the report build asks the server directly, see
aijobs.reports.kernel).

With a warm-kernel server named in the environment (see aijobs.reports.zygote), it asks the
server to fork a fresh kernel, gives it this process's standard streams, and then stands in
for it: SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on, and this process exits with the
kernel's status. If this process is killed, the server sees the connection close and kills
the kernel. Without a server, or if the server refuses (another interpreter or copy of the
package) or cannot be reached, it becomes an ordinary ipykernel in this process.

Only the standard library is imported here, so the launcher itself costs a bare interpreter
start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from aijobs.reports.zygote import SOCKET_VAR, killed_with_parent, request_kernel

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def _cold(argv: list[str]) -> None:
    """Become an ordinary kernel: the same command Jupyter would have run."""
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])


def main(argv: list[str]) -> None:
    path = os.environ.get(SOCKET_VAR)
    kernel = request_kernel(path, argv, cwd=os.getcwd(), env=dict(os.environ),
                            streams=(0, 1, 2)) if path else None
    if kernel is None:
        _cold(argv)
        return
    killed_with_parent()  # the server then kills the kernel

    for sig in FORWARDED:
        signal.signal(sig, lambda signum, _frame: kernel.send_signal(signum))
    status = kernel.wait()
    if status < 0:  # the kernel died of a signal: so does its stand-in
        with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP keep theirs
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
