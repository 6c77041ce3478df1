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


@pytest.fixture(autouse=True)
def _asyncio_logging_restored():
    """A worker's SIGTERM handler (build._stop_worker) silences asyncio's logger for the rest of
    the process; the tests here call it in the test process, so each gets it back after."""
    import logging

    logger = logging.getLogger("asyncio")
    level = logger.level
    yield
    logger.setLevel(level)


def test_a_process_whose_served_process_is_already_gone_ends_at_once():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from aijobs.reports.lifetime import die_with; "
                               f"die_with({gone.pid}); print('survived')"],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "survived" not in proc.stdout


def test_an_interruption_while_workers_start_waits_until_they_are_known():
    """A build holds Ctrl-C and SIGTERM while its pool starts workers (a worker interrupted
    half-started was unknown to the pool, outlived the build and printed a traceback after its
    last line); the signal is then handled as it would have been, once."""
    from aijobs.reports.build import _interruptions_held

    class Stopped(BaseException):
        pass

    seen: list[str] = []

    def handler(*_):
        seen.append("handled")
        raise Stopped

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with pytest.raises(Stopped):
            with _interruptions_held():
                signal.raise_signal(signal.SIGTERM)
                signal.raise_signal(signal.SIGTERM)
                seen.append("went on")
        assert seen == ["went on", "handled"]
        assert signal.getsignal(signal.SIGTERM) is handler  # put back
        with _interruptions_held():  # nothing held: nothing raised
            seen.append("quiet")
        assert seen[-1] == "quiet"
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_stopped_worker_leaves_its_report_and_starts_no_other(monkeypatch):
    """A worker's SIGTERM (from the build it serves) ends the report it runs through the
    report's clean-up; once the build has set its stop event, a report handed to the worker
    is not started."""
    import multiprocessing

    from aijobs.reports import build
    from aijobs.reports.config import load_report_specs

    spec = load_report_specs()[0]
    stop = multiprocessing.get_context("spawn").Event()
    monkeypatch.setattr(build, "_worker_stop", stop)
    cleaned = []

    def report_stopped_halfway(*_, **__):
        try:
            stop.set()  # as the build does before it sends SIGTERM
            signal.raise_signal(signal.SIGTERM)
            pytest.fail("the report went on")
        finally:
            cleaned.append(True)

    previous = signal.signal(signal.SIGTERM, build._stop_worker)
    try:
        monkeypatch.setattr(build, "run_report", report_stopped_halfway)
        result = build._run_report_star((spec, None, build.DEFAULT_OPTIONS, None))
        assert cleaned == [True]
        assert (result.name, result.status, result.error) == (spec.name, "failed",
                                                                f"{spec.name}: stopped.")
        signal.raise_signal(signal.SIGTERM)  # idle: nothing to leave, nothing raised
        monkeypatch.setattr(build, "run_report", lambda *a, **k: pytest.fail("a report ran"))
        assert build._run_report_star((spec, None, build.DEFAULT_OPTIONS, None)).status == \
            "failed"
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_worker_stopped_while_its_kernel_starts_ends_that_kernel_and_starts_no_other(
        monkeypatch):
    """The build's SIGTERM can reach a worker while its kernel is starting. Interrupted there, a
    kernel ran on unknown to anyone: the worker's clean-up removed its connection file, so it
    made its own on TCP and, after the build's last line, printed ipykernel's warning about
    unencrypted TCP into the build's stderr. Now the start completes, the kernel is ended and
    waited for, the report is stopped, and no later start launches anything."""
    import asyncio
    import multiprocessing

    from aijobs.reports import build, provisioner
    from aijobs.reports.config import load_report_specs

    monkeypatch.setattr(provisioner, "_refused", False)
    monkeypatch.setattr(provisioner, "_started", [])
    monkeypatch.setattr(build, "_worker_kernels", provisioner)
    monkeypatch.setattr(build, "_worker_stop", multiprocessing.get_context("spawn").Event())
    monkeypatch.delenv("AIJOBS_WARM_KERNELS", raising=False)  # a cold start: a real process
    kernel = [sys.executable, "-c", "import time; time.sleep(120)"]
    started: list = []

    class StoppedWhileStarting(provisioner.WarmKernelProvisioner):
        async def _launch(self, cmd, kwargs):
            info = await super()._launch(cmd, kwargs)
            started.append(self.process)
            signal.raise_signal(signal.SIGTERM)  # the build's stop, mid-start
            return info

    def report(*_, **__):
        asyncio.run(StoppedWhileStarting(kernel_id="k").launch_kernel(kernel, env={}))
        pytest.fail("the report went on")

    spec = load_report_specs()[0]
    previous = signal.signal(signal.SIGTERM, build._stop_worker)
    try:
        monkeypatch.setattr(build, "run_report", report)
        result = build._run_report_star((spec, None, build.DEFAULT_OPTIONS, None))
        assert (result.status, result.error) == ("failed", f"{spec.name}: stopped.")
        assert len(started) == 1 and started[0].returncode == -signal.SIGKILL  # ended, reaped
        assert not running(started[0].pid)
        with pytest.raises(provisioner.LaunchRefused):  # nothing starts any more
            asyncio.run(StoppedWhileStarting(kernel_id="k2").launch_kernel(kernel, env={}))
        assert len(started) == 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_stopped_worker_prints_nothing_of_its_torn_down_event_loop(monkeypatch, caplog):
    """A report stopped halfway tears its event loop down under a poll still pending: asyncio
    logged "Exception in callback ... Kernel died while waiting for execute reply" with a
    traceback, into the stderr of the build or of the build server that ran it (seen in a
    fresh-clone CI run). After the stop, the worker's asyncio logs nothing."""
    import asyncio
    import logging

    from aijobs.reports import build

    monkeypatch.setattr(build, "_worker_busy", False)  # idle: the handler raises nothing
    monkeypatch.setattr(build, "_worker_kernels", None)
    monkeypatch.setattr(logging.getLogger("asyncio"), "level", logging.NOTSET)

    def a_callback_that_fails() -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.call_soon(lambda: 1 / 0)
            loop.run_until_complete(asyncio.sleep(0.01))
        finally:
            loop.close()

    a_callback_that_fails()
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"][0].startswith(
        "Exception in callback")  # what a running worker's asyncio does
    caplog.clear()
    build._stop_worker()
    a_callback_that_fails()
    assert [r for r in caplog.records if r.name == "asyncio"] == []


def test_the_workers_fork_server_ends_without_the_interpreter_s_clean_up():
    """The report workers' fork server imports aijobs.reports.fork_server last: when its build
    ends, it ends at once (the tear-down of papermill, nbconvert and IPython it would do took
    0.14 s of CPU, while it still held the build's standard output and error), with what it
    printed flushed and status 0; handlers registered before it are skipped."""
    ended = subprocess.run(
        [sys.executable, "-c", "import atexit, sys; atexit.register(print, 'cleaned up'); "
         "import aijobs.reports.fork_server; print('served', end=''); sys.exit(0)"],
        capture_output=True, text=True, timeout=60)
    assert (ended.returncode, ended.stdout, ended.stderr) == (0, "served", "")
