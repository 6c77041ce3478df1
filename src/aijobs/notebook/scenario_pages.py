"""What a scenario page says about its numbers: every sentence here is built from the values
of a ScenarioResult (aijobs.analysis.scenarios.run_scenario), so it changes when they do."""

from __future__ import annotations

import math

import pandas as pd

from aijobs.analysis import audit
from aijobs.analysis.scenario_settings import number_or_none
from aijobs.analysis.scenarios import PremiumChoice, ScenarioResult

MODE_TEXT = {"rate": "a share of the premium goes each year",
             "supply_demand": "the premium follows demand against supply"}

MEASURE_TEXT = {
    "ai_skill_within_occupation": "AI skills inside the same occupation, across the economy",
    "ai_title_vs_baseline_title": "an AI job title against Software Engineer, on one AI job board",
}


def headline(split: pd.DataFrame, horizon: int) -> str:
    """One sentence that keeps the scenario's effect apart from market wage growth."""
    if split.empty:
        return "No role to project."
    change = float(split["premium_change_usd"].mean())
    wages = float(split["wage_growth_adds_usd"].mean())
    if round(change) == 0:
        effect = "the premium's change leaves the average role's midpoint where wages take it"
    elif change < 0:
        effect = f"the premium's change removes ${-change:,.0f} from the average role's midpoint"
    else:
        effect = f"the premium's change adds ${change:,.0f} to the average role's midpoint"
    wage_verb = "adds" if wages >= 0 else "removes"
    return f"By year {horizon}, {effect}; market wage growth {wage_verb} ${abs(wages):,.0f}."


def premium_note(choice: PremiumChoice) -> str:
    """The sentence naming where the premiums come from."""
    if choice.estimate is None:
        if choice.source is None:
            return (f"no premium source given: every role takes the fallback "
                    f"{choice.fallback:.0%}, an assumption")
        return f"{number_or_none(choice.source):.0%} for every role (a number given)"
    e = choice.estimate
    origin = f"{e['publisher']}, {e['title']} ({e['data_years']})"
    return (f"{e['estimate_name']}: {MEASURE_TEXT.get(e['measures'], e['measures'])}; "
            f"{origin}; {e['source_url']}; read in: {e['read_in']}")


def _direction(today: float, horizon: float) -> str:
    if math.isclose(today, horizon, rel_tol=1e-9, abs_tol=1e-12):
        return "held at this premium"
    return "shrinks from this premium" if horizon < today else "grows from this premium"


def premium_status(result: ScenarioResult) -> pd.DataFrame:
    """One row per role: the estimate, the premium the model uses, and what happens to it, in
    words (a fallback is marked as an assumption)."""
    choice = result.premiums
    ends = result.split.set_index("role_id")
    rows = []
    for r in choice.table.itertuples():
        kind = r.kind
        if kind == "fallback":
            text = (f"no estimate for this role: the fallback {r.premium_used:.0%} is used "
                    "(an assumption)")
        elif kind == "not_positive":
            text = f"no premium to normalize (estimate {r.estimate:+.1%})"
        else:
            end = ends.loc[r.role_id]
            text = _direction(float(end["premium_today"]), float(end["premium_horizon"]))
            text += (f" ({r.premium_used:.1%} today, {float(end['premium_horizon']):.1%} in "
                     f"year {result.params.horizon_years})")
        rows.append({"role_id": r.role_id, "estimate": r.estimate,
                     "premium_used": r.premium_used, "is_assumption": kind == "fallback",
                     "status": text})
    out = pd.DataFrame(rows)
    names = result.bands[["role_id", "role_name"]]
    return out.merge(names, on="role_id", how="left")


START_TEXT = {
    "article": "the article's bands (tech-hub averages; the article gives no source, date or "
               "sample)",
    "survey": "the job board's typical posted range: the median advertised minimum to the "
              "median advertised maximum of aijobs.net postings, each advert counted once, "
              "with the median posting as the midpoint",
    "official": "official statistics: the 25th to 75th percentile of annual pay in each role's "
                "closest occupation (BLS OEWS), with the median as the midpoint",
}


def start_note(result: ScenarioResult) -> str:
    """The sentence saying where today's pay comes from, and which roles could not use it."""
    text = f"Today's pay comes from {START_TEXT[result.start_from]}"
    if result.start_from == "survey":
        text += f" ({result.inputs.evidence.provenance['filters_text']})"
    kept = result.bands[result.bands["start_used"] != result.start_from]
    if len(kept):
        text += ("; the article's band is kept for " + ", ".join(kept["role_name"])
                 + ", which the chosen source cannot speak to (see the table)")
    return text + "."


def _usd(v: float) -> str:
    return f"${v:,.0f}"


def start_cell(row: pd.Series) -> str:
    """Where one role's today comes from, in words."""
    reason = row["start_reason"]
    if row["start_used"] == "survey":
        return (f"job board: median posting {_usd(row['midpoint_usd'])} (95% interval "
                f"{_usd(row['midpoint_ci95_low_usd'])} to {_usd(row['midpoint_ci95_high_usd'])}"
                f"), {int(row['start_n']):,} adverts")
    if row["start_used"] == "official":
        return f"OEWS {row['start_label']}"
    if reason == "suppressed":
        return f"article's band (the job board has {row['start_label']})"
    if reason == "no_title":
        return "article's band (no job-board title maps to this role)"
    if reason == "no_occupation":
        return "article's band (no official occupation fits this role)"
    return "article's band"


def audit_cell(row: pd.Series) -> str:
    """The claims audit's verdict on the role's article band, in words (both repeats
    policies when they differ)."""
    verdict = row.get("verdict")
    if not isinstance(verdict, str):
        return "not audited"
    if verdict == "no data":
        return f"no data ({row['direction']})"
    text = verdict
    if audit.verdict_family(verdict) != "supported":
        text += f": {row['direction']}"
    if row.get("verdict_other") != verdict:
        text += f" (with repeated adverts kept: {row['verdict_other']})"
    return text


def split_table(result: ScenarioResult) -> pd.DataFrame:
    """The per-role split with where today comes from and the audit of the article's band."""
    bands = result.bands.set_index("role_id")
    audited = result.band_audit.set_index("role_id")
    out = result.split.copy()
    out["start_text"] = [start_cell(bands.loc[r]) for r in out["role_id"]]
    out["audit_text"] = [audit_cell(audited.loc[r]) if r in audited.index else "not audited"
                         for r in out["role_id"]]
    return out
