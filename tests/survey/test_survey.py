"""Reading an aijobs.net salary file: rows to postings, repeats, intervals, reliability, premiums,
the audit's rules; bad files and bad rows. Known answers are worked out by hand in comments."""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import write
from survey_samples import BAD_ROWS, HEADER, MALFORMED, SNAPSHOT, need_snapshot, row

from aijobs.analysis import audit, transforms
from aijobs.data import tables
from aijobs.errors import DataError, ParameterError
from aijobs.survey import evidence, summaries
from aijobs.survey import reader as survey
from aijobs.survey.postings import pairing_stats, pay_units
from aijobs.survey.slices import SurveySlice


@pytest.fixture(scope="module")
def snapshot():
    need_snapshot()
    return survey.read_survey(SNAPSHOT)


def test_snapshot_reads_whole(snapshot):
    assert snapshot.n_read == 74_301  # the snapshot's README gives 74,301 rows
    assert snapshot.md5 == "1884e0b0e63118c58785e40c82a5d63d"
    assert snapshot.n_excluded == 0
    assert len(snapshot.rows) == 74_301
    # ../shared/docs/SURVEY-NOTES.md, measured with plain Python: 38,589 postings, 96% of
    # rows in pairs, 20,559 postings in groups of identical postings
    assert len(snapshot.postings) == 38_589
    stats = pairing_stats(snapshot.rows, snapshot.postings)
    assert stats["paired_share"] == pytest.approx(0.96, abs=0.005)
    assert stats["postings_in_repeat_groups"] == 20_559


def test_ml_engineer_postings_match_the_notes(snapshot):
    units = pay_units(survey.filtered(snapshot.rows, survey.normalised_filters()),
                      survey.filtered(snapshot.postings, survey.normalised_filters()),
                      repeats="keep")
    pct = summaries.percentile_table(units).set_index("role_id").loc["ai_ml_engineer"]
    # SURVEY-NOTES: 6,041 rows become 3,100 postings; midpoints' p25/p50/p75
    # 165,000 / 195,000 / 231,450
    assert (pct["n_rows"], pct["n_postings"]) == (6_041, 3_100)
    assert [pct["p25_usd"], pct["p50_usd"], pct["p75_usd"]] == [165_000, 195_000, 231_450]
    # Plausibility (PUDL-style bound): well above the US all-jobs median (~$60K) and below
    # what only a few staff-level roles reach ($400K); the article claims $150-220K.
    assert 120_000 <= pct["p50_usd"] <= 260_000
    rows = pay_units(survey.filtered(snapshot.rows, survey.normalised_filters()),
                     snapshot.postings, "rows", "keep")
    old = summaries.percentile_table(rows).set_index("role_id").loc["ai_ml_engineer"]
    assert [old["p25_usd"], old["p50_usd"], old["p75_usd"]] == [145_000, 189_000, 243_300]


def _postings(tmp_path, body: str):
    data = survey.read_survey(write(tmp_path / "p.csv", HEADER + body))
    return data, data.postings


def test_pairing_a_range_becomes_one_posting(tmp_path):
    data, p = _postings(tmp_path, row(usd=200_000) + row(usd=100_000))
    assert len(p) == 1
    assert (p["salary_min_usd"].iloc[0], p["salary_max_usd"].iloc[0],
            p["salary_mid_usd"].iloc[0]) == (100_000, 200_000, 150_000)
    assert p["n_rows"].iloc[0] == 2 and bool(p["is_paired"].iloc[0])
    assert data.rows["posting_id"].tolist() == [0, 0]


@pytest.mark.parametrize("body, postings, paired", [
    # equal salaries: the first is not strictly greater, so no range
    (row(usd=150_000) * 2, 2, 0),
    # reversed order (bottom first): not the file's pattern
    (row(usd=100_000) + row(usd=200_000), 2, 0),
    # a pair split by another row is not a pair
    (row(usd=200_000) + row("Data Scientist") + row(usd=100_000), 3, 0),
    # split by a row that is excluded: the two are not adjacent lines of the file
    (row(usd=200_000) + row(usd="lots") + row(usd=100_000), 2, 0),
    # three falling salaries: greedy from the top, the first two pair, the third stands alone
    (row(usd=300_000) + row(usd=200_000) + row(usd=100_000), 2, 1),
    # four falling: two pairs
    (row(usd=400_000) + row(usd=300_000) + row(usd=200_000) + row(usd=100_000), 2, 2),
    # a column other than the salaries differs: not one posting
    (row(usd=200_000, remote=100) + row(usd=100_000, remote=0), 2, 0),
], ids=["equal salaries", "reversed order", "split by another row", "split by an excluded row",
        "three falling", "four falling", "another column differs"])
