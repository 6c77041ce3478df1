"""The sources page: each data source side by side, and which of the article's claims it can
and cannot test (computed from the same evidence rows the claims audit shows)."""

from __future__ import annotations

import pandas as pd

from aijobs.analysis import audit, growth_evidence, official, transforms
from aijobs.data import tables
from aijobs.notebook import evidence_words
from aijobs.sources import derived
from aijobs.survey import evidence
from aijobs.words import count, spelled_count

# The label each evidence table gives a source -> its id in data/sources.yaml
SOURCE_OF_LABEL = {official.BOARD: "aijobs_survey", official.OFFICIAL: "bls_oews",
                   growth_evidence.BOARD_SERIES: "aijobs_survey",
                   growth_evidence.OEWS_SERIES: "bls_oews",
                   growth_evidence.INDEED_SERIES: "indeed_hiring_lab"}
DATA_SOURCES = ("aijobs_survey", "bls_oews", "indeed_hiring_lab")
# Which committed table says when each source's data are from
PERIOD_TABLE = {"aijobs_survey": ("derived/survey_years",),
                "bls_oews": ("derived/oews_occupations",),
                "indeed_hiring_lab": ("derived/indeed_postings", "derived/indeed_wage_growth")}


def audited_claims() -> pd.DataFrame:
    """The claims audit's table with its default settings (the committed evidence): the
    job board's verdicts both pages count."""
    ev = evidence.load_evidence()
    roles = tables.load_table("roles")
    bands = transforms.bands_with_midpoints(tables.load_table("salary_bands"), roles)
    growth = transforms.growth_table(tables.load_table("growth_rates"), roles)
    return audit.claims_audit(bands, ev.role_pay(), growth, tables.load_table("market_claims"),
                              tables.load_table("learning_path_steps"),
                              evidence_text=ev.summary, population="-", min_n=30,
                              grid=ev.claim_grid(), repeats=ev.repeats)


def evidence_rows(oews_year: int = 0) -> pd.DataFrame:
    """Every claim's evidence row per source (pay and growth claims), as the claims audit
    computes them with its default settings: kind, claim, source_id, verdict,
    interval_allows, evidence, closeness (of the official occupation to the role: close,
    partial, loose, or '-'). The job board's pay claims are the claims audit's own rows (its
    ranking of roles by pay too), so both pages count them from the same verdicts."""
    roles = tables.load_table("roles")
    bands = transforms.bands_with_midpoints(tables.load_table("salary_bands"), roles)
    growth = transforms.growth_table(tables.load_table("growth_rates"), roles)
    audited = audited_claims()
    occupations = derived.load("oews_occupations")
    year = official.resolve_year(occupations, oews_year)
    crosswalk = tables.load_table("soc_crosswalk")
    pay = official.pay_claims_by_source(bands, audited, crosswalk, occupations, year)
    first = official.resolve_year(occupations, 2021 if 2021 in set(occupations["year"]) else 0)
    codes = list(crosswalk.dropna(subset=["soc_code"])["soc_code"].unique())
    grow = growth_evidence.growth_claims(
        growth, crosswalk,
        growth_evidence.board_shares(tables.load_table("derived/survey_mix"),
                                     tables.load_table("derived/survey_years")),
        growth_evidence.employment_change(occupations, codes, first, year),
        growth_evidence.peak_to_latest(derived.load("indeed_postings")))
    cols = ["kind", "claim", "source", "verdict", "interval_allows", "evidence"]
    ranking = audited[audited["kind"] == "pay ranking"].assign(source=official.BOARD)
    rows = pd.concat([pay[[*cols, "closeness"]], ranking[cols].assign(closeness="-"),
                      grow.assign(kind="growth")[cols].assign(closeness="-")],
                     ignore_index=True)
    rows = rows[rows["source"].isin(SOURCE_OF_LABEL)]
    return rows.assign(source_id=rows["source"].map(SOURCE_OF_LABEL))


def _period(sid: str) -> str:
    parts = []
    for name in PERIOD_TABLE[sid]:
        meta = tables.table_metadata(name)
        origin = meta.get("derived_from") or {}
        if origin.get("snapshot_date"):
            years = tables.load_table(name)
            parts.append(f"work years {int(years['work_year'].min())} to "
                         f"{int(years['work_year'].max())}, snapshot of "
                         f"{origin['snapshot_date']}")
        else:
            parts.append(f"{meta['title'].split(',')[0]}: {meta.get('data_as_of', 'not stated')}")
    return "; ".join(parts)


