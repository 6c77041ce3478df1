"""The salary-normalization model: where AI pay goes as the scarcity premium shrinks.

Pure functions on numpy arrays and frames; nothing here reads a file. The Monte Carlo over
these is in analysis/monte_carlo.py, the fit to the premium's history in
analysis/calibration.py, and one scenario end to end (`run_scenario`) in analysis/scenarios.py.

The model
---------
Today's pay for a role is split as ``salary = baseline × (1 + premium)``. Each year t:

- the baseline grows with market wage growth g: ``baseline_t = baseline_0 × (1 + g)^t``;
- the premium shrinks (or grows) in one of two modes:
  - ``rate``: ``premium_t = premium_0 × (1 − n)^t`` with n the normalization rate;
  - ``supply_demand``: ``premium_t = premium_0 × Π_k ((1 + d_k) / (1 + s))^ε`` over years
    k = 1..t, with d_k demand growth in year k, s supply growth and ε the elasticity. With a
    constant d this is ``premium_0 × ((1 + d)/(1 + s))^(ε·t)``. Demand growth defaults to the
    role's growth rate in data/growth_rates.csv, cut each year by growth_decay; a regulation
    shock replaces it for a few years with a (negative) shock rate, after which it recovers.

Pay in year t is ``baseline_t × (1 + premium_t)``, so every point of today's band (low,
midpoint, high) is multiplied by ``(1 + g)^t × (1 + premium_t) / (1 + premium_0)``. Real pay
divides by ``(1 + inflation)^t``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aijobs.analysis.scenario_settings import ScenarioParams, Uncertainty
from aijobs.errors import ParameterError

# the parameter a scenario page's slider moves, by mode (premium_paths' `values`)
SLIDER_PARAMETER = {"rate": "normalization_rate", "supply_demand": "supply_growth"}


def demand_growth_paths(params: ScenarioParams, role_growth: Sequence[float | None],
                        ) -> np.ndarray:
    """Yearly demand growth d_k per role (rows) for years k = 1..horizon (columns)."""
    years = np.arange(1, params.horizon_years + 1)
    if params.demand_growth is not None:
        base = np.full(len(role_growth), params.demand_growth)
    else:
        base = np.array([params.default_demand_growth if g is None or
                         (isinstance(g, float) and math.isnan(g)) else g for g in role_growth],
                        dtype=float)
    return shocked(params, base[:, None] * (1 - params.growth_decay) ** (years[None, :] - 1))


def premium_paths(params: ScenarioParams, premium0: np.ndarray,
                  demand: np.ndarray | None = None,
                  values: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """premium_t per role (rows) for t = 0..horizon (columns); with `values`, one such table
    for each value of the mode's slider parameter (SLIDER_PARAMETER: normalization_rate in
    rate mode, supply_growth in supply_demand mode), values × roles × years. One value and
    many run the same element-by-element operations: each table is the one-value result bit
    for bit."""
    premium0 = np.asarray(premium0, dtype=float)
    stack = np.array([getattr(params, SLIDER_PARAMETER[params.mode])] if values is None
                     else values, dtype=float)[:, None, None]
    t = np.arange(params.horizon_years + 1)
    if params.mode == "rate":
        premium = premium0[None, :, None] * (1 - stack) ** t[None, None, :]
    else:
        if demand is None:
            raise ParameterError("supply_demand mode needs demand growth paths")
        ratio = ((1 + demand)[None, :, :] / (1 + stack)) ** params.elasticity
        factor = np.concatenate([np.ones(ratio.shape[:2] + (1,)), np.cumprod(ratio, axis=2)],
                                axis=2)
        premium = premium0[None, :, None] * factor
    return premium[0] if values is None else premium


def pay_multipliers(params: ScenarioParams, premium0: np.ndarray,
                    role_growth: Sequence[float | None]) -> dict[str, np.ndarray]:
    """Nominal and real pay multipliers (role × year, year 0 = 1) and the premium paths:
    value_multipliers with the scenario's own value alone."""
    return {k: v[0] for k, v in value_multipliers(params, premium0, role_growth).items()}


