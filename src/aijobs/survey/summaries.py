"""Summaries of survey pay units (postings by default): percentiles with intervals and a
reliability grade, the AI premium against two baselines (raw and mix-adjusted), like-with-like
change over time, pay by country, entry-level shares and the posting mix.

Intervals: a percentile's 95% interval is the distribution-free order-statistic interval
(exact binomial ranks; deterministic). A premium's interval combines the two medians'
intervals on the log scale (each interval's width gives a standard error).

Reliability follows Statistics Canada's Quality Guidelines (5th edition, 2009) for the
coefficient of variation (CV) of an estimate: up to 16.5% is released as it is, 16.5% to
33.3% with a warning ("use with caution"), above 33.3% not released. The CV of a median is
taken from its 95% interval (half-width / 1.96 / median). Below `min_n` postings a cell is
suppressed whatever its interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import binom

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
Z95 = 1.959963984540054
CV_CAUTION = 0.165
CV_SUPPRESS = 0.333
RELIABILITY = ("reliable", "use with caution", "suppressed")
RELIABILITY_RULE = (
    "Statistics Canada, Quality Guidelines (5th ed., 2009): an estimate whose coefficient of "
    "variation is at most 16.5% is released as it is, 16.5-33.3% with a warning, above 33.3% "
    "not released (thresholds as quoted in the documentation of the R package SAEval, "
    "cv_table). Here the CV of a median is its 95% interval's half-width / 1.96 / median, "
    "and a cell with fewer than min_n postings is suppressed.")
BASELINES = {"software_engineer": "is_baseline", "software_family": "is_software_family"}
BASELINE_TEXT = {"software_engineer": "Software Engineer postings",
                 "software_family": "software-family postings (Software Engineer, Developer, "
                                    "Backend, Full Stack and similar titles)"}


def quantile_ci_ranks(n: int, q: float, level: float = 0.95) -> tuple[int, int]:
    """1-based ranks (lo, hi) of the order statistics bounding the q-quantile's interval.

    lo = the binomial(n, q) quantile at (1-level)/2, hi = its quantile at (1+level)/2 plus
    one; the coverage P(lo <= B <= hi - 1) is at least `level`. Returns (0, 0) when the
    sample is too small for an interval at that level (a rank falls outside 1..n).
    """
    if n < 1:
        return 0, 0
    alpha = 1 - level
    lo = int(binom.ppf(alpha / 2, n, q))
    hi = int(binom.ppf(1 - alpha / 2, n, q)) + 1
    if lo < 1 or hi > n:
        return 0, 0
    return lo, hi


def quantile_interval(sorted_values: np.ndarray, q: float, level: float = 0.95,
                      ) -> tuple[float, float]:
    """The q-quantile's distribution-free interval from sorted values (nan, nan if too few)."""
    lo, hi = quantile_ci_ranks(len(sorted_values), q, level)
    if lo == 0:
        return math.nan, math.nan
    return float(sorted_values[lo - 1]), float(sorted_values[hi - 1])


def cv_from_interval(estimate: float, low: float, high: float) -> float:
    """Coefficient of variation implied by a 95% interval (nan when there is none)."""
    if not (estimate > 0) or math.isnan(low) or math.isnan(high):
        return math.nan
    return (high - low) / (2 * Z95) / estimate


def reliability(n: int, cv: float, min_n: int) -> tuple[str, str]:
    """(grade, reason) by the rule in RELIABILITY_RULE."""
    if n < min_n:
        return "suppressed", f"{n} postings, under the minimum of {min_n}"
    if math.isnan(cv):
        return "suppressed", "too few postings for a 95% interval"
    if cv > CV_SUPPRESS:
        return "suppressed", f"interval too wide (CV {cv:.0%} > 33.3%)"
    if cv > CV_CAUTION:
        return "use with caution", f"CV {cv:.0%} is between 16.5% and 33.3%"
    return "reliable", f"CV {cv:.1%}"


