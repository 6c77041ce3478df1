"""Warm kernels: a parent process that imports once what the notebooks import, then forks one
fresh kernel per report.

Starting a report's kernel the usual way costs a new interpreter, ipykernel, and the
notebook's own imports (pandas, plotly, the package): about 1.2 s of CPU each time, for cells
that often take less. This server pays for the imports once. For each kernel it forks a child
of itself that has never run a cell, so every report still starts from the same clean state
(no globals or module state from another report), and a report that crashes its process
takes only its own kernel down.

The way in is `request_kernel`, used by the warm-kernel provisioner
(aijobs.reports.provisioner), through which Jupyter starts the suite's kernels: it asks the
server and holds the answer, a `ForkedKernel`, as it would hold a kernel process. A caller
that finds no server, or one that imported a different interpreter or copy of the package,
starts an ordinary kernel instead, so nothing depends on the server being there.

A caller may instead send {"warm": true} with no descriptors (wait_until_warm): the server,
which accepts no connection before it has imported everything and loaded its tables, answers
{"warm": true}.

Protocol, one connection per kernel: the caller sends one JSON line (with the kernel's three
standard streams attached as file descriptors); the server answers {"pid": N} or
{"refused": reason}, and later {"exit": status} when the kernel ends. The caller may then send
{"signal": N} lines: the server, the kernel's parent, signals the kernel's process group (the
kernel and anything it started) as long as it has not reaped it, so a recycled pid is never
hit. If the caller's side of the connection closes first (the caller died), the server kills
the kernel.

Started by `WarmKernelServer` (`warm_kernels`, `warm_kernel_server`), which binds the socket
first and hands it over, so a caller that connects early is queued and waits while the server
imports. The server imports what every kernel imports (ipykernel, IPython) at once, then
reads its plan on its standard input: the notebooks whose imports it is to import, and whether
to load the tables. A build can so start it before it knows which notebooks it runs (before it
imports the suite itself); one that ends without sending a plan ends the server. It serves
until its parent dies or it is sent SIGTERM.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import importlib
import json
import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from aijobs.reports.lifetime import die_with
from aijobs.reports.scratch import scratch_prefix

log = logging.getLogger(__name__)
SOCKET_VAR = "AIJOBS_WARM_KERNELS"  # the server's socket, for the provisioner (see above)
COLD_VAR = "AIJOBS_COLD_KERNELS"  # "1": no warm kernels
# ipykernel's own modules, imported whatever the notebooks import: all that a kernel imports
# while it starts (ipykernel.debugger and debugpy alone took 0.13 s of each kernel; the rest,
# psutil for the local network interfaces included, 0.04 s; measured), and as it runs: the
# object inspector and logger IPython's shell imports on first use, and pyzmq's collector of
# large zero-copy messages (its thread starts on first use, in the kernel; the modules each
# forked kernel still imported, listed by diffing sys.modules at its end)
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
                  "ipykernel.debugger", "IPython.core.interactiveshell",
                  "IPython.core.completerlib", "IPython.core.debugger",
                  "IPython.core.oinspect", "IPython.core.logger",
                  "IPython.extensions.storemagic", "IPython.utils.wildcard", "pdb",
                  "faulthandler", "resource", "psutil", "tornado.platform.asyncio",
                  "jupyter_client.localinterfaces", "zmq.utils.garbage")
MAX_REQUEST_BYTES = 1 << 20
MAX_SOCKET_PATH = 100  # bytes; sockaddr_un holds 107 (104 on macOS) and a NUL


def cold_kernels_asked() -> bool:
    """True when AIJOBS_COLD_KERNELS=1: every kernel starts the ordinary way."""
    return os.environ.get(COLD_VAR) == "1"


def why_cold() -> str:
    """Why `warm_kernels` starts no server here (for the log)."""
    if cold_kernels_asked():
        return f"asked for ({COLD_VAR}=1)"
    if not hasattr(os, "fork"):
        return "this platform cannot fork"
    return "warm kernels turned off"


def socket_folder(name_length: int) -> str:
    """The temporary folder, or /tmp when a socket named there with `name_length` characters
    would pass the 107-byte limit of a Unix socket path (a long TMPDIR, as on macOS)."""
    folder = tempfile.gettempdir()
    if len(os.path.join(folder, "x" * name_length)) > MAX_SOCKET_PATH and \
            os.path.isdir("/tmp") and os.access("/tmp", os.W_OK | os.X_OK):
        return "/tmp"
    return folder


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The modules the notebooks' code cells import at their top level, in order, once each
    (`from a.b import c` gives a.b and, when it is a module, a.b.c)."""
    found: dict[str, None] = {}
    for notebook in notebooks:
        try:
            cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue  # the build reports a notebook it cannot read; warming just skips it
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", []))
            try:
                tree = ast.parse(source)
            except SyntaxError:  # IPython magics: keep the lines Python can read
                lines = [line for line in source.splitlines()
                         if line.lstrip().startswith(("import ", "from "))]
                try:
                    tree = ast.parse("\n".join(lines))
                except SyntaxError:
                    continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found.update((alias.name, None) for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    found.update((f"{node.module}.{alias.name}", None) for alias in node.names)
    return list(found)


def _warm(modules: list[str]) -> None:
    for name in [*KERNEL_MODULES, *modules]:
        try:
            importlib.import_module(name)
        except Exception:  # a name imported from a module, not a module; or a broken import,
            pass           # which the report's own kernel will raise and report
    # Every kernel asks for this machine's network interfaces as it starts; jupyter_client
    # keeps the answer, so ask once here (0.02 s a kernel, measured)
    with contextlib.suppress(Exception):
        sys.modules["jupyter_client.localinterfaces"].local_ips()
    if "plotly.graph_objects" in sys.modules:
        with contextlib.suppress(Exception):
            _warm_plotly(sys.modules["plotly.graph_objects"])


def _warm_plotly(go) -> None:
    """Build plotly's validators (0.16 s on first use, measured) and import what plotly,
    narwhals and pandas import lazily the first time a chart like the reports' is made (about
    70 modules, 0.2 s of every report's cells in a freshly forked kernel, measured): once
    here instead. Only imports and throwaway objects: nothing a kernel could see changes."""
    import pandas as pd  # deferred: only when the notebooks import plotly (and so pandas)

    frame = pd.DataFrame({"a": ["x", "y"], "b": [1.0, 2.0], "c": [3, 4]})
    figure = go.Figure([
        go.Bar(x=frame["b"], y=frame["a"], text=frame["a"], textfont={"size": 11},
               error_x={"type": "data", "array": [0.1, 0.2]}),
        go.Scatter(x=frame["b"], y=frame["c"], mode="lines+markers", line={"dash": "dot"},
                   marker={"line": {"width": 1}}, textfont={"size": 11}),
        go.Heatmap(z=[[1, 2], [3, 4]], text=[["a", "b"], ["c", "d"]], textfont={"size": 10}),
        go.Pie(values=[1, 2]), go.Box(y=[1, 2]),
    ])
    figure.update_layout(
        annotations=[{"text": "a", "font": {"size": 10}}],
        sliders=[{"steps": [{"label": "a", "method": "restyle", "args": [{}]}],
                  "currentvalue": {"font": {"size": 12}}, "pad": {"t": 10}}],
        updatemenus=[{"buttons": [{"label": "a", "method": "restyle", "args": [{}]}]}])
    figure.to_json()
    sys.modules["plotly.io"].to_html(figure, include_plotlyjs=False, full_html=False)
    frame.pivot_table(index="a", columns="c", values="b")
    frame.to_csv()
    for name in ("plotly.colors", "plotly.io.json", "pycountry", "sqlite3", "bdb"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _tables_to_warm() -> list[str]:
    """The tables of data/, if the notebooks use the package's tables ([] otherwise)."""
    if "aijobs.data.tables" not in sys.modules:
        return []
    try:
        return list(sys.modules["aijobs.data.tables"].list_tables())
    except Exception:  # a broken data/ folder: the reports say what is wrong
        return []


def _warm_table(name: str) -> None:
    """Load and check one table of data/, so that kernels forked from here on find it in the
    tables' cache (keyed on the file's size and time, so an edited file is read again). A
    reused check records the files it read, as the check did, so each report still lists
    what it loads; the server's own records are emptied in every kernel it forks."""
    try:
        sys.modules["aijobs.data.tables"].load_table(name)
    except Exception:  # a broken table: the report that loads it reports it
        pass


def _freeze_objects() -> None:
    """Move every object the server holds out of the garbage collector's reach.

    A forked kernel shares the server's memory until it writes to a page. A full collection
    in the kernel would walk, and so write to, every object the server imported: the kernel
    would copy most of the server's memory, page by page. Frozen objects are never walked
    (they are still freed normally when no longer referenced). Measured on scenario_baseline's
    cells in a forked kernel: 14,600 page faults and 1.19 s before, 7,700 and 0.89 s after.

    The collector is off while the server imports and loads (serve): the collections it ran
    then walked the ever larger heap, 0.19 s of the imports' CPU; and nothing is collected
    before freezing (0.12 s, for 3,800 unreachable objects of 288,000, measured): the
    freeze Python's documentation recommends before a fork, with the collector off until
    then. Back on from here, for the server's loop and the kernels it forks.
    """
    gc.freeze()
    gc.enable()


def _forget_server_reads() -> None:
    """In a forked kernel: empty the records of files read and tables loaded by the server."""
    if "aijobs.data.tables" in sys.modules:
        sys.modules["aijobs.paths"].forget_reads()
        sys.modules["aijobs.data.tables"].forget_loaded()


def _package_file() -> str:
    import aijobs  # the copy of the package this interpreter imports (cheap: 3 lines)

    return str(Path(aijobs.__file__).resolve())


def identity() -> dict[str, str]:
    """What a caller and the server must share for a forked kernel to be the kernel the
    caller would have started: the interpreter and the copy of the package."""
    return {"executable": str(Path(sys.executable).resolve()), "package": _package_file()}


class ForkedKernel:
    """A kernel forked by the warm-kernel server, seen from the process that asked for it: the
    part of subprocess.Popen that jupyter_client uses (pid, poll, wait, send_signal,
    terminate, kill, returncode). The kernel is the server's child, so its exit status and the
    signals sent to it go through the server."""

    stdin = stdout = stderr = None  # its streams are the caller's, handed over

    def __init__(self, conn: socket.socket, pid: int, unread: bytes = b""):
        self.pid = pid
        self.returncode: int | None = None
        self._conn = conn
        self._unread = unread

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read_answers(timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if end is None else max(0.0, end - time.monotonic())
            if not self._read_answers(timeout=left) and end is not None and left == 0:
                raise subprocess.TimeoutExpired(f"forked kernel {self.pid}", timeout or 0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        # no poll here: it may run in a signal handler, inside wait
        if self.returncode is None:  # the server ignores it for a kernel it has reaped
            with contextlib.suppress(OSError):
                self._conn.sendall(json.dumps({"signal": int(signum)}).encode() + b"\n")

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _read_answers(self, timeout: float | None) -> bool:
        """Read what the server has said, waiting up to `timeout` s (None: until it says
        something); True if anything came."""
        if b"\n" not in self._unread:
            ready = selectors.DefaultSelector()
            try:
                ready.register(self._conn, selectors.EVENT_READ)
                if not ready.select(timeout):
                    return False
            finally:
                ready.close()
            try:
                data = self._conn.recv(4096)
            except OSError:
                data = b""
            if not data:  # the server is gone, and its kernels with it (they die with it)
                self._finish(-signal.SIGKILL)
                return True
            self._unread += data
        while b"\n" in self._unread and self.returncode is None:
            line, self._unread = self._unread.split(b"\n", 1)
            with contextlib.suppress(ValueError):
                answer = json.loads(line)
                if isinstance(answer, dict) and "exit" in answer:
                    self._finish(int(answer["exit"]))
        return True

    def _finish(self, status: int) -> None:
        self.returncode = status
        self._conn.close()


def request_kernel(path: str, argv: list[str], *, cwd: str, env: dict[str, str],
                   streams: tuple[int, int, int]) -> ForkedKernel | None:
    """Ask the server at `path` to fork a kernel that runs ipykernel with `argv` (e.g.
    ["-f", connection_file]) in `cwd`, with environment `env` and these standard streams
    (file descriptors). None if the server cannot be reached or refuses (the caller then
    starts an ordinary kernel). Waits while a new server is still importing."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError as exc:
        conn.close()
        log.info("cold kernel: no warm-kernel server answers at %s (%s; it stops if an import "
                 "started a thread, which would not survive a fork)", path,
                 exc.strerror or exc)
        return None
    try:
        request = {"argv": argv, "cwd": cwd, "env": env, "identity": identity()}
        socket.send_fds(conn, [json.dumps(request).encode("utf-8")], list(streams))
        received = b""
        while b"\n" not in received:
            data = conn.recv(4096)
            if not data:
                raise ValueError("no answer")
            received += data
        line, unread = received.split(b"\n", 1)
        answer = json.loads(line)
        if "refused" in answer:
            log.info("cold kernel: the warm-kernel server at %s refused: %s", path,
                     answer["refused"])
            conn.close()
            return None
        pid = int(answer["pid"])
    except (OSError, ValueError, KeyError, TypeError) as exc:  # the server went, a bad answer
        log.info("cold kernel: the warm-kernel server at %s gave no kernel (%s: %s)", path,
                 type(exc).__name__, exc)
        conn.close()
        return None
    return ForkedKernel(conn, pid, unread)


def wait_until_warm(path: str, timeout: float = 120) -> bool:
    """Wait until the server at `path` has imported everything and loaded every table it
    keeps for its kernels (it answers no connection before); True once it has, False if it
    cannot be reached or does not answer in `timeout` s. A build server waits for this before
    it says it is ready."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(path)
        conn.sendall(json.dumps({"warm": True, "identity": identity()}).encode("utf-8"))
        answer = b""
        while b"\n" not in answer:
            data = conn.recv(4096)
            if not data:
                return False
            answer += data
        return json.loads(answer.split(b"\n", 1)[0]).get("warm") is True
    except (OSError, ValueError, AttributeError):
        return False
    finally:
        conn.close()


def _run_kernel(request: dict, fds: list[int], server_pid: int) -> None:
    """In the forked child: become the kernel the caller asked for. Never returns."""
    code = 1
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            os.close(fd)
        die_with(server_pid, thread=False)  # ipykernel also polls JPY_PARENT_PID
        with contextlib.suppress(OSError):
            os.setsid()  # its own process group, as a kernel Jupyter starts has
        _forget_server_reads()
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(server_pid)  # ipykernel's own parent poller
        tempfile.tempdir = None  # the server's cached temporary folder: find the caller's
        os.chdir(request["cwd"])
        # ipykernel reads JPY_PARENT_PID into a class default when imported (here, in the
        # server): say it on the command line, as Jupyter's kernel would have it read
        sys.argv = ["ipykernel_launcher", *request["argv"],
                    f"--IPKernelApp.parent_handle={server_pid}"]
        # as `python -m ipykernel_launcher` run in cwd would have it (it then drops cwd itself)
        if sys.path and sys.path[0] not in ("",):
            sys.path[0] = request["cwd"]
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
            sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
            sys.stdin = os.fdopen(0, "r", closefd=False)
        from ipykernel import kernelapp  # already imported by the server: no cost

        if Path(sys.path[0]) == Path.cwd():
            del sys.path[0]
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the kernel's own failure: shown on its stderr, like a cold kernel
        import traceback  # deferred: only on failure

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


class _Server:
    def __init__(self, listener: socket.socket, parent: int):
        self.listener = listener
        self.parent = parent
        self.selector = selectors.DefaultSelector()
        self.kernels: dict[int, socket.socket] = {}  # kernel pid -> its caller's connection
        self.by_conn: dict[socket.socket, int] = {}
        self.unread: dict[socket.socket, bytes] = {}  # a caller's partial line
        self.me = os.getpid()

    def serve(self) -> None:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(wake_read, selectors.EVENT_READ, "signal")
        while True:
            if os.getppid() != self.parent:  # where PR_SET_PDEATHSIG does not exist (macOS)
                self._stop()
            events = self.selector.select(timeout=1.0)
            for key, _ in events:
                if key.data == "accept":
                    self._accept()
                elif key.data == "signal":
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 512)
                    self._reap()
                else:
                    assert isinstance(key.fileobj, socket.socket)  # registered as "caller"
                    self._caller_readable(key.fileobj)

    def _stop(self) -> None:
        for pid in list(self.kernels):
            _signal_kernel(pid, signal.SIGKILL)
        os._exit(0)

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        try:
            message, fds, _, _ = socket.recv_fds(conn, MAX_REQUEST_BYTES, 3)
            request = json.loads(message.decode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            conn.close()
            return
        if request.get("warm") is True and not fds:  # wait_until_warm: no kernel, an answer
            self._send(conn, {"warm": True})
            conn.close()
            return
        refusal = None
        if caller_gone(conn):  # it left while its request waited here: no kernel for no one
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        if request.get("identity") != identity():
            refusal = "a different interpreter or copy of the package"
        elif len(fds) != 3:
            refusal = "standard streams missing"
        if refusal:
            for fd in fds:
                os.close(fd)
            self._send(conn, {"refused": refusal})
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL if sig != signal.SIGINT
                              else signal.default_int_handler)
            self.selector.close()
            for other in [self.listener, conn, *self.by_conn]:
                with contextlib.suppress(OSError):
                    other.close()
            _run_kernel(request, fds, self.me)
        for fd in fds:
            os.close(fd)
        self.kernels[pid], self.by_conn[conn] = conn, pid
        self.selector.register(conn, selectors.EVENT_READ, "caller")
        self._send(conn, {"pid": pid})

    def _send(self, conn: socket.socket, message: dict) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps(message).encode() + b"\n")

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.kernels.pop(pid, None)
            if conn is not None:
                self._send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                self._forget(conn)

    def _caller_readable(self, conn: socket.socket) -> None:
        """A caller asks for a signal, or has gone (then its kernel is killed)."""
        pid = self.by_conn.get(conn)
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        if not data or len(self.unread.get(conn, b"")) > MAX_REQUEST_BYTES:
            if pid is not None:
                _signal_kernel(pid, signal.SIGKILL)  # reaped, and forgotten, on its SIGCHLD
            self._forget(conn)
            return
        lines = (self.unread.pop(conn, b"") + data).split(b"\n")
        self.unread[conn] = lines.pop()
        for line in lines:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                signum = signal.Signals(int(json.loads(line)["signal"]))
                if pid is not None:  # not yet reaped: the pid is still this kernel's
                    _signal_kernel(pid, signum)

    def _forget(self, conn: socket.socket) -> None:
        self.unread.pop(conn, None)
        pid = self.by_conn.pop(conn, None)
        if pid is not None:
            self.kernels.pop(pid, None)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn)
        conn.close()


def caller_gone(conn: socket.socket) -> bool:
    """Whether the caller at the other end has closed its side (it sends nothing after its
    request, so an end of stream means it has gone). A request waits in the listening queue
    while the server is busy (importing, at first): a report worker stopped meanwhile has
    left, and its kernel's connection file with it. Forked anyway, that kernel found no
    connection file, made one of its own on TCP and printed ipykernel's warning about it into
    the caller's stderr, possibly after that build's last line."""
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def _signal_kernel(pid: int, signum: int) -> None:
    """Signal a kernel's process group (the kernel, and whatever it started), or the kernel
    alone if it has no group of its own."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _read_plan(stream) -> tuple[list[Path], bool] | None:
    """The notebooks to warm for and whether to load the tables, as the build sends them on
    the server's standard input (see WarmKernelServer.plan); None when the input ends without
    a plan (the build needs no kernel after all, or has gone)."""
    try:
        plan = json.loads(stream.readline() or "null")
        return [Path(p) for p in plan["notebooks"]], bool(plan["tables"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def serve(listener_fd: int, parent: int) -> None:
    die_with(parent, thread=False)  # no thread: the server forks (see _Server.serve)
    gc.disable()  # until its objects are frozen (see _freeze_objects)
    # bound and listening already (by WarmKernelServer): callers that connect now are queued
    # and wait until the imports are done
    listener = socket.socket(fileno=listener_fd)
    # BLAS thread pools started at import would not survive a fork: one thread, no pool.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's import warning
    # What every kernel imports, whatever its notebook: imported while the build works out
    # which notebooks it runs (a build starts this server before it imports the suite)
    _warm([])
    plan = _read_plan(sys.stdin)
    if plan is None:
        listener.close()
        os._exit(0)
    notebooks, tables = plan
    with open(os.devnull, "rb") as nothing:  # the plan's pipe is not passed on to the kernels
        os.dup2(nothing.fileno(), 0)
    _warm(notebook_imports(notebooks))
    if threading.active_count() > 1:  # a thread started by an import would not fork safely
        listener.close()
        os._exit(3)
    # The tables too, before the first kernel is forked, so that every kernel finds them
    # loaded. (Loaded one at a time between kernels instead, they were still loading while
    # most kernels of a build started, and each of those loaded its own: a cold build of the
    # 13 reports used 1.0 s more CPU, and took 0.4 s longer, medians of 6 alternating builds.)
    for name in _tables_to_warm() if tables else []:
        _warm_table(name)
    _freeze_objects()
    _Server(listener, parent).serve()


class WarmKernelServer:
    """A warm-kernel server started before the build knows what it runs: it imports what
    every kernel imports (ipykernel, IPython) at once, then what the notebooks named in its
    `plan` import, and loads the tables if asked. Kernels asked for before it is ready wait.
    `stop` ends it; so does a build that ends before sending a plan, or dies."""

    def __init__(self) -> None:
        # "aijobs-warm-<pid>-XXXXXXXX/kernels.sock": mkdtemp adds 8 characters
        prefix = scratch_prefix("warm")
        self.folder = tempfile.mkdtemp(
            prefix=prefix, dir=socket_folder(len(prefix) + 8 + len("/kernels.sock")))
        self.path = os.path.join(self.folder, "kernels.sock")
        env = {k: v for k, v in os.environ.items() if k != SOCKET_VAR}
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.path)
            listener.listen(64)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aijobs.reports.zygote", str(listener.fileno()),
                 str(os.getpid())],
                stdin=subprocess.PIPE, env=env, start_new_session=True,
                pass_fds=(listener.fileno(),))
        except BaseException:
            self._remove_socket()
            raise
        finally:
            listener.close()  # the server holds its own copy

    def plan(self, notebooks: list[Path], *, tables: bool) -> None:
        """Tell the server which notebooks its kernels run (it imports what they import) and
        whether to load the tables of data/ before its first kernel (see warm_kernels)."""
        stdin = self.process.stdin
        if stdin is None or stdin.closed:
            return
        with contextlib.suppress(OSError):  # a server gone: its callers start cold kernels
            stdin.write(json.dumps({"notebooks": [str(n) for n in notebooks],
                                    "tables": tables}).encode("utf-8") + b"\n")
        with contextlib.suppress(OSError):
            stdin.close()

    def end(self) -> None:
        """Tell the server to end (it kills any kernel it still has), without waiting: its
        exit, 0.03-0.06 s of freeing its memory, then overlaps the caller's own last work."""
        server = self.process
        if server.stdin is not None:
            with contextlib.suppress(OSError):
                server.stdin.close()
        if server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                server.terminate()

    def stop(self) -> None:
        """End the server and wait until it has (see end); remove its socket."""
        server = self.process
        self.end()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        if server.poll() is None:
            server.kill()
            server.wait()
        self._remove_socket()

    def _remove_socket(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


@contextlib.contextmanager
def warm_kernel_server(*, enabled: bool = True) -> Iterator[WarmKernelServer | None]:
    """Start a warm-kernel server whose notebooks are given later (WarmKernelServer.plan);
    yield it (None when disabled or on a platform without fork), stop it on exit."""
    if not enabled or not hasattr(os, "fork") or cold_kernels_asked():
        yield None
        return
    server = WarmKernelServer()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def warm_kernels(notebooks: list[Path], *, enabled: bool = True,
                 tables: bool = True) -> Iterator[str | None]:
    """Start a warm-kernel server for these notebooks; yield its socket path (None when
    disabled or on a platform without fork), stop it on exit.

    `tables`: the server also loads the tables of data/, after its imports and before it
    forks its first kernel, so that the kernels find them loaded. Worth it only when more
    kernels are forked than run at once: for a build whose every kernel starts at once, the
    kernels would wait for tables most of them never read, which each would load faster
    itself, in parallel.

    The server starts importing at once, in its own process, while the caller goes on; kernel
    requests that come before it is ready simply wait. Ask it for kernels with
    `request_kernel`, or configure the warm-kernel provisioner with it (its `socket`, or
    SOCKET_VAR in the environment).
    """
    with warm_kernel_server(enabled=enabled) as server:
        if server is not None:
            server.plan(notebooks, tables=tables)
        yield None if server is None else server.path


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
