"""Charts of the official statistics (BLS OEWS) and the Indeed Hiring Lab series."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from aijobs.charts import finding_titles
from aijobs.charts.figure_data import attach_data
from aijobs.charts.theme import (
    BLUE,
    LIGHT_BLUE,
    MUTED,
    PALETTE,
    PURPLE,
    axis_line,
    escaped_frame,
    finish_figure,
    money_axis,
)


def official_bands_figure(pct: pd.DataFrame, source: str, *, year: int) -> go.Figure:
    """Each role's claimed band beside its primary occupation's p25-p75 (thick) and p10-p90
    (thin) and median, from BLS OEWS. A top-coded percentile is drawn at the top code with an
    arrow ('at least'); a role with no occupation shows the claim only, with the reason."""
    b = escaped_frame(pct).iloc[::-1].reset_index(drop=True)
    names = list(b["role_name"])
    fig = go.Figure()
    fig.add_bar(name="Article's band", y=names, x=(b["salary_high_usd"] - b["salary_low_usd"])
                / 1000, base=b["salary_low_usd"] / 1000, orientation="h", width=0.55,
                marker={"color": LIGHT_BLUE, "line": {"color": BLUE, "width": 1}},
                customdata=b["salary_high_usd"] / 1000,
                hovertemplate="%{y}: article $%{base:,.0f}K to $%{customdata:,.0f}K"
                              "<extra></extra>")
    columns: list[list[Any]] = [[] for _ in range(10)]
    wx, wy, iqr_x, iqr_y, med_x, med_y, med_text, top_x, top_y, top_text = columns
    labels = []
    for _, r in b.iterrows():
        name = r["role_name"]
        if r["closeness"] == "none" or pd.isna(r["p50_usd"]):
            labels.append((name, "no SOC occupation" if r["closeness"] == "none"
                           else "no estimate"))
            continue
        labels.append((name, f"{r['soc_code']} ({r['closeness']})"))
        for lo, hi, xs, ys in (("p10", "p90", wx, wy), ("p25", "p75", iqr_x, iqr_y)):
            if pd.notna(r[f"{lo}_usd"]) and pd.notna(r[f"{hi}_usd"]):
                xs += [r[f"{lo}_usd"] / 1000, r[f"{hi}_usd"] / 1000, None]
                ys += [name, name, None]
        med_x.append(r["p50_usd"] / 1000)
        med_y.append(name)
        med_text.append(f"{r['soc_title']}: median {r['p50_text']}")
        for m in ("p75", "p90"):
            if r[f"{m}_status"] == "top_coded":
                top_x.append(r[f"{m}_usd"] / 1000)
                top_y.append(name)
                top_text.append(f"{m} {r[f'{m}_text']} (top-coded)")
    fig.add_scatter(name=f"BLS OEWS p10-p90, May {year}", x=wx, y=wy, mode="lines",
                    line={"color": PURPLE, "width": 2}, hoverinfo="skip")
    fig.add_scatter(name="BLS OEWS p25-p75", x=iqr_x, y=iqr_y, mode="lines",
                    line={"color": PURPLE, "width": 9}, opacity=0.6, hoverinfo="skip")
    fig.add_scatter(name="BLS OEWS median", x=med_x, y=med_y, mode="markers", text=med_text,
                    marker={"symbol": "line-ns", "size": 16,
                            "line": {"width": 3, "color": "#3b0764"}},
                    hovertemplate="%{y}: %{text}<extra></extra>")
    if top_x:
        fig.add_scatter(name="Top-coded: at least this", x=top_x, y=top_y, text=top_text,
                        mode="markers", marker={"symbol": "triangle-right", "size": 12,
                                                "color": PALETTE[4]},
                        hovertemplate="%{y}: %{text}<extra></extra>")
    everything = [*(b["salary_low_usd"] / 1000), *(b["salary_high_usd"] / 1000),
                  *[x for x in wx if x is not None]]
    right = max(everything) * 1.02
    for name, text in labels:
        fig.add_annotation(x=right, y=name, text=text, showarrow=False, xanchor="left",
                           font={"size": 11, "color": MUTED})
    money_axis(fig)
    fig.update_xaxes(range=[min(everything) * 0.9, right * 1.22])
    fig.update_layout(barmode="overlay")
    # a top-coded median is only known to be at least the top code: it counts as above the
    # band when the top code is, and is left out otherwise
    known = pct["p50_status"] == "estimate"
    above = (pct["p50_status"] != "estimate") & (pct["p50_usd"] > pct["salary_high_usd"])
    median = pct["p50_usd"].where(known | above)
    title = finding_titles.band_position_title(
        pct.assign(median_usd=median), "the official", interval=False)
    title += (f"<br><sup>The article's bands beside what employers pay in the nearest "
              f"occupations, BLS OEWS, May {year}: existing jobs nationwide, straight-time "
              "wages</sup>")
    fig = finish_figure(fig, title, source, height=max(380, 120 + 70 * len(b) + 110))
    tidy = pct[["role_id", "role_name", "salary_low_usd", "salary_high_usd", "soc_code",
                "soc_title", "closeness", "year", "top_code_usd"]].copy()
    for m in ("p10", "p25", "p50", "p75", "p90"):  # a top-coded value is no number
        tidy[f"{m}_usd"] = pct[f"{m}_usd"].where(pct[f"{m}_status"] == "estimate")
        tidy[f"{m}_status"] = pct[f"{m}_status"]
    usd = [c for c in tidy.columns if c.endswith("_usd")]
    return attach_data(fig, "official-pay-beside-bands", tidy, dict.fromkeys(usd, 0),
                       notes=["top_coded: the percentile is at least top_code_usd (BLS '#')"],
                       source=source)


def postings_index_figure(postings: pd.DataFrame, source: str) -> go.Figure:
    """Indeed's postings index (1 February 2020 = 100), one line per series."""
    fig = go.Figure()
    for i, (series, g) in enumerate(postings.groupby("series", sort=False)):
        fig.add_scatter(name=html.escape(str(series)), x=g["date"], y=g["index_sa"],
                        mode="lines", line={"color": PALETTE[i % len(PALETTE)], "width": 1.6},
                        hovertemplate="%{x}: %{y:.1f}<extra>" + html.escape(str(series))
                                      + "</extra>")
    axis_line(fig, y=100, line={"color": MUTED, "dash": "dot", "width": 1})
    fig.update_yaxes(title={"text": "Index, 1 Feb 2020 = 100"})
    title = (finding_titles.postings_index_title(postings)
             + "<br><sup>Job postings on Indeed in the US, all and in the sectors nearest to AI; "
             "Indeed Hiring Lab, seasonally adjusted; sectors are Indeed's groupings of "
             "titles</sup>")
    fig = finish_figure(fig, title, source, height=460)
    tidy = postings[["date", "series", "index_sa"]].rename(columns={"series": "indeed_series"})
    return attach_data(fig, "indeed-postings-index", tidy, {"index_sa": 2}, source=source)