def value_multipliers(params: ScenarioParams, premium0: np.ndarray,
                      role_growth: Sequence[float | None],
                      values: Sequence[float] | np.ndarray | None = None,
                      ) -> dict[str, np.ndarray]:
    """Nominal and real pay multipliers and the premium paths (values × roles × years,
    year 0 = 1) with the mode's slider parameter (SLIDER_PARAMETER: normalization_rate in
    rate mode, supply_growth in supply_demand mode) set to each of `values`, every other
    parameter as `params` has it; without `values`, one layer: the scenario's own value.

    The model's arithmetic is written here alone: one value and many (a slider's steps) run
    the same element-by-element operations, so each layer is the one-value result bit for
    bit. A ParameterError names the first value whose pay no page can compute."""
    params.checked()
    name = SLIDER_PARAMETER[params.mode]
    values = np.array([getattr(params, name)] if values is None else values, dtype=float)
    premium0 = np.broadcast_to(np.asarray(premium0, dtype=float), (len(role_growth),))
    demand = demand_growth_paths(params, role_growth) if params.mode == "supply_demand" else None
    premium = premium_paths(params, premium0, demand, values)
    t = np.arange(params.horizon_years + 1)
    nominal = (1 + params.wage_growth) ** t[None, None, :] * (1 + premium) \
        / (1 + premium0[None, :, None])
    real = nominal / (1 + params.inflation) ** t[None, None, :]
    finite = np.isfinite(nominal).all(axis=(1, 2)) & np.isfinite(real).all(axis=(1, 2))
    if not finite.all():
        p = params.with_value(name, float(values[np.argmin(finite)]))
        raise ParameterError(
            f"parameters mode {p.mode}, elasticity {p.elasticity:g}, supply_growth "
            f"{p.supply_growth:g}, normalization_rate {p.normalization_rate:g}, "
            f"wage_growth {p.wage_growth:g} over horizon_years {p.horizon_years}: "
            "pay grows beyond any number a page can compute; expected settings under which "
            "the premium stays under 10^100-fold (a smaller elasticity, or a supply_growth "
            "nearer the demand growth)")
    return {"nominal": nominal, "real": real, "premium": premium}


def band_multipliers(bands: pd.DataFrame, params: ScenarioParams,
                     premiums: Mapping[str, float] | float | None = None,
                     growth: pd.DataFrame | None = None,
                     values: Sequence[float] | np.ndarray | None = None,
                     ) -> dict[str, np.ndarray]:
    """value_multipliers for the roles of `bands`, each role's premium and demand growth taken
    from `premiums` and `growth` as project_bands describes."""
    role_ids = list(bands["role_id"])
    return value_multipliers(params, premium_vector(role_ids, params, premiums),
                             role_growth_rates(role_ids, growth), values)


def project_bands(bands: pd.DataFrame, params: ScenarioParams,
                  premiums: Mapping[str, float] | float | None = None,
                  growth: pd.DataFrame | None = None) -> pd.DataFrame:
    """Projected pay per role and year, long format.

    `bands` has role_id, role_name, salary_low_usd, salary_high_usd, is_open_ended, and
    optionally midpoint_usd (a midpoint of its own, such as a median posting; else the
    band's centre). `premiums`
    is one number for all roles or a {role_id: premium} mapping (missing roles take
    params.premium). `growth` (role_id, growth_pct) supplies each role's demand growth.
    Columns: role_id, role_name, year, basis (nominal/real), low_usd, mid_usd, high_usd,
    is_open_ended, premium, premium_share (premium's share of pay).
    """
    params = params.checked()
    role_ids = list(bands["role_id"])
    mult = {k: v[0] for k, v in band_multipliers(bands, params, premiums, growth).items()}
    years = np.arange(params.horizon_years + 1)
    low = bands["salary_low_usd"].to_numpy(dtype=float)[:, None]
    high = bands["salary_high_usd"].to_numpy(dtype=float)[:, None]
    mid = band_midpoints(bands)[:, None]
    frames = []
    for basis in ("nominal", "real"):
        m = mult[basis]
        frames.append(pd.DataFrame({
            "role_id": np.repeat(role_ids, len(years)),
            "role_name": np.repeat(bands["role_name"].to_numpy(), len(years)),
            "year": np.tile(years, len(role_ids)),
            "basis": basis,
            "low_usd": (low * m).ravel(),
            "mid_usd": (mid * m).ravel(),
            "high_usd": (high * m).ravel(),
            "is_open_ended": np.repeat(bands["is_open_ended"].to_numpy(dtype=bool), len(years)),
            "premium": mult["premium"].ravel(),
            "premium_share": (mult["premium"] / (1 + mult["premium"])).ravel(),
        }))
    return pd.concat(frames, ignore_index=True)