def _group_stats(pay: np.ndarray, low: np.ndarray, high: np.ndarray, n_rows: int, min_n: int,
                 ) -> dict:
    pay, low, high = np.sort(pay), np.sort(low), np.sort(high)
    n = len(pay)
    out: dict = {"n_postings": n, "n_rows": int(n_rows)}
    for q in QUANTILES:
        out[f"p{round(q * 100)}_usd"] = float(np.quantile(pay, q))
    for q in (0.5, 0.9):
        lo, hi = quantile_interval(pay, q)
        out[f"p{round(q * 100)}_ci95_low_usd"], out[f"p{round(q * 100)}_ci95_high_usd"] = lo, hi
    for name, values in (("range_min", low), ("range_max", high)):
        out[f"median_{name}_usd"] = float(np.median(values))
        lo, hi = quantile_interval(values, 0.5)
        out[f"median_{name}_ci95_low_usd"], out[f"median_{name}_ci95_high_usd"] = lo, hi
    cv = cv_from_interval(out["p50_usd"], out["p50_ci95_low_usd"], out["p50_ci95_high_usd"])
    out["cv_p50"] = cv
    out["reliability"], out["reliability_reason"] = reliability(n, cv, min_n)
    return out


PERCENTILE_COLUMNS = (
    "n_postings", "n_rows", *(f"p{round(q * 100)}_usd" for q in QUANTILES),
    "p50_ci95_low_usd", "p50_ci95_high_usd", "p90_ci95_low_usd", "p90_ci95_high_usd",
    "median_range_min_usd", "median_range_min_ci95_low_usd", "median_range_min_ci95_high_usd",
    "median_range_max_usd", "median_range_max_ci95_low_usd", "median_range_max_ci95_high_usd",
    "cv_p50", "reliability", "reliability_reason")


def percentile_table(units: pd.DataFrame, by: Sequence[str] = ("role_id",), min_n: int = 30,
                     ) -> pd.DataFrame:
    """Per group: n, p10-p90 of pay_usd, intervals, the posted range's medians, reliability."""
    by = list(by)
    data = units[units["role_id"].notna()] if "role_id" in by else units
    rows = []
    if not data.empty:
        pay = data["pay_usd"].to_numpy()
        low, high = data["min_usd"].to_numpy(), data["max_usd"].to_numpy()
        n_rows = data["n_rows"].to_numpy()
        for key, idx in data.groupby(by, observed=True, sort=True).indices.items():
            key = key if isinstance(key, tuple) else (key,)
            rows.append({**dict(zip(by, key, strict=True)),
                         **_group_stats(pay[idx], low[idx], high[idx], n_rows[idx].sum(),
                                        min_n)})
    return pd.DataFrame(rows, columns=[*by, *PERCENTILE_COLUMNS])


def _log_se(median: float, low: float, high: float) -> float:
    if not (median > 0 and low > 0 and high > 0):
        return math.nan
    return (math.log(high) - math.log(low)) / (2 * Z95)


def _median_and_se(values: np.ndarray) -> tuple[float, float, int]:
    values = np.sort(values)
    if len(values) == 0:
        return math.nan, math.nan, 0
    med = float(np.median(values))
    lo, hi = quantile_interval(values, 0.5)
    return med, _log_se(med, lo, hi), len(values)


def matched_years(units: pd.DataFrame, baseline: str = "software_engineer", min_n: int = 30,
                  ) -> list[int]:
    """Work years with at least min_n baseline postings."""
    base = units[units[BASELINES[baseline]]]
    counts = base.groupby("work_year").size()
    return sorted(int(y) for y in counts[counts >= min_n].index)


def _ratio(role: np.ndarray, base: np.ndarray, min_n: int) -> dict:
    m_r, se_r, n_r = _median_and_se(role)
    m_b, se_b, n_b = _median_and_se(base)
    out = {"ai_median_usd": m_r, "baseline_median_usd": m_b, "n_role": n_r, "n_baseline": n_b,
           "premium": math.nan, "premium_ci95_low": math.nan, "premium_ci95_high": math.nan,
           "reason": None}
    if n_b == 0:
        out["reason"] = "no baseline postings to compare with"
    elif n_b < min_n:
        out["reason"] = f"only {n_b} baseline postings (< {min_n})"
    elif n_r < min_n:
        out["reason"] = f"only {n_r} postings for the role (< {min_n})"
    else:
        ratio = m_r / m_b
        se = math.hypot(se_r, se_b)
        out["premium"] = ratio - 1
        out["premium_ci95_low"] = ratio * math.exp(-Z95 * se) - 1
        out["premium_ci95_high"] = ratio * math.exp(Z95 * se) - 1
        out["se_log"] = se
    return out


