"""What each page found: the sentences follow the values. Each test feeds a small table whose
answer is worked out by hand, then data where the opposite holds, and sees the text change."""

from __future__ import annotations

from dataclasses import replace

import nbformat
import pandas as pd

from aijobs.analysis.scenarios import AverageMove
from aijobs.notebook import findings
from aijobs.notebook.mode import FINDINGS_MIME, NOTE_MIME
from aijobs.reports import render


def test_growth_names_the_fastest_role_and_the_range_its_period_leaves():
    growth = pd.DataFrame({"role_name": ["A", "B"], "growth_pct": [280.0, 165.0]})
    periods = pd.DataFrame({"role_name": ["A", "A", "B", "B"],
                            "demand_index": [24.6, 1.7, 9.1, 1.5]})
    first = findings.growth_rates(growth, periods, 5)[0]
    assert first == ("A grows fastest in the article (+280%); the article gives no period, so "
                     "after 5 years demand is ×1.7 to ×24.6 today's, depending on the period "
                     "read into it.")
    flipped = findings.growth_rates(growth.assign(growth_pct=[165.0, 280.0]), periods, 5)[0]
    assert flipped.startswith("B grows fastest in the article (+280%)")
    assert "×1.5 to ×9.1" in flipped


def _bands(mid_a, mid_b):
    return pd.DataFrame({"role_id": ["a", "b"], "role_name": ["A", "B"],
                         "adjusted_low_usd": [mid_a - 10_000, mid_b - 10_000],
                         "adjusted_high_usd": [mid_a + 10_000, mid_b + 10_000],
                         "adjusted_midpoint_usd": [mid_a, mid_b], "is_open_ended": [False, False]})


def _pay(median_a, median_b, reliability=("reliable", "reliable")):
    return pd.DataFrame({"role_id": ["a", "b"], "group": ["all", "all"],
                         "p50_usd": [median_a, median_b], "reliability": list(reliability)})


def test_compensation_ranks_the_midpoints_and_places_the_postings_against_the_bands():
    out = findings.compensation_bands(_bands(200_000, 150_000), _pay(205_000, 120_000))
    assert out == ["In the article's bands, A has the highest midpoint, $200,000 a year; B the "
                   "lowest, $150,000.",
                   "The median job posting falls inside the article's band for 1 of 2 roles "
                   "with enough postings, below it for 1 (B) and above it for 0."]
    out = findings.compensation_bands(_bands(150_000, 200_000), _pay(300_000, 200_000))
    assert out[0].startswith("In the article's bands, B has the highest midpoint, $200,000")
    assert "inside the article's band for 1 of 2 roles" in out[1] and "above it for 1 (A)" in out[1]
    # a band with an open-ended top has nothing above it
    open_top = _bands(150_000, 200_000).assign(is_open_ended=[True, False])
    out = findings.compensation_bands(open_top, _pay(300_000, 200_000))
    assert "inside the article's band for 2 of 2 roles" in out[1] and "above it for 0." in out[1]
    # bands of the reader's own are not the article's; adjusted bands say so
    own = findings.compensation_bands(_bands(150_000, 200_000), _pay(300_000, 200_000),
                                      from_article=False)
    assert own[0].startswith("In the bands file given, B has the highest midpoint")
    assert own[1].startswith("The median job posting falls inside the band given for 1 of 2")
    same = _bands(150_000, 200_000).assign(midpoint_usd=[150_000, 200_000])
    assert findings.compensation_bands(same)[0].startswith("In the article's bands, B has")
    moved = same.assign(adjusted_midpoint_usd=same["midpoint_usd"] * 0.8)
    assert findings.compensation_bands(moved)[0] == (
        "In the article's bands as this page's settings adjust them, B has the highest "
        "midpoint, $160,000 a year; A the lowest, $120,000.")