def test_pairing_rule_cases(tmp_path, body, postings, paired):
    _, p = _postings(tmp_path, body)
    assert len(p) == postings
    assert int(p["is_paired"].sum()) == paired


def test_three_equal_rows_are_three_postings_two_of_them_repeats(tmp_path):
    _, p = _postings(tmp_path, row(usd=150_000) * 3)
    assert len(p) == 3
    assert p["is_repeat"].tolist() == [False, True, True]
    assert p["repeat_group_size"].tolist() == [3, 3, 3]


def test_identical_ranges_are_repeats_and_drop_keeps_one(tmp_path):
    pair = row(usd=200_000) + row(usd=100_000)
    data, p = _postings(tmp_path, pair * 2 + row(usd=90_000))
    assert len(p) == 3 and p["is_repeat"].tolist() == [False, True, False]
    keep = pay_units(data.rows, p, "midpoint", "keep")
    drop = pay_units(data.rows, p, "midpoint", "drop")
    assert keep["pay_usd"].tolist() == [150_000, 150_000, 90_000]
    assert drop["pay_usd"].tolist() == [150_000, 90_000]
    rows_drop = pay_units(data.rows, p, "rows", "drop")  # the repeat's two rows go too
    assert rows_drop["pay_usd"].tolist() == [200_000, 100_000, 90_000]


def test_pay_measures(tmp_path):
    data, p = _postings(tmp_path, row(usd=200_000) + row(usd=100_000) + row(usd=90_000))
    measured = {m: pay_units(data.rows, p, m)["pay_usd"].tolist()
                for m in ("midpoint", "range_low", "range_high", "rows")}
    assert measured == {"midpoint": [150_000, 90_000], "range_low": [100_000, 90_000],
                        "range_high": [200_000, 90_000], "rows": [200_000, 100_000, 90_000]}
    assert pay_units(data.rows, p, "midpoint")["n_rows"].tolist() == [2, 1]


def test_a_file_without_pairs_gives_one_posting_per_row(tmp_path):
    lines = [row(usd=100_000 + 1_000 * i) for i in range(40)]  # rising: never a range
    data, p = _postings(tmp_path, "".join(lines))
    assert len(p) == 40 and not p["is_paired"].any()


def _binomial_cdf(k: int, n: int, q: float) -> float:
    return sum(math.comb(n, i) * q ** i * (1 - q) ** (n - i) for i in range(k + 1))


@pytest.mark.parametrize("n, ranks", [(10, (2, 9)), (30, (10, 21)), (5, (0, 0))])
def test_median_interval_ranks_by_hand(n, ranks):
    # n=10: F(1)=0.0107 < 0.025 <= F(2)=0.0547 -> lower rank 2; F(7)=0.945 < 0.975 <=
    # F(8)=0.989 -> upper rank 8+1 = 9. n=30: F(9)=0.021, F(10)=0.049 -> 10; F(19)=0.951,
    # F(20)=0.979 -> 21. n=5: F(0)=1/32 > 0.025 -> no rank 0 order statistic: no interval.
    assert summaries.quantile_ci_ranks(n, 0.5) == ranks
    if ranks != (0, 0):
        lo, hi = ranks
        coverage = _binomial_cdf(hi - 1, n, 0.5) - _binomial_cdf(lo - 1, n, 0.5)
        assert coverage >= 0.95
        assert summaries.quantile_interval(np.arange(1.0, n + 1), 0.5) == (lo, hi)


