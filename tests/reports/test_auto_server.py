"""Warm rebuilds by default: a build that finds no build server starts one in the background,
says so in one line (with how to stop it), and the next build is handed to it. Not under CI,
not for a dry run, not with AIJOBS_BUILD_SERVER=off."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from aijobs.reports.scratch import running

pytestmark = pytest.mark.slow


def _build(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aijobs.cli", "build", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def test_a_build_starts_a_server_that_takes_the_next_build(tmp_path):
    """Two builds started at the same instant: one starts the server (and runs on its own
    meanwhile), the other waits for that server and hands itself to it; one server runs."""
    sock = tmp_path / "build.sock"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["AIJOBS_BUILD_SERVER"] = str(sock)
    out = tmp_path / "out"
    both = [subprocess.Popen([sys.executable, "-m", "aijobs.cli", "build", "growth_rates",
                              "--output-dir", str(tmp_path / name)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("out", "other")]
    done = [proc.communicate(timeout=600) for proc in both]
    assert [proc.returncode for proc in both] == [0, 0], done
    said = [re.search(r"^aijobs: started a build server \(pid (\d+)\).*`kill \1`.*$", err,
                      re.M) for _, err in done]
    pids = [int(found.group(1)) for found in said if found]
    loser = "other" if said[0] else "out"
    try:
        assert len(pids) == 1, [err for _, err in done]
        served = Path(f"{sock}.log").read_text()
        assert served.count("listening at") == 1 and "already serves" not in served, served
        assert re.search(rf"build growth_rates --output-dir \S+/{loser}: exit 0", served), served
        for name in ("out", "other"):
            assert (tmp_path / name / "growth_rates.html").exists()
        end = time.monotonic() + 120
        while not sock.exists() and time.monotonic() < end:
            time.sleep(0.1)
        assert sock.exists(), Path(f"{sock}.log").read_text()
        second = _build(env, "growth_rates", "--force", "--output-dir", str(out))
        assert second.returncode == 0, second.stderr
        assert "started a build server" not in second.stderr  # one runs: no second one
        served = Path(f"{sock}.log").read_text()
        assert re.search(r"build growth_rates --force --output-dir \S+: exit 0", served), served
    finally:
        for pid in pids:
            if running(pid):
                os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 60
        while any(map(running, pids)) and time.monotonic() < end:
            time.sleep(0.1)
    assert not any(map(running, pids))
    assert not sock.exists(), "a stopped server removes its socket"


@pytest.mark.parametrize("how", ["off", "ci", "dry-run"])
def test_no_server_is_started_when_off_under_ci_or_for_a_dry_run(built_reports, tmp_path, how):
    """The build decides whether to start a server before it looks at what is up to date; it
    builds into a copy of the built reports, so it runs no kernel (CPU the proof does not
    need)."""
    sock = tmp_path / "build.sock"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["AIJOBS_BUILD_SERVER"] = "off" if how == "off" else str(sock)
    if how == "ci":
        env["CI"] = "true"
    shutil.copytree(built_reports, tmp_path / "out")
    args = ["growth_rates", "--output-dir", str(tmp_path / "out")]
    if how == "dry-run":
        args.append("--dry-run")
    proc = _build(env, *args)
    assert proc.returncode == 0, proc.stderr
    assert "1 up to date" in proc.stdout  # no kernel ran
    assert "build server" not in proc.stderr
    assert not sock.exists() and not Path(f"{sock}.log").exists()
