"""Report pages: the executed notebook rendered as HTML with header, parameters and footer,
the index page, and plotly.js served beside the pages."""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import json
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from aijobs import paths
from aijobs.errors import BuildError
from aijobs.files import file_digest, read_yaml, unescaped_cell, write_atomic
from aijobs.notebook.mode import FIGURE_MIME, FINDINGS_MIME, KEY_FIGURES_MIME, NOTE_MIME
from aijobs.reports import column_words, settings_text
from aijobs.reports.config import ReportSpec, shown_path
from aijobs.reports.parameters import notebook_parameters
from aijobs.reports.scratch import scratch_prefix

PLOTLY_JS_NAME = "plotly.min.js"
MAX_TABLE_ROWS = 300  # rows of a chart's data shown on the page; the CSV has them all


@dataclass(frozen=True)
class BuildOptions:
    show_code: bool = False
    self_contained: bool = False
    # the suite's commit for the pages' passport (suite_revision), looked up once by the build
    # rather than by two git commands for every page; None: looked up for the page. Not a
    # choice of the user's: no part of a page's key or of the build record.
    revision: str | None = None


# The pages are jinja2 templates in the package's templates folder (page.html.j2, extended by
# report.html.j2 and index.html.j2), with autoescaping: every value is escaped unless the code
# marks it safe (nbconvert's HTML of the notebook, the page's own CSS and JS, plotly.js).
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(paths.TEMPLATES_DIR), autoescape=True,
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
PAGE_CSS = Markup((paths.TEMPLATES_DIR / "page.css").read_text(encoding="utf-8"))
PAGE_JS = Markup((paths.TEMPLATES_DIR / "page.js").read_text(encoding="utf-8"))


def rendered(template: str, **values: Any) -> str:
    """A template of the templates folder filled in, with the page's CSS and JS at hand."""
    return TEMPLATES.get_template(template).render(css=PAGE_CSS, js=PAGE_JS, **values)


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


def same_value(a: Any, b: Any) -> bool:
    """Whether two parameter values are the same setting (5 and 5.0 are; lists by items)."""
    if isinstance(a, int | float) and isinstance(b, int | float) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return list(a) == list(b)
    return a == b


