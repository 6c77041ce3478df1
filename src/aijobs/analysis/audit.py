"""The claims audit: every numeric claim of the article against the survey, with a verdict.

Verdicts: supported, partly supported, not supported, borderline, no data. Each row states
its claim kind, the rule that gave its verdict, the direction of any miss, and the population
mismatch (the article quotes tech-hub averages; the survey is one job board's postings).

The rules are built so that a verdict never flips on a change smaller than the evidence's own
95% interval: a verdict is computed at every end of the intervals involved, and when those
disagree the claim is "borderline" and the row says between which verdicts. Claims the survey
cannot speak to (growth rates, how fast skills date, how long learning takes) get "no data"
with the reason, rather than a stretched proxy.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from aijobs.formatting import money_k

VERDICTS = ("supported", "partly supported", "not supported", "borderline", "no data")
KINDS = ("pay band", "open-ended top", "pay ranking", "growth", "skills", "learning")
TOLERANCE = 0.15
BAND_RULE = (
    "Each end of the claimed band is compared with the survey's typical posted range: the low "
    "end with the median advertised minimum, the high end with the median advertised maximum. "
    "An end is off when it differs by 15% or more. Supported: neither end is off. Partly "
    "supported: one end is off, or both are but the survey's median posting lies inside the "
    "band. Not supported: both ends off and the median posting outside the band. Borderline: "
    "the verdict changes somewhere inside the 95% intervals of those medians. No data: fewer "
    "than min_n postings or no interval.")
OPEN_TOP_RULE = (
    "Supported when the 95% interval of the survey's 90th percentile lies wholly above the "
    "claimed top (one posting in ten pays more); not supported when it lies wholly below; "
    "borderline when it contains the top.")
RANKING_RULE = (
    "Roles in the article's order by band midpoint; each neighbouring pair is compared by the "
    "survey medians' 95% intervals: agrees when the intervals are apart in the article's "
    "order, contradicts when they are apart the other way, too close to tell when they "
    "overlap. Supported: every pair agrees. Not supported: any pair contradicts. Borderline: "
    "the rest. Only roles with a reliable or use-with-caution median take part.")
SAME_QUANTITY_RULE = "a verdict needs evidence on the same quantity"
NO_SURVEY = {
    "growth": "The survey records salaries, not openings; its posting counts on one job board "
              "are not job growth, so it cannot test a growth rate.",
    "skills": "No salary survey measures how fast skills go out of date.",
    "learning": "The survey does not record how long anyone studied before a first role.",
}
COLUMNS = ("kind", "claim", "source_section", "evidence", "verdict", "direction", "population",
           "rule", "verdict_other_repeats", "flips_with_repeats")


def _end_off(claimed: float, survey: float) -> bool:
    return abs(claimed / survey - 1) >= TOLERANCE


def _possible_off(claimed: float, value: float, low: float, high: float) -> set[bool]:
    """Whether the end can be off (and/or within) for a survey value anywhere in [low, high]."""
    if math.isnan(low) or math.isnan(high):
        return {_end_off(claimed, value)}
    found = {_end_off(claimed, low), _end_off(claimed, high), _end_off(claimed, value)}
    # the "within" zone is an interval of survey values: [claimed/1.15, claimed/0.85]
    for edge in (claimed / (1 + TOLERANCE), claimed / (1 - TOLERANCE)):
        if low <= edge <= high:
            found |= {True, False}
    return found


def _band_outcome(off_low: bool, off_high: bool, median_inside: bool) -> str:
    if not off_low and not off_high:
        return "supported"
    if off_low != off_high or median_inside:
        return "partly supported"
    return "not supported"


def band_verdict(low: float, high: float, min_med: float, min_ci: tuple[float, float],
                 max_med: float, max_ci: tuple[float, float], mid_med: float,
                 mid_ci: tuple[float, float]) -> tuple[str, str]:
    """(verdict, direction) of a claimed band against the typical posted range.

    min_med / max_med: medians of the postings' advertised minimum and maximum, with their
    95% intervals; mid_med: median of the measured pay (midpoints by default), with interval.
    """
    lows = _possible_off(low, min_med, *min_ci)
    highs = _possible_off(high, max_med, *max_ci)
    inside = set()
    for v in (mid_med, *mid_ci):
        if not math.isnan(v):
            inside.add(low <= v <= high)
    if not math.isnan(mid_ci[0]) and (mid_ci[0] <= low <= mid_ci[1]
                                      or mid_ci[0] <= high <= mid_ci[1]):
        inside |= {True, False}
    outcomes = {_band_outcome(a, b, c) for a, b, c in itertools.product(lows, highs, inside)}
    parts = []
    for name, claimed, survey in (("low end", low, min_med), ("high end", high, max_med)):
        gap = claimed / survey - 1
        if abs(gap) >= TOLERANCE:
            parts.append(f"{name} {abs(gap):.0%} {'above' if gap > 0 else 'below'} the survey")
    direction = "; ".join(parts) or "both ends within 15%"
    if len(outcomes) > 1:
        order = [v for v in VERDICTS if v in outcomes]
        return f"borderline ({' / '.join(order)})", direction
    return outcomes.pop(), direction


def open_top_verdict(top: float, p90: float, p90_ci: tuple[float, float]) -> str:
    lo, hi = p90_ci
    if math.isnan(lo):
        return "supported" if p90 > top else "not supported"
    if lo > top:
        return "supported"
    if hi < top:
        return "not supported"
    return "borderline (supported / not supported)"


def ranking_pairs(bands: pd.DataFrame, role_pay: pd.DataFrame) -> pd.DataFrame:
    """Neighbouring roles in the article's pay order with the survey's view of each pair."""
    pay = role_pay[role_pay["reliability"] != "suppressed"].set_index("role_id")
    ranked = bands[bands["role_id"].isin(pay.index)].copy()
    ranked["claimed_mid"] = (ranked["salary_low_usd"] + ranked["salary_high_usd"]) / 2
    ranked = ranked.sort_values("claimed_mid", ascending=False, kind="stable")
    rows = []
    for (_, a), (_, b) in itertools.pairwise(ranked.iterrows()):
        sa, sb = pay.loc[a["role_id"]], pay.loc[b["role_id"]]
        if sa["p50_ci95_low_usd"] > sb["p50_ci95_high_usd"]:
            outcome = "agrees"
        elif sa["p50_ci95_high_usd"] < sb["p50_ci95_low_usd"]:
            outcome = "contradicts"
        else:
            outcome = "too close to tell"
        rows.append({"higher_in_article": a["role_name"], "lower_in_article": b["role_name"],
                     "claimed_mid_higher_usd": a["claimed_mid"],
                     "claimed_mid_lower_usd": b["claimed_mid"],
                     "survey_median_higher_usd": sa["p50_usd"],
                     "survey_median_lower_usd": sb["p50_usd"],
                     "survey_interval_higher": f"{money_k(sa['p50_ci95_low_usd'])}-"
                                               f"{money_k(sa['p50_ci95_high_usd'])}",
                     "survey_interval_lower": f"{money_k(sb['p50_ci95_low_usd'])}-"
                                              f"{money_k(sb['p50_ci95_high_usd'])}",
                     "survey_says": outcome})
    return pd.DataFrame(rows, columns=["higher_in_article", "lower_in_article",
                                       "claimed_mid_higher_usd", "claimed_mid_lower_usd",
                                       "survey_median_higher_usd", "survey_median_lower_usd",
                                       "survey_interval_higher", "survey_interval_lower",
                                       "survey_says"])


def ranking_verdict(pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return "no data"
    says = set(pairs["survey_says"])
    if "contradicts" in says:
        return "not supported"
    if says == {"agrees"}:
        return "supported"
    return "borderline"


def _pay_rows(bands: pd.DataFrame, role_pay: pd.DataFrame, min_n: int) -> list[dict]:
    pct = role_pay.set_index("role_id")
    rows = []
    for _, b in bands.iterrows():
        claim = (f"{b['role_name']}: {money_k(b['salary_low_usd'])}-"
                 f"{money_k(b['salary_high_usd'])}{'+' if b['is_open_ended'] else ''} a year "
                 "(tech-hub average)")
        section = b["source_section"]
        top = (f"{b['role_name']}: pay can exceed {money_k(b['salary_high_usd'])} "
               "(the '+' on the band)")
        missing = None
        if b["role_id"] not in pct.index:
            missing = "no title in the file maps to this role"
        elif pct.loc[b["role_id"], "reliability"] == "suppressed":
            s = pct.loc[b["role_id"]]
            missing = f"n {int(s['n_postings']):,} postings: {s['reliability_reason']}"
        if missing:
            rows.append(_row("pay band", claim, section, missing, "no data", "", BAND_RULE))
            if b["is_open_ended"]:
                rows.append(_row("open-ended top", top, section, missing, "no data", "",
                                 OPEN_TOP_RULE))
            continue
        s = pct.loc[b["role_id"]]
        n = int(s["n_postings"])
        shown = (f"n {n:,} postings; typical posted range {money_k(s['median_range_min_usd'])}"
                 f" (95% CI {_ci(s, 'median_range_min')}) to "
                 f"{money_k(s['median_range_max_usd'])} (95% CI {_ci(s, 'median_range_max')}); "
                 f"median posting {money_k(s['p50_usd'])} (95% CI {_ci(s, 'p50')}), middle "
                 f"half {money_k(s['p25_usd'])}-{money_k(s['p75_usd'])}")
        if s["reliability"] == "use with caution":
            shown += " (use with caution)"
        verdict, direction = band_verdict(
            b["salary_low_usd"], b["salary_high_usd"],
            s["median_range_min_usd"], _pair(s, "median_range_min"),
            s["median_range_max_usd"], _pair(s, "median_range_max"),
            s["p50_usd"], _pair(s, "p50"))
        rows.append(_row("pay band", claim, section, shown, verdict, direction, BAND_RULE))
        if b["is_open_ended"]:
            rows.append(_row("open-ended top", top, section,
                             f"n {n:,} postings; p90 {money_k(s['p90_usd'])} (95% CI "
                             f"{_ci(s, 'p90')})",
                             open_top_verdict(b["salary_high_usd"], s["p90_usd"],
                                              _pair(s, "p90")), "", OPEN_TOP_RULE))
    pairs = ranking_pairs(bands, role_pay)
    order = " > ".join(bands.assign(m=bands["salary_low_usd"] + bands["salary_high_usd"])
                       .sort_values("m", ascending=False, kind="stable")["role_name"])
    counts = pairs["survey_says"].value_counts()
    rows.append(_row("pay ranking", f"Roles ranked by pay: {order}",
                     str(bands["source_section"].iloc[0]) if len(bands) else "",
                     f"{len(pairs)} neighbouring pairs with reliable medians: "
                     + ", ".join(f"{int(counts.get(k, 0))} {k}" for k in
                                 ("agrees", "contradicts", "too close to tell")),
                     ranking_verdict(pairs), "", RANKING_RULE))
    return rows


def _pair(s: pd.Series, name: str) -> tuple[float, float]:
    lo, hi = s.get(f"{name}_ci95_low_usd"), s.get(f"{name}_ci95_high_usd")
    return (float(lo) if pd.notna(lo) else math.nan, float(hi) if pd.notna(hi) else math.nan)


def _ci(s: pd.Series, name: str) -> str:
    lo, hi = _pair(s, name)
    return "n/a" if math.isnan(lo) else f"{money_k(lo)}-{money_k(hi)}"


def claims_audit(bands: pd.DataFrame, role_pay: pd.DataFrame, growth: pd.DataFrame,
                 claims: pd.DataFrame, steps: pd.DataFrame, *, evidence_text: str,
                 population: str, min_n: int, role_pay_other: pd.DataFrame | None = None,
                 ) -> pd.DataFrame:
    """One row per numeric claim: kind, claim, section, evidence, verdict, direction,
    population, rule; and the verdict under the other repeats policy (role_pay_other).

    `bands` has role_id, role_name, salary_low_usd, salary_high_usd, is_open_ended,
    source_section; `role_pay` is the survey's per-role percentile table for the slice.
    """
    rows = _pay_rows(bands, role_pay, min_n)
    if role_pay_other is not None:
        other = _pay_rows(bands, role_pay_other, min_n)
        for r, o in zip(rows, other, strict=True):
            r["verdict_other_repeats"] = o["verdict"]
            r["flips_with_repeats"] = o["verdict"] != r["verdict"]
    for r in rows:
        r["population"] = population
    for _, g in growth.iterrows():
        rows.append(_row("growth", f"{g['role_name']}: +{g['growth_pct']:g}% growth (period "
                         "not stated)", g["source_section"], NO_SURVEY["growth"], "no data", "",
                         SAME_QUANTITY_RULE))
    for _, c in claims[claims["is_quantified"]].iterrows():
        rows.append(_row("skills", f"{c['claim_label']}: {c['value']:g} {c['unit']}",
                         c["source_section"], NO_SURVEY["skills"], "no data", "",
                         SAME_QUANTITY_RULE))
    for _, st in steps[steps["step_kind"] == "timed"].iterrows():
        rows.append(_row("learning", f"{st['step_label']}: {st['duration_months_min']:g}-"
                         f"{st['duration_months_max']:g} months", st["source_section"],
                         NO_SURVEY["learning"], "no data", "", SAME_QUANTITY_RULE))
    out = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    out["verdict_other_repeats"] = out["verdict_other_repeats"].fillna(out["verdict"])
    out["flips_with_repeats"] = out["flips_with_repeats"].fillna(False).astype(bool)
    out["population"] = out["population"].fillna("-")
    out.attrs["evidence"] = evidence_text
    return out


def verdict_family(verdict: str) -> str:
    """The verdict without its borderline detail: one of VERDICTS."""
    return "borderline" if verdict.startswith("borderline") else verdict


def _row(kind: str, claim: str, section: str, evidence: str, verdict: str, direction: str,
         rule: str) -> dict:
    if kind not in KINDS or verdict_family(verdict) not in VERDICTS:
        raise ValueError(f"audit row: kind {kind!r} / verdict {verdict!r} not recognised")
    return {"kind": kind, "claim": claim, "source_section": section, "evidence": evidence,
            "verdict": verdict, "direction": direction, "rule": rule}


def title_sensitivity(bands: pd.DataFrame, sensitivity: pd.DataFrame) -> pd.DataFrame:
    """Each contested title: its role's median and band verdict with and without it."""
    rows = []
    band = bands.set_index("role_id")
    for title, g in sensitivity.groupby("job_title", sort=True):
        both = g.set_index("variant")
        if not {"with", "without"} <= set(both.index):
            continue
        role = both.loc["with", "role_id"]
        row = {"job_title": title, "role_id": role}
        for variant in ("with", "without"):
            s = both.loc[variant]
            row[f"n_{variant}"] = int(s["n_postings"])
            row[f"median_{variant}_usd"] = s["p50_usd"]
            if role not in band.index or s["reliability"] == "suppressed":
                row[f"verdict_{variant}"] = "no data"
                continue
            b = band.loc[role]
            row[f"verdict_{variant}"] = band_verdict(
                b["salary_low_usd"], b["salary_high_usd"], s["median_range_min_usd"],
                _pair(s, "median_range_min"), s["median_range_max_usd"],
                _pair(s, "median_range_max"), s["p50_usd"], _pair(s, "p50"))[0]
        row["verdict_changes"] = row["verdict_with"] != row["verdict_without"]
        rows.append(row)
    return pd.DataFrame(rows, columns=["job_title", "role_id", "n_with", "median_with_usd",
                                       "verdict_with", "n_without", "median_without_usd",
                                       "verdict_without", "verdict_changes"])
