"""The salary-normalization model: known answers worked out by hand, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aijobs.analysis import scenarios as sc
from aijobs.data import tables
from aijobs.errors import ParameterError
from aijobs.notebook import scenario_pages

ONE_BAND = pd.DataFrame({"role_id": ["r"], "role_name": ["Role"], "salary_low_usd": [100_000],
                         "salary_high_usd": [200_000], "is_open_ended": [True]})


def _nominal(**kw):
    params = sc.scenario_params(**kw)
    return sc.pay_multipliers(params, params.premium, [None])["nominal"][0]


def test_no_normalization_and_no_wage_growth_keep_the_band_flat():
    assert _nominal(horizon_years=5, premium=0.3, normalization_rate=0.0,
                    wage_growth=0.0).tolist() == [1.0] * 6


def test_full_normalization_removes_the_premium_after_one_year():
    m = _nominal(horizon_years=3, premium=0.25, normalization_rate=0.999999, wage_growth=0.0)
    # pay = baseline x 1.25 today; with the premium gone it is the baseline: x 1/1.25 = 0.8
    assert m[1] == pytest.approx(0.8, abs=1e-6)
    p = sc.premium_paths(sc.scenario_params(premium=0.25, normalization_rate=0.0),
                         np.array([0.25]))
    assert p[0, 0] == 0.25
    # the n = 1 limit of premium_0 x (1 - n)^t
    rate_one = sc.ScenarioParams(premium=0.25, normalization_rate=1.0, horizon_years=2)
    assert sc.premium_paths(rate_one, np.array([0.25]))[0].tolist() == [0.25, 0.0, 0.0]


def test_wage_growth_alone_compounds():
    m = _nominal(horizon_years=2, premium=0.0, wage_growth=0.03)
    assert m[2] == pytest.approx(1.0609)  # 1.03^2


def test_supply_demand_with_equal_growth_keeps_the_premium():
    params = sc.scenario_params(mode="supply_demand", horizon_years=4, premium=0.2,
                                demand_growth=0.15, supply_growth=0.15, growth_decay=0.0)
    out = sc.pay_multipliers(params, 0.2, [None])
    assert out["premium"][0] == pytest.approx([0.2] * 5)


def test_supply_demand_formula_by_hand():
    # d = 21%, s = 10%, eps = 0.5: ratio (1.21/1.1)^0.5 = 1.1^0.5; after 2 years x 1.1
    params = sc.scenario_params(mode="supply_demand", horizon_years=2, premium=0.5,
                                demand_growth=0.21, supply_growth=0.10, elasticity=0.5,
                                growth_decay=0.0, wage_growth=0.0)
    out = sc.pay_multipliers(params, 0.5, [None])
    assert out["premium"][0, 2] == pytest.approx(0.55)
    assert out["nominal"][0, 2] == pytest.approx(1.55 / 1.5)


def test_demand_defaults_to_the_roles_growth_damped_by_decay():
    params = sc.scenario_params(mode="supply_demand", horizon_years=3, growth_decay=0.5,
                                default_demand_growth=0.1)
    paths = sc.demand_growth_paths(params, [2.8, None])
    assert paths[0].tolist() == pytest.approx([2.8, 1.4, 0.7])
    assert paths[1].tolist() == pytest.approx([0.1, 0.05, 0.025])


def test_regulation_shock_replaces_demand_then_recovers():
    params = sc.scenario_params(mode="supply_demand", horizon_years=5, demand_growth=0.2,
                                growth_decay=0.0, shock_start_year=2, shock_years=2,
                                shock_demand_growth=-0.3)
    assert sc.demand_growth_paths(params, [None])[0].tolist() == pytest.approx(
        [0.2, -0.3, -0.3, 0.2, 0.2])


def test_real_equals_nominal_without_inflation():
    params = sc.scenario_params(horizon_years=10, premium=0.3, inflation=0.0)
    out = sc.pay_multipliers(params, 0.3, [None, None])
    assert np.array_equal(out["real"], out["nominal"])
    inflated = sc.pay_multipliers(sc.scenario_params(horizon_years=1, inflation=0.1,
                                                     premium=0.0, wage_growth=0.0), 0.0, [None])
    assert inflated["real"][0, 1] == pytest.approx(1 / 1.1)


def test_projected_bands_keep_open_ends_and_band_points():
    params = sc.scenario_params(horizon_years=1, premium=0.0, wage_growth=0.1)
    proj = sc.project_bands(ONE_BAND, params)
    year1 = proj[(proj["year"] == 1) & (proj["basis"] == "nominal")].iloc[0]
    assert (year1["low_usd"], year1["mid_usd"], year1["high_usd"]) == pytest.approx(
        (110_000, 165_000, 220_000))
    assert bool(year1["is_open_ended"])
    shares = sc.project_bands(ONE_BAND, sc.scenario_params(horizon_years=1, premium=0.25,
                                                           normalization_rate=0.0))
    assert shares["premium_share"].iloc[0] == pytest.approx(0.2)  # 0.25 / 1.25


def test_per_role_premiums():
    bands = tables.load_table("salary_bands").merge(tables.load_table("roles")[
        ["role_id", "role_name"]], on="role_id")
    proj = sc.project_bands(bands, sc.scenario_params(horizon_years=1, normalization_rate=0.5,
                                                      wage_growth=0.0),
                            premiums={"ai_ml_engineer": 0.2, "mlops_engineer": 0.0})
    y1 = proj[(proj["year"] == 1) & (proj["basis"] == "nominal")].set_index("role_id")
    assert y1.loc["ai_ml_engineer", "low_usd"] == pytest.approx(150_000 * 1.1 / 1.2)
    assert y1.loc["mlops_engineer", "low_usd"] == pytest.approx(150_000)


@pytest.mark.parametrize("values, message", [
    ({"normalization_rate": 1.0}, "parameter normalization_rate: got 1.0; expected a fraction "
                                  "in [0, 1)"),
    ({"normalization_rate": -0.1}, "parameter normalization_rate: got -0.1"),
    ({"supply_growth": -1.5}, "parameter supply_growth: got -1.5; expected a yearly fraction "
                              "above -1"),
    ({"horizon_years": 0}, "parameter horizon_years: got 0; expected a whole number of years "
                           "from 1 to 30"),
    ({"mode": "fast"}, "parameter mode: got 'fast'; expected one of rate, supply_demand"),
    ({"speed": 1}, "unknown scenario parameter(s) speed; valid: default_demand_growth"),
])
def test_invalid_parameters_fail_before_anything_runs(values, message):
    with pytest.raises(ParameterError) as info:
        sc.scenario_params(**values)
    assert message in str(info.value)


def test_one_number_parameter_set_by_name():
    params = sc.scenario_params()
    assert params.with_value("normalization_rate", 0.2).normalization_rate == 0.2
    assert params.with_value("demand_growth", 0.1).demand_growth == 0.1
    assert params.with_value("wage_growth", 1).wage_growth == 1.0  # stays a float
    with pytest.raises(ParameterError, match="parameter mode: not a number parameter of a "
                                             "scenario; expected one of premium, "):
        params.with_value("mode", 0.5)
    with pytest.raises(ParameterError, match="parameter horizon_years: not a number"):
        params.with_value("horizon_years", 7)  # whole years: not set through a float


def test_invalid_uncertainty():
    params = sc.scenario_params()
    with pytest.raises(ParameterError, match=r"uncertainty range of normalization_rate: "
                                             r"parameter normalization_rate: got 1.2"):
        sc.monte_carlo_multipliers(params, 0.1, [None], sc.Uncertainty(
            {"normalization_rate": [0.0, 0.5, 1.2]}, draws=10))
    with pytest.raises(ParameterError, match="needs \\[low, most likely, high\\]"):
        sc.draw_parameters(sc.Uncertainty({"wage_growth": [0.05, 0.01, 0.02]}))
    with pytest.raises(ParameterError, match="'mode' cannot be uncertain"):
        sc.draw_parameters(sc.Uncertainty({"mode": [0, 1, 2]}))
    with pytest.raises(ParameterError, match="parameter distribution: got 'normal'"):
        sc.draw_parameters(sc.Uncertainty({}, distribution="normal"))


def test_monte_carlo_with_fixed_ranges_equals_the_deterministic_path():
    params = sc.scenario_params(horizon_years=5, premium=0.2, normalization_rate=0.1)
    unc = sc.Uncertainty({"normalization_rate": [0.1, 0.1, 0.1]}, draws=50)
    mc = sc.monte_carlo_multipliers(params, np.array([0.2, 0.4]), [None, None], unc)
    det = sc.pay_multipliers(params, np.array([0.2, 0.4]), [None, None])["nominal"]
    assert np.allclose(mc, det[None, :, :])


def test_triangular_draws_have_the_known_mean():
    draws = sc.draw_parameters(sc.Uncertainty({"wage_growth": [0.0, 0.03, 0.09]},
                                              draws=200_000, seed=1))["wage_growth"]
    assert draws.mean() == pytest.approx((0.0 + 0.03 + 0.09) / 3, abs=5e-4)
    assert draws.min() >= 0.0 and draws.max() <= 0.09


rates = st.floats(min_value=0.0, max_value=0.95, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(n1=rates, n2=rates, premium=st.floats(0, 2), g=st.floats(-0.05, 0.1),
       horizon=st.integers(1, 30))
def test_a_higher_normalization_rate_never_raises_pay(n1, n2, premium, g, horizon):
    lo, hi = sorted((n1, n2))
    slow = _nominal(horizon_years=horizon, premium=premium, normalization_rate=lo,
                    wage_growth=g)
    fast = _nominal(horizon_years=horizon, premium=premium, normalization_rate=hi,
                    wage_growth=g)
    assert np.all(fast <= slow * (1 + 1e-12))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), mode=st.sampled_from(sc.MODES),
       dist=st.sampled_from(sc.DISTRIBUTIONS), horizon=st.integers(1, 30))
def test_fans_stay_ordered_and_repeat_with_the_seed(seed, mode, dist, horizon):
    params = sc.scenario_params(mode=mode, horizon_years=horizon, premium=0.2)
    unc = sc.Uncertainty({"normalization_rate": [0.0, 0.05, 0.3], "supply_growth":
                          [0.0, 0.2, 0.6], "wage_growth": [0.0, 0.03, 0.06],
                          "premium": [0.0, 0.15, 0.5]}, distribution=dist, draws=500,
                         seed=seed)
    q = sc.fan(sc.monte_carlo_multipliers(params, 0.2, [None, 2.8], unc))
    assert np.all(q[0] <= q[1] + 1e-12) and np.all(q[1] <= q[2] + 1e-12)
    again = sc.fan(sc.monte_carlo_multipliers(params, 0.2, [None, 2.8], unc))
    assert np.array_equal(q, again)


def test_fan_frame_in_dollars():
    params = sc.scenario_params(horizon_years=2, premium=0.0, wage_growth=0.0)
    frame = sc.fan_frame(ONE_BAND, params, sc.Uncertainty({"wage_growth": [0.1, 0.1, 0.1]},
                                                          draws=10))
    last = frame[frame["year"] == 2].iloc[0]
    # midpoint 150,000 x 1.1^2
    assert (last["p10_usd"], last["p50_usd"], last["p90_usd"]) == pytest.approx((181_500,) * 3)


def test_slider_steps_lower_the_band_as_the_rate_rises():
    params = sc.scenario_params(horizon_years=5, premium=0.3, wage_growth=0.0)
    steps = sc.slider_steps(ONE_BAND, params, [0.0, 0.1, 0.3])
    highs = [s["high_usd"].iloc[0] for s in steps]
    assert highs[0] == pytest.approx(200_000)
    # 200,000 x (1 + 0.3 x 0.7^5) / 1.3
    assert highs[2] == pytest.approx(200_000 * (1 + 0.3 * 0.7 ** 5) / 1.3)
    assert highs[0] > highs[1] > highs[2]


@pytest.mark.parametrize("mode", ["rate", "supply_demand"])
def test_degenerate_ranges_reproduce_the_deterministic_path_exactly(mode):
    # every uncertain parameter drawn from [v, v, v]: each draw must be the deterministic path,
    # including demand growth, whose decay runs 0..H-1 years in both
    params = sc.scenario_params(mode=mode, horizon_years=6, demand_growth=0.3, growth_decay=0.4,
                                supply_growth=0.1, elasticity=0.7, normalization_rate=0.08,
                                wage_growth=0.03, inflation=0.02)
    values = {"normalization_rate": 0.08, "wage_growth": 0.03, "inflation": 0.02,
              "supply_growth": 0.1, "elasticity": 0.7, "premium": 0.2, "demand_growth": 0.3}
    unc = sc.Uncertainty({k: [v, v, v] for k, v in values.items()}, draws=4)
    for basis in ("nominal", "real"):
        drawn = sc.monte_carlo_multipliers(params, np.array([0.2, 0.2]), [None, None], unc,
                                           basis)
        exact = sc.pay_multipliers(sc.scenario_params(**{**params.__dict__, "premium": 0.2}),
                                   np.array([0.2, 0.2]), [None, None])[basis]
        for draw in drawn:
            np.testing.assert_allclose(draw, exact, rtol=1e-12)


def test_premiums_from_a_source():
    roles = ["ai_ml_engineer", "ai_research_scientist", "ai_product_manager"]
    choice = sc.choose_premiums("pwc_2025", roles, 0.1)
    assert choice.used == {r: 0.56 for r in roles} and choice.estimate["publisher"] == "PwC"
    assert "PwC" in scenario_pages.premium_note(choice)
    assert sc.choose_premiums("0.3", roles, 0.1).used == {r: 0.3 for r in roles}
    choice = sc.choose_premiums("survey_title_gap", roles, 0.1)
    kind = choice.table.set_index("role_id")["kind"]
    # the survey gap (distinct adverts) is +3.6% for AI/ML engineers, -4.0% for research
    # scientists, not computable for PMs
    assert choice.used["ai_ml_engineer"] == pytest.approx(0.035744)
    assert choice.used["ai_research_scientist"] == 0.0
    assert kind["ai_research_scientist"] == "not_positive"
    assert choice.used["ai_product_manager"] == 0.1
    assert kind["ai_product_manager"] == "fallback"
    assert choice.fallback_roles == ["ai_product_manager"]
    with pytest.raises(ParameterError, match="no estimate 'nope'.*choose one of pwc_2024"):
        sc.choose_premiums("nope", roles, 0.1)
    with pytest.raises(ParameterError, match="premium_source: got 'nan'"):
        sc.choose_premiums("nan", roles, 0.1)


def test_the_premium_table_words_each_role_from_its_values():
    result = sc.run_scenario({"premium_source": "survey_title_gap", "normalization_rate": 0.1,
                              "fallback_premium": 0.1})
    status = scenario_pages.premium_status(result).set_index("role_id")
    assert status.loc["ai_research_scientist", "status"] == \
        "no premium to normalize (estimate -4.0%)"
    assert status.loc["ai_product_manager", "is_assumption"]
    assert status.loc["ai_product_manager", "status"].startswith(
        "no estimate for this role: the fallback 10% is used (an assumption)")
    # 3.5744% x 0.9^5 = 2.1% after five years of a 10% normalization rate
    assert status.loc["ai_ml_engineer", "status"] == (
        "shrinks from this premium (3.6% today, 2.1% in year 5)")
    grows = sc.run_scenario({"premium_source": "pwc_2025", "mode": "supply_demand",
                             "demand_growth": 0.3, "supply_growth": 0.12, "growth_decay": 0.15})
    text = scenario_pages.premium_status(grows).set_index("role_id")["status"]
    # by hand: the product over k = 1..5 of ((1 + 0.3 x 0.85^(k-1)) / 1.12)^0.5 is 1.242,
    # so 56% grows to 69.6%
    assert text["ai_ml_engineer"] == "grows from this premium (56.0% today, 69.6% in year 5)"
    held = sc.run_scenario({"premium_source": "pwc_2025", "normalization_rate": 0.0})
    assert scenario_pages.premium_status(held)["status"].str.startswith("held at").all()


def test_survey_rows_of_the_estimates_table_match_the_evidence():
    est = sc.premium_estimates()
    prem = tables.load_table("derived/survey_premium")
    prem = prem[(prem["pay_measure"] == "midpoint") & (prem["repeats"] == "drop")
                & (prem["baseline"] == "software_engineer") & prem["is_computable"]]
    for eid, group in (("survey_title_gap", "all"), ("survey_title_gap_mix_adjusted",
                                                     "mix_adjusted")):
        mine = est[est["estimate_id"] == eid].set_index("role_id")["premium"]
        theirs = prem[prem["group"] == group].set_index("role_id")["premium"]
        assert mine.sort_index().to_dict() == pytest.approx(theirs.sort_index().to_dict())
    for required in ("pwc_2024", "pwc_2025", "lightcast_2025"):
        assert required in set(est["estimate_id"])


def test_effect_split_by_hand():
    bands = pd.DataFrame({"role_id": ["r"], "role_name": ["R"], "salary_low_usd": [90_000],
                          "salary_high_usd": [110_000], "is_open_ended": [False]})
    params = sc.scenario_params(horizon_years=2, normalization_rate=0.5, wage_growth=0.1)
    split = sc.effect_split(sc.project_bands(bands, params, 0.25), params).iloc[0]
    # wage growth alone: 100,000 x 1.1^2 = 121,000 (+21,000); with the premium halving twice:
    # 121,000 x (1 + 0.25 x 0.25) / 1.25 = 102,850, so the premium's change is -18,150
    assert split["wage_growth_adds_usd"] == pytest.approx(21_000)
    assert split["mid_horizon_usd"] == pytest.approx(102_850)
    assert split["premium_change_usd"] == pytest.approx(-18_150)
    assert scenario_pages.headline(pd.DataFrame([split]), 2) == (
        "At the scenario's set values, by year 2 the premium's change removes $18,150 from the "
        "average role's nominal midpoint; market wage growth adds $21,000.")
    # the opposite direction reads the other way round: "adds ... to", not "adds ... from"
    grown = split.copy()
    grown["premium_change_usd"] = 18_337.4
    assert scenario_pages.headline(pd.DataFrame([grown]), 2) == (
        "At the scenario's set values, by year 2 the premium's change adds $18,337 to the "
        "average role's nominal midpoint; market wage growth adds $21,000.")


def test_average_move_by_hand():
    # two roles at 100,000 and 200,000 (average 150,000); at the set values they end at
    # 110,000 and 211,000 nominal (average 160,500: +7%) and, at 5% inflation over 2 years
    # (/1.1025), 99,773.24 and 191,383.22 real (average 145,578.23: -2.948%)
    proj = pd.DataFrame({
        "basis": ["nominal"] * 4 + ["real"] * 4, "year": [0, 0, 2, 2] * 2,
        "mid_usd": [100_000, 200_000, 110_000, 211_000,
                    100_000, 200_000, 110_000 / 1.1025, 211_000 / 1.1025]})
    move = sc.average_move(proj, 2, 0.05)
    assert move.today_usd == 150_000
    assert move.set_change("nominal") == pytest.approx(0.07)
    assert move.set_change("real") == pytest.approx(160_500 / 1.1025 / 150_000 - 1)
    assert round(move.set_change("real"), 5) == -0.02948
    assert move.drawn_usd is None and math.isnan(move.drawn_change())
    # the draws' medians: today 100,000 and 220,000 (average 160,000); at the horizon the
    # roles' p10/p50/p90 average (90,000+190,000)/2 = 140,000, 150,000, 160,000 nominal, so the
    # median moves 150,000/160,000 - 1 = -6.25%; in real dollars 140,000 / 160,000 - 1 = -12.5%
    fan = pd.DataFrame({"year": [0, 0, 2, 2], "p10_usd": [100_000, 220_000, 90_000, 190_000],
                        "p50_usd": [100_000, 220_000, 100_000, 200_000],
                        "p90_usd": [100_000, 220_000, 110_000, 210_000]})
    real = pd.DataFrame({"year": [2, 2], "p10_usd": [80_000, 180_000],
                         "p50_usd": [90_000, 190_000], "p90_usd": [100_000, 200_000]})
    move = sc.average_move(proj, 2, 0.05, "nominal", {"nominal": fan, "real": real})
    assert move.drawn_today_usd == 160_000
    assert move.drawn_usd["nominal"] == (140_000, 150_000, 160_000)
    assert move.drawn_change() == pytest.approx(-0.0625)
    assert move.drawn_change("real") == pytest.approx(-0.125)
    assert move.drawn_change("nominal", 2) == pytest.approx(0.0)


def test_a_result_draws_its_other_dollars_from_the_same_draws():
    # the real fan at the horizon is the nominal one's draws divided by each draw's inflation:
    # with inflation fixed at 10% a year over 1 year, every real quantile is nominal / 1.1
    res = sc.run_scenario({"horizon_years": 1, "premium": 0.3, "normalization_rate": 0.2,
                           "wage_growth": 0.02, "inflation": 0.1, "draws": 2_000,
                           "uncertainty": {"normalization_rate": [0.1, 0.2, 0.4]}})
    move = res.average_move()
    nominal, real = move.drawn_usd["nominal"], move.drawn_usd["real"]
    assert real == pytest.approx(tuple(v / 1.1 for v in nominal))
    last = res.fan[res.fan["year"] == 1]
    assert nominal[1] == pytest.approx(last["p50_usd"].mean())
    # and the set values' path, as the band chart draws it: each midpoint x 1.02 x
    # (1 + 0.3 x 0.8) / 1.3
    assert move.set_change("nominal") == pytest.approx(1.02 * 1.24 / 1.3 - 1)
    assert move.set_change("real") == pytest.approx(1.02 * 1.24 / 1.3 / 1.1 - 1)


def test_recentred_ranges_follow_a_given_value():
    params = sc.scenario_params(normalization_rate=0.15, wage_growth=0.03)
    unc = sc.recentred(sc.Uncertainty({"normalization_rate": [0.02, 0.05, 0.10],
                                       "wage_growth": [0.02, 0.03, 0.045]}), params)
    assert unc.ranges["normalization_rate"] == pytest.approx([0.12, 0.15, 0.20])
    assert unc.ranges["wage_growth"] == [0.02, 0.03, 0.045]  # already centred
    assert len(unc.notes) == 1


def test_slider_values_include_the_scenario_s_own_value():
    params = sc.scenario_params(mode="supply_demand", supply_growth=0.123)
    values = sc.slider_values(params, 0.3, 0.01)
    assert 0.123 in values and values[0] == 0.0 and values[-1] == 0.3
    bands = sc_bands()
    step = sc.slider_steps(bands, params, [0.123], 0.2)[0]
    proj = sc.project_bands(bands, params, 0.2)
    end = proj[(proj["year"] == params.horizon_years) & (proj["basis"] == "nominal")]
    assert step["mid_usd"].tolist() == pytest.approx(end["mid_usd"].tolist())


@pytest.mark.parametrize("mode", ["rate", "supply_demand"])
def test_slider_steps_are_exactly_the_projection_s_horizon_rows(mode):
    # the slider computes the horizon year alone: the same frame (columns, types, values to the
    # last bit) as project_bands' nominal rows of that year, with per-role premiums and growth
    bands = sc_bands()
    params = sc.scenario_params(mode=mode, horizon_years=7, demand_growth=0.3,
                                supply_growth=0.1, elasticity=0.7, normalization_rate=0.08,
                                wage_growth=0.03, inflation=0.02)
    premiums = dict(zip(bands["role_id"][:3], [0.05, 0.3, 0.56], strict=True))
    growth = tables.load_table("growth_rates")
    for value, step in zip([0.0, 0.123, 0.4], sc.slider_steps(bands, params, [0.0, 0.123, 0.4],
                                                             premiums, growth), strict=True):
        moved = params.with_value(sc.SLIDER_PARAMETER[mode], value)
        proj = sc.project_bands(bands, moved, premiums, growth)
        end = proj[(proj["year"] == 7) & (proj["basis"] == "nominal")].reset_index(drop=True)
        pd.testing.assert_frame_equal(step, end, check_exact=True)
        assert step.to_csv() == end.to_csv()


def sc_bands():
    from aijobs.analysis import transforms

    return transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                           tables.load_table("roles"))


def test_tornado_moves_one_assumption_at_a_time():
    params = sc.scenario_params(horizon_years=5, normalization_rate=0.1)
    sens = sc.tornado(sc_bands(), params, 0.3, None).set_index("parameter")
    assert list(sens.index) == list(sens.sort_values("swing_usd", ascending=False).index)
    # a faster normalization lowers pay; a bigger premium at the same rate raises nothing at
    # year 0 but lowers the normalized pay relative to today's
    assert sens.loc["normalization_rate", "at_high_usd"] < \
        sens.loc["normalization_rate", "at_low_usd"]
    assert sens.loc["inflation", "at_high_usd"] < sens.loc["inflation", "at_low_usd"]


def _path(values, width=0.002, start=2020):
    return pd.DataFrame({"role_id": "r", "work_year": range(start, start + len(values)),
                         "premium": values,
                         "premium_ci95_low": [v - width for v in values],
                         "premium_ci95_high": [v + width for v in values]})


def test_calibration_recovers_a_known_rate():
    # premium_t = 0.3 x 0.9^t: a 10% yearly normalization, measured precisely
    path = _path([0.3 * 0.9 ** t for t in range(5)])
    fit = sc.fit_normalization_rate(path)
    assert fit["rate"] == pytest.approx(0.10, abs=1e-9)
    assert fit["rate_ci95_low"] < 0.10 < fit["rate_ci95_high"]
    assert fit["n_years"] == 5
    rate, text = sc.observed_rate(path)
    assert rate == pytest.approx(0.10) and "5 work years (2020-2024)" in text


def test_backtest_counts_what_the_fan_covered():
    exact = sc.backtest(_path([0.3 * 0.9 ** t for t in range(5)]))
    # fits through 2021, 2022, 2023 predict 2022, 2023, 2024 exactly: 3 of 3 covered
    assert exact["predicted_year"].tolist() == [2022, 2023, 2024]
    assert exact["covered"].tolist() == [True, True, True]
    jump = sc.backtest(_path([0.3, 0.27, 0.243, 0.5]))
    # the last year jumps to 0.5 where 0.2187 was due: not covered
    assert jump["covered"].tolist() == [True, False]
    assert jump["predicted"].iloc[-1] == pytest.approx(0.2187, rel=1e-6)


def test_a_growing_premium_is_held_flat_and_said_so():
    rate, text = sc.observed_rate(_path([0.2, 0.3, 0.4, 0.5]))
    assert rate == 0.0 and "the premium grew" in text


def test_no_rate_is_identified_from_too_short_a_history():
    # three precise years falling 10% a year: a line fits, but three points leave one
    # residual degree of freedom, under the 4 years the rule asks for
    rate, text = sc.observed_rate(_path([0.3 * 0.9 ** t for t in range(3)]))
    assert rate == 0.0
    assert text == ("no rate can be identified from this file (the longest like-for-like "
                    "premium history has 3 usable years, and a rate needs at least 4), so the "
                    "scenario keeps the premium flat (rate 0)")
    assert "1 usable year," in sc.observed_rate(_path([0.2]))[1]


def test_a_rate_whose_sign_flips_with_the_repeats_choice_is_not_identified():
    falling = _path([0.3 * 0.9 ** t for t in range(4)])  # +10% a year
    rising = _path([0.3 * 1.1 ** t for t in range(4)])   # the premium grows 10% a year
    rate, text = sc.observed_rate(falling, rising, "with repeated adverts kept")
    assert rate == 0.0
    assert "r's fitted rate changes sign with repeated adverts kept (+10.0% against -10.0%" \
        in text and text.startswith("no rate can be identified from this file")
    # the same path under both choices: identified, and said so
    rate, text = sc.observed_rate(falling, falling, "with repeated adverts kept")
    assert rate == pytest.approx(0.10)
    assert "4 work years (2020-2023)" in text and "its sign is the same with repeated" in text


def test_a_recentred_range_stays_valid():
    params = sc.scenario_params(normalization_rate=0.0)
    unc = sc.recentred(sc.Uncertainty({"normalization_rate": [0.02, 0.05, 0.10]}), params)
    assert unc.ranges["normalization_rate"] == pytest.approx([0.0, 0.0, 0.05])


def _survey_rows(repeats: str = "drop") -> pd.DataFrame:
    pct = tables.load_table("derived/survey_percentiles")
    return pct[(pct["pay_measure"] == "midpoint") & (pct["repeats"] == repeats)
               & (pct["group"] == "all")].set_index("role_id")


def test_starting_from_the_survey_takes_the_typical_posted_range_and_median_posting():
    result = sc.run_scenario({"start_from": "survey", "premium_source": "lightcast_2025"})
    rows = _survey_rows()
    bands = result.bands.set_index("role_id")
    today = result.split.set_index("role_id")["mid_today_usd"]
    for role in ("ai_ml_engineer", "ai_research_scientist", "mlops_engineer",
                 "ai_solutions_architect"):
        s = rows.loc[role]
        assert bands.loc[role, "start_used"] == "survey"
        assert bands.loc[role, "salary_low_usd"] == s["median_range_min_usd"]
        assert bands.loc[role, "salary_high_usd"] == s["median_range_max_usd"]
        assert today[role] == s["p50_usd"]  # the evidence table's median posting
        assert bands.loc[role, "midpoint_ci95_low_usd"] == s["p50_ci95_low_usd"]
    assert today["ai_ml_engineer"] == 187_625  # distinct adverts, US companies, full time
    # 11 postings are under the minimum of 30: the article's band stays, and the page says so
    pm = bands.loc["ai_product_manager"]
    assert (pm["start_used"], pm["start_reason"]) == ("article", "suppressed")
    assert today["ai_product_manager"] == 160_000
    assert scenario_pages.start_cell(pm) == (
        "article's band (the job board has 11 distinct adverts, under the minimum of 30)")
    assert "the article's band is kept for AI Product Manager" in \
        scenario_pages.start_note(result)


def test_starting_from_official_statistics_takes_the_occupation_s_percentiles():
    result = sc.run_scenario({"start_from": "official", "premium_source": "lightcast_2025"})
    bands = result.bands.set_index("role_id")
    # BLS OEWS May 2024, 15-1221 Computer and Information Research Scientists: median 140,910
    rs = bands.loc["ai_research_scientist"]
    assert rs["midpoint_usd"] == 140_910 and rs["start_used"] == "official"
    assert rs["start_label"].startswith("15-1221 Computer and Information Research Scientists, "
                                        "May 2024")
    oews = tables.load_table("derived/oews_occupations")
    dev = oews[(oews["year"] == 2024) & (oews["occ_code"] == "15-1252")].iloc[0]
    ml = bands.loc["ai_ml_engineer"]
    assert (ml["salary_low_usd"], ml["salary_high_usd"]) == (dev["p25_usd"], dev["p75_usd"])


def test_a_top_coded_official_percentile_leaves_the_band_open():
    from aijobs.analysis import start_points

    article = pd.DataFrame({"role_id": ["r", "s"], "role_name": ["R", "S"],
                            "salary_low_usd": [100, 100], "salary_high_usd": [200, 200],
                            "is_open_ended": [False, False]})
    official = pd.DataFrame({"year": [2024], "occ_code": ["1"], "employment": [10],
                             "p25_usd": [150_000.0], "p50_usd": [200_000.0], "p75_usd": [None],
                             "p75_status": ["top_coded"], "top_code_usd": [239_200.0]})
    crosswalk = pd.DataFrame({"role_id": ["r"], "soc_code": ["1"], "soc_title": ["One"],
                              "closeness": ["close"], "is_primary": [True]})
    out = start_points.starting_bands("official", article, official=official,
                                      crosswalk=crosswalk).set_index("role_id")
    assert out.loc["r", "salary_high_usd"] == 239_200 and out.loc["r", "is_open_ended"]
    assert out.loc["s", "start_reason"] == "no_occupation" and out.loc["s", "midpoint_usd"] == 150
    with pytest.raises(ParameterError, match="parameter start_from: got 'web'"):
        sc.run_scenario({"start_from": "web"})


def test_the_page_says_what_the_claims_audit_found_beside_each_role():
    result = sc.run_scenario({"premium_source": "lightcast_2025"})
    table = scenario_pages.split_table(result).set_index("role_id")
    # research scientists: the article's $180K-$250K against a typical posted range of
    # $140,000-$201,040 (distinct adverts): 180/140 - 1 = 29%, 250/201.04 - 1 = 24% above
    # the estimate says not supported under both repeats policies; the median's interval
    # reaches inside the band, which is precision, stated apart
    assert table.loc["ai_research_scientist", "audit_text"] == (
        "not supported by the estimate: low end 29% above the survey; high end 24% above the "
        "survey; the interval also allows partly supported")
    assert table.loc["ai_ml_engineer", "audit_text"] == "supported"
    assert table.loc["ai_product_manager", "audit_text"].startswith("no data (11 distinct adverts")


def test_the_band_audit_agrees_with_the_claims_audit():
    from aijobs.analysis import audit

    inputs = sc.ScenarioInputs.load()
    ev = inputs.evidence
    full = audit.claims_audit(inputs.bands, inputs.survey_pay("drop"), inputs.growth.iloc[0:0],
                              tables.load_table("market_claims").iloc[0:0],
                              tables.load_table("learning_path_steps").iloc[0:0],
                              evidence_text=ev.summary, population="-", min_n=30,
                              role_pay_other=inputs.survey_pay("keep"))
    bands = full[full["kind"] == "pay band"]
    assert list(bands["verdict"]) == list(inputs.band_audit["verdict"])
    assert list(bands["verdict_other_repeats"]) == list(inputs.band_audit["verdict_other"])


def test_the_implied_non_ai_pay_is_set_beside_the_board_s_software_engineers():
    baseline = sc.run_scenario({"premium_source": "lightcast_2025"})  # the baseline scenario
    check = baseline.baseline_check.set_index(["role_id", "baseline_id"])
    ml = check.loc[("ai_ml_engineer", "board_software_engineer")]
    # by hand: 185,000 / 1.28 = 144,531.25 against the board's Software Engineer median of
    # 181,150 (2024-2025, each advert once): 20.2% below, outside the 15% margin
    assert ml["implied_baseline_usd"] == pytest.approx(144_531.25)
    assert ml["observed_usd"] == 181_150
    assert ml["gap"] == pytest.approx(144_531.25 / 181_150 - 1)
    assert not ml["is_consistent"]
    # official software developers, May 2024 median 133,080: 8.6% above, consistent
    assert check.loc[("ai_ml_engineer", "software_developers"), "is_consistent"]
    line = scenario_pages.baseline_sentences(baseline)[1]
    assert line.startswith("AI/ML Engineer: a 28.0% premium on today's midpoint puts non-AI "
                           "pay at $144,531, 20% below the board's Software Engineer median "
                           "($181,150)")
    assert "not with the board's Software Engineer median" in line
    # the job board's own title gap (3.5744%, distinct adverts) implies 185,000 / 1.035744 =
    # $178,616: 1% below 181,150, consistent
    gap = sc.run_scenario({"premium_source": "survey_title_gap"})
    line = scenario_pages.baseline_sentences(gap)[1]
    assert "non-AI pay at $178,616, 1% below the board's Software Engineer median" in line
    assert "Consistent with the board's Software Engineer median;" in line
    # a 300% premium puts the highest implied pay at 215,000 / 4 = 53,750, half the lowest
    # observed baseline (112,590): every role is far from all of them, and the page says so
    far = sc.run_scenario({"premium_source": 3.0})
    assert all("more than 15% away from every observed baseline" in s
               for s in scenario_pages.baseline_sentences(far))


def test_every_estimate_declares_what_it_compares():
    est = sc.premium_estimates()
    assert set(est["comparison"]) <= set(scenario_pages.COMPARISON_TEXT)
    by_id = est.drop_duplicates("estimate_id").set_index("estimate_id")["comparison"]
    assert by_id["lightcast_2025"] == "skill_in_occupation"
    assert by_id["alekseeva_2021_firm"] == "skill_in_firm"
    assert by_id["survey_title_gap"] == "title_gap_one_board"


def _named(name: str) -> dict:
    from aijobs.reports.config import load_named_scenarios

    return next(s for s in load_named_scenarios() if s["name"] == name)["settings"]


def test_the_tornado_s_labels_are_the_ranges_the_fan_uses():
    from aijobs.charts import scenario_figures

    result = sc.run_scenario({**_named("baseline"), "draws": 2000})
    rows = result.tornado().set_index("parameter")
    labels = {p: scenario_figures.tornado_label(pd.Series({**r.to_dict(), "parameter": p}))
              for p, r in rows.iterrows()}
    # the baseline scenario's own ranges, as given in reports.yaml (was "2% to 4%" for 1.5-4%)
    assert labels["inflation"] == "inflation (1.5% to 4%)"
    assert labels["normalization_rate"] == "normalization rate (2% to 10%)"
    # wage growth's range comes from the data (Indeed's three-month averages over the last
    # 12 months, 2.14% to 3.05%): the label prints the range drawn, to one decimal
    low, _, high = result.uncertainty.ranges["wage_growth"]
    assert labels["wage_growth"] == f"wage growth ({round(low * 100, 1):g}% to " \
        f"{round(high * 100, 1):g}%)" == "wage growth (2.1% to 3.1%)"
    # today's premium across the estimates comparing AI skills within an occupation
    # (PwC 25% and 56%, Lightcast 28% and 43%)
    assert labels["premium"] == "premium (25% to 56%)"
    for name, (low, _, high) in result.uncertainty.ranges.items():
        assert (rows.loc[name, "low"], rows.loc[name, "high"]) == (low, high)
        assert rows.loc[name, "in_fan"]
    assert result.premium_range.ranges[:, [0, 2]].tolist() == [[0.25, 0.56]] * 5


def test_the_default_fan_draws_the_premium_s_level_and_the_breakdown_lists_it():
    from aijobs import paths
    from aijobs.reports.parameters import notebook_parameters

    defaults = {n: p.default for n, p in notebook_parameters(
        paths.NOTEBOOKS_DIR / "salary_scenarios.ipynb").items()}
    result = sc.run_scenario({**defaults, "draws": 2000})
    assert result.fan is not None  # no uncertainty ranges, yet the premium's level is drawn
    breakdown = result.variance_breakdown()
    assert "premium_level" in set(breakdown["input"])
    baseline = sc.run_scenario({**_named("baseline"), "draws": 4000}).variance_breakdown()
    shares = baseline.set_index("input")["share"]
    assert set(shares.index) == {"wage_growth", "normalization_rate", "premium_level",
                                 "inflation", "all"}
    assert shares.drop("all").sum() == pytest.approx(1.0)
    assert shares["premium_level"] > 0.05  # the premium's level widens the fan measurably
    # a nominal fan does not move with inflation, and the page says so
    table = scenario_pages.breakdown_table(sc.run_scenario({**_named("baseline"),
                                                            "draws": 4000}))
    text = scenario_pages.breakdown_note(table, 5)
    assert text.startswith("Drawn alone over its range, in nominal dollars (as paid then), ")
    assert "Inflation does not move it in these dollars." in text
    assert scenario_pages.breakdown_note(table, 5, "real").startswith(
        "Drawn alone over its range, in today's dollars, ")


def test_the_breakdown_note_names_its_measure_and_calls_a_near_tie_a_tie():
    def table(var_a, width_a, var_b, width_b):
        total = var_a + var_b
        return pd.DataFrame({"input": ["premium_level", "normalization_rate", "all"],
                             "width_usd": [width_a, width_b, 20_000.0],
                             "variance": [var_a, var_b, total],
                             "share": [var_a / total, var_b / total, 1.0]})
    # a clear lead: 4e6 against 1e6 (80% and 20%)
    clear = scenario_pages.breakdown_note(table(4e6, 14_000.0, 1e6, 7_000.0), 5)
    assert clear == ("Drawn alone over its range, in nominal dollars (as paid then), today's "
                     "premium level widens the fan most: it spreads the average role's year-5 "
                     "midpoint over $14,000 (p10 to p90), 80% of the summed variances; all "
                     "inputs together spread it over $20,000.")
    # the rapid-normalization case: 49% against 48% of the variances, and the second's p10-p90
    # width a little wider ($14,637 against $14,609): about equal, both named
    tie = scenario_pages.breakdown_note(table(49.0, 14_609.0, 48.0, 14_637.0), 5, "real")
    assert tie == ("Drawn alone over their ranges, in today's dollars, today's premium level "
                   "and normalization rate widen the fan about equally: they spread the "
                   "average role's year-5 midpoint over $14,609 and $14,637 (p10 to p90), 51% "
                   "and 49% of the summed variances; all inputs together spread it over "
                   "$20,000.")
    # a lead by variance whose width also leads, but within 10% of the variance: a tie too
    assert "about equally" in scenario_pages.breakdown_note(table(1.0, 9.0, 0.95, 8.0), 5)


def test_today_s_pay_is_drawn_from_its_interval_when_the_start_has_one():
    result = sc.run_scenario({"start_from": "survey", "premium_source": "lightcast_2025",
                              "premium_range": "fixed", "draws": 20_000})
    ml = result.fan[(result.fan["role_id"] == "ai_ml_engineer") & (result.fan["year"] == 0)]
    # today's median posting 187,625 with its interval 183,805 to 191,500: the year-0 fan
    # spreads over it (triangular, so p10/p90 inside the ends) with the median near 187,625
    assert 183_805 < ml["p10_usd"].iloc[0] < 187_625 < ml["p90_usd"].iloc[0] < 191_500
    assert set(result.variance_breakdown()["input"]) == {"today_pay", "all"}
    fixed = sc.run_scenario({"start_from": "survey", "premium_source": "lightcast_2025",
                             "premium_range": "fixed", "today_range": "fixed"})
    assert fixed.fan is None


def test_level_draws_follow_each_role_s_triangle_at_one_common_level():
    from aijobs.analysis import monte_carlo

    d = monte_carlo.level_draws(np.array([[0.0, 0.5, 1.0], [0.0, 0.0, 3.0], [2.0, 2.0, 2.0]]),
                                200_000, 7, 1)
    # means of triangular (a + c + b) / 3: 0.5 and 1; a fixed level stays
    assert d[:, 0].mean() == pytest.approx(0.5, abs=0.005)
    assert d[:, 1].mean() == pytest.approx(1.0, abs=0.01)
    assert (d[:, 2] == 2.0).all()
    # one common level: the roles' draws rise and fall together
    assert np.corrcoef(d[:, 0], d[:, 1])[0, 1] > 0.95


def test_the_fan_s_words_are_a_spread_not_a_probability():
    result = sc.run_scenario({**_named("baseline"), "draws": 2000})
    row = result.fan[result.fan["year"] == 5].iloc[0]
    note = scenario_pages.fan_role_note(row, 5)
    assert "over the ranges given, 8 in 10 of the drawn combinations end between" in note
    # the note names its dollars: the fan's own
    assert "in year 5 (nominal dollars); 4 in 10 between" in note
    assert "in year 5 (today's dollars); 4 in 10" in scenario_pages.fan_role_note(row, 5, "real")
    text = scenario_pages.fan_ranges_note(result)
    assert "inflation 1.5% to 4% (most likely 2.5%)" in text
    assert "not a forecast" in text
    # the estimates drawn across, by the names readers know them by (data/premium_estimates.csv)
    assert ("across the estimates that make the same comparison (PwC 2024, AI skills in US job "
            "ads; PwC 2025, AI skills in job ads; Lightcast 2025") in text
    assert "pwc_2024" not in text


class _Gaps:
    """A stand-in for the evidence's title-gap tables (premium and 95% interval per role)."""

    def __init__(self, drop: dict, keep: dict):
        self.frames = {"drop": drop, "keep": keep}

    def premium(self, group, baseline, repeats):
        rows = self.frames[repeats]
        return pd.DataFrame({"role_id": list(rows), "premium": [v[0] for v in rows.values()],
                             "premium_ci95_low": [v[1] for v in rows.values()],
                             "premium_ci95_high": [v[2] for v in rows.values()],
                             "is_computable": True})


