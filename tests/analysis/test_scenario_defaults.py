"""Scenario defaults from data: wage growth from Indeed Hiring Lab, supply growth from BLS
OEWS; a value given wins."""

from __future__ import annotations

import pandas as pd
import pytest

from aijobs.analysis import scenario_defaults as sd
from aijobs.analysis import scenarios


def test_wage_growth_from_indeed():
    wage = sd.wage_growth_default()
    # Indeed Hiring Lab, US, April 2026: 3-month average 2.30% (the shared README's figure)
    assert round(wage.value * 100, 2) == 2.30
    assert wage.low <= wage.value <= wage.high
    assert "April 2026" in wage.text and "Indeed Hiring Lab" in wage.text
    assert wage.text.startswith("market wage growth, 2.30% a year")


def test_wage_growth_window_is_computed():
    months = [f"2030-{m:02d}" for m in range(1, 13)] + ["2031-01"]
    values = [0.05] + [0.01 * (i % 3 + 1) for i in range(11)] + [0.04]
    wages = pd.DataFrame({"country_code": "US", "month": months, "growth_yoy_3mo_avg": values})
    wage = sd.wage_growth_default(wages)
    # the last 12 months run from 2030-02 to 2031-01: 0.05 of 2030-01 falls outside
    assert wage.value == 0.04 and wage.low == 0.01 and wage.high == 0.04
    assert "from February 2030 to January 2031" in wage.text


def test_supply_growth_from_oews():
    supply = sd.supply_growth_default()
    # 11-3021 + 15-1221 + 15-1252 + 15-1299: 485,190 + 30,840 + 1,364,180 + 370,190 =
    # 2,250,400 (May 2021); 645,970 + 38,480 + 1,654,440 + 439,380 = 2,778,270 (May 2024);
    # (2,778,270 / 2,250,400) ** (1/3) - 1 = 7.28%
    assert supply.value == pytest.approx((2_778_270 / 2_250_400) ** (1 / 3) - 1)
    assert "2,250,400 in May 2021 to 2,778,270 in May 2024" in supply.text


def test_a_given_value_wins_and_none_takes_the_data():
    filled = sd.with_data_defaults({"wage_growth": None, "supply_growth": 0.5,
                                    "uncertainty": {"normalization_rate": [0.01, 0.05, 0.1]}})
    wage = sd.wage_growth_default()
    assert filled["wage_growth"] == wage.value and filled["supply_growth"] == 0.5
    assert filled["uncertainty"]["wage_growth"] == [wage.low, wage.value, wage.high]
    kept = sd.with_data_defaults({"wage_growth": 0.07, "supply_growth": 0.1, "uncertainty": {}})
    assert kept == {"wage_growth": 0.07, "supply_growth": 0.1, "uncertainty": {}}
    # not given at all: the data's value too (the same as None)
    assert sd.with_data_defaults({})["wage_growth"] == wage.value
    notes = sd.default_notes({"wage_growth": 0.07, "supply_growth": None})
    # in a reader's words, not the settings' names in code
    assert notes[0] == "Market wage growth 7.00% a year: the value given for this page, not " \
                       "the data's default."
    assert notes[1].startswith("Default growth of AI talent, 7.3% a year")


def test_run_scenario_uses_the_data_default():
    base = {"wage_growth": None, "supply_growth": None, "horizon_years": 3}
    result = scenarios.run_scenario(base)
    assert result.params.wage_growth == sd.wage_growth_default().value
    assert result.params.supply_growth == sd.supply_growth_default().value
    given = scenarios.run_scenario({**base, "wage_growth": 0.05})
    assert given.params.wage_growth == 0.05


def test_a_comparison_computes_each_data_default_once(monkeypatch):
    # compare_scenarios runs every named scenario on one ScenarioInputs: the data's defaults
    # are worked out once for all of them, and each scenario gets the same values
    calls = []
    for name, compute in list(sd.DEFAULTS.items()):
        monkeypatch.setitem(sd.DEFAULTS, name,
                            lambda compute=compute, name=name: calls.append(name) or compute())
    named = [{"name": n, "title": n, "settings": {"wage_growth": None, "supply_growth": None,
                                                  "mode": mode}}
             for n, mode in (("a", "rate"), ("b", "supply_demand"), ("c", "rate"))]
    _, at_horizon = scenarios.compare_scenarios(named, horizon_years=2)
    assert sorted(calls) == ["supply_growth", "wage_growth"]
    assert set(at_horizon["scenario"]) == {"a", "b", "c"}
    # a default given by the caller is the one used, range and all
    given = sd.DataDefault("wage_growth", 0.011, 0.01, 0.02, "1.10% a year", "a test")
    filled = sd.with_data_defaults({"uncertainty": {"inflation": [0.01, 0.02, 0.03]}},
                                   lambda name: given if name == "wage_growth" else
                                   sd.DataDefault(name, 0.2, None, None, "", ""))
    assert filled["wage_growth"] == 0.011 and filled["supply_growth"] == 0.2
    assert filled["uncertainty"]["wage_growth"] == [0.01, 0.011, 0.02]
