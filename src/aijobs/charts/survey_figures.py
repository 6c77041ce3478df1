"""Charts of the salary-survey evidence (see aijobs.survey.reader and aijobs.survey.evidence)."""

from __future__ import annotations

import html
import itertools

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aijobs.charts import downloads, finding_titles
from aijobs.charts.figure_data import attach_data
from aijobs.charts.theme import (
    BLUE,
    GREEN,
    GREY,
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
from aijobs.words import capitalised, count, listing, n_of, percent_text


def claimed_vs_survey_figure(bands: pd.DataFrame, pct: pd.DataFrame, source: str, *,
                             filters_text: str, min_n: int) -> go.Figure:
    """Each role's claimed band beside the survey's p25-p75 (thick) and p10-p90 (thin) of
    posting pay, the median with its 95% interval, and n postings.

    Suppressed cells (too few postings, or too wide an interval) show the claim only, with
    the reason.
    """
    tidy = downloads.claimed_vs_survey_figure(bands, pct, filters_text)
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
    ci_lo: list[float] = []
    ci_hi: list[float] = []
    for _, row in b.iterrows():
        rid, name = row["role_id"], row["role_name"]
        if rid not in s.index or s.loc[rid, "reliability"] == "suppressed":
            n = int(s.loc[rid, "n_postings"]) if rid in s.index else 0
            labels.append((name, f"n={n}: suppressed" if n else "no postings"))
            continue
        r = s.loc[rid]
        wx += [r["p10_usd"] / 1000, r["p90_usd"] / 1000, None]
        wy += [name, name, None]
        iqr_x += [r["p25_usd"] / 1000, r["p75_usd"] / 1000, None]
        iqr_y += [name, name, None]
        med_x.append(r["p50_usd"] / 1000)
        med_y.append(name)
        ci_lo.append((r["p50_usd"] - r["p50_ci95_low_usd"]) / 1000)
        ci_hi.append((r["p50_ci95_high_usd"] - r["p50_usd"]) / 1000)
        caution = " (caution)" if r["reliability"] == "use with caution" else ""
        labels.append((name, f"n={int(r['n_postings']):,}{caution}"))
    fig.add_scatter(name="Survey p10-p90", x=wx, y=wy, mode="lines",
                    line={"color": GREEN, "width": 2}, hoverinfo="skip")
    fig.add_scatter(name="Survey p25-p75", x=iqr_x, y=iqr_y, mode="lines",
                    line={"color": GREEN, "width": 9}, opacity=0.75, hoverinfo="skip")
    fig.add_scatter(name="Survey median (95% interval)", x=med_x, y=med_y, mode="markers",
                    marker={"symbol": "line-ns", "size": 16, "line": {"width": 3,
                                                                      "color": "#064e3b"}},
                    error_x={"type": "data", "symmetric": False, "array": ci_hi,
                             "arrayminus": ci_lo, "color": "#064e3b", "thickness": 1.5,
                             "width": 6},
                    hovertemplate="%{y}: median posting $%{x:,.0f}K<extra></extra>")
    right = max([*(b["salary_high_usd"] / 1000), *[x for x in wx if x is not None]]) * 1.02
    for name, text in labels:
        fig.add_annotation(x=right, y=name, text=text, showarrow=False, xanchor="left",
                           font={"size": 11, "color": MUTED})
    money_axis(fig)
    fig.update_xaxes(range=[min([*(b["salary_low_usd"] / 1000),
                                 *[x for x in wx if x is not None]]) * 0.92, right * 1.18])
    fig.update_layout(barmode="overlay")
    shown = s[s["reliability"] != "suppressed"].reindex(bands["role_id"])
    title = finding_titles.band_position_title(
        pd.DataFrame({"salary_low_usd": bands["salary_low_usd"].to_numpy(),
                      "salary_high_usd": bands["salary_high_usd"].to_numpy(),
                      "median_usd": shown["p50_usd"].to_numpy(),
                      "median_low_usd": shown["p50_ci95_low_usd"].to_numpy(),
                      "median_high_usd": shown["p50_ci95_high_usd"].to_numpy(),
                      "is_open_ended": bands["is_open_ended"].to_numpy()}),
        "the postings'", interval=True)
    title += ("<br><sup>The article's bands beside the pay that job postings advertise; "
              f"aijobs.net postings: {html.escape(filters_text)}</sup>")
    fig = finish_figure(fig, title, source, height=max(380, 120 + 70 * len(b) + 110))
    return attach_data(fig, *tidy, source=source)


def premium_by_year_figure(premium: pd.DataFrame, source: str,
                           year_labels: dict[str, str] | None = None) -> go.Figure:
    """AI premium (median over the baseline median) per role and year, in percent, with 95%
    intervals; `year_labels` renames years (e.g. a partial year with its dates)."""
    tidy = downloads.premium_by_year_figure(premium)
    year_labels = year_labels or {}
    p = escaped_frame(premium[(premium["group"] == "work_year") & premium["is_computable"]])
    fig = go.Figure()
    for i, (role, rows) in enumerate(p.groupby("role_name", sort=True)):
        fig.add_bar(name=role, x=[year_labels.get(v, v) for v in rows["group_value"]],
                    y=rows["premium"] * 100, marker={"color": PALETTE[i % len(PALETTE)]},
                    error_y={"type": "data", "symmetric": False,
                             "array": (rows["premium_ci95_high"] - rows["premium"]) * 100,
                             "arrayminus": (rows["premium"] - rows["premium_ci95_low"]) * 100,
                             "color": INK, "thickness": 1},
                    customdata=np.stack([rows["n_role"], rows["n_baseline"]], axis=1),
                    hovertemplate=f"{role} %{{x}}: %{{y:+.1f}}%<br>n role %{{customdata[0]}}, "
                                  "n baseline %{customdata[1]} postings<extra></extra>")
    axis_line(fig, y=0, line={"color": MUTED, "width": 1})
    fig.update_yaxes(title={"text": "Premium, percent"}, ticksuffix="%")
    fig.update_xaxes(title={"text": "Work year"}, type="category",
                     categoryorder="category ascending")
    if len(p):
        top = p.sort_values("premium").iloc[-1]
        year = year_labels.get(top["group_value"], top["group_value"])
        title = (f"The largest yearly AI premium is {top['premium']:+.1%} "
                 f"({top['role_name']}, {year})")
    else:
        title = "No yearly AI premium can be computed from this file"
    title += ("<br><sup>Only years and roles with enough postings on both sides; bars show "
              "95% intervals</sup>")
    fig = finish_figure(fig, title, source, height=440)
    return attach_data(fig, *tidy, source=source)


def region_figure(region: pd.DataFrame, source: str) -> go.Figure:
    """Median AI pay per company country relative to the US, reportable countries only."""
    tidy = downloads.region_figure(region)
    r = escaped_frame(region[region["reliability"] != "suppressed"]).sort_values("ratio_to_us")
    names = r["country_name"] if "country_name" in r else r["country"]
    fig = go.Figure(go.Bar(y=names, x=r["ratio_to_us"], orientation="h",
                           marker={"color": [ORANGE if c == "US" else BLUE
                                             for c in r["country"]]},
                           text=[f"×{v:.2f} (n={n:,}{', caution' if g != 'reliable' else ''})"
                                 for v, n, g in zip(r["ratio_to_us"], r["n_postings"],
                                                    r["reliability"], strict=True)],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: ×%{x:.2f} of the US median<extra></extra>"))
    fig.update_xaxes(title={"text": "Median AI pay relative to US companies"},
                     range=[0, max(1.2, float(r["ratio_to_us"].max()) * 1.3)])
    title = finding_titles.region_title(r.loc[r["country"] != "US", "ratio_to_us"])
    caution = int((r["reliability"] != "reliable").sum())
    graded = ("Countries with a reliable median" if not caution else
              f"Countries with a median that is reported ({count(caution, 'country')} "
              "graded 'use with caution', marked)")
    title += (f"<br><sup>{graded}; these ratios are the choices for the compensation report's "
              "region parameter</sup>")
    fig = finish_figure(fig, title, source, height=max(320, 140 + 34 * len(r) + 110))
    return attach_data(fig, *tidy, source=source)


def entry_share_figure(entry: pd.DataFrame, source: str,
                       year_labels: dict[str, str] | None = None) -> go.Figure:
    """Share of entry-level postings per role and year (a proxy, labelled as one); a partial
    year is labelled with its dates (`year_labels`)."""
    tidy = downloads.entry_share_figure(entry)
    year_labels = year_labels or {}
    e = escaped_frame(entry[entry["is_reportable"] & entry["entry_share"].notna()]) \
        .sort_values(["role_id", "work_year"])
    fig = go.Figure()
    for i, (role, rows) in enumerate(e.groupby("role_name", sort=True)):
        # a role with one reportable year is a dot, and its legend entry shows a dot
        fig.add_scatter(x=[year_labels.get(str(y), str(y)) for y in rows["work_year"]],
                        y=rows["entry_share"] * 100,
                        mode="lines+markers" if len(rows) > 1 else "markers", name=role,
                        line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                        customdata=rows["n_postings"],
                        hovertemplate=f"{role} %{{x}}: %{{y:.1f}}% entry-level "
                                      "(n=%{customdata})<extra></extra>")
    fig.update_yaxes(title={"text": "Entry-level share, percent"},
                     ticksuffix="%", rangemode="tozero")
    fig.update_xaxes(title={"text": "Work year"}, type="category",
                     categoryorder="category ascending")
    title = (finding_titles.entry_share_title(entry[entry["is_reportable"]
                                                    & entry["entry_share"].notna()])
             + "<br><sup>Entry-level share of job postings, a proxy: what a job board "
             "advertises is not who gets hired; groups under the minimum size are left out</sup>")
    fig = finish_figure(fig, title, source, height=420)
    return attach_data(fig, *tidy, source=source)


def mix_title(mix: pd.DataFrame, unit: str = "postings") -> str:
    """How the counts shown spread over the years, in words: the share from the latest two
    years ('most' only when it is more than half). unit names what the counts are (postings,
    or distinct adverts when repeats are dropped); the counts are those of the page's filters,
    so the title speaks of what is shown, not of the whole file."""
    by_year = mix.groupby("work_year")["postings"].sum().sort_index()
    total = float(by_year.sum())
    if not total:
        return f"No {unit} to show"
    recent = list(by_year.index[-2:])
    share = float(by_year.iloc[-2:].sum()) / total
    years = listing(str(y) for y in recent)
    lead = f"Most {unit} shown" if share > 0.5 else f"A minority of the {unit} shown"
    if len(by_year) <= 2:
        return f"All the {unit} shown are from {years}"
    return f"{lead} ({percent_text(share)}) are from {years}"


def mix_figure(mix: pd.DataFrame, source: str,
               year_labels: dict[str, str] | None = None, unit: str = "postings") -> go.Figure:
    """Postings per role and year as a grid of counts (shaded on a log scale, so a role with
    a few dozen postings stays as readable as one with thousands): counts on one job board,
    never job growth."""
    tidy = downloads.mix_figure(mix)
    year_labels = year_labels or {}
    m = escaped_frame(mix)
    order = list(m.groupby("role_name")["postings"].sum().sort_values(ascending=False).index)
    years = sorted(m["work_year"].unique())
    grid = m.pivot_table(index="role_name", columns="work_year", values="postings",
                         aggfunc="sum").reindex(index=order, columns=years)
    counts = grid.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(
        x=[year_labels.get(str(y), str(y)).replace(" (", "<br>(") for y in years], y=order,
        z=np.log10(np.where(counts > 0, counts, np.nan)), colorscale="Blues", showscale=False,
        text=[[f"{v:,.0f}" if v == v else "" for v in row] for row in counts],
        texttemplate="%{text}", textfont={"size": 12}, xgap=2, ygap=2,
        customdata=counts, hovertemplate="%{y} %{x}: %{customdata:,.0f} " + unit
        + "<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title={"text": "Work year"}, type="category", tickangle=0)
    title = (mix_title(mix, unit)
             + f"<br><sup>{capitalised(unit)} per role and year on one job board (shade on a log "
             "scale): not "
             "how many jobs exist or how fast they grow</sup>")
    fig = finish_figure(fig, title, source, height=max(360, 150 + 34 * len(order) + 110))
    return attach_data(fig, *tidy, source=source)


VERDICT_COLOURS = {"supported": GREEN, "partly supported": "#ca8a04",
                   "not supported": ORANGE, "no data": GREY}
KIND_LABELS = {"pay band": "Pay bands", "open-ended top": "Open-ended tops",
               "pay ranking": "Pay ranking", "growth": "Growth rates",
               "skills": "Skills shelf life", "learning": "Learning durations"}


def verdict_figure(result: pd.DataFrame, source: str) -> go.Figure:
    """How many of the article's numeric claims got each verdict, by kind of claim."""
    tidy = downloads.verdict_figure(result)
    r = result.assign(kind=[KIND_LABELS.get(k, k) for k in result["kind"]],
                      verdict=result["verdict"])
    kinds = list(dict.fromkeys(r["kind"]))
    fig = go.Figure()
    # the legend lists only the verdicts present
    for verdict, colour in VERDICT_COLOURS.items():
        if verdict not in set(r["verdict"]):
            continue
        counts = [int(((r["kind"] == k) & (r["verdict"] == verdict)).sum()) for k in kinds]
        fig.add_bar(name=verdict, y=kinds, x=counts, orientation="h", marker={"color": colour},
                    hovertemplate=f"%{{y}}: %{{x}} {verdict}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title={"text": "Claims"}, dtick=1)
    fig.update_yaxes(categoryorder="array", categoryarray=kinds[::-1])
    supported = int((r["verdict"] == "supported").sum())
    tested = int((r["verdict"] != "no data").sum())
    tested_text = n_of(supported, tested, "claim", "is", qualifier="the postings can test")
    title = (f"{capitalised(tested_text)} supported<br><sup>"
             f"{count(len(r) - tested, 'more claim')} with no data: untestable by salary data, "
             "or in cells too small to judge</sup>")
    fig = finish_figure(fig, title, source, height=360)
    return attach_data(fig, *tidy, source=source)


LEVEL_COLOURS = {"EN": GREEN, "MI": BLUE, "SE": PURPLE, "EX": ORANGE}
LEVEL_NAMES = {"EN": "Entry", "MI": "Mid", "SE": "Senior", "EX": "Executive"}


def entry_pay_title(cells: pd.DataFrame, bands: pd.DataFrame) -> str:
    """Where the entry-level medians sit against the article's bands, in words."""
    entry = cells[cells["group_value"] == "EN"].merge(bands, on="role_id")
    if entry.empty:
        return "No role has enough entry-level postings to show"
    below = int((entry["p50_usd"] < entry["salary_low_usd"]).sum())
    if below == len(entry):
        where = {1: "the 1 role", 2: "both roles"}.get(below, f"all {below} roles")
        return f"Entry-level postings pay below the article's band in {where} shown"
    if below == 0:
        return "No role's entry-level median is below the article's band"
    return (f"{capitalised(n_of(below, len(entry), 'role', 'has', qualifier='shown'))} an "
            "entry-level median below the article's band")


def level_order_title(cells: pd.DataFrame, names: dict[str, str]) -> str:
    """Whether median pay rises from each experience level to the next in every role, in
    words: the roles where a higher level's median is lower are named, with the two levels
    and their medians. Only shown (unsuppressed) cells count; a role needs two levels. With
    the medians' 95% intervals (p50_ci95_low_usd / p50_ci95_high_usd), a lower median whose
    interval overlaps the level below's is no clear fall, and the title says so rather than
    'does not rise'."""
    order = list(LEVEL_NAMES)
    has_ci = {"p50_ci95_low_usd", "p50_ci95_high_usd"} <= set(cells.columns)
    checked = 0
    clear: list[str] = []
    unclear: list[str] = []
    falling_roles: set[str] = set()
    for role_id, rows in cells.groupby("role_id", sort=False):
        by_level = rows.set_index("group_value")
        medians = by_level["p50_usd"]
        levels = [lv for lv in order if lv in medians.index]
        if len(levels) < 2:
            continue
        checked += 1
        for lower, upper in itertools.pairwise(levels):
            if medians[upper] < medians[lower]:
                falling_roles.add(role_id)
                text = (f"{names.get(role_id, role_id)}, {LEVEL_NAMES[upper].lower()} "
                        f"{money_k(medians[upper])} against {LEVEL_NAMES[lower].lower()} "
                        f"{money_k(medians[lower])}")
                apart = (not has_ci or pd.isna(by_level.loc[upper, "p50_ci95_high_usd"])
                         or by_level.loc[upper, "p50_ci95_high_usd"]
                         < by_level.loc[lower, "p50_ci95_low_usd"])
                (clear if apart else unclear).append(text)
    if checked == 0:
        return "No role has two experience levels with enough postings to compare"
    if not clear and not unclear:
        where = "the 1 role" if checked == 1 else (
            "both roles" if checked == 2 else f"all {checked} roles")
        return f"Median pay rises with each experience level in {where} shown"
    if clear:
        text = f"Median pay does not rise with every experience level: {listing(clear)}"
        if unclear:
            text += f"; within the 95% intervals: {listing(unclear)}"
        return text
    rising = checked - len(falling_roles)
    return (f"Median pay rises with each experience level in "
            f"{n_of(rising, checked, 'role', 'shown').rsplit(' ', 1)[0]}; where a median is "
            f"lower, the 95% intervals overlap, so no fall can be told: {listing(unclear)}")


def level_pay_figure(bands: pd.DataFrame, levels: pd.DataFrame, source: str, *,
                     filters_text: str, highlight: str | None = None) -> go.Figure:
    """Median posting pay per role and experience level (95% intervals) over the article's band.

    `levels` is the per-level percentile table (role_id, group_value = level, p50 and its
    interval, reliability); suppressed cells are left out and counted in the subtitle.
    `highlight` draws one level larger (the career-changer view uses EN).
    """
    tidy = downloads.level_pay_figure(bands, levels, filters_text)
    b = escaped_frame(bands).iloc[::-1].reset_index(drop=True)
    names = dict(zip(b["role_id"], b["role_name"], strict=True))
    fig = go.Figure()
    fig.add_bar(name="Article's band", y=list(range(len(b))),
                x=(b["salary_high_usd"] - b["salary_low_usd"]) / 1000,
                base=b["salary_low_usd"] / 1000, orientation="h", width=0.8,
                marker={"color": LIGHT_BLUE, "line": {"color": BLUE, "width": 1}},
                customdata=np.stack([b["role_name"], b["salary_high_usd"] / 1000], axis=1),
                hovertemplate="%{customdata[0]}: article $%{base:,.0f}K to "
                              "$%{customdata[1]:,.0f}K<extra></extra>")
    shown = levels[levels["role_id"].isin(names) & (levels["reliability"] != "suppressed")]
    hidden = int((levels["role_id"].isin(names) & (levels["reliability"] == "suppressed")).sum())
    offsets = {"EN": -0.27, "MI": -0.09, "SE": 0.09, "EX": 0.27}
    order = list(b["role_name"])
    for level, name in LEVEL_NAMES.items():
        rows = shown[shown["group_value"] == level]
        if rows.empty:
            continue
        y = [order.index(names[r]) + offsets[level] for r in rows["role_id"]]
        big = highlight == level
        fig.add_scatter(
            name=f"{name} level", x=rows["p50_usd"] / 1000, y=y, mode="markers",
            marker={"color": LEVEL_COLOURS[level], "size": 12 if big else 8,
                    "symbol": "diamond" if big else "circle"},
            error_x={"type": "data", "symmetric": False,
                     "array": (rows["p50_ci95_high_usd"] - rows["p50_usd"]) / 1000,
                     "arrayminus": (rows["p50_usd"] - rows["p50_ci95_low_usd"]) / 1000,
                     "color": LEVEL_COLOURS[level], "thickness": 1.5, "width": 4},
            customdata=np.stack([rows["n_postings"], rows["reliability"]], axis=1),
            hovertemplate=f"{name} level: median $%{{x:,.0f}}K (n=%{{customdata[0]}}, "
                          "%{customdata[1]})<extra></extra>")
    fig.update_yaxes(tickvals=list(range(len(order))), ticktext=order,
                     range=[-0.6, len(order) - 0.4])
    money_axis(fig)
    xs = [*(b["salary_low_usd"] / 1000), *(b["salary_high_usd"] / 1000),
          *(shown["p50_ci95_low_usd"].dropna() / 1000), *(shown["p50_ci95_high_usd"].dropna()
                                                         / 1000)]
    fig.update_xaxes(range=[min(xs) * 0.95, max(xs) * 1.03])
    fig.update_layout(barmode="overlay")
    note = f"; {hidden} cells suppressed (too few postings)" if hidden else ""
    if shown.empty:
        title = "No experience level has enough postings to show"
    elif highlight == "EN":
        title = entry_pay_title(shown, bands)
    else:
        title = level_order_title(shown, names)
    title += (f"<br><sup>Median posting pay by experience level, 95% intervals; "
              f"{html.escape(filters_text)}{note}</sup>")
    fig = finish_figure(fig, title, source, height=max(420, 150 + 80 * len(order) + 110))
    return attach_data(fig, *tidy, source=source)


def premium_variants_figure(premium: pd.DataFrame, source: str) -> go.Figure:
    """Each role's pooled premium under four definitions, with 95% intervals."""
    tidy = downloads.premium_variants_figure(premium)
    p = escaped_frame(premium[premium["group"].isin(["all", "mix_adjusted"])
                              & premium["is_computable"]])
    labels = {("software_engineer", "all"): "over Software Engineer",
              ("software_engineer", "mix_adjusted"): "over Software Engineer, same levels",
              ("software_family", "all"): "over software family",
              ("software_family", "mix_adjusted"): "over software family, same levels"}
    fig = go.Figure()
    for i, ((baseline, group), label) in enumerate(labels.items()):
        rows = p[(p["baseline"] == baseline) & (p["group"] == group)]
        if rows.empty:
            continue
        fig.add_bar(name=label, y=rows["role_name"], x=rows["premium"] * 100, orientation="h",
                    marker={"color": PALETTE[i]},
                    error_x={"type": "data", "symmetric": False,
                             "array": (rows["premium_ci95_high"] - rows["premium"]) * 100,
                             "arrayminus": (rows["premium"] - rows["premium_ci95_low"]) * 100,
                             "color": INK, "thickness": 1},
                    hovertemplate=f"%{{y}} {label}: %{{x:+.1f}}%<extra></extra>")
    axis_line(fig, x=0, line={"color": MUTED, "width": 1})
    fig.update_xaxes(title={"text": "Premium, percent of the baseline median"}, ticksuffix="%")
    fig.update_layout(barmode="group")
    if len(p):
        low, high = float(p["premium"].min()), float(p["premium"].max())
        title = (f"The AI-title premium runs from {percent_text(low, 1, signed=True)} to "
                 f"{percent_text(high, 1, signed=True)} across roles and definitions")
    else:
        title = "No AI-title premium can be computed from this file"
    title += "<br><sup>Median posting pay over the baseline's; bars show 95% intervals</sup>"
    fig = finish_figure(fig, title, source, height=max(380, 160 + 70 * p["role_id"].nunique()
                                                        + 110))
    return attach_data(fig, *tidy, source=source)