def test_the_title_gap_sentence_is_computed_from_the_evidence():
    text = scenario_pages.title_gap_note(sc.ScenarioInputs.load().evidence)
    # survey_premium.csv, each advert once: research scientists -4.0% (-9.0% to +1.3%),
    # solutions architects +8.5%; with repeats kept, research scientists -28.9% (to -28.3%)
    assert text == ("On the job board, with each advert counted once, the title gap runs from "
                    "-4.0% (AI Research Scientist) to +8.5% (AI Solutions Architect); no role's "
                    "95% interval lies wholly below zero; with repeated adverts kept, AI "
                    "Research Scientist's (-28.9%) does, so whether that role's gap is clearly "
                    "below zero depends on how repeated adverts are counted.")
    both = _Gaps({"mlops_engineer": (-0.2, -0.3, -0.1), "ai_ml_engineer": (0.1, 0.05, 0.15)},
                 {"mlops_engineer": (-0.2, -0.3, -0.1), "ai_ml_engineer": (0.1, 0.05, 0.15)})
    assert scenario_pages.title_gap_note(both) == (
        "On the job board, with each advert counted once, the title gap runs from -20.0% "
        "(MLOps Engineer) to +10.0% (AI/ML Engineer); the 95% interval of MLOps Engineer lies "
        "wholly below zero.")


