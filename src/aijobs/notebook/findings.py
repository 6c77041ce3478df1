"""What each page found, in two or three sentences computed from the values the page shows.

Each report's notebook passes the tables it has already computed to its function here and
shows the sentences with display.show_findings; the report build lifts them to the top of the
page, under its title. Nothing here is typed: every number, direction and verdict comes from
the tables, so other data give other sentences (tests/notebook/test_findings.py feeds data where
the opposite holds).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import pandas as pd

from aijobs import words
from aijobs.analysis import audit
from aijobs.analysis.scenarios import AverageMove
from aijobs.analysis.transforms import labelled
from aijobs.charts import finding_titles
from aijobs.notebook import evidence_words, scenario_pages, source_pages


def _usd(value: float) -> str:
    return f"${value:,.0f}"


def growth_rates(growth: pd.DataFrame, periods: pd.DataFrame, horizon_years: int,
                 employment: pd.DataFrame | None = None,
                 peaks: pd.DataFrame | None = None) -> list[str]:
    """The fastest-growing role and the range its figure allows, then what the official
    employment series and Indeed's postings index show."""
    out = []
    if not growth.empty:
        top = growth.sort_values("growth_pct", ascending=False, kind="stable").iloc[0]
        mine = periods[periods["role_name"] == top["role_name"]]["demand_index"]
        text = (f"{top['role_name']} grows fastest in the article "
                f"({top['growth_pct']:+.0f}%)")
        if not mine.empty:
            low, high = float(mine.min()), float(mine.max())
            text += (f"; the article gives no period, so after {words.count(horizon_years, 'year')}"
                     f" demand is {words.times_text(low, 1)} to {words.times_text(high, 1)}"
                     " today's, depending on the period read into it")
        out.append(text + ".")
    if employment is not None and not employment.empty:
        out.append(evidence_words.employment_sentence(employment))
    if peaks is not None and not peaks.empty:
        out.append(evidence_words.peak_sentences(peaks.iloc[:1])[0])
    return out


def _ends(ranked: pd.DataFrame, one: Callable[[pd.Series], str],
          both: Callable[[pd.Series, pd.Series], str]) -> list[str]:
    """The sentence about a ranked table's ends: `one` of its only row, `both` of its first and
    last rows; nothing for an empty table."""
    if len(ranked) == 1:
        return [one(ranked.iloc[0])]
    if len(ranked) > 1:
        return [both(ranked.iloc[0], ranked.iloc[-1])]
    return []


def _survey_medians(role_pay: pd.DataFrame) -> pd.DataFrame:
    """Each role's median over all postings, where it is graded (not suppressed)."""
    rows = role_pay
    if "group" in rows.columns:
        rows = rows[rows["group"] == "all"]
    return rows[rows["reliability"] != "suppressed"].dropna(subset=["p50_usd"])


