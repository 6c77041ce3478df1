"""Charts of the salary-normalization scenarios (see aijobs.analysis.scenarios for the model)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aijobs.analysis.scenarios import AverageMove, average_move
from aijobs.charts import downloads, finding_titles
from aijobs.charts.figure_data import attach_data
from aijobs.charts.theme import (
    BLUE,
    GREEN,
    INK,
    LIGHT_BLUE,
    MUTED,
    ORANGE,
    PALETTE,
    axis_line,
    escaped_frame,
    finish_figure,
    money_axis,
    wrapped,
)
from aijobs.words import capitalised, percent_text

SCENARIO_COLOURS = ["#4b5563", "#059669", "#ea580c", "#7c3aed", "#2563eb", "#db2777"]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def band_shift_figure(projection: pd.DataFrame, source: str, *, horizon: int,
                      basis: str = "nominal", scenario: str = "",
                      move: AverageMove | None = None) -> go.Figure:
    """Today's band (grey) against the projected band at the horizon (blue), per role: the
    scenario's set values. Its title (finding_titles.band_shift_title) says so and, given the
    scenario's AverageMove (ScenarioResult.average_move), adds the median of the draws; without
    it, the move is read from the projection alone."""
    tidy = downloads.band_shift_figure(projection, basis, horizon)
    p = escaped_frame(projection[projection["basis"] == basis])
    today = p[p["year"] == 0].sort_values("mid_usd").reset_index(drop=True)
    later = p[p["year"] == horizon].set_index("role_id").loc[today["role_id"]].reset_index()
    names = list(today["role_name"])
    fig = go.Figure()
    # Today's band as a grey outline, the projected band as a filled bar inside it.
    for label, frame, colour, line, width in (
            ("Today", today, "rgba(0,0,0,0)", MUTED, 0.62),
            (f"Year {horizon}", later, LIGHT_BLUE, BLUE, 0.38)):
        fig.add_bar(name=label, y=names, x=(frame["high_usd"] - frame["low_usd"]) / 1000,
                    base=frame["low_usd"] / 1000, orientation="h", width=width,
                    marker={"color": colour, "line": {"color": line, "width": 1.5}},
                    customdata=np.stack([frame["low_usd"] / 1000, frame["high_usd"] / 1000,
                                         frame["mid_usd"] / 1000], axis=1),
                    hovertemplate=f"%{{y}} · {label}<br>$%{{customdata[0]:,.0f}}K to "
                                  "$%{customdata[1]:,.0f}K (mid $%{customdata[2]:,.0f}K)"
                                  "<extra></extra>")
    open_rows = later[later["is_open_ended"]]
    if len(open_rows):
        fig.add_scatter(name="No stated ceiling", y=open_rows["role_name"],
                        x=open_rows["high_usd"] / 1000 * 1.04, mode="markers",
                        marker={"symbol": "triangle-right", "size": 11, "color": BLUE},
                        hovertemplate="%{y}: the top of the band is open-ended<extra></extra>")
    money_axis(fig, label=f"Annual pay ({basis})")
    fig.update_layout(barmode="overlay")
    if move is None:
        move = average_move(projection, horizon, math.nan, basis)
    label = html.escape(scenario, quote=False)  # a parameter's text
    title = (finding_titles.band_shift_title(move, label)
             + "<br><sup>Today's band (grey outline) and the projected band at the scenario's "
               f"set values (blue), {basis} dollars</sup>")
    fig = finish_figure(fig, title, source, height=max(380, 120 + 70 * len(names) + 110))
    return attach_data(fig, *tidy, source=source)


def path_figure(projection: pd.DataFrame, source: str, *, basis: str = "nominal",
                fan: pd.DataFrame | None = None, move: AverageMove | None = None) -> go.Figure:
    """Midpoint pay per role over the years; with a Monte Carlo fan, p10-p90 shaded. Given
    the scenario's AverageMove, the title names the change in the other kind of dollars where
    it goes the other way (without a fan, the projection's other basis says it)."""
    tidy = downloads.path_figure(projection, basis, fan)
    fig = go.Figure()
    p = escaped_frame(projection[projection["basis"] == basis])
    escaped_fan = escaped_frame(fan) if fan is not None else None
    roles = list(dict.fromkeys(p["role_id"]))
    # every trace as a dict, added in one call: plotly checks each once (add_scatter built
    # and checked each trace twice: half the chart's time, with a fan's 9 traces per role);
    # columns as numpy arrays, which plotly takes as they are (a Series it converts first)
    traces: list[dict] = []
    for i, role in enumerate(roles):
        colour = PALETTE[i % len(PALETTE)]
        rows = p[p["role_id"] == role]
        name = rows["role_name"].iloc[0]
        if escaped_fan is not None:
            f = escaped_fan[escaped_fan["role_id"] == role]
            year = f["year"].to_numpy()
            k_usd = {c: f[c].to_numpy() / 1000 for c in f.columns if c.endswith("_usd")}
            # decile bands, as forecasters draw fans: 10-90, 20-80, 30-70, 40-60, darker
            # towards the middle
            for k, (lo, hi) in enumerate(((10, 90), (20, 80), (30, 70), (40, 60))):
                share = (hi - lo) // 10
                traces.append(dict(type="scatter", x=year, y=k_usd[f"p{hi}_usd"],
                                   mode="lines", line={"width": 0}, showlegend=False,
                                   hoverinfo="skip", legendgroup=role))
                traces.append(dict(type="scatter", x=year, y=k_usd[f"p{lo}_usd"],
                                   mode="lines", line={"width": 0}, fill="tonexty",
                                   fillcolor=_rgba(colour, 0.10 + 0.07 * k), showlegend=False,
                                   legendgroup=role, name=f"{name} p{lo}–p{hi}",
                                   customdata=np.stack([k_usd[f"p{lo}_usd"],
                                                        k_usd[f"p{hi}_usd"]], axis=1),
                                   hovertemplate=f"{name} year %{{x}}: {share} in 10 drawn "
                                                 "combinations "
                                                 "between $%{customdata[0]:,.0f}K and "
                                                 "$%{customdata[1]:,.0f}K<extra></extra>"))
            traces.append(dict(type="scatter", x=year, y=k_usd["p50_usd"],
                               mode="lines", name=name, legendgroup=role,
                               line={"color": colour, "width": 2.5},
                               hovertemplate=f"{name} year %{{x}}: median $%{{y:,.0f}}K"
                                             "<extra></extra>"))
        else:
            traces.append(dict(type="scatter", x=rows["year"].to_numpy(),
                               y=rows["mid_usd"].to_numpy() / 1000,
                               mode="lines+markers", name=name,
                               line={"color": colour, "width": 2.5},
                               hovertemplate=f"{name} year %{{x}}: $%{{y:,.0f}}K"
                                             "<extra></extra>"))
    fig.add_traces(traces)
    money_axis(fig, "y", label=f"Midpoint, {basis}")
    horizon = int(p["year"].max())
    fig.update_xaxes(title={"text": "Years from now"}, dtick=1 if horizon <= 12 else None)
    kind = ("Median path; shaded bands hold 8, 6, 4 and 2 in 10 draws" if fan is not None
            else "Single deterministic path")
    other = "real" if basis == "nominal" else "nominal"
    if fan is not None:
        title = finding_titles.average_path_title(
            fan["year"], fan["p50_usd"], basis, drawn=True,
            other_change=move.drawn_change(other) if move is not None else None)
    else:
        if move is None:
            move = average_move(projection, horizon, math.nan, basis)
        title = finding_titles.average_path_title(p["year"], p["mid_usd"], basis,
                                                  other_change=move.set_change(other))
    title += f"<br><sup>Midpoint pay over {horizon} years; {kind[:1].lower()}{kind[1:]}</sup>"
    fig = finish_figure(fig, title, source, height=480)
    return attach_data(fig, *tidy, source=source)


def premium_share_figure(projection: pd.DataFrame, source: str) -> go.Figure:
    """The premium's share of pay over time per role (nominal basis; the share is unitless)."""
    tidy = downloads.premium_share_figure(projection)
    p = escaped_frame(projection[projection["basis"] == "nominal"])
    fig = go.Figure()
    for i, (_, rows) in enumerate(p.groupby("role_id", sort=False)):
        name = rows["role_name"].iloc[0]
        fig.add_scatter(x=rows["year"], y=rows["premium_share"] * 100, mode="lines+markers",
                        name=name, line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                        hovertemplate=f"{name} year %{{x}}: %{{y:.1f}}% of pay<extra></extra>")
    fig.update_yaxes(title={"text": "Scarcity premium, percent of pay"}, ticksuffix="%",
                     rangemode="tozero")
    fig.update_xaxes(title={"text": "Years from now"})
    start = p[p["year"] == 0]["premium_share"].mean() * 100
    end = p[p["year"] == p["year"].max()]["premium_share"].mean() * 100
    same = p.groupby("year")["premium_share"].nunique().max() == 1
    note = "; every role has the same premium, so the lines coincide" if same else ""
    title = (f"The premium goes from {start:.1f}% to {end:.1f}% of pay on average"
             "<br><sup>Share of each role's pay that is scarcity premium: "
             f"premium / (1 + premium){note}</sup>")
    fig = finish_figure(fig, title, source, height=420)
    return attach_data(fig, *tidy, source=source)


def slider_figure(today: pd.DataFrame, steps: Sequence[pd.DataFrame], rates: Sequence[float],
                  source: str, *, horizon: int, active_rate: float,
                  parameter: str = "normalization_rate") -> go.Figure:
    """Projected bands at the horizon with a slider over `parameter` (the scenario's own:
    normalization_rate in rate mode, supply_growth in supply_demand mode).

    Every step's bands are precomputed into the slider (method "restyle"), so the page
    redraws them with no kernel. Trace 0 is today's band, trace 1 the projected band, trace 2
    the projected midpoints.
    """
    tidy = downloads.slider_figure(today, steps, rates, parameter, horizon)
    today = escaped_frame(today).reset_index(drop=True)
    order = list(today["role_id"])
    names = list(today["role_name"])
    k_steps = []
    for step in steps:
        # steps come in today's order; any other order is put in it
        s = step if step["role_id"].tolist() == order else step.set_index("role_id").loc[order]
        low, high = s["low_usd"].to_numpy(float), s["high_usd"].to_numpy(float)
        k_steps.append((((high - low) / 1000).tolist(), (low / 1000).tolist(),
                        (s["mid_usd"].to_numpy(float) / 1000).tolist()))
    active = int(np.argmin([abs(r - active_rate) for r in rates]))
    width0, base0, mid0 = k_steps[active]
    fig = go.Figure()
    fig.add_bar(name="Today", y=names, x=(today["salary_high_usd"] - today["salary_low_usd"])
                / 1000, base=today["salary_low_usd"] / 1000, orientation="h", width=0.62,
                marker={"color": "rgba(0,0,0,0)", "line": {"color": MUTED, "width": 1.5}},
                hovertemplate="%{y} today: from $%{base:,.0f}K<extra></extra>")
    fig.add_bar(name=f"Year {horizon}", y=names, x=width0, base=base0, orientation="h",
                width=0.38, marker={"color": LIGHT_BLUE, "line": {"color": BLUE, "width": 1}},
                hovertemplate=f"%{{y}} year {horizon}: from $%{{base:,.0f}}K<extra></extra>")
    fig.add_scatter(name=f"Year {horizon} midpoint", y=names, x=mid0, mode="markers",
                    marker={"symbol": "diamond", "size": 10, "color": ORANGE},
                    hovertemplate="%{y} midpoint: $%{x:,.0f}K<extra></extra>")
    fig.update_layout(
        barmode="overlay",
        sliders=[{
            "active": active, "pad": {"t": 70}, "len": 1.0, "x": 0,
            "currentvalue": {"prefix": f"{parameter.replace('_', ' ')}: ",
                             "font": {"color": INK}},
            "steps": [{"label": f"{r:.0%}", "method": "restyle",
                       "args": [{"x": [w, m], "base": [b, None]}, [1, 2]]}
                      for r, (w, b, m) in zip(rates, k_steps, strict=True)],
        }])
    money_axis(fig, label="Annual pay (nominal)")
    xmax = max(max(w + b for w, b in zip(ws, bs, strict=True)) for ws, bs, _ in k_steps)
    xmax = max(xmax, float(today["salary_high_usd"].max()) / 1000)
    fig.update_xaxes(range=[min(min(bs) for _, bs, _ in k_steps) * 0.9, xmax * 1.05])
    lever = parameter.replace("_", " ")
    title = wrapped(finding_titles.slider_title(
        rates, [float(np.mean(m)) * 1000 for _, _, m in k_steps], horizon, lever), 90)
    title += (f"<br><sup>Bands in year {horizon}; {lever}, {len(rates)} precomputed "
              f"steps from {rates[0]:.0%} to {rates[-1]:.0%} a year; it opens on this "
              f"scenario's {active_rate:.0%}</sup>")
    fig = finish_figure(fig, title, source, height=max(460, 200 + 70 * len(names) + 110))
    fig.layout.annotations[0].yshift = -150
    fig.update_layout(margin={"b": 190})
    return attach_data(fig, *tidy, source=source)


def comparison_figure(medians: pd.DataFrame, source: str, *, basis: str = "nominal",
                      ) -> go.Figure:
    """Small multiples, one per role: each scenario's median midpoint path overlaid.

    `medians` has scenario, scenario_title, role_id, role_name, year, p50_usd.
    """
    tidy = downloads.comparison_figure(medians, basis)
    m = escaped_frame(medians)
    roles = list(dict.fromkeys(m["role_id"]))
    cols = 2 if len(roles) > 1 else 1
    rows = math.ceil(len(roles) / cols)
    names = [m[m["role_id"] == r]["role_name"].iloc[0] for r in roles]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names, shared_xaxes=True,
                        vertical_spacing=0.12, horizontal_spacing=0.1)
    scenarios = list(dict.fromkeys(m["scenario"]))
    # every trace as a dict, added in one call (plotly checks each once, not twice)
    traces: list[dict] = []
    for si, scen in enumerate(scenarios):
        colour = SCENARIO_COLOURS[si % len(SCENARIO_COLOURS)]
        of_scenario = m[m["scenario"] == scen]
        for ri, role in enumerate(roles):
            rows_ = of_scenario[of_scenario["role_id"] == role]
            traces.append(dict(type="scatter", x=rows_["year"].to_numpy(),
                               y=rows_["p50_usd"].to_numpy() / 1000,
                               mode="lines", name=rows_["scenario_title"].iloc[0],
                               legendgroup=scen, showlegend=ri == 0,
                               line={"color": colour, "width": 2.2},
                               hovertemplate=f"{rows_['scenario_title'].iloc[0]} · "
                                             f"{names[ri]}<br>year %{{x}}: $%{{y:,.0f}}K"
                                             "<extra></extra>"))
    fig.add_traces(traces, rows=[ri // cols + 1 for _ in scenarios for ri in range(len(roles))],
                   cols=[ri % cols + 1 for _ in scenarios for ri in range(len(roles))])
    fig.update_yaxes(tickprefix="$", ticksuffix="K")
    fig.update_xaxes(dtick=1 if m["year"].max() <= 12 else None)
    horizon = int(m["year"].max())
    final = m[m["year"] == horizon].groupby("scenario_title", sort=False)[
        ["p10_usd", "p50_usd", "p90_usd"]].mean()
    low, high = final["p50_usd"].idxmin(), final["p50_usd"].idxmax()
    # rank only where the fans (p10-p90 of the average role) do not overlap
    if final.loc[low, "p90_usd"] < final.loc[high, "p10_usd"]:
        title = (f"By year {horizon}, across the draws, '{low}' pays least and '{high}' most "
                 f"({basis} dollars), with their fans apart")
    else:
        title = (f"By year {horizon}, across the draws, the scenarios' differences lie within "
                 f"their uncertainty ({basis} dollars)")
    title = wrapped(title, 90)  # scenario titles are long: keep the headline inside the chart
    title += (f"<br><sup>Median midpoint pay per role under each scenario, {basis} USD "
              "thousands; named scenarios carry no likelihood</sup>")
    fig = finish_figure(fig, title, source, height=260 * rows + 230)
    # Title at the top of the chart (plotly centres it in the tall top margin otherwise, with
    # a blank band above it), the legend under it, clear of the first panel's title.
    fig.update_layout(margin={"t": 130},
                      title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 10}},
                      legend={"y": 1 - 78 / (260 * rows + 230), "yref": "container",
                              "yanchor": "top", "x": 0})
    return attach_data(fig, *tidy, source=source)



