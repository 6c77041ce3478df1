"""Chart titles and notes that state a count, a direction or a verdict are computed: each test
feeds data where the opposite holds and sees the words change."""

from __future__ import annotations

import pandas as pd
import pytest

from aijobs.charts import survey_figures
from aijobs.data import tables

SOURCE = "Source: test."


def _audit(verdicts):
    return pd.DataFrame({"kind": ["pay band"] * len(verdicts), "verdict": verdicts})


@pytest.mark.parametrize(("verdicts", "title", "sub"), [
    (["supported", "not supported", "not supported", "partly supported", "not supported",
      "not supported", "no data", "no data"],
     "1 of the 6 claims the postings can test is supported", "2 more claims with no data"),
    (["supported", "supported", "supported", "supported", "not supported", "not supported",
      "no data"],
     "4 of the 6 claims the postings can test are supported", "1 more claim with no data"),
    (["not supported", "not supported"],
     "None of the 2 claims the postings can test is supported", "0 more claims with no data"),
    (["supported", "supported", "supported"],
     "All 3 claims the postings can test are supported", "0 more claims"),
])
def test_verdict_title_counts_agree(verdicts, title, sub):
    text = survey_figures.verdict_figure(_audit(verdicts), SOURCE).layout.title.text
    assert text.startswith(title + "<br>")
    assert sub in text


def _levels(cells):
    """Per-level cells from {role_id: {level: median}} (all shown, none suppressed)."""
    return pd.DataFrame([{"role_id": r, "group_value": lv, "p50_usd": float(v),
                          "reliability": "reliable"}
                         for r, levels in cells.items() for lv, v in levels.items()])


NAMES = {"ml": "AI/ML Engineer", "rs": "AI Research Scientist"}


def test_level_title_says_pay_rises_only_where_it_does():
    rising = _levels({"ml": {"EN": 120_000, "MI": 160_000, "SE": 200_000},
                      "rs": {"MI": 150_000, "SE": 190_000}})
    assert (survey_figures.level_order_title(rising, NAMES)
            == "Median pay rises with each experience level in both roles shown")
    # the issue's case: research scientists' senior median below their mid median
    falling = _levels({"ml": {"EN": 120_000, "MI": 160_000, "SE": 200_000},
                       "rs": {"MI": 173_300, "SE": 135_000}})
    assert (survey_figures.level_order_title(falling, NAMES)
            == "Median pay does not rise with every experience level: AI Research Scientist, "
               "senior $135K against mid $173K")
    # the committed evidence: senior $172,500 (interval $163,250 to $185,000) against mid
    # $173,000 ($160,000 to $193,000): lower, but the intervals overlap, so no fall is told
    close = _levels({"ml": {"EN": 120_000, "MI": 160_000, "SE": 200_000},
                     "rs": {"MI": 173_000, "SE": 172_500}}).assign(
        p50_ci95_low_usd=[110_000, 150_000, 190_000, 160_000, 163_250],
        p50_ci95_high_usd=[130_000, 170_000, 210_000, 193_000, 185_000])
    assert (survey_figures.level_order_title(close, NAMES)
            == "Median pay rises with each experience level in 1 of the 2 roles; where a median "
               "is lower, the 95% intervals overlap, so no fall can be told: AI Research "
               "Scientist, senior $172K against mid $173K")
    # the same medians with intervals apart: a fall
    apart = close.assign(p50_ci95_low_usd=[110_000, 150_000, 190_000, 172_900, 160_000],
                         p50_ci95_high_usd=[130_000, 170_000, 210_000, 180_000, 172_800])
    assert (survey_figures.level_order_title(apart, NAMES)
            == "Median pay does not rise with every experience level: AI Research Scientist, "
               "senior $172K against mid $173K")
    # a role with one level cannot be judged; none with two says so
    assert (survey_figures.level_order_title(_levels({"ml": {"SE": 1.0}}), NAMES)
            == "No role has two experience levels with enough postings to compare")