def compensation_bands(bands: pd.DataFrame, role_pay: pd.DataFrame | None = None, *,
                       from_article: bool = True) -> list[str]:
    """The best- and worst-paid role by the band's (adjusted) midpoint, and where the median
    job posting falls against each role's band; from_article=False when the bands come from a
    file of the reader's own (the sentences then name that file's bands, not the article's)."""
    out = []
    mid = "adjusted_midpoint_usd" if "adjusted_midpoint_usd" in bands.columns else "midpoint_usd"
    ranked = bands.dropna(subset=[mid]).sort_values(mid, ascending=False, kind="stable")
    adjusted = ("midpoint_usd" in bands.columns and mid != "midpoint_usd"
                and not (ranked[mid] - ranked["midpoint_usd"]).abs().lt(0.5).all())
    whose = "In the article's bands" if from_article else "In the bands file given"
    if adjusted:
        whose += " as this page's settings adjust them"
    band = "the article's band" if from_article else "the band given"
    out += _ends(ranked,
                 lambda r: f"{whose}, {r['role_name']}'s band has its midpoint at "
                           f"{_usd(r[mid])} a year.",
                 lambda top, bottom: f"{whose}, {top['role_name']} has the highest midpoint, "
                                     f"{_usd(top[mid])} a year; {bottom['role_name']} the "
                                     f"lowest, {_usd(bottom[mid])}.")
    if role_pay is not None and not ranked.empty:
        medians = _survey_medians(role_pay).set_index("role_id")
        low_col = "adjusted_low_usd" if "adjusted_low_usd" in bands.columns else "salary_low_usd"
        high_col = "adjusted_high_usd" if "adjusted_high_usd" in bands.columns \
            else "salary_high_usd"
        rows = ranked[ranked["role_id"].isin(medians.index)]
        pay = medians.reindex(rows["role_id"])
        against = pd.DataFrame({
            "role_name": rows["role_name"].to_numpy(),
            "salary_low_usd": rows[low_col].to_numpy(),
            "salary_high_usd": rows[high_col].to_numpy(),
            "is_open_ended": (rows["is_open_ended"].to_numpy() if "is_open_ended" in rows
                              else False),
            "median_usd": pay["p50_usd"].to_numpy(),
            "median_low_usd": pay.get("p50_ci95_low_usd", pay["p50_usd"]).to_numpy(),
            "median_high_usd": pay.get("p50_ci95_high_usd", pay["p50_usd"]).to_numpy()})
        point = finding_titles.band_places(against, interval=False)
        reach = finding_titles.band_places(against, interval=True)
        n = len(point)
        if n:
            named = {p: list(against.loc[point[point == p].index, "role_name"])
                     for p in ("below", "above")}
            parts = [f"{p} it for {len(named[p])}"
                     + (f" ({words.listing(named[p])})" if named[p] else "")
                     for p in ("below", "above")]
            out.append(f"The median job posting falls inside {band} for "
                       f"{int((point == 'inside').sum())} of {words.count(n, 'role')} with "
                       f"enough postings, {parts[0]} and {parts[1]}.")
            near = list(against.loc[(point != "inside") & (reach == "inside"), "role_name"])
            if near:
                out.append(f"For {words.listing(near)}, the median's 95% interval reaches the "
                           "band, so that gap is within the uncertainty.")
        else:
            out.append("No role has enough job postings to set against its band.")
    return out


def entry_competitiveness(entry: pd.DataFrame, first_role: pd.DataFrame) -> list[str]:
    """The most contested way in and the usual start, then the quickest and the longest
    learning path to a first role."""
    out = []
    if not entry.empty:
        hardest = entry.sort_values("rank_hardest_first", kind="stable").iloc[0]
        text = ("In the article, the most contested way in is "
                f"{words.lower_first(hardest['entry_label'])}")
        usual = entry[entry["is_most_common_start"].astype(bool)]
        if not usual.empty and usual.iloc[0]["entry_id"] != hardest["entry_id"]:
            text += ("; it says most people start from "
                     f"{words.lower_first(usual.iloc[0]['entry_label'])}")
        out.append(text + ".")
    paths = first_role.dropna(subset=["months_min"]).sort_values(
        ["months_max", "months_min"], kind="stable")

    def span(r: pd.Series) -> str:
        low, high = words.count_text(r["months_min"]), words.count_text(r["months_max"])
        return f"{low} months" if low == high else f"{low} to {high} months"

    out += _ends(paths,
                 lambda r: f"By the article's month ranges, the {r['path_name']} path takes "
                           f"{span(r)} of study before a first role.",
                 lambda quick, slow: "By the article's month ranges, the "
                                     f"{quick['path_name']} path asks the shortest study "
                                     f"before a first role, {span(quick)}; the "
                                     f"{slow['path_name']} path the longest, {span(slow)} "
                                     "(months of study: the article gives no time to find "
                                     "the role).")
    return out


