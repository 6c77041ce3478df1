"""Show figures and tables from a notebook, both in JupyterLab and in the HTML reports.

Under the report build (AIJOBS_REPORT_MODE=1, set by aijobs.reports.build) a figure becomes a plain
HTML div with a fixed id that calls the page's shared plotly.js, so pages stay small, work
offline and come out the same on every build. Interactively it is an ordinary fig.show().
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import HTML, Markdown, display

from aijobs import paths
from aijobs.analysis.transforms import labelled
from aijobs.charts.figure_data import (
    ChartData,
    attached_data,
    figure_alt_text,
    figure_data_frame,
    figure_headline,
)
from aijobs.charts.theme import safe_figure_dict
from aijobs.data import tables
from aijobs.errors import ParameterError
from aijobs.files import frame_csv_text
from aijobs.notebook.mode import (  # noqa: F401  (REPORT_MODE_VAR re-exported)
    FIGURE_MIME,
    FINDINGS_MIME,
    INPUTS_MIME,
    KEY_FIGURES_MIME,
    NOTE_MIME,
    REPORT_MODE_VAR,
    report_mode,
)

_figure_ids = itertools.count(1)
# No plotly logo and no "Share chart..." (an upload to Plotly's cloud): the pages are offline
# and may chart a user's own files.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendChartToCloud",
                                            "sendDataToCloud"]}



def figure_html(fig: go.Figure | dict, div_id: str) -> str:
    """The figure as a div plus the script that draws it with the page's plotly.js, with every
    string made safe (charts.theme.safe_figure_dict), inside a <figure> whose label states
    the chart's finding."""
    return _safe_spec_html(safe_figure_dict(fig), div_id)


def _safe_spec_html(spec: dict, div_id: str) -> str:
    """figure_html of a spec safe_figure_dict has already made safe (doing it again changes
    nothing: chart_text is idempotent)."""
    plot = pio.to_html(spec, full_html=False, include_plotlyjs=False, div_id=div_id,
                       config=PLOTLY_CONFIG, default_width="100%", validate=False)
    alt = html.escape(figure_alt_text(spec))
    return (f'<figure class="aijobs-figure" id="{div_id}-figure">'
            f'<div role="img" aria-label="{alt}">{plot}</div></figure>')


def _sources_so_far() -> list[dict[str, str]]:
    """Each source of the tables this kernel has read so far: title, licence status, date."""
    if not tables.LOADED and not paths.OTHER_SOURCES:
        return []
    seen: set = set()
    out = []
    # each source's first row, from sources_frame's rows without building the frame (every
    # chart asks, and the frame was most of the cost)
    for row in _source_rows(None):
        sid, source, licence, as_of = (row["source_id"], row["source"], row["licence"],
                                       row["data_as_of"])
        if sid not in seen:
            seen.add(sid)
            out.append({"source": source, "licence": licence, "data as of": as_of})
    return out


def figure_bundle(fig: go.Figure, div_id: str) -> dict:
    """The report-mode output of a figure: its HTML, plus (for the build, never shown) its
    alt text and its data: the tidy table the chart was given (figure_data.attach_data) as
    formula-safe CSV, rounded as stated, and what the data's sidecar says about it (finding,
    source, licences, dates, notes, columns). A chart given no table falls back to its
    plotted points."""
    spec = safe_figure_dict(fig)
    data = attached_data(fig) or ChartData("chart", figure_data_frame(spec))
    about = {"chart": figure_alt_text(spec), "source": data.source,
             "sources": _sources_so_far(), "notes": data.notes,
             "rows": len(data.frame), "columns": [str(c) for c in data.frame.columns],
             "decimal places": data.digits}
    return {"text/html": _safe_spec_html(spec, div_id),
            FIGURE_MIME: {"id": div_id, "what": data.what, "alt": figure_alt_text(spec),
                          "headline": figure_headline(spec),
                          "csv": frame_csv_text(data.frame, data.digits), "about": about}}


