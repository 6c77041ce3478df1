"""Summaries of survey pay units (distinct adverts by default): percentiles with intervals and
a reliability grade, the AI premium against two baselines (raw and mix-adjusted), like-with-like
change over time, pay by country, entry-level shares and the posting mix.

Intervals respect repeated adverts. Identical postings (one advert posted many times, or many
openings at one employer: the file cannot tell) are one cluster, not independent draws. A
percentile's 95% interval is the distribution-free order-statistic interval (exact binomial
ranks) taken at the cell's effective number of independent adverts: n divided by the design
effect of the estimated distribution function at that percentile, with clusters = groups of
identical postings (Woodruff's 1952 route from a proportion's variance to a quantile's
interval, with the between-cluster variance of Kish's design effect). It is deterministic, needs
no seed, costs one pass over the cell, and is exactly the independent-postings interval when
no posting repeats. A cluster bootstrap was not chosen: a median's bootstrap distribution is
lumpy when a cluster holds a third of a cell, and hundreds of cells x four pay measures x two
repeats policies x 1,000 replicates would slow `make survey-derive` for no better answer.
A premium's interval combines the two medians' intervals on the log scale (each interval's
width gives a standard error; the two sides never share a cluster, since a cluster's postings
share title, level, year and country).

Reliability follows Statistics Canada's Quality Guidelines (5th edition, 2009) for the
coefficient of variation (CV) of an estimate: up to 16.5% is released as it is, 16.5% to
33.3% with a warning ("use with caution"), above 33.3% not released. The CV of a median is
taken from its cluster-aware 95% interval (half-width / 1.96 / median). Below `min_n`
distinct adverts a cell is suppressed whatever its interval. A cell where one advert (one
group of identical postings) is more than DOMINANCE_SHARE of the postings is "dominated by one
advert" and never graded reliable (the (n, k) dominance rule with n = 1, see DOMINANCE_RULE).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from aijobs.words import count

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
Z95 = 1.959963984540054
CV_CAUTION = 0.165
CV_SUPPRESS = 0.333
RELIABILITY = ("reliable", "use with caution", "suppressed")
DOMINANCE_SHARE = 0.20
RELIABILITY_RULE = (
    "Statistics Canada, Quality Guidelines (5th ed., 2009): an estimate whose coefficient of "
    "variation is at most 16.5% is released as it is, 16.5-33.3% with a warning, above 33.3% "
    "not released (thresholds as quoted in the documentation of the R package SAEval, "
    "cv_table). Here the CV of a median is its cluster-aware 95% interval's half-width / 1.96 "
    "/ median (groups of identical postings are clusters), a cell with fewer distinct "
    "adverts than the settings' fewest postings for a finding is suppressed, and a cell "
    "dominated by one advert is at best 'use with caution'.")
DOMINANCE_RULE = (
    "A cell where one advert (one group of identical postings) makes up more than 20% of the "
    "postings is flagged 'dominated by one advert' and never graded reliable. This is the "
    "(n, k) dominance rule statistical offices apply before publishing a cell (a cell is "
    "sensitive when its n largest contributors hold more than k% of its total; Federal "
    "Committee on Statistical Methodology, Statistical Policy Working Paper 22, 2nd ed. 2005; "
    "Hundepool et al., Statistical Disclosure Control, Wiley 2012, ch. 4), used here with n = 1 "
    "and k = 20 on counts of postings: there it protects a respondent, here it stops one advert "
    "from speaking for a role.")
INTERVAL_METHOD = (
    "95% intervals of percentiles are exact order-statistic intervals taken at the cell's "
    "effective number of independent adverts (postings / design effect, with groups of "
    "identical postings as clusters; Woodruff 1952, Kish 1965): deterministic, and the same as "
    "the independent-postings interval when nothing repeats. Premiums and changes combine such "
    "intervals on the log scale.")
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


def cluster_codes(clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per line 0..C-1, size per cluster) of a cell's cluster labels."""
    _, codes, sizes = np.unique(clusters, return_inverse=True, return_counts=True)
    return codes.reshape(-1), sizes


