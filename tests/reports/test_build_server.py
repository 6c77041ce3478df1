"""The build server (aijobs serve): commands handed to it give the same pages and messages as
commands run on their own, and a server whose code is out of date never builds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, built_page, start_build_server

pytestmark = pytest.mark.slow
AIJOBS = [sys.executable, "-m", "aijobs.cli"]


def _run(args: list[str], sock: Path | str, cwd: Path, env: dict):
    return subprocess.run([*AIJOBS, *args], capture_output=True, text=True, cwd=cwd,
                          env={**env, "AIJOBS_BUILD_SERVER": str(sock)}, timeout=300)


def _stop(server: subprocess.Popen) -> str:
    server.send_signal(signal.SIGTERM)
    rest, _ = server.communicate(timeout=60)
    return rest


def test_commands_handed_to_the_server_give_the_same_pages_and_messages(tmp_path):
    sock = tmp_path / "build.sock"
    server = start_build_server(sock, ROOT, dict(os.environ))
    try:
        args = ["build", "growth_rates", "-p", "horizon_years", "3"]
        served = _run([*args, "--output-dir", str(tmp_path / "served")], sock, ROOT,
                      dict(os.environ))
        assert served.returncode == 0, served.stderr
        assert "1/1 built      growth_rates--" in served.stdout  # a variant
        assert "growth_rates -p horizon_years 3" in server.stdout.readline()  # the server ran it
        alone = _run([*args, "--output-dir", str(tmp_path / "alone")], "off", ROOT,
                     dict(os.environ))
        assert alone.returncode == 0, alone.stderr
        for name in ("growth_rates", "variants/index"):
            assert built_page(tmp_path / "served", name).read_bytes() == \
                built_page(tmp_path / "alone", name).read_bytes()
        # bad input: the same one line and exit status as without the server
        bad = _run(["build", "growth_rates", "-p", "horizon_years", "0", "--output-dir",
                    str(tmp_path / "served")], sock, ROOT, dict(os.environ))
        assert bad.returncode == 2
        assert bad.stderr.strip().splitlines() == [
            "error: parameter horizon_years: got 0; expected a value from 1 to 30"]
        assert "exit 2" in server.stdout.readline()
        # a relative output folder is the caller's, not the server's
        relative = _run(["build", "growth_rates", "--output-dir", "rel"], sock, tmp_path,
                        dict(os.environ))
        assert relative.returncode == 0, relative.stderr
        assert (tmp_path / "rel" / "growth_rates.html").exists()
    finally:
        rest = _stop(server)
    assert server.returncode == 0, rest
    assert not sock.exists()


def test_a_server_with_out_of_date_code_never_builds_and_restarts(project_copy, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(project_copy / "src")}
    sock = tmp_path / "build.sock"
    server = start_build_server(sock, project_copy, env)
    try:
        figures_py = project_copy / "src" / "aijobs" / "charts" / "article_figures.py"
        figures_py.write_text(figures_py.read_text().replace(
            "Demand index (year 0 = 1", "Demand index, edited (year 0 = 1"))
        result = _run(["build", "growth_rates", "--output-dir", str(tmp_path / "out")], sock,
                      project_copy, env)
        assert result.returncode == 0, result.stderr
        assert "restarting the build server" in server.stdout.readline()
        page = (tmp_path / "out" / "growth_rates.html").read_text()
        assert "Demand index, edited" in page  # built by the new code, on its own
        assert "listening at" in server.stdout.readline()  # and the server is back
        again = _run(["build", "growth_rates", "--force", "--output-dir", str(tmp_path / "out")],
                     sock, project_copy, env)
        assert again.returncode == 0, again.stderr
        assert "growth_rates --force" in server.stdout.readline()
        assert "Demand index, edited" in (tmp_path / "out" / "growth_rates.html").read_text()
    finally:
        _stop(server)
