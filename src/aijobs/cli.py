"""Command line: `aijobs build`, `aijobs sweep`, `aijobs serve`, `aijobs params`, `aijobs validate`,
`aijobs list`.

A thin wrapper: each command is one call into aijobs.reports.build, aijobs.reports.parameters or
aijobs.data.tables. Errors print one message to stderr and exit with status 2 (bad input) or 1
(a report failed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from aijobs import paths
from aijobs.errors import AijobsError, DataError, ParameterError
from aijobs.reports import build_server, zygote

if TYPE_CHECKING:  # bound by _load_suite at run time
    from aijobs.reports import build, config, sweep
    from aijobs.reports.parameters import notebook_parameters


def _load_suite() -> None:
    # deferred: the report modules pull in pandas, pandera and pydantic (0.7 s, measured), which
    # a command handed to the build server never needs
    global build, config, sweep, notebook_parameters
    from aijobs.reports import build, config, sweep  # (see above)
    from aijobs.reports.parameters import notebook_parameters  # (see above)


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (what, and where to read the usage)."""

    def error(self, message: str):
        hint = ("; a value that starts with '-' goes after '=', as in --params='-p NAME -1'"
                if "expected 2 arguments" in message else "")
        self.exit(2, f"error: {self.prog}: {message}{hint} (see {self.prog} --help)\n")


class _ToStderr(logging.Handler):
    """Log lines to whatever sys.stderr is when they come (the build server redirects it to
    the client of each command)."""

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            sys.stderr.write(f"{self.format(record)}\n")


_HANDLER = _ToStderr()
_HANDLER.setFormatter(logging.Formatter("aijobs: %(message)s"))


