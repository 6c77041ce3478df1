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

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from aijobs.words import count

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


def binomial_quantile(prob: float, n: int, q: float) -> int:
    """The smallest k with P(Binomial(n, q) <= k) >= prob (scipy.stats.binom.ppf's answer).

    Computed the way scipy's binom.ppf does, from the continuous inverse bdtrik and one check
    with the cdf bdtr, but through the bare special functions: about 20 times cheaper per call
    than the distribution object, which matters for hundreds of cells.
    """
    k = math.ceil(special.bdtrik(prob, n, q))
    below = max(k - 1, 0)
    return below if special.bdtr(below, n, q) >= prob else k


@functools.lru_cache(maxsize=4096)
def quantile_ci_ranks(n: int, q: float, level: float = 0.95) -> tuple[int, int]:
    """1-based ranks (lo, hi) of the order statistics bounding the q-quantile's interval.

    lo = the binomial(n, q) quantile at (1-level)/2, hi = its quantile at (1+level)/2 plus
    one; the coverage P(lo <= B <= hi - 1) is at least `level`. Returns (0, 0) when the
    sample is too small for an interval at that level (a rank falls outside 1..n).
    """
    if n < 1:
        return 0, 0
    alpha = 1 - level
    lo = binomial_quantile(alpha / 2, n, q)
    hi = binomial_quantile(1 - alpha / 2, n, q) + 1
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
        return "suppressed", f"{count(n, 'posting')}, under the minimum of {min_n}"
    if math.isnan(cv):
        return "suppressed", "too few postings for a 95% interval"
    if cv > CV_SUPPRESS:
        return "suppressed", f"interval too wide (CV {cv:.0%} > 33.3%)"
    if cv > CV_CAUTION:
        return "use with caution", f"CV {cv:.0%} is between 16.5% and 33.3%"
    return "reliable", f"CV {cv:.1%}"


def group_stats(pay: np.ndarray, low: np.ndarray, high: np.ndarray, n_rows: int, min_n: int,
                ) -> dict:
    """One cell's row of the percentile table (PERCENTILE_COLUMNS)."""
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


@dataclass
class _Arrays:
    """A pay-units frame as plain arrays: filtering arrays is far cheaper than filtering frames
    (measured on a 5-million-row file)."""

    role: np.ndarray  # role code, -1 for none
    roles: list[str]
    level: np.ndarray
    levels: list[str]
    country: np.ndarray
    countries: list[str]
    year: np.ndarray
    base: np.ndarray
    family: np.ndarray
    pay: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_rows: np.ndarray
    history: np.ndarray  # the history baseline (non-AI data roles present every year)

    @classmethod
    def of(cls, units: pd.DataFrame) -> _Arrays:
        def coded(column: str) -> tuple[np.ndarray, list[str]]:
            values = units[column]
            if not isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype("category")
            return (values.cat.codes.to_numpy().astype(np.int64),
                    [str(c) for c in values.cat.categories])
        role, roles = coded("role_id")
        level, levels = coded("experience_level")
        country, countries = coded("company_location")
        return cls(role, roles, level, levels, country, countries,
                   units["work_year"].to_numpy(), units["is_baseline"].to_numpy(dtype=bool),
                   units["is_software_family"].to_numpy(dtype=bool),
                   units["pay_usd"].to_numpy(dtype="float64"),
                   units["min_usd"].to_numpy(dtype="float64"),
                   units["max_usd"].to_numpy(dtype="float64"),
                   units["n_rows"].to_numpy(),
                   units["is_history_baseline"].to_numpy(dtype=bool)
                   if "is_history_baseline" in units else np.zeros(len(units), dtype=bool))

    def subset(self, mask: np.ndarray) -> _Arrays:
        """The same arrays for the rows where mask holds (category lists unchanged)."""
        return _Arrays(self.role[mask], self.roles, self.level[mask], self.levels,
                       self.country[mask], self.countries, self.year[mask], self.base[mask],
                       self.family[mask], self.pay[mask], self.low[mask], self.high[mask],
                       self.n_rows[mask], self.history[mask])

    def split(self, keys: list[np.ndarray], mask: np.ndarray | None = None,
              ) -> dict[tuple, np.ndarray]:
        """Positions per combination of key values (rows where mask holds), in key order."""
        idx = np.arange(len(self.pay)) if mask is None else np.flatnonzero(mask)
        if not len(idx):
            return {}
        # one integer per combination, then one stable sort of the (masked) rows
        parts = [k[idx].astype(np.int64) for k in keys]
        lows = [int(p.min()) for p in parts]
        spans = [int(p.max()) - lo + 1 for p, lo in zip(parts, lows, strict=True)]
        combined = np.zeros(len(idx), dtype=np.int64)
        for p, lo, span in zip(parts, lows, spans, strict=True):
            combined = combined * span + (p - lo)
        order = np.argsort(combined, kind="stable")
        ordered = combined[order]
        starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        ends = np.concatenate([starts[1:], [len(ordered)]])
        out = {}
        for s, e in zip(starts, ends, strict=True):
            value, key = int(ordered[s]), []
            for lo, span in zip(reversed(lows), reversed(spans), strict=True):
                key.append(value % span + lo)
                value //= span
            out[tuple(reversed(key))] = idx[order[s:e]]
        return out