def test_clustered_interval_of_triplicated_adverts_by_hand():
    # 10 adverts paying 1..10, each posted 3 times (30 postings). Median 5.5; z = pay <= 5.5
    # holds for 15 postings, p = 0.5. Between clusters: 10/9 * 10 * (3*1 - 0.5*3)^2 = 25;
    # with every posting its own cluster: 30/29 * 30 * 0.25 = 7.7586; design effect 3.2222,
    # effective n = floor(30 / 3.2222) = 9. Exact ranks for n=9: F(1)=0.0195, F(2)=0.0898 ->
    # 2; F(6)=0.910, F(7)=0.9805 -> 7+1 = 8. Carried to 30: floor(2 * 31/10) = 6 and
    # ceil(8 * 31/10) = 25; the 6th and 25th postings pay 2 and 9. Independent postings would
    # give ranks 10 and 21 (pay 4 and 7): too narrow.
    pay = np.repeat(np.arange(1.0, 11.0), 3)
    advert = np.repeat(np.arange(10), 3)
    codes, sizes = summaries.cluster_codes(advert)
    assert summaries.design_effect(pay <= 5.5, codes, sizes) == pytest.approx(25 / (900 / 116))
    assert summaries.clustered_quantile_interval(pay, 0.5, codes, sizes) == (2.0, 9.0)
    assert summaries.quantile_interval(np.sort(pay), 0.5) == (4.0, 7.0)
    # the ten adverts once each: exact ranks (2, 9) for n=10, pay 2 and 9, the same interval
    assert summaries.quantile_interval(np.arange(1.0, 11.0), 0.5) == (2.0, 9.0)


def test_clustered_interval_without_repeats_is_the_exact_interval():
    rng = np.random.default_rng(7)
    pay = rng.lognormal(12, 0.3, 200)
    codes, sizes = summaries.cluster_codes(np.arange(200))
    assert summaries.clustered_quantile_interval(pay, 0.5, codes, sizes) == \
        summaries.quantile_interval(np.sort(pay), 0.5)
    assert summaries.clustered_quantile_interval(pay, 0.9, codes, sizes) == \
        summaries.quantile_interval(np.sort(pay), 0.9)


def test_share_interval_by_hand():
    # 15 of 30 independent postings: Wilson with z = 1.96, n = 30: centre 0.5, half-width
    # 1.96 / (1 + 3.8415/30) * sqrt(0.25/30 + 3.8415/3600) = 0.16846
    flag = np.arange(30) < 15
    codes, sizes = summaries.cluster_codes(np.arange(30))
    share, lo, hi = summaries.clustered_share_interval(flag, codes, sizes)
    assert (share, lo, hi) == pytest.approx((0.5, 0.33154, 0.66846), abs=1e-4)
    # the same 30 as 10 triplicated adverts: design effect 3.2222 (as above), n_eff 9.3103,
    # z^2/n_eff = 0.41261: half-width 1.96 / 1.41261 * sqrt(0.25/9.3103 + 3.8415/346.73)
    # = 1.3875 * 0.19476 = 0.27023
    codes3, sizes3 = summaries.cluster_codes(np.repeat(np.arange(10), 3))
    _, lo3, hi3 = summaries.clustered_share_interval(np.repeat(np.arange(10) < 5, 3), codes3,
                                                     sizes3)
    assert (lo3, hi3) == pytest.approx((0.22977, 0.77023), abs=1e-4)


def test_one_advert_over_a_fifth_of_a_cell_is_dominated(tmp_path):
    # 40 distinct adverts (pay rising: no pairs) and one advert posted 20 times: 20 of 60
    # postings (33%) are one advert; with repeats dropped it is 1 of 41 (2%)
    lines = [row(usd=150_000 + 1_000 * i) for i in range(40)] + [row(usd=300_000)] * 20
    data = survey.read_survey(write(tmp_path / "dominated.csv", HEADER + "".join(lines)))
    kept = summaries.percentile_table(pay_units(data.rows, data.postings, repeats="keep"))
    k = kept.set_index("role_id").loc["ai_ml_engineer"]
    assert (k["n_postings"], k["n_adverts"]) == (60, 41)
    assert k["top_advert_share"] == pytest.approx(20 / 60) and k["is_dominated"]
    assert k["reliability"] == "use with caution"
    assert k["reliability_reason"].startswith("dominated by one advert: 20 of 60 postings (33%)")
    dropped = summaries.percentile_table(pay_units(data.rows, data.postings, repeats="drop"))
    d = dropped.set_index("role_id").loc["ai_ml_engineer"]
    assert (d["n_postings"], d["n_adverts"]) == (41, 41) and not d["is_dominated"]
    assert d["top_advert_share"] == pytest.approx(1 / 41)
    assert d["reliability"] == "reliable"
    # the grade never says reliable for a dominated cell, whatever its CV
    assert summaries.reliability(100, 0.01, 30, 0.21, 30, 140)[0] == "use with caution"
    assert summaries.reliability(100, 0.01, 30, 0.20, 28, 140)[0] == "reliable"
    assert summaries.reliability(29, 0.01, 30)[1] == "29 distinct adverts, under the minimum of 30"


