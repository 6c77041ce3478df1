"""Paragraphs of the survey and scenario pages that state a count, a list or a threshold are
computed from the tables and constants they describe: each test gives the committed values
and values where the opposite holds, and sees the words change."""

from __future__ import annotations

import pandas as pd

from aijobs.analysis import scenarios
from aijobs.data import tables
from aijobs.notebook import scenario_pages, survey_pages
from aijobs.survey import summaries


def test_pay_paragraph_states_the_dominance_threshold_the_code_applies():
    assert "more than 20% of the postings is marked \"dominated by one advert\"" in \
        survey_pages.pay_by_role_paragraph(summaries.DOMINANCE_SHARE)
    assert "more than 50% of the postings" in survey_pages.pay_by_role_paragraph(0.5)


def test_title_map_paragraph_lists_the_contested_titles():
    title_map = tables.load_table("survey_title_map")
    text = survey_pages.title_map_paragraph(title_map)
    assert ("Five titles are contested: Research Scientist, Applied Scientist, Research Engineer "
            "and AI Product Owner stay unmapped (a generic title that names none of these, or a "
            "different job); AI Developer is mapped.") in text
    one = title_map.assign(is_contested=title_map["job_title"] == "Applied Scientist")
    text = survey_pages.title_map_paragraph(one)
    assert "One title is contested: Applied Scientist stays unmapped" in text
    assert "Research Engineer" not in text and "is mapped" not in text
    none = title_map.assign(is_contested=False)
    assert survey_pages.title_map_paragraph(none).endswith(
        "No title is marked contested in the title map.")


def _mix(se_years, years=(2020, 2021, 2022, 2023, 2024)):
    rows = [{"repeats": "drop", "role_id": "ai_ml_engineer", "work_year": y, "postings": 5,
             "rows": 5} for y in years]
    rows += [{"repeats": "drop", "role_id": "software_engineer_baseline", "work_year": y,
              "postings": 40, "rows": 40} for y in se_years]
    return pd.DataFrame(rows)


def test_history_paragraph_reads_the_years_and_the_baseline_titles():
    title_map = tables.load_table("survey_title_map")
    text = scenario_pages.history_paragraph(tables.load_table("derived/survey_mix"), title_map,
                                            scenarios.MIN_RATE_YEARS)
    assert ("The survey file covers 6 work years (2020 to 2025), but Software Engineer postings "
            "appear only in 2024 and 2025, so the path is measured against non-AI data roles "
            "present in every year (Data Engineer and Data Analyst)") in text
    assert "at least four like-for-like years" in text
    every = scenario_pages.history_paragraph(_mix(range(2020, 2025)), title_map, 3)
    assert "Software Engineer postings appear in every one of them" in every
    assert "only in" not in every and "at least three like-for-like years" in every
    one = scenario_pages.history_paragraph(_mix([2024]), title_map, 4)
    assert "covers 5 work years (2020 to 2024), but Software Engineer postings appear only in " \
           "2024, so" in one


def test_premium_spread_paragraph_follows_the_estimates():
    text = scenario_pages.premium_spread_paragraph(scenarios.premium_estimates())
    assert text.startswith("Estimates of the AI pay premium run from -4% to +56% (the largest "
                           "is more than ten times the smallest positive one) because")
    close = pd.DataFrame({"premium": [0.20, 0.30, 0.25]})
    assert scenario_pages.premium_spread_paragraph(close).startswith(
        "Estimates of the AI pay premium run from +20% to +30% (the largest is 1.5 times the "
        "smallest positive one) because")


def test_comparison_intro_says_whether_the_scenarios_span_the_estimates():
    from aijobs.reports.config import load_named_scenarios
    estimates = scenarios.premium_estimates()
    named = load_named_scenarios()
    text = scenario_pages.comparison_intro(named, estimates)
    # the survey title gap's -4.0% and PwC's 56% are the lowest and highest estimates
    assert ("Together their premiums span the sourced estimates, from -4% to +56%; rate "
            "scenarios wear the premium down by 5% to 25% a year, and 2 scenarios let it follow "
            "demand against supply.") in text
    # the baseline scenario alone: one premium, one rate, no supply-and-demand scenario
    alone = scenario_pages.comparison_intro([e for e in named if e["name"] == "baseline"],
                                            estimates)
    assert ("Their premiums run at +28%; the sourced estimates run -4% to +56%; rate "
            "scenarios wear the premium down by 5% a year.") in alone
    assert "span" not in alone and "supply" not in alone


