"""The build's processes: a page is whole whenever the build is killed, two builds take turns
on one output folder, and workers and kernels die with a killed build and publish nothing.

Each command tested runs on its own (no build server): its processes are what is tested. A
set-up build that is not under test is handed to the session's build server (tests_build_server,
conftest.py), which gives the same pages in a fraction of the CPU.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT, built_page, descendants

from aijobs.reports import scratch as scratch_names
from aijobs.reports.build import LOCK_NAME
from aijobs.reports.cache import MANIFEST_NAME

AIJOBS = [sys.executable, "-m", "aijobs.cli"]
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def each_command_on_its_own(monkeypatch):
    """No build server, and the build's own warm-kernel server: in a run with notebooks the
    test session names its own (for nbval's kernels, conftest.py) in the environment, and a
    build given one uses it; these tests are then the same alone and in a full run."""
    monkeypatch.setenv("AIJOBS_BUILD_SERVER", "off")
    monkeypatch.delenv("AIJOBS_WARM_KERNELS", raising=False)


def statuses(output: str) -> dict[str, str]:
    """{report: status} from the build's progress lines ("1/2 built  name  1.2 s")."""
    lines = re.finditer(r"^\d+/\d+ (built|up to date|FAILED) +(\S+)", output, re.M)
    return {m.group(2): m.group(1) for m in lines}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}