PERCENTILE_COLUMNS = (
    "n_postings", "n_rows", *(f"p{round(q * 100)}_usd" for q in QUANTILES),
    "p50_ci95_low_usd", "p50_ci95_high_usd", "p90_ci95_low_usd", "p90_ci95_high_usd",
    "median_range_min_usd", "median_range_min_ci95_low_usd", "median_range_min_ci95_high_usd",
    "median_range_max_usd", "median_range_max_ci95_low_usd", "median_range_max_ci95_high_usd",
    "cv_p50", "reliability", "reliability_reason")


def percentile_table(units: pd.DataFrame, by: Sequence[str] = ("role_id",), min_n: int = 30,
                     ) -> pd.DataFrame:
    """Per group: n, p10-p90 of pay_usd, intervals, the posted range's medians, reliability.

    `by` is role_id, optionally followed by experience_level and/or company_location.
    """
    by = list(by)
    a = _Arrays.of(units)
    names = {"role_id": (a.role, a.roles), "experience_level": (a.level, a.levels),
             "company_location": (a.country, a.countries)}
    rows = []
    groups = a.split([names[c][0] for c in by], a.role >= 0 if "role_id" in by else None)
    for key, idx in groups.items():
        labels = {c: names[c][1][k] if k >= 0 else None for c, k in zip(by, key, strict=True)}
        rows.append({**labels, **group_stats(a.pay[idx], a.low[idx], a.high[idx],
                                               a.n_rows[idx].sum(), min_n)})
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


def matched_years(units: pd.DataFrame | _Arrays, baseline: str = "software_engineer",
                  min_n: int = 30) -> list[int]:
    """Work years with at least min_n baseline postings."""
    a = units if isinstance(units, _Arrays) else _Arrays.of(units)
    flag = a.base if baseline == "software_engineer" else a.family
    years, counts = np.unique(a.year[flag], return_counts=True)
    return sorted(int(y) for y, c in zip(years, counts, strict=True) if c >= min_n)


def _ratio(role: np.ndarray, base: np.ndarray | tuple[float, float, int], min_n: int) -> dict:
    """The role's median over the baseline's, with its interval; `base` may be the baseline's
    (median, log standard error, n) already computed (it is shared by every role)."""
    m_r, se_r, n_r = _median_and_se(role)
    m_b, se_b, n_b = base if isinstance(base, tuple) else _median_and_se(base)
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