def test_level_pay_figure_title_follows_the_cells():
    bands = pd.DataFrame({"role_id": ["ml", "rs"], "role_name": ["AI/ML Engineer",
                                                                 "AI Research Scientist"],
                          "salary_low_usd": [150_000, 180_000],
                          "salary_high_usd": [220_000, 250_000]})

    def figure(cells, **kw):
        levels = _levels(cells).assign(p50_ci95_low_usd=lambda d: d["p50_usd"] - 1,
                                       p50_ci95_high_usd=lambda d: d["p50_usd"] + 1,
                                       n_postings=50)
        return survey_figures.level_pay_figure(bands, levels, SOURCE, filters_text="US",
                                               **kw).layout.title.text
    falling = {"ml": {"MI": 160_000, "SE": 200_000}, "rs": {"MI": 173_300, "SE": 135_000}}
    rising = {"ml": {"MI": 160_000, "SE": 200_000}, "rs": {"MI": 135_000, "SE": 173_300}}
    assert figure(falling).startswith("Median pay does not rise with every experience level")
    assert figure(rising).startswith("Median pay rises with each experience level in both")
    # entry level: below both bands, below one, none shown
    below = {"ml": {"EN": 100_000}, "rs": {"EN": 120_000}}
    assert figure(below, highlight="EN").startswith(
        "Entry-level postings pay below the article's band in both roles shown")
    one = {"ml": {"EN": 100_000}, "rs": {"EN": 185_000}}
    assert figure(one, highlight="EN").startswith(
        "1 of the 2 roles shown has an entry-level median below the article's band")
    assert figure({"ml": {"MI": 1.0}}, highlight="EN").startswith(
        "No role has enough entry-level postings to show")


def test_mix_title_counts_the_recent_share():
    recent = pd.DataFrame({"work_year": [2021, 2022, 2023, 2024], "postings": [10, 10, 40, 40]})
    assert (survey_figures.mix_title(recent)
            == "Most postings shown (80%) are from 2023 and 2024")
    # the survey page's default counts distinct adverts in its slice, and says so
    assert (survey_figures.mix_title(recent, "distinct adverts")
            == "Most distinct adverts shown (80%) are from 2023 and 2024")
    old = pd.DataFrame({"work_year": [2021, 2022, 2023, 2024], "postings": [40, 40, 10, 10]})
    assert (survey_figures.mix_title(old)
            == "A minority of the postings shown (20%) are from 2023 and 2024")


def test_premium_variants_title_gives_the_range():
    premium = pd.DataFrame({"role_id": ["ml", "rs"], "role_name": ["ML", "RS"],
                            "baseline": "software_engineer", "group": "all",
                            "is_computable": True, "premium": [0.039, -0.289],
                            "premium_ci95_low": [0.03, -0.3], "premium_ci95_high": [0.05, -0.28]})
    title = survey_figures.premium_variants_figure(premium, SOURCE).layout.title.text
    assert title.startswith("The AI-title premium runs from -28.9% to +3.9% across roles")
    positive = premium.assign(premium=[0.039, 0.12])
    title = survey_figures.premium_variants_figure(positive, SOURCE).layout.title.text
    assert title.startswith("The AI-title premium runs from +3.9% to +12.0%")


def test_premium_estimates_title_compares_the_gap_with_the_studies():
    from aijobs.charts import scenario_figures
    est = pd.DataFrame({"measures": ["ai_skill_within_occupation"] * 2
                        + ["ai_title_vs_baseline_title"] * 2,
                        "premium": [0.28, 0.56, -0.29, 0.05]})
    assert (scenario_figures.premium_estimates_title(est)
            == "Published AI skill premiums run from 28% to 56%; the job-board title gap runs "
               "from -29% to +5%, below every published premium")
    overlap = est.assign(premium=[0.05, 0.56, 0.02, 0.30])
    assert scenario_figures.premium_estimates_title(overlap).endswith(
        "runs from +2% to +30%, overlapping them")


def test_shelf_life_title_checks_every_path():
    from aijobs.charts import article_figures
    paths = pd.DataFrame({"path_number": [1, 2, 3], "months_max": [12.0, 9.0, 6.0]})
    assert (article_figures.shelf_life_title(18, paths)
            == "Every path's timed learning (at most 12 months) ends before skills may date "
               "(18 months)")
    assert (article_figures.shelf_life_title(10, paths)
            == "1 of the 3 paths runs past the 10 months after which skills may date (path 1: "
               "up to 12 months)")
    assert article_figures.shelf_life_title(8, paths).startswith("2 of the 3 paths run past")


