"""Build the HTML reports: run each notebook of reports.yaml with papermill, render it, index it.

Every entry of reports.yaml (name, notebook, title, summary, parameters) becomes
reports/<name>.html; reports/index.html links them. The build:

- checks parameters against each notebook's `parameters` cell before any kernel starts;
- runs reports in parallel worker processes, each executing and rendering its notebook and
  handing the page back; only the process that holds the lock writes pages and the manifest,
  and workers die with it however it dies;
- rebuilds a report only when its inputs changed: the notebook, its parameters, the files the
  notebook read (recorded on each run), or the package's code; a manifest beside the pages
  holds the hashes (`--force` rebuilds all);
- writes each page to a temporary file and renames it into place only after a clean run, so a
  failure, or a build killed at any moment, never replaces a good page; the failed run's
  notebook is kept in reports/_failed/;
- holds a lock on the output folder, so a second build waits for the first;
- produces the same bytes for the same inputs (fixed element ids, no timestamps).
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from aijobs import paths
from aijobs.errors import BuildError
from aijobs.files import file_digest, sha256_text, write_atomic
from aijobs.reports import zygote
from aijobs.reports.cache import (
    MANIFEST_NAME,
    inputs_of,
    package_fingerprint,
    read_manifest,
    report_key,
    strip_inputs_outputs,
)
from aijobs.reports.config import (
    ReportSpec,
    load_report_specs,
    load_start_here,
    select_specs,
    shown_path,
)
from aijobs.reports.lifetime import die_with
from aijobs.reports.parameters import check_together, validated_parameters
from aijobs.reports.render import (
    BuildOptions,
    collect_figures,
    collect_key_figures,
    data_folder,
    ensure_plotly_js,
    render_report_html,
    settings_rows,
    suite_revision,
    write_index,
)
from aijobs.reports.scratch import remove_stale_scratch, scratch_prefix
from aijobs.reports.variants import record_variant, variant_spec, variants_dir, write_variants_index

log = logging.getLogger(__name__)
FAILED_DIR_NAME = "_failed"
DEFAULT_SCHEDULER_TIMEOUT = 60.0  # seconds for a dask scheduler's answer, and then for workers
LOCK_NAME = ".aijobs-build.lock"
DEFAULT_OPTIONS = BuildOptions()


@dataclass
class BuildResult:
    name: str
    status: str  # "built", "up to date" or "failed"
    seconds: float
    output: Path | None = None
    error: str | None = None
    inputs: list[str] = field(default_factory=list)
    page: str | None = None  # the rendered page, until published
    files: dict[str, bytes] = field(default_factory=dict)  # its charts' data, until published
    headline: str = ""  # the first chart's finding, for the index
    figures: int = 0  # charts on the page
    failed_notebook: bytes | None = None  # the executed notebook of a failed run
    bad_input: bool = False  # failed on the user's input (a parameter or file), not on code
    key_figures: dict[str, float] = field(default_factory=dict)  # display.record_key_figures
    kernel_notes: list[str] = field(default_factory=list)  # why its kernel was cold, if it was
    digests: dict[str, str] = field(default_factory=dict)  # sha256 of each file published

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# The suite's own errors (aijobs.errors), by name as a kernel reports them: raised inside a
# notebook, they say what is wrong with a parameter or an input file, where, and what would be
# right, as the same errors raised before any kernel starts do.
INPUT_ERRORS = ("DataError", "ParameterError", "BuildError")


def _input_error(exc: BaseException) -> str | None:
    """The message of a bad-input error raised inside a notebook, as one line, or None."""
    from papermill.exceptions import PapermillExecutionError  # deferred: see _failure_message

    if isinstance(exc, PapermillExecutionError) and exc.ename in INPUT_ERRORS:
        return " ".join(str(exc.evalue).split())
    return None


def _failure_message(spec: ReportSpec, exc: BaseException) -> str:
    # papermill costs about 1 s to import (measured); `aijobs list` and `params` never need it
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, BuildError):  # already names the report
        return f"{str(exc).rstrip('.')}."
    if isinstance(exc, PapermillExecutionError):
        return (f"{spec.name}: cell {exc.cell_index} of {spec.notebook.name} raised "
                f"{exc.ename}: {str(exc.evalue).rstrip('.')}.")
    return f"{spec.name}: {type(exc).__name__}: {str(exc).rstrip('.')}."


def run_report(spec: ReportSpec, *, overrides: dict[str, Any] | None = None,
               options: BuildOptions = DEFAULT_OPTIONS,
               warm_socket: str | None = None) -> BuildResult:
    """Run one report's notebook and render its page, writing nothing into the output folder.
    Its kernel comes from the warm-kernel server at `warm_socket` (None: a cold kernel).

    The page (or, on failure, the executed notebook) travels back in the result; only the
    process that holds the build lock publishes it (see publish), so a worker left running by
    a killed build can never write a page.
    """
    with _kernel_notes() as notes:
        result = _run_report(spec, used={**spec.parameters, **(overrides or {})},
                             options=options, warm_socket=warm_socket)
    result.kernel_notes = notes
    return result


# Where the kernel's start is logged: why a report got a cold kernel (see _kernel_notes)
KERNEL_LOGGERS = ("aijobs.reports.provisioner", "aijobs.reports.zygote")


class _Notes(logging.Handler):
    def __init__(self, notes: list[str]):
        super().__init__(logging.INFO)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append(record.getMessage())


@contextlib.contextmanager
def _kernel_notes():
    """What the kernel's start logs while inside, kept (not shown): a report may run in a
    worker process or on a dask worker, so its result carries them to the build, which logs
    them (`aijobs build -v` shows them)."""
    notes: list[str] = []
    handler = _Notes(notes)
    loggers = [logging.getLogger(name) for name in KERNEL_LOGGERS]
    before = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
        lg.propagate = False
    try:
        yield notes
    finally:
        for lg, (level, propagate) in zip(loggers, before, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate


def _run_report(spec: ReportSpec, *, used: dict[str, Any], options: BuildOptions,
                warm_socket: str | None) -> BuildResult:
    import papermill  # deferred: about 0.4 s to import (aijobs/__init__.py skips the slowest part)

    from aijobs.reports.kernel import kernel_config  # deferred with papermill: jupyter_client

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"{scratch_prefix('run')}{spec.name}-") as work:
        executed = Path(work) / f"{spec.name}.ipynb"
        try:
            nb = papermill.execute_notebook(
                str(spec.notebook), str(executed), parameters=used,
                cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False, log_output=False,
                kernel_name="python3",
                # written once at the end (and on failure), not after every cell: 0.3 s a report
                request_save_on_cell_execute=False,
                kernel_manager_class="aijobs.reports.kernel.IPCKernelManager",
                config=kernel_config(warm_socket),
                # The notebook has finished and its outputs are collected: no need to wait
                # for a graceful kernel exit (saves about 0.25 s a report).
                shutdown_kernel="immediate")
            inputs = inputs_of(nb)
            strip_inputs_outputs(nb)
            key_figures = collect_key_figures(nb, spec)
            files, alts = collect_figures(nb, spec.name, settings_rows(spec, used))
            page = render_report_html(nb, spec, used, options, inputs)
        except Exception as exc:  # the build goes on with the other reports
            message = _input_error(exc)
            if message is not None:  # the input, not the code: nothing to keep in _failed/
                return BuildResult(spec.name, "failed", time.perf_counter() - start,
                                   error=f"{spec.name}: {message}", bad_input=True)
            failed = executed.read_bytes() if executed.exists() else None
            return BuildResult(spec.name, "failed", time.perf_counter() - start,
                               error=_failure_message(spec, exc),
                               failed_notebook=failed)
    return BuildResult(spec.name, "built", time.perf_counter() - start, inputs=inputs,
                       page=page, files=files, headline=alts[0] if alts else "",
                       figures=len(alts), key_figures=key_figures)


def publish(result: BuildResult, reports_dir: Path) -> BuildResult:
    """Write a finished report's page (atomically) or keep its failed notebook in _failed/."""
    kept = reports_dir / FAILED_DIR_NAME / f"{result.name}.ipynb"
    try:
        if result.status == "built" and result.page is not None:
            folder = reports_dir / data_folder(result.name)
            for stale in folder.glob("*") if folder.is_dir() else []:
                if stale.name not in result.files:
                    stale.unlink()
            for file_name, content in result.files.items():
                write_atomic(folder / file_name, content)
                result.digests[f"{folder.name}/{file_name}"] = _digest(content)
            target = reports_dir / f"{result.name}.html"
            write_atomic(target, result.page)  # last: a page is never newer than its data
            result.digests[target.name] = _digest(result.page)
            kept.unlink(missing_ok=True)
            result.output, result.page, result.files = target, None, {}
        elif result.status == "failed" and result.failed_notebook is not None:
            write_atomic(kept, result.failed_notebook)
            result.failed_notebook = None
            result.error = (f"{result.error} The executed notebook is kept at "
                            f"{shown_path(kept)}.")
    except OSError as exc:  # a full disk, a folder made read-only during the build...
        result.status, result.page, result.failed_notebook = "failed", None, None
        result.error = (f"{result.name}: could not write into {shown_path(reports_dir)} "
                        f"({exc.strerror or exc}); the earlier page, if any, is unchanged.")
    return result


