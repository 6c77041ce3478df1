"""Sweeps on dask never wait silently: a scheduler that accepts the connection and never
answers, or one with no workers, ends the sweep in one line once --timeout has passed, and the
wait for workers is said as it happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
AIJOBS = [sys.executable, "-m", "aijobs.cli"]


def _sweep(address: str, out, timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run([*AIJOBS, "sweep", "growth_rates", "-g", "horizon_years", "2,3",
                             "--executor", "dask", "--scheduler", address, "--timeout",
                             str(timeout), "--output-dir", str(out)], capture_output=True,
                            text=True, cwd=ROOT, timeout=120,
                            env={**os.environ, "AIJOBS_BUILD_SERVER": "off"})
    return result, time.monotonic() - start


def test_a_scheduler_that_never_answers_ends_the_sweep_in_one_line(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held = []
    stop = threading.Event()

    def accept() -> None:  # accept every connection, say nothing
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
    try:
        result, seconds = _sweep(address, tmp_path / "out", 1)  # waited for: 1 s + 1 s
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        silent.close()
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --scheduler {address}: ")
    assert "Traceback" not in result.stderr
    assert held, "the sweep never connected"
    assert seconds < 40  # 1 s asked, plus the start of Python and dask; never minutes
    assert not (tmp_path / "out" / "sweeps" / "growth_rates" / "index.html").exists()


def test_a_scheduler_without_workers_is_waited_for_aloud_then_refused(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, protocol="tcp://",
                      dashboard_address=":0") as cluster:
        result, seconds = _sweep(cluster.scheduler_address, tmp_path / "out", 6)
    assert result.returncode == 2, result
    waits = [line for line in result.stdout.splitlines() if line.startswith("waiting for")]
    assert waits[0] == (f"waiting for workers (0 s of 6 s): the dask scheduler at "
                        f"{cluster.scheduler_address} has none")
    assert waits[1].startswith("waiting for workers (5 s of 6 s)")
    assert result.stderr.strip().splitlines() == [
        f"error: --scheduler {cluster.scheduler_address}: no dask worker joined within 6 s; "
        f"start one with `dask worker {cluster.scheduler_address}`, or give it longer with "
        "--timeout SECONDS"]
    assert seconds < 60
