"""The sources page: what each source can test is counted from the evidence rows."""

from __future__ import annotations

import pandas as pd

from aijobs.notebook import source_pages


def _rows(board_verdict):
    return pd.DataFrame([
        {"claim": "A: $1-2", "source_id": "aijobs_survey", "verdict": board_verdict,
         "evidence": "e"},
        {"claim": "A: $1-2", "source_id": "bls_oews", "verdict": "not supported",
         "evidence": "e"},
        {"claim": "B: +200%", "source_id": "aijobs_survey", "verdict": "no data",
         "evidence": "no title"},
        {"claim": "B: +200%", "source_id": "indeed_hiring_lab", "verdict": "no data",
         "evidence": "sectors"}])


def test_side_by_side_counts_from_the_rows():
    rows = _rows("supported")
    table = source_pages.side_by_side(rows).set_index("source")
    board = table.iloc[0]
    assert board["can_test"] == "A: $1-2 (supported)"
    assert board["cannot_test"] == "1 of 2 pay and growth claims"
    assert table.iloc[2]["can_test"] == "none of the article's claims"
    assert table.iloc[2]["cannot_test"] == "2 of 2 pay and growth claims"  # all, not its rows
    assert table.iloc[1]["licence"] == "public domain (a work of the US government)"
    assert "BLS OEWS estimates for May 2020 to May 2024" in table.iloc[1]["period"]
    sentence = source_pages.counts_sentence(source_pages.side_by_side(rows), rows)
    assert sentence == ("Of the article's 2 pay and growth claims, each source can test: "
                        "aijobs.net salary survey (CC0) 1, BLS OEWS national estimates "
                        "(public domain) 1, Indeed Hiring Lab (CC BY 4.0) 0.")
    counts = source_pages.coverage(rows)
    assert counts["claims_tested"].tolist() == [1, 1, 0]
    assert counts["claims_not_tested"].tolist() == [1, 1, 2]
    # the board's interval reaching another verdict: said apart from its estimate's verdict
    wide = rows.assign(interval_allows=["partly supported", "", "", ""])
    assert source_pages.side_by_side(wide).iloc[0]["can_test"] == \
        "A: $1-2 (supported by the estimate; the interval also allows partly supported)"
    # an official verdict against an occupation far broader than the role says so
    loose = rows.assign(closeness=["-", "loose", "-", "-"])
    assert source_pages.side_by_side(loose).iloc[1]["can_test"] == \
        "A: $1-2 (not supported; against a loose match)"
    assert source_pages.side_by_side(rows).iloc[1]["can_test"] == "A: $1-2 (not supported)"
    # the board with no data on A as well: it can test nothing
    none = _rows("no data")
    assert source_pages.side_by_side(none).iloc[0]["can_test"] == \
        "none of the article's claims"
    assert "salary survey (CC0) 0," in source_pages.counts_sentence(
        source_pages.side_by_side(none), none)


def test_evidence_rows_cover_pay_and_growth():
    rows = source_pages.evidence_rows()
    assert set(rows["source_id"]) == {"aijobs_survey", "bls_oews", "indeed_hiring_lab"}
    oews = rows[(rows["source_id"] == "bls_oews")].set_index("claim")["verdict"]
    assert oews["AI Research Scientist: $180K-$250K+ a year (tech-hub average)"] == \
        "not supported"
    assert (rows.loc[rows["source_id"] == "indeed_hiring_lab", "verdict"] == "no data").all()


def test_intro_counts_the_sources_in_the_table():
    table = source_pages.side_by_side(source_pages.evidence_rows())
    assert source_pages.intro(table).startswith(
        "The suite checks the article against three sources of data.")
    assert source_pages.intro(table.iloc[:1]).startswith(
        "The suite checks the article against one source of data.")