def _pct_row(repeats: str, n_postings: int, n_rows: int, n_adverts: int, p50: float) -> dict:
    return {"pay_measure": "midpoint", "repeats": repeats, "role_id": "ai_research_scientist",
            "group": "all", "group_value": "all", "n_postings": n_postings, "n_rows": n_rows,
            "n_adverts": n_adverts, "p25_usd": p50 - 10_000, "p50_usd": p50,
            "p75_usd": p50 + 10_000, "p50_ci95_low_usd": p50 - 5_000,
            "p50_ci95_high_usd": p50 + 5_000, "reliability": "reliable", "is_dominated": False,
            "reliability_reason": "CV 1.0%"}


def test_pay_cells_count_every_posting_beside_the_distinct_adverts():
    from aijobs.survey.evidence import Evidence
    # the research scientists of the 2025-01-19 snapshot: 415 postings (783 file rows) are
    # 185 distinct adverts; with repeats dropped the percentile row's n_postings is 185
    pct = pd.DataFrame([_pct_row("drop", 185, 341, 185, 173_600),
                        _pct_row("keep", 415, 783, 185, 135_000)])
    ev = Evidence({"survey_percentiles": pct}, {}, from_derived=False, repeats="drop")
    assert ev.counted_label == "Distinct adverts"
    cells = survey_pages.pay_cells(ev.role_pay(), ev.role_pay(ev.other_repeats))
    row = cells.iloc[0]
    assert (row["n_postings"], row["n_adverts"], row["n_rows"]) == (415, 185, 783)
    assert row["median"] == "$173,600"
    # repeats kept: the counts are the cell's own, and the heading says postings
    kept = Evidence({"survey_percentiles": pct}, {}, from_derived=False, repeats="keep")
    assert kept.counted_label == "Postings"
    row = survey_pages.pay_cells(kept.role_pay()).iloc[0]
    assert (row["n_postings"], row["n_adverts"], row["n_rows"]) == (415, 185, 783)
    assert row["median"] == "$135,000"
    # a file where nothing repeats: postings and distinct adverts agree
    alone = pd.DataFrame([_pct_row("drop", 200, 400, 200, 150_000),
                          _pct_row("keep", 200, 400, 200, 150_000)])
    row = survey_pages.pay_cells(Evidence({"survey_percentiles": alone}, {},
                                          from_derived=False).role_pay()).iloc[0]
    assert (row["n_postings"], row["n_adverts"]) == (200, 200)


def test_the_bands_download_gives_postings_and_distinct_adverts_apart():
    from aijobs.charts import downloads
    from aijobs.survey.evidence import Evidence
    pct = pd.DataFrame([_pct_row("drop", 185, 341, 185, 173_600),
                        _pct_row("keep", 415, 783, 185, 135_000)])
    bands = pd.DataFrame({"role_id": ["ai_research_scientist"],
                          "role_name": ["AI Research Scientist"],
                          "salary_low_usd": [180_000], "salary_high_usd": [250_000]})
    ev = Evidence({"survey_percentiles": pct}, {}, from_derived=False, repeats="drop")
    frame = downloads.claimed_vs_survey_figure(bands, ev.role_pay(), "all")[1]
    assert (int(frame.loc[0, "n_postings"]), int(frame.loc[0, "n_distinct_adverts"])) == (415, 185)


def test_unmapped_sentence_counts_the_titles_without_a_role():
    # the committed evidence: 26,742 postings under 227 titles (the software family, history
    # baseline and unmapped contested titles among them, so not 'other' titles)
    text = survey_pages.unmapped_sentence({"postings_unmapped": 26_742, "unmapped_titles": 227})
    assert text.startswith("26,742 postings under 227 titles count as none of the article's "
                           "roles (the software family")
    assert "the posting mix earlier on this page" in text and "below" not in text
    assert survey_pages.unmapped_sentence({"postings_unmapped": 1, "unmapped_titles": 1}) \
        .startswith("1 posting under 1 title counts as none")
    assert survey_pages.unmapped_sentence({"postings_unmapped": 0, "unmapped_titles": 0}) == (
        "Every posting's title counts as one of the article's roles or the baseline.")


