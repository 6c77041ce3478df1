"""Warm kernels (aijobs.reports.zygote): each report gets a fresh kernel forked from a parent
that has already imported what the notebooks import. Proven here: the kernels are warm,
nothing a report leaves behind reaches the next one in the same worker, and a report that
kills its own process fails alone."""

from __future__ import annotations

import html
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aijobs.reports import build, zygote
from aijobs.reports.config import ReportSpec

pytestmark = pytest.mark.slow


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell("label = 'x'  # a label, unused")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return path


LEAVES_STATE = (
    "import builtins, os\n"
    "import aijobs.formatting as formatting\n"
    "import pandas as pd\n"
    "formatting.LEFT_BY_A_REPORT = 1  # a module mutated\n"
    "builtins.LEFT_BY_A_REPORT = 1\n"
    "pd.set_option('display.max_rows', 3)  # library state\n"
    "os.environ['LEFT_BY_A_REPORT'] = '1'\n"
    "LEFT_BY_A_REPORT = 1  # a global"
)
# Prints one JSON line: whether pandas was imported before this notebook imported it (a warm
# kernel), and whether anything the other report left is visible.
CHECKS_STATE = (
    "import builtins, json, os, sys\n"
    "warm = 'pandas' in sys.modules\n"
    "import aijobs.formatting as formatting\n"
    "import pandas as pd\n"
    "print(json.dumps({'warm': warm, 'kernel_pid': os.getpid(), 'group': os.getpgid(0),\n"
    "    'module': hasattr(formatting, 'LEFT_BY_A_REPORT'),\n"
    "    'builtins': hasattr(builtins, 'LEFT_BY_A_REPORT'),\n"
    "    'option': pd.get_option('display.max_rows'),\n"
    "    'environ': 'LEFT_BY_A_REPORT' in os.environ,\n"
    "    'global': 'LEFT_BY_A_REPORT' in globals()}))"
)


def _printed(page: str) -> dict:
    text = html.unescape(page)
    start = text.index('{"warm"')
    return json.loads(text[start:text.index("}", start) + 1])