def design_effect(flag: np.ndarray, codes: np.ndarray, sizes: np.ndarray) -> float:
    """Design effect of a proportion (the mean of `flag`) when lines cluster by `codes`.

    Between-cluster variance of the ratio estimator, C/(C-1) sum_c (Z_c - p N_c)^2, over the
    same formula with every line its own cluster, n/(n-1) sum_i (z_i - p)^2; at least 1. With
    no variance at all (p 0 or 1) the conservative bound sum N_c^2 / n (Kish's design effect
    with intra-cluster correlation 1) is used. One line per cluster gives exactly 1.
    """
    n, c = len(flag), len(sizes)
    if c == n:
        return 1.0
    if c < 2:
        return float(n)
    z = flag.astype("float64")
    p = z.mean()
    between = c / (c - 1) * float(((np.bincount(codes, weights=z, minlength=c)
                                    - p * sizes) ** 2).sum())
    within = n / (n - 1) * float(((z - p) ** 2).sum())
    if within <= 0:
        return float((sizes.astype("float64") ** 2).sum() / n)
    return max(1.0, between / within)


def clustered_quantile_interval(values: np.ndarray, q: float, codes: np.ndarray | None = None,
                                sizes: np.ndarray | None = None, level: float = 0.95,
                                ) -> tuple[float, float]:
    """The q-quantile's 95% interval respecting clusters (see the module's notes).

    The exact order-statistic ranks for the effective sample size n' = floor(n / deff) are
    carried to the n postings' ranks (rank k of n' becomes k (n+1)/(n'+1), rounded outwards).
    Without clusters (codes None, or one line per cluster) it is quantile_interval.
    """
    values = np.sort(values) if codes is None else values
    order = None
    if codes is not None:
        order = np.argsort(values, kind="stable")
        values = values[order]
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    deff = 1.0
    if order is not None and codes is not None and sizes is not None and len(sizes) < n:
        estimate = np.quantile(values, q)
        deff = design_effect(values[np.argsort(order, kind="stable")] <= estimate, codes, sizes)
    n_eff = max(int(math.floor(n / deff + 1e-9)), 0)
    if n_eff == n:
        return quantile_interval(values, q, level)
    lo, hi = quantile_ci_ranks(n_eff, q, level)
    if lo == 0:
        return math.nan, math.nan
    scale = (n + 1) / (n_eff + 1)
    lo_n = max(1, math.floor(lo * scale))
    hi_n = min(n, math.ceil(hi * scale - 1e-9))
    return float(values[lo_n - 1]), float(values[hi_n - 1])


def clustered_share_interval(flag: np.ndarray, codes: np.ndarray, sizes: np.ndarray,
                             level: float = 0.95) -> tuple[float, float, float]:
    """(share, low, high): the share of lines where `flag` holds, with a Wilson score interval
    at the effective sample size n / design effect (clusters as in design_effect)."""
    n = len(flag)
    if n == 0:
        return math.nan, math.nan, math.nan
    p = float(flag.mean())
    n_eff = n / design_effect(flag, codes, sizes)
    z = special.ndtri(0.5 + level / 2)
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff ** 2))
    return p, max(0.0, centre - half), min(1.0, centre + half)


def cv_from_interval(estimate: float, low: float, high: float) -> float:
    """Coefficient of variation implied by a 95% interval (nan when there is none)."""
    if not (estimate > 0) or math.isnan(low) or math.isnan(high):
        return math.nan
    return (high - low) / (2 * Z95) / estimate


def _adverts(n: int) -> str:
    return count(n, "distinct advert")


def reliability(n: int, cv: float, min_n: int, top_share: float = 0.0, top_count: int = 0,
                n_postings: int | None = None) -> tuple[str, str]:
    """(grade, reason) by RELIABILITY_RULE and DOMINANCE_RULE; n counts distinct adverts,
    top_share is the largest advert's share of the cell's postings (top_count of them)."""
    if n < min_n:
        return "suppressed", f"{_adverts(n)}, under the minimum of {min_n}"
    if math.isnan(cv):
        return "suppressed", "too few adverts for a 95% interval"
    if cv > CV_SUPPRESS:
        return "suppressed", f"interval too wide (CV {cv:.0%} > 33.3%)"
    if top_share > DOMINANCE_SHARE:
        of = f" of {n_postings:,}" if n_postings else ""
        return "use with caution", (f"dominated by one advert: {top_count:,}{of} postings "
                                    f"({top_share:.0%}) are one advert; CV {cv:.1%}")
    if cv > CV_CAUTION:
        return "use with caution", f"CV {cv:.0%} is between 16.5% and 33.3%"
    return "reliable", f"CV {cv:.1%}"


