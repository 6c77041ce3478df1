"""Warm rebuilds by default: a build that finds no build server starts one in the background,
says so in one line (with how to stop it), and the next build is handed to it. Not under CI,
not for a dry run, not with AIJOBS_BUILD_SERVER=off."""

from __future__ import annotations

import os
import re
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
    sock = tmp_path / "build.sock"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["AIJOBS_BUILD_SERVER"] = str(sock)
    out = tmp_path / "out"
    first = _build(env, "growth_rates", "--output-dir", str(out))
    found = re.search(r"^aijobs: started a build server \(pid (\d+)\).*`kill \1`.*$",
                      first.stderr, re.M)
    assert first.returncode == 0, first.stderr
    assert found, first.stderr
    pid = int(found.group(1))
    try:
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
        if running(pid):
            os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 60
        while running(pid) and time.monotonic() < end:
            time.sleep(0.1)
    assert not running(pid)
    assert not sock.exists(), "a stopped server removes its socket"


@pytest.mark.parametrize("how", ["off", "ci", "dry-run"])
def test_no_server_is_started_when_off_under_ci_or_for_a_dry_run(tmp_path, how):
    sock = tmp_path / "build.sock"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["AIJOBS_BUILD_SERVER"] = "off" if how == "off" else str(sock)
    if how == "ci":
        env["CI"] = "true"
    args = ["growth_rates", "--output-dir", str(tmp_path / "out")]
    if how == "dry-run":
        args.append("--dry-run")
    proc = _build(env, *args)
    assert proc.returncode == 0, proc.stderr
    assert "build server" not in proc.stderr
    assert not sock.exists() and not Path(f"{sock}.log").exists()