def test_reliability_grades():
    assert summaries.reliability(29, 0.01, 30) == (
        "suppressed", "29 distinct adverts, under the minimum of 30")
    assert summaries.reliability(1, 0.01, 30) == ("suppressed",
                                                  "1 distinct advert, under the minimum of 30")
    assert summaries.reliability(100, 0.05, 30) == ("reliable", "CV 5.0%")
    assert summaries.reliability(100, 0.2, 30)[0] == "use with caution"
    assert summaries.reliability(100, 0.4, 30)[0] == "suppressed"
    assert summaries.reliability(100, math.nan, 30)[0] == "suppressed"
    # CV from an interval: half-width / 1.96 / estimate = (120 - 80) / 2 / 1.96 / 100
    assert summaries.cv_from_interval(100, 80, 120) == pytest.approx(20 / 1.959964 / 100)


def _units(parts):
    """Pay units from (role_id or None, is_baseline, level, pay, count) tuples."""
    rows = []
    for role, base, level, pay, count in parts:
        rows += [{"role_id": role, "is_baseline": base, "is_software_family": base,
                  "experience_level": level, "work_year": 2024, "company_location": "US",
                  "pay_usd": float(pay), "min_usd": float(pay), "max_usd": float(pay),
                  "n_rows": 1}] * count
    return pd.DataFrame(rows)


def test_premium_and_its_mix_adjustment_by_hand():
    units = _units([("r", False, "EN", 100, 40), ("r", False, "SE", 200, 60),
                    (None, True, "EN", 80, 10), (None, True, "SE", 200, 90)])
    prem = summaries.premium_table(units, min_n=5)
    pick = prem[(prem["baseline"] == "software_engineer")].set_index("group")
    # raw: both medians are 200 (60 of 100 role postings and 90 of 100 baseline ones)
    assert pick.loc["all", "premium"] == pytest.approx(0.0)
    # within level: EN 100/80 = 1.25, SE 200/200 = 1; the role's mix 40% EN, 60% SE:
    # 0.4 x 1.25 + 0.6 x 1.0 - 1 = +10%
    assert pick.loc["mix_adjusted", "premium"] == pytest.approx(0.10)
    levels = prem[(prem["group"] == "experience_level")
                  & (prem["baseline"] == "software_engineer")].set_index("group_value")
    assert levels.loc["EN", "premium"] == pytest.approx(0.25)
    # constant values: every interval collapses onto the estimate
    assert pick.loc["mix_adjusted", "premium_ci95_low"] == pytest.approx(0.10)


def test_negative_premiums_stay_negative_and_intervals_contain_them():
    units = _units([("r", False, "SE", 90 + i % 7, 1) for i in range(50)]
                   + [(None, True, "SE", 100 + i % 7, 1) for i in range(50)])
    prem = summaries.premium_table(units, min_n=30)
    raw = prem[(prem["group"] == "all") & (prem["baseline"] == "software_engineer")].iloc[0]
    assert raw["premium"] < 0
    assert raw["premium_ci95_low"] <= raw["premium"] <= raw["premium_ci95_high"]


def test_old_snapshot_without_software_engineers(tmp_path):
    lines = [row("Machine Learning Engineer", 150_000 + i, year=2021) for i in range(40)]
    data = survey.read_survey(write(tmp_path / "old.csv", HEADER + "".join(lines)))
    tabs, _ = evidence.evidence_tables(data, survey.normalised_filters())
    prem = tabs["survey_premium"]
    assert not prem["is_computable"].any()
    assert set(prem["reason"]) == {
        "no baseline postings to compare with",
        "no experience level has 30 or more distinct adverts on both sides"}
    pct = tabs["survey_percentiles"]
    assert pct[pct["group"] == "all"]["n_postings"].tolist() == [40, 40]  # keep, drop