def test_skills_title_agrees_with_its_count():
    from aijobs.charts import article_figures
    skills = pd.DataFrame({"skill_name": ["a", "b", "c", "d"], "skill_type": "technical",
                           "is_underrated": [True, False, False, False],
                           "is_widely_discussed": False})
    title = article_figures.skills_figure(skills, SOURCE).layout.title.text
    assert title.startswith("1 of the 4 technical skills is one the author calls")
    title = article_figures.skills_figure(skills.assign(is_underrated=[True, True, False, False]),
                                          SOURCE).layout.title.text
    assert title.startswith("2 of the 4 technical skills are ones the author calls")


# Titles that used to name only what is plotted (issue 26): each now states a finding, and
# flips with data where the opposite holds.

def _bands(medians, lows=None, highs=None):
    n = len(medians)
    return pd.DataFrame({"salary_low_usd": [150_000] * n, "salary_high_usd": [200_000] * n,
                         "median_usd": medians,
                         "median_low_usd": lows if lows is not None else medians,
                         "median_high_usd": highs if highs is not None else medians})


def test_band_position_title_counts_where_medians_fall():
    from aijobs.charts.finding_titles import band_position_title as title
    rows = _bands([120_000, 130_000, 140_000, 160_000, float("nan")])
    assert title(rows, "the official", interval=False) == (
        "The official median is below the article's band for 3 of the 4 roles, inside it for 1; "
        "1 role has no reportable median")
    above = _bands([250_000, 260_000])
    assert title(above, "the official", interval=False) == (
        "The official median is above the article's band for both roles")
    # a band with no ceiling: a median above its top is inside it
    assert title(above.assign(is_open_ended=[True, False]), "the official",
                 interval=False) == ("The official median is inside the article's band for 1 "
                                     "of the 2 roles, above it for 1")
    # with intervals the places stay the medians' own (the compensation page's findings say
    # 'below' for a median under the band, and so must the title); the interval is added
    touching = _bands([140_000, 170_000], lows=[130_000, 160_000], highs=[151_000, 180_000])
    assert title(touching, "the postings'", interval=True) == (
        "The postings' median is below the article's band for 1 of the 2 roles, inside it for "
        "1 (its 95% interval reaches the band)")
    clear = _bands([140_000, 170_000], lows=[130_000, 160_000], highs=[149_000, 180_000])
    assert title(clear, "the postings'", interval=True) == (
        "The postings' median is below the article's band for 1 of the 2 roles, inside it "
        "for 1")
    two_out = _bands([140_000, 145_000, 210_000, 170_000], lows=[130_000, 120_000, 195_000,
                                                                  160_000],
                     highs=[151_000, 149_000, 230_000, 180_000])
    assert title(two_out, "the postings'", interval=True) == (
        "The postings' median is below the article's band for 2 of the 4 roles, inside it for "
        "1 and above it for 1 (2 of the 3 roles outside it have a 95% interval that reaches the "
        "band)")


def test_official_bands_figure_title_follows_the_medians():
    from aijobs.analysis import official, transforms
    from aijobs.charts import official_figures
    from aijobs.sources import derived
    bands = transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                            tables.load_table("roles"))
    pct = official.official_percentiles(bands, tables.load_table("soc_crosswalk"),
                                        derived.load("oews_occupations"), 2024)

    def title(frame):
        return official_figures.official_bands_figure(frame, SOURCE, year=2024).layout.title.text
    # the committed May 2024 figures: four medians below the article's band, one inside
    assert title(pct).startswith("The official median is below the article's band for 4 of "
                                 "the 5 roles, inside it for 1")
    # every median moved above the top of its band: the title turns
    high = pct.assign(p50_usd=pct["salary_high_usd"] + 10_000, p50_status="estimate")
    assert title(high).startswith("The official median is above the article's band for all 5")
    # a top-coded median above the band counts as above it; one inside it is not known
    top = high.assign(p50_status="top_coded")
    assert title(top).startswith("The official median is above the article's band for all 5")


