"""Transforms checked against values worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aijobs.analysis import transforms
from aijobs.analysis.transforms import ParameterError
from aijobs.data import tables


@pytest.fixture(scope="module")
def bands():
    return transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                           tables.load_table("roles"))


def test_midpoints(bands):
    mid = bands.set_index("role_id")["midpoint_usd"]
    assert mid["ai_research_scientist"] == 215_000  # (180,000 + 250,000) / 2
    assert mid["ai_product_manager"] == 160_000  # (140,000 + 180,000) / 2


def test_region_multiplier_scales_both_ends(bands):
    out = transforms.adjusted_bands(bands, region_multiplier=0.5).set_index("role_id")
    assert out.loc["ai_ml_engineer", "adjusted_low_usd"] == 75_000
    assert out.loc["ai_ml_engineer", "adjusted_high_usd"] == 110_000
    assert out.loc["ai_ml_engineer", "adjusted_midpoint_usd"] == 92_500
    # the article's figures are kept untouched
    assert out.loc["ai_ml_engineer", "salary_low_usd"] == 150_000


def test_scarcity_adjustment_factor_by_hand():
    # pay = base x 1.2; half the premium gone -> base x 1.1; factor 1.1 / 1.2
    assert transforms.scarcity_adjustment_factor(20, 50) == pytest.approx(1.1 / 1.2)
    assert transforms.scarcity_adjustment_factor(20, 0) == 1.0
    assert transforms.scarcity_adjustment_factor(0, 100) == 1.0
    assert transforms.scarcity_adjustment_factor(25, 100) == pytest.approx(0.8)  # 1 / 1.25


def test_normalization_and_region_combine(bands):
    out = transforms.adjusted_bands(bands, region_multiplier=0.8, scarcity_premium_pct=25,
                                    salary_normalization=100).set_index("role_id")
    # 150,000 x 0.8 x (1 / 1.25) = 96,000
    assert out.loc["ai_ml_engineer", "adjusted_low_usd"] == pytest.approx(96_000)


@pytest.mark.parametrize("kwargs, message", [
    ({"region_multiplier": 0}, "parameter region_multiplier: got 0; expected a number above 0"),
    ({"region_multiplier": "high"}, "parameter region_multiplier: got 'high'"),
    ({"salary_normalization": 120}, "parameter salary_normalization: got 120; expected a "
                                    "percentage from 0"),
    ({"scarcity_premium_pct": -5}, "parameter scarcity_premium_pct: got -5"),
])
def test_bad_adjustment_parameters(bands, kwargs, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        transforms.adjusted_bands(bands, **kwargs)


def test_sort_orders(bands):
    by_mid = transforms.sorted_bands(bands, "midpoint")["role_id"].tolist()
    assert by_mid == ["ai_research_scientist", "ai_ml_engineer", "ai_solutions_architect",
                      "mlops_engineer", "ai_product_manager"]
    by_low = transforms.sorted_bands(bands, "low")["role_id"].tolist()
    # 180K; then 160K; then two at 150K broken by name (AI/ML before MLOps); then 140K
    assert by_low == ["ai_research_scientist", "ai_solutions_architect", "ai_ml_engineer",
                      "mlops_engineer", "ai_product_manager"]
    by_name = transforms.sorted_bands(bands, "name")["role_name"].tolist()
    assert by_name == sorted(by_name)
    article = transforms.sorted_bands(bands, "article")["role_id"].tolist()
    assert article == tables.load_table("salary_bands")["role_id"].tolist()
    with pytest.raises(ParameterError, match="parameter sort_by: got 'salary'; expected one of "
                                             "midpoint, low, high, name, article"):
        transforms.sorted_bands(bands, "salary")


def test_select_roles(bands):
    picked = transforms.select_roles(bands, ["mlops_engineer", "ai_ml_engineer"])
    assert picked["role_id"].tolist() == ["ai_ml_engineer", "mlops_engineer"]
    assert len(transforms.select_roles(bands, [])) == 5
    with pytest.raises(ParameterError, match="parameter roles: unknown role id.*'ml_engineer'"):
        transforms.select_roles(bands, ["ml_engineer"])


def test_doubling_time_by_hand():
    # 100% a year doubles in exactly a year; 280% a year: ln 2 / ln 3.8 = 0.519211 years
    assert transforms.doubling_time_years(100) == pytest.approx(1.0)
    assert transforms.doubling_time_years(280) == pytest.approx(0.519211, abs=1e-6)
    # 300% over two years is 100% a year
    assert transforms.doubling_time_years(300, 2.0) == pytest.approx(1.0)
    assert math.isinf(transforms.doubling_time_years(0))
    assert math.isinf(transforms.doubling_time_years(-50))


def test_growth_table():
    g = transforms.growth_table(tables.load_table("growth_rates"), tables.load_table("roles"))
    assert g["role_id"].tolist() == ["ai_agent_developer", "prompt_engineer",
                                     "ai_ethics_specialist"]
    assert g["growth_multiple"].tolist() == [3.8, 3.2, 2.65]
    assert g.loc[0, "doubling_time_months"] == pytest.approx(12 * 0.519211, abs=1e-4)


def _one_role(pct=280.0):
    return pd.DataFrame({"role_id": ["r"], "growth_pct": [pct]})


def test_projection_compounds_by_hand():
    p = transforms.growth_projection(_one_role(), 2, 0.0)
    assert p["demand_index"].tolist() == pytest.approx([1.0, 3.8, 14.44])  # 3.8^2
    p = transforms.growth_projection(_one_role(), 2, 0.5)
    # year 2 grows at 140%: 3.8 x 2.4 = 9.12
    assert p["demand_index"].tolist() == pytest.approx([1.0, 3.8, 9.12])
    assert p["annual_rate_pct"].tolist() == pytest.approx([0.0, 280.0, 140.0])
    p = transforms.growth_projection(_one_role(), 3, 1.0)
    assert p["demand_index"].tolist() == pytest.approx([1.0, 3.8, 3.8, 3.8])


@pytest.mark.parametrize("horizon, decay, message", [
    (0, 0.5, "parameter horizon_years: got 0; expected a whole number of years from 1 to 30"),
    (31, 0.5, "parameter horizon_years: got 31"),
    (2.5, 0.5, "parameter horizon_years: got 2.5"),
    (5, 1.5, "parameter growth_decay: got 1.5; expected a fraction from 0"),
])
def test_projection_rejects_bad_parameters(horizon, decay, message):
    with pytest.raises(ParameterError, match=message):
        transforms.growth_projection(_one_role(), horizon, decay)


def test_entry_ranking_hardest_first():
    ranked = transforms.entry_ranking(tables.load_table("entry_points"))
    assert ranked["entry_id"].tolist() == ["junior_ai", "ai_adjacent", "ai_augmented"]
    assert ranked["rank_hardest_first"].tolist() == [1, 2, 3]


def test_path_timeline_by_hand():
    t = transforms.path_timeline(tables.load_table("learning_path_steps"),
                                 tables.load_table("learning_paths"))
    tech = t[t["path_id"] == "technical"].set_index("step_label")
    # Python 3-6 months, then fundamentals 3-4: fastest 0-3 then 3-6; slowest ends 6 then 10
    assert tech.loc["Learn Python", ["start_month", "end_month_fast", "end_month_slow"]].tolist() \
        == [0, 3, 6]
    assert tech.loc["Learn AI/ML fundamentals",
                    ["start_month", "end_month_fast", "end_month_slow"]].tolist() == [3, 6, 10]
    assert bool(tech.loc["Build projects", "is_ongoing"])
    assert math.isnan(tech.loc["Build projects", "end_month_fast"])
    assert t["path_number"].tolist() == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_time_to_first_role_by_hand():
    f = transforms.time_to_first_role(tables.load_table("learning_path_steps"),
                                      tables.load_table("learning_paths")).set_index("path_id")
    assert f.loc["technical", ["months_min", "months_max"]].tolist() == [6, 10]  # 3+3, 6+4
    assert f.loc["semi_technical", ["months_min", "months_max"]].tolist() == [2, 3]
    assert f.loc["non_technical", ["months_min", "months_max"]].tolist() == [1, 2]
    assert f["has_ongoing_steps"].tolist() == [True, True, False]


def test_roles_by_group_and_depth():
    counts = transforms.roles_by_group_and_depth(tables.load_table("roles"))
    c = counts.set_index(["role_group", "technical_depth"])["role_count"]
    assert c["core_ai", "technical"] == 5
    assert c["ai_adjacent", "non_technical"] == 3
    assert c["ai_augmented", "technical"] == 0
    assert counts["role_count"].sum() == 14
    assert len(counts) == 12


def test_labels():
    assert transforms.labelled(["core_ai", "semi_technical", "other_thing"]) == [
        "Core AI", "Semi-technical", "Other thing"]
    # labelled twice (a notebook labels a column, the table labels it again): unchanged; the
    # overview's depth table read "Core ai" and "Ai-adjacent" before
    twice = transforms.labelled(transforms.labelled(["core_ai", "ai_adjacent"]))
    assert twice == ["Core AI", "AI-adjacent"]
    from aijobs.notebook import display
    html = display.table_html(pd.DataFrame({"role_group": ["AI-augmented"]}))
    assert ">AI-augmented<" in html


def test_period_range_spans_the_unstated_period():
    growth = transforms.growth_table(tables.load_table("growth_rates"), tables.load_table("roles"))
    periods = transforms.period_range(growth, 5, 0.5)
    agent = periods[periods["role_id"] == "ai_agent_developer"].set_index("period_years")
    # +280% as one year's growth: 2.8 in year 1, halving each year after:
    # 3.8 x 2.4 x 1.7 x 1.35 x 1.175 = 24.6 (the upper end); over five years it is x1.7
    assert agent.loc[1.0, "demand_index"] == pytest.approx(3.8 * 2.4 * 1.7 * 1.35 * 1.175)
    assert round(agent.loc[5.0, "demand_index"], 1) == 1.7
    assert list(agent.index) == [1.0, 2.0, 3.0, 4.0, 5.0]
