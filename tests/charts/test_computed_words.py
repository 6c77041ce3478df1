"""Chart titles and notes that state a count, a direction or a verdict are computed: each test
feeds data where the opposite holds and sees the words change."""

from __future__ import annotations

import pandas as pd
import pytest

from aijobs.charts import survey_figures

SOURCE = "Source: test."


def _audit(verdicts):
    return pd.DataFrame({"kind": ["pay band"] * len(verdicts), "verdict": verdicts})


@pytest.mark.parametrize(("verdicts", "title", "sub"), [
    (["supported", "not supported", "not supported", "partly supported", "not supported",
      "borderline (supported / not supported)", "no data", "no data"],
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
            == "Most postings in the file (80%) are from 2023 and 2024")
    old = pd.DataFrame({"work_year": [2021, 2022, 2023, 2024], "postings": [40, 40, 10, 10]})
    assert (survey_figures.mix_title(old)
            == "A minority of the file's postings (20%) are from 2023 and 2024")


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
