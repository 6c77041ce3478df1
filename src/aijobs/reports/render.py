"""Report pages: the executed notebook rendered as HTML with header, parameters and footer,
the index page, and plotly.js served beside the pages."""

from __future__ import annotations

import csv
import html
import importlib.util
import io
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from aijobs import paths
from aijobs.errors import BuildError
from aijobs.files import file_digest, read_yaml, write_atomic
from aijobs.reports.config import ReportSpec, shown_path
from aijobs.reports.parameters import notebook_parameters

PLOTLY_JS_NAME = "plotly.min.js"
FIGURE_MIME = "application/vnd.aijobs.figure+json"  # see aijobs.notebook.display.figure_bundle
MAX_TABLE_ROWS = 300  # rows of a chart's data shown on the page; the CSV has them all


@dataclass(frozen=True)
class BuildOptions:
    show_code: bool = False
    self_contained: bool = False


# The pages' style and script live in the package's templates folder as plain CSS and JS.
PAGE_CSS = (paths.TEMPLATES_DIR / "page.css").read_text(encoding="utf-8")
PAGE_JS = (paths.TEMPLATES_DIR / "page.js").read_text(encoding="utf-8")






def page_html(title: str, head_extra: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n"
        f"<script>{PAGE_JS}</script>\n{head_extra}</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def reader_value(value: Any) -> str:
    """A parameter value as a reader would write it: lists as "US, CA", an empty list as
    "all", booleans as yes/no, ranges of a dict as "name: low to high (most likely m)"."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(reader_value(v) for v in value) if value else "all"
    if isinstance(value, dict):
        if not value:
            return "none"
        parts = []
        for key, item in value.items():
            if isinstance(item, list | tuple) and len(item) == 3:
                low, mode, high = (reader_value(v) for v in item)
                parts.append(f"{key}: {low} to {high} (most likely {mode})")
            else:
                parts.append(f"{key}: {reader_value(item)}")
        return "; ".join(parts)
    if value == "":
        return "none"
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return list(a) == list(b)
    return a == b


def parameters_table_html(spec: ReportSpec, used: dict[str, Any]) -> str:
    """The parameters a page was built with, in a reader's words. "(changed)" marks a value
    given for this build that differs from the report's own; "(set for this report)" one that
    the report's configuration sets away from the notebook's default."""
    rows = []
    for name, param in notebook_parameters(spec.notebook).items():
        value = used.get(name, param.default)
        own = spec.parameters.get(name, param.default)
        mark = ""
        if not _same(value, own):
            mark = ' <span class="changed">(changed)</span>'
        elif not _same(own, param.default):
            mark = ' <span class="preset">(set for this report)</span>'
        meaning = param.comment if param.comment.endswith(".") else param.comment + "."
        allowed = f" Allowed: {param.allowed()}." if param.allowed() else ""
        rows.append(f"<tr><td><code>{html.escape(name)}</code></td>"
                    f"<td>{html.escape(reader_value(value))}{mark}</td>"
                    f"<td>{html.escape(meaning)}{html.escape(allowed)}</td></tr>")
    # Long parameter lists start folded so the report itself comes first (print opens them).
    state = " open" if len(rows) <= 10 else ""
    return (f"<details class=\"params\"{state}><summary>Settings used for this report "
            f"({len(rows)})</summary><div class=\"aijobs-table-wrap\">"
            "<table><thead><tr><th>Setting</th><th>Value</th><th>Meaning</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div></details>")


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


def data_folder(name: str) -> str:
    """The folder beside a report's page that holds its charts' data: <name>_data."""
    return f"{name}_data"


def _csv_table_html(csv_text: str) -> tuple[str, int]:
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return "", 0
    head, body = rows[0], rows[1:]
    shown = body[:MAX_TABLE_ROWS]
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                    for row in shown)
    table = ("<div class=\"aijobs-table-wrap\"><table><thead><tr>"
             + "".join(f"<th>{html.escape(h)}</th>" for h in head)
             + f"</tr></thead><tbody>{cells}</tbody></table></div>")
    return table, len(body)


def collect_figures(nb, name: str) -> tuple[dict[str, bytes], list[str]]:
    """Take the charts' data out of a report's executed notebook: ({file under the report's
    data folder: bytes}, the charts' findings in page order). Under each chart the page gets
    a "Download data (CSV)" link and the data as a table that screen readers reach."""
    files: dict[str, bytes] = {}
    alts: list[str] = []
    folder = data_folder(name)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            meta = data.pop(FIGURE_MIME, None)
            if not meta:
                continue
            fid = meta["id"]
            files[f"{fid}.csv"] = meta["csv"].encode("utf-8")
            files[f"{fid}.json"] = meta["json"].encode("utf-8")
            alts.append(meta.get("headline") or meta["alt"])
            table, n = _csv_table_html(meta["csv"])
            more = (f" (the first {MAX_TABLE_ROWS} of {n} rows; the CSV has them all)"
                    if n > MAX_TABLE_ROWS else f" ({n} rows)")
            caption = (f'<figcaption><p class="aijobs-download"><a href="{folder}/{fid}.csv" '
                       f'download>Download data (CSV)</a></p><details class="aijobs-chart-data">'
                       f"<summary>This chart's data as a table{more}</summary>{table}"
                       "</details></figcaption>")
            page = data.get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            data["text/html"] = page[:page.rindex("</figure>")] + caption + "</figure>" \
                if "</figure>" in page else page + caption
    return files, alts


PASSPORT_PACKAGES = ("pandas", "plotly", "papermill", "nbconvert")


def suite_revision() -> str:
    """The git commit of the checkout the suite runs from, "with uncommitted changes" when its
    code, notebooks or data differ from it, or "not a git checkout"."""
    root = str(paths.PROJECT_ROOT)
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=20)
        if head.returncode != 0:
            return "not a git checkout"
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain",
                                "--untracked-files=no", "--", "src", "notebooks", "data"],
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not a git checkout"
    commit = head.stdout.strip()
    return f"{commit} with uncommitted changes" if dirty.stdout.strip() else commit


def passport_html(inputs: list[str]) -> str:
    """What built the page: the suite's version and commit, the versions of Python and the
    packages that shape a page, and the md5 of every file the notebook read. Nothing about the
    machine: files outside the project are named by their file name only, and no date."""
    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    tools = [f"Python {platform.python_version()}"] + [
        f"{name} {installed(name)}" for name in PASSPORT_PACKAGES]
    rows = []
    for name in inputs:
        path = Path(name)
        full = path if path.is_absolute() else paths.PROJECT_ROOT / path
        shown = path.name if path.is_absolute() else name
        rows.append(f"<tr><td>{html.escape(shown)}</td>"
                    f"<td><code>{file_digest(full, 'md5')}</code></td></tr>")
    return ("<details class=\"passport\"><summary>Passport: what built this page</summary>"
            f"<p>aijobs suite {html.escape(installed('aijobs'))}, commit "
            f"{html.escape(suite_revision())}; {html.escape(', '.join(tools))}.</p>"
            "<div class=\"aijobs-table-wrap\"><table><thead><tr><th>File read</th><th>md5</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></details>")


def render_report_html(nb, spec: ReportSpec, used: dict[str, Any],
                       options: BuildOptions = BuildOptions(),
                       inputs: list[str] | None = None) -> str:
    """The executed notebook as a report page: narrative and charts, code hidden by default."""
    from nbconvert import HTMLExporter  # deferred: heavy import, only worker processes render

    # Fixed cell ids: papermill gives its injected cell a random one, which would make every
    # build differ.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    exporter = HTMLExporter(template_name="basic", exclude_input=not options.show_code,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    rel = shown_path(spec.notebook)
    header = (f"<header><nav><a href=\"index.html\">← All reports</a></nav>"
              f"<h1>{html.escape(spec.title)}</h1><p class=\"lede\">{html.escape(spec.summary)}"
              f"</p>{parameters_table_html(spec, used)}</header>")
    footer = (f"<footer>Built by the aijobs suite from <code>{html.escape(rel)}</code> "
              f"as report <code>{html.escape(spec.name)}</code>. Charts are interactive: hover "
              "for values, drag to zoom, double-click to reset."
              f"{passport_html(inputs or [])}</footer>")
    return page_html(spec.title, plotly_script_tag(options),
                 f"{header}\n<main>\n{body}\n</main>\n{footer}")


def ensure_plotly_js(reports_dir: Path) -> Path:
    """Copy plotly.js from the installed plotly package into reports/ (shared by all pages)."""
    source = plotly_js_path()
    target = reports_dir / PLOTLY_JS_NAME
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        write_atomic(target, source.read_bytes())
    return target


def data_dates() -> list[str]:
    """When the data behind the pages dates from, source by source (read from the sidecars and
    data/sources.yaml, without pandas)."""
    out = []
    try:
        sources = read_yaml(paths.SOURCES_FILE.read_text(encoding="utf-8")) or {}
        article = sources.get("article", {})
        if article.get("date_accessed"):
            out.append(f"the article: undated, read {article['date_accessed']}")
        derived = read_yaml(paths.sidecar_path("derived/survey_percentiles")
                            .read_text(encoding="utf-8")) or {}
        snapshot = (derived.get("derived_from") or {}).get("snapshot_date")
        if snapshot:
            out.append(f"the aijobs.net salary survey: snapshot of {snapshot}")
        studies = read_yaml(paths.sidecar_path("premium_estimates")
                            .read_text(encoding="utf-8")) or {}
        if studies.get("data_as_of"):
            out.append(f"published premium estimates: {studies['data_as_of']}")
    except (OSError, yaml.YAMLError):
        pass  # the index still lists the pages; each page's Sources section has the dates
    return out


def write_index(specs: list[ReportSpec], reports_dir: Path = paths.REPORTS_DIR,
                manifest: dict[str, Any] | None = None,
                start_here: list[dict[str, Any]] | None = None) -> Path:
    """reports/index.html: where to start for each kind of reader, then a card per report that
    exists with its headline finding (the first chart's, recorded when it was built), its
    summary and its build date; the data's dates at the foot."""
    manifest = manifest or {}
    built = {s.name for s in specs if (reports_dir / f"{s.name}.html").exists()}
    titles = {s.name: s.title for s in specs}
    items, dates = [], set()
    for spec in specs:
        if spec.name not in built:
            continue
        entry = manifest.get(spec.name, {})
        headline = entry.get("headline", "")
        when = entry.get("built", "")
        dates.add(when)
        items.append(f"<li><a href=\"{html.escape(spec.name)}.html\">"
                     f"{html.escape(spec.title)}</a>"
                     + (f"<p class=\"finding\">{html.escape(headline)}</p>" if headline else "")
                     + f"<p>{html.escape(spec.summary)}</p>"
                     + (f"<p class=\"built\">Built {html.escape(when)}</p>" if when else "")
                     + "</li>")
    starts = []
    for entry in start_here or []:
        links = [f"<a href=\"{html.escape(r)}.html\">{html.escape(titles.get(r, r))}</a>"
                 for r in entry["reports"] if r in built]
        if links:
            starts.append(f"<li><strong>{html.escape(entry['reader'])}:</strong> "
                          f"{' then '.join(links)}: <span>{html.escape(entry['why'])}.</span>"
                          "</li>")
    start_html = (f"<section class=\"start\"><h2>Start here</h2><ul>{''.join(starts)}</ul>"
                  "</section>" if starts else "")
    when = sorted(d for d in dates if d)
    built_text = (f"Pages built {when[0]}" + (f" to {when[-1]}" if when[-1] != when[0] else "")
                  + ". " if when else "")
    data_text = "; ".join(data_dates())
    body = ("<header><h1>The AI job market, charted</h1><p class=\"lede\">What the article "
            "claims about AI jobs, checked against a real salary survey and published studies, "
            "with what-if scenarios for pay. Each page lists the settings it was built with and "
            "the data behind it, and every chart offers its data.</p></header>"
            f"<main>{start_html}<h2>All reports</h2><ul class=\"cards\">{''.join(items)}</ul>"
            "</main>"
            f"<footer>{html.escape(built_text)}"
            f"{'Data: ' + html.escape(data_text) + '.' if data_text else ''}</footer>")
    target = reports_dir / "index.html"
    page = page_html("AI job market reports", "", body)
    if not target.exists() or target.read_text(encoding="utf-8") != page:
        write_atomic(target, page)
    return target