def _digest(content: str | bytes) -> str:
    return sha256_text(content.encode("utf-8") if isinstance(content, str) else content)


def _refuse_folders_in_place_of_files(reports_dir: Path) -> None:
    """A folder where the build writes a file (the index, its record) is refused before
    anything is written, so that "earlier results are unchanged" stays true."""
    for name, what in (("index.html", "the index page"), (MANIFEST_NAME, "the build record")):
        if (reports_dir / name).is_dir():
            raise BuildError(f"output folder {shown_path(reports_dir)}: {name} is a folder; "
                             f"expected {what} there (move the folder away)")


def checked_output_dir(reports_dir: Path, *, create: bool = True) -> Path:
    """The output folder, created if missing; a BuildError (one line) if it is a file, cannot
    be created or cannot be written to. `create=False` (a dry run) checks the same and creates
    nothing: a folder still to be made must have a folder it can be made in."""
    reports_dir = Path(reports_dir)
    where = shown_path(reports_dir)
    if reports_dir.exists() and not reports_dir.is_dir():
        raise BuildError(f"output folder {where}: is a file; expected a folder (one that does "
                         "not exist yet is created)")
    _refuse_folders_in_place_of_files(reports_dir)
    if not create:
        existing = reports_dir
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise BuildError(f"output folder {where}: cannot be created ({shown_path(existing)} "
                             "is a file); choose a folder you can write to")
        if not os.access(existing, os.W_OK | os.X_OK):
            what = "not writable" if existing == reports_dir else \
                f"cannot be created ({shown_path(existing)} is not writable)"
            raise BuildError(f"output folder {where}: {what}; choose a folder you can write "
                             "to, e.g. --output-dir ~/aijobs-reports")
        return reports_dir
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"output folder {where}: cannot be created ({exc.strerror or exc}); "
                         "choose a folder you can write to") from exc
    if not os.access(reports_dir, os.W_OK | os.X_OK):
        raise BuildError(f"output folder {where}: not writable; choose a folder you can write "
                         "to, e.g. --output-dir ~/aijobs-reports")
    return reports_dir