def settings_rows(spec: ReportSpec, used: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters a page was built with, in a reader's words (templates/settings.yaml):
    label, value, meaning, and the parameter's name for `make params`. Mark "changed" for a
    value given for this build that differs from the report's own; "preset" for one that the
    report's configuration sets away from the notebook's default. `shown`: in the short list
    near the top of the page (a key setting, or one changed or preset, unless quiet)."""
    rows = []
    for name, param in notebook_parameters(spec.notebook).items():
        value = used.get(name, param.default)
        own = spec.parameters.get(name, param.default)
        mark = ""
        if not same_value(value, own):
            mark = "changed"
        elif not same_value(own, param.default):
            mark = "preset"
        allowed = settings_text.allowed_text(name, param)
        key = settings_text.is_key(name, spec.notebook.stem)
        rows.append({"name": name, "label": settings_text.label(name),
                     "value": settings_text.value_text(name, value), "mark": mark,
                     "meaning": settings_text.meaning(name, param.comment)
                     + (f" Allowed: {allowed}." if allowed else ""),
                     "shown": mark == "changed"
                     or (not settings_text.is_quiet(name) and (bool(mark) or key))})
    return rows


def settings_html(spec: ReportSpec, used: dict[str, Any]) -> str:
    """The settings box of a page on its own (templates/settings.html.j2)."""
    return rendered("settings.html.j2", settings=settings_rows(spec, used),
                    name=spec.name).strip()


def plotly_js_path() -> Path:
    """plotly.min.js inside the installed plotly package (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise BuildError("plotly is not installed: run `make setup`")
    return Path(spec.origin).parent / "package_data" / PLOTLY_JS_NAME


def data_folder(name: str) -> str:
    """The folder beside a report's page that holds its charts' data: <name>_data."""
    return f"{name}_data"


def figcaption_html(name: str, stem: str, csv_text: str, *, folder: str | None = None,
                    headings: dict[str, str] | None = None) -> str:
    """The caption under a chart: links to its CSV and to what the CSV holds (in `folder`,
    the report's data folder unless given; "" for files beside the page), and its data as a
    table (at most MAX_TABLE_ROWS rows; the CSV has them all) headed in a reader's words
    (column_words; `headings` for columns the caller names better). A cell the CSV wrote with
    a leading quote against spreadsheet formulas reads as it was in the table."""
    rows = [[unescaped_cell(c) for c in row] for row in csv.reader(io.StringIO(csv_text))]
    head, body = (rows[0], rows[1:]) if rows else ([], [])
    keep = column_words.shown_columns(head)
    named = headings or {}
    return rendered("figcaption.html.j2", folder=data_folder(name) if folder is None else folder,
                    stem=stem,
                    head=[named.get(head[i]) or column_words.column_heading(head[i])
                          for i in keep],
                    rows=[[row[i] for i in keep if i < len(row)] for row in body[:MAX_TABLE_ROWS]],
                    rows_total=len(body)).strip()


def data_sidecar(name: str, stem: str, about: dict[str, Any],
                 settings: list[dict[str, str]] | None) -> str:
    """What a chart's CSV holds, beside it as <stem>.meta.yaml: the chart's finding, the page,
    the source line, each source's licence status and date, the page's settings (its filters),
    notes, columns and their headings on the page, rows and decimal places."""
    about = json.loads(json.dumps(about))  # plain dicts: the notebook's are NotebookNodes
    body = {"file": f"{stem}.csv", "page": f"{name}.html", **about,
            "column headings": {c: column_words.column_heading(c)
                                for c in about.get("columns", [])},
            "settings": {row.get("label") or row["name"].replace("_", " "): row["value"]
                         for row in settings or []}}
    return sidecar_yaml(body)


# libyaml's emitter, where PyYAML was built with it: PyYAML's own emitter took about a quarter of
# the CPU of rendering the pages (53 sidecars, measured with cProfile). The two write the same
# bytes for text made of printable characters of the Basic Multilingual Plane (checked on every
# sidecar of the reports and on 40,000 random strings of such characters); they fold quoted text
# holding a line break, and escape characters beyond U+FFFF, differently. So a sidecar holding
# any other character is written by PyYAML's emitter, with libyaml or without it.
FAST_DUMPER: type[yaml.SafeDumper] | None = getattr(yaml, "CSafeDumper", None)


def same_in_both_emitters(value: Any) -> bool:
    """Whether every text in `value` (keys included) is made of printable characters of the
    Basic Multilingual Plane, for which libyaml and PyYAML write the same YAML."""
    if isinstance(value, str):
        return value.isprintable() and max(value, default="") <= "\uffff"
    if isinstance(value, dict):
        return all(same_in_both_emitters(k) and same_in_both_emitters(v)
                   for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(same_in_both_emitters(v) for v in value)
    return True


def sidecar_yaml(value: Any, fast: type[yaml.SafeDumper] | None = FAST_DUMPER) -> str:
    """A sidecar's YAML: keys in their order, characters as they are, lines folded at 100
    columns; the same bytes whether PyYAML has libyaml (`fast`) or not."""
    dumper = fast if fast is not None and same_in_both_emitters(value) else yaml.SafeDumper
    return yaml.dump(value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def collect_figures(nb, name: str, settings: list[dict[str, str]] | None = None
                    ) -> tuple[dict[str, bytes], list[str]]:
    """Take the charts' data out of a report's executed notebook: ({file under the report's
    data folder: bytes}, the charts' findings in page order). Each chart's data is
    <report>--<what>.csv (unique across pages; a second chart of the same kind on a page gets
    -2) with a <report>--<what>.meta.yaml sidecar. Under each chart the page gets a "Download
    data (CSV)" link and the data as a table that screen readers reach."""
    files: dict[str, bytes] = {}
    alts: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            meta = data.pop(FIGURE_MIME, None)
            if not meta:
                continue
            stem, n = f"{name}--{meta.get('what') or 'chart'}", 1
            while f"{stem}{f'-{n}' if n > 1 else ''}.csv" in files:
                n += 1
            stem = f"{stem}{f'-{n}' if n > 1 else ''}"
            files[f"{stem}.csv"] = meta["csv"].encode("utf-8")
            files[f"{stem}.meta.yaml"] = data_sidecar(name, stem, meta.get("about") or {},
                                                      settings).encode("utf-8")
            alts.append(meta.get("headline") or meta["alt"])
            caption = figcaption_html(name, stem, meta["csv"])
            page = data.get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            data["text/html"] = page[:page.rindex("</figure>")] + caption + "</figure>" \
                if "</figure>" in page else page + caption
    return files, alts


def collect_key_figures(nb, spec: ReportSpec) -> dict[str, float]:
    """Take the key figures (display.record_key_figures) out of a report's executed notebook,
    checked against what its reports.yaml entry declares: a report that declares key figures
    records some, and one that records them declares them."""
    found: dict[str, float] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found.update(output.get("data", {}).pop(KEY_FIGURES_MIME, None) or {})
    if spec.key_figures and not found:
        raise BuildError(f"{spec.name}: reports.yaml declares key figures "
                         f"({spec.key_figures}) but {spec.notebook.name} recorded none; "
                         "call display.record_key_figures in the notebook")
    if found and not spec.key_figures:
        raise BuildError(f"{spec.name}: {spec.notebook.name} records key figures "
                         f"({', '.join(sorted(found)[:3])}...) but its reports.yaml entry does "
                         "not declare them; add key_figures: <what they are, with units>")
    return dict(sorted(found.items()))


def collect_findings(nb) -> list[str]:
    """Take what the page found (display.show_findings) out of the executed notebook's body:
    the sentences, in page order, for the top of the page."""
    found: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            sentences = data.pop(FINDINGS_MIME, None)
            if sentences is not None:
                found += [str(s) for s in sentences]
                data["text/html"] = ""
    return found


def collect_notes(nb) -> list[dict[str, Any]]:
    """Take the method notes and citations (display.show_method_note) out of the executed
    notebook's body: each leaves a link to its note where it was used, and its text goes to
    the Notes at the end of the page (once, however often it is used), numbered by first use."""
    notes: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            note = data.pop(NOTE_MIME, None)
            if not note:
                continue
            entry = notes.setdefault(note["id"], {"id": note["id"], "title": note["title"],
                                                  "html": Markup(note["html"]),
                                                  "number": len(notes) + 1})
            data["text/html"] = (f'<p class="aijobs-note-ref">{Markup.escape(entry["title"])}: '
                                 f'see <a href="#{entry["id"]}">note {entry["number"]}</a> '
                                 "at the end.</p>")
    return list(notes.values())


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


@functools.cache
def _installed(name: str) -> str:
    """The installed version of a distribution, looked up once per process: each lookup
    scans the environment and parses the package's metadata (the five of a page took 3 ms,
    a quarter of a warm page's rendering under cProfile). A process runs the code it imported
    when it started, so a later upgrade would not be the version at work in it anyway; report
    workers inherit the answers from their fork server, which renders a page first
    (warm_renderer)."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def passport(inputs: list[str], revision: str | None = None) -> dict[str, Any]:
    """What built the page: the suite's version and commit (`revision`, or suite_revision()),
    the versions of Python and the packages that shape a page, and the md5 of every file the
    notebook read. Nothing about the machine: files outside the project are named by their
    file name only, and no date."""
    files = []
    for name in inputs:
        path = Path(name)
        full = path if path.is_absolute() else paths.PROJECT_ROOT / path
        files.append({"name": path.name if path.is_absolute() else name,
                      "md5": file_digest(full, "md5")})
    return {"version": _installed("aijobs"), "revision": revision or suite_revision(),
            "tools": [f"Python {platform.python_version()}"]
            + [f"{name} {_installed(name)}" for name in PASSPORT_PACKAGES],
            "files": files}


@functools.cache
def _exporter(exporter_class, show_code: bool):
    # one per worker and option: loading the template costs about 0.2 s (measured).
    # optimistic_validation: the notebook is validated once, after nbconvert's preprocessors,
    # rather than after each of them (about a tenth of a page's CPU, measured)
    return exporter_class(template_name="basic", exclude_input=not show_code,
                          exclude_input_prompt=True, exclude_output_prompt=True,
                          optimistic_validation=True)


def render_report_html(nb, spec: ReportSpec, used: dict[str, Any],
                       options: BuildOptions = BuildOptions(),
                       inputs: list[str] | None = None) -> str:
    """The executed notebook as a report page: narrative and charts, code hidden by default."""
    # deferred: nbconvert is a heavy import, and only worker processes render
    from aijobs.reports.page_exporter import ReportExporter

    # Fixed cell ids: papermill gives its injected cell a random one, which would make every
    # build differ.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    findings, notes = collect_findings(nb), collect_notes(nb)
    body, _ = _exporter(ReportExporter, options.show_code).from_notebook_node(nb)
    return rendered(
        "report.html.j2", title=spec.title, summary=spec.summary, name=spec.name,
        variant=spec.variant,
        notebook=shown_path(spec.notebook), body=Markup(body),
        settings=settings_rows(spec, used), findings=findings, notes=notes,
        passport=passport(inputs or [], options.revision),
        plotly_src=PLOTLY_JS_NAME,
        # plotly.min.js contains no "</script>", so it can be inlined as it is.
        plotly_inline=Markup(plotly_js_path().read_text(encoding="utf-8"))
        if options.self_contained else None)


def warm_renderer() -> None:
    """Render a small page like the reports' once, so that what the first page compiles
    (nbconvert's and this package's templates, the regular expressions of its HTML and CSS
    parsers: about 0.5 s, measured) is ready in the processes forked from this one. Called by
    the report workers' fork server (aijobs.reports.worker_imports); writes nothing outside a
    temporary folder."""
    import tempfile  # deferred, with nbformat: only processes that render pages need them

    import nbformat

    v4 = nbformat.v4
    markdown = ("## A heading\n\nSome *text*, **bold**, `code` and a [link](#x).\n\n"
                "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    html_output = v4.new_output("display_data", data={
        "text/html": '<figure class="aijobs-figure"><div id="w" role="img" aria-label="a">'
                     '<script type="text/javascript">var x = 1;</script></div></figure>'
                     '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr>'
                     '</tbody></table>'})
    parameters = v4.new_code_cell("n = 1  # a number to show in the settings [0, 2]",
                                  metadata={"tags": ["parameters"]})
    nb = v4.new_notebook(cells=[
        parameters, v4.new_markdown_cell(markdown),
        v4.new_code_cell("x = 1", outputs=[
            html_output, v4.new_output("stream", name="stdout", text="printed\n")])])
    with tempfile.TemporaryDirectory(prefix=f"{scratch_prefix('run')}warm-up-") as folder:
        notebook = Path(folder) / "warm-up.ipynb"
        nbformat.write(nb, notebook)
        spec = ReportSpec("warm-up", notebook, "Warm-up", "Nothing", {"n": 1})
        render_report_html(nb, spec, {"n": 2})
    # and every other template of the pages (the index, the variants' and a sweep's gallery,
    # which each process compiled on its first build: a one-report build writes the variants'
    # index too)
    for template in sorted(paths.TEMPLATES_DIR.glob("*.j2")):
        TEMPLATES.get_template(template.name)


def ensure_plotly_js(reports_dir: Path) -> Path:
    """Copy plotly.js from the installed plotly package into reports/ (shared by all pages)."""
    source = plotly_js_path()
    target = reports_dir / PLOTLY_JS_NAME
    # compared by content: a corrupted copy of the same size would leave every chart blank
    if not target.is_file() or file_digest(target) != file_digest(source):
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
    cards = [{"name": s.name, "title": s.title, "summary": s.summary,
              "headline": manifest.get(s.name, {}).get("headline", ""),
              "built": manifest.get(s.name, {}).get("built", "")}
             for s in specs if s.name in built]
    starts = [{"reader": entry["reader"], "why": entry["why"],
               "links": [{"name": r, "title": titles.get(r, r)}
                         for r in entry["reports"] if r in built]}
              for entry in start_here or []]
    dates = sorted({c["built"] for c in cards if c["built"]})
    # sweep galleries already in the folder (reports/sweeps/<report>/index.html)
    sweeps = [{"href": f"sweeps/{d.name}/index.html", "title": titles.get(d.name, d.name)}
              for d in sorted((reports_dir / "sweeps").glob("*"))
              if (d / "index.html").is_file()] if (reports_dir / "sweeps").is_dir() else []
    page = rendered("index.html.j2", title="AI job market reports", cards=cards, sweeps=sweeps,
                    starts=[s for s in starts if s["links"]],
                    built_from=dates[0] if dates else "", built_to=dates[-1] if dates else "",
                    data_dates=data_dates())
    target = reports_dir / "index.html"
    if not target.exists() or target.read_text(encoding="utf-8") != page:
        write_atomic(target, page)
    return target