def premium_estimates_title(estimates: pd.DataFrame) -> str:
    """The range of the published skill premiums and where the job-board title gap sits
    against it, in words."""
    studies = estimates.loc[estimates["measures"] == "ai_skill_within_occupation", "premium"]
    gaps = estimates.loc[estimates["measures"] == "ai_title_vs_baseline_title", "premium"]
    parts = []
    if len(studies):
        parts.append(f"Published AI skill premiums run from {percent_text(studies.min())} to "
                     f"{percent_text(studies.max())}")
    if len(gaps):
        gap = (f"the job-board title gap runs from {percent_text(gaps.min(), signed=True)} to "
               f"{percent_text(gaps.max(), signed=True)}")
        if len(studies):
            gap += (", below every published premium" if gaps.max() < studies.min() else
                    ", overlapping them")
        parts.append(gap)
    return capitalised("; ".join(parts)) if parts else "No premium estimates"


def premium_estimates_figure(estimates: pd.DataFrame, source: str) -> go.Figure:
    """Every sourced premium estimate with its interval where one was published, grouped by
    what it measures."""
    tidy = downloads.premium_estimates_figure(estimates)
    e = escaped_frame(estimates).copy()
    e["label"] = [f"{i} · {r}" if isinstance(r, str) and r else i
                  for i, r in zip(e["estimate_name"], e.get("role_name", e["role_id"]),
                                  strict=True)]
    # grouped by what each compares (a study within a firm or a job title is not one within
    # an occupation), else by what it measures
    comparison = e["comparison"] if "comparison" in e else pd.Series(None, index=e.index)
    e["group"] = [COMPARISON_GROUPS.get(c, m)
                  for c, m in zip(comparison, e["measures"], strict=True)]
    e = e.sort_values(["group", "premium"]).reset_index(drop=True)
    fig = go.Figure()
    for group, colour, name in (
            ("ai_skill_within_occupation", BLUE, "AI skills within an occupation"),
            ("skill_in_firm_or_title", GREEN, "AI skills within a firm or job title"),
            ("ai_title_vs_baseline_title", ORANGE, "AI title against Software Engineer")):
        rows = e[e["group"] == group]
        if rows.empty:
            continue
        has_ci = rows["premium_ci95_low"].notna()
        fig.add_scatter(
            name=name, y=rows["label"], x=rows["premium"] * 100, mode="markers",
            marker={"color": colour, "size": 10},
            error_x={"type": "data", "symmetric": False,
                     "array": ((rows["premium_ci95_high"] - rows["premium"]) * 100)
                     .where(has_ci, 0),
                     "arrayminus": ((rows["premium"] - rows["premium_ci95_low"]) * 100)
                     .where(has_ci, 0), "color": colour},
            customdata=np.stack([rows["publisher"], rows["data_years"]], axis=1),
            hovertemplate="%{y}: %{x:+.0f}%<br>%{customdata[0]}, %{customdata[1]}"
                          "<extra></extra>")
    axis_line(fig, x=0, line={"color": MUTED, "width": 1})
    fig.update_xaxes(title={"text": "Premium, percent of comparable pay"}, ticksuffix="%")
    title = (premium_estimates_title(estimates)
             + "<br><sup>Each point is one estimate; bars are 95% intervals where one exists "
             "(none was published for the studies)</sup>")
    fig = finish_figure(fig, title, source, height=max(420, 160 + 34 * len(e) + 110))
    return attach_data(fig, *tidy, source=source)


