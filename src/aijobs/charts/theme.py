"""The charts' shared look: colours, the `aijobs` plotly template, and the helpers every
chart module uses to escape data text, add the source line and format money axes.

All charts state their finding in the title and carry a source line. Money is plotted in
thousands of US dollars and shown as $150K.
"""

from __future__ import annotations

import html
import re
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BLUE = "#2563eb"
LIGHT_BLUE = "#bfdbfe"
ORANGE = "#ea580c"
GREEN = "#059669"
PURPLE = "#7c3aed"
GREY = "#cbd2d9"
PALETTE = [BLUE, ORANGE, GREEN, PURPLE, "#db2777", "#0891b2", "#ca8a04", "#4b5563"]
GROUP_COLOURS = {"core_ai": BLUE, "ai_adjacent": ORANGE, "ai_augmented": GREEN}

# A headline line longer than this runs past a chart's right edge on a desktop page (1080 px
# wide at 17 px: about 110 characters); the page script wraps titles again on a phone.
HEADLINE_CHARS = 100
TITLE_LINE_PX = 22
TOP_MARGIN_PX = 96  # the template's


pio.templates["aijobs"] = go.layout.Template(layout=go.Layout(
    font={"family": "Inter, 'Segoe UI', Helvetica, Arial, sans-serif", "size": 13, "color": INK},
    title={"x": 0, "xanchor": "left", "font": {"size": 17}},
    colorway=PALETTE,
    paper_bgcolor="white",
    plot_bgcolor="white",
    xaxis={"gridcolor": GRID, "zeroline": False, "linecolor": GREY, "ticks": "outside",
           "tickcolor": GREY, "title": {"standoff": 8}},
    yaxis={"gridcolor": GRID, "zeroline": False, "linecolor": GREY, "automargin": True},
    legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
    margin={"l": 20, "r": 30, "t": TOP_MARGIN_PX, "b": 110},
    hoverlabel={"font": {"family": "Inter, Helvetica, Arial, sans-serif"}},
))
# Merged once here: given as "plotly_white+aijobs", plotly merged and checked the two templates
# again for every figure (0.02-0.1 s each, measured), which was most of a report's chart time.
pio.templates["aijobs_white"] = go.Layout(template="plotly_white+aijobs").template
TEMPLATE = "aijobs_white"
# Every figure made once the charts are imported starts with it: plotly gives a new figure the
# default template without copying and checking it again. Set on each figure afterwards
# (finish_figure), plotly deep-copied and validated the whole template every time: 21 ms a
# figure, against 4 ms from the default (CPU time, measured), a tenth of a report's cells.
pio.templates.default = TEMPLATE


def escaped_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell HTML-escaped.

    Plotly reads a subset of HTML in labels (<b>, <br>, <a href>); text that comes from data,
    such as a user's role names, must show as typed and never act as markup.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [html.escape(v, quote=False) if isinstance(v, str) else v
                        for v in out[col]]
    return out


# The only tags a chart string may carry: line breaks, bold, italics, sub/superscripts and
# plotly's <extra> (the hover box's side label). Plotly also reads <a href>, <span style> and
# more; any of those, or anything else that looks like a tag, is shown as text.
ALLOWED_TAG_RE = re.compile(r"<(?:br\s*/?|/?(?:b|i|em|sup|sub|extra))>", re.IGNORECASE)
TAG_RE = re.compile(r"(<[^<>]*>)")


def chart_text(text: str) -> str:
    """A chart string with every tag except the few allowed ones (ALLOWED_TAG_RE) turned into
    text; entities already escaped stay as they are, so it is safe to apply twice."""
    if "<" not in text and ">" not in text:
        return text
    parts = TAG_RE.split(text)
    return "".join(part if ALLOWED_TAG_RE.fullmatch(part)
                   else part.replace("<", "&lt;").replace(">", "&gt;") for part in parts)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return np.array([_clean(v) for v in value.ravel().tolist()],
                        dtype=object).reshape(value.shape)
    return value


def safe_figure_dict(fig: go.Figure | dict) -> dict:
    """The figure as a plotly dict with every string in it (titles, subtitles, axis titles,
    annotations, legend names, hover text and templates, custom data, slider labels) passed
    through chart_text. Every page and every interactive display draws from this, so no chart
    builder can put live markup on a page."""
    spec = fig.to_dict() if isinstance(fig, go.Figure) else fig
    return _clean(spec)


def finish_figure(fig: go.Figure, title: str, source: str, *, height: int = 460) -> go.Figure:
    """Apply the template, the title and the source line under the plot."""
    if fig.layout.template != pio.templates[TEMPLATE]:  # not made with it as the default
        fig.update_layout(template=TEMPLATE)
    title, added = headline_wrapped(title)
    fig.update_layout(title={"text": title}, height=height + TITLE_LINE_PX * added)
    if added:  # each added line of the headline gets its own room above the plot
        top = fig.layout.margin.t if fig.layout.margin.t is not None else TOP_MARGIN_PX
        fig.update_layout(margin={"t": top + TITLE_LINE_PX * added})
    fig.add_annotation(text=wrapped(source), xref="paper", yref="paper", x=0, y=0, yshift=-72,
                       xanchor="left", yanchor="top", showarrow=False, align="left",
                       font={"size": 10, "color": MUTED})
    return fig


def headline_wrapped(title: str, width: int = HEADLINE_CHARS) -> tuple[str, int]:
    """The title with each headline line (those before the <sup> subtitle) longer than `width`
    characters broken onto several, and how many lines that added."""
    parts = re.split(r"(<br\s*/?>)", title, flags=re.IGNORECASE)
    out, added, in_sub = [], 0, False
    for part in parts:
        in_sub = in_sub or part.lstrip().lower().startswith("<sup")
        if in_sub or re.fullmatch(r"<br\s*/?>", part, flags=re.IGNORECASE) \
                or len(TAG_RE.sub("", part)) <= width:
            out.append(part)
            continue
        lines = textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False)
        added += len(lines) - 1
        out.append("<br>".join(lines))
    return "".join(out), added


def wrapped(text: str, width: int = 130) -> str:
    """Break a long source line onto several lines (plotly does not wrap annotations)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def axis_line(fig: go.Figure, *, line: dict, x: float | None = None,
              y: float | None = None) -> None:
    """A line across the whole plot at `x` (vertical) or `y` (horizontal) of a figure without
    subplots: the shape add_vline / add_hline draw there (the same one), without their
    subplot machinery (2 ms a line, a tenth of a small chart)."""
    if x is not None:
        fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain",
                      line=line)
    else:
        fig.add_shape(type="line", y0=y, y1=y, yref="y", x0=0, x1=1, xref="x domain",
                      line=line)


def money_axis(fig: go.Figure, axis: str = "x", label: str = "Annual pay") -> None:
    """Label an axis as annual pay in USD thousands with $ and K on the ticks."""
    # The $150K hint fits under a horizontal axis; a vertical one gets the short label.
    hint = ", $150K = $150,000" if axis == "x" else ""
    getattr(fig, f"update_{axis}axes")(
        title={"text": f"{label} (USD thousands{hint})"}, tickprefix="$",
        ticksuffix="K", separatethousands=True)