def show(fig: go.Figure) -> None:
    """Display a figure: a deterministic HTML div in reports, plotly's own display elsewhere;
    both with every string made safe (charts.theme.safe_figure_dict)."""
    if report_mode():
        display(figure_bundle(fig, f"aijobs-fig-{next(_figure_ids)}"), raw=True)
    else:
        pio.show(safe_figure_dict(fig), config=PLOTLY_CONFIG, validate=False)


def _section_headings() -> dict[str, str]:
    sections = tables.load_table("article_sections")
    return dict(zip(sections["section_id"], sections["heading"], strict=True))


# Columns whose ids readers should see as words: section ids as the article's headings, and
# codes of the tables' enums (core_ai, semi_technical, rising_demand...) as labels.
SECTION_COLUMNS = ("source_section", "section_id", "parent_section_id")
LABELLED_COLUMNS = ("role_group", "technical_depth", "evidence_kind", "outlook", "topic",
                    "comparator", "step_kind")


def readable_cell(column: str, value: Any) -> Any:
    """A cell as readers should see it: a section id as its heading, an enum code as words."""
    if not isinstance(value, str) or not value:
        return value
    if column in SECTION_COLUMNS:
        return _section_headings().get(value, value)
    if column in LABELLED_COLUMNS:
        return labelled([value])[0]
    return value


