"""Only its owner reaches the build server: the client checks the socket's folder and the
socket itself before it sends anything (the command line and the whole environment), and
refuses in one line. No build runs here: the client refuses before one could start."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import ROOT

from aijobs.reports import build_server

AIJOBS = [sys.executable, "-m", "aijobs.cli"]
NOBODY = 65534


@pytest.fixture
def short(tmp_path):
    """A folder with a short path (a Unix socket's path is limited to 107 bytes, which
    pytest's folders under xdist can pass); `out` for output folders stays in tmp_path."""
    folder = Path(tempfile.mkdtemp(prefix="aj-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Planted:
    """A listening socket at `path` that records every byte it is sent."""

    def __init__(self, path: Path):
        self.received = bytearray()
        self.connections = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(4)
        self.listener.settimeout(0.2)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.settimeout(2)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
                    # answer as the impostor did: "accepted", then success
                    conn.sendall(b'{"accepted": true}\n{"out": "12 built"}\n{"exit": 0}\n')
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self.done.set()
        self.thread.join()
        self.listener.close()


def _client(env: dict, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*AIJOBS, "build", "growth_rates", "--output-dir", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**env, "SECRET_TOKEN": "s3cret"})


def _default_env(runtime: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "AIJOBS_BUILD_SERVER"}
    return {**env, "XDG_RUNTIME_DIR": str(runtime)}


@pytest.mark.skipif(os.getuid() != 0, reason="making a socket another user owns needs root")
def test_a_socket_planted_by_another_user_is_refused_and_sent_nothing(short, tmp_path):
    runtime = short / "run"
    runtime.mkdir(mode=0o700)
    env = _default_env(runtime)
    expected = subprocess.run(
        [sys.executable, "-c", "from aijobs.reports import build_server as b; "
                               "print(b.socket_path())"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout.strip()
    sock = Path(expected)
    assert sock.parent == runtime / "aijobs"
    sock.parent.mkdir(mode=0o700)
    planted = Planted(sock)
    os.chown(sock, NOBODY, NOBODY)
    try:
        result = _client(env, tmp_path / "out")
    finally:
        planted.close()
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"socket {sock} belongs to uid {NOBODY}" in lines[0]
    assert "nothing was sent" in lines[0] and "Traceback" not in result.stderr
    assert planted.connections == 0 and planted.received == b""
    assert not (tmp_path / "out").exists()


def test_a_socket_in_a_folder_others_can_write_is_refused(short, tmp_path):
    shared = short / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # as /tmp/aijobs-<uid> made by someone else would be
    sock = shared / "build.sock"
    planted = Planted(sock)
    try:
        result = _client({**os.environ, "AIJOBS_BUILD_SERVER": str(sock)}, tmp_path / "out")
    finally:
        planted.close()
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1
    assert f"folder {shared} can be written by others (mode 777" in result.stderr
    assert planted.connections == 0 and planted.received == b""


def test_a_socket_others_can_write_is_refused(short, tmp_path):
    folder = short / "own"
    folder.mkdir(mode=0o700)
    sock = folder / "build.sock"
    planted = Planted(sock)
    sock.chmod(0o666)
    try:
        result = _client({**os.environ, "AIJOBS_BUILD_SERVER": str(sock)}, tmp_path / "out")
    finally:
        planted.close()
    assert result.returncode == 2, result
    assert f"socket {sock} can be written by others (mode 666" in result.stderr
    assert planted.connections == 0


def test_the_default_folder_is_the_users_own(tmp_path, monkeypatch):
    monkeypatch.delenv("AIJOBS_BUILD_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert Path(build_server.socket_path()).parent == tmp_path / "aijobs"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # not the caller's TMPDIR: every shell's
    assert Path(build_server.socket_path()).parent == Path(f"/tmp/aijobs-{os.getuid()}")


def test_the_client_makes_the_default_folder_private(tmp_path, monkeypatch):
    monkeypatch.delenv("AIJOBS_BUILD_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert build_server.forward(["build"]) is None  # no server there: the build runs itself
    assert stat.S_IMODE((tmp_path / "aijobs").stat().st_mode) == 0o700


def test_peer_uid_is_the_other_ends(tmp_path):
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert build_server.peer_uid(left) == os.getuid()
