"""The claims audit: every numeric claim of the article against the survey, with a verdict.

Verdicts: supported, partly supported, not supported, no data. Each row states its claim kind,
the rule that gave its verdict, the direction of any miss, and the population mismatch (the
article quotes tech-hub averages; the survey is one job board's postings).

Direction and precision are kept apart: a verdict is that of the point estimates, and the
verdicts found anywhere inside the evidence's 95% intervals are reported beside it as what the
interval also allows (interval_allows, verdict_text: the one entry point for every source's
verdict words). Claims the survey cannot speak to (growth rates, how fast skills date, how
long learning takes) get "no data" with the reason, rather than a stretched proxy.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aijobs.formatting import money_k
from aijobs.words import capitalised, count, count_with_verb, listing, n_of, percent_text, verb_for

VERDICTS = ("supported", "partly supported", "not supported", "no data")
KINDS = ("pay band", "open-ended top", "pay ranking", "growth", "skills", "learning")
TOLERANCE = 0.15
BAND_RULE = (
    "Each end of the claimed band is compared with the survey's typical posted range: the low "
    "end with the median advertised minimum, the high end with the median advertised maximum. "
    "An end is off when it differs by 15% or more. Supported: neither end is off. Partly "
    "supported: one end is off, or both are but the survey's median posting lies inside the "
    "band. Not supported: both ends off and the median posting outside the band. The verdict "
    "is that of the medians themselves; when another verdict lies inside the 95% intervals of "
    "those medians, the row says what the interval also allows. No data: fewer postings "
    "than the settings' fewest for a finding, or no interval.")
RANKING_RULE = (
    "Roles in the article's order by band midpoint; each neighbouring pair is compared by the "
    "survey's medians. Supported: every pair's medians are in the article's order. Not "
    "supported: any pair's are the other way. Each pair is also compared by the medians' 95% "
    "intervals (agrees when they are apart in the article's order, contradicts when apart the "
    "other way, too close to tell when they overlap); when a pair is too close to tell, the "
    "row says what the intervals also allow. Only roles with a reliable or use-with-caution "
    "median take part.")
SAME_QUANTITY_RULE = "a verdict needs evidence on the same quantity"
CLOSENESS_TESTED = ("close", "partial")
TESTED_RULE = (
    "A source can test a claim when it gives it a verdict other than no data from figures on "
    "the role itself (the job board's postings of the role's titles) or on an official "
    "occupation that is a close or partial match of the role. A loose match (an occupation far "
    "broader than the role) counts as not testing the claim, for pay as for growth: its "
    "verdict, where the page shows one, is context only, and it takes no part in whether the "
    "sources agree. The claims audit and the sources page count the claims each source can "
    "test by this rule, from the same verdicts.")
NO_SURVEY = {
    "growth": "The postings' pay cannot test a growth rate. The series that bear on growth "
              "(each role's share of the board's adverts, BLS OEWS employment, Indeed Hiring "
              "Lab's postings index) are held against it apart, each with its own verdict.",
    "skills": "No salary survey measures how fast skills go out of date.",
    "learning": "The survey does not record how long anyone studied before a first role.",
}
COLUMNS = ("kind", "claim", "source_section", "evidence", "verdict", "interval_allows",
           "verdict_text",
           "variants_agreeing", "n_variants", "is_robust", "depends_on", "precision",
           "dominance", "direction", "population", "rule", "verdict_other_repeats",
           "flips_with_repeats")


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


def band_judgement(low: float, high: float, min_med: float, min_ci: tuple[float, float],
                   max_med: float, max_ci: tuple[float, float], mid_med: float,
                   mid_ci: tuple[float, float]) -> tuple[str, set[str], str]:
    """(verdict of the point estimates, every verdict found inside the 95% intervals,
    direction) of a claimed band: direction and precision kept apart."""
    point = _band_outcome(_end_off(low, min_med), _end_off(high, max_med),
                          low <= mid_med <= high)
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
    return point, outcomes | {point}, direction


def open_top_judgement(top: float, p90: float, p90_ci: tuple[float, float],
                       ) -> tuple[str, set[str]]:
    """(verdict of the 90th percentile's estimate, every verdict inside its interval) for
    'pay can exceed top' judged by a 90th percentile, the highest percentile published:
    supported when it is above the top. A top at or above it is beyond what the percentiles
    can test (a 90th percentile below the top does not show that no one is paid more): no
    data, never not supported. The interval reaching across the top allows the other."""
    point = "supported" if p90 > top else "no data"
    possible = {point}
    low, high = p90_ci
    if not (math.isnan(low) or math.isnan(high)):
        if high > top:
            possible.add("supported")
        if low <= top:
            possible.add("no data")
    return point, possible


def _above(value: float, low: float, high: float, threshold: float) -> tuple[str, set[str]]:
    """(supported when the estimate is above the threshold, else not supported; every verdict
    its 95% interval low-high allows: supported if it reaches above, not supported if it
    reaches down to the threshold or below)."""
    point = "supported" if value > threshold else "not supported"
    possible = {point}
    if not (math.isnan(low) or math.isnan(high)):
        if high > threshold:
            possible.add("supported")
        if low <= threshold:
            possible.add("not supported")
    return point, possible


MIN_EXCEED_SHARE = 0.10
EXCEED_RULE = (
    "'Pay can exceed $X' is judged by the share of postings whose advertised top (the high end "
    "of the posted range) is above $X, with a 95% interval that counts a group of identical "
    "postings as one cluster (Wilson interval at the effective sample size). Supported when "
    "the share is above 10% (more than one posting in ten advertises a top above $X); not "
    "supported when it is 10% or less. When the interval reaches across 10%, the verdict "
    "stands on the estimate and the row says what the interval also allows.")


def exceed_judgement(share: float, low: float, high: float,
                     min_share: float = MIN_EXCEED_SHARE) -> tuple[str, set[str]]:
    """(verdict of the estimated share of tops above the claim, every verdict inside its
    interval) for a 'can exceed' claim, by EXCEED_RULE."""
    if math.isnan(share):
        return "no data", {"no data"}
    return _above(share, low, high, threshold=min_share)


def ranking_pairs(bands: pd.DataFrame, role_pay: pd.DataFrame) -> pd.DataFrame:
    """Neighbouring roles in the article's pay order with the survey's view of each pair."""
    return _ranking_pairs(_band_records(bands), _by_role(role_pay))


PAIR_COLUMNS = ["higher_in_article", "lower_in_article", "claimed_mid_higher_usd",
                "claimed_mid_lower_usd", "survey_median_higher_usd", "survey_median_lower_usd",
                "survey_interval_higher", "survey_interval_lower", "survey_says", "medians_say"]


def _band_records(bands: pd.DataFrame) -> list[dict]:
    """The bands as records, in the article's pay order (claimed midpoint, highest first; ties
    in the table's order), each with claimed_mid: the same order and numbers as pandas'
    stable descending sort of (low + high) / 2."""
    mid = ((bands["salary_low_usd"] + bands["salary_high_usd"]) / 2).to_numpy()
    records = bands.to_dict("records")
    for r, m in zip(records, mid, strict=True):
        r["claimed_mid"] = m
    return [records[i] for i in np.argsort(-mid, kind="stable")]


def _by_role(role_pay: pd.DataFrame) -> dict[object, dict]:
    """A per-role table's rows as records keyed by role_id (its last row for a repeated id)."""
    return {r["role_id"]: r for r in role_pay.to_dict("records")}


def _ranking_pairs(ranked_bands: list[dict], by_role: dict[object, dict]) -> pd.DataFrame:
    """ranking_pairs on records (_band_records, _by_role)."""
    ranked = [b for b in ranked_bands if b["role_id"] in by_role
              and by_role[b["role_id"]]["reliability"] != "suppressed"]
    rows = []
    for a, b in itertools.pairwise(ranked):
        sa, sb = by_role[a["role_id"]], by_role[b["role_id"]]
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
                     "survey_says": outcome,
                     "medians_say": "agrees" if sa["p50_usd"] > sb["p50_usd"]
                     else "contradicts"})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def ranking_evidence(pairs: pd.DataFrame) -> str:
    """The ranking's evidence in words: how many neighbouring pairs the intervals put in the
    article's order, the other way, or too close to tell."""
    counts = pairs["survey_says"].value_counts() if len(pairs) else pd.Series(dtype=int)
    n = {k: int(counts.get(k, 0)) for k in ("agrees", "contradicts", "too close to tell")}
    agree = f"{n['agrees']} {verb_for(n['agrees'], 'agrees')}"
    return (f"{count(len(pairs), 'neighbouring pair')} with graded medians (reliable or use "
            f"with caution): by their 95% intervals, {agree} with the article's order, "
            f"{n['contradicts']} "
            f"{verb_for(n['contradicts'], 'contradicts')} it and {n['too close to tell']} "
            f"{verb_for(n['too close to tell'], 'is')} too close to tell")


