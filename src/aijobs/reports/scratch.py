"""The temporary files and folders of a build, and the removal of those a killed build left.

A build makes, in the temporary folder: a work folder per report run, IPC sockets and a
connection file per kernel, and a folder for the warm-kernel server's socket. Each removes its
own when it ends, also on Ctrl-C and SIGTERM; a process killed with SIGKILL cannot, so every
name carries the pid of the process that made it ("aijobs-run-4242-growth_rates-x1y2"), and
each build first removes those whose process is gone. Only the standard library is used: the
kernel launcher imports this.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile

KINDS = ("run", "kernel", "warm")  # a report's work folder, a kernel's files, the server's
STALE_RE = re.compile(rf"^aijobs-({'|'.join(KINDS)})-(\d+)-")


def scratch_prefix(kind: str) -> str:
    """The start of the name of a temporary file or folder of `kind` made by this process."""
    if kind not in KINDS:
        raise ValueError(f"scratch kind {kind!r}: expected one of {', '.join(KINDS)}")
    return f"aijobs-{kind}-{os.getpid()}-"


def running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    with contextlib.suppress(OSError, IndexError):  # Linux: the state letter after "(name)"
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def remove_stale_scratch(folders: list[str] | None = None) -> int:
    """Remove this user's build files whose process no longer runs, from the temporary folder
    (and /tmp, where sockets go when it is too long); the number removed."""
    folders = folders or list(dict.fromkeys([tempfile.gettempdir(), "/tmp"]))
    removed = 0
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            found = STALE_RE.match(entry.name)
            if not found or found.group(2) == str(os.getpid()) or running(int(found.group(2))):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed += 1
    return removed
