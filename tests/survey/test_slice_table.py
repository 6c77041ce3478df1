"""The slices the survey pages' slice switch picks from (summaries.slice_table) and what the
page embeds of them (notebook.survey_pages.slice_payload), on constructed postings whose
figures are worked by hand; and the committed slices against the committed evidence."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from aijobs import paths
from aijobs.notebook import survey_pages
from aijobs.survey import summaries


def _units() -> pd.DataFrame:
    """AI/ML engineers: 40 senior US adverts in 2024 paying 100,000 to 139,000 (1,000 apart),
    5 senior GB adverts paying 60,000 to 64,000; CA: 30 senior adverts paying 200,000 to
    229,000 and one advert at 250,000 posted 10 times; MLOps: 3 mid US adverts in 2023;
    and 50 Software Engineer postings, which are no AI role and never in a slice."""
    rows, advert = [], 0

    def add(role, level, country, year, pay, times=1, base=False):
        nonlocal advert
        advert += 1
        rows.extend([{"role_id": role, "is_baseline": base, "is_software_family": base,
                      "experience_level": level, "company_location": country,
                      "work_year": year, "pay_usd": float(pay), "min_usd": pay * 0.8,
                      "max_usd": pay * 1.2, "n_rows": 2, "advert_id": advert}] * times)

    for i in range(40):
        add("ai_ml_engineer", "SE", "US", 2024, 100_000 + 1_000 * i)
    for i in range(5):
        add("ai_ml_engineer", "SE", "GB", 2024, 60_000 + 1_000 * i)
    for i in range(30):
        add("ai_ml_engineer", "SE", "CA", 2024, 200_000 + 1_000 * i)
    add("ai_ml_engineer", "SE", "CA", 2024, 250_000, times=10)
    for i in range(3):
        add("mlops_engineer", "MI", "US", 2023, 150_000 + 1_000 * i)
    for i in range(50):
        add(None, "SE", "US", 2024, 90_000 + 100 * i, base=True)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def slices() -> pd.DataFrame:
    return summaries.slice_table(_units(), min_n=30).set_index(list(summaries.SLICE_KEYS))


def test_a_slice_by_hand(slices):
    s = slices.loc[("ai_ml_engineer", "SE", "US", "2024")]
    assert (s["n_postings"], s["n_adverts"]) == (40, 40)
    # linear-interpolated percentiles of 100,000..139,000: p = 100,000 + q * 39 * 1,000
    assert s["p10_usd"] == pytest.approx(103_900)
    assert s["p25_usd"] == pytest.approx(109_750)
    assert s["p50_usd"] == pytest.approx(119_500)
    assert s["p90_usd"] == pytest.approx(135_100)
    # no repeats: the exact interval of the median for n = 40. Binomial(40, 1/2): F(13) =
    # 0.0192 < 0.025 <= F(14) = 0.0403 -> rank 14; F(25) = 0.9597 < 0.975 <= F(26) = 0.9808
    # -> rank 26 + 1 = 27: the 14th and 27th adverts pay 113,000 and 126,000
    assert (s["p50_ci95_low_usd"], s["p50_ci95_high_usd"]) == (113_000, 126_000)
    # CV = 13,000 / (2 x 1.96) / 119,500 = 2.8%
    assert s["cv_p50"] == pytest.approx(13_000 / (2 * summaries.Z95) / 119_500)
    assert (s["reliability"], s["reliability_reason"]) == ("reliable", "CV 2.8%")
    assert not s["is_dominated"]


def test_every_dimension_also_taken_whole(slices):
    # every AI posting: 40 + 5 + 40 + 3 = 88 postings, 40 + 5 + 31 + 3 = 79 adverts; the
    # Software Engineer postings are in none
    whole = slices.loc[("all", "all", "all", "all")]
    assert (whole["n_postings"], whole["n_adverts"]) == (88, 79)
    assert slices.loc[("all", "all", "US", "all")]["n_adverts"] == 43
    assert slices.loc[("all", "MI", "all", "2023")]["n_adverts"] == 3
    # AI/ML engineers in any country: 85 postings; sorted pay is 60-64k (5 GB), 100-139k
    # (40 US), 200-229k and 250k (40 CA); np.quantile at 0.5 of 85 values is the 43rd: the
    # 38th US advert, 100,000 + 37,000
    ai = slices.loc[("ai_ml_engineer", "all", "all", "all")]
    assert ai["n_postings"] == 85
    assert ai["p50_usd"] == 137_000
    # only combinations that hold postings: no MLOps slice in 2024, none in GB
    assert ("mlops_engineer", "all", "all", "2024") not in slices.index
    assert ("mlops_engineer", "all", "GB", "all") not in slices.index
    assert not slices.index.get_level_values("role_id").isin([None, "nan"]).any()


def test_a_small_slice_keeps_its_n_and_reason_and_no_number(slices):
    s = slices.loc[("ai_ml_engineer", "SE", "GB", "2024")]
    assert s["n_adverts"] == 5 and s["reliability"] == "suppressed"
    assert s["reliability_reason"] == "5 distinct adverts, under the minimum of 30"
    assert all(math.isnan(s[c]) for c in slices.columns if c.startswith("p"))


def test_one_advert_over_a_fifth_is_flagged_and_never_reliable(slices):
    # CA: 10 of 40 postings (25%) are one advert
    s = slices.loc[("ai_ml_engineer", "SE", "CA", "2024")]
    assert (s["n_postings"], s["n_adverts"]) == (40, 31)
    assert s["top_advert_share"] == pytest.approx(0.25) and s["is_dominated"]
    assert s["reliability"] == "use with caution"
    assert s["reliability_reason"].startswith("dominated by one advert: 10 of 40 postings (25%)")
    # the same grade and reason group_stats gives the cell
    units = _units()
    cell = units[(units["company_location"] == "CA")]
    stats = summaries.group_stats(cell["pay_usd"].to_numpy(), cell["min_usd"].to_numpy(),
                                  cell["max_usd"].to_numpy(), int(cell["n_rows"].sum()), 30,
                                  cell["advert_id"].to_numpy())
    assert (stats["reliability_reason"], stats["p50_usd"], stats["p50_ci95_low_usd"]) == (
        s["reliability_reason"], s["p50_usd"], s["p50_ci95_low_usd"])


def test_no_postings_no_slices():
    assert summaries.slice_table(_units().iloc[0:0]).empty


def _payload(default=None, names=None):
    table = summaries.slice_table(_units(), min_n=30)
    return survey_pages.slice_payload(
        table, role_names=names or {"ai_ml_engineer": "AI/ML Engineer",
                                    "mlops_engineer": "MLOps Engineer"},
        year_labels={"2024": "2024 (the whole year)"}, default=default, min_n=30)


def test_the_payload_lists_what_holds_postings_and_selects_the_package_values():
    p = _payload()
    o = p["options"]
    assert [v for v, _ in o["role"]] == ["all", "ai_ml_engineer", "mlops_engineer"]
    assert [v for v, _ in o["level"]] == ["all", "MI", "SE"]
    # countries by distinct adverts: US 43, CA 31, GB 5
    assert o["country"] == [["all", "All countries"], ["US", "United States (43 distinct adverts)"],
                            ["CA", "Canada (31 distinct adverts)"],
                            ["GB", "United Kingdom (5 distinct adverts)"]]
    assert o["year"] == [["all", "All years"], ["2024", "2024 (the whole year)"],
                         ["2023", "2023"]]
    # the default role is the one with the most adverts; the rest are taken whole
    assert p["default"] == {"role": "ai_ml_engineer", "level": "all", "country": "all",
                            "year": "all"}
    assert p["quantiles"] == [10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90]
    us = p["slices"]["1|2|1|1"]  # AI/ML Engineer, senior, US, 2024
    assert us[:4] == [40, 40, 0, 0] and p["reasons"][us[4]] == "CV 2.8%"
    percentiles, lows, highs = us[5:]
    assert percentiles[5] == 119_500 and (lows[5], highs[5]) == (113_000, 126_000)
    assert percentiles[0] == 103_900 and percentiles[-1] == 135_100
    gb = p["slices"]["1|2|3|1"]
    assert len(gb) == 5 and gb[:4] == [5, 5, 2, 0]  # suppressed: n and reason, no number
    assert p["reasons"][gb[4]] == "5 distinct adverts, under the minimum of 30"
    assert len(p["slices"]) == len(summaries.slice_table(_units()))


def test_the_payload_default_takes_only_known_values():
    p = _payload({"role": "mlops_engineer", "country": "ZZ", "year": "<b>", "level": "MI"})
    assert p["default"] == {"role": "mlops_engineer", "level": "MI", "country": "all",
                            "year": "all"}


def test_markup_in_the_data_cannot_leave_the_script_element():
    p = _payload(names={"ai_ml_engineer": "</script><img src=x onerror=alert(1)>&amp;"})
    text = survey_pages.json_for_script(p)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["options"]["role"][1][1] == \
        "</script><img src=x onerror=alert(1)>&amp;"
    page = survey_pages.slice_switch_html(p)
    assert page.count("</script>") == 2  # the data's and the script's own, nothing else


def test_committed_slices_agree_with_the_committed_evidence():
    """The slice of the committed evidence's own filters (US, every level and year) is the
    evidence table's row: same n, median, interval and grade."""
    # read as plain CSV: the tables' own checks run in tests/data (and take seconds)
    sl = pd.read_csv(paths.DATA_DIR / "derived" / "survey_slices.csv",
                     dtype={"work_year": str}, keep_default_na=False, na_values=[""])
    pct = pd.read_csv(paths.DATA_DIR / "derived" / "survey_percentiles.csv",
                      keep_default_na=False, na_values=[""])
    sl = sl[(sl["pay_measure"] == "midpoint") & (sl["company_location"] == "US")
            & (sl["work_year"] == "all")]
    pct = pct[pct["pay_measure"] == "midpoint"]
    checked = 0
    for _, row in pct.iterrows():
        level = "all" if row["group"] == "all" else row["group_value"]
        s = sl[(sl["repeats"] == row["repeats"]) & (sl["role_id"] == row["role_id"])
               & (sl["experience_level"] == level)].iloc[0]
        assert (s["n_adverts"], s["reliability"], s["reliability_reason"]) == (
            row["n_adverts"], row["reliability"], row["reliability_reason"])
        if row["reliability"] != "suppressed":
            assert (s["p50_usd"], s["p50_ci95_low_usd"], s["p90_usd"]) == (
                row["p50_usd"], row["p50_ci95_low_usd"], row["p90_usd"])
        checked += 1
    assert checked == len(pct) > 20