def test_a_file_with_no_ai_role_is_no_data_not_an_error(tmp_path):
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + row("Data Scientist") * 5))
    tabs, prov = evidence.evidence_tables(data, survey.normalised_filters())
    ev = evidence.Evidence(tabs, prov, False)
    assert ev.role_pay().empty and prov["postings_mapped_to_roles"] == 0
    result = _audit(ev)
    assert set(result["verdict"]) == {"no data"}


def test_extra_columns_and_json_give_the_same_numbers(tmp_path):
    body = "".join(row(usd=100_000 + 1000 * i) for i in range(35))
    csv = write(tmp_path / "s.csv", HEADER + body)
    with_id = pd.read_csv(csv)
    with_id.insert(0, "Id", range(len(with_id)))
    with_id.to_csv(tmp_path / "with_index.csv")  # adds an unnamed index column as well
    records = pd.read_csv(csv).to_dict("records")
    (tmp_path / "s.json").write_text(json.dumps(records))
    results = []
    for name in ("s.csv", "with_index.csv", "s.json"):
        data = survey.read_survey(tmp_path / name)
        results.append(summaries.percentile_table(pay_units(data.rows, data.postings)))
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)


def test_unmapped_titles_are_kept_and_counted(tmp_path):
    body = (row("Data Scientist", 100_000) + row("Data Scientist", 110_000)
            + row("Data Scientist", 120_000) + row("Machine Learning Engineer"))
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + body))
    assert len(data.rows) == 4
    _, prov = evidence.evidence_tables(data, survey.normalised_filters())
    assert prov["postings_unmapped"] == 3 and prov["unmapped_titles"] == 1
    units = pay_units(data.rows, data.postings)
    mix = summaries.posting_mix(units, survey.BASELINE_LABEL, "unmapped").set_index("role_id")
    assert mix.loc["unmapped", "postings"] == 3


def test_title_map_follows_its_policy():
    title_map = tables.load_table("survey_title_map")
    mapped = title_map[title_map["role_id"].notna()]
    # a mapped title names AI, ML or deep learning (or is the article's own title)
    names_ai = mapped["job_title"].str.contains(r"\bAI\b|Artificial|Machine Learning|\bML|"
                                                r"Deep Learning|MLOps|Prompt", regex=True)
    assert names_ai.all(), list(mapped.loc[~names_ai, "job_title"])
    generic = {"Research Scientist", "Applied Scientist", "Research Engineer",
               "AI Product Owner"}
    by_title = title_map.set_index("job_title")
    for title in generic:
        assert pd.isna(by_title.loc[title, "role_id"]) and by_title.loc[title, "is_contested"]
    assert by_title.loc["AI Developer", "is_contested"]


def test_committed_evidence_serves_one_experience_level():
    ev = evidence.load_evidence(SurveySlice(experience_levels=("EN",)))
    assert ev.level == "EN"
    pay = ev.role_pay().set_index("role_id")
    assert set(pay["group_value"]) == {"EN"}
    # distinct adverts by default; 170 postings with repeats kept
    assert pay.loc["ai_ml_engineer", ["n_postings", "n_adverts"]].tolist() == [90, 90]
    kept = ev.role_pay("keep").set_index("role_id")
    assert kept.loc["ai_ml_engineer", ["n_postings", "n_adverts"]].tolist() == [170, 90]
    with pytest.raises(ParameterError, match="splits by one level at a time"):
        evidence.load_evidence(SurveySlice(experience_levels=("EN", "MI")))
    with pytest.raises(ParameterError, match="survey filters or min_n differ"):
        evidence.load_evidence(SurveySlice(company_countries=("GB",)))
    with pytest.raises(ParameterError, match="parameter pay_measure: got 'mean'"):
        evidence.load_evidence(SurveySlice(pay_measure="mean"))


# --- the audit's rules, each on a constructed case -----------------------------------------

def test_band_supported_when_both_ends_are_within_15_percent():
    # claim 150-220; typical range 150 (149-151) to 238 (234-240): 220/238 = -7.6%
    point, possible, direction = audit.band_judgement(150, 220, 150, (149, 151), 238, (234, 240),
                                                      195, (193, 198))
    assert (point, possible, direction) == ("supported", {"supported"}, "both ends within 15%")