def board_share_figure(shares: pd.DataFrame, source: str) -> go.Figure:
    """Each role's share of the board's distinct adverts per work year, with its Wilson 95%
    interval; a year the snapshot covers only in part is drawn hollow."""
    fig = go.Figure()
    for i, (role, g) in enumerate(shares.groupby("role_name", sort=True)):
        colour = PALETTE[i % len(PALETTE)]
        fig.add_scatter(
            name=html.escape(str(role)), x=g["work_year"], y=g["share"] * 100,
            mode="lines+markers", line={"color": colour, "width": 1.5},
            marker={"size": 8, "color": [("white" if p else colour) for p in g["is_partial"]],
                    "line": {"color": colour, "width": 1.5}},
            error_y={"type": "data", "symmetric": False,
                     "array": (g["share_ci95_high"] - g["share"]) * 100,
                     "arrayminus": (g["share"] - g["share_ci95_low"]) * 100, "thickness": 1,
                     "width": 4, "color": colour},
            customdata=g[["postings", "all_postings"]],
            hovertemplate="%{x}: %{y:.2f}% (%{customdata[0]:,} of %{customdata[1]:,} "
                          "adverts)<extra>" + html.escape(str(role)) + "</extra>")
    fig.update_xaxes(title={"text": "Work year (hollow: the snapshot covers part of it)"},
                     dtick=1)
    fig.update_yaxes(title={"text": "Share of the board's adverts (%, 95% interval)"},
                     rangemode="tozero")
    whole = sorted(shares.loc[~shares["is_partial"].astype(bool), "work_year"].unique())
    title = (finding_titles.board_share_title(shares, int(whole[-2]), int(whole[-1]))
             if len(whole) >= 2 else "Each role's share of the job board's adverts, by year")
    title += ("<br><sup>Each role's share of aijobs.net's distinct adverts (identical ones "
              "counted once), by year, with 95% intervals</sup>")
    fig = finish_figure(fig, title, source, height=480)
    cols = ["role_id", "role_name", "work_year", "postings", "all_postings", "share",
            "share_ci95_low", "share_ci95_high", "is_partial"]
    return attach_data(fig, "board-share-of-adverts", shares[[c for c in cols
                                                               if c in shares.columns]],
                       {"share": 6, "share_ci95_low": 6, "share_ci95_high": 6}, source=source)


def coverage_figure(counts: pd.DataFrame, source: str) -> go.Figure:
    """How many of the article's pay and growth claims each source can test."""
    c = escaped_frame(counts)
    fig = go.Figure()
    fig.add_bar(name="Can test", y=c["source"], x=c["claims_tested"], orientation="h",
                marker={"color": BLUE}, hovertemplate="%{y}: %{x} claims tested<extra></extra>")
    fig.add_bar(name="Cannot test", y=c["source"], x=c["claims_not_tested"], orientation="h",
                marker={"color": LIGHT_BLUE},
                hovertemplate="%{y}: %{x} claims it cannot test<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title={"text": "The article's pay and growth claims"}, dtick=1)
    title = (finding_titles.coverage_title(counts) + "<br><sup>The article's claims each "
             "source can test: pay bands, open-ended tops, the pay ranking and growth rates "
             "(a loose match counts as not testing)</sup>")
    fig = finish_figure(fig, title, source, height=340)
    return attach_data(fig, "claims-each-source-can-test", counts, source=source)
