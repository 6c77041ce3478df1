"""The claims audit: every numeric claim of the article against the survey, with a verdict.

Verdicts: supported, partly supported, not supported, no data. Each row states the rule that
gave its verdict. Claims the survey cannot speak to (growth rates, how fast skills date, how
long learning takes) get "no data" with the reason, rather than a stretched proxy.
"""

from __future__ import annotations

import pandas as pd

from aijobs.formatting import money_k

VERDICTS = ("supported", "partly supported", "not supported", "no data")
BAND_RULE = ("supported when the claimed range and the survey's p25-p75 overlap by at least "
             "half of each; partly supported when they overlap less; not supported when they "
             "do not overlap; no data under min_n responses")
OPEN_TOP_RULE = ("supported when the survey's p90 is above the claimed top (pay does run past "
                 "it); not supported otherwise")
NO_SURVEY = {
    "growth": "The survey records salaries, not openings; its response counts are not job "
              "growth, so it cannot test a growth rate.",
    "skills": "No salary survey measures how fast skills go out of date.",
    "learning": "The survey does not record how long anyone studied before a first role.",
}


def band_verdict(low: float, high: float, q25: float, q75: float) -> tuple[str, float]:
    """Verdict for a claimed band against the survey's interquartile range, and the overlap."""
    overlap = max(0.0, min(high, q75) - max(low, q25))
    if overlap <= 0:
        return "not supported", 0.0
    if overlap >= 0.5 * (high - low) and overlap >= 0.5 * (q75 - q25):
        return "supported", overlap
    return "partly supported", overlap


def claims_audit(bands: pd.DataFrame, percentiles: pd.DataFrame, growth: pd.DataFrame,
                 claims: pd.DataFrame, steps: pd.DataFrame, *, evidence_text: str,
                 min_n: int) -> pd.DataFrame:
    """One row per numeric claim: claim, section, evidence, verdict, rule.

    `bands` has role_id, role_name, salary_low_usd, salary_high_usd, is_open_ended,
    source_section; `percentiles` is the survey's per-role table (group "all").
    """
    pct = percentiles.set_index("role_id")
    rows = []
    for _, b in bands.iterrows():
        claim = (f"{b['role_name']}: {money_k(b['salary_low_usd'])}-"
                 f"{money_k(b['salary_high_usd'])}{'+' if b['is_open_ended'] else ''} a year "
                 "(tech-hub average)")
        if b["role_id"] not in pct.index:
            rows.append(_row(claim, b["source_section"], "no survey title maps to this role",
                             "no data", BAND_RULE))
            continue
        s = pct.loc[b["role_id"]]
        shown = (f"n {int(s['n']):,}; p10 {money_k(s['p10_usd'])}, p25 {money_k(s['p25_usd'])}"
                 f", p50 {money_k(s['p50_usd'])}, p75 {money_k(s['p75_usd'])}, p90 "
                 f"{money_k(s['p90_usd'])}")
        if not bool(s["is_reportable"]):
            rows.append(_row(claim, b["source_section"], f"{shown} (under {min_n} responses)",
                             "no data", BAND_RULE))
            continue
        verdict, overlap = band_verdict(b["salary_low_usd"], b["salary_high_usd"],
                                        s["p25_usd"], s["p75_usd"])
        rows.append(_row(claim, b["source_section"],
                         f"{shown}; overlap with p25-p75 {money_k(overlap)}", verdict,
                         BAND_RULE))
        if b["is_open_ended"]:
            top = (f"{b['role_name']}: pay can exceed {money_k(b['salary_high_usd'])} "
                   "(the '+' on the band)")
            verdict = "supported" if s["p90_usd"] > b["salary_high_usd"] else "not supported"
            rows.append(_row(top, b["source_section"], f"n {int(s['n']):,}; p90 "
                             f"{money_k(s['p90_usd'])}", verdict, OPEN_TOP_RULE))
    for _, g in growth.iterrows():
        rows.append(_row(f"{g['role_name']}: +{g['growth_pct']:g}% growth (period not stated)",
                         g["source_section"], NO_SURVEY["growth"], "no data",
                         "a verdict needs evidence on the same quantity"))
    for _, c in claims[claims["is_quantified"]].iterrows():
        rows.append(_row(f"{c['claim_label']}: {c['value']:g} {c['unit']}", c["source_section"],
                         NO_SURVEY["skills"], "no data",
                         "a verdict needs evidence on the same quantity"))
    for _, st in steps[steps["step_kind"] == "timed"].iterrows():
        rows.append(_row(f"{st['step_label']}: {st['duration_months_min']:g}-"
                         f"{st['duration_months_max']:g} months", st["source_section"],
                         NO_SURVEY["learning"], "no data",
                         "a verdict needs evidence on the same quantity"))
    out = pd.DataFrame(rows)
    out.attrs["evidence"] = evidence_text
    return out


def _row(claim: str, section: str, evidence: str, verdict: str, rule: str) -> dict:
    assert verdict in VERDICTS
    return {"claim": claim, "source_section": section, "evidence": evidence,
            "verdict": verdict, "rule": rule}
