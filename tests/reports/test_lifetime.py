"""One helper ends a process with the one it serves (aijobs.reports.lifetime.die_with): a
process told to die with its parent, or with a process further up (as a build's workers are
with the build), ends when that process is killed with SIGKILL, which leaves it no chance to
clean up."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from aijobs.reports.scratch import running

# A "served" process starts a child that calls die_with(<served pid>) and prints its pid; for
# "grandparent" a middle process sits between them (the child's parent is not the served one).
CHILD = """
import os, sys, time
from aijobs.reports.lifetime import die_with
die_with(int(sys.argv[1]), thread=sys.argv[2] == "thread")
print(os.getpid(), flush=True)
time.sleep(120)
"""
SERVED = f"""
import os, subprocess, sys, time
me, how = str(os.getpid()), sys.argv[2]
child = [sys.executable, "-c", {CHILD!r}, me, how]
if sys.argv[1] == "parent":
    subprocess.Popen(child)
else:  # a middle process starts the child and waits: the child serves its grandparent
    subprocess.Popen([sys.executable, "-c", "import subprocess, sys; "
                      "subprocess.run(sys.argv[1:])", *child])
time.sleep(120)
"""


@pytest.mark.parametrize(("whose", "how"), [("parent", "signal"), ("parent", "thread"),
                                            ("grandparent", "thread")])
def test_a_process_dies_with_the_one_it_serves(whose, how):
    served = subprocess.Popen([sys.executable, "-c", SERVED, whose, how],
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(served.stdout.readline())
        assert running(child)
        time.sleep(0.3)
        assert running(child), "it must live while the process it serves does"
        served.send_signal(signal.SIGKILL)
        served.wait()
        end = time.monotonic() + 10
        while running(child) and time.monotonic() < end:
            time.sleep(0.02)
        assert not running(child)
    finally:
        if served.poll() is None:
            served.kill()
            served.wait()


def test_a_process_whose_served_process_is_already_gone_ends_at_once():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from aijobs.reports.lifetime import die_with; "
                               f"die_with({gone.pid}); print('survived')"],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "survived" not in proc.stdout