def test_a_gap_inside_the_medians_interval_is_called_uncertain():
    # B's band is $110K-$130K; its median $105K is below it, but the 95% interval
    # ($100K-$112K) reaches the band's bottom; A's is inside
    pay = _pay(205_000, 105_000).assign(p50_ci95_low_usd=[200_000, 100_000],
                                        p50_ci95_high_usd=[210_000, 112_000])
    out = findings.compensation_bands(_bands(200_000, 120_000), pay)
    assert out[1:] == ["The median job posting falls inside the article's band for 1 of 2 roles "
                       "with enough postings, below it for 1 (B) and above it for 0.",
                       "For B, the median's 95% interval reaches the band, so that gap is within "
                       "the uncertainty."]
    # an interval clear of the band: no such sentence
    clear = pay.assign(p50_ci95_high_usd=[210_000, 108_000])
    assert len(findings.compensation_bands(_bands(200_000, 120_000), clear)) == 2
    # a suppressed cell is no evidence
    out = findings.compensation_bands(_bands(150_000, 200_000),
                                      _pay(1, 1, ("suppressed", "suppressed")))
    assert out[1] == "No role has enough job postings to set against its band."


def test_entry_names_the_hardest_route_and_the_quickest_path():
    entry = pd.DataFrame({"entry_id": ["j", "x"],
                          "entry_label": ["Junior role in AI", "Existing role"],
                          "rank_hardest_first": [1, 2], "is_most_common_start": [False, True]})
    paths = pd.DataFrame({"path_name": ["Technical", "Non-Technical"], "months_min": [6.0, 1.0],
                          "months_max": [10.0, 2.0]})
    out = findings.entry_competitiveness(entry, paths)
    assert out == ["In the article, the most contested way in is junior role in AI; it says "
                   "most people start from existing role.",
                   "By the article's month ranges, the Non-Technical path asks the shortest "
                   "study before a first role, 1 to 2 months; the Technical path the longest, "
                   "6 to 10 months (months of study: the article gives no time to find the "
                   "role)."]
    out = findings.entry_competitiveness(entry.assign(rank_hardest_first=[2, 1]),
                                         paths.assign(months_min=[1.0, 6.0],
                                                      months_max=[2.0, 10.0]))
    assert out[0] == "In the article, the most contested way in is existing role."
    assert "the Technical path asks the shortest study before a first role, 1 to 2 months" \
        in out[1]


def test_one_role_or_path_gets_its_own_sentence_and_none_gets_none():
    one_band = _bands(200_000, 150_000).iloc[:1]
    assert findings.compensation_bands(one_band) == [
        "In the article's bands, A's band has its midpoint at $200,000 a year."]
    assert findings.compensation_bands(one_band.iloc[:0]) == []
    entry = pd.DataFrame(columns=["entry_id", "entry_label", "rank_hardest_first",
                                  "is_most_common_start"])
    paths = pd.DataFrame({"path_name": ["Technical", "Other"], "months_min": [6.0, None],
                          "months_max": [6.0, None]})
    assert findings.entry_competitiveness(entry, paths) == [
        "By the article's month ranges, the Technical path takes 6 months of study before a "
        "first role."]
    assert findings.entry_competitiveness(entry, paths.iloc[1:]) == []


def test_survey_names_the_best_paid_role_and_counts_premiums_beyond_doubt():
    pay = pd.DataFrame({"role_id": ["a", "b", "c"], "role_name": ["A", "B", "C"],
                        "group": ["all"] * 3, "p50_usd": [190_000.0, 170_000.0, 250_000.0],
                        "p50_ci95_low_usd": [185_000.0, 160_000.0, 200_000.0],
                        "p50_ci95_high_usd": [195_000.0, 180_000.0, 300_000.0],
                        "n_adverts": [1000, 1, 5], "reliability": ["reliable", "reliable",
                                                                   "suppressed"]})
    premium = pd.DataFrame({"group": ["all"] * 3, "baseline": ["software_engineer"] * 3,
                            "is_computable": [True] * 3, "premium_ci95_low": [0.01, -0.2, -0.1],
                            "premium_ci95_high": [0.06, -0.05, 0.1]})
    out = findings.survey_evidence(pay, premium)
    assert out == ["Among roles with enough postings, A pays the most: a median of $190,000 "
                   "(95% interval $185,000 to $195,000, 1,000 distinct adverts); B the least, "
                   "$170,000.",
                   "Against Software Engineer postings, 1 of 3 AI roles pays more with the 95% "
                   "interval above zero, 1 less, and 1 cannot be told apart."]
    # the committed evidence: AI Solutions Architect's $199,600 ($180,050 to $214,250) tops
    # AI/ML Engineer's $187,625 ($183,805 to $191,500), but the intervals overlap
    close = pay.assign(p50_ci95_low_usd=[175_000.0, 160_000.0, 200_000.0])
    assert findings.survey_evidence(close, premium)[0] == (
        "Among roles with enough postings, A pays the most: a median of $190,000 (95% interval "
        "$175,000 to $195,000, 1,000 distinct adverts); B the least, $170,000. A's interval "
        "overlaps every other role's, so the order among them is not settled.")
    three = pay.assign(p50_usd=[190_000.0, 170_000.0, 185_000.0],
                       p50_ci95_low_usd=[180_000.0, 160_000.0, 178_000.0],
                       p50_ci95_high_usd=[200_000.0, 175_000.0, 189_000.0],
                       reliability=["reliable"] * 3)
    assert findings.survey_evidence(three, premium)[0].endswith(
        "B the least, $170,000. A's interval overlaps C's, so the order among them is not "
        "settled.")
    out = findings.survey_evidence(pay.assign(p50_usd=[170_000.0, 190_000.0, 1.0]),
                                   premium.assign(premium_ci95_low=[0.01, 0.02, 0.03],
                                                  premium_ci95_high=[0.1, 0.1, 0.1]))
    assert out[0].startswith("Among roles with enough postings, B pays the most")
    assert "1 distinct advert)" in out[0]
    assert "3 of 3 AI roles pay more" in out[1] and "0 less, and 0 cannot" in out[1]


