"""The chart of a sweep's gallery: each variant's key figures side by side."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from aijobs.charts.figure_data import attach_data
from aijobs.charts.theme import PALETTE, chart_text, escaped_frame, finish_figure, wrapped


def sweep_title(table: pd.DataFrame, value_column: str, what: str, money: bool) -> str:
    """The chart's finding, from the values: which variant gives the highest and which the
    lowest average of the figure over the roles, e.g. 'Average midpoint in the horizon year is
    highest with Premium lost each year: 5% ($190,000) and lowest with ... ($150,000)'."""
    def shown(v: float) -> str:
        return f"${v:,.0f}" if money else f"{v:,.3g}"

    what = what.split(",")[0]  # the figure without its unit and basis (the axis has them)
    means = table.groupby("variant", sort=False)[value_column].mean().dropna()
    if means.empty:
        return f"No variant recorded {what}"
    if len(means) == 1 or means.max() == means.min():
        return f"Every variant gives the same average {what}: {shown(means.iloc[0])}"
    high, low = means.idxmax(), means.idxmin()
    return (f"Average {what} is highest with {high} ({shown(means[high])}) and lowest with "
            f"{low} ({shown(means[low])})")


def sweep_figure(table: pd.DataFrame, value_column: str, what: str, source: str) -> go.Figure:
    """One row per variant (its swept settings), one dot per role: the key figure `what`
    (the table's `value_column`), so the variants' figures can be compared at a glance."""
    money = value_column.endswith("_usd") or "_usd_" in value_column
    shown = escaped_frame(table)
    title = sweep_title(shown, value_column, chart_text(what), money)
    fig = go.Figure()
    for i, (role, rows) in enumerate(shown.groupby("role", sort=False)):
        fig.add_scatter(x=rows[value_column], y=rows["variant"], mode="markers", name=role,
                        marker={"size": 10, "color": PALETTE[i % len(PALETTE)]},
                        hovertemplate=f"{role}<br>%{{y}}: "
                                      + ("$%{x:,.0f}" if money else "%{x:,.3g}")
                                      + "<extra></extra>")
    fig.update_yaxes(autorange="reversed", title={"text": ""})
    fig.update_xaxes(title={"text": chart_text(what[:1].upper() + what[1:])},
                     tickprefix="$" if money else None, separatethousands=True)
    n = table["variant"].nunique()
    # variants' settings make long titles: keep the finding inside the chart at 1400 px
    fig = finish_figure(fig, f"{wrapped(title, 90)}<br><sup>Each row is one variant of the "
                             "sweep; each dot a role</sup>", source,
                        height=max(320, 160 + 34 * n))
    return attach_data(fig, "key-figures", table, {value_column: 0 if money else 3},
                       ["One row per variant and role; the variant's swept settings are its "
                        "own columns."], source=source)
