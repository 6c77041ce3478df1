"""Report pages: the executed notebook rendered as HTML with header, parameters and footer,
the index page, and plotly.js served beside the pages."""

from __future__ import annotations

import html
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aijobs import paths
from aijobs.errors import BuildError
from aijobs.files import write_atomic
from aijobs.reports.config import ReportSpec, shown_path
from aijobs.reports.parameters import notebook_parameters

PLOTLY_JS_NAME = "plotly.min.js"


@dataclass(frozen=True)
class BuildOptions:
    show_code: bool = False
    self_contained: bool = False


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
.aijobs-table-wrap, details.params { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) {
  header, main, footer { padding-left: 12px; padding-right: 12px; }
  main { padding: 4px 12px 16px; }
  h1 { font-size: 1.5rem; }
  table { font-size: .82rem; }
  th, td { padding: 4px 6px; }
}
"""


def page_html(title: str, head_extra: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n{head_extra}</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def parameters_table_html(spec: ReportSpec, used: dict[str, Any]) -> str:
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
              "for values, drag to zoom, double-click to reset.</footer>")
    return page_html(spec.title, plotly_script_tag(options),
                 f"{header}\n<main>\n{body}\n</main>\n{footer}")


def ensure_plotly_js(reports_dir: Path) -> Path:
    """Copy plotly.js from the installed plotly package into reports/ (shared by all pages)."""
    source = plotly_js_path()
    target = reports_dir / PLOTLY_JS_NAME
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        write_atomic(target, source.read_bytes())
    return target


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
    page = page_html("AI job market reports", "", body)
    if not target.exists() or target.read_text(encoding="utf-8") != page:
        write_atomic(target, page)
    return target
