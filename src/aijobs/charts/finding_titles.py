"""Chart titles that state what the chart shows, computed from the values it draws.

Each function takes the frame its chart draws and returns the headline (without the
subtitle), so the words follow the values: another snapshot, filter or scenario gets another
title. tests/charts/test_computed_words.py feeds each one data where the opposite holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from aijobs.analysis.growth_evidence import MIN_ADVERTS, share_change, wilson
from aijobs.formatting import money_k
from aijobs.words import (
    ABOVE,
    RISES,
    UP,
    capitalised,
    count,
    count_text,
    count_with_verb,
    direction,
    listing,
    n_of,
    percent_text,
)

if TYPE_CHECKING:  # the scenario model is not needed to word its values
    from aijobs.analysis.scenarios import AverageMove

_PLACES = ("below", "inside", "above")


def band_places(rows: pd.DataFrame, *, interval: bool) -> pd.Series:
    """Where each row's median falls against the article's band: 'below', 'inside' or 'above'
    (the one rule the chart titles and the page findings share).

    rows: salary_low_usd, salary_high_usd, median_usd (rows without one are dropped) and, with
    interval=True, median_low_usd / median_high_usd: then 'below' and 'above' mean the whole
    95% interval is outside the band. A band marked open-ended (is_open_ended true) has no top,
    so nothing is above it."""
    shown = rows.dropna(subset=["median_usd"])
    lo = shown["median_low_usd"] if interval else shown["median_usd"]
    hi = shown["median_high_usd"] if interval else shown["median_usd"]
    capped = ~shown["is_open_ended"].fillna(False).astype(bool) if "is_open_ended" in shown \
        else pd.Series(True, index=shown.index)
    place = pd.Series("inside", index=shown.index)
    place[hi < shown["salary_low_usd"]] = "below"
    place[(lo > shown["salary_high_usd"]) & capped] = "above"
    return place


def band_position_title(rows: pd.DataFrame, who: str, *, interval: bool) -> str:
    """Where a median falls against the article's band, role by role: 'The postings' median is
    inside the article's band for 3 of the 5 roles, below it for 2'.

    rows: salary_low_usd, salary_high_usd, median_usd, optionally is_open_ended and, with
    interval=True, median_low_usd / median_high_usd (its 95% interval); a role without a
    median (NaN) is left out and counted. The places are the medians' own (band_places with
    interval=False, as the page's findings say them); with an interval the title adds how many
    medians outside the band have a 95% interval that still reaches it, so it never says a
    median is inside when it is not."""
    shown = rows.dropna(subset=["median_usd"])
    place = band_places(shown, interval=False)
    counts = {p: int((place == p).sum()) for p in _PLACES}
    n = len(shown)
    missing = len(rows) - n
    tail = f"; {count_with_verb(missing, 'role', 'has')} no reportable median" if missing else ""
    if not n:
        return f"No role has {who} median to set against the article's band"
    order = sorted((p for p in _PLACES if counts[p]), key=lambda p: -counts[p])
    first = order[0]
    subject = n_of(counts[first], n, "role", "is")  # '3 of the 5 roles', 'all 5 roles'
    roles = subject.rsplit(" ", 1)[0]
    text = f"{capitalised(who)} median is {first} the article's band for {roles}"
    rest = [f"{p} it for {counts[p]}" for p in order[1:]]
    if rest:
        text += ", " + listing(rest)
    outside = place != "inside"
    if interval and outside.any():
        reaches = outside & (band_places(shown, interval=True) == "inside")
        k, m = int(reaches.sum()), int(outside.sum())
        if k and m == 1:
            text += " (its 95% interval reaches the band)"
        elif k:
            text += (f" ({n_of(k, m, 'role', 'has', qualifier='outside it')} a 95% interval "
                     "that reaches the band)")
    return text + tail


def _relative(change: float) -> str:
    """-0.31 -> '31% below', 0.05 -> '5% above', 0 -> 'level with'."""
    where = direction(change, ABOVE, tolerance=0.005)
    return where if where == ABOVE[2] else f"{percent_text(abs(change))} {where}"


def postings_index_title(postings: pd.DataFrame, overall: str = "All US postings") -> str:
    """Where Indeed's series end against 1 February 2020 (index 100), and when: the
    all-postings series and the range of the sector series (which may end earlier)."""
    ordered = postings.sort_values("date").groupby("series")
    last = ordered["index_sa"].last() / 100 - 1
    ends = pd.to_datetime(ordered["date"].last())

    def on(days: pd.Series) -> str:
        first, latest = days.min(), days.max()
        if first == latest:
            return f"on {first.day} {first:%b %Y}"
        return f"on days from {first.day} {first:%b %Y} to {latest.day} {latest:%b %Y}"

    parts = []
    if overall in last:
        parts.append(f"{overall} end {_relative(float(last[overall]))} their 1 Feb 2020 level "
                     f"{on(ends[[overall]])}")
    sectors = last.drop(overall, errors="ignore").sort_values()
    if len(sectors) == 1:
        parts.append(f"{sectors.index[0]} ends {_relative(float(sectors.iloc[0]))} its own "
                     f"{on(ends[sectors.index])}")
    elif len(sectors):
        low, high = float(sectors.iloc[0]), float(sectors.iloc[-1])
        same_side = direction(low, ABOVE, tolerance=0.005) == direction(high, ABOVE,
                                                                        tolerance=0.005)
        if same_side and direction(low, ABOVE, tolerance=0.005) != ABOVE[2]:
            a, b = sorted((abs(low), abs(high)))
            span = f"{percent_text(a)} to {percent_text(b)} {direction(low, ABOVE)}"
        else:
            span = f"between {_relative(low)} and {_relative(high)}"
        parts.append(f"the sectors nearest to AI end {span} theirs {on(ends[sectors.index])}")
    if not parts:
        return "No Indeed series to show"
    return capitalised("; ".join(parts))


def board_share_title(shares: pd.DataFrame, first: int, last: int,
                      min_adverts: int = MIN_ADVERTS) -> str:
    """How many roles' shares of the board's adverts clearly rose or fell between two years
    (clearly: the conservative interval of the change excludes zero), by the growth rule's
    minimum (min_adverts in each year; a role with fewer is counted apart, as too few to
    compare, whatever its interval); shares is growth_evidence.board_shares' output."""
    rose = fell = few = 0
    roles = list(dict.fromkeys(shares["role_id"]))
    for role in roles:
        change = share_change(shares, role, first, last)
        if change is None or min(change["first_postings"], change["last_postings"]) < min_adverts:
            few += 1
            continue
        rose += change["low"] > 0
        fell += change["high"] < 0
    n = len(roles)
    unclear = n - few - rose - fell
    too_few = (f"{count(few, 'role')} had too few adverts to compare (fewer than {min_adverts} "
               "in a year)")
    if not rose and not fell:
        if not unclear:
            return (f"From {first} to {last}, no role had enough adverts to compare its share of "
                    f"the board's adverts (at least {min_adverts} in each year)")
        text = (f"From {first} to {last}, no role's share of the board's adverts changed by "
                "more than its interval")
        return text + (f"; {too_few}" if few else "")
    lead, other, lead_verb, other_verb = ((fell, rose, "lost", "gained") if fell >= rose
                                          else (rose, fell, "gained", "lost"))
    text = (f"From {first} to {last}, {n_of(lead, n, 'role', lead_verb)} share of the board's "
            f"adverts")
    if other:
        text += f" and {count(other, 'role')} {other_verb}"
    if unclear:
        text += f"; {count(unclear, 'role')} changed too little to tell"
    if few:
        text += f"; {too_few}"
    return text