def build_one(spec: ReportSpec, reports_dir: Path = paths.REPORTS_DIR, *,
              overrides: dict[str, Any] | None = None,
              options: BuildOptions = DEFAULT_OPTIONS) -> BuildResult:
    """Run one report's notebook and write reports/<name>.html (atomically), in this process."""
    return publish(run_report(spec, overrides=overrides, options=options), Path(reports_dir))


class _WorkerStopped(BaseException):
    """In a report worker: the build stopped it (SIGTERM) while it ran a report."""


_worker_busy = False  # in a report worker: a report is running (see _stop_worker)
_worker_stop: Any = None  # in a report worker: the build's stop event (set: run nothing more)
_worker_kernels: Any = None  # in a report worker: aijobs.reports.provisioner (see _init_worker)


def _stop_worker(*_) -> None:
    """A report worker's SIGTERM handler: the build is ending (Ctrl-C, SIGTERM, a served
    client gone) and stops its workers (_stop_workers). From then on no kernel starts in the
    worker; a worker running a report leaves it through its clean-up (kernel, connection
    files, work folder), at once, or, if its kernel is starting, once the start is done (the
    kernel is then ended and the start raises LaunchRefused: interrupted halfway, a kernel
    would run on without its connection file, see provisioner.refuse_launches). From then on
    it runs no report, and it ends as the pool's workers end, when the pool tells it to. It
    prints nothing: the build's last line on stderr stays the build's own. That includes what
    asyncio would log as the report's event loop is torn down (a poll still pending when its
    kernel is ended: "Exception in callback ... Kernel died while waiting for execute reply",
    with a traceback, on the stderr of the build or of the build server that runs it)."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL + 1)  # the stop's own fallout
    starting = _worker_kernels is not None and _worker_kernels.refuse_launches()
    if _worker_busy and not starting:
        raise _WorkerStopped


def _run_report_star(args: tuple) -> BuildResult:
    global _worker_busy
    spec, overrides, options, warm_socket = args
    stopped = BuildResult(spec.name, "failed", 0.0, error=f"{spec.name}: stopped.")
    if _worker_stop is not None and _worker_stop.is_set():
        return stopped  # a report handed over before the build stopped: not started
    refused = _worker_kernels.LaunchRefused if _worker_kernels is not None else _WorkerStopped
    _worker_busy = True
    try:
        try:
            return run_report(spec, overrides=overrides, options=options,
                              warm_socket=warm_socket)
        except (_WorkerStopped, refused):  # left through run_report's clean-up (what that
            return stopped  # leaves of its kernel's files, the build removes once it is gone)
        finally:
            _worker_busy = False
    finally:
        # a kernel whose report was left halfway (stopped while nbclient started it) is ended
        # here, and the worker ends only after it: none outlives the build's last line
        if _worker_kernels is not None:
            _worker_kernels.end_started_kernels()


def _init_worker(build_pid: int, env: dict[str, str], cwd: str, stop: Any = None) -> None:
    """Worker initializer: the build's environment and folder (the fork server keeps those of
    the command that started it: under a build server, the server's own), and die with the
    build.

    Workers are forked by multiprocessing's fork server, which lives as long as any worker
    does, so they watch the build itself (lifetime.die_with). When a worker ends, the kernels
    it started go too: the warm-kernel server, which also dies with the build, kills a forked
    kernel whose caller's connection closes; a cold kernel polls its parent (ipykernel's
    JPY_PARENT_PID). Nothing outlives a killed build.

    `stop`, an event the build sets when it is interrupted: from then on the worker starts no
    report (see _stop_workers).
    """
    global _worker_stop, _worker_kernels
    _worker_stop = stop
    # the kernels this worker starts (imported already by the fork server: see worker_imports)
    from aijobs.reports import provisioner

    _worker_kernels = provisioner
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # tempfile caches the folder it found: find this build's
    with contextlib.suppress(OSError):
        os.chdir(cwd)
    # The build alone decides when its workers stop: Ctrl-C (sent to the terminal's whole
    # process group) reaches the build, which then stops them with SIGTERM (_stop_workers).
    # Until here SIGTERM was ignored, as the fork server ignores it (worker_imports).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    die_with(build_pid)


@contextlib.contextmanager
def _interruptions_held():
    """Hold Ctrl-C and SIGTERM while the pool starts its workers, then act on them.

    A worker is started in steps (the fork server forks it, then it reads what it needs from
    this process); interrupted in between, the pool would not know the worker, so the build
    could not stop it, and it would go on past the build's end, printing a traceback of its own
    once this process was gone. Held only in the main thread, where Python runs its signal
    handlers; the operating system's signal mask is left alone (workers would inherit it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous = {sig: handler for sig, handler in previous.items() if handler is not None}
    for sig in previous:
        signal.signal(sig, lambda signum, _frame: held.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if held:
            signal.raise_signal(held[0])  # now handled as it would have been


WORKER_STOP_SECONDS = 10.0  # how long stopped workers may take to end before SIGKILL


def _stop_workers(workers: list, stop) -> None:
    """Stop the report workers of an interrupted build (the pool is shut down already) and
    wait until they have ended, so that nothing they print follows the build's last line and
    no temporary file of theirs is left.

    The `stop` event tells every worker to start no report, also one still starting (which
    ignores SIGTERM until it is ready: killed then, it would break the pool, whose clean-up
    can then write to a pipe no worker reads); SIGTERM makes each worker leave the report it
    runs through its clean-up (see _stop_worker). Each then ends as a pool's worker does, when
    the pool tells it to; one that takes longer than WORKER_STOP_SECONDS is killed."""
    stop.set()
    for worker in workers:
        with contextlib.suppress(OSError, ValueError):
            worker.terminate()
    deadline = time.monotonic() + WORKER_STOP_SECONDS
    for worker in workers:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join(5)


def start_worker_server(*, wait: bool = False) -> None:
    """Start multiprocessing's fork server now, with this process's environment (a build
    server calls it before its first command: the fork server would otherwise be started by,
    and keep the environment and temporary folder of, whichever command came first).

    `wait`: return only once it has imported what the workers import (worker_imports), by
    starting one process through it that does nothing; otherwise it imports meanwhile."""
    context = _worker_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver  # deferred: only a build server starts it early

        forkserver.ensure_running()
        if wait:  # the fork server forks its first child once its imports are done
            nothing = context.Process(target=os.getpid, daemon=True)
            nothing.start()
            nothing.join()


@contextlib.contextmanager
def build_lock(reports_dir: Path, echo=print):
    """Exclusive lock on the output folder; a second build waits for the first."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    with open(reports_dir / LOCK_NAME, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            echo(f"another build is writing to {shown_path(reports_dir)}; "
                 "waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temporaries(reports_dir: Path) -> None:
    # Left by a build that was killed between writing a temporary page and renaming it.
    for tmp in reports_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def progress(total: int, echo=print):
    """Report the build as it goes: `line(text)` prints one line per report (numbered, e.g.
    "3/12 built  growth_rates  1.2 s") through `echo`, and `advance()` moves a tqdm bar that
    is drawn on standard error, below the lines, only when that is a terminal."""
    bar = tqdm(total=total, unit="report", file=sys.stderr, leave=False, dynamic_ncols=True,
               disable=not (echo is print and total and sys.stderr.isatty()),
               bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} reports [{elapsed}<{remaining}]")
    done = 0

    def line(text: str) -> None:
        nonlocal done
        done += 1
        numbered = f"{done}/{total} {text}"
        if bar.disable:
            echo(numbered)
        else:
            bar.write(numbered, file=sys.stdout)
        bar.update()

    try:
        yield line
    finally:
        bar.close()


def build_reports(names: list[str] | None = None, *, reports_dir: Path = paths.REPORTS_DIR,
                  overrides: dict[str, Any] | None = None, jobs: int | None = None,
                  show_code: bool = False, self_contained: bool = False, force: bool = False,
                  dry_run: bool = False, config: Path = paths.REPORTS_CONFIG,
                  specs: list[ReportSpec] | None = None, index: bool = True,
                  executor: str = "local", scheduler: str | None = None,
                  scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT,
                  warm_server: zygote.WarmKernelServer | None = None,
                  echo=print) -> list[BuildResult]:
    """Build the named reports (all by default), in parallel, skipping those up to date.

    The reports are those of `config` (notebooks/reports.yaml), or `specs` when given (a
    caller's own list, e.g. a sweep's variants or a test's). `overrides` (only with a single
    report) are checked against the notebook's parameters before anything runs. Returns one
    result per report. `dry_run` checks everything and returns "up to date" or "to build"
    results without running or writing anything. `index=False` leaves the folder's
    index.html to the caller (a sweep writes its gallery there).

    `executor` "local" runs the reports in a pool of worker processes on this machine; "dask"
    sends them to the dask.distributed scheduler at `scheduler` (see run_on_dask). Either way
    only this process, which holds the lock, writes into the output folder.

    `warm_server`: a warm-kernel server the caller started early, before it imported the
    suite, for a build whose every report is surely built; the caller stops it.
    """
    check_executor(executor, scheduler, scheduler_timeout)
    specs = load_report_specs(config) if specs is None else list(specs)
    chosen = select_specs(specs, names)
    if overrides:
        if len(chosen) != 1:
            raise BuildError("parameter overrides (-p) need exactly one report name")
        overrides = validated_parameters(chosen[0].notebook, overrides, from_text=True)
        check_together(chosen[0].notebook, {**chosen[0].parameters, **overrides})
        variant = None if chosen[0].variant else variant_spec(chosen[0], overrides)
        if variant is not None:  # changed values: a variant's own page, never the named one
            return _build_variant(variant, reports_dir, jobs=jobs, show_code=show_code,
                                  self_contained=self_contained, force=force, dry_run=dry_run,
                                  executor=executor, scheduler=scheduler, echo=echo)
    options = BuildOptions(show_code=show_code, self_contained=self_contained)
    if dry_run:
        checked_output_dir(reports_dir, create=False)  # what the build would refuse
        manifest, package = read_manifest(Path(reports_dir)), package_fingerprint()
        return [BuildResult(spec.name, "up to date" if _is_fresh(
            spec, {**spec.parameters, **(overrides or {})}, Path(reports_dir), manifest,
            options, package) and not force else "to build", 0.0) for spec in chosen]
    reports_dir = checked_output_dir(reports_dir)
    with contextlib.ExitStack() as early, build_lock(reports_dir, echo):
        # Surely needed (--force, or a page missing): the warm-kernel server (and the report
        # workers' fork server) start now, so that their imports overlap the work below
        # (hashing the package, the freshness of every page); stopped if nothing is built.
        server = early.enter_context(_early_servers(chosen, reports_dir, force, executor, jobs,
                                                    warm_server))
        warm = None if server is None else server.path
        _remove_stale_temporaries(reports_dir)
        remove_stale_scratch()  # what a build killed with SIGKILL left in the temporary folder
        if not self_contained:
            ensure_plotly_js(reports_dir)
        manifest = read_manifest(reports_dir, set_aside=True, echo=echo)
        package = package_fingerprint()
        results: list[BuildResult] = []
        todo = []
        for spec in chosen:
            used = {**spec.parameters, **(overrides or {})}
            entry = manifest.get(spec.name, {})
            page = reports_dir / f"{spec.name}.html"
            if not force and _is_fresh(spec, used, reports_dir, manifest, options, package):
                results.append(BuildResult(spec.name, "up to date", 0.0, output=page,
                                           inputs=entry.get("inputs", [])))
            else:
                todo.append(spec)
        if not todo:
            early.close()  # started for nothing after all: stopped before anything is said
            warm = None
        else:  # one commit for every page of this build (two git commands each, otherwise)
            options = replace(options, revision=suite_revision())
        with progress(len(chosen), echo) as line:
            for result in results:
                line(f"up to date {result.name}")
            runs = (_run(todo, overrides, options, jobs, warm) if executor == "local"
                    else run_on_dask(todo, overrides, options, scheduler,
                                     scheduler_timeout, echo))
            try:
                _publish_all(runs, chosen, overrides, options, reports_dir, manifest, package,
                             results, line)
            finally:
                # closed now, not when collected: an interrupted build's workers stop here
                # (a build server's kept the stopped pool's manager thread, and hung at exit)
                runs.close()
            if server is not None:  # no kernel is wanted any more: it ends while the index
                server.end()        # is written (stopped, and waited for, on leaving)
        if index and index_wanted(results):
            write_index(specs, reports_dir, manifest, load_start_here(config))
    order = {s.name: i for i, s in enumerate(chosen)}
    return sorted(results, key=lambda r: order[r.name])


def _build_variant(variant: ReportSpec, reports_dir: Path, *, echo=print,
                   **options: Any) -> list[BuildResult]:
    """Build a variant (reports/variants.py) into reports_dir/variants/ and refresh that
    folder's gallery; the named report's page and the main index are not touched."""
    folder = variants_dir(reports_dir)
    results = build_reports(reports_dir=folder, specs=[variant], index=False, echo=echo,
                            overrides=(variant.variant or {})["values"], **options)
    if not options.get("dry_run") and any(r.ok for r in results):  # a failed one: no entry
        with build_lock(folder, echo):
            record_variant(folder, variant)
            write_variants_index(folder, read_manifest(folder))
    return results


def index_wanted(results: list[BuildResult]) -> bool:
    """Whether a build refreshes the folder's index: when nothing failed, or some page was
    built. A build whose every report failed or stayed as it was changes nothing in the
    folder, the index neither (its data line and cards would say what the failed inputs say,
    about pages that did not change)."""
    return all(r.ok for r in results) or any(r.status == "built" for r in results)


def _publish_all(runs, chosen: list[ReportSpec], overrides, options, reports_dir: Path,
                 manifest: dict, package: str, results: list[BuildResult], line) -> None:
    """Publish each report as its run finishes, recording it in the manifest (called by the
    process that holds the lock)."""
    for result in runs:
        for note in result.kernel_notes:
            log.info("%s: %s", result.name, note)
        results.append(publish(result, reports_dir))
        if result.status == "built":
            spec = next(s for s in chosen if s.name == result.name)
            used = {**spec.parameters, **(overrides or {})}
            manifest[spec.name] = {"key": report_key(spec, used, options, package,
                                                     result.inputs),
                                   "inputs": result.inputs, "headline": result.headline,
                                   "parameters": used,
                                   "options": {"show_code": options.show_code,
                                               "self_contained": options.self_contained},
                                   "figures": result.figures,
                                   "key_figures": result.key_figures,
                                   "files": result.digests,
                                   "built": datetime.date.today().isoformat()}
            write_atomic(reports_dir / MANIFEST_NAME,
                         json.dumps(manifest, indent=1, sort_keys=True))
        label = "built     " if result.ok else "FAILED    "
        line(f"{label} {result.name:<26} {result.seconds:5.1f} s"
             + (f"\n    {result.error}" if result.error else ""))


def page_states(reports_dir: Path = paths.REPORTS_DIR,
                config: Path = paths.REPORTS_CONFIG) -> dict[str, str]:
    """{report: "up to date", "out of date" or "missing"} for the pages in reports_dir, each
    judged with the parameters it was built with (a page a user built with -p is up to date
    as long as its notebook, data and code have not changed since)."""
    reports_dir = Path(reports_dir)
    manifest, package = read_manifest(reports_dir), package_fingerprint()
    states = {}
    for spec in load_report_specs(config):
        entry = manifest.get(spec.name)
        if not (reports_dir / f"{spec.name}.html").exists() or not entry:
            states[spec.name] = "missing"
            continue
        fresh = _is_fresh(spec, entry.get("parameters", spec.parameters), reports_dir,
                          manifest, BuildOptions(**entry.get("options", {})), package)
        states[spec.name] = "up to date" if fresh else "out of date"
    return states


def _is_fresh(spec: ReportSpec, used: dict[str, Any], reports_dir: Path, manifest: dict,
              options: BuildOptions, package: str) -> bool:
    """Up to date: the same inputs (the key), and every file the build published for it (the
    page and its charts' data) still holds the bytes it wrote (a truncated page, a deleted or
    edited chart CSV is rebuilt)."""
    entry = manifest.get(spec.name, {})
    files = entry.get("files")
    if not isinstance(files, dict) or f"{spec.name}.html" not in files:
        return False  # recorded before digests were: rebuilt once
    if entry.get("key") != report_key(spec, used, options, package, entry.get("inputs", [])):
        return False
    return all(file_digest(reports_dir / name) == digest for name, digest in files.items())


def _worker_context():
    """How report workers start: forked from multiprocessing's fork server, which imports
    papermill, nbconvert and this module once for all of them (about 1 s each, measured);
    where there is no fork server, spawned, each importing for itself. Never forked from this
    process, which may hold threads and zmq contexts that must not be copied."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["aijobs.reports.worker_imports",
                                    "aijobs.reports.fork_server"])
    return context