def band_midpoints(bands: pd.DataFrame) -> np.ndarray:
    """Each band's midpoint: its own midpoint_usd where given, else (low + high) / 2."""
    centre = ((bands["salary_low_usd"] + bands["salary_high_usd"]) / 2).to_numpy(float)
    if "midpoint_usd" not in bands.columns:
        return centre
    own = bands["midpoint_usd"].to_numpy(float)
    return np.where(np.isnan(own), centre, own)


def premium_vector(role_ids: list[str], params: ScenarioParams,
                    premiums: Mapping[str, float] | float | None) -> np.ndarray:
    if premiums is None:
        return np.full(len(role_ids), params.premium)
    if isinstance(premiums, int | float):
        return np.full(len(role_ids), float(premiums))
    values = [float(premiums.get(r, params.premium)) for r in role_ids]
    if any(v <= -1 for v in values):
        raise ParameterError("parameter premium: every role's premium must be above -1")
    return np.array(values)


def role_growth_rates(role_ids: list[str], growth: pd.DataFrame | None) -> list[float | None]:
    if growth is None:
        return [None] * len(role_ids)
    rates = dict(zip(growth["role_id"], growth["growth_pct"] / 100, strict=True))
    return [rates.get(r) for r in role_ids]



def shocked(params: ScenarioParams, demand: np.ndarray) -> np.ndarray:
    """Demand paths (..., years) with the regulation-shock years replaced."""
    if params.shock_start_year and params.shock_years:
        years = np.arange(1, params.horizon_years + 1)
        shocked = (years >= params.shock_start_year) & \
                  (years < params.shock_start_year + params.shock_years)
        demand = demand.copy()
        demand[..., shocked] = params.shock_demand_growth
    return demand




def slider_values(params: ScenarioParams, top: float, step: float) -> list[float]:
    """The slider's positions: 0 to `top` by `step`, plus the scenario's own value exactly, so
    the slider opens on the numbers of the page's tables."""
    own = getattr(params, SLIDER_PARAMETER[params.mode])
    grid = {round(float(v), 6) for v in np.arange(0.0, top + step / 2, step)}
    return sorted(grid | {round(float(own), 6)})


def slider_steps(bands: pd.DataFrame, params: ScenarioParams, values: Sequence[float],
                 premiums: Mapping[str, float] | float | None = None,
                 growth: pd.DataFrame | None = None) -> list[pd.DataFrame]:
    """Projected bands at the horizon for each value of the scenario's slider parameter
    (normalization_rate in rate mode, supply_growth in supply_demand mode), every other
    parameter as the scenario has it: for each value, the frame horizon_bands gives with
    that value (the same columns, types and values to the last bit), all values' multipliers
    computed in one numpy pass (31 calls of horizon_bands were a tenth of a scenario page's
    cells)."""
    name = SLIDER_PARAMETER[params.mode]
    moved = [params.with_value(name, float(value)).checked() for value in values]
    if not moved:
        return []
    # one frame of every step's rows, cut into a frame per step (31 frames built one by one
    # took 0.65 ms each; a slice of one takes 0.06)
    every = _horizon_frame(horizon_columns(bands, params, premiums, growth, "nominal",
                                           [getattr(p, name) for p in moved]),
                           params.horizon_years)
    n = len(bands)
    return [every.iloc[k * n:(k + 1) * n].reset_index(drop=True) for k in range(len(moved))]


