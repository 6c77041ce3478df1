"""Sentences about the official and growth evidence, built from the values analysis/ computes
(analysis/official.py and analysis/growth_evidence.py return tables and verdict labels; the
words a reader sees are made here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from aijobs import words
from aijobs.analysis import audit, growth_evidence, official
from aijobs.data import tables
from aijobs.sources import oews

# How a sentence names each source of an evidence table
SOURCE_NAMES = {official.BOARD: "the job board", official.OFFICIAL: "BLS OEWS",
                growth_evidence.BOARD_SERIES: "the job board",
                growth_evidence.OEWS_SERIES: "BLS OEWS",
                growth_evidence.INDEED_SERIES: "Indeed Hiring Lab"}

# How to read the claims audit's verdicts: a note at the end of its page.
READING_VERDICTS = (
    "The article quotes tech-hub averages without a source or a date; the postings are what one "
    "job board advertised for the page's slice (its settings), base pay only. Both facts pull "
    "the two apart, so a claim that is \"partly supported\" may simply describe a different "
    "population. Build the page with other filters (another experience level or other work "
    "years, say) to test a claim against another slice.")


def rule_notes(contested_titles: Mapping[str, str] | None = None,
               latest_full_year: int | None = None) -> dict[str, tuple[str, str]]:
    """Each rule that gives the claims audit a verdict, as a note for the end of its page:
    {kind: (title, rule)}. The page links each from where its verdicts are shown."""
    return {
        "band": ("The rule for pay bands", audit.BAND_RULE),
        "open_top": ("The rule for open-ended tops", audit.EXCEED_RULE),
        "ranking": ("The rule for the pay ranking", audit.RANKING_RULE),
        "no_data": ("Claims the postings cannot test",
                    "Growth, skills and learning claims get \"no data\" from the postings: "
                    f"{audit.SAME_QUANTITY_RULE}."),
        "grid": ("The rule for robustness", audit.grid_rule(
            dict(contested_titles) if contested_titles else None, latest_full_year)),
        "oews_band": ("The rule for pay bands against BLS OEWS", official.OEWS_BAND_RULE),
        "oews_open_top": ("The rule for open-ended tops against BLS OEWS",
                          official.OEWS_OPEN_TOP_RULE),
        "two_sources": ("The rule for two sources", official.OVERALL_RULE),
        "tested": ("What counts as a source testing a claim", audit.TESTED_RULE),
        "growth": ("The rule for growth claims", growth_evidence.GROWTH_RULE),
    }


def populations(year: int) -> str:
    """What each source describes, said once."""
    return (f"The job board: pay ranges advertised in job ads on aijobs.net (new openings). "
            f"BLS OEWS: {oews.POPULATION}, May {year}. The article: 'tech-hub averages' with "
            "no source, date or sample. The job board's ranges are base salary; BLS OEWS counts "
            "commissions and production bonuses but not overtime or year-end bonuses; the "
            "article does not say what its figures include.")


def row_verdict(verdict: str, allows: str) -> str:
    """One source's verdict in words from its table cells (verdict, interval_allows): the
    estimate's verdict, then what the interval also allows (audit.verdict_text)."""
    return audit.verdict_text(verdict, audit.possible_of(verdict, allows))


def _overall_text(group: pd.DataFrame) -> str:
    """The overall row of one claim in words, from its sources' rows and its agreement."""
    records = group.to_dict("records")
    line = next(r for r in records if r["source"] == "overall")
    tested = [r for r in records if r["source"] != "overall"
              and audit.tests_claim(r["verdict"], str(r.get("closeness", "-")))]
    context = [r for r in records if r["source"] != "overall" and r["verdict"] != "no data"
               and r not in tested]
    said = {SOURCE_NAMES.get(r["source"], r["source"]): row_verdict(r["verdict"],
                                                                     r["interval_allows"])
            for r in tested}
    agree = line["agreement"]
    loose = "".join(f" ({SOURCE_NAMES.get(r['source'], r['source'])}'s {r['verdict']} is "
                    "against a loose match, context only)" for r in context)
    if agree == "no source":
        return "no source can test it" + loose
    if agree == "one source":
        (name, text), = said.items()
        return f"only {name} can test it: {text}{loose}"
    if agree == "agree":
        wide = [f"{SOURCE_NAMES.get(r['source'], r['source'])}'s interval also allows "
                + audit.allowed_words(audit.interval_allows(
                    r["verdict"], audit.possible_of(r["verdict"], r["interval_allows"])))
                for r in tested if r["interval_allows"]]
        return (f"the sources agree: {line['verdict']}"
                + (f" by their estimates; {'; '.join(wide)}" if wide else ""))
    return "the sources disagree: " + ", ".join(
        f"{SOURCE_NAMES.get(r['source'], r['source'])} says {_in_brackets(r)}"
        for r in tested)


def _in_brackets(r: Mapping[str, Any]) -> str:
    """A source's verdict with what its interval also allows in brackets, for a list."""
    others = audit.interval_allows(r["verdict"],
                                   audit.possible_of(r["verdict"], r["interval_allows"]))
    return r["verdict"] + (f" by the estimate (its interval also allows "
                           f"{audit.allowed_words(others)})" if others else "")