def default_jobs() -> int:
    """Reports built at once unless told: one more than the cores. A report's worker and its
    kernel hand the work to each other at every cell, so with one worker per core a core
    often waits; a third worker on 2 cores fills those gaps (measured: 7.4 s against 8.0 s
    for a cold build of the 12 reports, means of 5 alternating builds each; a fourth did not
    help)."""
    return (os.cpu_count() or 1) + 1


@contextlib.contextmanager
def _early_servers(chosen: list[ReportSpec], reports_dir: Path, force: bool, executor: str,
                   jobs: int | None, started: zygote.WarmKernelServer | None = None):
    """Start this build's warm-kernel server (yield it) when some report is surely
    built (--force, or a page missing), and the report workers' fork server when two or more
    are; else yield None (the servers start later, when the freshness of every page is known,
    if anything is to be built). Not for dask, with cold kernels asked for, or when a build
    server's warm-kernel server is in the environment (that one serves). The warm-kernel server
    stops on leaving, whatever happened meanwhile.

    `started`: a warm-kernel server the command started before it imported the suite, for a
    build whose every report is surely built (see cli); it is told here what to warm for, and
    its starter stops it."""
    if executor != "local" or zygote.cold_kernels_asked() or os.environ.get(zygote.SOCKET_VAR):
        yield None
        return
    missing = chosen if started is not None else \
        [s for s in chosen if force or not (reports_dir / f"{s.name}.html").is_file()]
    if not missing:
        yield None
        return
    at_once = jobs or default_jobs()
    with (contextlib.nullcontext(started) if started is not None
          else zygote.warm_kernel_server()) as server:
        # first, as the warm-kernel server's imports are what the first kernel waits for;
        # tables loaded by the server only if some kernel may start after the first ones have
        if server is not None:
            server.plan(sorted({s.notebook for s in chosen}), tables=len(chosen) > at_once)
        if len(missing) > 1 and at_once > 1:
            start_worker_server()
        yield server


