"""Scenario inputs from data: the defaults of wage_growth and supply_growth, with where each
comes from.

- wage_growth: Indeed Hiring Lab's US posted-wage growth, its headline three-month average in
  the latest month; its Monte Carlo range runs from the lowest to the highest three-month
  average over the last WINDOW_MONTHS months.
- supply_growth: the yearly growth of employment in the primary occupations of the roles with
  a pay band (data/soc_crosswalk.csv), BLS OEWS, from FIRST_YEAR to the latest May, compounded
  per year. Occupations are counted once each.

A value given for either (a user's -p, a named scenario) always wins: only a setting that is
None takes the data's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from aijobs import words
from aijobs.data import tables
from aijobs.sources import indeed

WINDOW_MONTHS = 12
FIRST_YEAR = 2021  # the first May with separate codes for software developers (15-1252)
COUNTRY = "US"


# The settings as a reader meets them (templates/settings.yaml labels), not their names in code.
READER_NAMES = {"wage_growth": "Market wage growth", "supply_growth": "Growth of AI talent"}


@dataclass(frozen=True)
class DataDefault:
    """A default taken from data: its value, an optional Monte Carlo range, the value as a
    page states it ("2.30% a year") and where it comes from (a clause)."""

    name: str
    value: float
    low: float | None
    high: float | None
    shown: str
    origin: str

    @property
    def label(self) -> str:
        """'Default market wage growth, 2.30% a year'."""
        return f"Default {words.lower_first(READER_NAMES[self.name])}, {self.shown}"

    @property
    def text(self) -> str:
        """The default and where it comes from, in one clause (no full stop)."""
        return f"{self.label[len('Default '):]}: {self.origin}"


def wage_growth_default(wages: pd.DataFrame | None = None, country: str = COUNTRY,
                        window: int = WINDOW_MONTHS) -> DataDefault:
    """Indeed's posted-wage growth (three-month average) in the latest month, and its range
    over the last `window` months."""
    if wages is None:
        wages = tables.load_table("derived/indeed_wage_growth")
    rows = wages[(wages["country_code"] == country)].dropna(subset=["growth_yoy_3mo_avg"])
    rows = rows.sort_values("month").tail(window)
    if rows.empty:
        raise ValueError(f"no posted-wage growth for {country} in indeed_wage_growth")
    latest = rows.iloc[-1]
    low, high = float(rows["growth_yoy_3mo_avg"].min()), float(rows["growth_yoy_3mo_avg"].max())
    first = indeed.month_label(rows.iloc[0]["month"])
    last = indeed.month_label(latest["month"])
    origin = (f"Indeed Hiring Lab's US posted-wage growth across all job postings (three-month "
              f"average) in {last}; "
              f"its Monte Carlo range {low:.2%} to {high:.2%} is the lowest and highest "
              f"three-month average from {first} to {last}")
    return DataDefault("wage_growth", float(latest["growth_yoy_3mo_avg"]), low, high,
                       f"{latest['growth_yoy_3mo_avg']:.2%} a year", origin)


def supply_growth_default(occupations: pd.DataFrame | None = None,
                          crosswalk: pd.DataFrame | None = None,
                          bands: pd.DataFrame | None = None,
                          first_year: int = FIRST_YEAR) -> DataDefault:
    """Yearly employment growth of the band roles' primary occupations, compounded."""
    if occupations is None:
        occupations = tables.load_table("derived/oews_occupations")
    if crosswalk is None:
        crosswalk = tables.load_table("soc_crosswalk")
    if bands is None:
        bands = tables.load_table("salary_bands")
    primary = crosswalk[crosswalk["is_primary"] & crosswalk["role_id"].isin(bands["role_id"])]
    codes = sorted(primary["soc_code"].unique())
    last_year = int(occupations["year"].max())
    picked = occupations[occupations["occ_code"].isin(codes)
                         & occupations["year"].isin([first_year, last_year])]
    totals = picked.groupby("year")["employment"].sum()
    counted = picked.groupby("year")["occ_code"].nunique()
    if first_year not in totals.index or last_year not in totals.index or \
            int(counted.get(first_year, 0)) != len(codes) or \
            int(counted.get(last_year, 0)) != len(codes) or last_year <= first_year:
        raise ValueError(f"OEWS employment of {', '.join(codes)} is not in both {first_year} "
                         f"and {last_year}")
    years = last_year - first_year
    rate = (float(totals[last_year]) / float(totals[first_year])) ** (1 / years) - 1
    origin = (f"employment in {', '.join(codes)} (the primary occupations of the roles with "
              f"a pay band) went from {int(totals[first_year]):,} in May {first_year} to "
              f"{int(totals[last_year]):,} in May {last_year} (BLS OEWS), compounded over "
              f"{years} years; jobs that exist, not the AI talent pool")
    return DataDefault("supply_growth", rate, None, None, f"{rate:.1%} a year", origin)


def with_data_defaults(settings: dict[str, Any],
                       default: Callable[[str], DataDefault] | None = None) -> dict[str, Any]:
    """`settings` with wage_growth and supply_growth taken from data where they are not given
    or None; a Monte Carlo run (uncertainty given) whose ranges lack wage_growth gets the
    data's range when wage_growth came from data. `default(name)` gives a default already
    computed (ScenarioInputs.data_default); without it each is computed from the tables."""
    find = default or (lambda name: DEFAULTS[name]())
    out = dict(settings)
    if out.get("wage_growth") is None:
        wage = find("wage_growth")
        out["wage_growth"] = wage.value
        ranges = dict(out.get("uncertainty") or {})
        if ranges and "wage_growth" not in ranges:
            ranges["wage_growth"] = [wage.low, wage.value, wage.high]
            out["uncertainty"] = ranges
    if out.get("supply_growth") is None:
        out["supply_growth"] = find("supply_growth").value
    return out


# The settings that take their value from data when none is given, and where it comes from.
DEFAULTS: dict[str, Callable[[], DataDefault]] = {"wage_growth": wage_growth_default,
                                                 "supply_growth": supply_growth_default}


def data_defaults(settings: dict[str, Any]) -> list[DataDefault]:
    """The defaults taken from data for the settings of `settings` that are None, in order."""
    return [DEFAULTS[name]() for name in DEFAULTS if name in settings and settings[name] is None]


def given_notes(settings: dict[str, Any]) -> list[str]:
    """A sentence for each of those settings given a value instead of the data's default."""
    return [f"{READER_NAMES[name]} {float(settings[name]):.2%} a year: the value given for "
            "this page, not the data's default." for name in DEFAULTS
            if name in settings and settings[name] is not None]


def default_notes(settings: dict[str, Any]) -> list[str]:
    """A sentence for each default taken from data, and one for each value given instead."""
    notes = []
    for name in DEFAULTS:
        one = {name: settings.get(name)}
        notes += [f"Default {d.text}." for d in data_defaults(one)] + given_notes(one)
    return notes