def coverage_title(counts: pd.DataFrame) -> str:
    """Which source can test most of the article's claims: 'aijobs.net salary survey can test
    6 of the 9 claims, BLS OEWS 6 and Indeed Hiring Lab 0'."""
    if counts.empty:
        return "No source to set against the article's claims"
    c = counts.assign(total=counts["claims_tested"] + counts["claims_not_tested"])
    c = c.sort_values("claims_tested", ascending=False, kind="stable")
    total = int(c["total"].max())
    top = c.iloc[0]
    if not top["claims_tested"]:
        return f"No source can test any of the article's {count(total, 'claim')}"
    short = [str(s).split(" (")[0] for s in c["source"]]
    text = f"{short[0]} can test {int(top['claims_tested'])} of the {count(total, 'claim')}"
    others = [f"{s} {int(k)}" for s, k in zip(short[1:], c["claims_tested"].iloc[1:],
                                              strict=True)]
    return text + (", " + listing(others) if others else "")


# How each kind of dollars is named after a change ('up 6.5% nominal', 'down 5.9% in today's
# dollars')
DOLLARS = {"nominal": "nominal", "real": "in today's dollars"}
SET_VALUES = "at the scenario's set values"


def moved_text(change: float, words: Sequence[str] = UP) -> str:
    """'up 6.5%', 'down 18.6%', 'unchanged': a relative change to one decimal, its word from
    its rounded sign (words: up, down, level)."""
    word = direction(round(change * 100, 1), words)
    return word + (f" {percent_text(abs(change), 1)}" if word != words[2] else "")


