"""Monte Carlo over the salary-normalization model: draws of the uncertain parameters, pay
multipliers for every draw (vectorised), and the fan of deciles."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from aijobs.analysis.scenario_model import (
    band_midpoints,
    demand_growth_paths,
    premium_vector,
    role_growth_rates,
    shocked,
)
from aijobs.analysis.scenario_settings import ScenarioParams, Uncertainty
from aijobs.errors import ParameterError


def draw_parameters(unc: Uncertainty) -> dict[str, np.ndarray]:
    """Draws of each uncertain parameter (arrays of length unc.draws), repeatable by seed."""
    unc = unc.checked()
    rng = np.random.default_rng(unc.seed)
    out = {}
    for name in sorted(unc.ranges):  # sorted: the same seed gives the same draws
        low, mode, high = (float(v) for v in unc.ranges[name])
        if high == low:
            out[name] = np.full(unc.draws, low)
        elif unc.distribution == "triangular":
            out[name] = rng.triangular(low, mode, high, unc.draws)
        elif unc.distribution == "uniform":
            out[name] = rng.uniform(low, high, unc.draws)
        else:  # PERT: a beta distribution on [low, high] peaked at the most likely value
            a = 1 + 4 * (mode - low) / (high - low)
            b = 1 + 4 * (high - mode) / (high - low)
            out[name] = low + (high - low) * rng.beta(a, b, unc.draws)
    return out


def monte_carlo_multipliers(params: ScenarioParams, premium0: np.ndarray,
                            role_growth: Sequence[float | None], unc: Uncertainty,
                            basis: str = "nominal") -> np.ndarray:
    """Pay multipliers for every draw: array (draws, roles, years + 1), vectorised.

    A drawn parameter takes one value per draw for all roles; a fixed one keeps its value
    (per role, for the premium and the demand growth taken from the data).
    """
    params = params.checked()
    unc = unc.checked()
    for name, (low, _, high) in unc.ranges.items():
        for bound in (low, high):  # the range must be valid wherever a draw lands
            try:
                replace(params, **{name: float(bound)}).checked()
            except ParameterError as exc:
                raise ParameterError(f"uncertainty range of {name}: {exc}") from exc
    draws = draw_parameters(unc)
    n_roles, horizon = len(role_growth), params.horizon_years
    t = np.arange(horizon + 1, dtype=float)

    def drawn(name: str):
        return draws[name][:, None, None] if name in draws else None

    p0 = drawn("premium")
    if p0 is None:
        p0 = np.broadcast_to(np.asarray(premium0, float), (n_roles,))[None, :, None]
    if params.mode == "rate":
        n = drawn("normalization_rate")
        n = params.normalization_rate if n is None else n
        factor = (1 - n) ** t  # (draws|1, 1, years + 1)
    else:
        d = drawn("demand_growth")
        if d is None:
            demand = demand_growth_paths(params, role_growth)[None, :, :]
        else:
            # year k = 1..H decays k-1 times, as in demand_growth_paths
            demand = shocked(params, d * (1 - params.growth_decay) ** (t[1:] - 1))
        s = drawn("supply_growth")
        s = params.supply_growth if s is None else s
        eps = drawn("elasticity")
        eps = params.elasticity if eps is None else eps
        ratio = ((1 + demand) / (1 + s)) ** eps
        cum = np.cumprod(ratio, axis=2)
        factor = np.concatenate([np.ones(cum.shape[:2] + (1,)), cum], axis=2)
    out = np.empty((unc.draws, n_roles, horizon + 1))
    np.multiply(p0, factor, out=out)
    out += 1
    out /= 1 + p0
    g = drawn("wage_growth")
    out *= (1 + (params.wage_growth if g is None else g)) ** t
    if basis == "real":
        infl = drawn("inflation")
        out /= (1 + (params.inflation if infl is None else infl)) ** t
    return out



DECILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def fan(multipliers: np.ndarray, quantiles: Sequence[float] = DECILES) -> np.ndarray:
    """Quantiles over draws: array (len(quantiles), roles, years + 1).

    Computed on a transposed, contiguous copy: partitioning along the last axis is about
    twice as fast as np.quantile along the first.
    """
    n, *shape = multipliers.shape
    flat = np.ascontiguousarray(multipliers.reshape(n, -1).T)
    return np.quantile(flat, quantiles, axis=1).reshape(len(quantiles), *shape)


def fan_frame(bands: pd.DataFrame, params: ScenarioParams, unc: Uncertainty,
              premiums: Mapping[str, float] | float | None = None,
              growth: pd.DataFrame | None = None, basis: str = "nominal") -> pd.DataFrame:
    """Deciles (p10, p20, ..., p90) of projected midpoint pay per role and year (Monte Carlo)."""
    role_ids = list(bands["role_id"])
    mult = monte_carlo_multipliers(params, premium_vector(role_ids, params, premiums),
                                   role_growth_rates(role_ids, growth), unc, basis)
    q = fan(mult)
    mid = band_midpoints(bands)
    years = np.arange(params.horizon_years + 1)
    return pd.DataFrame({
        "role_id": np.repeat(role_ids, len(years)),
        "role_name": np.repeat(bands["role_name"].to_numpy(), len(years)),
        "year": np.tile(years, len(role_ids)),
        **{f"p{round(d * 100)}_usd": (q[i] * mid[:, None]).ravel()
           for i, d in enumerate(DECILES)},
    })


# Where a re-centred range is cut so every draw stays a valid value of its parameter.
RANGE_LIMITS = {"normalization_rate": (0.0, 0.99), "elasticity": (0.0, 5.0)}


def recentred(unc: Uncertainty, params: ScenarioParams) -> Uncertainty:
    """The ranges moved so that each one's most likely value is the parameter's own value.

    A value given with -p for a parameter that also has a range then moves the fan with it
    (the range keeps its width), instead of being silently overridden by the draws.
    """
    ranges, moved = {}, []
    for name, (low, mode, high) in unc.ranges.items():
        value = getattr(params, name, None)
        if name == "premium" or value is None or math.isclose(float(value), float(mode)):
            ranges[name] = [low, mode, high]
            continue
        shift = float(value) - float(mode)
        lo_ok, hi_ok = RANGE_LIMITS.get(name, (-0.99, 5.0))
        ranges[name] = [min(max(float(low) + shift, lo_ok), float(value)), float(value),
                        max(min(float(high) + shift, hi_ok), float(value))]
        moved.append(f"{name} [{low:g}, {mode:g}, {high:g}] -> [{ranges[name][0]:g}, "
                     f"{value:g}, {ranges[name][2]:g}]")
    return replace(unc, ranges=ranges, notes=tuple(moved))