def horizon_columns(bands: pd.DataFrame, params: ScenarioParams,
                    premiums: Mapping[str, float] | float | None = None,
                    growth: pd.DataFrame | None = None, basis: str = "nominal",
                    values: Sequence[float] | np.ndarray | None = None,
                    ) -> dict[str, np.ndarray]:
    """project_bands' columns in the horizon year, on one basis, as arrays: role_id,
    role_name, low_usd, mid_usd, high_usd, is_open_ended, premium, premium_share; with
    `values` (band_multipliers'), every value's roles one after another. The same products
    as project_bands', element by element: the same numbers to the last bit."""
    h = params.horizon_years
    mult = band_multipliers(bands, params, premiums, growth, values)
    m, premium = mult[basis][:, :, h].ravel(), mult["premium"][:, :, h].ravel()
    k = len(m) // max(len(bands), 1)
    return {"role_id": np.tile(list(bands["role_id"]), k),
            "role_name": np.tile(bands["role_name"].to_numpy(), k),
            "low_usd": np.tile(bands["salary_low_usd"].to_numpy(dtype=float), k) * m,
            "mid_usd": np.tile(band_midpoints(bands), k) * m,
            "high_usd": np.tile(bands["salary_high_usd"].to_numpy(dtype=float), k) * m,
            "is_open_ended": np.tile(bands["is_open_ended"].to_numpy(dtype=bool), k),
            "premium": premium, "premium_share": premium / (1 + premium)}


def _horizon_frame(columns: Mapping[str, np.ndarray], h: int, basis: str = "nominal",
                   ) -> pd.DataFrame:
    n = len(columns["premium"])
    return pd.DataFrame({
        "role_id": columns["role_id"],
        "role_name": columns["role_name"],
        "year": np.full(n, h, dtype=np.arange(h + 1).dtype),
        "basis": basis,
        **{k: columns[k] for k in ("low_usd", "mid_usd", "high_usd", "is_open_ended",
                                   "premium", "premium_share")},
    })


def horizon_bands(bands: pd.DataFrame, params: ScenarioParams,
                  premiums: Mapping[str, float] | float | None = None,
                  growth: pd.DataFrame | None = None, basis: str = "nominal") -> pd.DataFrame:
    """The rows of project_bands at the horizon year on one basis: the same columns, types
    and values, computed for that year alone (a slider's 31 steps built every year of both
    bases and kept one: 11% of a scenario page's cells under cProfile)."""
    params = params.checked()
    return _horizon_frame(horizon_columns(bands, params, premiums, growth, basis),
                          params.horizon_years, basis)


def effect_split(projection: pd.DataFrame, params: ScenarioParams) -> pd.DataFrame:
    """Per role: the midpoint today and at the horizon (nominal), split into what market wage
    growth adds and what the premium's change does (the scenario's own effect)."""
    p = projection[projection["basis"] == "nominal"]
    h = params.horizon_years
    start = p[p["year"] == 0].set_index("role_id")
    end = p[p["year"] == h].set_index("role_id")
    wage_only = start["mid_usd"] * (1 + params.wage_growth) ** h
    return pd.DataFrame({
        "role_id": start.index, "role_name": start["role_name"].to_numpy(),
        "mid_today_usd": start["mid_usd"].to_numpy(),
        "mid_horizon_usd": end.loc[start.index, "mid_usd"].to_numpy(),
        "wage_growth_adds_usd": (wage_only - start["mid_usd"]).to_numpy(),
        "premium_change_usd": (end.loc[start.index, "mid_usd"] - wage_only).to_numpy(),
        "premium_today": start["premium"].to_numpy(),
        "premium_horizon": end.loc[start.index, "premium"].to_numpy(),
    }).reset_index(drop=True)



TORNADO_RANGES = {  # low, high when the scenario gives no range of its own
    "premium": (0.05, 0.56), "normalization_rate": (0.0, 0.30), "wage_growth": (0.01, 0.05),
    "inflation": (0.01, 0.05), "supply_growth": (0.05, 0.40), "demand_growth": (0.0, 0.50),
}