def dominance(codes: np.ndarray, sizes: np.ndarray) -> tuple[int, float]:
    """(postings in the largest advert, its share of the cell)."""
    if not len(codes):
        return 0, 0.0
    top = int(sizes.max())
    return top, top / len(codes)


def group_stats(pay: np.ndarray, low: np.ndarray, high: np.ndarray, n_rows: int, min_n: int,
                advert: np.ndarray | None = None) -> dict:
    """One cell's row of the percentile table (PERCENTILE_COLUMNS); `advert` labels each
    line's group of identical postings (every line its own advert when None)."""
    n = len(pay)
    if advert is None:
        advert = np.arange(n)
    codes, sizes = cluster_codes(advert)
    out: dict = {"n_postings": n, "n_rows": int(n_rows), "n_adverts": len(sizes)}
    for q in QUANTILES:
        out[f"p{round(q * 100)}_usd"] = float(np.quantile(pay, q))
    for q in (0.5, 0.9):
        lo, hi = clustered_quantile_interval(pay, q, codes, sizes)
        out[f"p{round(q * 100)}_ci95_low_usd"], out[f"p{round(q * 100)}_ci95_high_usd"] = lo, hi
    for name, values in (("range_min", low), ("range_max", high)):
        out[f"median_{name}_usd"] = float(np.median(values))
        lo, hi = clustered_quantile_interval(values, 0.5, codes, sizes)
        out[f"median_{name}_ci95_low_usd"], out[f"median_{name}_ci95_high_usd"] = lo, hi
    cv = cv_from_interval(out["p50_usd"], out["p50_ci95_low_usd"], out["p50_ci95_high_usd"])
    top, share = dominance(codes, sizes)
    out["cv_p50"] = cv
    out["top_advert_share"] = share
    out["is_dominated"] = share > DOMINANCE_SHARE
    out["reliability"], out["reliability_reason"] = reliability(len(sizes), cv, min_n, share,
                                                                top, n)
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
    advert: np.ndarray  # group of identical postings (the cluster)

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
                   if "is_history_baseline" in units else np.zeros(len(units), dtype=bool),
                   units["advert_id"].to_numpy(dtype=np.int64) if "advert_id" in units
                   else np.arange(len(units), dtype=np.int64))

    def subset(self, mask: np.ndarray) -> _Arrays:
        """The same arrays for the rows where mask holds (category lists unchanged)."""
        return _Arrays(self.role[mask], self.roles, self.level[mask], self.levels,
                       self.country[mask], self.countries, self.year[mask], self.base[mask],
                       self.family[mask], self.pay[mask], self.low[mask], self.high[mask],
                       self.n_rows[mask], self.history[mask], self.advert[mask])

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
    "n_postings", "n_rows", "n_adverts", *(f"p{round(q * 100)}_usd" for q in QUANTILES),
    "p50_ci95_low_usd", "p50_ci95_high_usd", "p90_ci95_low_usd", "p90_ci95_high_usd",
    "median_range_min_usd", "median_range_min_ci95_low_usd", "median_range_min_ci95_high_usd",
    "median_range_max_usd", "median_range_max_ci95_low_usd", "median_range_max_ci95_high_usd",
    "cv_p50", "top_advert_share", "is_dominated", "reliability", "reliability_reason")


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
                                               a.n_rows[idx].sum(), min_n, a.advert[idx])})
    return pd.DataFrame(rows, columns=[*by, *PERCENTILE_COLUMNS])


def _log_se(median: float, low: float, high: float) -> float:
    if not (median > 0 and low > 0 and high > 0):
        return math.nan
    return (math.log(high) - math.log(low)) / (2 * Z95)


NONE = (math.nan, math.nan, 0, 0)


def _median_and_se(values: np.ndarray, advert: np.ndarray) -> tuple[float, float, int, int]:
    """(median, standard error of its log, postings, distinct adverts), cluster-aware."""
    if len(values) == 0:
        return NONE
    codes, sizes = cluster_codes(advert)
    med = float(np.median(values))
    lo, hi = clustered_quantile_interval(values, 0.5, codes, sizes)
    return med, _log_se(med, lo, hi), len(values), len(sizes)


