"""The sources page: what each source can test is counted from the evidence rows."""

from __future__ import annotations

import pandas as pd

from aijobs.analysis import audit
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
                        "aijobs.net salary survey (CC0) 1; BLS OEWS national estimates "
                        "(public domain) 1; Indeed Hiring Lab (CC BY 4.0) 0. A loose match (an "
                        "occupation far broader than the role) counts as not testing a claim, "
                        "for pay as for growth.")
    counts = source_pages.coverage(rows)
    assert counts["claims_tested"].tolist() == [1, 1, 0]
    assert counts["claims_not_tested"].tolist() == [1, 1, 2]
    # the board's interval reaching another verdict: said apart from its estimate's verdict
    wide = rows.assign(interval_allows=["partly supported", "", "", ""])
    assert source_pages.side_by_side(wide).iloc[0]["can_test"] == \
        "A: $1-2 (supported by the estimate; the interval also allows partly supported)"
    # an official verdict against an occupation far broader than the role is context only:
    # it counts as not testing the claim (as the growth rule's no data does), and says so
    loose = rows.assign(closeness=["-", "loose", "-", "-"])
    official = source_pages.side_by_side(loose).iloc[1]
    assert official["can_test"] == "none of the article's claims"
    assert official["cannot_test"] == ("2 of 2 pay and growth claims (1 of them judged only "
                                       "against a loose match, shown for context: A: $1-2 (not "
                                       "supported))")
    assert "BLS OEWS national estimates (public domain) 0, not counting 1 claim judged only " \
        "against a loose match;" in source_pages.counts_sentence(
            source_pages.side_by_side(loose), loose)
    assert source_pages.coverage(loose)["claims_tested"].tolist() == [1, 0, 0]
    # a close or partial match tests it
    for grade in ("close", "partial"):
        graded = rows.assign(closeness=["-", grade, "-", "-"])
        assert source_pages.side_by_side(graded).iloc[1]["can_test"] == \
            "A: $1-2 (not supported)"
    assert source_pages.side_by_side(rows).iloc[1]["can_test"] == "A: $1-2 (not supported)"
    # the board with no data on A as well: it can test nothing
    none = _rows("no data")
    assert source_pages.side_by_side(none).iloc[0]["can_test"] == \
        "none of the article's claims"
    assert "salary survey (CC0) 0;" in source_pages.counts_sentence(
        source_pages.side_by_side(none), none)


def test_counts_by_kind_worked_by_hand():
    # five claims: band A, top A+, ranking R, growth G, band B. The board tests A, A+ and R
    # (B and G: no data); OEWS tests A (a close match), not A+ (no data: beyond its top code)
    # and only gives B a loose match's verdict; Indeed tests nothing
    rows = pd.DataFrame([
        ("pay band", "A", "aijobs_survey", "supported", "-"),
        ("pay band", "A", "bls_oews", "not supported", "close"),
        ("open-ended top", "A+", "aijobs_survey", "supported", "-"),
        ("open-ended top", "A+", "bls_oews", "no data", "close"),
        ("pay ranking", "R", "aijobs_survey", "not supported", "-"),
        ("growth", "G", "aijobs_survey", "no data", "-"),
        ("growth", "G", "indeed_hiring_lab", "no data", "-"),
        ("pay band", "B", "aijobs_survey", "no data", "-"),
        ("pay band", "B", "bls_oews", "partly supported", "loose")],
        columns=["kind", "claim", "source_id", "verdict", "closeness"]).assign(
            interval_allows="", evidence="e")
    table = source_pages.side_by_side(rows)
    assert source_pages.counts_sentence(table, rows) == (
        "Of the article's 5 pay and growth claims, each source can test: aijobs.net salary "
        "survey (CC0) 3 (3 pay, 0 growth); BLS OEWS national estimates (public domain) 1 (1 "
        "pay, 0 growth), not counting 1 claim judged only against a loose match; Indeed "
        "Hiring Lab (CC BY 4.0) 0. A loose match (an occupation far broader than the role) "
        "counts as not testing a claim, for pay as for growth.")
    assert source_pages.coverage(rows)["claims_tested"].tolist() == [3, 1, 0]
    assert table["cannot_test"].tolist()[0] == "2 of 5 pay and growth claims"


def test_evidence_rows_cover_pay_and_growth():
    rows = source_pages.evidence_rows()
    assert set(rows["source_id"]) == {"aijobs_survey", "bls_oews", "indeed_hiring_lab"}
    oews = rows[(rows["source_id"] == "bls_oews")].set_index("claim")["verdict"]
    assert oews["AI Research Scientist: $180K-$250K+ a year (tech-hub average)"] == \
        "not supported"
    # $250K lies above OEWS's top code ($239,200 in May 2024): it cannot test the '+'
    assert oews["AI Research Scientist: pay can exceed $250K (the '+' on the band)"] == \
        "no data"
    assert (rows.loc[rows["source_id"] == "indeed_hiring_lab", "verdict"] == "no data").all()
    # counted by hand from the committed data: the board tests the five pay claims with a
    # verdict (AI Product Manager has 11 adverts, under 30) and the ranking, as the claims
    # audit counts them; OEWS only AI Research Scientist's band (15-1221, a close match): the
    # '+' lies above its top code and the other four bands have loose matches only
    assert source_pages.coverage(rows)["claims_tested"].tolist() == [6, 1, 0]
    assert int(rows["claim"].nunique()) == 10  # 5 bands, 1 '+', 1 ranking, 3 growth
    audited = source_pages.audited_claims()
    assert len(audit.board_tested(audited)) == 6
    assert "3 of the 6 pay claims the job board can test are robust" in \
        audit.grid_summary(audited)


def test_intro_counts_the_sources_in_the_table():
    table = source_pages.side_by_side(source_pages.evidence_rows())
    assert source_pages.intro(table).startswith(
        "The suite checks the article against three sources of data.")
    assert source_pages.intro(table.iloc[:1]).startswith(
        "The suite checks the article against one source of data.")