def test_postings_index_title_reads_where_series_end():
    from aijobs.charts.finding_titles import postings_index_title
    frame = pd.DataFrame({"series": ["All US postings", "All US postings", "Maths", "Maths",
                                     "Software", "Software"],
                          "date": ["2020-02-01", "2024-09-13"] * 3,
                          "index_sa": [100, 102, 100, 69, 100, 88]})
    assert postings_index_title(frame) == (
        "All US postings end 2% above their 1 Feb 2020 level on 13 Sep 2024; the sectors "
        "nearest to AI end 12% to 31% below theirs on 13 Sep 2024")
    up = frame.assign(index_sa=[100, 90, 100, 130, 100, 95])
    assert postings_index_title(up) == (
        "All US postings end 10% below their 1 Feb 2020 level on 13 Sep 2024; the sectors "
        "nearest to AI end between 5% below and 30% above theirs on 13 Sep 2024")
    # series that end on different days say when each ends (all postings run on past the
    # sectors in Indeed's files)
    later = frame.assign(date=["2020-02-01", "2026-08-14", "2020-02-01", "2024-09-13",
                               "2020-02-01", "2024-09-06"])
    assert postings_index_title(later) == (
        "All US postings end 2% above their 1 Feb 2020 level on 14 Aug 2026; the sectors "
        "nearest to AI end 12% to 31% below theirs on days from 6 Sep 2024 to 13 Sep 2024")


def _shares(first, last):
    """Two roles' shares in 2023 and 2024 from (postings, all postings) pairs."""
    from aijobs.analysis.growth_evidence import board_shares
    mix = pd.DataFrame([{"repeats": "drop", "role_id": r, "work_year": y, "postings": k,
                         "rows": k}
                        for r, (k1, k2) in {"a": first, "b": last}.items()
                        for y, k in ((2023, k1), (2024, k2))]
                       + [{"repeats": "drop", "role_id": "unmapped", "work_year": 2023,
                           "postings": 1000, "rows": 1000},
                          {"repeats": "drop", "role_id": "unmapped", "work_year": 2024,
                           "postings": 1000, "rows": 1000}])
    years = pd.DataFrame({"work_year": [2023, 2024], "is_partial": [False, False]})
    return board_shares(mix, years)


def test_board_share_title_counts_clear_rises_and_falls():
    from aijobs.charts.finding_titles import board_share_title
    # role a: 400 -> 40 adverts (falls clearly); role b: 50 -> 52 (too little to tell)
    assert board_share_title(_shares((400, 40), (50, 52)), 2023, 2024) == (
        "From 2023 to 2024, 1 of the 2 roles lost share of the board's adverts; 1 role changed "
        "too little to tell")
    assert board_share_title(_shares((40, 400), (40, 400)), 2023, 2024) == (
        "From 2023 to 2024, both roles gained share of the board's adverts")
    assert board_share_title(_shares((50, 51), (50, 49)), 2023, 2024) == (
        "From 2023 to 2024, no role's share of the board's adverts changed by more than its "
        "interval")
    # the growth rule's minimum: 200 -> 20 falls as clearly, but 20 adverts are under 30, so
    # it is counted apart (the page's own rule gives it "no data"), as is 10 -> 12
    assert board_share_title(_shares((400, 40), (200, 20)), 2023, 2024) == (
        "From 2023 to 2024, 1 of the 2 roles lost share of the board's adverts; 1 role had too "
        "few adverts to compare (fewer than 30 in a year)")
    assert board_share_title(_shares((50, 51), (10, 12)), 2023, 2024) == (
        "From 2023 to 2024, no role's share of the board's adverts changed by more than its "
        "interval; 1 role had too few adverts to compare (fewer than 30 in a year)")
    assert board_share_title(_shares((20, 21), (10, 12)), 2023, 2024) == (
        "From 2023 to 2024, no role had enough adverts to compare its share of the board's "
        "adverts (at least 30 in each year)")


def test_coverage_title_names_who_can_test_most():
    from aijobs.charts.finding_titles import coverage_title
    counts = pd.DataFrame({"source": ["Board (CC0)", "BLS OEWS (public domain)", "Indeed"],
                           "claims_tested": [6, 5, 0], "claims_not_tested": [3, 4, 9]})
    assert coverage_title(counts) == "Board can test 6 of the 9 claims, BLS OEWS 5 and Indeed 0"
    flipped = counts.assign(claims_tested=[0, 2, 9], claims_not_tested=[9, 7, 0])
    assert coverage_title(flipped) == "Indeed can test 9 of the 9 claims, BLS OEWS 2 and Board 0"
    assert coverage_title(counts.assign(claims_tested=0, claims_not_tested=9)) == (
        "No source can test any of the article's 9 claims")