def verdict_words(table: pd.DataFrame, keys: tuple[str, ...] = ("claim",)) -> pd.DataFrame:
    """An evidence table (official.pay_claims_by_source, growth_evidence.growth_claims,
    official.crosswalk_sensitivity) with verdict_text: each source's verdict and what its
    interval also allows, and on overall rows whether the sources agree."""
    out = table.copy()
    out["verdict_text"] = [row_verdict(v, a) for v, a in
                           zip(out["verdict"], out["interval_allows"], strict=True)]
    if "closeness" in out.columns:  # a loose match's verdict is context, not a test
        context = [v != "no data" and not audit.tests_claim(v, str(c)) for v, c in
                   zip(out["verdict"], out["closeness"].fillna("-"), strict=True)]
        out.loc[context, "verdict_text"] = (out.loc[context, "verdict_text"]
                                            + " (against a loose match: context only, not a "
                                              "test)")
    if "source" in out.columns:
        for _, group in out.groupby(list(keys), sort=False):
            overall = group.index[group["source"] == "overall"]
            if len(overall):
                out.loc[overall, "verdict_text"] = _overall_text(group)
    return out


def agreement_summary(by_source: pd.DataFrame) -> str:
    """One sentence counting the claims on which the sources' estimates agree, disagree, or
    only one (or neither) can test."""
    lines = by_source.loc[by_source["source"] == "overall", "agreement"]
    if lines.empty:
        return "No pay claim to compare."
    counts = lines.value_counts()
    parts = [f"the sources agree on {int(counts.get('agree', 0))}",
             f"disagree on {int(counts.get('disagree', 0))}"]
    if counts.get("one source", 0):
        parts.append(f"only one source can test {int(counts['one source'])}")
    if counts.get("no source", 0):
        parts.append(f"neither can test {int(counts['no source'])}")
    if "kind" in by_source.columns:  # which pay claims: the bands and open-ended tops
        kinds = by_source.loc[by_source["source"] == "overall", "kind"].value_counts()
        claims = words.listing(words.count(int(kinds[k]), k) for k in
                               ("pay band", "open-ended top", *sorted(
                                   set(kinds.index) - {"pay band", "open-ended top"}))
                               if kinds.get(k, 0))
    else:
        claims = words.count(len(lines), "pay claim")
    return f"Of {claims}, " + ", ".join(parts) + "."


def sensitivity_sentence(alternatives: pd.DataFrame, role_names: Mapping[str, str]) -> str:
    """Which roles' official verdict changes with the occupation chosen
    (official.crosswalk_sensitivity), saying when every occupation offered for such a role is a
    loose match, which counts as not testing the claim (audit.TESTED_RULE)."""
    changes = alternatives.groupby("role_id", sort=False)["verdict"].nunique()
    moved = []
    for role in (r for r in changes.index if changes[r] > 1):
        mine = alternatives[alternatives["role_id"] == role]
        name = str(role_names.get(role, role))
        if not any(audit.tests_claim(v, str(c)) for v, c in
                   zip(mine["verdict"], mine["closeness"], strict=True)):
            name += " (every occupation offered is a loose match, so none tests the claim)"
        moved.append(name)
    return (f"The official verdict changes with the occupation chosen for {len(moved)} of "
            f"{words.count(len(changes), 'role')}" + (f": {words.listing(moved)}." if moved
                                                       else "."))


def _crosses_zero(r: pd.Series) -> bool:
    lo, hi = r.get("change_ci95_low"), r.get("change_ci95_high")
    return pd.notna(lo) and pd.notna(hi) and lo <= 0 <= hi


def _moved(r: pd.Series, end: str) -> str:
    """'grew the most' / 'shrank the most' / 'grew the least'; 'came first' or 'came last'
    when its interval holds both growth and decline (neither can be said)."""
    if end == "most":
        return "came first" if _crosses_zero(r) else \
            "grew the most" if r["change"] >= 0 else "shrank the least"
    if _crosses_zero(r):
        return "came last"
    return "grew the least" if r["change"] >= 0 else "shrank the most"


def _unclear(r: pd.Series) -> str:
    if not _crosses_zero(r):
        return ""
    return (f"; its 95% interval, {r['change_ci95_low']:+.0%} to {r['change_ci95_high']:+.0%}, "
            "holds both growth and decline")


def employment_sentence(employment: pd.DataFrame) -> str:
    """Which occupation grew most and which least (or shrank most), from the values; a change
    whose 95% interval holds zero is not called growth or decline."""
    known = employment.dropna(subset=["change"]).sort_values("change", kind="stable")
    if known.empty:
        return "No occupation has employment estimates in both years."
    top, bottom = known.iloc[-1], known.iloc[0]
    first, last = int(top["first_year"]), int(top["last_year"])
    text = (f"From May {first} to May {last}, {top['occ_title']} {_moved(top, 'most')} "
            f"({top['change']:+.0%}: {top['first_employment']:,.0f} to "
            f"{top['last_employment']:,.0f} jobs{_unclear(top)})")
    if len(known) > 1:
        text += (f"; {bottom['occ_title']} {_moved(bottom, 'least')} "
                 f"({bottom['change']:+.0%}{_unclear(bottom)})")
    missing = employment.loc[employment["change"].isna(), "occ_code"].tolist()
    if missing:
        text += f". No estimate in both years for {', '.join(missing)}"
    return text + "."


def indeed_credit() -> str:
    """How a figure from Indeed's files is credited: 'Indeed Hiring Lab' and its licence, as
    data/sources.yaml names them."""
    return str(tables.load_sources()["indeed_hiring_lab"]["short_title"])


def peak_sentences(peaks: pd.DataFrame) -> list[str]:
    """One sentence per Indeed series: change from its peak, and where it stands against
    1 February 2020."""
    out = []
    for _, r in peaks.iterrows():
        level = ("above" if r["latest_index"] > 100 else
                 "below" if r["latest_index"] < 100 else "at")
        out.append(f"{r['series']}: {r['change_from_peak']:+.0%} from its peak on "
                   f"{r['peak_date']} to {r['latest_date']}, {level} its level of 1 February "
                   f"2020 (index {r['latest_index']:.1f}). Source: {indeed_credit()}.")
    return out