def test_claims_audit_counts_the_verdicts_and_the_ones_that_turn_on_repeats():
    result = pd.DataFrame({"verdict": ["supported", "not supported", "no data"],
                           "verdict_other_repeats": ["supported", "supported", "no data"]})
    assert findings.claims_audit(result) == [
        "Of the article's 3 numeric claims held against the job postings: 1 supported, "
        "1 not supported and 1 no data.",
        "1 verdict changes when identical adverts are counted the other way."]
    # precision apart from direction: a verdict whose interval reaches another is counted
    wide = result.assign(interval_allows=["partly supported", "", ""])
    assert findings.claims_audit(wide)[0] == (
        "Of the article's 3 numeric claims held against the job postings: 1 supported, "
        "1 not supported and 1 no data (the verdicts of the estimates; for 1 of them the 95% "
        "interval also allows another verdict).")
    assert findings.claims_audit(result.assign(interval_allows=""))[0].endswith("1 no data.")
    same = result.assign(verdict=["not supported"] * 3, verdict_other_repeats=["not supported"] * 3)
    assert findings.claims_audit(same) == [
        "Of the article's 3 numeric claims held against the job postings: 3 not supported.",
        "No verdict changes when identical adverts are counted the other way."]


def test_claims_audit_says_how_many_verdicts_survive_the_grid():
    result = pd.DataFrame({
        "kind": ["pay band", "pay band", "pay ranking", "growth"],
        "verdict": ["supported", "not supported", "not supported", "no data"],
        "verdict_other_repeats": ["supported", "not supported", "not supported", "no data"],
        "is_robust": [True, False, False, False],
        "depends_on": ["", "depends on the title map: not supported with titles as mapped; "
                       "partly supported with the contested titles counted",
                       "depends on repeats and the period: ...", ""]})
    assert findings.claims_audit(result)[2] == (
        "1 of the 3 pay claims the job board can test is robust to every choice in the grid; 2 "
        "verdicts depend on the title map, repeats and the period.")
    every = result.assign(is_robust=[True, True, True, False], depends_on="")
    assert findings.claims_audit(every)[2] == (
        "All 3 pay claims the job board can test are robust to every choice in the grid.")


def test_overview_counts_roles_and_sets_the_paths_against_the_shelf_life():
    roles = pd.DataFrame({"role_group": ["core_ai", "core_ai", "ai_adjacent"]})
    skills = pd.DataFrame({"skill_name": ["LLM APIs", "Python"], "is_underrated": [True, False]})
    paths = pd.DataFrame({"months_max": [10.0, 2.0]})
    out = findings.overview(roles, skills, 18, paths)
    assert out[0] == "The article names 3 roles: 2 core AI and 1 AI-adjacent."
    assert out[1] == "It calls 1 skill under-appreciated: LLM APIs."
    assert out[2] == ("Every learning path's timed study (at most 10 months) fits inside the 18 "
                      "months the article gives a skill before it dates.")
    assert findings.overview(roles, skills, 6, paths)[2] == (
        "The longest learning path (10 months) outlasts the 6 months the article gives a skill "
        "before it dates.")