def table_html(frame: pd.DataFrame, columns: Mapping[str, str] | None = None,
               formats: Mapping[str, str] | None = None,
               links: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> str:
    """An HTML table of `frame` with every cell escaped, so text from data never runs as markup.

    `columns` maps column names to headers (and picks them); `formats` maps a column to a
    format string such as "${:,.0f}". Section ids and enum codes show as words (readable_cell).
    `links` maps a column to {value: (href, text)}: each comma-separated value of its cells
    that has an entry becomes a link (report names to their pages, say).
    """
    columns = dict(columns or {c: c for c in frame.columns})
    formats = dict(formats or {})
    links = dict(links or {})
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in columns.values())
    # each cell names its column: on a phone the rows stack as cards, "Header: value"
    label = {c: f' data-label="{html.escape(str(h))}"' for c, h in columns.items()}
    body = []
    for row in _table_rows(frame):
        cells = []
        for col in columns:
            value = readable_cell(col, row[col])
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                text = "–"
            elif isinstance(value, bool | np.bool_):
                text = "yes" if value else "no"
            elif col in formats:
                text = formats[col].format(value)
            else:
                text = str(value)
            if col in links:
                parts = [links[col].get(part) for part in text.split(", ")]
                cells.append(f"<td{label[col]}>" + ", ".join(
                    f'<a href="{html.escape(p[0])}">{html.escape(p[1])}</a>' if p
                    else html.escape(part) for p, part in zip(parts, text.split(", "),
                                                              strict=True)) + "</td>")
                continue
            cells.append(f"<td{label[col]}>{html.escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    # the wrapper scrolls sideways on a narrow screen instead of widening the page
    return (f'<div class="aijobs-table-wrap"><table class="aijobs-table"><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _table_rows(frame: pd.DataFrame) -> Any:
    """The frame's rows, each indexable by column name and holding what iterrows' rows hold
    (the values of frame.values): plain dicts when the column names are unique and those
    values are objects or plain numbers (a Series would box a datetime64 row into
    Timestamps), which a table reads without building a Series per row."""
    values = frame.values
    if not frame.columns.is_unique or values.dtype.kind not in "Ofiub":
        return (row for _, row in frame.iterrows())
    names = list(frame.columns)
    return (dict(zip(names, row, strict=True)) for row in values)


def show_table(frame: pd.DataFrame, columns: Mapping[str, str] | None = None,
               formats: Mapping[str, str] | None = None,
               links: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> None:
    """Display an escaped HTML table (see table_html)."""
    display(HTML(table_html(frame, columns, formats, links)))


def _data_as_of(meta: dict, origin: dict) -> str:
    """When the data itself dates from, as opposed to when the suite recorded it."""
    derived = meta.get("derived_from") or {}
    if derived.get("snapshot_date"):
        return f"survey snapshot of {derived['snapshot_date']}"
    if meta.get("data_as_of"):
        return str(meta["data_as_of"])
    if origin.get("date_accessed"):
        return f"undated; read {origin['date_accessed']}"
    return "not stated"


def sources_frame(names: Sequence[str] | None = None) -> pd.DataFrame:
    """Provenance of the tables loaded in this kernel (or of `names`): one row per file, with
    the source it came from (source_id, source, producer, licence, location, note), what it
    holds, the date of its data and the date the suite recorded it."""
    return pd.DataFrame(_source_rows(names))


def _source_rows(names: Sequence[str] | None) -> list[dict[str, str]]:
    """sources_frame's rows."""
    names = list(names) if names else list(tables.LOADED)
    registry = tables.load_sources()
    rows = []
    for name in names:
        meta = tables.table_metadata(name)
        sid = meta["source"]["id"]
        origin = registry[sid]
        cites = meta["source"].get("section_column")
        rows.append({
            "source_id": sid, "source": origin["title"], "producer": origin["producer"],
            "licence": tables.source_licence(sid),
            "licence_note": origin.get("licence_note", ""),
            "location": origin.get("location", ""),
            "file": tables.LOADED.get(name, f"data/{name}.csv"),
            "holds": meta["title"] + (" (each row names its article section)" if cites
                                      else ""),
            "data_as_of": _data_as_of(meta, origin),
            "recorded": str(meta["date_recorded"]),
        })
    for file, origin in paths.OTHER_SOURCES.items():
        rows.append({"source_id": file, "source": origin["source"], "producer": "",
                     "licence": tables.licence_name(origin["licence"]),
                     "licence_note": "",
                     "location": origin.get("location", file), "file": file,
                     "holds": origin["holds"], "data_as_of": origin.get("data_as_of", "-"),
                     "recorded": "read at build time"})
    return rows


def link_html(address: str, text: str | None = None) -> str:
    """An address as a link when it is a web address (http or https), else as escaped text;
    nothing is loaded from it until the reader follows it."""
    address = str(address)
    shown = html.escape(text if text is not None else address)
    if re.fullmatch(r"https?://[^\s\"'<>]+", address):
        return f'<a href="{html.escape(address)}">{shown}</a>'
    return shown


def sources_html(frame: pd.DataFrame) -> str:
    """Each source once, with its citation, its own licence status ("none stated" for a text
    that gives none, "cited figures" for studies, the licence of data) and its address as a
    link, then the files taken from it."""
    parts = []
    for _, group in frame.groupby("source_id", sort=False):
        first = group.iloc[0]
        who = f" ({first['producer']})" if first["producer"] else ""
        note = str(first.get("licence_note") or "").strip()
        licence = html.escape(first["licence"]) + (f" ({html.escape(note.rstrip('.'))})"
                                                   if note else "")
        where = f" {linked_text(first['location'])}." if first["location"] else ""
        parts.append(f'<p class="aijobs-source"><strong>{html.escape(first["source"])}</strong>'
                     f"{html.escape(who)}. Licence: {licence}.{where}</p>")
        parts.append(table_html(group, {"file": "File", "holds": "What it holds",
                                        "data_as_of": "Data as of",
                                        "recorded": "Entered in the suite"}))
    return "\n".join(parts)


def show_sources(names: Sequence[str] | None = None) -> None:
    """Display the provenance of the data this notebook used, grouped by source, and record
    the inputs. It closes the record: in a long-lived kernel (JupyterLab), the next run of a
    notebook lists only what that run reads."""
    display(HTML(sources_html(sources_frame(names))))
    record_inputs()
    tables.forget_loaded()
    paths.forget_reads()


WEB_ADDRESS_RE = re.compile(r"https?://[^\s<>\"']+?(?=[.,;:)]*(?:\s|$))")


def linked_text(text: str) -> str:
    """Escaped text in which each web address (http or https) is a link; punctuation that ends
    a sentence after an address stays outside it."""
    parts, last = [], 0
    for match in WEB_ADDRESS_RE.finditer(str(text)):
        parts.append(html.escape(text[last:match.start()]))
        parts.append(link_html(match.group(0)))
        last = match.end()
    parts.append(html.escape(str(text)[last:]))
    return "".join(parts)


def show_html(markup: str) -> None:
    """Display markup that the package built itself, every text from data in it escaped (the
    survey pages' slice switch)."""
    display(HTML(markup))


def show_note(text: str) -> None:
    """Display one escaped paragraph (a short note under a table or chart); web addresses in
    it are links."""
    display(HTML(f'<p class="aijobs-note">{linked_text(text)}</p>'))


def show_findings(sentences: Sequence[str]) -> None:
    """Display what the page found: a few computed sentences (never typed ones). In JupyterLab
    they show where the cell is; the report build lifts them to the top of the page, under its
    title, before any settings or method text."""
    clean = [str(s).strip() for s in sentences if str(s).strip()]
    items = "".join(f"<li>{linked_text(s)}</li>" for s in clean)
    display({FINDINGS_MIME: clean,
             "text/html": f'<section class="aijobs-findings"><h2>What this page finds</h2>'
                          f"<ul>{items}</ul></section>"}, raw=True)


def note_id(title: str) -> str:
    """The page anchor of a method note: "note-" and its title's words joined by "-"."""
    return "note-" + ("-".join(re.findall(r"[a-z0-9]+", title.lower())) or "method")


def show_method_note(title: str, text: str) -> None:
    """A method note or citation. In JupyterLab it shows in full where the cell is; on a
    built page its text moves to the Notes at the end and a link to it stays here."""
    display({NOTE_MIME: {"id": note_id(title), "title": title, "html": linked_text(text)},
             "text/html": f'<p class="aijobs-note"><strong>{html.escape(title)}.</strong> '
                          f"{linked_text(text)}</p>"}, raw=True)


def show_markdown(text: str) -> None:
    """Display a computed paragraph as the page's own prose (Markdown: **bold**, `code`,
    links), for sentences that state a count, a direction or a verdict: the notebook builds
    the text from the data with a function of the package and shows it here, instead of typing
    it in a Markdown cell."""
    display(Markdown(text))


def record_inputs() -> None:
    """Emit the list of files this kernel read, for the report build's up-to-date check.

    The output is invisible: its only visible part is an empty HTML fragment.
    """
    display({INPUTS_MIME: {"files": list(paths.FILES_READ)}, "text/html": ""}, raw=True)


KEY_FIGURE_NAME_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)?")  # matched whole


def record_key_figures(values: Mapping[str, float]) -> None:
    """Emit this report's key figures ({name: number}, e.g. {"mid_usd.ai_ml_engineer": 171000}),
    which the report build stores and a sweep puts in its CSV, one column each.

    Names are lower-case words joined by "_", with the unit in them and an optional ".<id>";
    values are finite numbers. Like record_inputs, the output is invisible on the page.
    """
    clean = {}
    for name, value in values.items():
        if not KEY_FIGURE_NAME_RE.fullmatch(str(name)):
            raise ValueError(f"key figure {name!r}: expected lower-case letters, digits and '_', "
                             "then optionally '.' and an id, e.g. mid_usd.ai_ml_engineer")
        number = float(value)
        if not np.isfinite(number):
            raise ParameterError(f"key figure {name}: {value!r}, not a finite number: the "
                                 "report's parameters or tables take it beyond what can be "
                                 "computed; expected settings that keep it finite (smaller "
                                 "growth rates or a shorter horizon_years)")
        clean[str(name)] = number
    display({KEY_FIGURES_MIME: clean, "text/html": ""}, raw=True)
