"""Build the HTML reports: run each notebook of reports.yaml with papermill, render it, index it.

Every entry of reports.yaml (name, notebook, title, summary, parameters) becomes
reports/<name>.html; reports/index.html links them. The build:

- checks parameters against each notebook's `parameters` cell before any kernel starts;
- runs reports in parallel worker processes, each executing and rendering its notebook;
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
import fcntl
import hashlib
import html
import importlib.metadata
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aijobs import paths
from aijobs.errors import BuildError, ParameterError

SPEC_KEYS = {"name", "notebook", "title", "summary", "parameters"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
FAILED_DIR_NAME = "_failed"
PLOTLY_JS_NAME = "plotly.min.js"
MANIFEST_NAME = ".aijobs-build.json"
LOCK_NAME = ".aijobs-build.lock"
INPUTS_MIME = "application/vnd.aijobs.inputs+json"
# Versions that change what a page looks like; part of every report's cache key.
RENDERING_PACKAGES = ("plotly", "nbconvert", "pandas", "papermill")


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path
    title: str
    summary: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildResult:
    name: str
    status: str  # "built", "up to date" or "failed"
    seconds: float
    output: Path | None = None
    error: str | None = None
    inputs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class BuildOptions:
    show_code: bool = False
    self_contained: bool = False


def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def load_report_specs(config: Path = paths.REPORTS_CONFIG) -> list[ReportSpec]:
    """The reports declared in reports.yaml, checked (names, notebooks and parameters)."""
    from aijobs.parameters import validated_parameters

    where = _where(config)
    if not config.is_file():
        raise BuildError(f"{where}: report configuration not found")
    try:
        data = yaml.safe_load(paths.record_read(config).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuildError(f"{where}: not valid YAML ({exc})") from exc
    entries = data.get("reports") if isinstance(data, dict) else None
    unknown_top = set(data) - {"reports", "scenarios", "scenario_notebook"} \
        if isinstance(data, dict) else set()
    if unknown_top:
        raise BuildError(f"{where}: unknown top-level key(s) {', '.join(sorted(unknown_top))}; "
                         "allowed: reports, scenario_notebook, scenarios")
    if not isinstance(entries, list) or not entries:
        raise BuildError(f"{where}: expected a top-level 'reports:' list of entries with name, "
                         "notebook, title, summary and parameters")
    specs, seen = [], set()
    for i, entry in enumerate(entries, start=1):
        loc = f"{where}, report {i}"
        if not isinstance(entry, dict):
            raise BuildError(f"{loc}: expected a mapping with name, notebook, title, summary")
        unknown = set(entry) - SPEC_KEYS
        if unknown:
            raise BuildError(f"{loc}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                             f"{', '.join(sorted(SPEC_KEYS))}")
        for key in ("name", "notebook", "title", "summary"):
            if not entry.get(key):
                raise BuildError(f"{loc}: missing '{key}'")
        name = str(entry["name"])
        loc = f"{where}, report '{name}'"
        if not NAME_RE.match(name) or name == "index":
            raise BuildError(f"{loc}: a name is lower-case letters, digits, '-' or '_' and not "
                             "'index' (it becomes reports/<name>.html)")
        if name in seen:
            raise BuildError(f"{loc}: the name is used twice")
        seen.add(name)
        notebook = paths.NOTEBOOKS_DIR / entry["notebook"]
        if not notebook.is_file():
            raise BuildError(f"{loc}: notebook {entry['notebook']} not found in notebooks/")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise BuildError(f"{loc}: parameters must be a mapping of name: value")
        try:
            params = validated_parameters(notebook, params)
        except ParameterError as exc:
            raise BuildError(f"{loc}: {exc}") from exc
        specs.append(ReportSpec(name, notebook, str(entry["title"]), str(entry["summary"]),
                                params))
    for spec in _scenario_specs(data, where):
        if spec.name in seen:
            raise BuildError(f"{where}: scenario report name {spec.name!r} clashes with a report")
        seen.add(spec.name)
        specs.append(spec)
    return specs


def scenario_entries(data: dict, where: str) -> list[dict[str, Any]]:
    """The checked `scenarios:` entries of the config: name, title, rationale, parameters."""
    entries = data.get("scenarios") or []
    if not isinstance(entries, list):
        raise BuildError(f"{where}: 'scenarios:' must be a list of entries")
    out, seen = [], set()
    for i, entry in enumerate(entries, start=1):
        loc = f"{where}, scenario {i}"
        if not isinstance(entry, dict):
            raise BuildError(f"{loc}: expected a mapping with name, title, rationale, parameters")
        unknown = set(entry) - {"name", "title", "rationale", "parameters"}
        if unknown:
            raise BuildError(f"{loc}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                             "name, parameters, rationale, title")
        for key in ("name", "title", "rationale"):
            if not entry.get(key):
                raise BuildError(f"{loc}: missing '{key}'")
        loc = f"{where}, scenario '{entry['name']}'"
        if not NAME_RE.match(f"scenario_{entry['name']}"):
            raise BuildError(f"{loc}: a scenario name is lower-case letters, digits, '-' or '_'")
        if entry["name"] in seen:
            raise BuildError(f"{loc}: the name is used twice")
        seen.add(entry["name"])
        out.append({**entry, "parameters": entry.get("parameters") or {}})
    return out


def load_scenario_entries(config: Path = paths.REPORTS_CONFIG) -> list[dict[str, Any]]:
    """The named scenarios of notebooks/reports.yaml (see scenario_entries)."""
    try:
        data = yaml.safe_load(paths.record_read(config).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{_where(config)}: cannot read the scenarios ({exc})") from exc
    return scenario_entries(data if isinstance(data, dict) else {}, _where(config))


def _scenario_specs(data: dict, where: str) -> list[ReportSpec]:
    """One report per named scenario: scenario_<name>, run from scenario_notebook."""
    from aijobs.parameters import validated_parameters

    entries = scenario_entries(data, where)
    if not entries:
        return []
    notebook_name = data.get("scenario_notebook")
    notebook = paths.NOTEBOOKS_DIR / str(notebook_name)
    if not notebook_name or not notebook.is_file():
        raise BuildError(f"{where}: scenarios need 'scenario_notebook:' naming a notebook in "
                         f"notebooks/ (got {notebook_name!r})")
    specs = []
    for entry in entries:
        name = f"scenario_{entry['name']}"
        loc = f"{where}, scenario '{entry['name']}'"
        params = {"scenario_title": str(entry["title"]),
                  "scenario_rationale": str(entry["rationale"]),
                  **entry["parameters"]}
        try:
            params = validated_parameters(notebook, params)
        except ParameterError as exc:
            raise BuildError(f"{loc}: {exc}") from exc
        specs.append(ReportSpec(name, notebook, f"Scenario: {entry['title']}",
                                str(entry["rationale"]), params))
    return specs


def select_specs(specs: list[ReportSpec], names: list[str] | None) -> list[ReportSpec]:
    if not names:
        return specs
    by_name = {s.name: s for s in specs}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise BuildError(f"no report named {', '.join(map(repr, unknown))} in "
                         f"notebooks/reports.yaml; reports: {', '.join(by_name)}")
    return [by_name[n] for n in names]


# --- page rendering -------------------------------------------------------------------------

PAGE_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --accent:#2563eb; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin:0; font-family: Inter, 'Segoe UI', Helvetica, Arial, sans-serif; color:var(--ink);
  background:var(--bg); line-height:1.55; }
header, main, footer { max-width: 1080px; margin: 0 auto; padding: 0 28px; }
header { padding-top: 20px; }
nav a, footer a { color: var(--accent); text-decoration: none; }
h1 { font-size: 1.9rem; margin: .4em 0 .2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
.lede { color: var(--muted); font-size: 1.05rem; margin-top: 0; }
main { background: white; border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 28px 24px; }
table { border-collapse: collapse; margin: .8em 0 1.2em; font-size: .92rem; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: left;
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
details.params { background: white; border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 16px; margin: 12px 0 18px; }
details.params summary { cursor: pointer; font-weight: 600; }
.anchor-link { display: none; }
/* The page header already carries the title; hide the notebook's own first heading. */
main > div:first-child h1:first-child { display: none; }
.output_stderr { display: none; }
pre { background: var(--bg); padding: 10px; border-radius: 6px; overflow-x: auto; }
.input_area pre, .jp-InputArea pre { background: #f1f5f9; }
footer { color: var(--muted); font-size: .85rem; padding: 18px 28px 40px; }
.cards { list-style: none; padding: 0; display: grid; gap: 14px;
  grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.cards li { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.cards a { font-weight: 600; font-size: 1.05rem; color: var(--accent); text-decoration: none; }
.cards p { margin: .3em 0 0; color: var(--muted); }
"""