def matched_years(units: pd.DataFrame | _Arrays, baseline: str = "software_engineer",
                  min_n: int = 30) -> list[int]:
    """Work years with at least min_n baseline postings."""
    a = units if isinstance(units, _Arrays) else _Arrays.of(units)
    flag = a.base if baseline == "software_engineer" else a.family
    years, counts = np.unique(a.year[flag], return_counts=True)
    return sorted(int(y) for y, c in zip(years, counts, strict=True) if c >= min_n)


def _ratio(role: tuple[float, float, int, int], base: tuple[float, float, int, int],
           min_n: int) -> dict:
    """The role's median over the baseline's, with its interval, from each side's
    _median_and_se; min_n applies to distinct adverts."""
    m_r, se_r, n_r, a_r = role
    m_b, se_b, n_b, a_b = base
    out: dict[str, Any] = {
           "ai_median_usd": m_r, "baseline_median_usd": m_b, "n_role": n_r, "n_baseline": n_b,
           "n_role_adverts": a_r, "n_baseline_adverts": a_b,
           "premium": math.nan, "premium_ci95_low": math.nan, "premium_ci95_high": math.nan,
           "reason": None}
    if n_b == 0:
        out["reason"] = "no baseline postings to compare with"
    elif a_b < min_n:
        out["reason"] = f"only {_adverts(a_b)} on the baseline side (< {min_n})"
    elif a_r < min_n:
        out["reason"] = f"only {_adverts(a_r)} for the role (< {min_n})"
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
        x = _ratio(_median_and_se(a.pay[r], a.advert[r]), base_by_level.get(int(level), NONE),
                   min_n)
        if x["reason"] is None:
            parts.append(x)
            weights.append(int(r.sum()))
    n_role = int(role.sum())
    out: dict[str, Any] = {
           "ai_median_usd": math.nan, "baseline_median_usd": math.nan, "n_role": n_role,
           "n_baseline": n_base, "premium": math.nan, "premium_ci95_low": math.nan,
           "premium_ci95_high": math.nan, "reason": None}
    if not parts:
        out["reason"] = f"no experience level has {min_n} or more distinct adverts on both sides"
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
        base_all = _median_and_se(a.pay[base], a.advert[base])
        base_level = {int(k[0]): _median_and_se(a.pay[i], a.advert[i])
                      for k, i in a.split([a.level], base).items()}
        base_year = {int(k[0]): _median_and_se(a.pay[i], a.advert[i])
                     for k, i in a.split([a.year], flag).items()}
        for code in present:
            is_role = a.role == code
            r = pooled & is_role
            head = {"role_id": a.roles[code], "baseline": baseline}
            rows.append({**head, "group": "all", "group_value": "all",
                         **_ratio(_median_and_se(a.pay[r], a.advert[r]), base_all, min_n)})
            rows.append({**head, "group": "mix_adjusted", "group_value": "all",
                         **_mix_adjusted(a, r, base_level, base_all[2], min_n)})
            for level in np.unique(a.level[r]):
                cell = r & (a.level == level)
                rows.append({**head, "group": "experience_level",
                             "group_value": a.levels[level],
                             **_ratio(_median_and_se(a.pay[cell], a.advert[cell]),
                                      base_level.get(int(level), NONE), min_n)})
            for year in np.unique(a.year[is_role]):
                cell = is_role & (a.year == year)
                rows.append({**head, "group": "work_year", "group_value": str(int(year)),
                             **_ratio(_median_and_se(a.pay[cell], a.advert[cell]),
                                      base_year.get(int(year), NONE), min_n)})
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=list(PREMIUM_COLUMNS))
    out["is_computable"] = out["premium"].notna()
    out["reason"] = out["reason"].astype("string")
    return out[list(PREMIUM_COLUMNS)]


PATH_COLUMNS = ("role_id", "work_year", "premium", "premium_ci95_low", "premium_ci95_high",
                "n_role", "n_baseline", "levels_used", "is_computable", "reason", "weights")
WEIGHT_FLOOR = 0.10


def _fixed_weights(codes: np.ndarray, advert: np.ndarray) -> dict[int, float]:
    """Each code's share of distinct adverts (pooled over years), over the codes holding at
    least WEIGHT_FLOOR of them, normalised to 1."""
    shares: dict[int, float] = {}
    if not len(codes):
        return shares
    for code in np.unique(codes):
        shares[int(code)] = float(len(np.unique(advert[codes == code])))
    total = sum(shares.values())
    kept = {c: v for c, v in shares.items() if v / total >= WEIGHT_FLOOR}
    kept_total = sum(kept.values())
    return {c: v / kept_total for c, v in kept.items()}