def differs(change: float, other: float | None) -> bool:
    """Whether `other` (the same change in the other kind of dollars) moves the other way (to
    one decimal): only then does a sentence name it."""
    return other is not None and not math.isnan(other) and not math.isnan(change) and \
        direction(round(change * 100, 1), UP) != direction(round(other * 100, 1), UP)


def dollars_move_text(changes: Mapping[str, float], basis: str) -> str:
    """A change in the page's dollars, named nominal or real, and in the other dollars too
    where it moves the other way: 'down 18.6% nominal'; 'up 6.5% nominal but down 5.9% in
    today's dollars'."""
    other = "real" if basis == "nominal" else "nominal"
    text = f"{moved_text(changes[basis])} {DOLLARS[basis]}"
    if differs(changes[basis], changes.get(other)):
        text += f" but {moved_text(changes[other])} {DOLLARS[other]}"
    return text


def band_shift_title(move: AverageMove, scenario: str = "") -> str:
    """The band chart's headline (and the index card's): how the average midpoint moves at the
    scenario's set values, which the chart draws, then, where anything is drawn, the median of
    the draws, which the path chart draws; each nominal or in today's dollars, with the other
    kind named where it moves the other way. scenario: the scenario's title, HTML-escaped."""
    changes = {b: move.set_change(b) for b in move.set_usd}
    head = f"{scenario}: {SET_VALUES}" if scenario else capitalised(SET_VALUES)
    text = (f"{head}, the average midpoint is {dollars_move_text(changes, move.basis)} by "
            f"year {move.horizon}")
    if move.drawn_usd is not None:
        drawn = {b: move.drawn_change(b) for b in move.drawn_usd}
        text += f"; the median of the draws is {dollars_move_text(drawn, move.basis)}"
    return text


def average_path_title(years: Sequence[float], mids: Sequence[float], basis: str, *,
                       drawn: bool = False, other_change: float | None = None) -> str:
    """How the average role's midpoint moves from the first year to the last: 'At the
    scenario's set values, the average role's midpoint rises 10.9%, from $171K to $190K, by year
    5 (nominal dollars)'; other_change, the same change in the other kind of dollars, is named
    where it moves the other way ('...; in today's dollars it falls 2.0%')."""
    frame = pd.DataFrame({"year": years, "mid": mids}).groupby("year")["mid"].mean()
    if frame.empty:
        return "No path to show"
    start, end = float(frame.iloc[0]), float(frame.iloc[-1])
    change = end / start - 1 if start else math.nan
    verb = direction(round(change * 100, 1), RISES)
    by = "" if verb == RISES[2] else f" {percent_text(abs(change), 1)}"
    # drawn: the mids are the medians of the Monte Carlo draws, which differ from the
    # scenario's path at its set values (the tables and the band chart); the title says which
    whose = "Across the draws, the average role's median midpoint" if drawn else \
        f"{capitalised(SET_VALUES)}, the average role's midpoint"
    other = "real" if basis == "nominal" else "nominal"
    tail = ""
    if other_change is not None and differs(change, other_change):
        where = "in nominal dollars" if other == "nominal" else DOLLARS[other]
        tail = (f"; {where} it {direction(round(other_change * 100, 1), RISES)} "
                f"{percent_text(abs(other_change), 1)}")
    return (f"{whose} {verb}{by}, from {money_k(start)} to {money_k(end)}, "
            f"by year {int(frame.index[-1])} ({basis} dollars{tail})")