def _mix_adjusted(role: pd.DataFrame, base: pd.DataFrame, min_n: int) -> dict:
    """Within each experience level role/baseline, weighted by the role's own level mix."""
    parts, weights = [], []
    for level, r in role.groupby("experience_level", observed=True):
        b = base[base["experience_level"] == level]
        x = _ratio(r["pay_usd"].to_numpy(), b["pay_usd"].to_numpy(), min_n)
        if x["reason"] is None:
            parts.append(x)
            weights.append(len(r))
    out = {"ai_median_usd": math.nan, "baseline_median_usd": math.nan, "n_role": len(role),
           "n_baseline": len(base), "premium": math.nan, "premium_ci95_low": math.nan,
           "premium_ci95_high": math.nan, "reason": None}
    if not parts:
        out["reason"] = (f"no experience level has {min_n} or more postings on both sides")
        return out
    w = np.array(weights, dtype=float)
    covered = w.sum() / max(len(role), 1)
    w /= w.sum()
    ratios = np.array([p["premium"] + 1 for p in parts])
    ses = np.array([p["se_log"] for p in parts])
    value = float((w * ratios).sum())
    se = float(math.sqrt(((w * ratios * ses) ** 2).sum()))
    out.update(premium=value - 1, premium_ci95_low=value - 1 - Z95 * se,
               premium_ci95_high=value - 1 + Z95 * se, n_role=int(sum(weights)))
    if covered < 1:
        out["reason"] = (f"levels with enough postings on both sides cover {covered:.0%} of "
                         "the role's postings")
    return out


PREMIUM_COLUMNS = ("role_id", "baseline", "group", "group_value", "ai_median_usd",
                   "baseline_median_usd", "premium", "premium_ci95_low", "premium_ci95_high",
                   "n_role", "n_baseline", "is_computable", "reason")


def premium_table(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """Each role's pay over each baseline's: pooled over matched years (raw and mix-adjusted),
    per experience level (matched years) and per work year. Negative premiums stay negative."""
    rows = []
    roles = sorted(units["role_id"].dropna().unique())
    for baseline, flag in BASELINES.items():
        years = matched_years(units, baseline, min_n)
        pooled = units[units["work_year"].isin(years)] if years else units
        base = pooled[pooled[flag]]
        for role in roles:
            r = pooled[pooled["role_id"] == role]
            raw = _ratio(r["pay_usd"].to_numpy(), base["pay_usd"].to_numpy(), min_n)
            rows.append({"role_id": role, "baseline": baseline, "group": "all",
                         "group_value": "all", **raw})
            adj = _mix_adjusted(r, base, min_n)
            rows.append({"role_id": role, "baseline": baseline, "group": "mix_adjusted",
                         "group_value": "all", **adj})
            for level, rl in r.groupby("experience_level", observed=True):
                bl = base[base["experience_level"] == level]
                rows.append({"role_id": role, "baseline": baseline,
                             "group": "experience_level", "group_value": str(level),
                             **_ratio(rl["pay_usd"].to_numpy(), bl["pay_usd"].to_numpy(),
                                      min_n)})
            every = units[units["role_id"] == role]
            for year, ry in every.groupby("work_year"):
                by = units[(units["work_year"] == year) & units[flag]]
                rows.append({"role_id": role, "baseline": baseline, "group": "work_year",
                             "group_value": str(int(year)),
                             **_ratio(ry["pay_usd"].to_numpy(), by["pay_usd"].to_numpy(),
                                      min_n)})
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=list(PREMIUM_COLUMNS))
    out["is_computable"] = out["premium"].notna()
    out["reason"] = out["reason"].astype("string")
    return out[list(PREMIUM_COLUMNS)]


YOY_COLUMNS = ("role_id", "work_year", "n_postings", "raw_median_usd", "raw_change",
               "like_for_like_change", "like_for_like_ci95_low", "like_for_like_ci95_high",
               "cells_matched", "postings_matched", "signs_disagree")


