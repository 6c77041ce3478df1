"""A build server: one long-lived process that keeps the build warm between commands.

`aijobs serve` (make serve) starts it; while it runs, `aijobs build` and `aijobs sweep` hand
their command line to it and print what it sends back, instead of starting Python, importing
the suite, papermill and nbconvert, and starting a warm-kernel server every time. The server
keeps all of that ready, with one warm-kernel server (aijobs.reports.zygote) for its whole
life, so a report rebuilt with a changed parameter costs little more than its cells.

Everything else is as without it: the server runs the same build, in the caller's working
folder and environment, holds the same lock on the output folder, and the pages are the same
bytes. It serves one copy of the suite: a command
from another interpreter or another copy of the package runs on its own. When the package's
code changes, the server says so, the command runs on its own, and the server restarts
itself with the new code. It stops after `--idle-minutes` without a command (30 by default),
on Ctrl-C or on SIGTERM.

AIJOBS_BUILD_SERVER chooses the socket: unset, the one for this copy of the suite in the
user's runtime folder; a path, that socket; "off", no server (each command runs on its own).

Only its owner can reach it. The socket lives in a folder of the user's own: $XDG_RUNTIME_DIR
/aijobs where the system gives one, else /tmp/aijobs-<uid> (not $TMPDIR: every shell of the
user finds the same server, whatever its TMPDIR), made mode 0700. Before it sends anything
(the command line and the whole environment), the client checks, as ssh-agent's and tmux's
clients do, that the folder and the socket belong to the user and that no one else can write
to them, and then that the process answering runs as the user (SO_PEERCRED on Linux,
LOCAL_PEERCRED on macOS); otherwise it says so in one line and exits 2, sending nothing. The
server, likewise, serves only its own user. One server per socket: a second `serve` finds
the first's lock and leaves it alone. A client's Ctrl-C (or any client going away) ends that
client's command only; the server stays.

A build that finds no server starts one in the background (`start_in_background`), says so in
one line with how to stop it, and runs on its own meanwhile; the next command is handed to it.
An auto-started server stops after AUTO_IDLE_MINUTES without a command. Not under CI (the CI
variable set), nor for a dry run, nor with AIJOBS_BUILD_SERVER=off. Starting is race-free: a
command looks for a server and starts one under a lock beside the socket, which the new server
holds until it listens; two builds started at the same instant start one server, and the
second hands itself to it.

This module imports only the standard library at the top: the client side runs before the
command line decides whether it needs the rest.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aijobs import paths
from aijobs.reports import zygote
from aijobs.reports.zygote import identity

log = logging.getLogger(__name__)
SERVER_VAR = "AIJOBS_BUILD_SERVER"
MAX_REQUEST_BYTES = 1 << 20


def socket_path() -> str | None:
    """The server's socket for this copy of the suite and interpreter (None: "off")."""
    chosen = os.environ.get(SERVER_VAR, "")
    if chosen == "off":
        return None
    if chosen:
        return chosen
    key = f"{paths.PROJECT_ROOT}\0{Path(sys.executable).resolve()}".encode()
    return str(runtime_folder() / f"build-{hashlib.sha256(key).hexdigest()[:16]}.sock")


def runtime_folder() -> Path:
    """The user's own folder for the server's socket: $XDG_RUNTIME_DIR/aijobs where the system
    gives one, else aijobs-<uid> in /tmp (the temporary folder where there is no /tmp)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / "aijobs"
    base = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
    return Path(base) / f"aijobs-{os.getuid()}"


def _make_folder(folder: Path) -> None:
    """Create the socket's folder, mode 0700, if missing (checked afterwards, see unsafe)."""
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True)


def _owner(uid: int) -> str:
    try:
        import pwd  # deferred: only to name another user

        return f"uid {uid} ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def unsafe(path: str, *, socket_too: bool = True) -> str | None:
    """What makes the socket at `path` unsafe to talk to (None: nothing): its folder or the
    socket itself belongs to another user, or someone else can write to it."""
    me = os.getuid()
    folder = os.path.dirname(os.path.abspath(path))
    checks = [(folder, "folder")] + ([(path, "socket")] if socket_too else [])
    for where, kind in checks:
        try:
            info = os.stat(where) if kind == "folder" else os.lstat(where)
        except OSError as exc:
            return f"{kind} {where}: {exc.strerror or exc}"
        if kind == "folder" and not stat.S_ISDIR(info.st_mode):
            return f"{where} is not a folder"
        if kind == "socket" and not stat.S_ISSOCK(info.st_mode):
            return f"{where} is not a socket"
        if info.st_uid != me:
            return f"{kind} {where} belongs to {_owner(info.st_uid)}, not to you ({_owner(me)})"
        if info.st_mode & 0o022:
            return (f"{kind} {where} can be written by others (mode "
                    f"{stat.S_IMODE(info.st_mode):o}; expected 700 or 600)")
    return None


def peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket (None: unknown here)."""
    if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid, uid, gid}
        _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                         struct.calcsize("3i")))
        return uid
    if sys.platform == "darwin":  # getpeereid: struct xucred {version, uid, ...} at SOL_LOCAL
        sol_local, local_peercred = 0, 1
        raw = conn.getsockopt(sol_local, local_peercred, 76)
        return struct.unpack_from("2I", raw)[1]
    return None


def refused(why: str) -> int:
    """One line: the client sends nothing to a socket it cannot trust."""
    print(f"error: the build server's socket is not safe to use: {why}; nothing was sent to "
          f"it. Remove it (a `aijobs serve` of your own makes a new one), or set {SERVER_VAR}="
          "off to build without a server", file=sys.stderr)
    return 2


# ---- client ---------------------------------------------------------------------------------

_NO_SERVER = object()  # (forward) no server runs at all: none at the socket, or a dead one's
START_LOCK_VAR = "AIJOBS_BUILD_SERVER_START_LOCK"  # the start lock's fd, handed to the server
START_WAIT_SECONDS = 30.0  # how long a command waits for a server another one is starting


def forward(argv: list[str], when_none=None) -> int | None:
    """Run this command line on the build server and return its exit status, printing what
    it prints; None if there is no server for this suite (the caller runs it itself).
    `when_none(lock_fd)` is called when no server runs at all (not when one declines the
    command: it serves another copy of the suite, or restarts with new code), holding the
    start lock (see _start_lock), which it hands to the server it starts.

    Starting is race-free: only one command at a time looks for a server and starts one,
    under a lock in the socket's folder, and the server holds that lock until it listens. Two
    commands started at the same instant: the first starts the server (and runs on its own
    meanwhile), the second waits for the lock, then finds the new server and hands itself
    to it."""
    path = socket_path()
    if not path:
        log.info("no build server: %s=off", SERVER_VAR)
        return None
    if not os.environ.get(SERVER_VAR):
        _make_folder(Path(path).parent)
    code = _forward(path, argv)
    if code is not _NO_SERVER:
        return code
    if when_none is None:
        return None
    with _start_lock(path) as lock:
        if lock is None:  # another command's server is slow to start (or the folder is not
            return None   # safe): this one runs on its own
        if not _answers(path):  # still none, now that no other command is starting one
            when_none(lock)
            return None
    log.info("a build server was started meanwhile (by another command): handing it this one")
    code = _forward(path, argv)
    return None if code is _NO_SERVER else code


@contextlib.contextmanager
def _start_lock(path: str, wait: float = START_WAIT_SECONDS):
    """Hold the start lock of the server at `path` (a file beside the socket, in the user's
    own folder); yield its file descriptor, or None when it cannot be had within `wait`
    seconds, or the folder is not safe. A server started with it keeps the lock (flock: the
    open file is shared with the child) until it listens, so a command that waits for the lock
    then finds it answering."""
    fd = None
    if unsafe(path, socket_too=False) is None:
        with contextlib.suppress(OSError):
            fd = os.open(f"{path}.start", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
                         | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        deadline = time.monotonic() + wait
        while fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.info("another command has been starting the build server for %g s: "
                             "this one runs on its own", wait)
                    os.close(fd)
                    fd = None
                    break
                time.sleep(0.05)
        yield fd
    finally:
        if fd is not None:
            os.close(fd)  # the lock stays held by a server started with it, until it listens


def _answers(path: str) -> bool:
    """Whether a server listens at `path` (the socket is there and takes a connection)."""
    if not os.path.lexists(path) or unsafe(path):
        return os.path.lexists(path)  # an unsafe socket: forward refuses it in one line
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


def _forward(path: str, argv: list[str]):
    """forward, once: the command's exit status, None (a server declined it), or _NO_SERVER."""
    if not os.path.lexists(path):
        log.info("no build server runs for this suite (none at %s; `aijobs serve` starts "
                 "one)", path)
        return _NO_SERVER
    why = unsafe(path)
    if why:
        return refused(why)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError as exc:  # a socket left by a server that was killed
        log.info("no build server answers at %s (%s)", path, exc.strerror or exc)
        conn.close()
        return _NO_SERVER
    try:
        uid = peer_uid(conn)
        if uid is not None and uid != os.getuid():
            conn.close()
            return refused(f"the process answering at {path} runs as {_owner(uid)}")
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                   "identity": identity()}
        conn.sendall(json.dumps(request).encode() + b"\n")
        answers = conn.makefile("rb")
        first = json.loads(answers.readline() or b"{}")
    except (OSError, ValueError) as exc:
        log.info("no build server answers at %s (%s)", path, exc)
        conn.close()
        return None
    if first.get("accepted") is not True:  # another copy of the suite, or its code changed
        log.info("the build server at %s did not take the command: it serves another "
                 "interpreter or copy of the suite, or the code changed and it restarts", path)
        conn.close()
        return None
    try:
        for line in answers:
            message = json.loads(line)
            if "out" in message:
                sys.stdout.write(message["out"])
                sys.stdout.flush()
            elif "err" in message:
                sys.stderr.write(message["err"])
                sys.stderr.flush()
            elif "exit" in message:
                return int(message["exit"])
    except KeyboardInterrupt:
        print("interrupted; the build server stops this build (and serves on), and earlier "
              "pages stay whole", file=sys.stderr)
        return 130
    except (OSError, ValueError):
        pass
    finally:
        conn.close()
    print("error: the build server stopped during the command; run it again (it runs on its "
          "own when no server answers)", file=sys.stderr)
    return 1