def _run(todo: list[ReportSpec], overrides, options: BuildOptions, jobs: int | None,
         started: str | None = None):
    if not todo:
        return
    jobs = max(1, min(jobs or default_jobs(), len(todo)))
    # One server of warm kernels for the whole build: it imports what the notebooks import
    # while this process and its workers import papermill, then forks a fresh kernel per report.
    # (A build server keeps one for its whole life and names it in the environment: that one;
    # `started`, this build's own, already started by build_reports: see _early_servers.)
    served = None if zygote.cold_kernels_asked() else os.environ.get(zygote.SOCKET_VAR)
    try:
        yield from _run_in_pool(todo, overrides, options, jobs, served, started)
    except BaseException:
        # interrupted: the workers have ended, each after the kernels it started (a kernel
        # stopped while starting can leave its connection file and sockets, named with its
        # worker's pid): remove what they left. A report run in this process (-j 1, a served
        # one-report build) may have left its kernel starting: it is ended first.
        kernels = sys.modules.get("aijobs.reports.provisioner")
        if kernels is not None:
            kernels.end_started_kernels()
        remove_stale_scratch()
        raise


def _run_in_pool(todo: list[ReportSpec], overrides, options: BuildOptions, jobs: int,
                 served: str | None, started: str | None = None):
    with (contextlib.nullcontext(served or started) if served or started
          else zygote.warm_kernels(sorted({s.notebook for s in todo}),
                                   tables=len(todo) > jobs)) as warm:
        if served:
            log.info("warm kernels from the build server's warm-kernel server (%s)", served)
        elif warm is None:
            log.info("cold kernels: %s", zygote.why_cold())
        tasks = [(s, overrides, options, warm) for s in todo]
        if jobs == 1:
            yield from map(_run_report_star, tasks)
            return
        earlier = set(multiprocessing.active_children())  # a build server's other children
        context = _worker_context()
        stop = context.Event()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                 initializer=_init_worker,
                                 initargs=(os.getpid(), dict(os.environ), os.getcwd(),
                                           stop)) as pool:
            try:
                with _interruptions_held():  # every worker started is one the pool knows
                    futures = [pool.submit(_run_report_star, t) for t in tasks]
                for future in as_completed(futures):
                    yield future.result()
                # every report is in: the workers end on their own, while the build writes
                # its index and ends (a build that ends waits for them at exit)
                pool.shutdown(wait=False)
            except BaseException:  # Ctrl-C, SIGTERM, a served client gone: no report starts
                # any more; those under way stop, clean up and are not published, and the
                # build waits for their workers to end before it says anything more
                pool.shutdown(wait=False, cancel_futures=True)
                _stop_workers([p for p in multiprocessing.active_children()
                               if p not in earlier], stop)
                raise