def _premium(repeats: str, premium: float, low: float, high: float) -> dict:
    return {"pay_measure": "midpoint", "repeats": repeats, "role_id": "mlops_engineer",
            "baseline": "software_engineer", "group": "all", "group_value": "all",
            "premium": premium, "premium_ci95_low": low, "premium_ci95_high": high,
            "is_computable": True, "reason": ""}


def test_a_sign_flip_needs_an_interval_that_excludes_zero():
    from aijobs.survey.evidence import Evidence

    def flips(drop, keep):
        frame = pd.DataFrame([_premium("drop", *drop), _premium("keep", *keep)])
        ev = Evidence({"survey_premium": frame}, {}, from_derived=False, repeats="drop")
        return survey_pages.premium_cells(ev).iloc[0]["sign_flips"]
    # MLOps on the committed evidence: +0.7% (-9.7% to +12.4%) once, -2.6% (-14.2% to
    # +10.5%) kept: opposite estimates, neither sign told
    assert flips((0.0075, -0.0974, 0.1245), (-0.026, -0.142, 0.105)) == (
        "no sign either way (both intervals include zero)")
    # one reading clearly negative: the sign does depend on the choice
    assert flips((0.0075, -0.0974, 0.1245), (-0.12, -0.2, -0.05)) == "yes"
    assert flips((0.04, 0.01, 0.07), (0.03, 0.0, 0.08)) == "no"


def test_a_per_role_estimate_gives_its_range_not_the_first_roles_figure():
    est = pd.DataFrame({"estimate_id": ["lightcast", "gap", "gap", "gap"],
                        "role_id": [None, "ml", "rs", "arch"],
                        "premium": [0.28, 0.0357, -0.0401, 0.0847],
                        "measures": ["ai_skill_within_occupation"]
                        + ["ai_title_vs_baseline_title"] * 3})
    rows = scenario_pages.estimate_rows(est).set_index("estimate_id")["premium_text"]
    # the committed title gap: -4.0% (research scientists) to +8.5% (architects); the table
    # read '+4%', the AI/ML engineers' figure alone
    assert rows["gap"] == "-4% to +8% across 3 roles"
    assert rows["lightcast"] == "+28%"
    one = scenario_pages.estimate_rows(est.iloc[:2]).set_index("estimate_id")["premium_text"]
    assert one["gap"] == "+4%"


def test_a_collapsed_interval_is_not_shown_as_certainty():
    # research scientists' like-for-like 2024 change with repeats kept: -25.0% from -25.0% to
    # -25.0% (one advert's 161 copies fill the cell); with each advert once, a real interval
    assert survey_pages.change_with_interval(-0.25, -0.25, -0.25) == (
        "-25.0% (no usable interval: identical pay figures fill the cells compared)")
    assert survey_pages.change_with_interval(-0.059852, -0.192376, 0.072672) == (
        "-6.0% (-19.2% to +7.3%)")
    assert survey_pages.change_with_interval(float("nan"), float("nan"), float("nan")) == (
        "no cell in both years")


def test_the_scenario_notes_name_the_defaults_a_scenario_takes_and_cite_its_premium():
    from aijobs.analysis import scenario_defaults

    wage = scenario_defaults.wage_growth_default()
    talent = scenario_defaults.supply_growth_default()
    # rate mode never reads the growth of AI talent: only market wage growth is noted
    notes = scenario_pages.default_notes({"mode": "rate", "wage_growth": None,
                                          "supply_growth": None})
    assert notes == [(f"Default market wage growth, {wage.value:.2%} a year",
                      wage.origin[:1].upper() + wage.origin[1:] + ".")]
    assert notes[0][1].startswith("Indeed Hiring Lab's US posted-wage growth")
    both = scenario_pages.default_notes({"mode": "supply_demand", "wage_growth": None,
                                         "supply_growth": None})
    assert [t for t, _ in both] == [notes[0][0],
                                    f"Default growth of AI talent, {talent.value:.1%} a year"]
    # a value given is said in the body, not cited
    given = {"mode": "supply_demand", "wage_growth": 0.04, "supply_growth": None}
    assert [t for t, _ in scenario_pages.default_notes(given)] == [both[1][0]]
    assert scenario_pages.given_notes(given) == [
        "Market wage growth 4.00% a year: the value given for this page, not the data's "
        "default."]
    assert scenario_pages.given_notes({"mode": "rate", "wage_growth": None,
                                       "supply_growth": 0.2}) == []
    # the premium's publication is a note; a number has none
    roles = ["ai_ml_engineer"]
    title, text = scenario_pages.premium_citation(scenarios.choose_premiums("pwc_2025", roles,
                                                                            0.1))
    assert title == "Premium used: PwC 2025, AI skills in job ads"
    assert text.startswith("Postings that ask for AI skills against postings of the same "
                           "occupation that do not, across the economy; PwC, "
                           "2025 Global AI Jobs Barometer (2024); https://www.pwc.com/")
    # a study that compares within a firm, or within a job title, says so (not "occupation")
    estimates = scenarios.premium_estimates().set_index("estimate_key")
    assert scenario_pages.compares(estimates.loc["alekseeva_2021_firm"]) == (
        "postings that ask for AI skills against other postings of the same firm")
    assert scenario_pages.compares(estimates.loc["alekseeva_2021_title"]) == (
        "postings that ask for AI skills against other postings with the same job title")
    assert scenario_pages.premium_citation(scenarios.choose_premiums("0.3", roles, 0.1)) is None


