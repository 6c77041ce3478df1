"""Build the HTML reports: run each notebook of reports.yaml with papermill, render it, index it.

Every entry of reports.yaml (name, notebook, title, summary, parameters) becomes
reports/<name>.html; reports/index.html links them. Parameters are checked against the
notebook's `parameters` cell before a kernel starts. A report is written to a temporary file
and moved into place only when its notebook ran cleanly, so a failure never replaces a good
report; the failed run's notebook is kept in reports/_failed/ for inspection.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aijobs import paths
from aijobs.parameters import notebook_parameters, validated_parameters
from aijobs.transforms import ParameterError

SPEC_KEYS = {"name", "notebook", "title", "summary", "parameters"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
FAILED_DIR_NAME = "_failed"
PLOTLY_JS_NAME = "plotly.min.js"


class BuildError(RuntimeError):
    """The report configuration or a build step is wrong; the message says where and why."""


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
    ok: bool
    seconds: float
    output: Path | None = None
    error: str | None = None


def load_report_specs(config: Path = paths.REPORTS_CONFIG) -> list[ReportSpec]:
    """The reports declared in reports.yaml, checked (names, notebooks and parameters)."""
    where = config.name if config.parent == paths.PROJECT_ROOT else str(config)
    if not config.is_file():
        raise BuildError(f"{where}: report configuration not found")
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuildError(f"{where}: not valid YAML ({exc})") from exc
    entries = data.get("reports") if isinstance(data, dict) else None
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
    return specs


def select_specs(specs: list[ReportSpec], names: list[str] | None) -> list[ReportSpec]:
    if not names:
        return specs
    by_name = {s.name: s for s in specs}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise BuildError(f"no report named {', '.join(map(repr, unknown))} in reports.yaml; "
                         f"reports: {', '.join(by_name)}")
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
    declared = notebook_parameters(spec.notebook)
    rows = []
    for name, param in declared.items():
        value = used.get(name, param.default)
        changed = " (changed)" if name in used and used[name] != param.default else ""
        rows.append(f"<tr><td><code>{html.escape(name)}</code></td>"
                    f"<td><code>{html.escape(repr(value))}</code>{changed}</td>"
                    f"<td>{html.escape(param.comment)}</td></tr>")
    return ("<details class=\"params\" open><summary>Parameters used for this report</summary>"
            "<table><thead><tr><th>Parameter</th><th>Value</th><th>Meaning</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details>")


def render_report_html(nb, spec: ReportSpec, used: dict[str, Any], *, show_code: bool = False,
                       ) -> str:
    """The executed notebook as a report page: narrative and charts, code hidden by default."""
    from nbconvert import HTMLExporter

    # Fixed cell ids: papermill gives its injected cell a random one, which would make every
    # build differ.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    exporter = HTMLExporter(template_name="basic", exclude_input=not show_code,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    rel = spec.notebook.relative_to(paths.PROJECT_ROOT)
    header = (f"<header><nav><a href=\"index.html\">← All reports</a></nav>"
              f"<h1>{html.escape(spec.title)}</h1><p class=\"lede\">{html.escape(spec.summary)}"
              f"</p>{_parameters_table(spec, used)}</header>")
    footer = (f"<footer>Built by the aijobs suite from <code>{html.escape(str(rel))}</code> "
              f"as report <code>{html.escape(spec.name)}</code>. Charts are interactive: hover "
              "for values, drag to zoom, double-click to reset.</footer>")
    head = f'<script src="{PLOTLY_JS_NAME}" charset="utf-8"></script>\n'
    return _page(spec.title, head, f"{header}\n<main>\n{body}\n</main>\n{footer}")


def write_atomic(target: Path, text: str) -> None:
    """Write text to target via a temporary file in the same folder and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; pages are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_plotly_js(reports_dir: Path) -> Path:
    """Copy plotly.js from the installed plotly package into reports/ (shared by all pages)."""
    import plotly

    source = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS_NAME
    target = reports_dir / PLOTLY_JS_NAME
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        reports_dir.mkdir(parents=True, exist_ok=True)
        tmp = reports_dir / f".{PLOTLY_JS_NAME}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return target


def _failure_message(spec: ReportSpec, exc: BaseException, kept: Path) -> str:
    from papermill.exceptions import PapermillExecutionError

    where = kept.relative_to(paths.PROJECT_ROOT) if kept.is_relative_to(paths.PROJECT_ROOT) \
        else kept
    if isinstance(exc, PapermillExecutionError):
        return (f"{spec.name}: cell {exc.cell_index} of {spec.notebook.name} raised "
                f"{exc.ename}: {exc.evalue}. The executed notebook is kept at {where}.")
    return f"{spec.name}: {type(exc).__name__}: {exc}"


def build_one(spec: ReportSpec, reports_dir: Path = paths.REPORTS_DIR, *,
              overrides: dict[str, Any] | None = None, show_code: bool = False) -> BuildResult:
    """Run one report's notebook and write reports/<name>.html (atomically)."""
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
                kernel_name="python3", kernel_manager_class="aijobs.kernel.IPCKernelManager")
            page = render_report_html(nb, spec, used, show_code=show_code)
        except Exception as exc:  # the build goes on with the other reports
            if executed.exists():
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(executed, kept)
            return BuildResult(spec.name, False, time.perf_counter() - start,
                               error=_failure_message(spec, exc, kept if kept.exists()
                                                      else spec.notebook))
    target = reports_dir / f"{spec.name}.html"
    write_atomic(target, page)
    kept.unlink(missing_ok=True)
    return BuildResult(spec.name, True, time.perf_counter() - start, output=target)


def _build_one_star(args: tuple) -> BuildResult:
    spec, reports_dir, overrides, show_code = args
    return build_one(spec, reports_dir, overrides=overrides, show_code=show_code)


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
    write_atomic(target, _page("AI job market reports", "", body))
    return target


def build_reports(names: list[str] | None = None, *, reports_dir: Path = paths.REPORTS_DIR,
                  overrides: dict[str, Any] | None = None, jobs: int | None = None,
                  show_code: bool = False, echo=print) -> list[BuildResult]:
    """Build the named reports (all by default) in parallel; returns one result per report.

    `overrides` (only with a single report) are checked against the notebook's parameters
    before anything runs.
    """
    specs = load_report_specs()
    chosen = select_specs(specs, names)
    if overrides:
        if len(chosen) != 1:
            raise BuildError("parameter overrides (-p) need exactly one report name")
        overrides = validated_parameters(chosen[0].notebook, overrides, from_text=True)
    reports_dir.mkdir(parents=True, exist_ok=True)
    ensure_plotly_js(reports_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(chosen)))
    tasks = [(s, reports_dir, overrides, show_code) for s in chosen]
    results: list[BuildResult] = []
    total = len(tasks)
    if jobs == 1:
        iterator = map(_build_one_star, tasks)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs,
                                   mp_context=multiprocessing.get_context("spawn"))
        iterator = pool.map(_build_one_star, tasks)
    try:
        for result in iterator:
            results.append(result)
            status = "built " if result.ok else "FAILED"
            echo(f"[{len(results)}/{total}] {status} {result.name:<28} {result.seconds:5.1f} s")
            if result.error:
                echo(f"    {result.error}")
    finally:
        if pool is not None:
            pool.shutdown()
    write_index(specs, reports_dir)
    return results


def print_failures(results: list[BuildResult]) -> int:
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"{len(failed)} of {len(results)} report(s) failed; earlier good versions were "
              "left in place:", file=sys.stderr)
        for r in failed:
            print(f"  {r.error}", file=sys.stderr)
        return 1
    return 0
