"""What a scenario page says about its numbers: every sentence here is built from the values
of a ScenarioResult (aijobs.analysis.scenarios.run_scenario), so it changes when they do."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aijobs.analysis import baselines, scenario_defaults
from aijobs.analysis.scenario_settings import number_or_none
from aijobs.analysis.scenarios import AverageMove, PremiumChoice, ScenarioResult, estimate_names
from aijobs.charts import finding_titles
from aijobs.charts.scenario_figures import range_percent
from aijobs.survey.evidence import with_role_names
from aijobs.words import capitalised, count, listing, percent_text, spelled, verb_for

MODE_TEXT = {"rate": "a share of the premium goes each year",
             "supply_demand": "the premium follows demand against supply"}

# The comparison page's note on its model (the scenario pages' Methods say it in full).
COMPARISON_METHOD = (
    "Every scenario uses the model its own page describes: pay is a baseline that grows with "
    "the market, times one plus a scarcity premium that either shrinks by a fixed share each "
    "year or follows demand against supply. The horizon here is common to all scenarios; "
    "everything else comes from each scenario's entry in the suite's report configuration.")

MEASURE_TEXT = {
    "ai_skill_within_occupation": "AI skills inside the same occupation, across the economy",
    "ai_title_vs_baseline_title": "an AI job title against Software Engineer, on one AI job board",
}


def headline(split: pd.DataFrame, horizon: int) -> str:
    """One sentence that keeps the scenario's effect apart from market wage growth, at the
    scenario's set values (the split is its single path, in nominal dollars)."""
    if split.empty:
        return "No role to project."
    change = float(split["premium_change_usd"].mean())
    wages = float(split["wage_growth_adds_usd"].mean())
    if round(change) == 0:
        effect = ("the premium's change leaves the average role's nominal midpoint where wages "
                  "take it")
    elif change < 0:
        effect = (f"the premium's change removes ${-change:,.0f} from the average role's "
                  "nominal midpoint")
    else:
        effect = f"the premium's change adds ${change:,.0f} to the average role's nominal midpoint"
    wage_verb = "adds" if wages >= 0 else "removes"
    return (f"At the scenario's set values, by year {horizon} {effect}; market wage growth "
            f"{wage_verb} ${abs(wages):,.0f}.")


def drawn_sentence(move: AverageMove) -> str | None:
    """The median of the draws for the average role at the horizon (what the path chart and
    its fan show), against the scenario's set values (what the band chart and the tables
    show), in the page's dollars, with the other kind named where it moves the other way;
    None when nothing is drawn."""
    if move.drawn_usd is None:
        return None
    b = move.basis
    p10, p50, p90 = move.drawn_usd[b]
    drawn = {k: move.drawn_change(k) for k in move.drawn_usd}
    # today's pay drawn too: the draws' change runs from their own median today
    since = (f" from the draws' median today of ${move.drawn_today_usd:,.0f}"
             if round(float(move.drawn_today_usd or 0)) != round(move.today_usd) else "")
    return (f"Across the draws, the average role's median year-{move.horizon} midpoint is "
            f"${p50:,.0f}, {finding_titles.dollars_move_text(drawn, b)}{since} (at the "
            f"scenario's set values, ${move.set_usd[b]:,.0f}, "
            f"{finding_titles.moved_text(move.set_change(b))}); "
            f"averaged over roles, 8 in 10 draws end between ${p10:,.0f} and ${p90:,.0f}.")


def _citation(e: Mapping[str, Any]) -> str:
    """What an estimate compares, its publication and where it was read."""
    return (f"{compares(e)}; {e['publisher']}, {e['title']} "
            f"({e['data_years']}); {e['source_url']}; read in: {e['read_in']}")


def premium_note(choice: PremiumChoice) -> str:
    """The sentence naming where the premiums come from."""
    if choice.estimate is None:
        if choice.source is None:
            return (f"no premium source given: every role takes the fallback "
                    f"{choice.fallback:.0%}, an assumption")
        return f"{number_or_none(choice.source):.0%} for every role (a number given)"
    return f"{choice.estimate['estimate_name']}: {_citation(choice.estimate)}"


