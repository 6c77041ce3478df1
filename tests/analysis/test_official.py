"""Pay claims against BLS OEWS beside the job board: verdicts worked out by hand, top-coded
percentiles read as 'at least', the overall line computed from both verdicts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aijobs.analysis import audit, official
from aijobs.data import tables
from aijobs.errors import DataError, ParameterError
from aijobs.notebook import evidence_words
from aijobs.sources import derived


@pytest.fixture(scope="module")
def occupations():
    return derived.load("oews_occupations")


def _occ(**over):
    row = {"year": 2030, "occ_code": "15-9999", "occ_title": "Test", "employment": 1000,
           "mean_rse_pct": 1.0, "top_code_usd": 239_200.0}
    for m, v in {"p10": 90_000, "p25": 180_000, "p50": 200_000, "p75": 250_000,
                 "p90": 280_000}.items():
        row[f"{m}_usd"], row[f"{m}_status"] = float(v), "estimate"
    row.update(over)
    return pd.Series(row)


def test_research_scientist_band_against_15_1221(occupations):
    occ = official.occupation_year(occupations, "15-1221", 2024)
    shown, verdict, possible, direction = official.band_evidence(180_000, 250_000, occ)
    # p25 102,710: 180,000 / 102,710 - 1 = 75%; p75 181,210: 250,000 / 181,210 - 1 = 38%;
    # median 140,910 outside the band: both ends off -> not supported (RSE 1.1%: +/-2.2%
    # moves neither end inside 15%)
    assert (verdict, possible) == ("not supported", {"not supported"})
    assert direction == "low end 75% above the p25; high end 38% above the p75"
    assert "38,480 employed" in shown and "median $140,910" in shown
    # the '+': p90 232,120 +/- 1.959964 x 1.1% (+/-5,004.4) = 227,116-237,124, wholly below
    # 250,000, and 250,000 is above the top code 239,200: OEWS records no wage above it and
    # publishes no percentile above the p90, so it cannot test the claim (it was "not
    # supported": a p90 below $250K does not show that no one is paid more)
    shown, verdict, possible = official.open_top_evidence(250_000, occ)
    assert (verdict, possible) == ("no data", {"no data"})
    assert "$227,116-$237,124" in shown
    assert shown.endswith(
        "top code $239,200; cannot test: $250,000 lies above the p90 ($232,120, the highest "
        "percentile BLS publishes) and above the top code ($239,200, the highest wage OEWS "
        "records), so OEWS cannot show whether pay exceeds it")
    # a level well inside the distribution is judged as before: 200,000 is below the whole
    # p90 interval (227,116-237,124), so more than one job in ten pays more
    shown, verdict, possible = official.open_top_evidence(200_000, occ)
    assert (verdict, possible) == ("supported", {"supported"})
    assert "cannot test" not in shown
    # 230,000: below the p90 but inside its interval, which reaches down to 227,116
    _, verdict, possible = official.open_top_evidence(230_000, occ)
    assert evidence_words.row_verdict(verdict, audit.allows_cell(verdict, possible)) == \
        "supported by the estimate; the interval also allows no data (beyond what the source " \
        "can test)"
    # 235,000: above the p90 232,120 (beyond what it can test) but below the top code and the
    # interval's top 237,124
    shown, verdict, possible = official.open_top_evidence(235_000, occ)
    assert (verdict, possible) == ("no data", {"no data", "supported"})
    assert shown.endswith("cannot test: $235,000 lies above the p90 ($232,120, the highest "
                          "percentile BLS publishes), so OEWS cannot show whether pay "
                          "exceeds it")


def test_top_coded_p90_reads_at_least(occupations):
    occ = official.occupation_year(occupations, "11-3021", 2024)
    shown, verdict, _, _ = official.band_evidence(140_000, 180_000, occ)
    assert "p90 at least $239,200" in shown
    # p25 134,350 (140,000 is 4% above: within), p75 216,220 (180,000 is 17% below: off)
    assert verdict == "partly supported"
    shown, verdict, possible = official.open_top_evidence(250_000, occ)
    # at least 239,200 says nothing about pay above the top code: 250,000 cannot be tested
    # (it was "not supported by the estimate; the interval also allows supported")
    assert (verdict, possible) == ("no data", {"no data"})
    assert shown.endswith("p90 at least $239,200 (the top code); cannot test: $250,000 lies "
                          "above the top code ($239,200, the highest wage OEWS records), so "
                          "OEWS cannot show whether pay exceeds it")
    # below the top code, a top-coded p90 (at least 239,200) lies above the claim
    assert official.open_top_evidence(200_000, occ)[1:] == ("supported", {"supported"})
    # in May 2021 the top code was 208,000: 200,000 below it is supported, 210,000 above it
    # cannot be tested
    occ21 = official.occupation_year(occupations, "11-3021", 2021)
    assert official.open_top_evidence(200_000, occ21)[1] == "supported"
    assert "above the top code ($208,000" in official.open_top_evidence(210_000, occ21)[0]
    assert official.open_top_evidence(210_000, occ21)[1] == "no data"


def test_the_opposite_data_turns_the_verdicts():
    shown, verdict, possible, direction = official.band_evidence(180_000, 250_000, _occ())
    assert verdict == "supported" and direction == "both ends within 15%"
    assert possible == {"supported"}
    # p75 top-coded: at least 239,200; 250,000 is 4.5% above the top code (within 15%) and
    # off beyond 294,118, so the estimate supports the band and the interval also allows
    # partly supported
    _, verdict, possible, _ = official.band_evidence(
        180_000, 250_000, _occ(p75_status="top_coded", p75_usd=math.nan))
    assert (verdict, possible) == ("supported", {"supported", "partly supported"})
    assert evidence_words.row_verdict(verdict, audit.allows_cell(verdict, possible)) == \
        "supported by the estimate; the interval also allows partly supported"
    # a missing percentile is no data, never zero
    assert official.band_evidence(180_000, 250_000, _occ(p25_status="missing",
                                                         p25_usd=math.nan))[1] == "no data"
    # a p90 of 280,000 under a top code of 300,000 (the fixture's 239,200 would top-code it)
    high = _occ(top_code_usd=300_000.0)
    assert official.open_top_evidence(250_000, high)[1] == "supported"
    # the same claim above the top code cannot be tested, whatever the p90 says
    assert official.open_top_evidence(250_000, _occ())[1] == "no data"
    # p90 280,000 +/- 1.96%: 274,512-285,488 reaches across a claimed top of 280,000
    _, verdict, possible = official.open_top_evidence(279_000, high)
    assert evidence_words.row_verdict(verdict, audit.allows_cell(verdict, possible)) == \
        "supported by the estimate; the interval also allows no data (beyond what the source " \
        "can test)"
    _, verdict, possible = official.open_top_evidence(281_000, high)
    assert evidence_words.row_verdict(verdict, audit.allows_cell(verdict, possible)) == \
        "no data by the estimate; the interval also allows supported"


def test_agreement():
    assert official.agreement(["not supported", "not supported"]) == ("agree", "not supported")
    assert official.agreement(["supported", "not supported"]) == ("disagree", "")
    assert official.agreement(["no data", "partly supported"]) == \
        ("one source", "partly supported")
    assert official.agreement(["no data", "no data"]) == ("no source", "no data")
    assert "borderline" not in official.OEWS_BAND_RULE + official.OEWS_OPEN_TOP_RULE \
        + official.OVERALL_RULE


def _bands():
    return pd.DataFrame([{"role_id": "ai_research_scientist", "role_name": "AI Research "
                          "Scientist", "salary_low_usd": 180_000, "salary_high_usd": 250_000,
                          "is_open_ended": True},
                         {"role_id": "prompt_engineer", "role_name": "Prompt Engineer",
                          "salary_low_usd": 100_000, "salary_high_usd": 150_000,
                          "is_open_ended": False}])


def _audited(verdict):
    return pd.DataFrame([
        {"kind": "pay band", "claim": "AI Research Scientist: $180K-$250K+", "evidence": "e",
         "verdict": verdict, "direction": ""},
        {"kind": "open-ended top", "claim": "AI Research Scientist: can exceed $250K",
         "evidence": "e", "verdict": "not supported", "direction": ""},
        {"kind": "pay band", "claim": "Prompt Engineer: $100K-$150K", "evidence": "e",
         "verdict": "supported", "direction": ""}])


def test_pay_claims_by_source(occupations):
    cross = tables.load_table("soc_crosswalk")
    table = official.pay_claims_by_source(_bands(), _audited("not supported"), cross,
                                          occupations, 2024)
    assert list(table["source"]) == [official.BOARD, official.OFFICIAL, "overall"] * 3
    # the '+' ($250K) lies above OEWS's top code: only the job board can test it
    assert table.loc[table["source"] == "overall", "agreement"].tolist() == \
        ["agree", "one source", "one source"]
    said = evidence_words.verdict_words(table)
    overall = said[said["source"] == "overall"]["verdict_text"].tolist()
    assert overall == ["the sources agree: not supported",
                       "only the job board can test it: not supported",
                       "only the job board can test it: supported"]
    prompt = table[(table["role_id"] == "prompt_engineer")
                   & (table["source"] == official.OFFICIAL)].iloc[0]
    assert prompt["evidence"] == "no SOC occupation stands for this role"
    assert evidence_words.agreement_summary(table) == \
        "Of 2 pay bands and 1 open-ended top, the sources agree on 1, disagree on 0, only one " \
        "source can test 2."
    assert "BLS OEWS: " in evidence_words.populations(2024) and \
        "May 2024." in evidence_words.populations(2024)
    assert "May 2021." in evidence_words.populations(2021)
    # what each source's pay includes, as BLS defines OEWS wages; nothing claimed for the
    # article, which does not say (the page said "All three are base pay only")
    said = evidence_words.populations(2024)
    assert "All three" not in said and "article does not say what its figures include" in said
    assert "commissions, production bonuses and tips" in said
    # the board saying the opposite turns the line and the summary
    other = official.pay_claims_by_source(_bands(), _audited("supported"), cross,
                                          occupations, 2024)
    said = evidence_words.verdict_words(other)
    assert said[said["source"] == "overall"]["verdict_text"].iloc[0] == \
        "the sources disagree: the job board says supported, BLS OEWS says not supported"
    wider = _audited("supported").assign(interval_allows=["partly supported", "", ""])
    said = evidence_words.verdict_words(official.pay_claims_by_source(
        _bands(), wider, cross, occupations, 2024))
    assert said["verdict_text"].iloc[2] == (
        "the sources disagree: the job board says supported by the estimate (its interval "
        "also allows partly supported), BLS OEWS says not supported")
    # the board's estimate agreeing while its interval reaches another verdict: both said
    wide = _audited("not supported").assign(interval_allows=["partly supported", "", ""])
    said = evidence_words.verdict_words(official.pay_claims_by_source(
        _bands(), wide, cross, occupations, 2024))
    assert said["verdict_text"].tolist()[:3] == [
        "not supported by the estimate; the interval also allows partly supported",
        "not supported",
        "the sources agree: not supported by their estimates; the job board's interval also "
        "allows partly supported"]
    assert evidence_words.agreement_summary(other).startswith(
        "Of 2 pay bands and 1 open-ended top, the sources agree on 0, disagree on 1")


def test_a_loose_match_counts_as_not_testing(occupations):
    # AI/ML Engineer's primary occupation is 15-1252 Software Developers, a loose match. Its
    # percentiles would give not supported (p25 103,050: 150,000 is 46% above; p75 169,000:
    # 220,000 is 30% above; median 133,080 outside the band), shown as context only: the
    # job board's supported stands alone
    cross = tables.load_table("soc_crosswalk")
    bands = pd.DataFrame([{"role_id": "ai_ml_engineer", "role_name": "AI/ML Engineer",
                           "salary_low_usd": 150_000, "salary_high_usd": 220_000,
                           "is_open_ended": False}])
    board = pd.DataFrame([{"kind": "pay band", "claim": "AI/ML Engineer: $150K-$220K",
                           "evidence": "e", "verdict": "supported", "direction": ""}])
    table = official.pay_claims_by_source(bands, board, cross, occupations, 2024)
    oews = table.iloc[1]
    assert (oews["verdict"], oews["closeness"]) == ("not supported", "loose")
    assert oews["evidence"].endswith("(a loose match); a loose match is far broader than the "
                                     "role, so this verdict is context only: OEWS cannot test "
                                     "the claim")
    assert table.iloc[2]["agreement"] == "one source"
    said = evidence_words.verdict_words(table)["verdict_text"].tolist()
    assert said[1] == "not supported (against a loose match: context only, not a test)"
    assert said[2] == ("only the job board can test it: supported (BLS OEWS's not supported "
                       "is against a loose match, context only)")
    assert evidence_words.agreement_summary(table) == \
        "Of 1 pay band, the sources agree on 0, disagree on 0, only one source can test 1."
    # the same occupation graded a partial match tests the claim: the sources disagree
    partial = cross.assign(closeness=cross["closeness"].mask(
        (cross["role_id"] == "ai_ml_engineer") & cross["is_primary"], "partial"))
    table = official.pay_claims_by_source(bands, board, partial, occupations, 2024)
    assert table.iloc[2]["agreement"] == "disagree"
    assert evidence_words.verdict_words(table)["verdict_text"].tolist()[1:] == [
        "not supported",
        "the sources disagree: the job board says supported, BLS OEWS says not supported"]


def test_sensitivity_sentence_names_loose_matches():
    alternatives = pd.DataFrame([
        ("a", "close", "not supported"), ("a", "loose", "partly supported"),
        ("b", "loose", "not supported"), ("b", "loose", "partly supported"),
        ("c", "loose", "supported"), ("c", "close", "supported")],
        columns=["role_id", "closeness", "verdict"])
    names = {"a": "A", "b": "B", "c": "C"}
    # a and b change (c gives supported under both); b's occupations are all loose matches
    assert evidence_words.sensitivity_sentence(alternatives, names) == (
        "The official verdict changes with the occupation chosen for 2 of 3 roles: A and B "
        "(every occupation offered is a loose match, so none tests the claim).")
    # one of b's occupations a partial match: it tests the claim, and nothing is added
    partial = alternatives.assign(closeness=["close", "loose", "partial", "loose", "loose",
                                             "close"])
    assert evidence_words.sensitivity_sentence(partial, names).endswith(": A and B.")
    assert evidence_words.sensitivity_sentence(alternatives.iloc[4:], names) == \
        "The official verdict changes with the occupation chosen for 0 of 1 role."


def test_sensitivity_and_years(occupations):
    cross = tables.load_table("soc_crosswalk")
    sens = official.crosswalk_sensitivity(_bands(), cross, occupations, 2024)
    assert sens["soc_code"].tolist() == ["15-1221", "15-2051"]
    assert sens["median"].tolist() == ["$140,910", "$112,590"]
    assert official.resolve_year(occupations, 0) == 2024
    assert official.resolve_year(occupations, 2021) == 2021
    with pytest.raises(ParameterError, match="parameter oews_year: got 2019; the OEWS table "
                                             "holds May 2020, 2021"):
        official.resolve_year(occupations, 2019)
    pct = official.official_percentiles(_bands(), cross, occupations, 2021)
    r = pct.set_index("role_id").loc["ai_research_scientist"]
    assert r["p90_status"] == "top_coded" and r["p90_text"] == "at least $208,000"
    assert pct.set_index("role_id").loc["prompt_engineer", "closeness"] == "none"


def test_a_role_with_two_primary_codes_is_named(occupations):
    # a crosswalk marking two codes primary for one role stood for no single occupation (the
    # lookup failed with pandas' "identically-labeled" error); now one line names both
    cross = tables.load_table("soc_crosswalk")
    scientist = cross["role_id"] == "ai_research_scientist"
    twice = cross.assign(is_primary=cross["is_primary"] | scientist)
    assert int(twice.loc[scientist, "is_primary"].sum()) > 1
    with pytest.raises(DataError, match="role ai_research_scientist has [0-9] primary codes"):
        official.pay_claims_by_source(_bands(), _audited("supported"), twice, occupations, 2024)
    # a role with no board row to judge is not looked up, so its crosswalk rows do not matter
    alone = _audited("supported").iloc[2:]
    table = official.pay_claims_by_source(_bands(), alone, twice, occupations, 2024)
    assert list(table["role_id"].unique()) == ["prompt_engineer"]