def like_for_like_change(units: pd.DataFrame, min_cell: int = 10) -> pd.DataFrame:
    """Year-on-year change per role: raw (pooled medians) and within cells.

    A cell is one experience level in one company country. The like-for-like change is the
    mean of the cells' median changes, weighted by the smaller of the cell's two counts, over
    cells with at least `min_cell` postings in both years. `signs_disagree` flags a year where
    the raw and the like-for-like change point in different directions.
    """
    rows = []
    ai = units[units["role_id"].notna()]
    for role, r in ai.groupby("role_id", observed=True):
        years = sorted(int(y) for y in r["work_year"].unique())
        med = r.groupby("work_year")["pay_usd"].median()
        cells = r.groupby(["work_year", "experience_level", "company_location"],
                          observed=True)["pay_usd"]
        cell_med, cell_n = cells.median(), cells.size()
        cell_se = cells.apply(lambda s: _median_and_se(s.to_numpy())[1])
        for prev, year in zip(years, years[1:], strict=False):
            a, b = cell_n.get(prev), cell_n.get(year)
            changes, weights, ses = [], [], []
            if a is not None and b is not None:
                for key in set(a.index) & set(b.index):
                    if a[key] >= min_cell and b[key] >= min_cell:
                        m0, m1 = cell_med[prev][key], cell_med[year][key]
                        changes.append(m1 / m0 - 1)
                        weights.append(min(a[key], b[key]))
                        se = math.hypot(cell_se[prev][key], cell_se[year][key])
                        ses.append((m1 / m0) * se if not math.isnan(se) else 0.0)
            raw = med[year] / med[prev] - 1
            like, lo, hi = math.nan, math.nan, math.nan
            if weights:
                w = np.array(weights, float) / sum(weights)
                like = float((w * np.array(changes)).sum())
                se = float(math.sqrt(((w * np.array(ses)) ** 2).sum()))
                lo, hi = like - Z95 * se, like + Z95 * se
            rows.append({"role_id": role, "work_year": year,
                         "n_postings": int((r["work_year"] == year).sum()),
                         "raw_median_usd": float(med[year]), "raw_change": raw,
                         "like_for_like_change": like, "like_for_like_ci95_low": lo,
                         "like_for_like_ci95_high": hi, "cells_matched": len(weights),
                         "postings_matched": int(sum(weights)),
                         "signs_disagree": bool(weights) and (raw > 0) != (like > 0)})
    return pd.DataFrame(rows, columns=list(YOY_COLUMNS))


def region_table(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """Median pay of the AI roles per company country over the US median, with intervals."""
    cols = ["country", "n_postings", "median_usd", "median_ci95_low_usd", "median_ci95_high_usd",
            "ratio_to_us", "reliability"]
    ai = units[units["role_id"].notna()]
    stats = {}
    for country, idx in ai.groupby("company_location", observed=True).indices.items():
        values = np.sort(ai["pay_usd"].to_numpy()[idx])
        lo, hi = quantile_interval(values, 0.5)
        med = float(np.median(values))
        stats[str(country)] = (len(values), med, lo, hi,
                               reliability(len(values), cv_from_interval(med, lo, hi), min_n)[0])
    if "US" not in stats:
        return pd.DataFrame(columns=cols)
    us = stats["US"][1]
    out = pd.DataFrame([{"country": c, "n_postings": s[0], "median_usd": s[1],
                         "median_ci95_low_usd": s[2], "median_ci95_high_usd": s[3],
                         "ratio_to_us": s[1] / us, "reliability": s[4]}
                        for c, s in stats.items()], columns=cols)
    return out


def entry_share(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """Share of entry-level (EN) postings per AI role and year: a proxy, not hiring data."""
    ai = units[units["role_id"].notna()]
    g = ai.assign(is_entry=(ai["experience_level"] == "EN").to_numpy()) \
        .groupby(["role_id", "work_year"], observed=True)["is_entry"]
    out = pd.DataFrame({"n_postings": g.size(), "n_entry": g.sum().astype(int)}).reset_index()
    out["entry_share"] = out["n_entry"] / out["n_postings"]
    out["is_reportable"] = out["n_postings"] >= min_n
    return out


def posting_mix(units: pd.DataFrame, baseline_label: str, unmapped_label: str) -> pd.DataFrame:
    """Postings and rows per role per year (counts on one job board, not job growth)."""
    unmapped = units["role_id"].isna().to_numpy()
    label = units["role_id"].astype("string").to_numpy(dtype=object, na_value=None)
    label = np.where(unmapped & units["is_baseline"].to_numpy(), baseline_label, label)
    label = np.where(unmapped & ~units["is_baseline"].to_numpy(), unmapped_label, label)
    frame = pd.DataFrame({"role_id": label, "work_year": units["work_year"].to_numpy(),
                          "n_rows": units["n_rows"].to_numpy()})
    out = frame.groupby(["role_id", "work_year"]).agg(postings=("n_rows", "size"),
                                                      rows=("n_rows", "sum")).reset_index()
    out["role_id"] = out["role_id"].astype("string")
    return out.sort_values(["role_id", "work_year"]).reset_index(drop=True)
