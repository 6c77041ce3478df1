"""The command Jupyter starts as a report's kernel: `python -m aijobs.reports.kernel_launcher
-f CONNECTION_FILE`, in place of `python -m ipykernel_launcher`.

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
import json
import os
import signal
import socket
import sys

from aijobs.reports.zygote import SOCKET_VAR, identity, killed_with_parent

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def _cold(argv: list[str]) -> None:
    """Become an ordinary kernel: the same command Jupyter would have run."""
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])


def _forked_kernel(path: str, argv: list[str]):
    """Ask the server for a kernel: (the server's answers as lines, kernel pid), or None if it
    cannot give one."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                   "identity": identity()}
        socket.send_fds(conn, [json.dumps(request).encode("utf-8")], [0, 1, 2])
        answers = conn.makefile("rb")
        answer = json.loads(answers.readline() or b"{}")
    except (OSError, ValueError):
        conn.close()
        return None
    if "pid" not in answer:
        conn.close()
        return None
    return answers, int(answer["pid"])


def main(argv: list[str]) -> None:
    path = os.environ.get(SOCKET_VAR)
    started = _forked_kernel(path, argv) if path else None
    if started is None:
        _cold(argv)
        return
    answers, pid = started
    killed_with_parent()  # the server then kills the kernel

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for sig in FORWARDED:
        signal.signal(sig, forward)
    status = 1
    with contextlib.suppress(OSError, ValueError):
        for line in answers:
            message = json.loads(line)
            if "exit" in message:
                status = int(message["exit"])
                break
    if status < 0:  # the kernel died of a signal: so does its stand-in
        with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP keep theirs
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