def ranking_judgement(pairs: pd.DataFrame) -> tuple[str, set[str]]:
    """(verdict of the medians' order, every verdict the intervals allow) for the ranking:
    supported when every neighbouring pair's medians are in the article's order."""
    if pairs.empty:
        return "no data", {"no data"}
    point = "not supported" if (pairs["medians_say"] == "contradicts").any() else "supported"
    says = set(pairs["survey_says"])
    possible = {point}
    if "contradicts" not in says:
        possible.add("supported")
    if says != {"agrees"}:
        possible.add("not supported")
    return point, possible


def _pay_rows(bands: list[dict], ranked_bands: list[dict], pct: dict[object, dict],
              ) -> list[dict]:
    """The job-board claims' rows for one cell of the grid (one role_pay table, as records by
    role: _by_role): each with its point verdict, the verdicts its intervals allow and the
    dominance of its cells. `bands` are the bands' records in the table's order,
    `ranked_bands` in the article's pay order (_band_records)."""
    rows = []
    for b in bands:
        claim = (f"{b['role_name']}: {money_k(b['salary_low_usd'])}-"
                 f"{money_k(b['salary_high_usd'])}{'+' if b['is_open_ended'] else ''} a year "
                 "(tech-hub average)")
        section = b["source_section"]
        top = (f"{b['role_name']}: pay can exceed {money_k(b['salary_high_usd'])} "
               "(the '+' on the band)")
        missing = None
        if b["role_id"] not in pct:
            missing = "no title in the file maps to this role"
        elif pct[b["role_id"]]["reliability"] == "suppressed":
            s = pct[b["role_id"]]
            missing = f"n {int(s['n_postings']):,} postings: {s['reliability_reason']}"
        if missing:
            rows.append(_row("pay band", claim, section, missing, "no data", "", BAND_RULE))
            if b["is_open_ended"]:
                rows.append(_row("open-ended top", top, section, missing, "no data", "",
                                 EXCEED_RULE))
            continue
        s = pct[b["role_id"]]
        n = int(s["n_postings"])
        shown = (f"n {n:,} postings; typical posted range {money_k(s['median_range_min_usd'])}"
                 f" (95% CI {_ci(s, 'median_range_min')}) to "
                 f"{money_k(s['median_range_max_usd'])} (95% CI {_ci(s, 'median_range_max')}); "
                 f"median posting {money_k(s['p50_usd'])} (95% CI {_ci(s, 'p50')}), middle "
                 f"half {money_k(s['p25_usd'])}-{money_k(s['p75_usd'])}")
        if s["reliability"] == "use with caution":
            shown += " (use with caution)"
        point, possible, direction = band_judgement(
            b["salary_low_usd"], b["salary_high_usd"],
            s["median_range_min_usd"], ci_pair(s, "median_range_min"),
            s["median_range_max_usd"], ci_pair(s, "median_range_max"),
            s["p50_usd"], ci_pair(s, "p50"))
        share = _dominant_share(s)
        rows.append(_row("pay band", claim, section, shown, point, direction, BAND_RULE,
                         possible, share))
        if b["is_open_ended"]:
            value = s.get("top_above_share", math.nan)
            if pd.isna(value):
                rows.append(_row("open-ended top", top, section, "the evidence holds no share "
                                 "of advertised tops above the claim", "no data", "",
                                 EXCEED_RULE))
                continue
            lo, hi = float(s["top_above_ci95_low"]), float(s["top_above_ci95_high"])
            point, possible = exceed_judgement(float(value), lo, hi)
            rows.append(_row("open-ended top", top, section,
                             f"n {n:,} postings; {percent_text(float(value))} advertise a top "
                             f"above {money_k(b['salary_high_usd'])} (95% CI "
                             f"{percent_text(lo)}-{percent_text(hi)})",
                             point, "", EXCEED_RULE, possible, share))
    pairs = _ranking_pairs(ranked_bands, pct)
    order = " > ".join(b["role_name"] for b in ranked_bands)
    point, possible = ranking_judgement(pairs)
    in_bands = {b["role_id"] for b in bands}
    shares = [x for x in (_dominant_share(r) for role, r in pct.items()
                          if role in in_bands and r["reliability"] != "suppressed")
              if x is not None]
    rows.append(_row("pay ranking", f"Roles ranked by pay: {order}",
                     str(bands[0]["source_section"]) if bands else "",
                     ranking_evidence(pairs),
                     point, "", RANKING_RULE, possible, max(shares) if shares else None))
    return rows