def slider_title(rates: Sequence[float], mean_mids_usd: Sequence[float], horizon: int,
                 lever: str) -> str:
    """What the slider moves: the average year-N midpoint at the lowest and the highest
    setting, in nominal dollars (slider_steps), the other settings at their set values. lever
    names the setting ('normalization rate')."""
    if not len(rates):
        return f"No {lever} to slide over"
    a, b = float(mean_mids_usd[0]), float(mean_mids_usd[-1])
    verb = direction(b - a, ("rises", "falls", "stays"), tolerance=0.5)
    return (f"Drag the slider: as the {lever} goes from {rates[0]:.0%} to {rates[-1]:.0%}, the "
            f"average year-{horizon} midpoint {verb} from {money_k(a)} to {money_k(b)} "
            "(nominal, the other settings at their set values)")


def entry_share_title(entry: pd.DataFrame) -> str:
    """Which roles' postings ask most and least often for entry-level people, in the year with
    the most roles reportable (the latest of equals; a partly covered latest year has few),
    entry: role_name, work_year, entry_share; reportable rows only."""
    if entry.empty:
        return "No role has enough postings to show an entry-level share"
    per_year = entry.groupby("work_year").size()
    year = max(per_year.index, key=lambda y: (per_year[y], y))
    latest = entry[entry["work_year"] == year].sort_values("entry_share", ascending=False)
    top, low = latest.iloc[0], latest.iloc[-1]
    if len(latest) == 1:
        return (f"In {year}, {percent_text(top['entry_share'])} of {top['role_name']} postings "
                "ask for entry-level people")
    text = (f"In {year}, {top['role_name']} postings ask most often for entry-level people "
            f"({percent_text(top['entry_share'])}), {low['role_name']} least "
            f"({percent_text(low['entry_share'])})")
    if "n_postings" in latest:
        # the runner-up's 95% interval reaching the leader's: the order cannot be told
        def interval(row: pd.Series) -> tuple[float, float]:
            n = int(row["n_postings"])
            return wilson(round(float(row["entry_share"]) * n), n)

        second = latest.iloc[1]
        if len(latest) > 2 and interval(second)[1] >= interval(top)[0]:
            text += (f"; {top['role_name']}'s 95% interval overlaps {second['role_name']}'s "
                     f"({percent_text(second['entry_share'])}), so which asks most is not "
                     "settled")
        elif len(latest) == 2 and interval(second)[1] >= interval(top)[0]:
            text += "; the two 95% intervals overlap, so the order is not settled"
    return text


def region_title(ratios: Sequence[float]) -> str:
    """How pay at companies outside the US compares with US companies', over the countries
    shown (ratios to the US median, the US itself left out): only those with enough adverts to
    report, so the title speaks of them, not of every country outside the US."""
    r = [float(x) for x in ratios]
    if not r:
        return "No country outside the US has a reliable median"
    lower = sum(x < 1 for x in r)
    where = ("the one country outside the US with enough adverts to report" if len(r) == 1
             else f"the {count_text(len(r))} countries outside the US with enough adverts to "
                  "report")
    if lower == len(r):
        return (f"In {'' if len(r) == 1 else 'each of '}{where}, AI pay in the survey is "
                "below US companies'")
    if lower == 0:
        return f"In {'' if len(r) == 1 else 'none of '}{where}, AI pay in the survey is " + (
            "not below US companies'" if len(r) == 1 else "below US companies'")
    return f"AI pay in the survey is below US companies' in {lower} of {where}"


def period_note(growth: pd.DataFrame, period_years: float) -> str:
    """How the growth charts read the figures' period, and whether the figures state one:
    'figures read as growth over one year; the article gives no period'."""
    reading = "one year" if period_years == 1 else f"{period_years:g} years"
    if "growth_period" not in growth:  # a projection: the reading is all it knows
        return f"figures read as growth over {reading}"
    stated = ~growth["growth_period"].astype(str).str.lower().isin(["unstated", "", "nan",
                                                                     "<na>"])
    if not stated.any():
        given = "the article gives no period"
    elif stated.all():
        given = "each figure states its own period"
    else:
        given = (f"{n_of(int((~stated).sum()), len(stated), 'figure', 'gives')} no period")
    return f"figures read as growth over {reading}; {given}"