def _tested(mine: pd.DataFrame) -> pd.Series:
    """Which of one source's rows test their claim (audit.TESTED_RULE)."""
    closeness = mine.get("closeness", pd.Series("-", index=mine.index)).fillna("-")
    return pd.Series([audit.tests_claim(v, str(c)) for v, c in
                      zip(mine["verdict"], closeness, strict=True)], index=mine.index,
                     dtype=bool)


def _source_rows(rows: pd.DataFrame, sid: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows of source `sid` that test their claim, those that only give a loose match's
    verdict as context), one per claim."""
    mine = rows[rows["source_id"] == sid].drop_duplicates("claim")
    tested = _tested(mine)
    return mine[tested], mine[~tested & (mine["verdict"] != "no data")]


def side_by_side(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per data source: what it measures, whom, when, its licence, and the claims it
    can test (audit.TESTED_RULE: a verdict other than no data, not against a loose match) and
    cannot (with how many of those it judged against a loose match only)."""
    registry = tables.load_sources()
    total = int(rows["claim"].nunique())
    out = []
    for sid in DATA_SOURCES:
        origin = registry[sid]
        tested, loose = _source_rows(rows, sid)
        cannot = f"{total - len(tested)} of {total} pay and growth claims"
        if len(loose):
            cannot += (f" ({len(loose)} of them judged only against a loose match, shown "
                       "for context: "
                       + "; ".join(f"{c} ({evidence_words.row_verdict(v, a)})" for c, v, a in
                                   zip(loose["claim"], loose["verdict"],
                                       loose.get("interval_allows",
                                                 pd.Series("", index=loose.index)),
                                       strict=True)) + ")")
        out.append({
            "source": origin["short_title"], "measures": origin.get("measures", ""),
            "population": origin.get("population", ""), "period": _period(sid),
            "licence": tables.source_licence(sid),
            "can_test": "; ".join(
                f"{c} ({evidence_words.row_verdict(v, a)})" for c, v, a in zip(
                    tested["claim"], tested["verdict"],
                    tested.get("interval_allows", pd.Series("", index=tested.index)),
                    strict=True)) or "none of the article's claims",
            "cannot_test": cannot,
        })
    return pd.DataFrame(out)


def counts_sentence(table: pd.DataFrame, rows: pd.DataFrame) -> str:
    """How many pay and growth claims each source can test (audit.TESTED_RULE), from the
    values; with the rows' kinds, how many of them are pay claims and how many growth."""
    total = rows["claim"].nunique()
    parts = []
    for sid, name in zip(DATA_SOURCES, table["source"], strict=True):
        tested, loose = _source_rows(rows, sid)
        text = f"{name} {len(tested)}"
        if len(tested) and "kind" in tested.columns:
            growth = int((tested["kind"] == "growth").sum())
            text += f" ({len(tested) - growth} pay, {growth} growth)"
        if len(loose):
            text += (f", not counting {count(len(loose), 'claim')} judged only against a "
                     "loose match")
        parts.append(text)
    return f"Of the article's {total} pay and growth claims, each source can test: " \
           + "; ".join(parts) + ". A loose match (an occupation far broader than the role) " \
           "counts as not testing a claim, for pay as for growth."


def coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """Per source: how many pay and growth claims it can test (audit.TESTED_RULE) and how
    many it cannot."""
    registry = tables.load_sources()
    out = []
    for sid in DATA_SOURCES:
        n = len(_source_rows(rows, sid)[0])
        out.append({"source": registry[sid]["short_title"], "claims_tested": n,
                    "claims_not_tested": int(rows["claim"].nunique()) - n})
    return pd.DataFrame(out)


def intro(table: pd.DataFrame) -> str:
    """The page's opening: how many data sources the article is checked against (one row each
    in the side-by-side table)."""

    return (f"The suite checks the article against {spelled_count(len(table), 'source')} of "
            "data. Each measures something different, about different people, over a different "
            "period, so each can test some claims and not others. This page says, for each, "
            "what it measures, whom, when and under which licence, and which of the article's "
            "pay and growth claims it can test; the claims audit and the growth rates report "
            "show the evidence itself.")
