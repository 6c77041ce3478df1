"""Charts of the salary-survey evidence (see aijobs.survey.reader and aijobs.survey.evidence)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aijobs.charts.theme import (
    BLUE,
    GREEN,
    GREY,
    LIGHT_BLUE,
    MUTED,
    ORANGE,
    PALETTE,
    escaped_frame,
    finish_figure,
    money_axis,
)


def claimed_vs_survey_figure(bands: pd.DataFrame, pct: pd.DataFrame, source: str, *,
                             filters_text: str, min_n: int) -> go.Figure:
    """Each role's claimed band beside the survey's p25-p75 (thick) and p10-p90 (thin), with n.

    Roles under min_n responses show the claim only, labelled as lacking evidence.
    """
    b = escaped_frame(bands).iloc[::-1].reset_index(drop=True)
    s = pct.set_index("role_id")
    names = list(b["role_name"])
    fig = go.Figure()
    fig.add_bar(name="Article's band", y=names, x=(b["salary_high_usd"] - b["salary_low_usd"])
                / 1000, base=b["salary_low_usd"] / 1000, orientation="h", width=0.55,
                marker={"color": LIGHT_BLUE, "line": {"color": BLUE, "width": 1}},
                hovertemplate="%{y}: article $%{base:,.0f}K to "
                              "$%{customdata:,.0f}K<extra></extra>",
                customdata=b["salary_high_usd"] / 1000)
    labels, wx, wy, iqr_x, iqr_y, med_x, med_y = [], [], [], [], [], [], []
    for _, row in b.iterrows():
        rid, name = row["role_id"], row["role_name"]
        if rid not in s.index or not bool(s.loc[rid, "is_reportable"]):
            n = int(s.loc[rid, "n"]) if rid in s.index else 0
            labels.append((name, f"n={n}: too few responses (< {min_n})"))
            continue
        r = s.loc[rid]
        wx += [r["p10_usd"] / 1000, r["p90_usd"] / 1000, None]
        wy += [name, name, None]
        iqr_x += [r["p25_usd"] / 1000, r["p75_usd"] / 1000, None]
        iqr_y += [name, name, None]
        med_x.append(r["p50_usd"] / 1000)
        med_y.append(name)
        labels.append((name, f"n={int(r['n']):,}"))
    fig.add_scatter(name="Survey p10-p90", x=wx, y=wy, mode="lines",
                    line={"color": GREEN, "width": 2}, hoverinfo="skip")
    fig.add_scatter(name="Survey p25-p75", x=iqr_x, y=iqr_y, mode="lines",
                    line={"color": GREEN, "width": 9}, opacity=0.75, hoverinfo="skip")
    fig.add_scatter(name="Survey median", x=med_x, y=med_y, mode="markers",
                    marker={"symbol": "line-ns", "size": 16, "line": {"width": 3,
                                                                      "color": "#064e3b"}},
                    hovertemplate="%{y}: survey median $%{x:,.0f}K<extra></extra>")
    right = max([*(b["salary_high_usd"] / 1000), *[x for x in wx if x is not None]]) * 1.02
    for name, text in labels:
        fig.add_annotation(x=right, y=name, text=text, showarrow=False, xanchor="left",
                           font={"size": 11, "color": MUTED})
    money_axis(fig)
    fig.update_xaxes(range=[min([*(b["salary_low_usd"] / 1000),
                                 *[x for x in wx if x is not None]]) * 0.92, right * 1.18])
    fig.update_layout(barmode="overlay")
    title = ("The article's bands beside what the survey's respondents report"
             f"<br><sup>aijobs.net survey: {filters_text}</sup>")
    return finish_figure(fig, title, source, height=max(380, 120 + 70 * len(b) + 110))


def premium_by_year_figure(premium: pd.DataFrame, source: str) -> go.Figure:
    """AI premium (median over the software-engineer median) per role and year, in percent."""
    p = escaped_frame(premium[premium["work_year"].notna() & premium["is_computable"]])
    fig = go.Figure()
    for i, (role, rows) in enumerate(p.groupby("role_name", sort=True)):
        fig.add_bar(name=role, x=rows["work_year"].astype(int).astype(str),
                    y=rows["premium"] * 100, marker={"color": PALETTE[i % len(PALETTE)]},
                    customdata=np.stack([rows["n_role"], rows["n_baseline"]], axis=1),
                    hovertemplate=f"{role} %{{x}}: %{{y:+.1f}}%<br>n role %{{customdata[0]}}, "
                                  "n software engineers %{customdata[1]}<extra></extra>")
    fig.add_hline(y=0, line={"color": MUTED, "width": 1})
    fig.update_yaxes(title={"text": "Premium, percent"}, ticksuffix="%")
    fig.update_xaxes(title={"text": "Work year"}, type="category",
                     categoryorder="category ascending")
    pooled = premium[premium["work_year"].isna() & premium["is_computable"]]
    if len(pooled):
        top = pooled.sort_values("premium").iloc[-1]
        title = f"The largest AI premium is {top['premium']:+.1%} ({top['role_name']})"
    else:
        title = "No AI premium can be computed from this survey"
    title += "<br><sup>Only years and roles with enough responses on both sides are shown</sup>"
    return finish_figure(fig, title, source, height=440)


def region_figure(region: pd.DataFrame, source: str) -> go.Figure:
    """Median AI pay per company country relative to the US, reportable countries only."""
    r = escaped_frame(region[region["is_reportable"]]).sort_values("ratio_to_us")
    fig = go.Figure(go.Bar(y=r["country"], x=r["ratio_to_us"], orientation="h",
                           marker={"color": [ORANGE if c == "US" else BLUE
                                             for c in r["country"]]},
                           text=[f"×{v:.2f} (n={n:,})" for v, n in
                                 zip(r["ratio_to_us"], r["n"], strict=True)],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: ×%{x:.2f} of the US median<extra></extra>"))
    fig.update_xaxes(title={"text": "Median AI pay relative to US companies"},
                     range=[0, max(1.2, float(r["ratio_to_us"].max()) * 1.3)])
    others = r[r["country"] != "US"]
    title = ("Outside the US, AI pay in the survey is lower" if len(others) and
             others["ratio_to_us"].max() < 1 else "AI pay by company country")
    title += ("<br><sup>Countries with enough responses; these ratios are the choices for "
              "the compensation report's region parameter</sup>")
    return finish_figure(fig, title, source, height=max(320, 140 + 34 * len(r) + 110))


def entry_share_figure(entry: pd.DataFrame, source: str) -> go.Figure:
    """Share of entry-level responses per role and year (a proxy, labelled as one)."""
    e = escaped_frame(entry[entry["is_reportable"]]).sort_values(["role_id", "work_year"])
    fig = go.Figure()
    for i, (role, rows) in enumerate(e.groupby("role_name", sort=True)):
        fig.add_scatter(x=rows["work_year"].astype(str), y=rows["entry_share"] * 100,
                        mode="lines+markers", name=role,
                        line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                        customdata=rows["n"],
                        hovertemplate=f"{role} %{{x}}: %{{y:.1f}}% entry-level "
                                      "(n=%{customdata})<extra></extra>")
    fig.update_yaxes(title={"text": "Entry-level share, percent"},
                     ticksuffix="%", rangemode="tozero")
    fig.update_xaxes(title={"text": "Work year"}, type="category",
                     categoryorder="category ascending")
    title = ("Entry-level share of survey responses (a proxy, not hiring data)"
             "<br><sup>Who answers a survey is not who gets hired; groups under the minimum "
             "size are left out</sup>")
    return finish_figure(fig, title, source, height=420)


def mix_figure(mix: pd.DataFrame, source: str) -> go.Figure:
    """Survey responses per role per year (stacked): response counts, never job growth."""
    m = escaped_frame(mix)
    fig = go.Figure()
    order = m.groupby("role_name")["responses"].sum().sort_values(ascending=False).index
    for i, role in enumerate(order):
        rows = m[m["role_name"] == role]
        colour = GREY if role.startswith("Titles mapped") else PALETTE[i % len(PALETTE)]
        fig.add_bar(name=role, x=rows["work_year"].astype(str),
                    y=rows["responses"], marker={"color": colour},
                    hovertemplate=f"{role} %{{x}}: %{{y:,}} responses<extra></extra>")
    fig.update_layout(barmode="stack", legend={"orientation": "v", "x": 1.02, "y": 1,
                                               "yanchor": "top", "xanchor": "left"})
    fig.update_yaxes(title={"text": "Survey responses (not jobs)"})
    fig.update_xaxes(title={"text": "Work year"}, type="category",
                     categoryorder="category ascending")
    title = ("Most responses come from recent years"
             "<br><sup>Response counts per role: they show who answered, not how many jobs "
             "exist or how fast they grow</sup>")
    return finish_figure(fig, title, source, height=440)


VERDICT_COLOURS = {"supported": GREEN, "partly supported": "#ca8a04",
                   "not supported": ORANGE, "no data": GREY}


def verdict_figure(result: pd.DataFrame, source: str) -> go.Figure:
    """How many of the article's numeric claims got each verdict, by kind of claim."""
    r = result.assign(kind=[
        "Pay bands" if "a year" in c or "exceed" in c else
        "Growth rates" if "growth" in c else
        "Learning durations" if "months" in c and "outdated" not in c.lower() else
        "Skills shelf life" for c in result["claim"]])
    kinds = list(dict.fromkeys(r["kind"]))
    fig = go.Figure()
    for verdict, colour in VERDICT_COLOURS.items():
        counts = [int(((r["kind"] == k) & (r["verdict"] == verdict)).sum()) for k in kinds]
        fig.add_bar(name=verdict, y=kinds, x=counts, orientation="h", marker={"color": colour},
                    hovertemplate=f"%{{y}}: %{{x}} {verdict}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title={"text": "Claims"}, dtick=1)
    fig.update_yaxes(categoryorder="array", categoryarray=kinds[::-1])
    supported = int((r["verdict"] == "supported").sum())
    tested = int((r["verdict"] != "no data").sum())
    title = (f"{supported} of the {tested} claims the survey can test are supported"
             f"<br><sup>{len(r) - tested} more are claims no salary survey can test "
             "(no data)</sup>")
    return finish_figure(fig, title, source, height=360)
