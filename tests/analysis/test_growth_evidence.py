"""Growth evidence: Wilson shares of the board's adverts, OEWS employment change, Indeed peak
to latest, and the growth rule's verdicts (known answers worked out by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aijobs.analysis import audit
from aijobs.analysis import growth_evidence as ge
from aijobs.data import tables
from aijobs.notebook import evidence_words
from aijobs.sources import derived


def test_wilson_known_answer():
    # 2 of 3,836: p = 0.000521; Wilson 95% (z = 1.96): 0.000143 to 0.001899 (by hand:
    # centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n))
    lo, hi = ge.wilson(2, 3836)
    assert lo == pytest.approx(0.000143, abs=2e-6)
    assert hi == pytest.approx(0.001899, abs=2e-6)
    assert ge.wilson(0, 10)[0] == 0 and all(math.isnan(v) for v in ge.wilson(0, 0))


def test_growth_rule_states_direction_and_precision_apart():
    # growth +300% (150% to 520%): 2.2 within [0.3, 30] at every point -> supported, alone
    assert ge.growth_judgement(220, 3.0, 1.5, 5.2) == ("supported", {"supported"})
    # +7.5% (5% to 10%): 2.2 above ten times 0.1 everywhere -> not supported, alone
    assert ge.growth_judgement(220, 0.075, 0.05, 0.1) == ("not supported", {"not supported"})
    # +6% (-83% to +547%): 2.2 above 10 x 0.06 at the estimate, but growth of 0.22 to 5.47
    # inside the interval would support it: precision, not direction
    point, possible = ge.growth_judgement(220, 0.06, -0.83, 5.47)
    assert (point, possible) == ("not supported", {"not supported", "supported"})
    assert evidence_words.row_verdict(point, audit.allows_cell(point, possible)) == \
        "not supported by the estimate; the interval also allows supported"
    # the opposite: +50% (-10% to +400%): 2.2 within [0.05, 5] at the estimate, and the
    # interval reaches below zero
    point, possible = ge.growth_judgement(220, 0.5, -0.1, 4.0)
    assert evidence_words.row_verdict(point, audit.allows_cell(point, possible)) == \
        "supported by the estimate; the interval also allows not supported"
    assert ge.growth_judgement(220, -0.3, -0.5, -0.1) == ("not supported", {"not supported"})
    assert ge.growth_judgement(220, math.nan, math.nan, math.nan) == ("no data", {"no data"})
    assert "borderline" not in ge.GROWTH_RULE


def _claims(postings):
    mix = pd.DataFrame({"repeats": "drop", "role_id": ["prompt_engineer", "unmapped"] * 2,
                        "work_year": [2023, 2023, 2024, 2024], "postings": postings})
    years = pd.DataFrame({"work_year": [2023, 2024], "is_partial": [False, False]})
    growth = pd.DataFrame([{"role_id": "prompt_engineer", "role_name": "Prompt Engineer",
                            "growth_pct": 220.0}])
    empty_emp = pd.DataFrame(columns=["occ_code", "change"])
    peaks = pd.DataFrame(columns=["series", "change_from_peak", "peak_date", "latest_date"])
    return ge.growth_claims(growth, tables.load_table("soc_crosswalk"),
                            ge.board_shares(mix, years), empty_emp, peaks)


def test_board_shares_and_claims():
    mix = pd.DataFrame({"repeats": "drop", "role_id": ["prompt_engineer", "unmapped"] * 2,
                        "work_year": [2023, 2023, 2024, 2024], "postings": [40, 960, 160, 840]})
    years = pd.DataFrame({"work_year": [2023, 2024], "is_partial": [False, False]})
    shares = ge.board_shares(mix, years)
    assert shares["share"].tolist() == [0.04, 0.16]
    change = ge.share_change(shares, "prompt_engineer", 2023, 2024)
    assert change["growth"] == pytest.approx(3.0)  # 16% / 4% - 1
    # Wilson 40/1000: 2.95%-5.41%; 160/1000: 13.86%-18.40%: growth 156% to 524%
    assert change["low"] == pytest.approx(0.1386 / 0.0541 - 1, abs=0.01)
    claims = _claims([40, 960, 160, 840])
    rows = claims.set_index("source")
    assert rows.loc[ge.BOARD_SERIES, "verdict"] == "supported"
    # Indeed's rows credit Indeed Hiring Lab and its licence wherever they are shown
    assert "Indeed Hiring Lab" in ge.INDEED_SERIES and "CC BY 4.0" in ge.INDEED_SERIES
    assert evidence_words.indeed_credit() == "Indeed Hiring Lab (CC BY 4.0)"
    assert rows.loc[ge.BOARD_SERIES, "interval_allows"] == ""
    assert rows.loc[ge.OEWS_SERIES, "evidence"] == "no SOC occupation stands for this role"
    assert (rows.loc["overall", "agreement"], rows.loc["overall", "verdict"]) == \
        ("one source", "supported")
    said = evidence_words.verdict_words(claims).set_index("source")["verdict_text"]
    assert said["overall"] == "only the job board can test it: supported"
    # the opposite: the share fell from 16% to 4%
    rows = _claims([160, 840, 40, 960]).set_index("source")
    assert rows.loc[ge.BOARD_SERIES, "verdict"] == "not supported"
    assert "-75%" in rows.loc[ge.BOARD_SERIES, "evidence"]
    # 10 adverts in 2023: fewer than 30 in a year compared, so no finding
    claims = _claims([10, 990, 40, 960])
    rows = claims.set_index("source")
    assert rows.loc[ge.BOARD_SERIES, "verdict"] == "no data"
    assert rows.loc[ge.BOARD_SERIES, "evidence"] == (
        "too few adverts to compare 2023 and 2024 (10 and 40; at least 30 a year are needed)")
    assert evidence_words.verdict_words(claims).set_index("source").loc[
        "overall", "verdict_text"] == "no source can test it"


def test_oews_employment_change_known_answer():
    occ = derived.load("oews_occupations")
    emp = ge.employment_change(occ, ["15-2051", "15-1252"], 2021, 2024).set_index("occ_code")
    # data scientists 105,980 (May 2021) to 233,440 (May 2024): +120.3%
    assert emp.loc["15-2051", "first_employment"] == 105_980
    assert emp.loc["15-2051", "last_employment"] == 233_440
    assert emp.loc["15-2051", "change"] == pytest.approx(233_440 / 105_980 - 1)
    assert emp.loc["15-2051", "years_covered"] == "2021, 2022, 2023, 2024"  # hybrid in 2020
    assert emp.loc["15-2051", "change_ci95_low"] < emp.loc["15-2051", "change"] < \
        emp.loc["15-2051", "change_ci95_high"]
    sentence = evidence_words.employment_sentence(emp.reset_index())
    assert sentence.startswith("From May 2021 to May 2024, Data Scientists grew the most "
                               "(+120%: 105,980 to 233,440 jobs); Software Developers grew "
                               "the least (+21%)")
    shrink = emp.reset_index().assign(change=[-0.3, -0.1], change_ci95_low=[-0.4, -0.2],
                                      change_ci95_high=[-0.2, -0.05])
    assert "shrank the most (-30%)" in evidence_words.employment_sentence(shrink)
    # a change whose interval holds zero is neither growth nor decline: the page said
    # "Computer Systems Analysts shrank the most (-1%)" for -1% (-4% to +1%)
    flat = emp.reset_index().assign(change=[-0.01, 0.2], change_ci95_low=[-0.04, 0.18],
                                    change_ci95_high=[0.01, 0.22])
    assert evidence_words.employment_sentence(flat).endswith(
        "; Data Scientists came last (-1%; its 95% interval, -4% to +1%, holds both growth "
        "and decline).")


def test_indeed_peak_to_latest():
    peaks = ge.peak_to_latest(derived.load("indeed_postings")).set_index("series")
    soft = peaks.loc["Software Development"]
    # peak 231.25 on 2022-02-28 (first of the days at that level), 69.14 on 2024-09-13
    assert soft["peak_date"] == "2022-02-28" and soft["peak_index"] == pytest.approx(231.25)
    assert soft["change_from_peak"] == pytest.approx(69.14 / 231.25 - 1)
    lines = evidence_words.peak_sentences(peaks.reset_index())
    assert any(line.startswith("Software Development: -70% from its peak on 2022-02-28 to "
                               "2024-09-13, below its level") for line in lines)
    assert all(line.endswith("Source: Indeed Hiring Lab (CC BY 4.0).") for line in lines)