def test_each_report_starts_clean_in_a_warm_kernel_and_a_crash_fails_alone(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    leaves = _notebook(folder / "leaves.ipynb", LEAVES_STATE)
    kills = _notebook(folder / "kills.ipynb", "import os, signal\n"
                                              "os.kill(os.getpid(), signal.SIGKILL)")
    checks = _notebook(folder / "checks.ipynb", CHECKS_STATE)
    specs = [ReportSpec("first_check", checks, "Check", "Checks state"),
             ReportSpec("leaves", leaves, "Leaves", "Leaves state behind"),
             ReportSpec("kills", kills, "Kills", "Kills its own kernel"),
             ReportSpec("second_check", checks, "Check", "Checks state again")]
    out = tmp_path / "out"
    # one worker: the four reports run one after another in the same process
    results = {r.name: r for r in build.build_reports(reports_dir=out, jobs=1, specs=specs,
                                                      echo=lambda *_: None)}
    assert {n: r.status for n, r in results.items()} == {
        "first_check": "built", "leaves": "built", "kills": "failed", "second_check": "built"}
    assert results["kills"].error.startswith("kills: DeadKernelError")
    first = _printed((out / "first_check.html").read_text())
    second = _printed((out / "second_check.html").read_text())
    clean = {"module": False, "builtins": False, "option": 60, "environ": False,
             "global": False}
    for seen in (first, second):
        assert {k: seen[k] for k in clean} == clean
        assert seen["warm"] is True, "the kernel was not forked from the warm server"
        # its own process group, as Jupyter gives a kernel: signals to it reach nothing else
        assert seen["group"] == seen["kernel_pid"]
    assert first["kernel_pid"] != second["kernel_pid"]


def test_cold_kernels_when_asked_give_the_same_pages(tmp_path, monkeypatch):
    checks = _notebook(tmp_path / "plain.ipynb", "print(sum(range(10)))")
    specs = [ReportSpec("plain", checks, "Plain", "Prints 45")]
    build.build_reports(reports_dir=tmp_path / "warm", jobs=1, specs=specs,
                        echo=lambda *_: None)
    monkeypatch.setenv("AIJOBS_COLD_KERNELS", "1")
    build.build_reports(reports_dir=tmp_path / "cold", jobs=1, specs=specs,
                        echo=lambda *_: None)
    warm = (tmp_path / "warm" / "plain.html").read_bytes()
    assert b"45" in warm
    assert warm == (tmp_path / "cold" / "plain.html").read_bytes()


def _ask(path: str, identity: dict) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        request = {"argv": [], "cwd": "/", "env": {}, "identity": identity}
        socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
        return json.loads(conn.makefile("rb").readline())


def test_server_refuses_another_interpreter_or_package(tmp_path):
    with zygote.warm_kernels([]) as path:
        other = {**zygote.identity(), "package": "/elsewhere/aijobs/__init__.py"}
        assert _ask(path, other) == {
            "refused": "a different interpreter or copy of the package"}


def test_notebook_imports_are_read_from_code_cells(tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "import pandas as pd, json\n%matplotlib inline",
                   "from aijobs.charts import theme\nfrom . import nothing")
    assert zygote.notebook_imports([nb, tmp_path / "missing.ipynb"]) == [
        "pandas", "json", "aijobs.charts", "aijobs.charts.theme"]


def _forked(path: str, argv: list[str], tmp_path: Path) -> tuple[zygote.ForkedKernel, Path]:
    """A kernel forked by the server at `path`, its output going to a file."""
    out = tmp_path / "kernel-output.txt"
    with open(out, "w") as sink, open(os.devnull) as nothing:
        kernel = zygote.request_kernel(path, argv, cwd=str(tmp_path), env=dict(os.environ),
                                       streams=(nothing.fileno(), sink.fileno(),
                                                sink.fileno()))
    assert kernel is not None
    return kernel, out


def test_a_forked_kernel_is_held_like_a_process(tmp_path):
    """The build holds a forked kernel as jupyter_client holds a Popen: its exit status comes
    through the server, and so do signals, to the kernel's own process group. A caller that
    leaves while its request waits (the server still imports) gets no kernel."""
    with zygote.warm_kernels([]) as path:
        abandoned = tmp_path / "abandoned.txt"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn, \
                open(abandoned, "w") as sink, open(os.devnull) as nothing:
            conn.connect(path)  # queued: the server is importing
            request = {"argv": ["--version"], "cwd": str(tmp_path), "env": dict(os.environ),
                       "identity": zygote.identity()}
            socket.send_fds(conn, [json.dumps(request).encode()],
                            [nothing.fileno(), sink.fileno(), sink.fileno()])
        # a kernel asked only for its version prints it and exits 0
        kernel, out = _forked(path, ["--version"], tmp_path)
        assert kernel.wait(timeout=60) == 0
        assert kernel.poll() == 0 and kernel.returncode == 0
        import IPython

        assert out.read_text().strip() == IPython.__version__
        assert abandoned.read_text() == ""  # served in order: the gone caller's got no kernel
        kernel.kill()  # after its end: ignored, no error, and the pid is never signalled

        # a real kernel, on its own connection file, runs until it is signalled
        connection = tmp_path / "kernel.json"
        kernel, _ = _forked(path, ["-f", str(connection)], tmp_path)
        with pytest.raises(subprocess.TimeoutExpired):
            kernel.wait(timeout=1.5)
        assert kernel.poll() is None
        assert os.getpgid(kernel.pid) == kernel.pid
        kernel.send_signal(signal.SIGKILL)
        assert kernel.wait(timeout=30) == -signal.SIGKILL
        with pytest.raises(ProcessLookupError):
            os.kill(kernel.pid, 0)  # reaped by the server


def test_the_provisioner_forks_only_ipykernel_of_this_interpreter():
    """The warm-kernel provisioner forks a kernel for ipykernel's command run by this
    interpreter; another interpreter's kernel, or another kernel, starts the ordinary way."""
    from aijobs.reports import provisioner

    assert provisioner.ipykernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f",
                                             "k.json"]) == ["-f", "k.json"]
    assert provisioner.ipykernel_arguments(["/no/such/python", "-m",
                                             "ipykernel_launcher"]) is None
    assert provisioner.ipykernel_arguments([sys.executable, "-m", "other_kernel"]) is None