def _log_to_stderr(verbose: bool) -> None:
    """The suite's log on stderr: with -v, why a warm kernel or the build server was not used
    (and other INFO lines); without, warnings only."""
    logger = logging.getLogger("aijobs")
    if _HANDLER not in logger.handlers:
        logger.addHandler(_HANDLER)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def _jobs(text: str) -> int:
    """-j/--jobs: a whole number of reports at once, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number, 1 or more") \
            from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {value}; expected 1 or more (how many to build at "
                                         "once)")
    return value


def _folder(text: str) -> str:
    """--output-dir: a folder's path; empty is refused (it would mean the default folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("got an empty path; expected a folder, or leave "
                                         "--output-dir out for the default")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aijobs", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    verbose = _Parser(add_help=False)
    verbose.add_argument("-v", "--verbose", action="store_true",
                         help="say why a warm kernel or the build server was not used")

    b = sub.add_parser("build", parents=[verbose],
                       help="build HTML reports into reports/ (all, or those named)")
    b.add_argument("names", nargs="*", help="report names from reports.yaml (default: all)")
    b.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   default=[], help="override a notebook parameter (one report only); "
                                    "repeatable, e.g. -p region_multiplier 0.8")
    b.add_argument("--params", default="", metavar="TEXT",
                   help="parameters as one text, as make's PARAMS passes them: "
                        "'-p NAME VALUE -p NAME VALUE'; a VALUE runs up to the next -p")
    b.add_argument("--dry-run", action="store_true",
                   help="check the configuration and parameters, say what would be built, "
                        "and build nothing")
    b.add_argument("-j", "--jobs", type=_jobs, default=None,
                   help="reports built at once (default: one more than the number of cores)")
    b.add_argument("--show-code", action="store_true", help="include the code cells in pages")
    b.add_argument("--force", action="store_true",
                   help="rebuild every report, even those whose inputs have not changed")
    b.add_argument("--self-contained", action="store_true",
                   help="inline plotly.js into each page (single files to mail; about 5 MB each)")
    b.add_argument("--output-dir", default=None, type=_folder,
                   help=f"folder for the pages (default: {paths.REPORTS_DIR})")

    sw = sub.add_parser("sweep", parents=[verbose],
                        help="build one report for every combination of parameter values, "
                             "with a gallery page and a CSV")
    sw.add_argument("name", help="the report to sweep (see aijobs list)")
    sw.add_argument("-g", "--grid", nargs=2, action="append", metavar=("NAME", "VALUES"),
                    default=[], help="a parameter and its values, separated by commas; "
                                     "repeatable: the sweep is every combination, e.g. "
                                     "-g normalization_rate 0.05,0.15 -g horizon_years 5,10")
    sw.add_argument("--grid-text", default="", metavar="TEXT",
                    help="the grid as one text, as make's GRID passes it: "
                         "'-g NAME VALUES -g NAME VALUES'")
    sw.add_argument("-j", "--jobs", type=_jobs, default=None,
                    help="variants built at once on this machine (default: one more than the "
                         "number of cores)")
    sw.add_argument("--force", action="store_true", help="rebuild every variant")
    sw.add_argument("--dry-run", action="store_true",
                    help="check every variant's parameters and say what would be built")
    sw.add_argument("--executor", default="local", choices=["local", "dask"],
                    help="where variants run: local worker processes (default) or a dask "
                         "cluster (needs --scheduler)")
    sw.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="the dask scheduler, e.g. tcp://10.0.0.5:8786")
    sw.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                    help="with --executor dask: how long to wait for the scheduler's answer, "
                         "and then for a worker (default 60)")
    sw.add_argument("--output-dir", default=None, type=_folder,
                    help=f"folder for the pages (default: {paths.REPORTS_DIR}); the sweep "
                         "goes into its sweeps/<name>/")

    se = sub.add_parser("serve", parents=[verbose],
                        help="keep the build warm between commands: while this runs, "
                             "aijobs build and aijobs sweep hand their work to it")
    se.add_argument("--idle-minutes", type=float, default=30.0,
                    help="stop after this many minutes without a command (default 30)")

    p = sub.add_parser("params", help="list each report notebook's parameters")
    p.add_argument("names", nargs="*", help="report names (default: all)")

    li = sub.add_parser("list", help="list the reports in reports.yaml")
    for command in (b, sw, p, li):
        command.add_argument("--config", default=None, metavar="FILE",
                             help="the reports' configuration (default: "
                                  "notebooks/reports.yaml; notebooks are read from notebooks/)")
    d = sub.add_parser("survey-derive",
                       help="recompute data/derived/ (survey evidence) from an aijobs.net file")
    d.add_argument("survey", help="path of the survey's salaries.csv (or .json)")
    d.add_argument("--date", default=None, help="date recorded in the sidecars (YYYY-MM-DD; "
                                                "default today)")
    d.add_argument("--output-dir", default=None, type=_folder, help="folder (default data/derived)")
    sd = sub.add_parser("sources-derive",
                        help="recompute data/derived/ OEWS and Indeed tables from their files")
    sd.add_argument("--oews", default=None, help="folder of BLS OEWS national_MYYYY_dl.xlsx "
                                                 "workbooks (default ../shared/data/"
                                                 "bls-oews-national)")
    sd.add_argument("--indeed", default=None, help="folder of the Indeed Hiring Lab CSV files "
                                                   "(default ../shared/data/indeed-hiring-lab)")
    sd.add_argument("--date", default=None, help="date recorded in the sidecars (YYYY-MM-DD; "
                                                 "default: kept while the files are the same, "
                                                 "else today)")
    sd.add_argument("--output-dir", default=None, type=_folder,
                    help="folder (default data/derived)")
    v = sub.add_parser("validate", help="validate every table in data/ (or one file)")
    v.add_argument("table", nargs="?", help="table name, e.g. salary_bands")
    v.add_argument("--file", default=None,
                   help=("check this CSV against the table's schema (without a table name: "
                         "against the one table whose columns its header has)"))
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (see main)."""


def _terminated(*_) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends it at once
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # run as a command: end quietly when the reader of stdout goes (| head)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = _parser().parse_args(argv)
    _log_to_stderr(getattr(args, "verbose", False))
    if args.command in ("build", "sweep"):
        handed = build_server.forward(
            list(sys.argv[1:] if argv is None else argv),
            when_none=_start_build_server if build_server.auto_start_wanted(args.dry_run)
            else None)
        if handed is not None:
            return handed
        if argv is None:
            # SIGTERM ends the command as Ctrl-C would, through its clean-up: the pages being
            # built are dropped, the workers, kernels and warm-kernel server stop, and their
            # temporary files go (killed outright, they stayed in the temporary folder)
            signal.signal(signal.SIGTERM, _terminated)
    early = contextlib.ExitStack()
    try:
        started = early.enter_context(_warm_kernels_early(args))
        _load_suite()  # inside: a SIGTERM or Ctrl-C while importing ends as one line too
        if args.command == "serve":
            return _serve(args)
        if args.command == "build":
            return _build(args, started)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "params":
            for spec in config.select_specs(config.load_report_specs(_config(args)),
                                            args.names):
                print(f"{spec.name}  ({spec.notebook.name})")
                for param in notebook_parameters(spec.notebook).values():
                    value = spec.parameters.get(param.name, param.default)
                    allowed = f"  ({param.allowed()})" if param.allowed() else ""
                    print(f"  {param.name}: {param.type} = {value!r}{allowed}\n"
                          f"      {param.comment}")
            return 0
        if args.command == "list":
            for spec in config.load_report_specs(_config(args)):
                print(f"{spec.name:<26} {spec.title}")
            return 0
        if args.command == "survey-derive":
            from aijobs.survey import evidence  # pandas: only when needed (see validate)

            out = Path(args.output_dir) if args.output_dir else evidence.DERIVED_DIR
            written = evidence.write_derived(args.survey, out, args.date)
            print(f"wrote {len(written)} files to {out}")
            return 0
        if args.command == "sources-derive":
            from aijobs.sources import derived  # pandas and openpyxl: only when needed

            out = Path(args.output_dir) if args.output_dir else derived.DERIVED_DIR
            written = derived.write_derived(args.oews or derived.OEWS_DIR,
                                            args.indeed or derived.INDEED_DIR, out, args.date)
            print(f"wrote {len(written)} files to {out}")
            return 0
        if args.command == "validate":
            from aijobs.data import tables  # pandas: only when needed, so other commands start fast

            if args.table:
                names = [args.table]
            else:  # a file is checked against the one table its header fits
                names = [tables.table_for_file(args.file)] if args.file else tables.list_tables()
            for name in names:
                frame = tables.load_table(name, args.file)
                print(f"ok  {frame.attrs['source_file']}: {len(frame)} rows, table '{name}'")
            if not args.file:  # a derived set is whole: every member from one run
                problems = tables.run_problems(names if args.table else None)
                if problems:
                    raise DataError(problems[0])
            return 0
    except AijobsError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)  # always one line
        return 2
    except OSError as exc:  # the file system refused: a full disk, a read-only folder, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; nothing was half-written, earlier results "
              "are unchanged", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        how = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        print(f"{how}; earlier results are unchanged", file=sys.stderr)
        return 143 if isinstance(exc, _Terminated) else 130
    finally:
        early.close()
    return 0


def _output_dir(args: argparse.Namespace) -> Path:
    """The folder a build or sweep writes: --output-dir, resolved, or reports/."""
    return Path(args.output_dir).resolve() if args.output_dir else paths.REPORTS_DIR


def _warm_kernels_early(args: argparse.Namespace):
    """A build's warm-kernel server, started before the suite is imported (0.2 s of imports,
    which its own imports then overlap; its imports are what the first kernels wait for), when
    every report of this `aijobs build` is surely built: --force, or no build record in the
    output folder. Not for a dry run, a variant (-p: built into variants/), or a command a
    build server runs (its own warm-kernel server serves). Else a null context: the build
    starts its server itself once it knows what is to be built."""
    if (args.command != "build" or args.dry_run or args.parameter or args.params.strip()
            or os.environ.get(zygote.SOCKET_VAR)):
        return contextlib.nullcontext()
    out = _output_dir(args)
    if not args.force and os.path.exists(out / paths.MANIFEST_NAME):
        return contextlib.nullcontext()
    return zygote.warm_kernel_server()


def _start_build_server(start_lock: int | None = None) -> None:
    """Start a build server for the next commands (this one runs on its own) and say so;
    `start_lock` is handed to it (see build_server.forward)."""
    pid = build_server.start_in_background(start_lock=start_lock)
    if pid is not None:
        print(f"aijobs: started a build server (pid {pid}) to make the next builds fast; it "
              f"stops after {build_server.AUTO_IDLE_MINUTES} idle minutes, or now with "
              f"`kill {pid}` (AIJOBS_BUILD_SERVER=off: never start one)", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    from aijobs.reports.cache import package_fingerprint  # with the suite (see _load_suite)

    notebooks = sorted({s.notebook for s in config.load_report_specs()})
    code = build_server.serve(lambda argv: main(argv), notebooks, package_fingerprint,
                              idle_minutes=args.idle_minutes, warm_up=_warm_build_server)
    # Everything the server owns is released by now (its socket removed, its warm-kernel
    # server stopped, no worker left running: a stopped build stops its workers and waits for
    # them, see build._run; the fork server and resource tracker end when their pipes close),
    # so the interpreter ends normally.
    return code


def _warm_build_server() -> None:
    """Before a build server takes its first command: import in this process what a build
    imports on its first report (a one-report build runs here, not in a worker: papermill,
    nbconvert, IPython, the compiled templates; worker_imports), then start the report
    workers' fork server, with the server's environment rather than its first caller's, and
    wait until it has imported what the workers import (else a first command right after
    the server says it is ready shares the cores with those imports).
    Counted with cProfile (one-report builds in one process, as a server runs them): the
    first made 2.01 million calls (841 imports, 12 template compilations) against 0.59
    million for the second and third (2 imports, none); after this warm-up the first makes
    0.595 million (7 imports, none). The fork server starts last, so that its own import of
    the same modules does not compete for the cores with this one's and the warm-kernel
    server's."""
    # worker_imports makes the process that imports it ignore SIGTERM (it is meant for the
    # workers' fork server); the build server must keep its own handler, or `kill` and the
    # tests' stop would no longer end it
    handler = signal.getsignal(signal.SIGTERM)
    try:
        # deferred: papermill, nbconvert and IPython, which only a build server imports up front
        import aijobs.reports.worker_imports  # noqa: F401  (imported for what it loads)
    finally:
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)

    build.start_worker_server(wait=True)