def survey_evidence(role_pay: pd.DataFrame, premium: pd.DataFrame) -> list[str]:
    """The best- and worst-paid role on the job board, with n and interval, and how many AI
    roles pay more than Software Engineer postings beyond doubt."""
    out = []
    graded = _survey_medians(role_pay).sort_values("p50_usd", ascending=False, kind="stable")
    name = "role_name" if "role_name" in graded.columns else "role_id"
    if not graded.empty:
        top = graded.iloc[0]
        text = (f"Among roles with enough postings, {top[name]} pays the most: a median of "
                f"{_usd(top['p50_usd'])} (95% interval {_usd(top['p50_ci95_low_usd'])} to "
                f"{_usd(top['p50_ci95_high_usd'])}, "
                f"{words.count(top['n_adverts'], 'distinct advert')})")
        if len(graded) > 1:
            bottom = graded.iloc[-1]
            text += f"; {bottom[name]} the least, {_usd(bottom['p50_usd'])}"
            # a ranking is only as firm as the intervals: name the roles the top one cannot be
            # told apart from (their 95% intervals overlap)
            rest = graded.iloc[1:]
            close = rest[rest["p50_ci95_high_usd"] >= top["p50_ci95_low_usd"]]
            if len(close):
                # named: after 'X the least', 'its' would read as X's
                text += (f". {top[name]}'s interval overlaps {words.listing(close[name])}'s"
                         if len(close) < len(rest) else
                         f". {top[name]}'s interval overlaps every other role's")
                text += ", so the order among them is not settled"
        out.append(text + ".")
    pooled = premium[(premium["group"] == "all") & (premium["baseline"] == "software_engineer")
                     & premium["is_computable"].astype(bool)]
    if not pooled.empty:
        more = int((pooled["premium_ci95_low"] > 0).sum())
        less = int((pooled["premium_ci95_high"] < 0).sum())
        unclear = len(pooled) - more - less
        out.append(f"Against Software Engineer postings, {more} of "
                   f"{words.count(len(pooled), 'AI role')} {words.verb_for(more, 'pays')} more "
                   f"with the 95% interval above zero, {less} less, and {unclear} cannot be "
                   "told apart.")
    return out


def claims_audit(result: pd.DataFrame) -> list[str]:
    """How the article's numeric claims fare against the postings, and how many verdicts turn
    on how repeated adverts are counted."""
    if result.empty:
        return ["The article states no numeric claim to audit."]
    families = result["verdict"].value_counts()
    parts = [f"{int(families[v])} {v}" for v in audit.VERDICTS if families.get(v, 0)]
    wide = 0
    if "interval_allows" in result.columns:
        tested = result[result["verdict"] != "no data"]
        wide = int((tested["interval_allows"].fillna("") != "").sum())
    out = [f"Of the article's {words.count(len(result), 'numeric claim')} held against the job "
           f"postings: {words.listing(parts)}"
           + (f" (the verdicts of the estimates; for {wide} of them the 95% interval also "
              "allows another verdict)." if wide else ".")]
    if "verdict_other_repeats" in result.columns:
        flips = int((result["verdict"] != result["verdict_other_repeats"]).sum())
        out.append(f"{words.capitalised(words.count_with_verb(flips, 'verdict', 'changes'))} "
                   "when identical adverts are counted the other way."
                   if flips else
                   "No verdict changes when identical adverts are counted the other way.")
    if {"is_robust", "depends_on", "kind"} <= set(result.columns):
        judged = audit.board_tested(result)
        if len(judged):
            robust = int(judged["is_robust"].sum())
            moved = judged[judged["depends_on"] != ""]
            choices = list(dict.fromkeys(
                c for d in moved["depends_on"] for c in
                d.removeprefix("depends on ").split(": ", 1)[0].split(" and ")))
            out.append(words.capitalised(words.n_of(
                robust, len(judged), "pay claim", "is", qualifier="the job board can test"))
                + " robust to every choice in the grid"
                + (f"; {words.count_with_verb(len(moved), 'verdict', 'depends')} on "
                   f"{words.listing(choices)}" if len(moved) else "") + ".")
    return out