def test_band_off_at_one_end_is_partly_supported_with_its_direction():
    # high end 200 against 256: 200/256 - 1 = -21.9%, off at every point of 245-272
    point, possible, direction = audit.band_judgement(160, 200, 156, (145, 159), 256, (245, 272),
                                                      208, (193, 214))
    assert (point, possible, direction) == ("partly supported", {"partly supported"},
                                            "high end 22% below the survey")


def test_band_off_at_both_ends_with_the_median_outside_is_not_supported():
    # 180/110 = +64%, 250/160 = +56%; median 135 (135-144) is below 180
    point, possible, direction = audit.band_judgement(180, 250, 110, (110, 112), 160, (160, 160),
                                                      135, (135, 144))
    assert (point, possible) == ("not supported", {"not supported"})
    assert direction == "low end 64% above the survey; high end 56% above the survey"


def test_band_off_at_both_ends_around_the_median_is_partly_supported():
    # a wide claim 100-400 against a range 150-250: both ends off, median 200 inside
    assert audit.band_judgement(100, 400, 150, (149, 151), 250, (249, 251), 200,
                                (199, 201))[0] == "partly supported"


def test_band_inside_the_interval_of_a_threshold_states_precision_apart():
    # low end 100 against 87 (86-88): +14.9% at 87 (within), +16.3% at 86 (off)
    point, possible, _ = audit.band_judgement(100, 200, 87, (86, 88), 200, (199, 201), 150,
                                              (149, 151))
    assert (point, possible) == ("supported", {"supported", "partly supported"})
    assert audit.verdict_text(point, possible) == \
        "supported by the estimate; the interval also allows partly supported"
    assert audit.allows_cell(point, possible) == "partly supported"
    assert audit.possible_of(point, "partly supported") == possible
    # the same claim with a tight interval allows nothing else
    point, possible, _ = audit.band_judgement(100, 200, 87, (86.99, 87.01), 200, (199, 201),
                                              150, (149, 151))
    assert audit.verdict_text(point, possible) == "supported"


def test_open_ended_top_uses_the_p90_interval():
    # a top above the 90th percentile (the highest published) is beyond what it can test: a
    # p90 below the top does not show that no one is paid more
    assert audit.open_top_judgement(250, 225, (204, 231)) == ("no data", {"no data"})
    assert audit.open_top_judgement(200, 225, (204, 231)) == ("supported", {"supported"})
    # 225 above 220, but the interval reaches below it: precision, not direction
    assert audit.verdict_text(*audit.open_top_judgement(220, 225, (204, 231))) == \
        "supported by the estimate; the interval also allows no data (beyond what the " \
        "source can test)"
    assert audit.verdict_text(*audit.open_top_judgement(230, 225, (204, 231))) == \
        "no data by the estimate; the interval also allows supported"


def _ranked(intervals):
    bands = pd.DataFrame({"role_id": list("abc"), "role_name": list("ABC"),
                          "salary_low_usd": [300, 200, 100], "salary_high_usd": [310, 210, 110]})
    pay = pd.DataFrame({"role_id": list("abc"), "reliability": "reliable",
                        "p50_usd": [(lo + hi) / 2 for lo, hi in intervals],
                        "p50_ci95_low_usd": [lo for lo, _ in intervals],
                        "p50_ci95_high_usd": [hi for _, hi in intervals]})
    return audit.ranking_pairs(bands, pay)


def test_ranking_rule():
    agree = _ranked([(300, 310), (200, 210), (100, 110)])
    assert agree["survey_says"].tolist() == ["agrees", "agrees"]
    assert audit.ranking_judgement(agree) == ("supported", {"supported"})
    assert audit.ranking_evidence(agree) == (
        "2 neighbouring pairs with graded medians (reliable or use with caution): by their 95% "
        "intervals, 2 agree with the article's order, 0 contradict it and 0 are too close to "
        "tell")
    contra = _ranked([(100, 110), (200, 210), (50, 60)])
    assert contra["survey_says"].tolist() == ["contradicts", "agrees"]
    assert audit.ranking_judgement(contra) == ("not supported", {"not supported"})
    close = _ranked([(198, 218), (200, 210), (100, 110)])
    assert close["survey_says"].tolist() == ["too close to tell", "agrees"]
    assert audit.ranking_evidence(close).endswith(
        "1 agrees with the article's order, 0 contradict it and 1 is too close to tell")
    # the medians in order, the first pair's intervals overlapping: supported by the estimate,
    # and the interval also allows not supported
    assert audit.ranking_judgement(close) == ("supported", {"supported", "not supported"})
    assert audit.verdict_text(*audit.ranking_judgement(close)) == \
        "supported by the estimate; the interval also allows not supported"
    assert audit.ranking_judgement(pd.DataFrame(columns=["survey_says", "medians_say"])) == \
        ("no data", {"no data"})