def test_named_scenarios_state_their_comparison_and_start_and_hide_no_fallback():
    from aijobs.reports.config import load_named_scenarios

    for entry in load_named_scenarios():
        s = entry["settings"]
        rationale = entry["rationale"]
        start = {"article": "today's pay: the article's bands",
                 "survey": "today's pay: the same job board's"}[s["start_from"]]
        assert start in rationale, entry["name"]
        est = sc.premium_estimates().set_index("estimate_id")
        comparison = est.loc[s["premium_source"], "comparison"]
        comparison = comparison if isinstance(comparison, str) else comparison.iloc[0]
        assert {"skill_in_occupation": "the same occupation",
                "title_gap_one_board": "AI job titles earn over Software Engineer"}[
            comparison] in rationale, entry["name"]
        result = sc.run_scenario({**s, "draws": 500})
        status = scenario_pages.premium_status(result)
        for r in result.premiums.fallback_roles:  # every fallback is shown as an assumption
            row = status.set_index("role_id").loc[r]
            assert row["is_assumption"] and "(an assumption)" in row["status"]
    gap = next(e for e in load_named_scenarios() if e["name"] == "title_gap")
    # "only the measured gap": product managers have too few postings for one, and get none
    result = sc.run_scenario({**gap["settings"], "draws": 500})
    assert result.premiums.used["ai_product_manager"] == 0.0
    assert "fallback 0" in gap["rationale"]