def tornado(bands: pd.DataFrame, params: ScenarioParams,
            premiums: Mapping[str, float] | float | None, growth: pd.DataFrame | None,
            unc: Uncertainty | None = None, premium_ranges: np.ndarray | None = None,
            today_ranges: np.ndarray | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivities: the average role's real midpoint at the horizon with each
    parameter at the low and the high end of its range, every other parameter as the
    scenario has it. The ranges are those the fan draws: the scenario's own where it has
    one; the premium's per-role range (`premium_ranges`, roles x [low, mode, high]) where it
    is drawn; today's pay from its interval (`today_ranges`, dollars) where it is drawn; else
    TORNADO_RANGES. Columns: parameter, low, high (for per-role ranges, the mean over roles),
    per_role, in_fan (whether the fan draws it), at_low_usd, at_high_usd, central_usd,
    swing_usd."""
    role_ids = list(bands["role_id"])

    def mean_mid(p: ScenarioParams, prem, b: pd.DataFrame = bands) -> float:
        # project_bands' real midpoints in the horizon year (horizon_columns: without building
        # its frame), averaged by the same pandas mean
        p = p.checked()
        return float(pd.Series(horizon_columns(b, p, prem, growth, "real")["mid_usd"]).mean())

    central = mean_mid(params, premiums)
    rows: list[dict[str, Any]] = []
    role_ranges = premium_ranges if (
        premium_ranges is not None and (unc is None or "premium" not in unc.ranges)
        and bool(np.any(premium_ranges[:, 2] > premium_ranges[:, 0]))) else None
    per_role = role_ranges is not None
    if role_ranges is not None:
        at = [mean_mid(params, dict(zip(role_ids, role_ranges[:, k], strict=True)))
              for k in (0, 2)]
        rows.append({"parameter": "premium", "low": float(role_ranges[:, 0].mean()),
                     "high": float(role_ranges[:, 2].mean()),
                     "per_role": bool(np.ptp(role_ranges[:, 0]) > 0
                                      or np.ptp(role_ranges[:, 2]) > 0),
                     "in_fan": True, "at_low_usd": at[0], "at_high_usd": at[1]})
    if today_ranges is not None and bool(np.any(today_ranges[:, 2] > today_ranges[:, 0])):
        at = [mean_mid(params, premiums, bands.assign(midpoint_usd=today_ranges[:, k]))
              for k in (0, 2)]
        rows.append({"parameter": "today_pay", "low": float(today_ranges[:, 0].mean()),
                     "high": float(today_ranges[:, 2].mean()), "per_role": True,
                     "in_fan": True, "at_low_usd": at[0], "at_high_usd": at[1]})
    ranges = dict(unc.ranges) if unc is not None else {}
    relevant = ["premium", "wage_growth", "inflation"] + (
        ["normalization_rate"] if params.mode == "rate" else ["supply_growth", "demand_growth"])
    for name in relevant:
        if name == "premium" and per_role:
            continue
        low, high = (ranges[name][0], ranges[name][2]) if name in ranges \
            else TORNADO_RANGES[name]
        values = []
        for v in (low, high):
            if name == "premium":
                values.append(mean_mid(params, float(v)))
            else:
                values.append(mean_mid(params.with_value(name, float(v)), premiums))
        rows.append({"parameter": name, "low": float(low), "high": float(high),
                     "per_role": False, "in_fan": name in ranges,
                     "at_low_usd": values[0], "at_high_usd": values[1]})
    for r in rows:
        r["central_usd"] = central
        r["swing_usd"] = abs(r["at_high_usd"] - r["at_low_usd"])
    return pd.DataFrame(rows).sort_values("swing_usd", ascending=False).reset_index(drop=True)




def key_figures(projection: pd.DataFrame, horizon_years: int) -> dict[str, float]:
    """A scenario's key figures for sweeps: each role's band midpoint in the horizon year, in
    nominal and in today's dollars ({"horizon_mid_usd_nominal.<role_id>": ..., ...})."""
    end = projection[projection["year"] == horizon_years]
    return {f"horizon_mid_usd_{row.basis}.{row.role_id}": float(row.mid_usd)
            for row in end.sort_values(["basis", "role_id"]).itertuples()}