def test_scenario_findings_follow_the_direction_of_the_paths():
    split = pd.DataFrame({"role_name": ["A", "B"], "mid_today_usd": [100_000.0, 200_000.0],
                          "mid_horizon_usd": [110_000.0, 150_000.0],
                          "premium_change_usd": [-5_000.0, -60_000.0],
                          "wage_growth_adds_usd": [15_000.0, 10_000.0]})
    out = findings.salary_scenario(split, 5)
    assert out[1] == ("At the set values, B's nominal midpoint moves most in dollars: it falls "
                      "from $200,000 today to $150,000 in year 5 (-25.0%).")
    assert out[0].startswith("At the scenario's set values, by year 5 the premium's change "
                             "removes $32,500 from the average role's nominal midpoint")
    up = split.assign(mid_horizon_usd=[110_000.0, 260_000.0],
                      premium_change_usd=[5_000.0, 50_000.0])
    out = findings.salary_scenario(up, 5)
    assert out[1] == ("At the set values, B's nominal midpoint moves most in dollars: it rises "
                      "from $200,000 today to $260,000 in year 5 (+30.0%).")
    assert "adds $27,500" in out[0]
    # the largest move in dollars is not the largest in percent (the title-gap page's case)
    apart = split.assign(mid_horizon_usd=[120_000.0, 230_000.0])
    assert findings.salary_scenario(apart, 5)[1] == (
        "At the set values, B's nominal midpoint moves most in dollars: it rises from $200,000 "
        "today to $230,000 in year 5 (+15.0%); in percent, A's moves most (+20.0%).")
    # two roles tie in percent (the title-gap page: AI Research Scientist and AI Product
    # Manager both move by wage growth alone, x1.120525 and x1.120524): both are named
    three = pd.DataFrame({"role_name": ["A", "B", "C"],
                          "mid_today_usd": [100_000.0, 300_000.0, 160_000.0],
                          "mid_horizon_usd": [112_052.5, 330_000.0, 179_283.84],
                          "premium_change_usd": [0.0, -5_000.0, 0.0],
                          "wage_growth_adds_usd": [12_052.5, 35_000.0, 19_283.84]})
    assert findings.salary_scenario(three, 5)[1] == (
        "At the set values, B's nominal midpoint moves most in dollars: it rises from $300,000 "
        "today to $330,000 in year 5 (+10.0%); in percent, A's and C's move most, equally "
        "(+12.1%).")
    # every role moves by the same share (one premium for all): the sentence says so
    alike = split.assign(mid_horizon_usd=[106_500.0, 213_000.0])
    assert findings.salary_scenario(alike, 5)[1] == (
        "At the set values, every role's nominal midpoint rises 6.5% by year 5; in dollars B's, "
        "the highest, moves most: it rises from $200,000 today to $213,000 in year 5.")


def _move(inflation: float, drawn_real_p50: float | None = None) -> AverageMove:
    """The alike split's average role (150,000 today, 159,750 in year 5 at the set values) and,
    with drawn_real_p50, draws whose nominal median is 157,500 (p10 150,000, p90 165,000)."""
    real = 159_750 / (1 + inflation) ** 5
    if drawn_real_p50 is None:
        return AverageMove(5, "nominal", inflation, 150_000.0, {"nominal": 159_750.0,
                                                               "real": real})
    return AverageMove(5, "nominal", inflation, 150_000.0, {"nominal": 159_750.0, "real": real},
                       150_000.0, {"nominal": (150_000.0, 157_500.0, 165_000.0),
                                   "real": (0.0, drawn_real_p50, 0.0)})


