"""Processes that end when the process they serve dies: one helper for the build's workers, the
warm-kernel server and its kernels.

Nothing a build starts may outlive it, even when it is killed with SIGKILL and can clean up
nothing. `die_with(pid)` makes the calling process end when process `pid` ends:
- when `pid` is this process's parent, on Linux, the kernel sends SIGKILL at the parent's death
  (PR_SET_PDEATHSIG): no thread, so the warm-kernel server can still fork safely;
- otherwise (a build's workers, forked by multiprocessing's fork server, serve the build, their
  grandparent; or no PR_SET_PDEATHSIG, as on macOS), a daemon thread waits for `pid` to end:
  on a pidfd where Linux has them (woken at once), else by checking every WATCH_SECONDS.
Only the standard library is used: the warm-kernel server imports this before anything else.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time

from aijobs.reports.scratch import running

WATCH_SECONDS = 0.2  # how often a process without pidfds checks the one it serves


def _kill_at_parent_death() -> bool:
    """Have the kernel SIGKILL this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # deferred: Linux only

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) == 0  # PDEATHSIG
    except (OSError, AttributeError):
        return False


def die_with(pid: int, *, thread: bool = True) -> None:
    """End this process (exit status 1, or SIGKILL) when process `pid` ends; at once if it has
    already. `thread=False`: never start a thread (the caller then checks `os.getppid()` itself
    where the parent's death cannot be signalled)."""
    if pid == os.getppid() and _kill_at_parent_death():
        if os.getppid() != pid:  # the parent died before the request took hold
            os._exit(1)
        return
    if not running(pid):
        os._exit(1)
    if thread:
        threading.Thread(target=_watch, args=(pid,), name="aijobs-die-with", daemon=True).start()


def _watch(pid: int) -> None:
    fd = None
    with contextlib.suppress(AttributeError, OSError):
        fd = os.pidfd_open(pid)
    if fd is not None:
        select.select([fd], [], [])  # readable when the process ends
    else:
        while running(pid):
            time.sleep(WATCH_SECONDS)
    os._exit(1)
