"""Shared fixtures. Everything a test writes goes to pytest's temporary folders."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aijobs import paths
from aijobs.devtools import browser
from aijobs.reports.build_server import READY_LINE

ROOT = paths.PROJECT_ROOT
# No build server (aijobs serve) a developer left running takes the tests' commands: a run
# with slow tests starts its own (see tests_build_server), the others run each on its own.
os.environ["AIJOBS_BUILD_SERVER"] = "off"
# Fixture notebooks are inputs to tests, not notebooks for nbval to run.
collect_ignore_glob = ["fixtures/*"]
FIXTURES = Path(__file__).parent / "fixtures"


def require_chromium() -> str:
    """Chromium's path; a skip on a developer machine without it, a failure in CI."""
    exe = browser.chromium_path()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return exe


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds; reaped either way."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_build_server(sock, cwd: Path, env: dict, *, idle_minutes: int = 10,
                       ) -> subprocess.Popen:
    """`aijobs serve` on socket `sock`, once it listens (its output is a pipe, line by line)."""
    server = subprocess.Popen([sys.executable, "-m", "aijobs.cli", "serve", "--idle-minutes",
                               str(idle_minutes)], cwd=cwd, stdin=subprocess.DEVNULL,
                              env={**env, "AIJOBS_BUILD_SERVER": str(sock),
                                   "PYTHONUNBUFFERED": "1"},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = server.stdout.readline()  # printed once it listens
    assert "listening at" in first, first
    ready = server.stdout.readline()  # once it has imported what a build needs
    assert ready.strip() == READY_LINE, ready
    return server


class ServerOutput:
    """A build server's output, line by line, read by a thread as it comes (so the server never
    blocks on a full pipe): `readline` waits for the next line, as a pipe's does."""

    def __init__(self, stream) -> None:
        import queue
        import threading

        self._lines: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put("")  # the end, as readline gives it

    def readline(self, timeout: float = 300) -> str:
        return self._lines.get(timeout=timeout)

    def drain(self) -> list[str]:
        """The lines printed so far and not read yet."""
        import queue

        lines = []
        while True:
            try:
                lines.append(self._lines.get_nowait())
            except queue.Empty:
                return lines

    def rest(self, timeout: float = 30) -> list[str]:
        """Every line left, once the server has ended."""
        self._thread.join(timeout)
        return [line for line in self.drain() if line]


SESSION_SERVER = pytest.StashKey()


@pytest.fixture(scope="session", autouse=True)
def tests_build_server(request):
    """A build server (aijobs serve) for this test process, when it runs slow tests.

    The `aijobs build` and `aijobs sweep` commands the tests run (directly or through make)
    are handed to it, as they are to a user's `make serve`: the same pages and messages, in
    about a second instead of four. Tests of the build engine itself (processes, signals,
    locks; tests/reports/test_build_processes.py) run each command on its own, with
    AIJOBS_BUILD_SERVER=off, and test_build_server.py compares the two ways, on this server
    (session_build_server).

    At the end it is stopped as a user stops one, with SIGTERM, and must end on its own within
    60 s, with status 0, its last line 'build server stopped', its socket removed, and every
    process below it (its warm-kernel server, its workers' fork server...) gone within 30 s;
    else the last test of the run errors at teardown.
    """
    if not any(item.get_closest_marker("slow") for item in request.session.items):
        yield None
        return
    import signal
    import tempfile
    import time

    from aijobs.reports.scratch import running

    folder = tempfile.mkdtemp(prefix="aijobs-tests-")  # short: a socket path has a limit
    sock = os.path.join(folder, "build.sock")
    server = start_build_server(sock, ROOT, dict(os.environ), idle_minutes=60)
    server.output = ServerOutput(server.stdout)  # what test_build_server.py reads
    request.config.stash[SESSION_SERVER] = server
    os.environ["AIJOBS_BUILD_SERVER"] = sock
    try:
        yield sock
    finally:
        os.environ["AIJOBS_BUILD_SERVER"] = "off"
        below = descendants(server.pid)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
            ended = True
        except subprocess.TimeoutExpired:
            stop_process(server, 0)
            ended = False
        rest = server.output.rest()
        end = time.monotonic() + 30  # the fork server ends when it sees the server gone
        while time.monotonic() < end and [p for p in below if running(p)]:
            time.sleep(0.2)
        outlived = [p for p in below if running(p)]
        gone = not os.path.exists(sock)
        shutil.rmtree(folder, ignore_errors=True)
        assert ended, "the session's build server did not end within 60 s of SIGTERM"
        assert server.returncode == 0, rest
        assert rest and rest[-1].strip() == "build server stopped", rest
        assert gone, "a stopped server removes its socket"
        assert below, "the build server had no process below it"
        assert not outlived, "a process outlived the build server"


@pytest.fixture
def session_build_server(request, tests_build_server) -> subprocess.Popen:
    """The session's build server (tests_build_server): its process, whose `output` gives the
    lines it prints about each command (ServerOutput); lines from earlier tests' commands are
    dropped first."""
    server = request.config.stash[SESSION_SERVER]
    server.output.drain()
    return server


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (network off) per test process: tests open pages in its tabs."""
    require_chromium()
    with browser.Chromium() as shared:
        yield shared


@pytest.fixture(scope="module")
def opened_pages(built_reports, chromium, request):
    """Every report page of reports.yaml opened once at the test module's WIDTH, as a reader's
    browser shows it: ({page: what the checks read}, {page: its tab}). The tabs stay open for
    the module's tests: a test that acts on a page as a reader (picks a control, types, prints)
    takes its page's tab as it was opened, instead of opening the page again, and is the only
    test of the module that uses that tab. Closed after the module."""
    from page_views import PAGES, open_pages

    tabs: list = []
    try:
        found = open_pages(built_reports, chromium, request.module.WIDTH, keep=tabs)
        yield found, dict(zip(PAGES, tabs, strict=True))
    finally:
        for tab in tabs:
            tab.close()


@pytest.fixture(scope="module")
def views(opened_pages) -> dict[str, dict]:
    """Every report page of reports.yaml as a reader's browser shows it at the test module's
    WIDTH, each opened once (tests/reports/page_views.py; test_browser.py and
    test_browser_phones.py check them at 1400 and 390 px)."""
    return opened_pages[0]


@pytest.fixture(scope="module")
def page_tabs(opened_pages) -> dict:
    """{page: its open tab} of `views` (see opened_pages): each for one test to act on."""
    return opened_pages[1]


def _once_per_run(tmp_path_factory, name: str, make) -> Path:
    """A folder `make(folder)` fills once per test run. Under pytest-xdist the workers of one
    run share it: the first to get the lock makes it in the run's own temporary folder, the
    others wait and reuse it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    run_folder = tmp_path_factory.getbasetemp().parent  # this run's, shared by its workers
    out = run_folder / name
    with open(run_folder / f"{name}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (run_folder / f"{name}.done").exists():
            make(out)
            (run_folder / f"{name}.done").write_text("ok")
    return out


def _build_reports(out: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", "build", "--output-dir",
                             str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\d+ built, 0 up to date, 0 failed", result.stdout, re.M), result.stdout


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory, tests_build_server) -> Path:
    """Every report of reports.yaml built once per test run, with its configured parameters,
    by `aijobs build` as a user runs it, handed to this process's build server
    (tests_build_server), as the tests' other builds are: the pages a lone build makes
    (test_build_server.py), for about 10 CPU-s where building them in this process took 13-14
    (shared by the workers of one run, see _once_per_run)."""
    return _once_per_run(tmp_path_factory, "built_reports", _build_reports)


# The sweep the tests build: growth_rates over 2 x 3 = 6 variants, small and fast (no kernel
# draws a Monte Carlo fan), with key figures worked out by hand (tests/reports/test_sweep.py):
# growth kept, halved each year, stopped after the first year; over one year and three.
SWEEP_NAME = "growth_rates"
SWEEP_GRID = [("horizon_years", "1,3"), ("growth_decay", "0,0.5,1")]


def sweep_command(out: Path, *extra: str) -> subprocess.CompletedProcess:
    """`aijobs sweep` of SWEEP_NAME over SWEEP_GRID into `out`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "aijobs.cli", "sweep", SWEEP_NAME, "--output-dir", str(out),
         *[a for name, values in SWEEP_GRID for a in ("-g", name, values)], *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=600)


def _build_sweep(out: Path) -> None:
    result = sweep_command(out)
    assert result.returncode == 0, result.stderr
    assert "6 variants: 6 built, 0 up to date, 0 failed" in result.stdout


@pytest.fixture(scope="session")
def built_sweep(tmp_path_factory) -> Path:
    """The tests' sweep (SWEEP_GRID) built once per test run: its gallery is
    <folder>/sweeps/growth_rates/index.html. The sweep tests check its figures and the browser
    tests its layout, from the one build (shared by the workers of one run, see
    _once_per_run)."""
    return _once_per_run(tmp_path_factory, "built_sweep", _build_sweep)


def _tree_status() -> str | None:
    import subprocess

    result = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    return result.stdout if result.returncode == 0 else None


@pytest.fixture(scope="session", autouse=True)
def tree_left_clean():
    """Tests write only to temporary folders: the checkout's status is the same afterwards."""
    before = _tree_status()
    yield
    after = _tree_status()
    if before is not None:
        assert after == before, f"the tests changed the checkout:\n{after}"


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project whose package is imported by the CLI and by its kernels.

    The package's bytecode (__pycache__) is copied with it: copytree keeps each file's
    modification time, which is what Python checks a .pyc against, so the copy's processes
    import without compiling the package again, and a module a test edits (a new time and
    size) is compiled afresh, as in a user's checkout."""
    copy = tmp_path / "project"
    copy.mkdir()
    for item in ("src", "data", "notebooks"):
        shutil.copytree(ROOT / item, copy / item, ignore=shutil.ignore_patterns(
            "*.egg-info", *(() if item == "src" else ("__pycache__",))))
    for item in ("pyproject.toml",):
        shutil.copy(ROOT / item, copy / item)
    return copy


def run_in(copy: Path, *args: str, server: Path | None = None) -> subprocess.CompletedProcess:
    """`aijobs ARGS` run against the copy's package and data (handed to the build server at
    socket `server` when given: one started for the copy with start_build_server)."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    if server is not None:
        env["AIJOBS_BUILD_SERVER"] = str(server)
    return subprocess.run([sys.executable, "-m", "aijobs.cli", *args], capture_output=True,
                          text=True, cwd=copy, env=env, timeout=300)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path



def plotted_figures(page_html: str) -> list[dict]:
    """The data and layout of every plotly figure a page draws (numbers decoded)."""
    from aijobs.devtools.figure_export import figures_in_page

    return figures_in_page(page_html)


# Fixtures that build reports in kernels or copy the whole project: a test that uses one is slow
# (`make test-fast` leaves it out; `make test` runs everything).
SLOW_FIXTURES = {"built_reports", "built_sweep", "project_copy", "good_report"}


def pytest_configure(config):
    """make test's workers take whole files (--dist loadfile) in the order the collection puts
    them (pytest_collection_modifyitems), not pytest-xdist's own order by number of tests,
    which left the longest files (one or two tests each: JupyterLab, the figure export, the
    build server) to the end, one worker finishing them while the other had nothing left."""
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist 3.8 and later
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
    # The longest files first: those with a browser test, then those that build, then the rest,
    # each group in collection order and each file's tests in theirs. Under pytest-xdist the
    # many short files come last and fill in, so neither worker waits long for the other.
    rank: dict = {}
    for item in items:
        kind = 0 if item.get_closest_marker("browser") else 1 if item.get_closest_marker(
            "slow") else 2
        rank[item.path] = min(rank.get(item.path, 2), kind)
    items.sort(key=lambda item: rank[item.path])


def pytest_collection_finish(session):
    """nbval's notebook kernels come from a warm-kernel server, as the report builds' do.

    The suite's kernelspec named python3 (the notebooks' own: ipykernel through the
    warm-kernel provisioner, aijobs.reports.provisioner) is put first on JUPYTER_PATH, and the
    server's socket named in the environment, where the provisioner finds it: each notebook
    gets a fresh forked kernel with pandas, plotly and the suite already imported, nothing
    else carried over (tests/reports/test_warm_kernels.py proves the isolation). The lab tests
    take these two variables out, so JupyterLab starts its kernels the ordinary way.
    """
    import contextlib

    from aijobs import paths
    from aijobs.reports import zygote

    notebooks = sorted({Path(item.path) for item in session.items
                        if Path(item.path).suffix == ".ipynb"})
    if not notebooks:
        return
    stack = contextlib.ExitStack()
    sock = stack.enter_context(zygote.warm_kernels(notebooks))
    if sock is None:  # cold kernels asked for, or no fork on this platform
        stack.close()
        return
    for var, value in (("JUPYTER_PATH", os.pathsep.join(
            filter(None, [str(paths.JUPYTER_DIR), os.environ.get("JUPYTER_PATH")]))),
            (zygote.SOCKET_VAR, sock)):
        stack.callback(_restore, var, os.environ.get(var))
        os.environ[var] = value
    session.config.stash[WARM_NOTEBOOK_KERNELS] = stack


WARM_NOTEBOOK_KERNELS = pytest.StashKey()
# what JupyterLab, started by the lab tests, must not inherit (see pytest_collection_finish)
WARM_KERNEL_VARS = ("JUPYTER_PATH", "AIJOBS_WARM_KERNELS")


def _restore(var: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(var, None)
    else:
        os.environ[var] = value


def pytest_sessionfinish(session):
    stack = session.config.stash.get(WARM_NOTEBOOK_KERNELS, None)
    if stack is not None:
        stack.close()


def descendants(pid: int) -> set[int]:
    """Every process below pid (read from /proc; Linux only)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def built_page(folder: Path, name: str) -> Path:
    """The page a build of report `name` into `folder` wrote: with changed parameters that is a
    variant, folder/variants/<name>--<hash>.html (the newest, reports.variants); else the
    named page folder/<name>.html."""
    variants = sorted(Path(folder).glob(f"variants/{name}--*.html"),
                      key=lambda p: p.stat().st_mtime_ns)
    return variants[-1] if variants else Path(folder) / f"{name}.html"