AUTO_IDLE_MINUTES = 15
# what a server prints (to its log, when started in the background) once warmed up
READY_LINE = "build server ready: the build's imports, templates and tables are loaded"


def auto_start_wanted(dry_run: bool = False) -> bool:
    """Whether a build that found no server starts one: not when off, under CI, or for a dry
    run (which runs no kernel)."""
    return socket_path() is not None and not os.environ.get("CI") and not dry_run


def start_in_background(idle_minutes: float = AUTO_IDLE_MINUTES,
                        start_lock: int | None = None) -> int | None:
    """Start `aijobs serve` for this suite, detached (its own session, output to a log file
    beside the socket), and return its pid; None if it cannot be started. Returns at once: the
    server imports while the caller runs its own command. `start_lock` (the start lock's file
    descriptor, see forward) is handed to the server, which lets it go once it listens."""
    path = socket_path()
    if path is None:
        return None
    _make_folder(Path(path).parent)
    why = unsafe(path, socket_too=False)
    if why:  # nothing is written into a folder someone else controls
        log.info("no build server started: %s", why)
        return None
    try:
        logfile = open(f"{path}.log", "ab")  # noqa: SIM115  (handed to the child)
    except OSError as exc:
        log.info("no build server started: %s", exc)
        return None
    env = {k: v for k, v in os.environ.items() if k != START_LOCK_VAR}
    if start_lock is not None:
        env[START_LOCK_VAR] = str(start_lock)
    with logfile:
        try:
            server = subprocess.Popen(
                [sys.executable, "-m", "aijobs.cli", "serve", "--idle-minutes",
                 f"{idle_minutes:g}"], stdin=subprocess.DEVNULL, stdout=logfile,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=paths.PROJECT_ROOT,
                env=env, pass_fds=() if start_lock is None else (start_lock,))
        except OSError as exc:
            log.info("no build server started: %s", exc)
            return None
    return server.pid


# ---- server ---------------------------------------------------------------------------------

class _Lines(io.TextIOBase):
    """A text stream that sends each write to the client as one JSON message."""

    def __init__(self, conn: socket.socket, key: str):
        self.conn, self.key, self.broken = conn, key, False

    def write(self, text: str) -> int:
        if text and not self.broken:
            try:
                self.conn.sendall(json.dumps({self.key: text}).encode() + b"\n")
            except OSError:  # the client went (Ctrl-C): its command is being stopped
                self.broken = True
        return len(text)

    def isatty(self) -> bool:
        return False


class _ClientGone(KeyboardInterrupt):
    """The client of the running command went away (its Ctrl-C): that command stops."""