def premium_path(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """Each role's premium over the history baseline, year by year, like for like.

    The history baseline is a set of non-AI data titles present in every work year (Software
    Engineer appears only in recent years). Weights are fixed across years so that a change of
    mix cannot move the premium: the role's experience levels weighted by its distinct adverts
    pooled over every year, and the baseline's titles likewise (a level or title under 10% of
    the adverts is left out of the weights). A year's premium is sum over levels l and titles t
    of w_l v_t (median_role(l) / median_t(l)) - 1; it is computed only when every weighted
    level has min_n distinct adverts of the role and every weighted title min_n at that level,
    so every computed year is like for like with every other. It measures an AI title's pay
    edge over data titles on one job board, which mixes scarcity with the work itself.
    """
    a = _Arrays.of(units)
    keep = (a.role >= 0) | a.history
    a = a.subset(keep)
    titles = units["job_title"].astype("category")
    title_names = [str(c) for c in titles.cat.categories]
    title = titles.cat.codes.to_numpy()[keep]
    base_w = _fixed_weights(title[a.history], a.advert[a.history])
    rows = []
    for code in sorted({int(r) for r in np.unique(a.role) if r >= 0}, key=lambda r: a.roles[r]):
        is_role = a.role == code
        level_w = _fixed_weights(a.level[is_role], a.advert[is_role])
        weights = ("levels " + ", ".join(f"{a.levels[lv]} {w:.0%}" for lv, w in
                                         sorted(level_w.items(), key=lambda x: -x[1]))
                   + "; baseline " + ", ".join(f"{title_names[t]} {w:.0%}" for t, w in
                                               sorted(base_w.items(), key=lambda x: -x[1])))
        for year in sorted(int(y) for y in np.unique(a.year[is_role])):
            in_year = a.year == year
            role_year = is_role & in_year & np.isin(a.level, list(level_w))
            base_year = a.history & in_year & np.isin(a.level, list(level_w)) \
                & np.isin(title, list(base_w))
            row = {"role_id": a.roles[code], "work_year": year, "levels_used": len(level_w),
                   "premium": math.nan, "premium_ci95_low": math.nan,
                   "premium_ci95_high": math.nan, "n_role": int(role_year.sum()),
                   "n_baseline": int(base_year.sum()), "reason": None, "weights": weights}
            if not base_w:
                row["reason"] = "no history-baseline postings"
                rows.append(row)
                continue
            total, var, short = 0.0, 0.0, []
            for lv, wl in level_w.items():
                r = role_year & (a.level == lv)
                m_r, se_r, _, n_r = _median_and_se(a.pay[r], a.advert[r])
                if n_r < min_n:
                    short.append(f"level {a.levels[lv]}: {_adverts(n_r)} of the role")
                    continue
                inner, base_var = 0.0, 0.0
                for t, vt in base_w.items():
                    b = base_year & (a.level == lv) & (title == t)
                    m_b, se_b, _, n_b = _median_and_se(a.pay[b], a.advert[b])
                    if n_b < min_n:
                        short.append(f"level {a.levels[lv]}: {_adverts(n_b)} of "
                                     f"{title_names[t]}")
                        continue
                    inner += vt * m_r / m_b
                    base_var += (vt * m_r / m_b * se_b) ** 2
                total += wl * inner
                var += wl ** 2 * (inner ** 2 * se_r ** 2 + base_var)
            if short:
                row["reason"] = (f"not like for like: {'; '.join(short)} that year "
                                 f"(< {min_n})")
            elif not all(math.isfinite(v) for v in (total, var)):
                row["reason"] = "too few adverts for an interval"
            else:
                se = math.sqrt(var)
                row.update(premium=total - 1, premium_ci95_low=total - 1 - Z95 * se,
                           premium_ci95_high=total - 1 + Z95 * se)
            rows.append(row)
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
        adverts: dict[int, dict[tuple, int]] = {}
        for (year, level, country), idx in a.split([a.year, a.level, a.country],
                                                   is_role).items():
            med, se, _, n = _median_and_se(a.pay[idx], a.advert[idx])
            cells.setdefault(year, {})[(level, country)] = (med, se, len(idx))
            adverts.setdefault(year, {})[(level, country)] = n
        years = sorted(cells)
        medians = {y: float(np.median(a.pay[is_role & (a.year == y)])) for y in years}
        for prev, year in itertools.pairwise(years):
            changes, weights, ses = [], [], []
            for key in sorted(set(cells[prev]) & set(cells[year])):
                (m0, s0, n0), (m1, s1, n1) = cells[prev][key], cells[year][key]
                if min(adverts[prev][key], adverts[year][key]) >= min_cell:
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
        values = a.pay[idx]
        codes, sizes = cluster_codes(a.advert[idx])
        lo, hi = clustered_quantile_interval(values, 0.5, codes, sizes)
        med = float(np.median(values))
        top, share = dominance(codes, sizes)
        stats[a.countries[country]] = (len(values), med, lo, hi, reliability(
            len(sizes), cv_from_interval(med, lo, hi), min_n, share, top, len(values))[0])
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


# The slices a reader can pick on a page (survey_evidence's slice switch): every combination of
# role, experience level, company country and work year that holds postings, each dimension
# also taken whole ("all"). SLICE_QUANTILES are the percentiles kept for "where does my salary
# fall?" (a typed salary is placed between two of them), each with its cluster-aware interval.
SLICE_ALL = "all"
SLICE_KEYS = ("role_id", "experience_level", "company_location", "work_year")
SLICE_QUANTILES = (0.10, 0.20, 0.25, 0.30, 0.40, 0.50, 0.60, 0.70, 0.75, 0.80, 0.90)
SLICE_COLUMNS = (
    *SLICE_KEYS, "n_postings", "n_adverts",
    *(f"p{round(q * 100)}_usd" for q in SLICE_QUANTILES),
    *(f"p{round(q * 100)}_ci95_{end}_usd" for q in SLICE_QUANTILES for end in ("low", "high")),
    "cv_p50", "top_advert_share", "is_dominated", "reliability", "reliability_reason")


def slice_table(units: pd.DataFrame, min_n: int = 30) -> pd.DataFrame:
    """One row per slice of the AI roles' postings that holds any (SLICE_KEYS; "all" where a
    key is taken whole): n, the slice's grade and dominance flag exactly as group_stats gives
    them, and SLICE_QUANTILES of pay with their cluster-aware 95% intervals.

    A suppressed slice keeps its n and the reason, and no percentile (nan): too small to
    report is not a number. The median and its interval are group_stats' own.
    """
    a = _Arrays.of(units)
    a = a.subset(a.role >= 0)
    dims = ((a.role, a.roles), (a.level, a.levels), (a.country, a.countries),
            (a.year, None))
    rows = []
    for used in itertools.product((True, False), repeat=len(SLICE_KEYS)):
        keys = [d[0] for d, u in zip(dims, used, strict=True) if u]
        if not len(a.pay):
            break
        groups = a.split(keys) if keys else {(): np.arange(len(a.pay))}
        for key, idx in groups.items():
            values = iter(key)
            labels = {}
            for name, (_, names), u in zip(SLICE_KEYS, dims, used, strict=True):
                if not u:
                    labels[name] = SLICE_ALL
                else:
                    k = next(values)
                    labels[name] = str(int(k)) if names is None else names[k]
            stats = group_stats(a.pay[idx], a.low[idx], a.high[idx], int(a.n_rows[idx].sum()),
                                min_n, a.advert[idx])
            row = {**labels, **{c: stats[c] for c in (
                "n_postings", "n_adverts", "cv_p50", "top_advert_share", "is_dominated",
                "reliability", "reliability_reason")}}
            if stats["reliability"] != "suppressed":
                pay = a.pay[idx]
                codes, sizes = cluster_codes(a.advert[idx])
                for q in SLICE_QUANTILES:
                    name = f"p{round(q * 100)}"
                    if q == 0.5:  # the median and its interval as group_stats has them
                        row[f"{name}_usd"] = stats["p50_usd"]
                        lo, hi = stats["p50_ci95_low_usd"], stats["p50_ci95_high_usd"]
                    else:
                        row[f"{name}_usd"] = float(np.quantile(pay, q))
                        lo, hi = clustered_quantile_interval(pay, q, codes, sizes)
                    row[f"{name}_ci95_low_usd"], row[f"{name}_ci95_high_usd"] = lo, hi
            rows.append(row)
    return pd.DataFrame(rows, columns=list(SLICE_COLUMNS))