def _dominant_share(s: Mapping[str, Any]) -> float | None:
    """The largest advert's share of a dominated cell (None when the cell is not dominated)."""
    if bool(s.get("is_dominated", False)):
        return float(s["top_advert_share"])
    return None


def ci_pair(s: Mapping[str, Any], name: str) -> tuple[float, float]:
    """(low, high) of a cell's 95% interval of `name` (median_range_min, p50, ...), as
    floats; nan for a bound it lacks."""
    lo, hi = s.get(f"{name}_ci95_low_usd", math.nan), s.get(f"{name}_ci95_high_usd", math.nan)
    return (float(lo) if pd.notna(lo) else math.nan, float(hi) if pd.notna(hi) else math.nan)


def _ci(s: Mapping[str, Any], name: str) -> str:
    lo, hi = ci_pair(s, name)
    return "n/a" if math.isnan(lo) else f"{money_k(lo)}-{money_k(hi)}"


GRID = (("repeats", ("drop", "keep")),
        ("title_map", ("as mapped", "with contested titles")),
        ("period", ("all years", "latest full year")))
CHOICE_NAMES = {"repeats": "repeats", "title_map": "the title map", "period": "the period"}
CHOICE_VALUES = {"drop": "repeats dropped", "keep": "repeats kept",
                 "as mapped": "titles as mapped",
                 "with contested titles": "the contested titles counted",
                 "all years": "all years", "latest full year": "the latest full year only"}