def test_a_plain_jupyter_kernel_manager_gets_a_warm_kernel_through_the_provisioner(
        tmp_path, monkeypatch):
    """Any Jupyter client (nbval, JupyterLab) that finds the suite's kernelspec starts its
    kernel through the registered provisioner: a forked, already-imported kernel when a server
    is named in the environment, an ordinary one when none is."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    from aijobs import paths
    from aijobs.reports.provisioner import WarmKernelProvisioner

    specs = KernelSpecManager(kernel_dirs=[str(paths.JUPYTER_DIR / "kernels")])

    def pandas_already_imported() -> bool:
        manager = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
        manager.start_kernel(cwd=str(tmp_path))
        try:
            assert isinstance(manager.provisioner, WarmKernelProvisioner)
            client = manager.client()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            shown: list[str] = []
            client.execute_interactive("import sys; print('pandas' in sys.modules)",
                                       timeout=60, output_hook=lambda m: shown.append(
                                           m["content"].get("text", "")))
            client.stop_channels()
            return "".join(shown).strip() == "True"
        finally:
            manager.shutdown_kernel(now=True)

    def tables_checked_in_a_kernel(path: str) -> int:
        """How many checked tables a kernel forked now finds in the tables' cache (counted
        as the kernel starts, on its own file descriptor 1: its print would go to IOPub)."""
        kernel, out = _forked(path, ["-c", "from aijobs.data import tables; import os; "
                                     "os.write(1, b'\\n%d\\n' % len(tables._CHECKED)); "
                                     "os._exit(0)"], tmp_path)
        assert kernel.wait(timeout=60) == 0
        return int(out.read_text().splitlines()[-1])

    from aijobs.data import tables

    nb = _notebook(tmp_path / "imports.ipynb", "import pandas\nfrom aijobs.data import tables")
    # A build whose every kernel starts at once has a server that loads no table: each kernel
    # loads its own (see build._early_servers)
    with zygote.warm_kernels([nb], tables=False) as path:
        assert zygote.wait_until_warm(path) is True
        assert tables_checked_in_a_kernel(path) == 0
    assert zygote.wait_until_warm(str(tmp_path / "no-server.sock"), timeout=5) is False
    # A server started before its build knew what it runs (cli: a cold build's) and never
    # told (the build needed no kernel after all) ends by itself, having forked nothing
    with zygote.warm_kernel_server() as server:
        assert server is not None
        server.process.stdin.close()
        assert server.process.wait(timeout=60) == 0
    with zygote.warm_kernels([nb]) as path:
        # The server loads and checks every table of data/ before it forks its first kernel:
        # the very first kernel, asked for at once, finds the tables' cache with an entry per
        # table (and more, for the tables they refer to); and it then says it is warm (a
        # build server waits for this before it says it is ready).
        assert tables_checked_in_a_kernel(path) >= len(tables.list_tables())
        # the server's objects frozen out of the collector's reach, which is on in the kernel
        # (the server imported with it off: see zygote._freeze_objects)
        kernel, out = _forked(path, ["-c", "import gc, os; os.write(1, b'\\n%d %d\\n' % ("
                                     "gc.isenabled(), gc.get_freeze_count() > 1000)); "
                                     "os._exit(0)"], tmp_path)
        assert kernel.wait(timeout=60) == 0
        assert out.read_text().splitlines()[-1] == "1 1"
        assert zygote.wait_until_warm(path) is True
        monkeypatch.setenv(zygote.SOCKET_VAR, path)
        assert pandas_already_imported() is True
        monkeypatch.delenv(zygote.SOCKET_VAR)
        assert pandas_already_imported() is False


def test_verbose_says_why_a_warm_kernel_or_the_build_server_was_not_used(tmp_path):
    """`aijobs build -v` names the reason for each fall-back; without -v the same build is
    silent about them. Here no build server is wanted and the warm-kernel server named in the
    environment does not exist: the report still builds, on a cold kernel."""
    from conftest import ROOT

    gone = str(tmp_path / "no-server.sock")
    env = {**os.environ, "AIJOBS_BUILD_SERVER": "off", zygote.SOCKET_VAR: gone}
    env.pop(zygote.COLD_VAR, None)
    runs = {flag: subprocess.run(
        [sys.executable, "-m", "aijobs.cli", "build", "growth_rates", "--force",
         "--output-dir", str(tmp_path / "out"), *flag],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300) for flag in ((), ("-v",))}
    for proc in runs.values():
        assert proc.returncode == 0, proc.stderr
        assert "1 built" in proc.stdout
    said = runs[("-v",)].stderr
    assert "aijobs: no build server: AIJOBS_BUILD_SERVER=off" in said
    assert f"aijobs: growth_rates: cold kernel: no warm-kernel server answers at {gone}" in said
    assert "aijobs:" not in runs[()].stderr
