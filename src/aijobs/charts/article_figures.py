"""Charts of the article's facts: pay bands, growth, entry routes, learning paths, roles and
skills. Each builder takes DataFrames from aijobs.analysis.transforms and returns a figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aijobs.analysis.transforms import labelled
from aijobs.charts import downloads, finding_titles
from aijobs.charts.figure_data import attach_data
from aijobs.charts.theme import (
    BLUE,
    GREEN,
    GREY,
    GROUP_COLOURS,
    INK,
    LIGHT_BLUE,
    MUTED,
    ORANGE,
    PALETTE,
    PURPLE,
    axis_line,
    escaped_frame,
    finish_figure,
    money_axis,
)
from aijobs.formatting import money_k
from aijobs.words import capitalised, count, listing, lower_first, n_of

# --- compensation -------------------------------------------------------------------------

def band_figure(bands: pd.DataFrame, source: str, *, basis_label: str = "tech-hub average",
                from_article: bool = True) -> go.Figure:
    """Range chart of pay bands: one bar per role from low to high, midpoint marked; its title
    names whose bands they are (the article's, or a bands file given: from_article=False), as
    the highest midpoint of a band is not the highest pay observed.

    Expects the columns of transforms.adjusted_bands, in display order (top row first).
    Open-ended tops get a dashed extension and an arrow. When the adjustment factor is not 1
    the article's own band is drawn behind as a grey outline.
    """
    tidy = downloads.band_figure(bands, basis_label)
    bands = escaped_frame(bands)
    b = bands.iloc[::-1]  # plotly draws the first category at the bottom
    names = list(b["role_name"])
    low_k = b["adjusted_low_usd"] / 1000
    high_k = b["adjusted_high_usd"] / 1000
    mid_k = b["adjusted_midpoint_usd"] / 1000
    factor = float(b["adjustment_factor"].iloc[0]) if len(b) else 1.0
    fig = go.Figure()
    if not math.isclose(factor, 1.0):
        fig.add_bar(name="Article's band", y=names, x=(b["salary_high_usd"] - b["salary_low_usd"])
                    / 1000, base=b["salary_low_usd"] / 1000, orientation="h",
                    marker={"color": "rgba(0,0,0,0)", "line": {"color": MUTED, "width": 1.5}},
                    width=0.62,
                    hovertemplate="%{y}: article band from $%{base:,.0f}K<extra></extra>")
    fig.add_bar(name="Pay band", y=names, x=high_k - low_k, base=low_k, orientation="h",
                marker={"color": LIGHT_BLUE, "line": {"color": BLUE, "width": 1}}, width=0.5,
                customdata=list(zip(low_k, high_k, strict=True)),
                hovertemplate="%{y}<br>$%{customdata[0]:,.0f}K to $%{customdata[1]:,.0f}K"
                              "<extra></extra>")
    open_rows = b[b["is_open_ended"]]
    if len(open_rows):
        top = open_rows["adjusted_high_usd"] / 1000
        ext = top * 0.12
        xs, ys = [], []
        for name, start, length in zip(open_rows["role_name"], top, ext, strict=True):
            xs += [start, start + length, None]
            ys += [name, name, None]
        fig.add_scatter(name="Open-ended top (+)", x=xs, y=ys, mode="lines",
                        line={"color": BLUE, "width": 3, "dash": "dot"}, hoverinfo="skip")
        fig.add_scatter(name="Open-ended top (+)", x=top + ext, y=open_rows["role_name"],
                        mode="markers", marker={"symbol": "triangle-right", "size": 12,
                                                "color": BLUE},
                        showlegend=False,
                        hovertemplate="%{y}: no stated ceiling above the band<extra></extra>")
    fig.add_scatter(name="Midpoint", x=mid_k, y=names, mode="markers+text",
                    marker={"symbol": "diamond", "size": 11, "color": ORANGE},
                    text=[money_k(v * 1000) for v in mid_k], textposition="top center",
                    textfont={"size": 11, "color": INK},
                    hovertemplate="%{y} midpoint: $%{x:,.0f}K<extra></extra>")
    money_axis(fig)
    fig.update_layout(barmode="overlay", bargap=0.35)
    top_row = bands.loc[bands["adjusted_midpoint_usd"].idxmax()] if len(bands) else None
    if top_row is None:
        title = "No roles selected"
    else:
        whose = "In the article's bands" if from_article else "In the bands file given"
        title = (f"{whose}, {top_row['role_name']} has the highest midpoint, "
                 f"{money_k(top_row['adjusted_midpoint_usd'])} a year")
        if not math.isclose(factor, 1.0):
            title += f" (after a ×{factor:.2f} adjustment)"
    title += f"<br><sup>Annual pay bands, {basis_label}</sup>"
    fig = finish_figure(fig, title, source, height=max(360, 110 + 62 * len(bands) + 110))
    return attach_data(fig, *tidy, source=source)


# --- growth -------------------------------------------------------------------------------

def growth_figure(growth: pd.DataFrame, source: str, *, period_years: float = 1.0) -> go.Figure:
    """Bars of growth_pct per role, fastest on top, labelled with growth and doubling time
    (transforms.growth_table read with the figures covering `period_years`)."""
    tidy = downloads.growth_figure(growth)
    growth = escaped_frame(growth)
    g = growth.iloc[::-1]
    text = [f"{p:+,.0f}% (×{m:.2f})<br>doubles in {d * 12:.1f} months"
            for p, m, d in zip(g["growth_pct"], g["growth_multiple"], g["doubling_time_years"],
                               strict=True)]
    fig = go.Figure(go.Bar(y=g["role_name"], x=g["growth_pct"], orientation="h", text=text,
                           textposition="outside", marker={"color": ORANGE}, cliponaxis=False,
                           name="Growth",
                           hovertemplate="%{y}: +%{x:.0f}%<extra></extra>"))
    fig.update_xaxes(title={"text": "Growth over the article's (unstated) period, percent"},
                     ticksuffix="%", range=[0, float(growth["growth_pct"].max()) * 1.75])
    top = growth.iloc[0]
    title = (f"In the article, {top['role_name']} grows fastest: {top['growth_pct']:+.0f}%"
             f"<br><sup>Doubling times: {finding_titles.period_note(growth, period_years)}"
             "</sup>")
    fig = finish_figure(fig, title, source, height=380)
    return attach_data(fig, *tidy, source=source)


def projection_figure(projection: pd.DataFrame, source: str, *, growth_decay: float,
                      period_years: float = 1.0) -> go.Figure:
    """Demand index over years per role (log scale), from transforms.growth_projection, read
    with the article's figures covering `period_years` (the article gives no period)."""
    tidy = downloads.projection_figure(projection, period_years, growth_decay)
    projection = escaped_frame(projection)
    fig = go.Figure()
    for i, (role, group) in enumerate(projection.groupby("role_name", sort=False)):
        fig.add_scatter(x=group["year"], y=group["demand_index"], mode="lines+markers",
                        name=role, line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                        hovertemplate=f"{role}<br>year %{{x}}: ×%{{y:,.2f}}<extra></extra>")
    horizon = int(projection["year"].max())
    final = projection[projection["year"] == horizon].sort_values("demand_index")
    top = final.iloc[-1]
    top_value = float(projection["demand_index"].max())
    ticks = [m * 10 ** e for e in range(0, int(math.log10(max(top_value, 1))) + 2)
             for m in (1, 2, 5) if m * 10 ** e <= top_value * 2]
    fig.update_yaxes(type="log", title={"text": "Demand index (year 0 = 1, log scale)"},
                     tickvals=ticks, ticktext=[f"×{t:,g}" for t in ticks])
    fig.update_xaxes(title={"text": "Years from now"}, dtick=1 if horizon <= 12 else None)
    period = "one year" if period_years == 1 else f"{period_years:g} years"
    title = (f"If each figure covered {period}: {top['role_name']} ×"
             f"{top['demand_index']:,.1f} after {horizon} year{'s' if horizon != 1 else ''}"
             f"<br><sup>{capitalised(finding_titles.period_note(projection, period_years))}"
             f"; each year's rate cut by "
             f"{growth_decay:.0%}; not a forecast</sup>")
    fig = finish_figure(fig, title, source, height=460)
    return attach_data(fig, *tidy, source=source)


# --- entry and learning paths ------------------------------------------------------------

def entry_figure(ranking: pd.DataFrame, source: str) -> go.Figure:
    """Entry routes ranked as the table ranks them: 1 is the most competitive, on top, with
    the longest bar; the axis runs from less to more competitive."""
    tidy = downloads.entry_figure(ranking)
    ranking = escaped_frame(ranking)
    r = ranking.iloc[::-1]
    # the bar carries only its rank: the article's wording ('Hardest to get; more applicants
    # than ever') shrank to an unreadable size inside the shortest bar on a phone; the wording
    # stays in the hover and in the table under the chart
    fig = go.Figure(go.Bar(y=r["entry_label"], x=r["competitiveness_level"], orientation="h",
                           text=[f"Rank {k}" for k in r["rank_hardest_first"]],
                           textposition="inside", insidetextanchor="start",
                           textfont={"size": 13},
                           marker={"color": [ORANGE if v == 3 else BLUE if v == 2 else GREEN
                                             for v in r["competitiveness_level"]]},
                           customdata=np.stack([r["rank_hardest_first"],
                                                r["competitiveness_label"]], axis=1),
                           hovertemplate="%{y}: rank %{customdata[0]} (1 = most competitive): "
                                         "%{customdata[1]}<extra></extra>"))
    top = float(ranking["competitiveness_level"].max())
    fig.update_xaxes(range=[0, top + 0.45], tickvals=[0, top], showticklabels=True,
                     ticktext=["less competitive", "more competitive"],
                     title={"text": "How competitive, from the article's wording "
                                    "(rank 1 = most competitive)"})
    hardest = ranking.iloc[0]
    title = (f"In the article, {lower_first(hardest['entry_label'])} is the hardest way in"
             "<br><sup>The article ranks the routes in words; the bars keep only the order, "
             "rank 1 the most competitive</sup>")
    fig = finish_figure(fig, title, source, height=360)
    return attach_data(fig, *tidy, source=source)


def path_timeline_figure(timeline: pd.DataFrame, source: str) -> go.Figure:
    """Each step of the learning paths with the time the article states for it: a timed step
    as its range (a solid bar to the shortest estimate, a light one to the longest, labelled
    "3–6 months"), an ongoing step hatched with no end, a focus point as a dotted line."""
    tidy = downloads.path_timeline_figure(timeline)
    timeline = escaped_frame(timeline)
    t = timeline.iloc[::-1]
    labels = [f"Path {n} · {s}" for n, s in zip(t["path_number"], t["step_label"], strict=True)]
    t = t.assign(label=labels)
    timed = t[t["step_kind"] == "timed"]
    longest = float(timed["duration_months_max"].max()) if len(timed) else 1.0
    horizon = max(longest, 1.0) + 2
    fig = go.Figure()
    fig.add_bar(name="Shortest estimate", y=timed["label"], x=timed["duration_months_min"],
                orientation="h", marker={"color": BLUE}, width=0.55,
                customdata=timed[["duration_months_min", "duration_months_max"]],
                hovertemplate="%{y}: %{customdata[0]:g} to %{customdata[1]:g} months"
                              "<extra></extra>")
    fig.add_bar(name="Up to the longest estimate", y=timed["label"],
                x=timed["duration_months_max"] - timed["duration_months_min"],
                base=timed["duration_months_min"], orientation="h",
                marker={"color": LIGHT_BLUE}, width=0.55,
                text=[f"{lo:g}–{hi:g} months" if lo != hi else f"{lo:g} months"
                      for lo, hi in zip(timed["duration_months_min"],
                                        timed["duration_months_max"], strict=True)],
                textposition="outside", cliponaxis=False,
                customdata=timed[["duration_months_min", "duration_months_max"]],
                hovertemplate="%{y}: %{customdata[0]:g} to %{customdata[1]:g} months"
                              "<extra></extra>")
    ongoing = t[t["step_kind"] == "ongoing"]
    if len(ongoing):
        fig.add_bar(name="Ongoing (no end)", y=ongoing["label"], x=[horizon] * len(ongoing),
                    base=[0] * len(ongoing), orientation="h", width=0.55,
                    marker={"color": "rgba(5,150,105,0.18)", "line": {"color": GREEN, "width": 1},
                            "pattern": {"shape": "/", "fgcolor": GREEN, "size": 8}},
                    text=["ongoing →"] * len(ongoing), textposition="inside",
                    insidetextanchor="end", textfont={"color": GREEN},
                    hovertemplate="%{y}: ongoing, never finished<extra></extra>")
    focus = t[t["step_kind"] == "focus"]
    if len(focus):
        xs, ys = [], []
        for label in focus["label"]:
            xs += [0, horizon, None]
            ys += [label, label, None]
        fig.add_scatter(name="Focus throughout", x=xs, y=ys, mode="lines",
                        line={"color": PURPLE, "dash": "dot", "width": 2}, hoverinfo="skip")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(range=[0, horizon], title={"text": "Months the step takes (the article's "
                                                        "range)"}, dtick=1)
    fig.update_yaxes(categoryorder="array", categoryarray=list(t["label"]))
    title = (f"No timed step takes more than {longest:g} months"
             "<br><sup>Each step with the time the article gives it, in the paths' order; the "
             "next chart adds them up</sup>")
    fig = finish_figure(fig, title, source, height=max(420, 140 + 34 * len(timeline) + 110))
    return attach_data(fig, *tidy, source=source)


def first_role_figure(first_role: pd.DataFrame, source: str) -> go.Figure:
    """Range bars of months of timed learning before a first role, per path."""
    tidy = downloads.first_role_figure(first_role)
    first_role = escaped_frame(first_role)
    f = first_role.iloc[::-1]
    labels = [f"Path {n}: {name}" for n, name in zip(f["path_number"], f["path_name"], strict=True)]
    text = [f"{lo:g}–{hi:g} months" + (" + ongoing" if og else "")
            for lo, hi, og in zip(f["months_min"], f["months_max"], f["has_ongoing_steps"],
                                  strict=True)]
    fig = go.Figure(go.Bar(y=labels, x=f["months_max"] - f["months_min"], base=f["months_min"],
                           orientation="h", text=text, textposition="outside", cliponaxis=False,
                           marker={"color": BLUE}, width=0.5, name="Months",
                           hovertemplate="%{y}: %{base:g} to %{customdata:g} months<extra></extra>",
                           customdata=f["months_max"]))
    fig.update_xaxes(range=[0, float(first_role["months_max"].max()) * 1.6],
                     title={"text": "Months of timed learning before a first role"})
    fastest = first_role.sort_values(["months_max", "months_min"]).iloc[0]
    title = (f"The {fastest['path_name'].lower()} path asks the shortest study: "
             f"{fastest['months_min']:g}–{fastest['months_max']:g} months"
             "<br><sup>Sum of the timed steps; ongoing steps continue after the first role</sup>")
    fig = finish_figure(fig, title, source, height=360)
    return attach_data(fig, *tidy, source=source)


# --- overview -----------------------------------------------------------------------------

GROUP_ORDER = ("core_ai", "ai_adjacent", "ai_augmented")
DEPTH_ORDER = ("technical", "semi_technical", "non_technical", "unstated")


def roles_map(roles: pd.DataFrame, source: str) -> go.Figure:
    """Every role on one row, in the column of the technical depth the article implies,
    coloured by its group: every label at full size, however many roles."""
    tidy = downloads.roles_map(roles)
    roles = escaped_frame(roles)
    groups = list(GROUP_ORDER) + sorted(set(roles["role_group"]) - set(GROUP_ORDER))
    depths = list(DEPTH_ORDER) + sorted(set(roles["technical_depth"]) - set(DEPTH_ORDER))
    order = roles.assign(_g=roles["role_group"].map(groups.index),
                         _d=roles["technical_depth"].map(depths.index)) \
        .sort_values(["_g", "_d", "role_name"])
    fig = go.Figure()
    for group in groups:
        rows = order[order["role_group"] == group]
        if rows.empty:
            continue
        name = f"{labelled([group])[0]} ({len(rows)})"
        fig.add_scatter(x=labelled(rows["technical_depth"]), y=rows["role_name"],
                        mode="markers", name=name,
                        marker={"size": 15, "symbol": "square",
                                "color": GROUP_COLOURS.get(group, GREY)},
                        hovertemplate=f"%{{y}}: %{{x}}<extra>{name}</extra>")
    fig.update_yaxes(categoryorder="array", categoryarray=list(order["role_name"])[::-1],
                     showgrid=True)
    # the depth labels under the plot: above it, the legend would cover them
    fig.update_xaxes(categoryorder="array", categoryarray=labelled(depths),
                     title={"text": "Technical depth the article implies"})
    counts = roles["role_group"].value_counts()
    title = (f"{count(len(roles), 'role')} named: {counts.get('core_ai', 0)} core AI, "
             f"{counts.get('ai_adjacent', 0)} AI-adjacent, "
             f"{counts.get('ai_augmented', 0)} AI-augmented"
             "<br><sup>One row per role: its column is the technical depth the article implies, "
             "its colour the group</sup>")
    fig = finish_figure(fig, title, source, height=220 + 30 * len(roles))
    return attach_data(fig, *tidy, source=source)


def skills_figure(skills: pd.DataFrame, source: str) -> go.Figure:
    """Stacked counts of skills by type and status (widely discussed, under-rated, neither)."""
    tidy = downloads.skills_figure(skills)
    skills = escaped_frame(skills)
    status = skills.assign(status=[
        "Under-appreciated" if u else "Widely discussed" if w else "Not flagged"
        for u, w in zip(skills["is_underrated"], skills["is_widely_discussed"], strict=True)])
    fig = go.Figure()
    colours = {"Widely discussed": GREY, "Under-appreciated": ORANGE, "Not flagged": BLUE}
    for name, colour in colours.items():
        part = status[status["status"] == name]
        counts = part.groupby("skill_type").size().reindex(["technical", "soft"], fill_value=0)
        names = part.groupby("skill_type")["skill_name"].apply(lambda s: "<br>".join(s))
        names = names.reindex(["technical", "soft"], fill_value="")
        fig.add_bar(name=name, x=["Technical", "Soft"], y=counts.to_numpy(),
                    marker={"color": colour}, customdata=names.to_numpy(),
                    hovertemplate="%{x} · " + name + ": %{y}<br>%{customdata}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title={"text": "Number of skills named"}, dtick=1)
    tech = skills[skills["skill_type"] == "technical"]
    under = int(tech["is_underrated"].sum())
    title = (capitalised(n_of(under, len(tech), "technical skill", "is")) + " "
             + ("one" if under == 1 else "ones") + " the author calls under-appreciated"
             "<br><sup>Hover a bar for the skills in it</sup>")
    fig = finish_figure(fig, title, source, height=420)
    return attach_data(fig, *tidy, source=source)


def shelf_life_title(shelf_life_months: float, first_role: pd.DataFrame) -> str:
    """Whether each path's longest timed learning ends before skills may date, in words."""
    longest = float(first_role["months_max"].max())
    late = first_role[first_role["months_max"] > shelf_life_months]
    if late.empty:
        every = "The" if len(first_role) == 1 else "Every"
        return (f"{every} path's timed learning (at most {longest:g} months) ends before skills "
                f"may date ({shelf_life_months:g} months)")
    names = listing(f"path {n}" for n in late["path_number"])
    return (f"{capitalised(n_of(len(late), len(first_role), 'path', 'runs'))} past the "
            f"{shelf_life_months:g} months after which skills may date ({names}: up to "
            f"{longest:g} months)")


def shelf_life_figure(shelf_life_months: float, first_role: pd.DataFrame, source: str,
                      ) -> go.Figure:
    """Skills' shelf life set against the longest timed learning on each path."""
    tidy = downloads.shelf_life_figure(shelf_life_months, first_role)
    first_role = escaped_frame(first_role)
    labels = [f"Path {n}: {p}" for n, p in zip(first_role["path_number"],
                                                first_role["path_name"], strict=True)]
    fig = go.Figure()
    fig.add_bar(y=labels[::-1], x=list(first_role["months_max"])[::-1], orientation="h",
                name="Longest timed learning", marker={"color": BLUE}, width=0.5,
                hovertemplate="%{y}: up to %{x:g} months<extra></extra>")
    axis_line(fig, x=shelf_life_months, line={"color": ORANGE, "dash": "dash", "width": 2})
    fig.add_annotation(x=shelf_life_months, y=1.0, yref="paper", yanchor="bottom",
                       text=f"skills may be dated after {shelf_life_months:g} months",
                       showarrow=False, font={"color": ORANGE}, xanchor="right")
    fig.update_xaxes(range=[0, shelf_life_months * 1.15], title={"text": "Months"})
    title = shelf_life_title(shelf_life_months, first_role)
    title += ("<br><sup>The longest timed learning on each path against the article's shelf "
              "life of skills</sup>")
    fig = finish_figure(fig, title, source, height=360)
    return attach_data(fig, *tidy, source=source)