def test_band_shift_title_says_set_values_nominal_and_the_draws():
    from aijobs.analysis.scenarios import AverageMove
    from aijobs.charts.finding_titles import band_shift_title
    # 182,000 today; at the set values 193,843 nominal (+6.5%) and 171,329 real (-5.9%); the
    # draws' median 192,446 nominal (+5.7%) and 168,639 real (-7.3%)
    move = AverageMove(5, "nominal", 0.025, 182_000.0, {"nominal": 193_843.0, "real": 171_329.0},
                       182_000.0, {"nominal": (0.0, 192_446.0, 0.0),
                                   "real": (0.0, 168_639.0, 0.0)})
    assert band_shift_title(move, "Slow") == (
        "Slow: at the scenario's set values, the average midpoint is up 6.5% nominal but down "
        "5.9% in today's dollars by year 5; the median of the draws is up 5.7% nominal but down "
        "7.3% in today's dollars")
    # real up too (inflation below the nominal growth): only nominal is named; nothing drawn:
    # no median
    same = AverageMove(5, "nominal", 0.01, 182_000.0, {"nominal": 193_843.0, "real": 184_000.0})
    assert band_shift_title(same) == (
        "At the scenario's set values, the average midpoint is up 6.5% nominal by year 5")
    # a page in today's dollars: the real change first, the nominal one where it differs
    # (148,100 / 182,000 - 1 = -18.6%; 130,899 / 182,000 - 1 = -28.1%)
    real = AverageMove(5, "real", 0.025, 182_000.0, {"nominal": 193_843.0, "real": 171_329.0})
    assert band_shift_title(real) == (
        "At the scenario's set values, the average midpoint is down 5.9% in today's dollars but "
        "up 6.5% nominal by year 5")
    down = AverageMove(5, "nominal", 0.025, 182_000.0, {"nominal": 148_100.0, "real": 130_899.0})
    assert band_shift_title(down) == (
        "At the scenario's set values, the average midpoint is down 18.6% nominal by year 5")


def test_band_shift_figure_reads_both_dollars_from_its_projection():
    from aijobs.charts import scenario_figures
    # one role, 150,000 today and 160,000 nominal in year 5 (+6.7%); in today's dollars at 2.5%
    # a year 160,000 / 1.131408 = 141,417 (-5.7%), then at 1% 160,000 / 1.051010 = 152,235 (+1.5%)
    def projection(real_end: float) -> pd.DataFrame:
        return pd.DataFrame({
            "role_id": ["a"] * 4, "role_name": ["A"] * 4, "year": [0, 5, 0, 5],
            "basis": ["nominal", "nominal", "real", "real"],
            "low_usd": [100e3, 110e3, 100e3, 100e3], "mid_usd": [150e3, 160e3, 150e3, real_end],
            "high_usd": [200e3, 210e3, 200e3, 200e3], "is_open_ended": [False] * 4})

    def title(real_end: float) -> str:
        fig = scenario_figures.band_shift_figure(projection(real_end), "s", horizon=5,
                                                 scenario="S")
        return fig.layout.title.text.replace("<br>", " ").split(" <sup>")[0]

    assert title(160e3 / 1.025 ** 5) == (
        "S: at the scenario's set values, the average midpoint is up 6.7% nominal but down 5.7% "
        "in today's dollars by year 5")
    assert title(160e3 / 1.01 ** 5) == (
        "S: at the scenario's set values, the average midpoint is up 6.7% nominal by year 5")