JUDGED = ("pay band", "open-ended top", "pay ranking")


def grid_rule(alternatives: dict[str, str] | None = None, latest_year: int | None = None,
              ) -> str:
    """The robustness rule as the page states it (the contested titles and year named)."""
    titles = (f" ({listing(sorted(alternatives))})" if alternatives else "")
    year = f" ({latest_year})" if latest_year else ""
    return (
        "Each claim the job board can test is judged in every cell of a grid of defensible "
        "choices: repeats (identical postings dropped, or kept) x title map (as mapped, or "
        f"with the contested titles the map leaves out{titles} counted in the role they could "
        f"stand for) x period (every work year, or the latest full year{year}). A verdict is "
        "called robust only when every cell gives it and no cell it rests on is dominated by "
        "one advert. Otherwise the row names the choice that moves it and the verdict on each "
        "side. The interval's width is shown apart: a verdict that holds on the estimate while "
        "its interval reaches another verdict says so.")


def depends_on(verdicts: dict[tuple[str, ...], str]) -> str:
    """'' when every cell agrees; else 'depends on <choices>: <verdict> with <values>; ...',
    naming the fewest choices that decide the verdict (keys in GRID's order of choices)."""
    if len(set(verdicts.values())) <= 1:
        return ""
    dims = range(len(GRID))
    for size in range(1, len(GRID) + 1):
        for subset in itertools.combinations(dims, size):
            seen: dict[tuple[str, ...], str] = {}
            if all(seen.setdefault(tuple(k[i] for i in subset), v) == v
                   for k, v in verdicts.items()):
                by_verdict: dict[str, list[str]] = {}
                for key, v in seen.items():
                    by_verdict.setdefault(v, []).append(
                        listing(CHOICE_VALUES.get(x, x) for x in key))
                names = listing(CHOICE_NAMES[GRID[i][0]] for i in subset)
                return f"depends on {names}: " + "; ".join(
                    f"{v} with {' or with '.join(sides)}" for v, sides in by_verdict.items())
    raise AssertionError("the full set of choices always decides the verdict")


def tests_claim(verdict: str, closeness: str = "-") -> bool:
    """Whether a source's row tests its claim (TESTED_RULE): a verdict other than no data, on
    the role itself (closeness '-', the job board) or a close or partial official match."""
    return verdict != "no data" and (closeness == "-" or closeness in CLOSENESS_TESTED)