def _audit(ev):
    roles = tables.load_table("roles")
    bands = transforms.bands_with_midpoints(tables.load_table("salary_bands"), roles)
    growth = transforms.growth_table(tables.load_table("growth_rates"), roles)
    return audit.claims_audit(bands, ev.role_pay(), growth, tables.load_table("market_claims"),
                              tables.load_table("learning_path_steps"), evidence_text=ev.summary,
                              population="test", min_n=30,
                              role_pay_other=ev.role_pay(ev.other_repeats),
                              grid=ev.claim_grid(), repeats=ev.repeats)


def test_audit_on_the_committed_evidence():
    result = _audit(evidence.load_evidence())
    # 5 bands + 1 open-ended top + 1 ranking + 3 growth rates + 1 shelf life + 4 timed steps
    assert len(result) == 15
    assert set(result["verdict"]) <= set(audit.VERDICTS)
    assert set(result["kind"]) == set(audit.KINDS)
    by_claim = result.set_index("claim")
    assert set(result.loc[result["kind"] == "growth", "verdict"]) == {"no data"}
    ml = result[result["claim"].str.startswith("AI/ML Engineer")].iloc[0]
    assert ml["verdict"] == "supported" and "n 1,589 postings" in ml["evidence"]
    rs = result[result["claim"].str.startswith("AI Research Scientist: $")].iloc[0]
    assert rs["verdict"] == "not supported" and "above the survey" in rs["direction"]
    # the grid: the generic titles (Research Scientist 1,123 postings, Applied Scientist,
    # Research Engineer) move the verdict; repeats and the period do not
    assert rs["depends_on"] == ("depends on the title map: not supported with titles as "
                                "mapped; partly supported with the contested titles counted")
    assert (rs["variants_agreeing"], rs["n_variants"], rs["is_robust"]) == (4, 8, False)
    # the one senior advert repeated 161 times: 39% of the repeats-kept cell (46% in 2024)
    assert "repeats kept and titles as mapped (up to 46% of a cell's postings" in rs["dominance"]
    top = result[result["kind"] == "open-ended top"].iloc[0]
    assert top["evidence"].endswith("24% advertise a top above $250K (95% CI 18%-30%)")
    assert top["verdict"] == "supported" and not top["is_robust"]
    mlops = result[result["claim"].str.startswith("MLOps")].iloc[0]
    assert mlops["verdict_text"].startswith("supported by the estimate in all 8 variants; the "
                                            "interval also allows partly supported")
    ranking = result[result["kind"] == "pay ranking"].iloc[0]
    assert ranking["verdict"] == "not supported"  # research scientists are paid least
    assert (result["population"] == "test").sum() == 7
    assert by_claim.index.is_unique


def test_filters(tmp_path):
    body = (row(country="US") * 2 + row(country="DE") + row(kind="CT")
            + row(level="EN", year=2023))
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + body))
    assert len(survey.filtered_rows(data, survey.normalised_filters())) == 3
    f = survey.normalised_filters(company_countries=[], employment_types=[])
    assert len(survey.filtered_rows(data, f)) == 5
    f = survey.normalised_filters(experience_levels=["en"], work_years=["2023"])
    assert len(survey.filtered_rows(data, f)) == 1
    with pytest.raises(ParameterError, match="parameter experience_levels: unknown code"
                                             r"\(s\) XX; expected any of EN, MI, SE, EX"):
        survey.normalised_filters(experience_levels=["XX"])



@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_bad_rows_are_excluded_counted_and_strict_stops(tmp_path, case):
    bad, reason = BAD_ROWS[case]
    file = write(tmp_path / "s.csv", HEADER + row() + bad + row() + bad)
    data = survey.read_survey(file)
    assert len(data.rows) == 2
    (key, found), = data.exclusions.items()
    assert key.startswith(reason)
    assert found == {"count": 2, "example_rows": [3, 5]}  # file lines of the bad rows
    with pytest.raises(DataError) as info:
        survey.read_survey(file, strict=True)
    assert f"{file}, line 3, column" in str(info.value)
    assert reason in str(info.value)