def test_scenario_findings_name_todays_dollars_where_they_go_the_other_way():
    split = pd.DataFrame({"role_name": ["A", "B"], "mid_today_usd": [100_000.0, 200_000.0],
                          "mid_horizon_usd": [106_500.0, 213_000.0],
                          "premium_change_usd": [-5_000.0, -8_000.0],
                          "wage_growth_adds_usd": [11_500.0, 21_000.0]})
    # +6.5% nominal at 2.5% inflation: 1.065 / 1.025^5 = 1.065 / 1.131408 = 0.94131, -5.9%
    assert findings.salary_scenario(split, 5, _move(0.025))[1] == (
        "At the set values, every role's nominal midpoint rises 6.5% by year 5 (down 5.9% in "
        "today's dollars); in dollars B's, the highest, moves most: it rises from $200,000 today "
        "to $213,000 in year 5.")
    # at 1% inflation: 1.065 / 1.01^5 = 1.065 / 1.051010 = 1.01331, up in both: nothing added
    assert findings.salary_scenario(split, 5, _move(0.01))[1].startswith(
        "At the set values, every role's nominal midpoint rises 6.5% by year 5; in dollars")
    # per role: B +15% and A +20% at 3.5% inflation (1.035^5 = 1.187686): B 1.15 / 1.187686 =
    # 0.96827, -3.2% real; A 1.2 / 1.187686 = 1.01037, up in both
    apart = split.assign(mid_horizon_usd=[120_000.0, 230_000.0])
    assert findings.salary_scenario(apart, 5, _move(0.035))[1] == (
        "At the set values, B's nominal midpoint moves most in dollars: it rises from $200,000 "
        "today to $230,000 in year 5 (+15.0%, down 3.2% in today's dollars); in percent, A's "
        "moves most (+20.0%).")


def test_scenario_findings_set_the_median_of_the_draws_against_the_set_values():
    split = pd.DataFrame({"role_name": ["A"], "mid_today_usd": [150_000.0],
                          "mid_horizon_usd": [159_750.0], "premium_change_usd": [-5_000.0],
                          "wage_growth_adds_usd": [14_750.0]})
    # the draws' median 157,500 against 150,000: +5.0% nominal; in today's dollars 139,207 /
    # 150,000 - 1 = -7.2%; at the set values 159,750, +6.5%
    out = findings.salary_scenario(split, 5, _move(0.025, 139_207.0))
    assert out[1] == (
        "Across the draws, the average role's median year-5 midpoint is $157,500, up 5.0% "
        "nominal but down 7.2% in today's dollars (at the scenario's set values, $159,750, up "
        "6.5%); averaged over roles, 8 in 10 draws end between $150,000 and $165,000.")
    # a real median of 153,000 (+2.0%) goes the same way: only nominal is named
    out = findings.salary_scenario(split, 5, _move(0.025, 153_000.0))
    assert out[1].startswith("Across the draws, the average role's median year-5 midpoint is "
                             "$157,500, up 5.0% nominal (at the scenario's set values, $159,750, "
                             "up 6.5%)")
    # today's pay drawn too (the draws' median today 148,000): the change runs from it, and
    # the sentence says so (157,500 / 148,000 - 1 = +6.4%; 139,207 / 148,000 - 1 = -5.9%)
    drawn_today = replace(_move(0.025, 139_207.0), drawn_today_usd=148_000.0)
    assert findings.salary_scenario(split, 5, drawn_today)[1].startswith(
        "Across the draws, the average role's median year-5 midpoint is $157,500, up 6.4% "
        "nominal but down 5.9% in today's dollars from the draws' median today of $148,000 (at "
        "the scenario's set values, $159,750, up 6.5%)")
    # nothing drawn: no such sentence
    assert len(findings.salary_scenario(split, 5, _move(0.025))) == 2