def premium_citation(choice: PremiumChoice) -> tuple[str, str] | None:
    """The note citing the publication today's premium comes from, for the Notes at the end:
    (title naming the estimate, what it compares, its publication and address); None when no
    estimate is used (a number given, or none), which the page says in its body."""
    if choice.estimate is None:
        return None
    return (f"Premium used: {choice.estimate['estimate_name']}",
            capitalised(_citation(choice.estimate)) + ".")


def used_defaults(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Of the settings that take their value from data when none is given, those a scenario
    uses: market wage growth always; the growth of AI talent only in the supply-and-demand
    mode (the rate mode never reads it)."""
    used = {"wage_growth": settings.get("wage_growth")}
    if settings.get("mode") == "supply_demand":
        used["supply_growth"] = settings.get("supply_growth")
    return used


def default_notes(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A note for the end of the page for each default a scenario takes from data: (the
    setting and its value, where the value comes from)."""
    return [(d.label, capitalised(d.origin) + ".")
            for d in scenario_defaults.data_defaults(used_defaults(settings))]


def given_notes(settings: Mapping[str, Any]) -> list[str]:
    """A sentence for each of those settings given a value instead of the data's."""
    return scenario_defaults.given_notes(used_defaults(settings))


def estimate_addresses(estimates: pd.DataFrame) -> str:
    """Where each estimate of the table was published: 'name: address; ...'."""
    rows = estimates.drop_duplicates("estimate_id")
    return "; ".join(f"{n}: {u}" for n, u in zip(rows["estimate_name"], rows["source_url"],
                                                 strict=True)) + "."


def comparison_notes(named: Sequence[Mapping[str, Any]],
                     estimates: pd.DataFrame) -> list[tuple[str, str]]:
    """The comparison page's notes for its end: each default any scenario takes from data,
    naming the scenarios that take it, and where each scenario's premium comes from."""
    notes = []
    for name in scenario_defaults.DEFAULTS:
        takers = [str(s["title"]) for s in named if name in used_defaults(s["settings"])
                  and s["settings"].get(name) is None]
        if takers:
            default = scenario_defaults.DEFAULTS[name]()
            notes.append((default.label, f"{capitalised(default.origin)}. Taken by "
                                         f"{listing(takers)}; the others set their own."
                          if len(takers) < len(named) else
                          f"{capitalised(default.origin)}. Taken by every scenario."))
    by_id = estimates.drop_duplicates("estimate_id").set_index("estimate_id")
    cited = []
    for s in named:
        source = s["settings"].get("premium_source")
        if s["settings"].get("premium") is not None:
            what = f"{number_or_none(s['settings']['premium']):.0%} for every role (a number given)"
        elif str(source) in by_id.index:
            e = by_id.loc[str(source)]
            what = (f"{e['estimate_name']} ({e['publisher']}, {e['title']}, {e['data_years']}; "
                    f"{e['source_url']})")
        elif number_or_none(source) is not None:
            what = f"{number_or_none(source):.0%} for every role (a number given)"
        else:
            what = "no estimate: the fallback premium, an assumption"
        cited.append(f"{s['title']}: {what}")
    if cited:
        notes.append(("Where each scenario's premium comes from", "; ".join(cited) + "."))
    return notes


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
    precision = row.get("precision")
    precision = precision if isinstance(precision, str) else ""
    text = verdict + (" by the estimate" if precision else "")
    if verdict != "supported":
        text += f": {row['direction']}"
    if precision:
        text += f"; {precision}"
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


COMPARISON_TEXT = {
    "skill_in_occupation": "postings that ask for AI skills against postings of the same "
                           "occupation that do not, across the economy",
    "skill_in_firm": "postings that ask for AI skills against other postings of the same firm",
    "skill_in_job_title": "postings that ask for AI skills against other postings with the "
                          "same job title",
    "title_gap_one_board": "an AI job title against Software Engineer postings on one AI job "
                           "board",
}


def compares(e: Mapping[str, Any]) -> str:
    """What an estimate compares, in words: its comparison (within a firm, a job title, an
    occupation, or two titles on one board), else what it measures."""
    comparison = e.get("comparison")
    if isinstance(comparison, str) and comparison in COMPARISON_TEXT:
        return COMPARISON_TEXT[comparison]
    return MEASURE_TEXT.get(e["measures"], e["measures"])


def comparison_note(result: ScenarioResult) -> str:
    """What the chosen premium compares, and what that makes the baseline."""
    e = result.premiums.estimate
    if e is None:
        return ("The premium is a number given, not a measured comparison, so the non-AI pay "
                "it implies is checked below against every observed baseline alike.")
    comparison = str(e.get("comparison"))
    what = COMPARISON_TEXT.get(comparison, comparison)
    return (f"The premium ({e['estimate_name']}) compares {what}: the baseline it implies is "
            "what the same work would pay without the AI part.")


def _gap_words(gap: float) -> str:
    if round(abs(gap) * 100) == 0:
        return "within 1% of"
    return f"{abs(gap):.0%} {'above' if gap > 0 else 'below'}"


def _gap_text(gap: float, margin: float) -> str:
    verdict = "within" if abs(gap) < margin else "outside"
    signed = f"{gap:+.0%}" if round(abs(gap) * 100) else "±0%"
    return f"{signed} ({verdict} ±{margin:.0%})"


def baseline_table(result: ScenarioResult, margin: float = baselines.MARGIN) -> pd.DataFrame:
    """One row per role: today's midpoint, the premium, the implied non-AI pay, and one
    column per observed baseline saying how far the implied pay lies from it."""
    check = result.baseline_check
    out = result.implied_baselines.copy()
    for bid, rows in check.groupby("baseline_id", sort=False):
        gaps = rows.set_index("role_id")["gap"]
        out[f"vs_{bid}"] = [_gap_text(gaps[r], margin) for r in out["role_id"]]
    return out


def baseline_columns(result: ScenarioResult) -> dict[str, str]:
    """Column headings for baseline_table: each observed baseline with its median."""
    obs = result.inputs.observed_baselines
    return {f"vs_{o.baseline_id}": f"Against the {o.short_label} (${o.median_usd:,.0f})"
            for o in obs.itertuples()}


def baseline_sources(result: ScenarioResult) -> str:
    """Which observed baselines the table uses, with their counts."""
    obs = result.inputs.observed_baselines
    return "Observed non-AI pay: " + "; ".join(
        f"{o.label}, median ${o.median_usd:,.0f} ({o.n:,} "
        f"{'postings' if o.source == 'aijobs.net' else 'employed'})"
        for o in obs.itertuples()) + "."


def baseline_sentences(result: ScenarioResult, margin: float = baselines.MARGIN) -> list[str]:
    """Per role, in plain words: the implied non-AI pay against the board's Software
    Engineer median first, then whichever observed baselines it fits or misses."""
    lines = []
    kinds = result.premiums.table.set_index("role_id")
    kind, estimate = kinds["kind"].to_dict(), kinds["estimate"].to_dict()
    by_role: dict[Any, list[dict[str, Any]]] = {}  # each role's rows, roles in check order
    for rec in result.baseline_check.to_dict("records"):
        by_role.setdefault(rec["role_id"], []).append(rec)
    for role, rows in by_role.items():
        first = rows[0]
        fits = [r["short_label"] for r in rows if r["is_consistent"]]
        misses = [r["short_label"] for r in rows if not r["is_consistent"]]
        implied = f"${first['implied_baseline_usd']:,.0f}"
        if kind[role] == "not_positive":
            text = (f"{first['role_name']}: with no premium to take off (the estimate is "
                    f"{estimate[role]:+.1%}), non-AI pay is today's midpoint, "
                    f"{implied}")
        else:
            assumed = " (the fallback, an assumption)" if kind[role] == "fallback" else ""
            text = (f"{first['role_name']}: a {first['premium']:.1%} premium{assumed} on "
                    f"today's midpoint puts non-AI pay at {implied}")
        parts = [f"{_gap_words(r['gap'])} the {r['short_label']} (${r['observed_usd']:,.0f})"
                 for r in rows]
        text += ", " + "; ".join(parts) + ". "
        if len(misses) == 0:
            text += "It is consistent with every observed baseline."
        elif len(fits) == 0:
            text += (f"It is more than {margin:.0%} away from every observed baseline: the "
                     "premium and today's pay do not fit together on this evidence.")
        else:
            text += ("Consistent with the " + _join(fits, "and")
                     + "; not with the " + _join(misses, "or") + ".")
        lines.append(text)
    return lines


def _join(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


INPUT_NAMES = {"premium_level": "today's premium level", "today_pay": "today's pay",
               "premium": "the premium"}


def _input_name(name: str) -> str:
    return INPUT_NAMES.get(name, name.replace("_", " "))


def fan_ranges_note(result: ScenarioResult) -> str:
    """What the fan draws, with every range as used, and what the fan is (not a forecast)."""
    unc = result.uncertainty
    if unc is None:
        return "No range was given or drawn, so this is a single deterministic path."
    parts = [f"{_input_name(k)} {range_percent(v[0])} to {range_percent(v[2])} (most likely "
             f"{range_percent(v[1])})" for k, v in sorted(unc.ranges.items())]
    pr = result.premium_range
    if pr is not None and not pr.reason:
        lo, hi = pr.ranges[:, 0], pr.ranges[:, 2]
        names = estimate_names()  # as readers know them, never their ids
        spanned = "; ".join(names.get(i, i) for i in pr.estimate_ids)
        if np.ptp(lo) == 0 and np.ptp(hi) == 0:
            parts.append(f"today's premium {range_percent(lo[0])} to {range_percent(hi[0])}, "
                         f"across the estimates that make the same comparison ({spanned})")
        else:
            parts.append("today's premium across each role's estimates that make the same "
                         f"comparison and their 95% intervals ({spanned})")
    elif pr is not None and pr.reason in ("single", "number"):
        parts.append("today's premium fixed (" + (
            "only one sourced estimate makes this comparison" if pr.reason == "single"
            else "a number was given") + ")")
    today = result.today_range
    if today is not None and bool(np.any(today[:, 2] > today[:, 0])):
        parts.append("today's pay across each role's 95% interval")
    elif result.start_from != "survey":
        parts.append("today's pay fixed (the starting point has no interval)")
    return (f"{unc.draws:,} draws ({unc.distribution} ranges; today's premium and pay "
            f"triangular), seed {unc.seed}. Ranges: " + "; ".join(parts) + ". The fan is the "
            "spread of outcomes over these ranges, not a forecast: no probability is "
            "attached to the ranges themselves.")


def fan_role_note(row: pd.Series, horizon: int, basis: str = "nominal") -> str:
    """One role's spread at the horizon, worded as a spread over the ranges, not a chance, in
    the fan's dollars (basis)."""
    dollars = "nominal dollars" if basis == "nominal" else "today's dollars"
    return (f"{row['role_name']}: over the ranges given, 8 in 10 of the drawn combinations end "
            f"between ${row['p10_usd']:,.0f} and ${row['p90_usd']:,.0f} in year {horizon} "
            f"({dollars}); 4 in 10 between ${row['p30_usd']:,.0f} and ${row['p70_usd']:,.0f}.")


def breakdown_table(result: ScenarioResult) -> pd.DataFrame | None:
    """The variance breakdown with readable input names; None without a fan."""
    table = result.variance_breakdown()
    if table is None:
        return None
    return table.assign(input_text=[
        "all of them together (the fan)" if i == "all" else _input_name(i)
        for i in table["input"]])


# Two inputs whose variances are this close (or whose p10-p90 widths rank the other way) are
# said to widen the fan about equally: the draws cannot tell them apart.
TIE_SHARE = 0.9


def breakdown_note(table: pd.DataFrame, horizon: int, basis: str = "nominal") -> str:
    """Which input widens the fan most, from the breakdown's values, naming the measure (each
    input drawn alone over its range, in the page's dollars), so it is not read as the
    one-at-a-time swing of the sensitivity chart, in today's dollars. Two inputs close to
    each other (TIE_SHARE) are named together."""
    inputs = table[table["input"] != "all"].sort_values("variance", ascending=False,
                                                         kind="stable")
    if inputs.empty or not (inputs["variance"] > 0).any():
        return "Nothing drawn moves the average role's midpoint."
    dollars = "today's dollars" if basis == "real" else "nominal dollars (as paid then)"
    top = inputs.iloc[0]
    lead = [top]
    if len(inputs) > 1:
        second = inputs.iloc[1]
        if (second["variance"] >= TIE_SHARE * top["variance"]
                or second["width_usd"] >= top["width_usd"]):
            lead.append(second)
    whole = table[table["input"] == "all"].iloc[0]
    none = list(inputs.loc[inputs["variance"] <= 1e-6 * top["variance"], "input"])
    names = listing([_input_name(r["input"]) for r in lead])
    widths = listing([f"${r['width_usd']:,.0f}" for r in lead])
    shares = listing([f"{r['share']:.0%}" for r in lead])
    if len(lead) == 1:
        text = (f"Drawn alone over its range, in {dollars}, {names} widens the fan most: it "
                f"spreads the average role's year-{horizon} midpoint over {widths} (p10 to "
                f"p90), {shares} of the summed variances")
    else:
        text = (f"Drawn alone over their ranges, in {dollars}, {names} widen the fan about "
                f"equally: they spread the average role's year-{horizon} midpoint over "
                f"{widths} (p10 to p90), {shares} of the summed variances")
    text += f"; all inputs together spread it over ${whole['width_usd']:,.0f}."
    if none:
        text += (" " + capitalised(listing([_input_name(n) for n in none])) + " "
                 + verb_for(len(none), "does", "do") + " not move it in these dollars.")
    return text


def estimate_rows(estimates: pd.DataFrame) -> pd.DataFrame:
    """One row per published or computed premium estimate, with what it compares and its
    premium in words (premium_text): a per-role estimate (the job board's title gap) gives its
    range across the roles it covers, so no one role's figure stands for all of them."""
    # each estimate's rows as records, in order of first appearance (groupby's, without
    # building a frame per group: most of the table's time)
    groups: dict[Any, list[dict[str, Any]]] = {}
    for rec in estimates.to_dict("records"):
        if not pd.isna(rec["estimate_id"]):  # groupby leaves out a missing key
            groups.setdefault(rec["estimate_id"], []).append(rec)
    # records give None for pandas' missing value in a string column; a row taken from the
    # frame, as the table was built before, gave pd.NA (kept, so a column left empty reads
    # the same)
    na_columns = [c for c in estimates.columns
                  if getattr(estimates[c].dtype, "na_value", None) is pd.NA]
    rows = []
    for group in groups.values():
        first = dict(group[0])
        first.update({c: pd.NA for c in na_columns if first[c] is None})
        values = [g["premium"] for g in group if not pd.isna(g["premium"])]
        if any(not pd.isna(g["role_id"]) for g in group) and len(values) > 1:
            first["premium_text"] = (f"{min(values):+.0%} to {max(values):+.0%} across "
                                     f"{len(values)} roles")
        else:
            first["premium_text"] = f"{values[0]:+.0%}" if values else "–"
        first["compares"] = compares(first)
        rows.append(first)
    return pd.DataFrame(rows)


def title_gap_note(evidence) -> str:
    """The job board's title gap (AI titles against Software Engineer), in words from the
    evidence: its range with each advert counted once, which roles' 95% intervals lie wholly
    below or above zero, and what changes with repeated adverts kept."""
    def gaps(repeats: str) -> pd.DataFrame:
        frame = evidence.premium("all", "software_engineer", repeats)
        frame = frame[frame["is_computable"].astype(bool)]
        return with_role_names(frame).sort_values("premium")

    def below(frame: pd.DataFrame) -> list[str]:
        return list(frame.loc[frame["premium_ci95_high"] < 0, "role_name"])

    drop, keep = gaps("drop"), gaps("keep")
    if drop.empty:
        return "The job board has too few postings to measure a title gap."
    lo, hi = drop.iloc[0], drop.iloc[-1]
    text = (f"On the job board, with each advert counted once, the title gap runs from "
            f"{percent_text(lo['premium'], 1, signed=True)} ({lo['role_name']}) to "
            f"{percent_text(hi['premium'], 1, signed=True)} ({hi['role_name']}); ")
    neg = below(drop)
    text += (f"the 95% interval of {listing(neg)} lies wholly below zero" if neg else
             "no role's 95% interval lies wholly below zero")
    flips = [n for n in below(keep) if n not in neg]
    if flips:
        shown = keep.set_index("role_name")["premium"]
        text += ("; with repeated adverts kept, " + listing(
            [f"{n}'s ({percent_text(shown[n], 1, signed=True)})" for n in flips])
            + " " + verb_for(len(flips), "does", "do") + ", so whether "
            + ("that role's gap is" if len(flips) == 1 else "those roles' gaps are")
            + " clearly below zero depends on how repeated adverts are counted")
    return text + "."



def plausibility_note(result: ScenarioResult, margin: float = baselines.MARGIN) -> str:
    """How many roles' implied non-AI pay lies within the margin of each observed baseline."""
    check = result.baseline_check
    if check.empty:
        return "No observed non-AI pay to check the premium against."
    parts = []
    for _, rows in check.groupby("baseline_id", sort=False):
        fits = int(rows["is_consistent"].sum())
        parts.append(f"{fits} of {len(rows)} roles against the {rows['short_label'].iloc[0]}")
    return (f"Is the premium plausible here? The non-AI pay it implies lies within "
            f"{margin:.0%} of observed non-AI pay for " + "; ".join(parts)
            + " (see \"What the premium implies about non-AI pay\").")


def history_paragraph(mix: pd.DataFrame, title_map: pd.DataFrame, min_years: int) -> str:
    """Why the premium's path uses the data-role baseline: the years the file covers, the
    years Software Engineer postings appear in (survey_mix, distinct adverts), the history
    baseline's titles (survey_title_map) and the rule for fitting a rate."""

    m = mix[mix["repeats"] == "drop"]
    years = sorted(int(y) for y in m.loc[m["postings"] > 0, "work_year"].unique())
    se = sorted(int(y) for y in m.loc[(m["role_id"] == "software_engineer_baseline")
                                      & (m["postings"] > 0), "work_year"].unique())
    history = listing(list(title_map.loc[title_map["is_history_baseline"].astype(bool),
                                         "job_title"]))
    span = f"{count(len(years), 'work year')} ({years[0]} to {years[-1]})" if years else \
        "no work year"
    if se == years:
        where = (f"Software Engineer postings appear in every one of them; the path is still "
                 f"measured against non-AI data roles present in every year ({history})")
    else:
        seen = (f"only in {listing(str(y) for y in se)}" if se else "in none of them")
        where = (f"Software Engineer postings appear {seen}, so the path is measured against "
                 f"non-AI data roles present in every year ({history})")
    return (f"Has the premium been shrinking? The survey file covers {span}, but {where}, "
            "within experience level. This is an AI title's pay edge over a data title on one "
            "job board: it mixes scarcity with differences in the work, so it is not the "
            "scarcity premium itself. A line through the years gives a yearly rate of change, "
            f"but only counts as identified with at least {spelled(min_years)} like-for-like "
            "years whose fitted sign is the same with repeated adverts counted once and kept. "
            "A scenario set to take its rate from this path uses such a rate; where there is "
            "none, it keeps the premium flat and says why. A backtest (fit through each year, "
            "check the next) is shown only where more than one year can be held out.").replace(
                "file covers no work year, but", "file covers no work year, and")


def premium_spread_paragraph(estimates: pd.DataFrame) -> str:
    """How far the premium estimates lie apart (their range, and the largest positive one
    against the smallest), and why: they compare different things."""
    values = estimates["premium"].dropna()
    spread = ""
    if len(values):
        spread = (f" run from {percent_text(values.min(), signed=True)} to "
                  f"{percent_text(values.max(), signed=True)}")
        positive = values[values > 0]
        if len(positive) > 1:
            ratio = positive.max() / positive.min()
            spread += (" (the largest is more than ten times the smallest positive one)"
                       if ratio >= 10 else
                       f" (the largest is {ratio:.1f} times the smallest positive one)")
    return (f"Estimates of the AI pay premium{spread} because they compare different things. "
            "Job-ad studies compare postings that ask for AI skills with postings that do "
            "not, across the whole economy: within the same occupation (PwC, Lightcast: a "
            "marketing job that asks for AI skills against one that does not), or within the "
            "same firm or the same job title (Alekseeva and co-authors). "
            "The survey evidence compares AI job titles with Software Engineer postings on one "
            "AI job board, where both sides are already technical and well paid (the note under "
            "the chart says how large that gap is). The settings choose the estimate; a role whose "
            "estimate is zero or negative has no premium to normalize, and the table at the top "
            "says so.")


def comparison_intro(named: list[dict], estimates: pd.DataFrame) -> str:
    """What the named scenarios cover, from their settings: the premiums they start from
    against the range of the sourced estimates, and how fast they wear the premium away."""

    values, rates, market = [], [], 0
    for entry in named:
        s = entry["settings"]
        if s.get("premium") is not None:
            values.append(float(s["premium"]))
        elif s.get("premium_source") is not None:
            chosen = estimates.loc[estimates["estimate_id"] == s["premium_source"], "premium"]
            values += [float(v) for v in chosen.dropna()]
        if s.get("mode") == "rate" and s.get("normalization_rate") is not None:
            rates.append(float(s["normalization_rate"]))
        elif s.get("mode") == "supply_demand":
            market += 1
    sourced = estimates["premium"].dropna()
    text = ("The named scenarios of the suite's report configuration side by side: each "
            "one's median path of midpoint pay per role across its draws, and the band each role "
            "reaches at the horizon at each scenario's set values.")
    if values and len(sourced):
        lo, hi = min(values), max(values)
        a, b = float(sourced.min()), float(sourced.max())
        run = (f"from {percent_text(lo, signed=True)} to {percent_text(hi, signed=True)}"
               if lo != hi else f"at {percent_text(lo, signed=True)}")
        whole = f"{percent_text(a, signed=True)} to {percent_text(b, signed=True)}"
        if lo <= a and hi >= b:
            text += f" Together their premiums span the sourced estimates, {run}"
        else:
            text += f" Their premiums run {run}; the sourced estimates run {whole}"
    if rates:
        text += ("; rate scenarios wear the premium down by "
                 + (f"{percent_text(min(rates))} to {percent_text(max(rates))}"
                    if min(rates) != max(rates) else percent_text(rates[0])) + " a year")
    if market:
        text += (f", and {count(market, 'scenario')} {verb_for(market, 'lets')} it follow "
                 "demand against supply")
    return (text + ". None is a forecast and none carries a likelihood. Add a scenario to the "
            "report configuration and it appears here on the next build.")


def comparison_rank_notes(paths: pd.DataFrame, at_horizon: pd.DataFrame, horizon: int,
                          basis: str = "nominal") -> list[str]:
    """Under the comparison's table: the average role's midpoint at the horizon under each
    scenario at its set values (what the table holds), lowest first; then the scenarios ranked
    by the medians of their draws (what the chart plots) where the fans (each role's p10 to
    p90, averaged over roles) are apart, and those the uncertainty leaves unranked."""
    dollars = "nominal dollars" if basis == "nominal" else "today's dollars"
    at_set = at_horizon.groupby("scenario_title", sort=False)["mid_usd"].mean().sort_values(
        kind="stable")
    out = [f"At each scenario's set values, the average role's year-{horizon} midpoint "
           f"({dollars}), lowest first: "
           + "; ".join(f"{k} ${v:,.0f}" for k, v in at_set.items()) + "."]
    ends = paths[paths["year"] == horizon].groupby("scenario_title", sort=False)[
        ["p10_usd", "p50_usd", "p90_usd"]].mean().sort_values("p50_usd", kind="stable")
    apart: list[str] = []
    close: list[str] = []
    for a, b in zip(ends.index[:-1], ends.index[1:], strict=True):
        (apart if ends.loc[a, "p90_usd"] < ends.loc[b, "p10_usd"] else close).append(f"{a} < {b}")
    out.append("By the medians of the draws (as the chart plots), lowest first: "
               + "; ".join(f"{k} ${v:,.0f}" for k, v in ends["p50_usd"].items())
               + ". Ranked where the fans (8 in 10 draws, averaged over roles) are apart: "
               + ("; ".join(apart) or "none") + ". Within the uncertainty, so not ranked: "
               + ("; ".join(close) or "none") + ".")
    return out