def sources(table: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """How many of the article's pay and growth claims each source can test."""
    return [source_pages.counts_sentence(table, rows)]


def overview(roles: pd.DataFrame, skills: pd.DataFrame, shelf_life_months: float | None,
             first_role: pd.DataFrame) -> list[str]:
    """How many roles of each group the article names, the skills it calls under-appreciated,
    and whether its learning paths fit inside the shelf life it gives skills."""
    out = []
    if not roles.empty:
        groups = roles["role_group"].value_counts(sort=False)
        parts = [f"{int(n)} {words.lower_first(label)}" for label, n in
                 zip(labelled(pd.Series(groups.index)), groups.to_numpy(), strict=True)]
        out.append(f"The article names {words.count(len(roles), 'role')}: "
                   f"{words.listing(parts)}.")
    if not skills.empty:
        under = skills[skills["is_underrated"].astype(bool)]["skill_name"].tolist()
        if under:
            out.append(f"It calls {words.count(len(under), 'skill')} under-appreciated: "
                       f"{words.listing(under)}.")
    timed = first_role.dropna(subset=["months_max"])
    if shelf_life_months is not None and not timed.empty:
        longest = float(timed["months_max"].max())
        shelf = words.count_text(shelf_life_months)
        if longest <= shelf_life_months:
            out.append(f"Every learning path's timed study (at most "
                       f"{words.count_text(longest)} months) fits inside the {shelf} months the "
                       "article gives a skill before it dates.")
        else:
            out.append(f"The longest learning path ({words.count_text(longest)} months) outlasts "
                       f"the {shelf} months the article gives a skill before it dates.")
    return out


def salary_scenario(split: pd.DataFrame, horizon_years: int,
                    move: AverageMove | None = None) -> list[str]:
    """The scenario's effect apart from wage growth and the role whose midpoint moves most, at
    the scenario's set values (nominal dollars); given its AverageMove, the median of the draws
    against them, and each change in today's dollars where it goes the other way."""
    out = [scenario_pages.headline(split, horizon_years)]
    if move is not None and (drawn := scenario_pages.drawn_sentence(move)):
        out.append(drawn)
    inflation = move.inflation if move is not None else math.nan

    def in_real(change: float) -> str:
        """'; X% in today's dollars' where the real change goes the other way."""
        real = (1 + change) / (1 + inflation) ** horizon_years - 1
        if not finding_titles.differs(change, real):
            return ""
        return f", {finding_titles.moved_text(real)} in today's dollars"

    if not split.empty:
        change = split["mid_horizon_usd"] - split["mid_today_usd"]
        r = split.loc[change.abs().idxmax()]
        verb = "rises" if r["mid_horizon_usd"] >= r["mid_today_usd"] else "falls"
        relative = split["mid_horizon_usd"] / split["mid_today_usd"] - 1
        same = len(split) > 1 and float(relative.max() - relative.min()) < 0.0005
        moves = (f"it {verb} from {_usd(r['mid_today_usd'])} today to "
                 f"{_usd(r['mid_horizon_usd'])} in year {horizon_years}")
        if same:
            rel = float(relative.iloc[0])
            all_verb = "rises" if rel >= 0 else "falls"
            real = in_real(rel)
            out.append(f"At the set values, every role's nominal midpoint {all_verb} "
                       f"{words.percent_text(abs(rel), 1)} by year {horizon_years}"
                       + (f" ({real.removeprefix(', ')})" if real else "")
                       + f"; in dollars {r['role_name']}'s, the highest, moves most: {moves}.")
        else:
            # the roles that move most in percent, to the tenth of a point shown (a tie names
            # them all)
            leaders = list(relative.index[relative.abs() >= relative.abs().max() - 0.0005])
            top = leaders[0]
            text = (f"At the set values, {r['role_name']}'s nominal midpoint moves most in "
                    f"dollars: {moves} ({relative[r.name]:+.1%}{in_real(relative[r.name])})")
            if r.name not in leaders:
                names = words.listing([f"{split.loc[i, 'role_name']}'s" for i in leaders])
                verb = "moves most" if len(leaders) == 1 else "move most, equally"
                text += (f"; in percent, {names} {verb} "
                         f"({relative[top]:+.1%}{in_real(relative[top])})")
            out.append(text + ".")
    return out


def _quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def scenario_comparison(paths: pd.DataFrame, at_horizon: pd.DataFrame, horizon_years: int,
                        moves: Mapping[str, AverageMove] | None = None,
                        basis: str = "nominal") -> list[str]:
    """Which scenario leaves the average role best and worst paid at the horizon and the role
    the scenarios disagree about most, by the medians of the draws (what the chart plots:
    paths' p50_usd), each against the scenarios' set values (at_horizon's mid_usd, the table);
    given each scenario's AverageMove by title, the scenarios under which the average role's
    median moves the other way in the other kind of dollars."""
    if paths.empty:
        return ["No scenario to compare."]
    out = []
    dollars = "nominal dollars" if basis == "nominal" else "today's dollars"
    end = paths[paths["year"] == horizon_years]
    drawn = end.groupby("scenario_title", sort=False)["p50_usd"].mean().sort_values(
        kind="stable")
    at_set = at_horizon.groupby("scenario_title", sort=False)["mid_usd"].mean().sort_values(
        kind="stable")
    if len(drawn) > 1:
        high, low = drawn.index[-1], drawn.index[0]
        if (at_set.index[-1], at_set.index[0]) == (high, low):
            against = (f"at the scenarios' set values (the table) they are "
                       f"{_usd(at_set[high])} and {_usd(at_set[low])}")
        else:
            against = (f"at the scenarios' set values (the table) the highest is "
                       f"{_quoted(at_set.index[-1])} ({_usd(at_set.iloc[-1])}) and the lowest "
                       f"{_quoted(at_set.index[0])} ({_usd(at_set.iloc[0])})")
        out.append(f"In year {horizon_years}, across the draws, the average role's median "
                   f"midpoint ({dollars}, as the chart plots) is highest under {_quoted(high)} "
                   f"({_usd(drawn[high])}) and lowest under {_quoted(low)} ({_usd(drawn[low])}), "
                   f"{_usd(round(drawn[high]) - round(drawn[low]))} apart; {against}.")
        spread = end.groupby("role_name", sort=True)["p50_usd"].agg(["min", "max"])
        spread = spread.assign(width=spread["max"] - spread["min"]).sort_values(
            "width", ascending=False, kind="stable")
        if not spread.empty:
            role, r = spread.index[0], spread.iloc[0]
            mine = at_horizon.loc[at_horizon["role_name"] == role, "mid_usd"]
            out.append(f"The scenarios disagree most about {role}: the median of its year-"
                       f"{horizon_years} midpoint's draws runs from {_usd(r['min'])} to "
                       f"{_usd(r['max'])} ({dollars}; at the set values, {_usd(mine.min())} to "
                       f"{_usd(mine.max())}).")
    if moves:
        other = "real" if basis == "nominal" else "nominal"
        flips = []
        for title, m in moves.items():
            a = m.drawn_change(basis) if m.drawn_usd is not None else m.set_change(basis)
            b = m.drawn_change(other) if m.drawn_usd is not None else m.set_change(other)
            if finding_titles.differs(a, b):
                flips.append(f"{_quoted(title)} ({finding_titles.moved_text(a)} "
                             f"{finding_titles.DOLLARS[basis]}, {finding_titles.moved_text(b)} "
                             f"{finding_titles.DOLLARS[other]})")
        where = "in today's dollars" if other == "real" else "in nominal dollars"
        if flips:
            out.append(f"From today to year {horizon_years}, {where} the average role's median "
                       f"midpoint moves the other way under "
                       f"{len(flips)} of the {words.count(len(moves), 'scenario')}: "
                       f"{words.listing(flips)}.")
        else:
            out.append(f"From today to year {horizon_years}, the average role's median midpoint "
                       f"moves the same way {where} as in {dollars} under every scenario.")
    return out