@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_text_files(tmp_path, case):
    text, message = MALFORMED[case]
    with pytest.raises(DataError, match=message):
        survey.read_survey(write(tmp_path / "bad.csv", text))


def test_binary_and_non_utf8_files(tmp_path):
    binary = tmp_path / "bad.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match="a binary file, not a table"):
        survey.read_survey(binary)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + row("Ingénieur")).encode("latin-1"))
    with pytest.raises(DataError, match=r"not UTF-8 text \(byte \d+\)"):
        survey.read_survey(latin)
    with pytest.raises(DataError, match="survey file not found"):
        survey.read_survey(tmp_path / "missing.csv")


def test_byte_order_mark_is_read(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeff".encode() + (HEADER + row()).encode())
    assert survey.read_survey(bom).rows["work_year"].tolist() == [2024]


def test_derived_tables_regenerate_identically(tmp_path):
    need_snapshot()
    written = evidence.write_derived(SNAPSHOT, tmp_path, date="2026-11-26")
    assert len(written) == 24
    for file in written:
        committed = evidence.DERIVED_DIR / file.name
        assert file.read_bytes() == committed.read_bytes(), f"{file.name} differs"


@pytest.mark.parametrize("engine", ["c", pytest.param("pyarrow", marks=pytest.mark.skipif(
    importlib.util.find_spec("pyarrow") is None, reason="pyarrow is optional"))])
def test_namibia_is_a_country_not_a_missing_value(tmp_path, engine):
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + row(country="NA")),
                              engine=engine)
    assert data.rows["company_location"].astype(str).tolist() == ["NA"]


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="pyarrow is optional")
def test_both_engines_read_the_same(tmp_path):
    body = row() + row(usd="lots") + row(level="XX", title=" Prompt Engineer ")
    file = write(tmp_path / "s.csv", HEADER + body)
    a, b = survey.read_survey(file, engine="c"), survey.read_survey(file, engine="pyarrow")
    assert a.exclusions == b.exclusions
    pd.testing.assert_frame_equal(a.rows.astype(str), b.rows.astype(str))


def test_rows_measure_drops_repeats_by_posting_id_after_filters(tmp_path):
    # the first posting (DE) is filtered out, so positions and posting ids differ
    body = row(country="DE", usd=50_000) + (row(usd=200_000) + row(usd=100_000)) * 2
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + body))
    f = survey.normalised_filters()
    units = pay_units(survey.filtered(data.rows, f), survey.filtered(data.postings, f),
                      "rows", "drop")
    assert units["pay_usd"].tolist() == [200_000, 100_000]


def test_binomial_quantile_agrees_with_scipy_binom_ppf():
    from scipy.stats import binom

    for n in (1, 2, 5, 10, 29, 30, 31, 100, 417, 3_100, 100_000):
        for q in (0.1, 0.5, 0.9):
            for prob in (0.025, 0.975):
                assert summaries.binomial_quantile(prob, n, q) == int(binom.ppf(prob, n, q)), \
                    (n, q, prob)


@pytest.mark.parametrize(("field", "value", "what"), [
    ("company_location", ["US"], "a list"), ("job_title", {"x": 1}, "an object")])
def test_a_json_record_with_a_list_or_object_for_a_value_is_one_line(tmp_path, capsys, field,
                                                                     value, what):
    from aijobs import cli

    good = {"work_year": 2024, "experience_level": "SE", "employment_type": "FT",
            "job_title": "Machine Learning Engineer", "salary": 150000,
            "salary_currency": "USD", "salary_in_usd": 150000, "employee_residence": "US",
            "remote_ratio": 0, "company_location": "US", "company_size": "M"}
    file = write(tmp_path / "s.json", json.dumps([good, good, {**good, field: value}]))
    with pytest.raises(DataError) as caught:
        survey.read_survey(file)
    expected = "text" if field in ("company_location", "job_title") else "a number"
    assert str(caught.value).endswith(f"s.json, record 3, field {field}: got {what}; expected "
                                      f"{expected}")
    out = tmp_path / "out"
    assert cli.main(["survey-derive", str(file), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f", record 3, field {field}: got {what}" in err
    assert not out.exists()
