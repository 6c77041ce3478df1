"""What a scenario page says about its numbers: every sentence here is built from the values
of a ScenarioResult (aijobs.analysis.scenarios.run_scenario), so it changes when they do."""

from __future__ import annotations

import math

import pandas as pd

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