COMPARISON_GROUPS = {"skill_in_occupation": "ai_skill_within_occupation",
                     "skill_in_firm": "skill_in_firm_or_title",
                     "skill_in_job_title": "skill_in_firm_or_title",
                     "title_gap_one_board": "ai_title_vs_baseline_title"}


def range_percent(value: float) -> str:
    """A range's end as a percent, to one decimal where it has one: 0.015 -> '1.5%'."""
    return f"{round(float(value) * 100, 1):g}%"


def tornado_label(row: pd.Series) -> str:
    """A tornado bar's label: the parameter and the range it was moved across, as used."""
    name = {"today_pay": "today's pay"}.get(row["parameter"], row["parameter"].replace("_", " "))
    if row["parameter"] == "today_pay":
        text = f"{name} (each role's 95% interval)"
    elif row.get("per_role", False):
        text = (f"{name} (each role's range, {range_percent(row['low'])} to "
                f"{range_percent(row['high'])} on average)")
    else:
        text = f"{name} ({range_percent(row['low'])} to {range_percent(row['high'])})"
    if not row.get("in_fan", True):
        text += ", not drawn in the fan"
    return text


# the assumptions in a reader's words, as the subject of a sentence
_ASSUMPTION_WORDS = {"inflation": "inflation", "wage_growth": "market wage growth",
                     "demand_growth": "demand growth", "supply_growth": "growth of AI talent",
                     "normalization_rate": "the normalization rate",
                     "premium": "today's premium", "elasticity": "the response to demand"}