def test_average_path_and_slider_titles_follow_the_direction():
    from aijobs.charts.finding_titles import average_path_title, slider_title
    rising = average_path_title([0, 0, 5, 5], [100_000, 200_000, 120_000, 210_000], "nominal")
    assert rising == ("At the scenario's set values, the average role's midpoint rises 10.0%, "
                      "from $150K to $165K, by year 5 (nominal dollars)")
    falling = average_path_title([0, 5], [150_000, 120_000], "real")
    assert falling == ("At the scenario's set values, the average role's midpoint falls 20.0%, "
                       "from $150K to $120K, by year 5 (real dollars)")
    # the fan's medians are not the scenario's own path: the title says whose figures they are
    # (192,446 / 182,000 - 1 = +5.7%)
    assert average_path_title([0, 5], [182_000, 192_446], "nominal", drawn=True) == (
        "Across the draws, the average role's median midpoint rises 5.7%, from $182K to $192K, "
        "by year 5 (nominal dollars)")
    # the same change in today's dollars is named where it goes the other way, not otherwise
    assert average_path_title([0, 5], [182_000, 192_446], "nominal", drawn=True,
                              other_change=-0.0734) == (
        "Across the draws, the average role's median midpoint rises 5.7%, from $182K to $192K, "
        "by year 5 (nominal dollars; in today's dollars it falls 7.3%)")
    assert average_path_title([0, 5], [182_000, 192_446], "nominal", drawn=True,
                              other_change=0.012).endswith("(nominal dollars)")
    assert average_path_title([0, 5], [150_000, 120_000], "real", other_change=0.05).endswith(
        "(real dollars; in nominal dollars it rises 5.0%)")
    assert slider_title([0.0, 0.3], [204_000, 167_000], 5, "normalization rate") == (
        "Drag the slider: as the normalization rate goes from 0% to 30%, the average year-5 "
        "midpoint falls from $204K to $167K (nominal, the other settings at their set values)")
    assert "midpoint rises from $150K to $180K" in slider_title(
        [0.0, 0.3], [150_000, 180_000], 5, "supply growth")


def test_entry_share_and_region_titles():
    from aijobs.charts.finding_titles import entry_share_title, region_title
    entry = pd.DataFrame({"role_name": ["A", "B", "C", "A"], "work_year": [2024, 2024, 2024, 2025],
                          "entry_share": [0.10, 0.02, 0.05, 0.5]})
    # 2024 has three roles to compare; 2025 (one role, partly covered) does not lead
    assert entry_share_title(entry) == (
        "In 2024, A postings ask most often for entry-level people (10%), B least (2%)")
    flipped = entry.assign(entry_share=[0.02, 0.10, 0.05, 0.5])
    assert entry_share_title(flipped).startswith("In 2024, B postings ask most often")
    assert entry_share_title(entry.iloc[3:]) == (
        "In 2025, 50% of A postings ask for entry-level people")
    # with counts: AI/ML Engineer 69 of 1,186 (5.8%, Wilson 4.6% to 7.3%) against AI Research
    # Scientist 7 of 125 (5.6%, 2.7% to 11.1%): the runner-up's interval reaches the leader's
    near = pd.DataFrame({"role_name": ["AI/ML Engineer", "AI Research Scientist", "C"],
                         "work_year": [2024] * 3, "entry_share": [69 / 1186, 7 / 125, 0.01],
                         "n_postings": [1186, 125, 1000]})
    assert entry_share_title(near) == (
        "In 2024, AI/ML Engineer postings ask most often for entry-level people (6%), C least "
        "(1%); AI/ML Engineer's 95% interval overlaps AI Research Scientist's (6%), so which "
        "asks most is not settled")
    # the same shares over many more postings: the intervals part, and nothing is added
    apart = near.assign(entry_share=[0.20, 0.05, 0.01], n_postings=[5000, 5000, 5000])
    assert entry_share_title(apart) == (
        "In 2024, AI/ML Engineer postings ask most often for entry-level people (20%), C least "
        "(1%)")
    # the countries with enough adverts to report, never "outside the US" as a whole
    assert region_title([0.64, 0.8]) == (
        "In each of the 2 countries outside the US with enough adverts to report, AI pay in "
        "the survey is below US companies'")
    assert region_title([0.64, 1.1, 1.2]) == (
        "AI pay in the survey is below US companies' in 1 of the 3 countries outside the US "
        "with enough adverts to report")
    assert region_title([1.1]) == ("In the one country outside the US with enough adverts to "
                                   "report, AI pay in the survey is not below US companies'")
    assert region_title([1.1, 1.3]) == (
        "In none of the 2 countries outside the US with enough adverts to report, AI pay in "
        "the survey is below US companies'")
    assert region_title([0.9]) == ("In the one country outside the US with enough adverts to "
                                   "report, AI pay in the survey is below US companies'")


