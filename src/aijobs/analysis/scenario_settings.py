"""The settings of a salary-normalization scenario, and their checks, without numpy or pandas.

The build checks every report's parameters before any kernel starts, in the process the user
runs; the checks of a scenario's settings live here so that this process need not import
numpy and pandas for them (about 1 s, measured). aijobs.analysis.scenarios, which projects the
scenarios, re-exports everything here.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aijobs.data.columns import column_values
from aijobs.errors import ParameterError

MODES = ("rate", "supply_demand")
DISTRIBUTIONS = ("triangular", "uniform", "pert")
UNCERTAIN = ("normalization_rate", "wage_growth", "inflation", "supply_growth", "elasticity",
             "premium", "demand_growth")
MAX_HORIZON = 30


@dataclass(frozen=True)
class ScenarioParams:
    """The parameters of one projection. Rates are fractions: 0.05 means 5% a year."""

    mode: str = "rate"
    horizon_years: int = 5
    premium: float = 0.10
    normalization_rate: float = 0.05
    wage_growth: float = 0.03
    inflation: float = 0.025
    supply_growth: float = 0.20
    elasticity: float = 0.5
    demand_growth: float | None = None
    default_demand_growth: float = 0.15
    growth_decay: float = 0.5
    shock_start_year: int = 0
    shock_years: int = 0
    shock_demand_growth: float = -0.2

    def checked(self) -> ScenarioParams:
        """Self, once every parameter is checked; a ParameterError names the first bad one."""
        def need(ok: bool, name: str, expected: str) -> None:
            if not ok:
                raise ParameterError(f"parameter {name}: got {getattr(self, name)!r}; "
                                     f"expected {expected}")

        need(self.mode in MODES, "mode", f"one of {', '.join(MODES)}")
        need(isinstance(self.horizon_years, int) and not isinstance(self.horizon_years, bool)
             and 1 <= self.horizon_years <= MAX_HORIZON, "horizon_years",
             f"a whole number of years from 1 to {MAX_HORIZON}")
        need(self.premium > -1, "premium", "a fraction above -1 (0.2: pay is 20% above the "
                                           "baseline; a negative premium is a discount)")
        need(0 <= self.normalization_rate < 1, "normalization_rate",
             "a fraction in [0, 1): the share of the premium lost each year")
        need(self.wage_growth > -1, "wage_growth", "a yearly fraction above -1")
        need(self.inflation > -1, "inflation", "a yearly fraction above -1")
        need(self.supply_growth > -1, "supply_growth",
             "a yearly fraction above -1 (supply cannot shrink by 100% or more)")
        need(self.elasticity >= 0, "elasticity", "a number of 0 or more")
        need(self.demand_growth is None or self.demand_growth > -1, "demand_growth",
             "None (use each role's growth from the data) or a yearly fraction above -1")
        need(self.default_demand_growth > -1, "default_demand_growth", "a fraction above -1")
        need(0 <= self.growth_decay <= 1, "growth_decay", "a fraction from 0 to 1")
        need(isinstance(self.shock_start_year, int) and 0 <= self.shock_start_year
             <= MAX_HORIZON, "shock_start_year", "a year from 0 (no shock) to 30")
        need(isinstance(self.shock_years, int) and 0 <= self.shock_years <= MAX_HORIZON,
             "shock_years", "a whole number of years from 0 to 30")
        need(self.shock_demand_growth > -1, "shock_demand_growth", "a fraction above -1")
        return self

    def with_value(self, name: str, value: float) -> ScenarioParams:
        """A copy with one number parameter named at run time (a slider's, an uncertain
        one's) set to `value`; unchecked, like the constructor."""
        kind = self.__dataclass_fields__[name].type if name in self.__dataclass_fields__ \
            else None
        if kind not in ("float", "float | None"):
            raise ParameterError(f"parameter {name}: not a number parameter of a scenario; "
                                 f"expected one of {', '.join(NUMBER_PARAMETERS)}")
        changes: dict[str, Any] = {name: float(value)}  # float, checked above for `name`
        return replace(self, **changes)


# The parameters with_value may set: those whose value is a number (a fraction).
NUMBER_PARAMETERS = tuple(name for name, f in ScenarioParams.__dataclass_fields__.items()
                          if f.type in ("float", "float | None"))


def scenario_params(**values: Any) -> ScenarioParams:
    """ScenarioParams from keyword values, rejecting unknown names with the valid ones."""
    known = {f for f in ScenarioParams.__dataclass_fields__}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParameterError(f"unknown scenario parameter(s) {', '.join(unknown)}; valid: "
                             f"{', '.join(sorted(known))}")
    return ScenarioParams(**values).checked()


@dataclass(frozen=True)
class Uncertainty:
    """Ranges (low, most likely, high) for the uncertain parameters, and how to draw them."""

    ranges: Mapping[str, Sequence[float]] = field(default_factory=dict)
    distribution: str = "triangular"
    draws: int = 10_000
    seed: int = 42
    notes: tuple[str, ...] = ()  # ranges re-centred on a value given for the parameter

    def checked(self) -> Uncertainty:
        if self.distribution not in DISTRIBUTIONS:
            raise ParameterError(f"parameter distribution: got {self.distribution!r}; expected "
                                 f"one of {', '.join(DISTRIBUTIONS)}")
        if not isinstance(self.draws, int) or not 1 <= self.draws <= 2_000_000:
            raise ParameterError(f"parameter draws: got {self.draws!r}; expected a whole "
                                 "number from 1 to 2,000,000")
        for name, rng in self.ranges.items():
            if name not in UNCERTAIN:
                raise ParameterError(f"parameter uncertainty: {name!r} cannot be uncertain; "
                                     f"choose from {', '.join(UNCERTAIN)}")
            if len(rng) != 3 or not rng[0] <= rng[1] <= rng[2]:
                raise ParameterError(f"parameter uncertainty: {name} needs [low, most likely, "
                                     f"high] with low <= most likely <= high; got {list(rng)}")
        return self


def number_or_none(source: Any) -> float | None:
    """A premium source as a number (0.25, "0.25"), or None when it names an estimate."""
    if isinstance(source, bool):
        return None
    if isinstance(source, int | float):
        return float(source)
    try:
        return float(str(source))
    except ValueError:
        return None


def estimate_ids() -> list[str]:
    """The ids of data/premium_estimates.csv, in file order, once each. Read without pandas;
    a file that cannot be read that way is loaded and checked as a table, so its problem is
    reported as for any table."""
    ids = column_values("premium_estimates", "estimate_id")
    if ids is None:
        from aijobs.data import tables  # deferred: pandas, only for a file in trouble

        ids = [str(i) for i in tables.load_table("premium_estimates")["estimate_id"]]
    return list(dict.fromkeys(ids))


def premium_source_problem(source: Any) -> str | None:
    """What is wrong with a premium_source value, as a one-line message, or None if it is fine
    (checked before a report's kernel starts)."""
    number = number_or_none(source)
    if number is not None:
        if math.isfinite(number) and -1 < number <= 5:
            return None
        return (f"parameter premium_source: got {source!r}; expected an estimate id from "
                "data/premium_estimates.csv or a fraction above -1 and at most 5 (0.25 = 25%)")
    ids = estimate_ids()
    if str(source) in ids:
        return None
    close = difflib.get_close_matches(str(source), ids, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (f"parameter premium_source: no estimate {source!r} in data/premium_estimates.csv"
            f"{hint}; choose one of {', '.join(ids)}, or give a number such as 0.25")


def uncertainty_problem(ranges: Any, settings: Mapping[str, Any]) -> str | None:
    """What is wrong with an uncertainty dict given the scenario's other settings, as a
    one-line message, or None: names that can be uncertain, [low, most likely, high] in
    order, and both ends valid values of their parameter."""
    if not isinstance(ranges, Mapping):
        return f"parameter uncertainty: got {ranges!r}; expected a dict such as " \
               '{"normalization_rate": [0.02, 0.05, 0.15]}'
    for name, rng in ranges.items():
        if not isinstance(rng, list | tuple) or len(rng) != 3:
            return (f"parameter uncertainty: {name} needs [low, most likely, high]; "
                    f"got {rng!r}")
    model = {k: v for k, v in settings.items()
             if k in ScenarioParams.__dataclass_fields__ and v is not None}
    try:
        unc = Uncertainty(dict(ranges)).checked()
        params = scenario_params(**model)
        for name, (low, _, high) in unc.ranges.items():
            for bound in (low, high):
                try:
                    params.with_value(name, float(bound)).checked()
                except ParameterError as exc:
                    raise ParameterError(f"parameter uncertainty: the range of {name} "
                                         f"{list(unc.ranges[name])} leaves its bounds: "
                                         f"{exc}") from exc
    except (ParameterError, TypeError, ValueError) as exc:
        return str(exc)
    return None


# How far the supply_demand premium may grow before a page's figures stop being computable
# (pay × premium factor, summed over up to a million draws, must stay far below 1.8e308) or
# meaningful: a factor of 10^100.
MAX_PREMIUM_FACTOR_LOG10 = 100


def _span(settings: Mapping[str, Any], name: str, default: float) -> tuple[float, float]:
    """The lowest and highest value `name` takes: its own and its uncertainty range's."""
    value = settings.get(name)
    found = [default if value is None else float(value)]
    found += _range(settings, name)
    return min(found), max(found)


def _range(settings: Mapping[str, Any], name: str) -> list[float]:
    ranges = settings.get("uncertainty")
    if isinstance(ranges, Mapping) and isinstance(ranges.get(name), list | tuple):
        return [float(v) for v in ranges[name]]
    return []


def _named(settings: Mapping[str, Any], name: str, value: float) -> str:
    """`name value`, saying when the value is an end of the parameter's uncertainty range."""
    own = settings.get(name)
    if value in _range(settings, name) and (own is None or float(own) != value):
        return f"{name} {value:g} (an end of its uncertainty range)"
    return f"{name} {value:g}"


def premium_growth_problem(settings: Mapping[str, Any]) -> str | None:
    """In supply_demand mode the premium grows each year by ((1 + d) / (1 + s))^ε: settings
    under which it grows beyond 10^100-fold within the horizon (where pay becomes infinite
    in floating point: "inf is not a finite number") are refused, naming the settings and the
    largest elasticity that would do, before any kernel starts. Worked on the settings'
    extremes: the highest demand growth and elasticity, the lowest supply growth, of the
    values and their uncertainty ranges; demand from data/growth_rates.csv when not given."""
    if settings.get("mode") != "supply_demand":
        return None
    try:
        horizon = int(settings.get("horizon_years") or 5)
        supply = _span(settings, "supply_growth", 0.0)[0]
        elasticity = _span(settings, "elasticity", 0.5)[1]
        if settings.get("demand_growth") is not None or "demand_growth" in (
                settings.get("uncertainty") or {}):
            demand = _span(settings, "demand_growth", 0.15)[1]
            demand_words = _named(settings, "demand_growth", demand)
        else:
            rates = [float(v) / 100 for v in column_values("growth_rates", "growth_pct") or []]
            demand = max([float(settings.get("default_demand_growth") or 0.15), *rates])
            demand_words = f"demand growth up to {demand:.0%} a year (data/growth_rates.csv)"
        given_decay = settings.get("growth_decay")
        decay = 0.5 if given_decay is None else float(given_decay)
        shock_start = int(settings.get("shock_start_year") or 0)
        shock_years = int(settings.get("shock_years") or 0)
        shock = float(settings.get("shock_demand_growth") or 0.0)
    except (TypeError, ValueError):
        return None  # a value of the wrong type: its own check says so
    if supply <= -1 or elasticity <= 0:
        return None
    total, worst, worst_year = 0.0, 0.0, 0
    for year in range(1, horizon + 1):
        d = demand * (1 - decay) ** (year - 1)
        if shock_start and shock_years and shock_start <= year < shock_start + shock_years:
            d = shock
        total += math.log10((1 + d) / (1 + supply)) if d > -1 else -math.inf
        if total > worst:
            worst, worst_year = total, year
    if elasticity * worst <= MAX_PREMIUM_FACTOR_LOG10:
        return None
    room = MAX_PREMIUM_FACTOR_LOG10 / worst
    return (f"parameters {_named(settings, 'elasticity', elasticity)}, "
            f"{_named(settings, 'supply_growth', supply)} and {demand_words} "
            f"(mode supply_demand, horizon_years {horizon}): the premium would "
            f"grow about 10^{elasticity * worst:,.0f}-fold by year {worst_year}, beyond any "
            f"number a page can compute; expected settings that keep it under "
            f"10^{MAX_PREMIUM_FACTOR_LOG10}-fold, e.g. elasticity at most {room:.3g}, or a "
            "supply_growth nearer the demand growth")