def test_sigkill_at_any_moment_leaves_every_page_whole(built_reports, tmp_path):
    """A whole build killed at two moments of its start-up, then a build paused
    (files.PAUSE_VAR) right after writing a page's temporary file and before renaming it over
    the old page, and killed there: every page is untouched, the build record stays readable,
    and the next build clears the temporary files and leaves every page as a full build
    makes it."""
    from aijobs.files import PAUSE_VAR

    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)
    before = _snapshot(out)
    for delay in (0.5, 3.0):
        proc = subprocess.Popen([*AIJOBS, "build", "--force", "--output-dir", str(out)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # Builds are deterministic, so every page is either untouched or its identical rebuild.
        assert _snapshot(out) == before, f"a page changed after SIGKILL at {delay} s"
        manifest = out / MANIFEST_NAME
        if manifest.exists():
            json.loads(manifest.read_text())

    page = out / "growth_rates.html"
    page.write_text("the earlier page\n")  # a rebuild would write other bytes
    marker = tmp_path / "paused"
    proc = subprocess.Popen([*AIJOBS, "build", "growth_rates", "--force", "--output-dir",
                             str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, PAUSE_VAR: str(marker)})
    try:
        end = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.05)
        assert marker.exists(), "the build never reached the rename"
        temporary = Path(marker.read_text())
        assert temporary.parent == out and temporary.name.startswith(".growth_rates.html.")
        assert b"<html" in temporary.read_bytes(), "the new page is written, not yet renamed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert page.read_text() == "the earlier page\n"
    assert temporary.exists(), "killed inside the window: the temporary file is left"
    json.loads((out / MANIFEST_NAME).read_text())

    final = subprocess.run([*AIJOBS, "build", "--output-dir", str(out)], capture_output=True,
                           text=True, cwd=ROOT, timeout=300)
    assert final.returncode == 0, final.stderr
    assert not list(out.glob(".*.tmp")), "temporary files of killed builds are cleared"
    # the page the build record no longer matches is built again; the rest are up to date
    assert statuses(final.stdout)["growth_rates"] == "built"
    assert _snapshot(out) == before


def test_two_builds_at_once_take_turns(built_reports, tmp_path):
    """A build that finds the output folder locked says so and waits; it writes only once the
    holder lets go. The test holds the lock itself, so the order is certain, not timed.

    The waiting build also runs with a long temporary folder: a Unix socket path holds at most
    107 bytes; with a long TMPDIR (as macOS has) the kernels' and the warm-kernel server's
    sockets go to /tmp, or the kernel talks TCP, and the build goes on."""
    long = tmp_path / ("t" * 60) / ("u" * 60)
    long.mkdir(parents=True)
    out = tmp_path / "reports"
    out.mkdir()
    args = [*AIJOBS, "build", "--force", "-j", "1", "--output-dir", str(out),
            "growth_rates", "compensation_bands"]
    with open(out / LOCK_NAME, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiting = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1",
                                        "TMPDIR": str(long)})
        first_line = waiting.stdout.readline()  # blocks until the build has found the lock
        assert "another build is writing to" in first_line
        assert "waiting for it to finish" in first_line
        assert not list(out.glob("*.html")), "nothing is written while the lock is held"
        fcntl.flock(lock, fcntl.LOCK_UN)
    rest, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert statuses(rest) == {"growth_rates": "built", "compensation_bands": "built"}
    for name in ("growth_rates.html", "compensation_bands.html"):
        assert (out / name).read_bytes() == (built_reports / name).read_bytes()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_a_killed_build_and_publish_nothing(built_reports, tmp_path, sig,
                                                              request, tests_build_server):
    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)
    # the variant the killed build would rebuild: set up by the session's build server (its
    # pages are a lone build's, test_build_server.py); the commands tested below run alone
    set_up = subprocess.run([*AIJOBS, "build", "--output-dir", str(out), "compensation_bands",
                             "-p", "region_multiplier", "0.6"], capture_output=True, text=True,
                            cwd=ROOT, timeout=300, env={
                                **os.environ, "AIJOBS_BUILD_SERVER": tests_build_server})
    assert set_up.returncode == 0, set_up.stderr
    # the killed build's temporary folder: short, so its kernels' sockets fit in it
    scratch = Path(tempfile.mkdtemp(prefix="aijobs-t-", dir="/tmp" if Path("/tmp").is_dir()
                                    else None))
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    proc = subprocess.Popen([*AIJOBS, "build", "--force", "-j", "2", "--output-dir", str(out),
                             "compensation_bands", "overview"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 4:  # two workers, two kernels
        workers = descendants(proc.pid)
        time.sleep(0.05)
    # under load the workers can be counted before the warm-kernel server has made its folder
    warm_seen = any(p.name.startswith(f"aijobs-warm-{proc.pid}-") for p in scratch.iterdir())
    assert len(workers) >= 2, "the build started no workers"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.html")}
    manifest_before = (out / MANIFEST_NAME).read_bytes()
    proc.send_signal(sig)  # the main process alone, not its group
    _, err = proc.communicate(timeout=60)
    workers |= descendants(proc.pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)], "a worker or kernel outlived the build"
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.html")}
    assert after == before, "a page was written after the build was killed"
    assert (out / MANIFEST_NAME).read_bytes() == manifest_before
    if sig == signal.SIGTERM:  # ended as by Ctrl-C: its temporary files are gone too
        assert proc.returncode == 143
        assert err.strip().splitlines()[-1] == "terminated; earlier results are unchanged"
        assert sorted(p.name for p in scratch.iterdir()) == []
    else:  # SIGKILL: no process could clean up; the names say whose files they are
        left = {p.name for p in scratch.iterdir() if p.name.startswith("aijobs-")}
        assert left, "a SIGKILLed build leaves its files for the next build to remove"
        if warm_seen:
            assert f"aijobs-warm-{proc.pid}-" in " ".join(left), left
        # a worker forked just before the kill may still be ending (its watch thread sees the
        # build gone within 0.2 s); the next build leaves the files of a live process alone
        owners = {int(m.group(2)) for name in left if (m := scratch_names.STALE_RE.match(name))}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(map(scratch_names.running, owners)):
            time.sleep(0.1)
    again = subprocess.run([*AIJOBS, "build", "--output-dir", str(out), "compensation_bands",
                            "-p", "region_multiplier", "0.6"], capture_output=True, text=True,
                           cwd=ROOT, timeout=300, env={**os.environ, "TMPDIR": str(scratch)})
    assert again.returncode == 0, again.stderr
    # the next build removed what the killed one left (multiprocessing's own pymp-* folder,
    # if any, is not ours to judge)
    assert [p.name for p in scratch.iterdir() if not p.name.startswith("pymp-")] == []
    assert list(statuses(again.stdout).values()) == ["up to date"]  # the variant
    page = built_page(out, "compensation_bands").read_text()
    assert re.search(r"Regional pay factor: x0\.6 <span class=\"changed\">", page), \
        "the page that says up to date was built with the parameter asked for"
