"""The build server (aijobs serve): commands handed to it give the same pages and messages as
commands run on their own, one server serves on past a second `serve` and a client's Ctrl-C,
and each caller's environment reaches its kernels; all shown on one server, the session's own
(conftest.tests_build_server), which SIGTERM stops at the end of the run, every process below
it ending too (checked there). That a server whose code is out of date never builds, and
restarts with the new code, is shown in test_build_engine.py's test_rebuilds_only_what_changed
(the same project copy and server)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, built_page

pytestmark = pytest.mark.slow
AIJOBS = [sys.executable, "-m", "aijobs.cli"]


def _run(args: list[str], sock: Path | str, cwd: Path, env: dict):
    return subprocess.run([*AIJOBS, *args], capture_output=True, text=True, cwd=cwd,
                          env={**env, "AIJOBS_BUILD_SERVER": str(sock)}, timeout=300)


def test_one_server_serves_as_lone_builds_do(session_build_server, tmp_path, request):
    """One build server, the session's (conftest.tests_build_server), four proofs in turn
    (each a function below): commands handed to it give the same pages and messages as lone
    ones; a second `aijobs serve` leaves it serving; each caller's environment reaches its
    workers and kernels; a client's Ctrl-C stops its build only. That SIGTERM then stops it,
    and every process below it ends, is checked when the session stops it."""
    server = session_build_server
    sock = Path(os.environ["AIJOBS_BUILD_SERVER"])
    _commands_give_the_same_pages_and_messages(server, sock, tmp_path / "same")
    _a_second_serve_leaves_the_first_serving(server, sock, tmp_path / "second")
    _each_caller_gets_its_own_environment(server, sock, tmp_path / "callers", request)
    _a_clients_ctrl_c_stops_its_build_only(server, sock, tmp_path / "ctrl-c")


def _commands_give_the_same_pages_and_messages(server, sock: Path, folder: Path) -> None:
    folder.mkdir()
    args = ["build", "growth_rates", "-p", "horizon_years", "3"]
    served = _run([*args, "--output-dir", str(folder / "served")], sock, ROOT, dict(os.environ))
    assert served.returncode == 0, served.stderr
    assert "1/1 built      growth_rates--" in served.stdout  # a variant
    assert "growth_rates -p horizon_years 3" in server.output.readline()  # the server ran it
    alone = _run([*args, "--output-dir", str(folder / "alone")], "off", ROOT, dict(os.environ))
    assert alone.returncode == 0, alone.stderr
    for name in ("growth_rates", "variants/index"):
        assert built_page(folder / "served", name).read_bytes() == \
            built_page(folder / "alone", name).read_bytes()
    # bad input: the same one line and exit status as without the server
    bad = _run(["build", "growth_rates", "-p", "horizon_years", "0", "--output-dir",
                str(folder / "served")], sock, ROOT, dict(os.environ))
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: parameter horizon_years: got 0; expected a value from 1 to 30"]
    assert "exit 2" in server.output.readline()
    # a relative output folder is the caller's, not the server's
    relative = _run(["build", "growth_rates", "--output-dir", "rel"], sock, folder,
                    dict(os.environ))
    assert relative.returncode == 0, relative.stderr
    assert (folder / "rel" / "growth_rates.html").exists()
    assert "--output-dir rel: exit 0" in server.output.readline()


def _a_second_serve_leaves_the_first_serving(server, sock: Path, folder: Path) -> None:
    second = subprocess.run([*AIJOBS, "serve"], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "AIJOBS_BUILD_SERVER": str(sock)},
                            timeout=120)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"error: a build server already serves this suite ({sock}); it goes on serving"]
    assert server.poll() is None and sock.exists()
    served = _run(["build", "growth_rates", "--output-dir", str(folder / "out")], sock,
                  ROOT, dict(os.environ))
    assert served.returncode == 0, served.stderr
    assert "growth_rates --output-dir" in server.output.readline()  # the first served it


def _a_clients_ctrl_c_stops_its_build_only(server, sock: Path, folder: Path) -> None:
    out = folder / "out"
    # Ctrl-C as a terminal delivers it: the client starts with SIGINT's default action, as in
    # a shell, even when the test run inherited SIGINT ignored (a run started in the background
    # by a non-interactive shell has it ignored, and Python then never raises
    # KeyboardInterrupt: the client built every report and exited 0)
    client = subprocess.Popen([*AIJOBS, "build", "--force", "-j", "2", "--output-dir",
                               str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "AIJOBS_BUILD_SERVER": str(sock)},
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = client.stdout.readline()  # the first report is done: the build is under way
    assert first.startswith("1/"), first + client.stderr.read()
    client.send_signal(signal.SIGINT)
    _, err = client.communicate(timeout=60)
    assert client.returncode == 130
    assert "the build server stops this build (and serves on)" in err
    line = server.output.readline()
    assert "exit 130 (the client went: stopped)" in line, line
    assert server.poll() is None  # the server serves on
    pages = len(list(out.glob("*.html")))
    assert pages < 12  # stopped: not every report was built
    again = _run(["build", "growth_rates", "--output-dir", str(folder / "again")], sock,
                 ROOT, dict(os.environ))
    assert again.returncode == 0, again.stderr
    assert "1/1 built      growth_rates" in again.stdout
    assert "exit 0" in server.output.readline()
    assert len(list(out.glob("*.html"))) == pages  # the stopped build wrote nothing since


PROBE = {
    "cells": [
        {"id": "parameters", "cell_type": "code", "metadata": {"tags": ["parameters"]},
         "execution_count": None,
         "outputs": [], "source": "label = \"a\"  # which probe /[a-z]+/\n"},
        {"id": "probe", "cell_type": "code", "metadata": {}, "execution_count": None,
         "outputs": [], "source": "import os, tempfile\nfrom pathlib import Path\n"
                   "Path(os.environ['PROBE_OUT'], label + '.txt').write_text(\n"
                   "    tempfile.gettempdir() + '\\n' + os.environ['CALLER'])\n"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _each_caller_gets_its_own_environment(server, sock: Path, folder: Path, request) -> None:
    """Two callers with different TMPDIRs, one after the other: each report's kernel (started
    by a worker of the fork server an earlier command started) sees its own caller's TMPDIR
    and variables. The probe notebook lies outside notebooks/ (the config names it by its
    full path), so the checkout is left as it is."""
    import json

    folder.mkdir()
    probe = folder / "probe.ipynb"
    probe.write_text(json.dumps(PROBE))
    config = folder / "probe.yaml"
    config.write_text("reports:\n" + "".join(
        f"  - name: probe_{x}\n    notebook: {probe}\n    title: Probe {x}\n"
        f"    summary: probe\n    parameters: {{label: {x}}}\n" for x in "abc"))
    for caller in ("first", "second"):
        # short: the kernels' sockets go in it (pytest's folders under xdist are long)
        tmp = Path(tempfile.mkdtemp(prefix=f"aj-{caller}-", dir="/tmp"))
        request.addfinalizer(lambda tmp=tmp: shutil.rmtree(tmp, ignore_errors=True))
        probes = folder / f"probes-{caller}"
        probes.mkdir()
        result = _run(["build", "--force", "-j", "2", "--config", str(config),
                       "--output-dir", str(folder / f"out-{caller}")], sock, ROOT,
                      {**os.environ, "TMPDIR": str(tmp), "CALLER": caller,
                       "PROBE_OUT": str(probes)})
        assert result.returncode == 0, result.stderr
        assert "exit 0" in server.output.readline()  # served
        for x in "abc":
            assert (probes / f"{x}.txt").read_text() == f"{tmp}\n{caller}"