def test_growth_subtitles_follow_the_period_read_and_the_figures():
    from aijobs.analysis import transforms
    from aijobs.charts import article_figures
    roles = tables.load_table("roles")
    article = transforms.growth_table(tables.load_table("growth_rates"), roles)
    title = article_figures.growth_figure(article, SOURCE).layout.title.text
    assert ("Doubling times: figures read as growth over one year; the article gives no "
            "period") in title
    # read over five years, with every figure stating its period: the subtitle says both
    five = transforms.growth_table(tables.load_table("growth_rates").assign(
        growth_period="2023-2025"), roles, 5.0)
    title = article_figures.growth_figure(five, SOURCE, period_years=5.0).layout.title.text
    assert ("Doubling times: figures read as growth over 5 years; each figure states its own "
            "period") in title
    projection = transforms.growth_projection(five, 5, 0.5, 5.0)
    title = article_figures.projection_figure(projection, SOURCE, growth_decay=0.5,
                                              period_years=5.0).layout.title.text
    assert "<sup>Figures read as growth over 5 years; each year's rate cut by 50%" in title


@pytest.mark.parametrize(("verdicts", "legend"), [
    (["supported", "not supported", "no data"], ["supported", "not supported", "no data"]),
    (["partly supported", "not supported"], ["partly supported", "not supported"]),
    (["supported", "supported"], ["supported"]),
])
def test_verdict_legend_lists_only_verdicts_present(verdicts, legend):
    fig = survey_figures.verdict_figure(_audit(verdicts), SOURCE)
    assert [t.name for t in fig.data] == legend


def test_tornado_title_names_the_widest_swing_in_todays_dollars():
    from aijobs.charts.scenario_figures import tornado_title
    sens = pd.DataFrame({"parameter": ["inflation", "normalization_rate", "premium"],
                         "at_low_usd": [179_937.0, 176_461.0, 172_094.0],
                         "at_high_usd": [159_325.0, 164_102.0, 165_611.0]})
    # the baseline scenario's committed figures: inflation swings $20,612, the widest
    assert tornado_title(sens, 5) == ("Moved one at a time across its range, in today's "
                                      "dollars, inflation moves year-5 pay the most")
    narrow = sens.assign(at_high_usd=[178_000.0, 164_102.0, 165_611.0])
    assert tornado_title(narrow, 5) == ("Moved one at a time across its range, in today's "
                                        "dollars, the normalization rate moves year-5 pay the "
                                        "most")
    assert tornado_title(sens.iloc[:0], 5) == "No assumption to vary"


def test_region_chart_marks_a_median_graded_use_with_caution():
    region = pd.DataFrame({"country": ["US", "GB", "DE"], "n_postings": [1943, 75, 34],
                           "ratio_to_us": [1.0, 0.597, 0.506],
                           "reliability": ["reliable", "reliable", "use with caution"]})
    fig = survey_figures.region_figure(region, SOURCE)
    # the committed evidence: Germany's median is graded 'use with caution', not reliable
    assert "1 country graded 'use with caution', marked" in fig.layout.title.text
    assert "×0.51 (n=34, caution)" in list(fig.data[0].text)
    reliable = survey_figures.region_figure(region.iloc[:2], SOURCE)
    assert "<sup>Countries with a reliable median;" in reliable.layout.title.text
    assert "×0.60 (n=75)" in list(reliable.data[0].text)


def test_premium_chart_groups_the_studies_by_what_they_compare():
    """Alekseeva et al.'s within-firm and within-title premiums are not drawn as premiums
    within an occupation."""
    from aijobs.analysis import scenarios
    from aijobs.charts import scenario_figures
    fig = scenario_figures.premium_estimates_figure(scenarios.premium_estimates(), "source")
    groups = {t.name: list(t.y) for t in fig.data}
    assert groups["AI skills within a firm or job title"] == [
        "Alekseeva et al. 2021, within a job title", "Alekseeva et al. 2021, within a firm"]
    assert not any("Alekseeva" in y for y in groups["AI skills within an occupation"])
    assert "PwC 2025, AI skills in job ads" in groups["AI skills within an occupation"]