def _mix_adjusted(a: _Arrays, role: np.ndarray, base_by_level: dict[int, tuple],
                  n_base: int, min_n: int) -> dict:
    """Within each experience level role/baseline, weighted by the role's own level mix.

    `role` is a boolean mask over the arrays; `base_by_level` the baseline's median stats
    per level code."""
    parts, weights = [], []
    for level in np.unique(a.level[role]):
        r = role & (a.level == level)
        x = _ratio(a.pay[r], base_by_level.get(int(level), (math.nan, math.nan, 0)), min_n)
        if x["reason"] is None:
            parts.append(x)
            weights.append(int(r.sum()))
    n_role = int(role.sum())
    out = {"ai_median_usd": math.nan, "baseline_median_usd": math.nan, "n_role": n_role,
           "n_baseline": n_base, "premium": math.nan, "premium_ci95_low": math.nan,
           "premium_ci95_high": math.nan, "reason": None}
    if not parts:
        out["reason"] = f"no experience level has {min_n} or more postings on both sides"
        return out
    w = np.array(weights, dtype=float)
    covered = w.sum() / max(n_role, 1)
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
    a = _Arrays.of(units)
    a = a.subset((a.role >= 0) | a.base | a.family)
    rows = []
    present = sorted({int(r) for r in np.unique(a.role) if r >= 0}, key=lambda r: a.roles[r])
    for baseline in BASELINES:
        flag = a.base if baseline == "software_engineer" else a.family
        years = matched_years(a, baseline, min_n)
        pooled = np.isin(a.year, years) if years else np.ones(len(a.pay), dtype=bool)
        base = pooled & flag
        # the baseline's medians are shared by every role: computed once
        base_all = _median_and_se(a.pay[base])
        base_level = {int(k[0]): _median_and_se(a.pay[i])
                      for k, i in a.split([a.level], base).items()}
        base_year = {int(k[0]): _median_and_se(a.pay[i])
                     for k, i in a.split([a.year], flag).items()}
        for code in present:
            is_role = a.role == code
            r = pooled & is_role
            head = {"role_id": a.roles[code], "baseline": baseline}
            rows.append({**head, "group": "all", "group_value": "all",
                         **_ratio(a.pay[r], base_all, min_n)})
            rows.append({**head, "group": "mix_adjusted", "group_value": "all",
                         **_mix_adjusted(a, r, base_level, base_all[2], min_n)})
            for level in np.unique(a.level[r]):
                rows.append({**head, "group": "experience_level",
                             "group_value": a.levels[level],
                             **_ratio(a.pay[r & (a.level == level)],
                                      base_level.get(int(level), (math.nan, math.nan, 0)),
                                      min_n)})
            for year in np.unique(a.year[is_role]):
                rows.append({**head, "group": "work_year", "group_value": str(int(year)),
                             **_ratio(a.pay[is_role & (a.year == year)],
                                      base_year.get(int(year), (math.nan, math.nan, 0)),
                                      min_n)})
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=list(PREMIUM_COLUMNS))
    out["is_computable"] = out["premium"].notna()
    out["reason"] = out["reason"].astype("string")
    return out[list(PREMIUM_COLUMNS)]


PATH_COLUMNS = ("role_id", "work_year", "premium", "premium_ci95_low", "premium_ci95_high",
                "n_role", "n_baseline", "levels_used", "is_computable", "reason")