# a dask scheduler's address: [protocol://]host:port (host a name, IPv4, or [IPv6])
SCHEDULER_RE = re.compile(r"(?:(tcp|tls|ws|wss|ucx)://)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])"
                          r":(\d{1,5})/?")


def check_executor(executor: str, scheduler: str | None,
                   timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> None:
    """A BuildError (one line) unless the executor, scheduler and timeout go together and the
    scheduler's address can be one (checked before dask sees it)."""
    if executor not in ("local", "dask"):
        raise BuildError(f"--executor {executor!r}: expected local or dask")
    if executor == "local" and scheduler:
        raise BuildError("--scheduler goes with --executor dask")
    if executor == "dask" and not scheduler:
        raise BuildError("--executor dask needs --scheduler ADDRESS, e.g. "
                         "--scheduler tcp://10.0.0.5:8786 (a running dask scheduler)")
    if scheduler:
        found = SCHEDULER_RE.fullmatch(scheduler)
        if not found or not 1 <= int(found.group(3)) <= 65535:
            raise BuildError(f"--scheduler {scheduler[:80]!r}: not a scheduler address; "
                             "expected tcp://HOST:PORT with a port from 1 to 65535, e.g. "
                             "tcp://10.0.0.5:8786")
    if not (isinstance(timeout, int | float) and 0 < timeout <= 86400):
        raise BuildError(f"--timeout {timeout!r}: expected a number of seconds above 0 and at "
                         "most 86400 (a day)")


def _connect_to_dask(client_class, scheduler: str, timeout: float):
    """A dask Client, or a BuildError within `timeout` seconds (and as many more, at most 5,
    for the client to give its own error first): the client's own timeout covers the
    connection, not a scheduler that accepts it and never answers, so the client is made in
    a thread that the build stops waiting for."""
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = client_class(scheduler, timeout=f"{timeout:g}s")
        except BaseException as exc:  # noqa: BLE001  (handed to the waiting thread)
            box["error"] = exc

    thread = threading.Thread(target=connect, name="aijobs-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + min(timeout, 5.0))
    if thread.is_alive():
        raise BuildError(f"--scheduler {scheduler}: the dask scheduler did not answer within "
                         f"{timeout:g} s (nothing, or something other than a dask scheduler, "
                         "is listening there); check the address, or give it longer with "
                         "--timeout SECONDS")
    if "error" in box:
        exc = box["error"]
        raise BuildError(f"--scheduler {scheduler}: no dask scheduler answered "
                         f"({' '.join(str(exc).split())[:160] or type(exc).__name__}); start "
                         "one with `dask scheduler` or give its tcp:// address")
    return box["client"]


def _wait_for_workers(client, scheduler: str, timeout: float, echo) -> None:
    """Return once the scheduler has a worker; say so while waiting; a BuildError after
    `timeout` seconds without one."""
    if client.scheduler_info().get("workers"):
        return
    waited, step = 0.0, 5.0
    while waited < timeout:
        echo(f"waiting for workers ({waited:g} s of {timeout:g} s): the dask scheduler at "
             f"{scheduler} has none")
        chunk = min(step, timeout - waited)
        try:
            client.wait_for_workers(1, timeout=chunk)
            return
        except (TimeoutError, OSError):  # asyncio's and dask's timeouts are TimeoutError
            waited += chunk
    raise BuildError(f"--scheduler {scheduler}: no dask worker joined within {timeout:g} s; "
                     f"start one with `dask worker {scheduler}`, or give it longer with "
                     "--timeout SECONDS")


def run_on_dask(todo: list[ReportSpec], overrides, options: BuildOptions,
                scheduler: str | None, timeout: float = DEFAULT_SCHEDULER_TIMEOUT,
                echo=print):
    """Run the reports on a dask.distributed cluster; yield each result as it finishes.

    The workers need the suite installed and the project at the same path as here (a shared
    or identical checkout): they run the notebooks and render the pages, and send the pages
    back; nothing is written on their side.
    """
    if not todo:
        return
    try:
        # deferred and optional: only this executor needs dask (the 'cluster' extra)
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise BuildError("--executor dask needs the distributed package: pip install -e "
                         "'.[cluster]' in the project folder (or pip install distributed)") from exc
    scheduler = str(scheduler)  # checked (check_executor): dask needs one
    client = _connect_to_dask(Client, scheduler, timeout)
    try:
        _wait_for_workers(client, scheduler, timeout, echo)
    except BaseException:
        client.close()
        raise
    # deferred with distributed itself (see above): each worker gets warm kernels
    from aijobs.reports.dask_workers import run_with_warm_kernels, warm_kernels_on

    with client, warm_kernels_on(client, sorted({s.notebook for s in todo})):
        futures = {client.submit(run_with_warm_kernels, _run_report_star,
                                 (spec, overrides, options), pure=False): spec
                   for spec in todo}
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker itself died or lost the task
                spec = futures[future]
                yield BuildResult(spec.name, "failed", 0.0,
                                  error=f"{spec.name}: the dask worker failed "
                                        f"({type(exc).__name__}: {exc}).")


def print_failures(results: list[BuildResult]) -> int:
    """Say what failed on stderr; the exit status: 0, 2 when every failure was the user's
    input (one line each, as every bad input gets; the earlier pages stay), else 1."""
    failed = [r for r in results if not r.ok]
    if failed and all(r.bad_input for r in failed):
        for r in failed:
            print(f"error: {r.error}", file=sys.stderr)
        return 2
    if failed:
        print(f"{len(failed)} of {len(results)} report(s) failed; earlier good versions were "
              "left in place:", file=sys.stderr)
        for r in failed:
            print(f"  {r.error}", file=sys.stderr)
        return 1
    return 0