def _config(args: argparse.Namespace) -> Path:
    return Path(args.config).resolve() if args.config else paths.REPORTS_CONFIG


def _from_caller(name: str, value: str) -> str:
    """A relative `*_path` parameter made absolute from the caller's working directory (the
    notebooks run in notebooks/, where a relative path would point elsewhere)."""
    if name.endswith("_path") and value.strip():
        return os.path.abspath(os.path.expanduser(value.strip()))
    return value


def _json_string(text: str) -> str:
    """A double-quoted value: the string it spells as JSON, or the text inside the quotes when
    it is not a JSON string (a Windows path with backslashes, say)."""
    try:
        decoded = json.loads(text)
    except ValueError:
        return text[1:-1]
    return decoded if isinstance(decoded, str) else text[1:-1]


def flag_pairs(text: str, flag: str, label: str, example: str) -> list[tuple[str, str]]:
    """`FLAG NAME VALUE FLAG NAME VALUE` (make's PARAMS or GRID, passed through untouched) as
    (name, value) pairs.

    A value runs up to the next ` FLAG `, so JSON with its double quotes and text with spaces
    need no shell quoting; a value wrapped whole in quotes loses them. A value wrapped whole in
    double quotes that is a JSON string is read as one, escapes and all ("a \\"q\\" \\u002dp b"
    is a "q" -p b): that is how the explorer writes text that holds quotes, "-p", newlines or
    space at either end, and it comes back exactly.
    """
    text = text.strip()
    if not text:
        return []
    pattern = re.compile(rf"(?:^|\s){flag}\s+(\S+)\s+(.*?)(?=\s+{flag}\s|\s*$)", re.S)
    pairs, end = [], 0
    for match in pattern.finditer(text):
        if text[end:match.start()].strip():
            break
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = _json_string(value) if value[0] == '"' else value[1:-1]
        pairs.append((match.group(1), value))
        end = match.end()
    if not pairs or text[end:].strip():
        raise ParameterError(f"{label}: cannot read {text!r}; expected {flag} NAME VALUE"
                             f"{'S' if label == 'GRID' else ''}, repeated, e.g. {example}")
    return pairs