def _page(title: str, head_extra: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n{head_extra}</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _parameters_table(spec: ReportSpec, used: dict[str, Any]) -> str:
    from aijobs.parameters import notebook_parameters

    rows = []
    for name, param in notebook_parameters(spec.notebook).items():
        value = used.get(name, param.default)
        changed = " (changed)" if name in used and used[name] != param.default else ""
        rows.append(f"<tr><td><code>{html.escape(name)}</code></td>"
                    f"<td><code>{html.escape(repr(value))}</code>{changed}</td>"
                    f"<td>{html.escape(param.comment)}</td></tr>")
    # Long parameter lists start folded so the report itself comes first.
    state = " open" if len(rows) <= 10 else ""
    return (f"<details class=\"params\"{state}><summary>Parameters used for this report "
            f"({len(rows)})</summary>"
            "<table><thead><tr><th>Parameter</th><th>Value</th><th>Meaning</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details>")


def plotly_js_path() -> Path:
    """plotly.min.js inside the installed plotly package (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise BuildError("plotly is not installed: run `make setup`")
    return Path(spec.origin).parent / "package_data" / PLOTLY_JS_NAME


def plotly_script_tag(options: BuildOptions) -> str:
    if options.self_contained:
        # plotly.min.js contains no "</script>", so it can be inlined as it is.
        return f"<script>{plotly_js_path().read_text(encoding='utf-8')}</script>\n"
    return f'<script src="{PLOTLY_JS_NAME}" charset="utf-8"></script>\n'


def render_report_html(nb, spec: ReportSpec, used: dict[str, Any],
                       options: BuildOptions = BuildOptions()) -> str:
    """The executed notebook as a report page: narrative and charts, code hidden by default."""
    from nbconvert import HTMLExporter

    # Fixed cell ids: papermill gives its injected cell a random one, which would make every
    # build differ.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    exporter = HTMLExporter(template_name="basic", exclude_input=not options.show_code,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    rel = _where(spec.notebook)
    header = (f"<header><nav><a href=\"index.html\">← All reports</a></nav>"
              f"<h1>{html.escape(spec.title)}</h1><p class=\"lede\">{html.escape(spec.summary)}"
              f"</p>{_parameters_table(spec, used)}</header>")
    footer = (f"<footer>Built by the aijobs suite from <code>{html.escape(rel)}</code> "
              f"as report <code>{html.escape(spec.name)}</code>. Charts are interactive: hover "
              "for values, drag to zoom, double-click to reset.</footer>")
    return _page(spec.title, plotly_script_tag(options),
                 f"{header}\n<main>\n{body}\n</main>\n{footer}")


def write_atomic(target: Path, text: str) -> None:
    """Write text to target via a temporary file in the same folder, fsync and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; pages are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_plotly_js(reports_dir: Path) -> Path:
    """Copy plotly.js from the installed plotly package into reports/ (shared by all pages)."""
    source = plotly_js_path()
    target = reports_dir / PLOTLY_JS_NAME
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        reports_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{PLOTLY_JS_NAME}.", suffix=".tmp", dir=reports_dir)
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    return target


# --- caching --------------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str | Path) -> str:
    """sha256 of a file's bytes, or 'missing'."""
    try:
        return _sha(Path(path).read_bytes())
    except OSError:
        return "missing"


def package_fingerprint() -> str:
    """Hash of the package's code and of the versions of the packages that render pages."""
    digest = hashlib.sha256()
    package_dir = Path(__file__).parent
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".json", ".yaml"):
            digest.update(str(path.relative_to(package_dir)).encode())
            digest.update(path.read_bytes())
    for name in RENDERING_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()