def test_the_comparison_notes_say_which_scenarios_take_a_default_and_whose_premium_is_whose():
    estimates = scenarios.premium_estimates()
    named = [{"title": "A", "settings": {"mode": "rate", "wage_growth": None,
                                         "premium_source": "lightcast_2025"}},
             {"title": "B", "settings": {"mode": "supply_demand", "wage_growth": 0.03,
                                         "supply_growth": None, "premium_source": "0.2"}},
             {"title": "C", "settings": {"mode": "rate", "wage_growth": None,
                                         "premium_source": "pwc_2025", "premium": 0.4}}]
    notes = dict(scenario_pages.comparison_notes(named, estimates))
    wage = next(t for t in notes if t.startswith("Default market wage growth"))
    assert notes[wage].endswith(". Taken by A and C; the others set their own.")
    talent = next(t for t in notes if t.startswith("Default growth of AI talent"))
    assert notes[talent].endswith(". Taken by B; the others set their own.")
    assert notes["Where each scenario's premium comes from"] == (
        "A: Lightcast 2025, one AI skill (Lightcast, Beyond the Buzz: Developing the AI Skills "
        "Employers Actually Need, 2012-2024; https://lightcast.io/resources/research/"
        "beyond-the-buzz); B: 20% for every role (a number given); C: 40% for every role (a "
        "number given).")
    # every scenario sets its own wage growth, none uses the talent default: no default notes
    own = [{**s, "settings": {**s["settings"], "wage_growth": 0.02, "mode": "rate"}}
           for s in named]
    assert list(dict(scenario_pages.comparison_notes(own, estimates))) == [
        "Where each scenario's premium comes from"]


def test_the_claims_audit_rules_are_notes_that_name_the_grid_s_choices():
    from aijobs.analysis import audit, growth_evidence
    from aijobs.notebook import evidence_words

    rules = evidence_words.rule_notes({"AI Developer": "x", "Applied Scientist": "y"}, 2024)
    assert rules["band"] == ("The rule for pay bands", audit.BAND_RULE)
    assert rules["growth"] == ("The rule for growth claims", growth_evidence.GROWTH_RULE)
    assert "(AI Developer and Applied Scientist)" in rules["grid"][1]
    assert "latest full year (2024)" in rules["grid"][1]
    assert "(2024)" not in evidence_words.rule_notes()["grid"][1]
    assert len({title for title, _ in rules.values()}) == len(rules)  # one note each


def test_a_warning_of_opposite_directions_needs_a_like_for_like_interval_clear_of_zero():
    # AI/ML Engineer 2024 in the committed evidence: raw down, like for like +0.4% with its
    # interval -3.3% to +4.0%: the like-for-like direction cannot be told, so no warning
    assert survey_pages.directions_disagree(True, -0.033, 0.040) == (
        "cannot tell: the like-for-like interval spans zero")
    # the same change with an interval wholly above zero: the two do point different ways
    assert survey_pages.directions_disagree(True, 0.012, 0.040) == "yes"
    assert survey_pages.directions_disagree(True, -0.09, -0.01) == "yes"
    assert survey_pages.directions_disagree(True, float("nan"), float("nan")).startswith(
        "cannot tell")
    assert survey_pages.directions_disagree(False, 0.01, 0.04) == "no"
    # AI Research Scientist 2023: a raw change but no cell in both years to compare like with like
    assert survey_pages.directions_disagree(False, float("nan"), float("nan"), float("nan")) == (
        "cannot tell: no like-for-like change (no cell in both years)")