def parameters_from_text(text: str) -> list[tuple[str, str]]:
    """`-p NAME VALUE -p NAME VALUE` (make's PARAMS) as pairs (see flag_pairs)."""
    return flag_pairs(text, "-p", "PARAMS",
                      'PARAMS="-p region_multiplier 0.8 -p roles ai_ml_engineer"')


def grid_from_text(text: str) -> list[tuple[str, str]]:
    """`-g NAME VALUES -g NAME VALUES` (make's GRID) as pairs (see flag_pairs)."""
    return flag_pairs(text, "-g", "GRID",
                      'GRID="-g normalization_rate 0.05,0.15 -g horizon_years 5,10"')


def _given_once(pairs: list[tuple[str, str]], flag: str) -> list[tuple[str, str]]:
    """The pairs, unless a name comes twice (the last would silently win)."""
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name in seen:
            raise ParameterError(f"parameter {name}: given twice ({flag} {name} "
                                 f"{seen[name][:40]!r} and {flag} {name} {value[:40]!r}); "
                                 "give it once")
        seen[name] = value
    return pairs


def _sweep(args: argparse.Namespace) -> int:
    pairs = [*args.grid, *grid_from_text(args.grid_text)]
    pairs = [(name, ",".join(_from_caller(name, v) for v in values.split(",")))
             if name.endswith("_path") else (name, values) for name, values in pairs]
    out = _output_dir(args)
    start = time.perf_counter()
    results, folder = sweep.run_sweep(args.name, pairs, reports_dir=out, jobs=args.jobs,
                                      force=args.force, executor=args.executor,
                                      scheduler=args.scheduler, config=_config(args),
                                      dry_run=args.dry_run, scheduler_timeout=args.timeout)
    if args.dry_run:
        todo = [r.name for r in results if r.status == "to build"]
        print(f"dry run: {len(results)} variants checked; would build {len(todo)}, "
              f"{len(results) - len(todo)} up to date")
        return 0
    counts = {s: sum(r.status == s for r in results) for s in ("built", "up to date", "failed")}
    print(f"{len(results)} variants: {counts['built']} built, {counts['up to date']} up to "
          f"date, {counts['failed']} failed in {time.perf_counter() - start:.2f} s -> "
          f"{folder / 'index.html'} and {folder / sweep.CSV_NAME}")
    return build.print_failures(results)