def premium_path(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """Each role's premium over the history baseline, year by year, within experience level.

    The history baseline is a set of non-AI data roles present in every work year (Software
    Engineer appears only in recent years). Each year compares the role with the baseline
    inside each experience level that has min_n postings on both sides, weighted by the
    role's own mix of levels that year. It measures an AI title's pay edge over a data title
    on one job board, which mixes scarcity with differences in the work itself.
    """
    a = _Arrays.of(units)
    a = a.subset((a.role >= 0) | a.history)
    rows = []
    for code in sorted({int(r) for r in np.unique(a.role) if r >= 0}, key=lambda r: a.roles[r]):
        for year in sorted(int(y) for y in np.unique(a.year[a.role == code])):
            in_year = a.year == year
            base = a.history & in_year
            base_level = {int(k[0]): _median_and_se(a.pay[i])
                          for k, i in a.split([a.level], base).items()}
            x = _mix_adjusted(a, (a.role == code) & in_year, base_level, int(base.sum()), min_n)
            levels = sum(1 for lv in np.unique(a.level[(a.role == code) & in_year])
                         if base_level.get(int(lv), (0, 0, 0))[2] >= min_n
                         and int(((a.role == code) & in_year & (a.level == lv)).sum()) >= min_n)
            rows.append({"role_id": a.roles[code], "work_year": year, "levels_used": levels,
                         **{k: x[k] for k in ("premium", "premium_ci95_low",
                                              "premium_ci95_high", "n_role", "n_baseline",
                                              "reason")}})
    out = pd.DataFrame(rows, columns=[c for c in PATH_COLUMNS if c != "is_computable"])
    out["is_computable"] = out["premium"].notna()
    return out[list(PATH_COLUMNS)]


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
    a = _Arrays.of(units)
    a = a.subset(a.role >= 0)
    rows = []
    for code in sorted({int(r) for r in np.unique(a.role) if r >= 0}, key=lambda r: a.roles[r]):
        is_role = a.role == code
        cells: dict[int, dict[tuple, tuple[float, float, int]]] = {}
        for (year, level, country), idx in a.split([a.year, a.level, a.country],
                                                   is_role).items():
            med, se, n = _median_and_se(a.pay[idx])
            cells.setdefault(year, {})[(level, country)] = (med, se, n)
        years = sorted(cells)
        medians = {y: float(np.median(a.pay[is_role & (a.year == y)])) for y in years}
        for prev, year in itertools.pairwise(years):
            changes, weights, ses = [], [], []
            for key in sorted(set(cells[prev]) & set(cells[year])):
                (m0, s0, n0), (m1, s1, n1) = cells[prev][key], cells[year][key]
                if n0 >= min_cell and n1 >= min_cell:
                    changes.append(m1 / m0 - 1)
                    weights.append(min(n0, n1))
                    se = math.hypot(s0, s1)
                    ses.append((m1 / m0) * se if not math.isnan(se) else 0.0)
            raw = medians[year] / medians[prev] - 1
            like, lo, hi = math.nan, math.nan, math.nan
            if weights:
                w = np.array(weights, float) / sum(weights)
                like = float((w * np.array(changes)).sum())
                se = float(math.sqrt(((w * np.array(ses)) ** 2).sum()))
                lo, hi = like - Z95 * se, like + Z95 * se
            rows.append({"role_id": a.roles[code], "work_year": year,
                         "n_postings": sum(n for _, _, n in cells[year].values()),
                         "raw_median_usd": medians[year], "raw_change": raw,
                         "like_for_like_change": like, "like_for_like_ci95_low": lo,
                         "like_for_like_ci95_high": hi, "cells_matched": len(weights),
                         "postings_matched": int(sum(weights)),
                         "signs_disagree": bool(weights) and (raw > 0) != (like > 0)})
    return pd.DataFrame(rows, columns=list(YOY_COLUMNS))


def region_table(units: pd.DataFrame, min_n: int = 30, mask: np.ndarray | None = None,
                 ) -> pd.DataFrame:
    """Median pay of the AI roles per company country over the US median, with intervals
    (over the lines where `mask` holds, all by default)."""
    cols = ["country", "n_postings", "median_usd", "median_ci95_low_usd", "median_ci95_high_usd",
            "ratio_to_us", "reliability"]
    a = _Arrays.of(units)
    stats = {}
    keep = a.role >= 0 if mask is None else (a.role >= 0) & mask
    for (country,), idx in a.split([a.country], keep).items():
        values = np.sort(a.pay[idx])
        lo, hi = quantile_interval(values, 0.5)
        med = float(np.median(values))
        stats[a.countries[country]] = (len(values), med, lo, hi, reliability(
            len(values), cv_from_interval(med, lo, hi), min_n)[0])
    if "US" not in stats:
        return pd.DataFrame(columns=cols)
    us = stats["US"][1]
    return pd.DataFrame([{"country": c, "n_postings": s[0], "median_usd": s[1],
                          "median_ci95_low_usd": s[2], "median_ci95_high_usd": s[3],
                          "ratio_to_us": s[1] / us, "reliability": s[4]}
                         for c, s in stats.items()], columns=cols)


def entry_share(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """Share of entry-level (EN) postings per AI role and year: a proxy, not hiring data."""
    a = _Arrays.of(units)
    entry = a.level == (a.levels.index("EN") if "EN" in a.levels else -2)
    rows = []
    for (role, year), idx in a.split([a.role, a.year], a.role >= 0).items():
        n, n_entry = len(idx), int(entry[idx].sum())
        rows.append({"role_id": a.roles[role], "work_year": year, "n_postings": n,
                     "n_entry": n_entry, "entry_share": n_entry / n,
                     "is_reportable": n >= min_n})
    return pd.DataFrame(rows, columns=["role_id", "work_year", "n_postings", "n_entry",
                                       "entry_share", "is_reportable"])


def posting_mix(units: pd.DataFrame, baseline_label: str, unmapped_label: str) -> pd.DataFrame:
    """Postings and rows per role per year (counts on one job board, not job growth)."""
    a = _Arrays.of(units)
    # role codes shifted by 2: 0 = every other unmapped title, 1 = baseline titles, 2+ roles
    label = np.where(a.role >= 0, a.role + 2, np.where(a.base, 1, 0))
    names = [unmapped_label, baseline_label, *a.roles]
    rows = []
    if len(label):
        first = int(a.year.min())
        key = (a.year.astype(np.int64) - first) * (len(names)) + label
        postings = np.bincount(key)
        n_rows = np.bincount(key, weights=a.n_rows)
        for k in np.flatnonzero(postings):
            rows.append({"role_id": names[k % len(names)], "work_year": first + k // len(names),
                         "postings": int(postings[k]), "rows": int(n_rows[k])})
    out = pd.DataFrame(rows, columns=["role_id", "work_year", "postings", "rows"])
    out["role_id"] = out["role_id"].astype("string")
    return out.sort_values(["role_id", "work_year"]).reset_index(drop=True)