def allowed_words(others: list[str]) -> str:
    """Verdicts an interval also allows, in words: 'no data' there means the claim would lie
    beyond what the source can test."""
    return listing([f"{v} (beyond what the source can test)" if v == "no data" else v
                    for v in others], "or")


def interval_allows(verdict: str, possible: set[str]) -> list[str]:
    """The verdicts other than `verdict` that the intervals also allow, in VERDICTS order."""
    return [v for v in VERDICTS if v in possible and v != verdict]


def _allows(others: list[str]) -> str:
    return f"the interval also allows {allowed_words(others)}" if others else ""


def allows_cell(verdict: str, possible: set[str]) -> str:
    """interval_allows as a table cell: the other verdicts, '; '-joined ('' when none)."""
    return "; ".join(interval_allows(verdict, possible))


def possible_of(verdict: str, allows: str) -> set[str]:
    """The verdicts a row's interval allows, from its verdict and its interval_allows cell."""
    return {verdict, *(v for v in str(allows or "").split("; ") if v)}


def verdict_text(verdict: str, possible: set[str]) -> str:
    """One cell's verdict in words, direction and precision apart: the verdict of the
    estimate, then what the interval also allows (e.g. 'supported by the estimate; the
    interval also allows partly supported')."""
    others = interval_allows(verdict, possible)
    return f"{verdict} by the estimate; {_allows(others)}" if others else verdict


def robustness(cells: dict[tuple[str, ...], dict], headline: tuple[str, ...]) -> dict:
    """One claim's verdicts over the grid -> the page's columns for it.

    `cells` maps each grid cell (values in GRID's order) to that cell's row (verdict,
    possible, dominated); `headline` is the page's own cell.
    """
    main = cells[headline]
    verdict = main["verdict"]
    # the page's own cell first, so its side of a "depends on" sentence is named first
    points = {headline: verdict} | {k: c["verdict"] for k, c in cells.items()}
    n_agree = sum(v == verdict for v in points.values())
    dominated = {k: c["dominated"] for k, c in cells.items() if c["dominated"] is not None}
    depends = depends_on(points)
    own = interval_allows(verdict, main["possible"])
    named = set(points.values()) | set(own)
    elsewhere = [v for v in VERDICTS if v not in named
                 and any(v in c["possible"] for c in cells.values())]
    precision = "; ".join(x for x in (
        _allows(own),
        f"in some variants the interval also allows {listing(elsewhere, 'or')}"
        if elsewhere else "") if x)
    n = len(points)
    if dominated:
        worst = max(dominated.values())
        first = next(iter(dominated))
        same = [i for i in range(len(first)) if all(k[i] == first[i] for k in dominated)]
        shared = [CHOICE_VALUES.get(first[i], first[i]) for i in same]
        sharing = sum(all(k[i] == first[i] for i in same) for k in cells)
        if headline in dominated:
            where = "as the page is set"
        elif shared and sharing == len(dominated):
            where = (f"in the variant with {listing(shared)}" if sharing == 1
                     else f"in the {sharing} variants with {listing(shared)}")
        else:
            where = f"in {len(dominated)} of {n} variants"
        dominance = (f"rests on a cell dominated by one advert {where} (up to "
                     f"{percent_text(worst)} of a cell's postings are one advert)")
    else:
        dominance = ""
    robust = n_agree == n and not dominated and verdict != "no data"
    if n_agree == n:
        head = f"{verdict} in all {n} variants" if n > 1 else verdict
        if precision:
            head = head.replace(verdict, f"{verdict} by the estimate", 1)
    else:
        head = (f"{verdict}{' by the estimate' if precision else ''} "
                f"({n_agree} of {n} variants agree)")
    parts = [head, *(x for x in (precision, depends, dominance) if x)]
    if n_agree == n and dominated:
        parts.append("so not called robust")
    elif robust:
        parts.append("robust to every choice in the grid")
    return {"verdict": verdict, "interval_allows": "; ".join(own),
            "verdict_text": "; ".join(parts), "precision": precision,
            "depends_on": depends, "dominance": dominance, "is_robust": robust,
            "variants_agreeing": n_agree, "n_variants": n}


def grid_cells(grid: pd.DataFrame) -> dict[tuple[str, ...], pd.DataFrame]:
    """Per cell of GRID present in `grid` (a survey_claim_grid slice with the keys as
    columns): its per-role table."""
    keys = [name for name, _ in GRID]
    cells = {}
    for values in itertools.product(*(v for _, v in GRID)):
        mask = pd.Series(True, index=grid.index)
        for k, v in zip(keys, values, strict=True):
            mask &= grid[k] == v
        cells[values] = grid[mask].drop(columns=keys).reset_index(drop=True)
    return cells