def test_comparison_names_the_highest_and_lowest_scenario_and_the_widest_role():
    # the draws' medians (what the chart plots) in year 5: S averages (100 + 200) / 2 = 150,
    # T (160 + 210) / 2 = 185; at the set values (the table) S 140, T 190
    paths = pd.DataFrame({"scenario_title": ["S"] * 4 + ["T"] * 4,
                          "role_name": ["A", "B"] * 4, "year": [0, 0, 5, 5] * 2,
                          "p50_usd": [100.0, 200.0, 100.0, 200.0, 100.0, 200.0, 160.0, 210.0]})
    at = pd.DataFrame({"scenario_title": ["S", "S", "T", "T"], "role_name": ["A", "B", "A", "B"],
                       "mid_usd": [90.0, 190.0, 150.0, 230.0]})
    out = findings.scenario_comparison(paths, at, 5)
    assert out == ["In year 5, across the draws, the average role's median midpoint (nominal "
                   "dollars, as the chart plots) is highest under \u201cT\u201d ($185) and "
                   "lowest under \u201cS\u201d ($150), $35 apart; at the scenarios' set values "
                   "(the table) they are $190 and $140.",
                   "The scenarios disagree most about A: the median of its year-5 midpoint's "
                   "draws runs from $100 to $160 (nominal dollars; at the set values, $90 to "
                   "$150)."]
    # the gap is that of the two figures as shown: $185 - $150 = $35, not $185.4 - $149.6 = $36
    odd = paths.assign(p50_usd=[100.0, 200.0, 99.2, 200.0, 100.0, 200.0, 160.4, 210.4])
    assert "($185) and lowest under \u201cS\u201d ($150), $35 apart" in \
        findings.scenario_comparison(odd, at, 5)[0]
    # the set values ranked the other way round: the sentence names both ends
    flipped = at.assign(mid_usd=[200.0, 200.0, 150.0, 230.0])
    assert findings.scenario_comparison(paths, flipped, 5)[0].endswith(
        "at the scenarios' set values (the table) the highest is \u201cS\u201d ($200) and the "
        "lowest \u201cT\u201d ($190).")
    # the draws ranked the other way round
    other = paths.assign(p50_usd=[100.0, 200.0, 300.0, 200.0, 100.0, 200.0, 150.0, 100.0])
    out = findings.scenario_comparison(other, at, 5)
    assert out[0].startswith("In year 5, across the draws, the average role's median midpoint "
                             "(nominal dollars, as the chart plots) is highest under "
                             "\u201cS\u201d ($250)")
    assert out[1].startswith("The scenarios disagree most about A: the median of its year-5 "
                             "midpoint's draws runs from $150 to $300")


def test_comparison_names_the_scenarios_whose_real_change_goes_the_other_way():
    paths = pd.DataFrame({"scenario_title": ["S", "T"], "role_name": ["A", "A"],
                          "year": [5, 5], "p50_usd": [110.0, 120.0]})
    at = pd.DataFrame({"scenario_title": ["S", "T"], "role_name": ["A", "A"],
                       "mid_usd": [110.0, 120.0]})
    # S draws nothing: +10% nominal (110 / 100), -5% real (95 / 100); T's draws: +20%, +5%
    moves = {"S": AverageMove(5, "nominal", 0.025, 100.0, {"nominal": 110.0, "real": 95.0}),
             "T": AverageMove(5, "nominal", 0.025, 100.0, {"nominal": 125.0, "real": 110.0},
                              100.0, {"nominal": (0.0, 120.0, 0.0), "real": (0.0, 105.0, 0.0)})}
    assert findings.scenario_comparison(paths, at, 5, moves)[-1] == (
        "From today to year 5, in today's dollars the average role's median midpoint moves the "
        "other way under 1 of the 2 scenarios: \u201cS\u201d (up 10.0% nominal, down 5.0% in "
        "today's dollars).")
    moves["S"] = AverageMove(5, "nominal", 0.025, 100.0, {"nominal": 110.0, "real": 104.0})
    assert findings.scenario_comparison(paths, at, 5, moves)[-1] == (
        "From today to year 5, the average role's median midpoint moves the same way in today's "
        "dollars as in nominal dollars under every scenario.")


def test_the_build_lifts_findings_to_the_top_and_moves_method_notes_to_the_end():
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_code_cell("x", outputs=[
        v4.new_output("display_data", data={FINDINGS_MIME: ["It rose."], "text/html": "<ul>"}),
        v4.new_output("display_data", data={NOTE_MIME: {"id": "note-rule", "title": "The rule",
                                                        "html": "Grade &lt;16.5%."},
                                            "text/html": "<p>full</p>"}),
        v4.new_output("display_data", data={NOTE_MIME: {"id": "note-rule", "title": "The rule",
                                                        "html": "Grade &lt;16.5%."},
                                            "text/html": "<p>full</p>"})])])
    assert render.collect_findings(nb) == ["It rose."]
    notes = render.collect_notes(nb)
    assert [(n["id"], n["number"]) for n in notes] == [("note-rule", 1)]  # once, however used
    outputs = nb.cells[0].outputs
    assert outputs[0]["data"]["text/html"] == "" and FINDINGS_MIME not in outputs[0]["data"]
    assert outputs[1]["data"]["text/html"] == outputs[2]["data"]["text/html"] == (
        '<p class="aijobs-note-ref">The rule: see <a href="#note-rule">note 1</a> at the end.</p>')