def tornado_title(sens: pd.DataFrame, horizon: int) -> str:
    """Which assumption moves the average midpoint at the horizon most, in today's dollars
    (the chart's unit: a page in nominal dollars says so, so inflation's bar is not read as
    moving pay as paid then): the widest swing between the ends of its range."""
    if sens.empty:
        return "No assumption to vary"
    swing = (sens["at_high_usd"] - sens["at_low_usd"]).abs()
    param = str(sens.loc[swing.idxmax(), "parameter"])
    words = _ASSUMPTION_WORDS.get(param, "the " + param.replace("_", " "))
    return (f"Moved one at a time across its range, in today's dollars, {words} moves "
            f"year-{horizon} pay the most")


def tornado_figure(sens: pd.DataFrame, source: str, *, horizon: int) -> go.Figure:
    """One-at-a-time sensitivities: the average real midpoint at the horizon with each
    parameter at the low and high ends of its range, widest swing on top."""
    tidy = downloads.tornado_figure(sens, horizon)
    s = sens.iloc[::-1].reset_index(drop=True)
    central = float(s["central_usd"].iloc[0]) / 1000 if len(s) else 0.0
    labels = [tornado_label(row) for _, row in s.iterrows()]
    fig = go.Figure()
    for col, name, colour in (("at_low_usd", "Low end of the range", BLUE),
                              ("at_high_usd", "High end of the range", ORANGE)):
        fig.add_bar(name=name, y=labels, x=s[col] / 1000 - central, base=central,
                    orientation="h", marker={"color": colour},
                    customdata=s[col] / 1000,
                    hovertemplate="%{y}: $%{customdata:,.0f}K<extra></extra>")
    axis_line(fig, x=central, line={"color": INK, "width": 1})
    money_axis(fig, label=f"Average midpoint in year {horizon}, today's dollars")
    fig.update_layout(barmode="overlay")
    title = (tornado_title(sens, horizon)
             + "<br><sup>Each bar changes one assumption across its range, the others as in "
             "this scenario</sup>")
    fig = finish_figure(fig, title, source, height=max(360, 140 + 60 * len(s) + 110))
    return attach_data(fig, *tidy, source=source)