class _Command:
    """The command being served: a thread watches its client, and when the client goes, the
    server's main thread, which runs the command, gets _ClientGone (through SIGINT, so that it
    also wakes from a wait), and the command stops as it would on Ctrl-C. The server's own
    Ctrl-C or SIGTERM during a command stops the command and then the server."""

    active = False
    gone = False
    stop_server = False

    @classmethod
    def watch(cls, conn: socket.socket) -> threading.Event:
        done = threading.Event()
        main = threading.main_thread().ident or 0

        def run() -> None:
            while not done.wait(0.1):
                try:
                    readable, _, _ = select.select([conn], [], [], 0)
                    if not readable or conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                        continue  # still there (it sends nothing after its request)
                except BlockingIOError:
                    continue
                except (OSError, ValueError):
                    pass  # reset: gone
                if done.is_set():
                    return
                cls.gone = True
                signal.pthread_kill(main, signal.SIGINT)
                return

        threading.Thread(target=run, name="aijobs-client-watch", daemon=True).start()
        return done


def _on_interrupt(*_) -> None:
    if _Command.gone:
        if _Command.active:
            raise _ClientGone
        return  # the command had already finished
    if _Command.active:
        _Command.stop_server = True
    raise KeyboardInterrupt


def _stop(*_) -> None:
    if _Command.active:
        _Command.stop_server = True
    raise KeyboardInterrupt


def serve(run_command, notebooks: list[Path], fingerprint, *, idle_minutes: float = 30.0,
          echo=print, warm_up=None) -> int:
    """Serve build commands until idle for `idle_minutes`, SIGTERM or Ctrl-C.

    `run_command(argv) -> int` runs one command line (the CLI's own); `fingerprint()` is the
    package's code fingerprint, compared at every command with the one at start. `warm_up()`
    is run once before the first command is taken (the socket already listens, so a command
    that comes meanwhile waits for it rather than running on its own), while the warm-kernel
    server imports in its own process: what a build imports and compiles on its first run is
    then ready for every command, the first included.
    """
    # the start lock, when a command started this server (see forward): held until it listens
    handed = os.environ.pop(START_LOCK_VAR, "")
    _start_lock_held[:] = [int(handed)] if handed.isdigit() else []
    try:
        return _serve(run_command, notebooks, fingerprint, idle_minutes, echo, warm_up)
    finally:
        _release_start_lock()


_start_lock_held: list[int] = []  # in a server started by a command: the start lock's fd


def _release_start_lock() -> None:
    """Let go of the start lock handed by the command that started this server (if any)."""
    while _start_lock_held:
        with contextlib.suppress(OSError):
            os.close(_start_lock_held.pop())


def _serve(run_command, notebooks: list[Path], fingerprint, idle_minutes: float, echo,
           warm_up) -> int:
    path = socket_path()
    if path is None:
        echo(f"error: {SERVER_VAR}=off; unset it to start a build server", file=sys.stderr)
        return 2
    _make_folder(Path(path).parent)
    why = unsafe(path, socket_too=False)
    if why:
        echo(f"error: cannot serve at {path}: {why}; choose another {SERVER_VAR} or remove it",
             file=sys.stderr)
        return 2
    lock = open(f"{path}.lock", "a")  # held for the server's life: one server per socket
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        echo(f"error: a build server already serves this suite ({path}); it goes on serving",
             file=sys.stderr)
        return 2
    with lock:
        return _serve_locked(path, run_command, notebooks, fingerprint, idle_minutes, echo,
                             warm_up)