@pytest.mark.parametrize("mode", sc.MODES)
def test_the_tornado_s_centre_is_the_projection_s_average_real_horizon_midpoint(mode):
    # tornado computes its midpoints from the multipliers, not from project_bands' frame:
    # the two must stay the same numbers (per-role premiums, a few years, both modes)
    bands = sc_bands()
    params = sc.scenario_params(mode=mode, horizon_years=4, normalization_rate=0.12,
                                supply_growth=0.2, demand_growth=0.3, inflation=0.03)
    premiums = {r: 0.1 + 0.05 * i for i, r in enumerate(bands["role_id"])}
    proj = sc.project_bands(bands, params, premiums, None)
    end = proj[(proj["year"] == 4) & (proj["basis"] == "real")]
    sens = sc.tornado(bands, params, premiums, None)
    assert sens["central_usd"].iloc[0] == float(end["mid_usd"].mean())


@pytest.mark.parametrize("mode", sc.MODES)
def test_horizon_only_draws_are_the_full_draws_last_year(mode):
    from aijobs.analysis.monte_carlo import pay_draws

    bands = sc_bands()
    params = sc.scenario_params(mode=mode, horizon_years=6)
    unc = sc.Uncertainty({"normalization_rate": [0.02, 0.1, 0.25], "inflation": [0.01, 0.02,
                          0.04], "supply_growth": [0.05, 0.2, 0.4]}, draws=500, seed=7)
    full = pay_draws(bands, params, unc, 0.25, None, "real")
    last = pay_draws(bands, params, unc, 0.25, None, "real", horizon_only=True)
    assert last.shape == (500, len(bands), 1)
    np.testing.assert_array_equal(last[:, :, 0], full[:, :, -1])