def _build(args: argparse.Namespace, warm_server: zygote.WarmKernelServer | None = None) -> int:
    pairs = _given_once([*args.parameter, *parameters_from_text(args.params)], "-p")
    overrides = {name: _from_caller(name, value) for name, value in pairs}
    out = _output_dir(args)
    start = time.perf_counter()
    results = build.build_reports(args.names or None, reports_dir=out, overrides=overrides,
                                  jobs=args.jobs, show_code=args.show_code, force=args.force,
                                  self_contained=args.self_contained, dry_run=args.dry_run,
                                  config=_config(args), warm_server=warm_server)
    if args.dry_run:
        todo = [r.name for r in results if r.status == "to build"]
        print(f"dry run: would build {', '.join(todo) or 'nothing'}; "
              f"{len(results) - len(todo)} up to date; parameters checked: "
              f"{', '.join(f'{k}={v!r}' for k, v in overrides.items()) or 'none given'}")
        return 0
    counts = {s: sum(r.status == s for r in results) for s in ("built", "up to date", "failed")}
    variant = [r.output for r in results if r.output and r.output.parent.name == "variants"]
    target = (f"{variant[0]} (a variant: the settings differ from the report's own; "
              f"{out / 'variants' / 'index.html'} lists every variant)"
              if variant else out / "index.html")
    print(f"{counts['built']} built, {counts['up to date']} up to date, {counts['failed']} failed "
          f"in {time.perf_counter() - start:.2f} s -> {target}")
    return build.print_failures(results)


if __name__ == "__main__":
    sys.exit(main())