def _grid_records(grid: pd.DataFrame) -> dict[tuple[str, ...], dict[object, dict]]:
    """grid_cells' cells as records by role (_by_role), every cell of GRID present, read in
    one pass over the grid's rows."""
    keys = [name for name, _ in GRID]
    cells: dict[tuple[str, ...], dict[object, dict]] = {
        values: {} for values in itertools.product(*(v for _, v in GRID))}
    for r in grid.to_dict("records"):
        cell = cells.get(tuple(r[k] for k in keys))
        if cell is not None:
            cell[r["role_id"]] = r
    return cells


def claims_audit(bands: pd.DataFrame, role_pay: pd.DataFrame, growth: pd.DataFrame,
                 claims: pd.DataFrame, steps: pd.DataFrame, *, evidence_text: str,
                 population: str, min_n: int, role_pay_other: pd.DataFrame | None = None,
                 grid: pd.DataFrame | None = None, repeats: str = "drop") -> pd.DataFrame:
    """One row per numeric claim: kind, claim, section, evidence, verdict (of the point
    estimates), verdict_text (the sentence the page shows: robustness, precision, dominance),
    the grid's columns (variants_agreeing, n_variants, is_robust, depends_on, precision,
    dominance), direction, population, rule; and the verdict under the other repeats policy.

    `bands` has role_id, role_name, salary_low_usd, salary_high_usd, is_open_ended,
    source_section; `role_pay` is the survey's per-role percentile table for the slice;
    `grid` is the slice's survey_claim_grid (both repeats policies) and `repeats` the page's
    own policy. Without a grid, the grid is the repeats choice alone (role_pay and
    role_pay_other).
    """
    headline = (repeats, GRID[1][1][0], GRID[2][1][0])
    if grid is not None and len(grid):
        cells = _grid_records(grid)
    else:
        other = "keep" if repeats == "drop" else "drop"
        cells = {headline: _by_role(role_pay)}
        if role_pay_other is not None:
            cells[(other, *headline[1:])] = _by_role(role_pay_other)
    in_order, ranked = bands.to_dict("records"), _band_records(bands)
    judged = {k: _pay_rows(in_order, ranked, t) for k, t in cells.items()}
    rows = judged[headline]
    other_key = ("keep" if repeats == "drop" else "drop", *headline[1:])
    for i, r in enumerate(rows):
        r.update(robustness({k: v[i] for k, v in judged.items()}, headline))
        if other_key in judged:
            r["verdict_other_repeats"] = judged[other_key][i]["verdict"]
            r["flips_with_repeats"] = r["verdict_other_repeats"] != r["verdict"]
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
    out["verdict_text"] = out["verdict_text"].fillna(out["verdict"])
    out["verdict_other_repeats"] = out["verdict_other_repeats"].fillna(out["verdict"])
    out["flips_with_repeats"] = out["flips_with_repeats"].fillna(False).astype(bool)
    out["is_robust"] = out["is_robust"].fillna(False).astype(bool)
    for c in ("variants_agreeing", "n_variants"):
        out[c] = out[c].fillna(0).astype(int)
    for c in ("interval_allows", "precision", "depends_on", "dominance"):
        out[c] = out[c].fillna("")
    out["population"] = out["population"].fillna("-")
    out.attrs["evidence"] = evidence_text
    # the page's own cell first
    out.attrs["variants"] = {k: [r["verdict"] for r in judged[k]]
                             for k in sorted(judged, key=lambda k: k != headline)}
    return out


def board_tested(result: pd.DataFrame) -> pd.DataFrame:
    """The rows of the claims audit's table whose claim the job board tests (TESTED_RULE):
    its pay claims (JUDGED kinds) with a verdict other than no data. The sources page counts
    the job board's claims by the same rule from the same verdicts."""
    tested = np.array([tests_claim(v) for v in result["verdict"]], dtype=bool)
    return result[result["kind"].isin(JUDGED).to_numpy() & tested]