def _serve_locked(path: str, run_command, notebooks: list[Path], fingerprint,
                  idle_minutes: float, echo, warm_up=None) -> int:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # a dead server's: a live one would hold the lock
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(16)
    _release_start_lock()  # listening: a command waiting to start a server now finds this one
    chosen = os.environ.get(SERVER_VAR)
    os.environ[SERVER_VAR] = "off"  # the commands it runs must not hand themselves back to it
    # a client that goes (Ctrl-C) while the server writes to it must not end the server
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _on_interrupt)
    started = fingerprint()
    me = identity()
    restart = False
    echo(f"build server for {paths.PROJECT_ROOT} listening at {path}; `aijobs build` and "
         f"`aijobs sweep` use it (stops after {idle_minutes:g} idle minutes, or Ctrl-C)")
    try:
        with zygote.warm_kernels(notebooks) as warm:
            if warm_up is not None:
                try:
                    warm_up()
                except Exception as exc:  # noqa: BLE001  (the commands then pay it themselves)
                    log.info("the build server's warm-up failed (%s: %s); its first command "
                             "imports what it needs", type(exc).__name__, exc)
            # the warm-kernel server's imports and tables, done before saying ready, so that the
            # first command's kernel does not wait for them
            if warm is not None and not zygote.wait_until_warm(warm):
                log.info("the warm-kernel server did not say it was warm; the first kernels "
                         "may load tables themselves")
            echo(READY_LINE)
            listener.settimeout(idle_minutes * 60)
            while not restart:
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    echo("idle: build server stopped")
                    break
                with conn:
                    uid = _peer_uid_or_none(conn)
                    if uid != os.getuid():
                        who = _owner(uid) if uid is not None else "an unknown user"
                        echo(f"refused a connection from {who}")
                        continue
                    restart = _handle(conn, run_command, me, started, fingerprint, echo,
                                      warm)
                if _Command.stop_server:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        echo("build server stopped")
    finally:
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if chosen is None:
        os.environ.pop(SERVER_VAR, None)
    else:
        os.environ[SERVER_VAR] = chosen
    if restart:  # the package's code changed: start again with the new code
        echo("the package's code changed: restarting the build server")
        os.execv(sys.executable, [sys.executable, "-m", "aijobs.cli", "serve",
                                  "--idle-minutes", f"{idle_minutes:g}"])
    return 0


def _peer_uid_or_none(conn: socket.socket) -> int | None:
    try:
        uid = peer_uid(conn)
    except OSError:
        return None
    return os.getuid() if uid is None else uid  # a platform without peer credentials


def _handle(conn: socket.socket, run_command, me: dict, started: str, fingerprint,
            echo, warm: str | None = None) -> bool:
    """Serve one command; True when the server must restart (its code is out of date)."""
    conn.settimeout(30)
    try:
        request = json.loads(conn.makefile("rb").readline(MAX_REQUEST_BYTES) or b"{}")
    except (OSError, ValueError):
        return False
    conn.settimeout(None)
    if not isinstance(request, dict) or request.get("identity") != me \
            or not isinstance(request.get("argv"), list):
        _send(conn, {"accepted": False})
        return False
    if fingerprint() != started:
        _send(conn, {"accepted": False})
        return True
    _send(conn, {"accepted": True})
    start = time.perf_counter()
    here, own_env = os.getcwd(), dict(os.environ)
    out, err = _Lines(conn, "out"), _Lines(conn, "err")
    code = 1
    _Command.gone = False
    watching = _Command.watch(conn)
    try:
        _Command.active = True
        os.chdir(request.get("cwd") or here)
        _use_environment(request.get("env"), warm)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run_command([str(a) for a in request["argv"]])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:  # the client went, or the server was told to stop
        code = 130
    except Exception as exc:  # never let one command take the server down
        err.write(f"error: the build server failed on this command ({type(exc).__name__}: "
                  f"{exc}); run it with {SERVER_VAR}=off\n")
    finally:
        _Command.active = False
        watching.set()
        os.chdir(here)
        os.environ.clear()
        os.environ.update(own_env)
        tempfile.tempdir = None  # tempfile caches the folder it found: the caller's
    if _Command.gone:
        code = 130
    _send(conn, {"exit": code})
    gone = " (the client went: stopped)" if _Command.gone else ""
    echo(f"{' '.join(map(str, request['argv']))}: exit {code}{gone} in "
         f"{time.perf_counter() - start:.2f} s")
    return False


def _use_environment(env, warm: str | None = None) -> None:
    """The command runs with the caller's environment (HOME for a ~ in a path, TMPDIR,
    AIJOBS_* settings...), as it would on its own; it never hands itself back to a server,
    and its kernels come from the server's warm-kernel server (`warm`), if any."""
    if isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str)
                                     for k, v in env.items()):
        os.environ.clear()
        os.environ.update(env)
    os.environ[SERVER_VAR] = "off"
    if warm:
        os.environ[zygote.SOCKET_VAR] = warm
    tempfile.tempdir = None  # tempfile caches the folder it found first: find the caller's


def _send(conn: socket.socket, message: dict) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(message).encode() + b"\n")
