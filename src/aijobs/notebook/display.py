"""Show figures and tables from a notebook, both in JupyterLab and in the HTML reports.

Under the report build (AIJOBS_REPORT_MODE=1, set by aijobs.reports.build) a figure becomes a plain
HTML div with a fixed id that calls the page's shared plotly.js, so pages stay small, work
offline and come out the same on every build. Interactively it is an ordinary fig.show().
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import HTML, display

from aijobs import paths
from aijobs.charts.theme import safe_figure_dict
from aijobs.data import tables
from aijobs.notebook.mode import REPORT_MODE_VAR, report_mode  # noqa: F401  (re-exported)

_figure_ids = itertools.count(1)
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def figure_html(fig: go.Figure, div_id: str) -> str:
    """The figure as a div plus the script that draws it with the page's plotly.js, with every
    string made safe (charts.theme.safe_figure_dict)."""
    return pio.to_html(safe_figure_dict(fig), full_html=False, include_plotlyjs=False,
                       div_id=div_id, config=PLOTLY_CONFIG, default_width="100%",
                       validate=False)


def show(fig: go.Figure) -> None:
    """Display a figure: a deterministic HTML div in reports, plotly's own display elsewhere;
    both with every string made safe (charts.theme.safe_figure_dict)."""
    if report_mode():
        display(HTML(figure_html(fig, f"aijobs-fig-{next(_figure_ids)}")))
    else:
        pio.show(safe_figure_dict(fig), config=PLOTLY_CONFIG, validate=False)


def table_html(frame: pd.DataFrame, columns: Mapping[str, str] | None = None,
               formats: Mapping[str, str] | None = None) -> str:
    """An HTML table of `frame` with every cell escaped, so text from data never runs as markup.

    `columns` maps column names to headers (and picks them); `formats` maps a column to a
    format string such as "${:,.0f}".
    """
    columns = dict(columns or {c: c for c in frame.columns})
    formats = dict(formats or {})
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in columns.values())
    body = []
    for _, row in frame.iterrows():
        cells = []
        for col in columns:
            value = row[col]
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                text = "–"
            elif isinstance(value, bool | np.bool_):
                text = "yes" if value else "no"
            elif col in formats:
                text = formats[col].format(value)
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    # the wrapper scrolls sideways on a narrow screen instead of widening the page
    return (f'<div class="aijobs-table-wrap"><table class="aijobs-table"><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def show_table(frame: pd.DataFrame, columns: Mapping[str, str] | None = None,
               formats: Mapping[str, str] | None = None) -> None:
    """Display an escaped HTML table (see table_html)."""
    display(HTML(table_html(frame, columns, formats)))


def sources_frame(names: Sequence[str] | None = None) -> pd.DataFrame:
    """Provenance of the tables loaded in this kernel (or of `names`): one row per table."""
    names = list(names) if names else list(tables.LOADED)
    registry = tables.load_sources()
    rows = []
    for name in names:
        meta = tables.table_metadata(name)
        origin = registry[meta["source"]["id"]]
        rows.append({
            "table": tables.LOADED.get(name, f"data/{name}.csv"),
            "holds": meta["title"],
            "source": f"{origin['title']} ({origin['producer']})",
            "rows_cite": f"column {meta['source'].get('section_column', '-')}",
            "licence": meta["licence"],
            "recorded": meta["date_recorded"],
        })
    for file, origin in paths.OTHER_SOURCES.items():
        rows.append({"table": file, **origin, "rows_cite": "-", "recorded": "-"})
    return pd.DataFrame(rows)


def show_sources(names: Sequence[str] | None = None) -> None:
    """Display the provenance table of the data this notebook used (and record the inputs)."""
    show_table(sources_frame(names), {"table": "File", "holds": "What it holds",
                                      "source": "Source", "rows_cite": "Each row cites",
                                      "licence": "Licence", "recorded": "Recorded"})
    record_inputs()


def show_note(text: str) -> None:
    """Display one escaped paragraph (a short note under a table or chart)."""
    display(HTML(f'<p class="aijobs-note">{html.escape(text)}</p>'))


INPUTS_MIME = "application/vnd.aijobs.inputs+json"


def record_inputs() -> None:
    """Emit the list of files this kernel read, for the report build's up-to-date check.

    The output is invisible: its only visible part is an empty HTML fragment.
    """
    display({INPUTS_MIME: {"files": list(paths.FILES_READ)}, "text/html": ""}, raw=True)
