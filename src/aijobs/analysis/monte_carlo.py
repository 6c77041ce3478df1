"""Monte Carlo over the salary-normalization model: draws of the uncertain parameters, pay
multipliers for every draw (vectorised), and the fan of deciles."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TypeGuard

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


def level_draws(ranges: np.ndarray, draws: int, seed: int, stream: int) -> np.ndarray:
    """Draws (draws, roles) of a level known per role as [low, most likely, high]
    (`ranges`: array roles x 3): one common quantile per draw, read through each role's
    triangular distribution, so all roles sit at the same relative place in their ranges
    (the premium's level, or today's pay, is high or low for every role at once). Its own
    random stream (seed, stream), so adding it leaves the other parameters' draws as they
    were."""
    ranges = np.asarray(ranges, float)
    u = np.random.default_rng([seed, stream]).random(draws)[:, None]
    a, c, b = ranges[:, 0][None, :], ranges[:, 1][None, :], ranges[:, 2][None, :]
    width = b - a
    safe = np.where(width > 0, width, 1.0)
    cut = np.where(width > 0, (c - a) / safe, 0.5)
    lower = a + np.sqrt(u * safe * (c - a))
    upper = b - np.sqrt((1 - u) * safe * (b - c))
    return np.where(width > 0, np.where(u < cut, lower, upper), a + 0 * u)


def has_spread(ranges: np.ndarray | None) -> TypeGuard[np.ndarray]:
    """Whether per-role [low, most likely, high] ranges leave anything to draw."""
    return ranges is not None and bool(np.any(np.asarray(ranges, float)[:, 2]
                                              > np.asarray(ranges, float)[:, 0]))


PREMIUM_STREAM, TODAY_STREAM = 1, 2


def monte_carlo_multipliers(params: ScenarioParams, premium0: np.ndarray,
                            role_growth: Sequence[float | None], unc: Uncertainty,
                            basis: str = "nominal",
                            premium_ranges: np.ndarray | None = None,
                            horizon_only: bool = False) -> np.ndarray:
    """Pay multipliers for every draw: array (draws, roles, years + 1), vectorised; with
    `horizon_only`, (draws, roles, 1): the horizon year's alone, the same numbers.

    A drawn parameter takes one value per draw for all roles; a fixed one keeps its value
    (per role, for the premium and the demand growth taken from the data).
    `premium_ranges` (roles x [low, most likely, high]) draws today's premium per role at a
    common level (level_draws), unless a premium range is among `unc.ranges`; a drawn premium
    below 0 counts as 0, as a zero or negative estimate does.
    """
    params = params.checked()
    unc = unc.checked()
    for name, (low, _, high) in unc.ranges.items():
        for bound in (low, high):  # the range must be valid wherever a draw lands
            try:
                params.with_value(name, float(bound)).checked()
            except ParameterError as exc:
                raise ParameterError(f"uncertainty range of {name}: {exc}") from exc
    draws = draw_parameters(unc)
    n_roles, horizon = len(role_growth), params.horizon_years
    t = np.arange(horizon + 1, dtype=float)

    def drawn(name: str):
        return draws[name][:, None, None] if name in draws else None

    p0 = drawn("premium")
    if p0 is None and has_spread(premium_ranges):
        p0 = np.maximum(level_draws(premium_ranges, unc.draws, unc.seed, PREMIUM_STREAM),
                        0.0)[:, :, None]
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
    if horizon_only:  # every step below is element by element: the last year's numbers alone
        t, factor = t[-1:], factor[..., -1:]
    out = np.empty((unc.draws, n_roles, len(t)))
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
    # the copy is ours to partition in place (np.quantile would copy it once more)
    own = not np.may_share_memory(flat, multipliers)
    return np.quantile(flat, quantiles, axis=1,
                       overwrite_input=own).reshape(len(quantiles), *shape)


def pay_draws(bands: pd.DataFrame, params: ScenarioParams, unc: Uncertainty,
              premiums: Mapping[str, float] | float | None = None,
              growth: pd.DataFrame | None = None, basis: str = "nominal",
              premium_ranges: np.ndarray | None = None,
              today_ranges: np.ndarray | None = None,
              horizon_only: bool = False) -> np.ndarray:
    """Midpoint pay in dollars for every draw: array (draws, roles, years + 1); with
    `horizon_only`, (draws, roles, 1), the horizon year alone.
    `today_ranges` (roles x [low, most likely, high] in dollars) draws today's midpoint per
    role at a common level; without it every draw starts from the band's midpoint."""
    role_ids = list(bands["role_id"])
    mult = monte_carlo_multipliers(params, premium_vector(role_ids, params, premiums),
                                   role_growth_rates(role_ids, growth), unc, basis,
                                   premium_ranges, horizon_only)
    if has_spread(today_ranges):  # in place: the multipliers are this call's own array
        mult *= level_draws(today_ranges, unc.draws, unc.seed, TODAY_STREAM)[:, :, None]
    else:
        mult *= band_midpoints(bands)[None, :, None]
    return mult