def grid_summary(result: pd.DataFrame) -> str:
    """The page's answer on the grid, from the audit's columns: how many of the pay claims the
    job board can test are robust, and which depend on a choice or rest on one advert."""
    judged = board_tested(result)
    if judged.empty:
        return "The job board can test none of the article's pay claims in this slice."
    n = len(judged)
    robust = judged[judged["is_robust"]]
    moved = judged[judged["depends_on"] != ""]
    held = judged[(judged["depends_on"] == "") & (judged["dominance"] != "")]
    parts = [capitalised(n_of(len(robust), n, "pay claim", "is",
                              qualifier="the job board can test")) + " robust (the same "
             "verdict in every variant of the grid, on no cell dominated by one advert)"
             + (": " + listing(f"{_short(c)} ({v})" for c, v in zip(
                 robust["claim"], robust["verdict"], strict=True)) if len(robust) else "")
             + "."]
    if len(moved):
        parts.append(capitalised(count_with_verb(len(moved), "verdict", "depends"))
                     + " on a choice: " + "; ".join(
                         "for {}, it {} ({})".format(_short(c), *d.split(": ", 1))
                         for c, d in zip(moved["claim"], moved["depends_on"], strict=True))
                     + ".")
    if len(held):
        parts.append(capitalised(count_with_verb(len(held), "verdict", "holds"))
                     + " in every variant but " + ("rests" if len(held) == 1 else "rest")
                     + " on a cell dominated by one advert, so "
                     + ("it is" if len(held) == 1 else "they are") + " not called robust: "
                     + listing(_short(c) for c in held["claim"]) + ".")
    return " ".join(parts)


def _short(claim: str) -> str:
    """A claim without its trailing note in brackets."""
    return re.sub(r" \([^()]*\)$", "", claim)


def grid_table(result: pd.DataFrame) -> pd.DataFrame:
    """The grid, one row per judged claim and one column per cell: the verdict each cell
    gives (column names: the cell's choices in words)."""
    variants = result.attrs.get("variants", {})
    judged = result[result["kind"].isin(JUDGED)]
    out = pd.DataFrame({"claim": judged["claim"].to_numpy()})
    for key, verdicts in variants.items():
        out[", ".join(CHOICE_VALUES.get(x, x) for x in key)] = verdicts[:len(out)]
    return out


def _row(kind: str, claim: str, section: str, evidence: str, verdict: str, direction: str,
         rule: str, possible: set[str] | None = None, dominated: float | None = None) -> dict:
    if kind not in KINDS or verdict not in VERDICTS:
        raise ValueError(f"audit row: kind {kind!r} / verdict {verdict!r} not recognised")
    return {"kind": kind, "claim": claim, "source_section": section, "evidence": evidence,
            "verdict": verdict, "direction": direction, "rule": rule,
            "possible": possible or {verdict}, "dominated": dominated}


def title_sensitivity(bands: pd.DataFrame, sensitivity: pd.DataFrame) -> pd.DataFrame:
    """Each contested title: its role's median and band verdict with and without it.

    verdict_with / verdict_without are the verdict's words (verdict_text: the estimate's
    verdict, then what the interval also allows); verdict_changes compares the estimates'
    verdicts."""
    rows = []
    band = bands.set_index("role_id")
    for title, g in sensitivity.groupby("job_title", sort=True):
        both = g.set_index("variant")
        if not {"with", "without"} <= set(both.index):
            continue
        role = both.loc["with", "role_id"]
        row = {"job_title": title, "role_id": role}
        points = {}
        for variant in ("with", "without"):
            s = both.loc[variant]
            row[f"n_{variant}"] = int(s["n_postings"])
            row[f"median_{variant}_usd"] = s["p50_usd"]
            if role not in band.index or s["reliability"] == "suppressed":
                row[f"verdict_{variant}"] = points[variant] = "no data"
                continue
            b = band.loc[role]
            point, possible, _ = band_judgement(
                b["salary_low_usd"], b["salary_high_usd"], s["median_range_min_usd"],
                ci_pair(s, "median_range_min"), s["median_range_max_usd"],
                ci_pair(s, "median_range_max"), s["p50_usd"], ci_pair(s, "p50"))
            points[variant] = point
            row[f"verdict_{variant}"] = verdict_text(point, possible)
        row["verdict_changes"] = points["with"] != points["without"]
        rows.append(row)
    return pd.DataFrame(rows, columns=["job_title", "role_id", "n_with", "median_with_usd",
                                       "verdict_with", "n_without", "median_without_usd",
                                       "verdict_without", "verdict_changes"])
