"""What a chart shows, for readers who cannot or do not want to read the picture: its data as a
tidy table (attach_data: one row per observation, named columns with their units, built from
the computed table the chart draws, not from its traces) and alt text that states its finding
(the chart's title, which the charts write as a finding, and its subtitle)."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class ChartData:
    """A chart's data for readers to take away: `what` names the file (a slug such as
    "pay-bands"; the page's file is <report>--<what>.csv), `frame` holds one row per
    observation with units in its column names, `digits` says how many decimal places each
    number column keeps, and `notes` what a reader should know (filters, what a row is)."""

    what: str
    frame: pd.DataFrame
    digits: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str = ""


def attach_data(fig: Any, what: str, frame: pd.DataFrame, digits: dict[str, int] | None = None,
                notes: list[str] | None = None, source: str = "") -> Any:
    """Give a figure the tidy table its download is made of (see ChartData); returns the
    figure. Every number column with fractions must have its precision in `digits`."""
    if not SLUG_RE.match(what):
        raise ValueError(f"chart data name {what!r}: lower-case words joined by '-'")
    digits = dict(digits or {})
    frame = frame.reset_index(drop=True)
    for c in frame.columns:  # whole numbers held as floats (counts after a merge) stay whole
        if c not in digits and pd.api.types.is_float_dtype(frame[c]) and \
                bool((frame[c].dropna() % 1 == 0).all()):
            digits[c] = 0
    loose = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])
             and c not in digits]
    if loose:
        raise ValueError(f"chart data {what!r}: say the precision of {', '.join(loose)}")
    fig._aijobs_data = ChartData(what, frame, digits, list(notes or []), plain_text(source))
    return fig


def attached_data(fig: Any) -> ChartData | None:
    """The tidy table attach_data gave a figure, if any."""
    return getattr(fig, "_aijobs_data", None)


# Per-point values a trace may carry, in the order they become columns.
POINT_KEYS = ("labels", "parents", "x", "y", "base", "z", "values", "text", "hovertext",
              "customdata")
TAG_RE = re.compile(r"<[^<>]*>")


def plain_text(text: Any) -> str:
    """Chart markup as plain text: line breaks as spaces, tags dropped, entities decoded."""
    if text is None:
        return ""
    spaced = re.sub(r"<br\s*/?>", " ", str(text), flags=re.IGNORECASE)
    return " ".join(html.unescape(TAG_RE.sub("", spaced)).split())


def _title_text(obj: Any) -> str:
    if isinstance(obj, dict):
        return plain_text(obj.get("text"))
    return plain_text(obj)


def _axis_title(layout: dict, trace: dict, letter: str) -> str:
    ref = trace.get(f"{letter}axis", letter)
    axis = layout.get(f"{ref[0]}axis{ref[1:]}") or layout.get(f"{letter}axis") or {}
    return _title_text(axis.get("title")) if isinstance(axis, dict) else ""


def decoded_arrays(obj: Any) -> Any:
    """Plotly's base64 typed arrays ({"dtype", "bdata", "shape"}, as plotly 6 writes numeric
    arrays) turned back into plain lists, anywhere in a figure dict."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            values = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            if "shape" in obj:
                values = values.reshape([int(n) for n in str(obj["shape"]).split(",")])
            return values.tolist()
        return {k: decoded_arrays(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decoded_arrays(v) for v in obj]
    return obj


def _values(values: Any) -> list[Any]:
    values = decoded_arrays(values)
    if isinstance(values, np.ndarray):
        return values.tolist()
    if isinstance(values, list | tuple):
        return list(values)
    return [values]


def _title_lines(spec: dict) -> list[str]:
    title = (spec.get("layout") or {}).get("title")
    text = title.get("text") if isinstance(title, dict) else title
    parts = re.split(r"<br\s*/?>", str(text or ""), flags=re.IGNORECASE)
    # A title wrapped onto several lines (theme.wrapped) is one sentence: its lines join up to
    # the subtitle, which starts with <sup>; each line after that stands on its own.
    sub = next((i for i, part in enumerate(parts) if part.lstrip().lower().startswith("<sup")),
               len(parts))
    lines = [" ".join(plain_text(part) for part in parts[:sub]), *map(plain_text, parts[sub:])]
    return [line for line in lines if line]


def figure_alt_text(spec: dict) -> str:
    """The chart's finding in words: its title and subtitle as plain sentences."""
    lines = _title_lines(spec)
    return " ".join(line if line[-1] in ".!?:;" else line + "." for line in lines) or "Chart."


def figure_headline(spec: dict) -> str:
    """The chart's finding alone: the first line of its title."""
    lines = _title_lines(spec)
    return lines[0] if lines else ""


def figure_data_frame(spec: dict) -> pd.DataFrame:
    """Every plotted point of a figure (a plotly dict, as safe_figure_dict gives): one row per
    point, with the series it belongs to and columns named after the axes where they have
    titles (e.g. 'x: Annual pay (USD thousands)'). A slider chart gives its starting state."""
    layout = spec.get("layout") or {}
    frames = []
    for i, trace in enumerate(spec.get("data") or []):
        name = plain_text(trace.get("name")) or f"series {i + 1}"
        columns: dict[str, list[Any]] = {}
        trace = decoded_arrays(trace)
        if trace.get("type") == "heatmap" and trace.get("z") is not None:
            z = np.asarray(trace["z"], dtype=object)
            xs = _values(trace.get("x", list(range(z.shape[1]))))
            ys = _values(trace.get("y", list(range(z.shape[0]))))
            columns = {"x": [x for _ in ys for x in xs], "y": [y for y in ys for _ in xs],
                       "z": z.ravel().tolist()}
        else:
            for key in POINT_KEYS:
                if trace.get(key) is None:
                    continue
                values = _values(trace[key])
                if key == "customdata":
                    values = [", ".join(map(str, v)) if isinstance(v, list | tuple) else v
                              for v in values]
                columns[key] = values
        length = max((len(v) for v in columns.values() if len(v) > 1), default=1)
        if not columns:
            continue
        rows = {"series": [name] * length}
        for key, values in columns.items():
            if len(values) == 1 and length > 1:
                values = values * length
            if len(values) != length:
                continue
            label = key
            if key in ("x", "y"):
                axis = _axis_title(layout, trace, key)
                label = f"{key}: {axis}" if axis else key
                if trace.get("type") == "bar" and trace.get("base") is not None and \
                        key == ("y" if trace.get("orientation") != "h" else "x"):
                    label = f"bar length{': ' + axis if axis else ''}"
            elif key == "base":
                label = "bar starts at"
            rows[label] = [plain_text(v) if isinstance(v, str) else v for v in values]
        frames.append(pd.DataFrame(rows))
    if not frames:
        return pd.DataFrame({"series": []})
    return pd.concat(frames, ignore_index=True, sort=False)