def fan_frame(bands: pd.DataFrame, params: ScenarioParams, unc: Uncertainty,
              premiums: Mapping[str, float] | float | None = None,
              growth: pd.DataFrame | None = None, basis: str = "nominal",
              premium_ranges: np.ndarray | None = None,
              today_ranges: np.ndarray | None = None) -> pd.DataFrame:
    """Deciles (p10, p20, ..., p90) of projected midpoint pay per role and year (Monte Carlo)."""
    role_ids = list(bands["role_id"])
    q = fan(pay_draws(bands, params, unc, premiums, growth, basis, premium_ranges,
                      today_ranges))
    mid = np.ones(len(role_ids))
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


def variance_breakdown(bands: pd.DataFrame, params: ScenarioParams, unc: Uncertainty,
                       premiums: Mapping[str, float] | float | None = None,
                       growth: pd.DataFrame | None = None, basis: str = "nominal",
                       premium_ranges: np.ndarray | None = None,
                       today_ranges: np.ndarray | None = None) -> pd.DataFrame:
    """How much of the fan's width each uncertain input causes, for the average role's
    midpoint at the horizon (the mean over roles, per draw).

    One row per input drawn alone (the others at their central values): input, the p10-p90
    width it gives alone, its variance, and its share of the summed variances (a first-order
    breakdown: what the inputs do together beyond their sum is not assigned). A last row,
    input "all", is the fan itself (every input drawn together).
    """
    # (input, its ranges, per-role premium ranges, per-role today's pay ranges)
    inputs: list[tuple[str, Mapping[str, Sequence[float]], np.ndarray | None,
                       np.ndarray | None]] = [
        (name, {name: unc.ranges[name]}, None, None) for name in sorted(unc.ranges)]
    if has_spread(premium_ranges) and "premium" not in unc.ranges:
        inputs.append(("premium_level", {}, premium_ranges, None))
    if has_spread(today_ranges):
        inputs.append(("today_pay", {}, None, today_ranges))

    def spread(ranges: Mapping, prem: np.ndarray | None, today: np.ndarray | None):
        draws = pay_draws(bands, params, replace(unc, ranges=dict(ranges)), premiums, growth,
                          basis, prem, today, horizon_only=True)[:, :, -1].mean(axis=1)
        p10, p90 = np.quantile(draws, [0.1, 0.9])
        return float(p90 - p10), float(draws.var())

    rows = []
    for name, ranges, prem, today in inputs:
        width, var = spread(ranges, prem, today)
        rows.append({"input": name, "width_usd": width, "variance": var})
    total = sum(r["variance"] for r in rows)
    for r in rows:
        r["share"] = r["variance"] / total if total > 0 else math.nan
    width, var = spread(unc.ranges, premium_ranges if "premium" not in unc.ranges else None,
                        today_ranges)
    rows.sort(key=lambda r: -r["variance"])
    rows.append({"input": "all", "width_usd": width, "variance": var, "share": math.nan})
    return pd.DataFrame(rows, columns=["input", "width_usd", "variance", "share"])