def report_key(spec: ReportSpec, used: dict[str, Any], options: BuildOptions, package: str,
               inputs: list[str]) -> str:
    """The cache key of one report: everything that decides its page."""
    payload = {
        "notebook": file_digest(spec.notebook),
        "parameters": used,
        "title": spec.title,
        "summary": spec.summary,
        "options": [options.show_code, options.self_contained],
        "package": package,
        "inputs": {p: file_digest(_input_path(p)) for p in sorted(inputs)},
    }
    return _sha(json.dumps(payload, sort_keys=True, default=str).encode())


def _input_path(name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else paths.PROJECT_ROOT / p


def _relative_inputs(files: list[str]) -> list[str]:
    out = []
    for f in files:
        p = Path(f)
        try:
            out.append(str(p.relative_to(paths.PROJECT_ROOT)))
        except ValueError:
            out.append(str(p))
    return sorted(set(out))


def _all_data_files() -> list[str]:
    return _relative_inputs([str(p) for p in paths.DATA_DIR.rglob("*") if p.is_file()])


def inputs_of(nb) -> list[str]:
    """Files the executed notebook reported reading (all of data/ if it reported none)."""
    files: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if INPUTS_MIME in data:
                files += list(data[INPUTS_MIME].get("files", []))
    return _relative_inputs(files) if files else _all_data_files()


def _strip_inputs_outputs(nb) -> None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(INPUTS_MIME, None)


def read_manifest(reports_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((reports_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


# --- running ----------------------------------------------------------------------------------

def _skip_slow_optional_imports() -> None:
    # Measured with `python -X importtime -c "import papermill"`: 0.6 s of its 0.9 s is
    # rfc3987_syntax, an optional IRI checker that jsonschema loads for nbformat's schemas and
    # that notebook validation never needs. Marking it absent makes jsonschema skip it.
    sys.modules.setdefault("rfc3987_syntax", None)


def _failure_message(spec: ReportSpec, exc: BaseException, kept: Path | None) -> str:
    from papermill.exceptions import PapermillExecutionError

    where = f" The executed notebook is kept at {_where(kept)}." if kept else ""
    if isinstance(exc, PapermillExecutionError):
        return (f"{spec.name}: cell {exc.cell_index} of {spec.notebook.name} raised "
                f"{exc.ename}: {exc.evalue}.{where}")
    return f"{spec.name}: {type(exc).__name__}: {exc}.{where}"


def build_one(spec: ReportSpec, reports_dir: Path = paths.REPORTS_DIR, *,
              overrides: dict[str, Any] | None = None,
              options: BuildOptions = BuildOptions()) -> BuildResult:
    """Run one report's notebook and write reports/<name>.html (atomically)."""
    _skip_slow_optional_imports()
    import papermill

    start = time.perf_counter()
    used = {**spec.parameters, **(overrides or {})}
    kept = reports_dir / FAILED_DIR_NAME / f"{spec.name}.ipynb"
    os.environ["AIJOBS_REPORT_MODE"] = "1"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    with tempfile.TemporaryDirectory(prefix=f"aijobs-{spec.name}-") as work:
        executed = Path(work) / f"{spec.name}.ipynb"
        try:
            nb = papermill.execute_notebook(
                str(spec.notebook), str(executed), parameters=used,
                cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False, log_output=False,
                kernel_name="python3", kernel_manager_class="aijobs.kernel.IPCKernelManager",
                # The notebook has finished and its outputs are collected: no need to wait
                # for a graceful kernel exit (saves about 0.25 s a report).
                shutdown_kernel="immediate")
            inputs = inputs_of(nb)
            _strip_inputs_outputs(nb)
            page = render_report_html(nb, spec, used, options)
        except Exception as exc:  # the build goes on with the other reports
            saved = None
            if executed.exists():
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(executed, kept)
                saved = kept
            return BuildResult(spec.name, "failed", time.perf_counter() - start,
                               error=_failure_message(spec, exc, saved))
    target = reports_dir / f"{spec.name}.html"
    write_atomic(target, page)
    kept.unlink(missing_ok=True)
    return BuildResult(spec.name, "built", time.perf_counter() - start, output=target,
                       inputs=inputs)


def _build_one_star(args: tuple) -> BuildResult:
    spec, reports_dir, overrides, options = args
    return build_one(spec, reports_dir, overrides=overrides, options=options)


def write_index(specs: list[ReportSpec], reports_dir: Path = paths.REPORTS_DIR) -> Path:
    """reports/index.html: a card per report that exists, with its one-line summary."""
    items = []
    for spec in specs:
        if (reports_dir / f"{spec.name}.html").exists():
            items.append(f"<li><a href=\"{html.escape(spec.name)}.html\">"
                         f"{html.escape(spec.title)}</a><p>{html.escape(spec.summary)}</p></li>")
    body = ("<header><h1>The AI job market, charted</h1><p class=\"lede\">Reports built from "
            "curated, validated data. Each page lists the parameters it was built with and the "
            "data behind it.</p></header>"
            f"<main><ul class=\"cards\">{''.join(items)}</ul></main>"
            "<footer>Rebuild with <code>make reports</code>; one report with changed parameters: "
            "<code>make report NAME=... PARAMS=\"-p name value\"</code>.</footer>")
    target = reports_dir / "index.html"
    page = _page("AI job market reports", "", body)
    if not target.exists() or target.read_text(encoding="utf-8") != page:
        write_atomic(target, page)
    return target


@contextlib.contextmanager
def build_lock(reports_dir: Path, echo=print):
    """Exclusive lock on the output folder; a second build waits for the first."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    with open(reports_dir / LOCK_NAME, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            echo(f"another build is writing to {_where(reports_dir)}; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temporaries(reports_dir: Path) -> None:
    # Left by a build that was killed between writing a temporary page and renaming it.
    for tmp in reports_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def build_reports(names: list[str] | None = None, *, reports_dir: Path = paths.REPORTS_DIR,
                  overrides: dict[str, Any] | None = None, jobs: int | None = None,
                  show_code: bool = False, self_contained: bool = False, force: bool = False,
                  echo=print) -> list[BuildResult]:
    """Build the named reports (all by default), in parallel, skipping those up to date.

    `overrides` (only with a single report) are checked against the notebook's parameters
    before anything runs. Returns one result per report.
    """
    from aijobs.parameters import validated_parameters

    specs = load_report_specs()
    chosen = select_specs(specs, names)
    if overrides:
        if len(chosen) != 1:
            raise BuildError("parameter overrides (-p) need exactly one report name")
        overrides = validated_parameters(chosen[0].notebook, overrides, from_text=True)
    options = BuildOptions(show_code=show_code, self_contained=self_contained)
    reports_dir = Path(reports_dir)
    with build_lock(reports_dir, echo):
        _remove_stale_temporaries(reports_dir)
        if not self_contained:
            ensure_plotly_js(reports_dir)
        manifest = read_manifest(reports_dir)
        package = package_fingerprint()
        results: list[BuildResult] = []
        todo = []
        for spec in chosen:
            used = {**spec.parameters, **(overrides or {})}
            entry = manifest.get(spec.name, {})
            page = reports_dir / f"{spec.name}.html"
            fresh = (not force and page.exists() and entry.get("key") == report_key(
                spec, used, options, package, entry.get("inputs", [])))
            if fresh:
                results.append(BuildResult(spec.name, "up to date", 0.0, output=page,
                                           inputs=entry.get("inputs", [])))
                echo(f"{progress_bar(len(results), len(chosen))} up to date {spec.name}")
            else:
                todo.append(spec)
        total = len(chosen)
        for result in _run(todo, reports_dir, overrides, options, jobs):
            results.append(result)
            if result.status == "built":
                spec = next(s for s in chosen if s.name == result.name)
                used = {**spec.parameters, **(overrides or {})}
                manifest[spec.name] = {"key": report_key(spec, used, options, package,
                                                         result.inputs),
                                       "inputs": result.inputs}
                write_atomic(reports_dir / MANIFEST_NAME,
                             json.dumps(manifest, indent=1, sort_keys=True))
            label = "built     " if result.ok else "FAILED    "
            echo(f"{progress_bar(len(results), total)} {label} {result.name:<26} "
                 f"{result.seconds:5.1f} s")
            if result.error:
                echo(f"    {result.error}")
        write_index(specs, reports_dir)
    order = {s.name: i for i, s in enumerate(chosen)}
    return sorted(results, key=lambda r: order[r.name])


def _run(todo: list[ReportSpec], reports_dir: Path, overrides, options: BuildOptions,
         jobs: int | None):
    if not todo:
        return
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    tasks = [(s, reports_dir, overrides, options) for s in todo]
    if jobs == 1:
        yield from map(_build_one_star, tasks)
        return
    # spawn, not fork: the parent may hold threads and zmq contexts that must not be copied.
    with ProcessPoolExecutor(max_workers=jobs,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_build_one_star, t) for t in tasks]
        for future in as_completed(futures):
            yield future.result()


def print_failures(results: list[BuildResult]) -> int:
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"{len(failed)} of {len(results)} report(s) failed; earlier good versions were "
              "left in place:", file=sys.stderr)
        for r in failed:
            print(f"  {r.error}", file=sys.stderr)
        return 1
    return 0
