"""Salary-normalization scenarios: where AI pay goes as the scarcity premium shrinks.

Pure functions on numpy arrays; only `calibrated_premiums` and `premium_estimates` read the
committed tables of data/.

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
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from aijobs import paths
from aijobs.analysis.scenario_settings import (  # noqa: F401  (re-exported)
    DISTRIBUTIONS,
    MAX_HORIZON,
    MODES,
    UNCERTAIN,
    ScenarioParams,
    Uncertainty,
    number_or_none,
    premium_source_problem,
    scenario_params,
    uncertainty_problem,
)
from aijobs.data import tables
from aijobs.errors import ParameterError


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
    return _shocked(params, base[:, None] * (1 - params.growth_decay) ** (years[None, :] - 1))


def premium_paths(params: ScenarioParams, premium0: np.ndarray,
                  demand: np.ndarray | None = None) -> np.ndarray:
    """premium_t per role (rows) for t = 0..horizon (columns)."""
    premium0 = np.asarray(premium0, dtype=float)
    t = np.arange(params.horizon_years + 1)
    if params.mode == "rate":
        return premium0[:, None] * (1 - params.normalization_rate) ** t[None, :]
    if demand is None:
        raise ParameterError("supply_demand mode needs demand growth paths")
    ratio = ((1 + demand) / (1 + params.supply_growth)) ** params.elasticity
    factor = np.concatenate([np.ones((len(premium0), 1)), np.cumprod(ratio, axis=1)], axis=1)
    return premium0[:, None] * factor


def pay_multipliers(params: ScenarioParams, premium0: np.ndarray,
                    role_growth: Sequence[float | None]) -> dict[str, np.ndarray]:
    """Nominal and real pay multipliers (role × year, year 0 = 1) and the premium paths."""
    params.checked()
    premium0 = np.broadcast_to(np.asarray(premium0, dtype=float), (len(role_growth),))
    demand = demand_growth_paths(params, role_growth) if params.mode == "supply_demand" else None
    premium = premium_paths(params, premium0, demand)
    t = np.arange(params.horizon_years + 1)
    nominal = (1 + params.wage_growth) ** t[None, :] * (1 + premium) / (1 + premium0[:, None])
    real = nominal / (1 + params.inflation) ** t[None, :]
    return {"nominal": nominal, "real": real, "premium": premium}


def project_bands(bands: pd.DataFrame, params: ScenarioParams,
                  premiums: Mapping[str, float] | float | None = None,
                  growth: pd.DataFrame | None = None) -> pd.DataFrame:
    """Projected pay per role and year, long format.

    `bands` has role_id, role_name, salary_low_usd, salary_high_usd, is_open_ended. `premiums`
    is one number for all roles or a {role_id: premium} mapping (missing roles take
    params.premium). `growth` (role_id, growth_pct) supplies each role's demand growth.
    Columns: role_id, role_name, year, basis (nominal/real), low_usd, mid_usd, high_usd,
    is_open_ended, premium, premium_share (premium's share of pay).
    """
    params = params.checked()
    role_ids = list(bands["role_id"])
    premium0 = _premium_vector(role_ids, params, premiums)
    role_growth = _role_growth(role_ids, growth)
    mult = pay_multipliers(params, premium0, role_growth)
    years = np.arange(params.horizon_years + 1)
    low = bands["salary_low_usd"].to_numpy(dtype=float)[:, None]
    high = bands["salary_high_usd"].to_numpy(dtype=float)[:, None]
    frames = []
    for basis in ("nominal", "real"):
        m = mult[basis]
        frames.append(pd.DataFrame({
            "role_id": np.repeat(role_ids, len(years)),
            "role_name": np.repeat(bands["role_name"].to_numpy(), len(years)),
            "year": np.tile(years, len(role_ids)),
            "basis": basis,
            "low_usd": (low * m).ravel(),
            "mid_usd": ((low + high) / 2 * m).ravel(),
            "high_usd": (high * m).ravel(),
            "is_open_ended": np.repeat(bands["is_open_ended"].to_numpy(dtype=bool), len(years)),
            "premium": mult["premium"].ravel(),
            "premium_share": (mult["premium"] / (1 + mult["premium"])).ravel(),
        }))
    return pd.concat(frames, ignore_index=True)


def _premium_vector(role_ids: list[str], params: ScenarioParams,
                    premiums: Mapping[str, float] | float | None) -> np.ndarray:
    if premiums is None:
        return np.full(len(role_ids), params.premium)
    if isinstance(premiums, int | float):
        return np.full(len(role_ids), float(premiums))
    values = [float(premiums.get(r, params.premium)) for r in role_ids]
    if any(v <= -1 for v in values):
        raise ParameterError("parameter premium: every role's premium must be above -1")
    return np.array(values)


def _role_growth(role_ids: list[str], growth: pd.DataFrame | None) -> list[float | None]:
    if growth is None:
        return [None] * len(role_ids)
    rates = dict(zip(growth["role_id"], growth["growth_pct"] / 100, strict=True))
    return [rates.get(r) for r in role_ids]


# --- Monte Carlo ------------------------------------------------------------------------------

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
            demand = _shocked(params, d * (1 - params.growth_decay) ** (t[1:] - 1))
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


def _shocked(params: ScenarioParams, demand: np.ndarray) -> np.ndarray:
    """Demand paths (..., years) with the regulation-shock years replaced."""
    if params.shock_start_year and params.shock_years:
        years = np.arange(1, params.horizon_years + 1)
        shocked = (years >= params.shock_start_year) & \
                  (years < params.shock_start_year + params.shock_years)
        demand = demand.copy()
        demand[..., shocked] = params.shock_demand_growth
    return demand


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
    mult = monte_carlo_multipliers(params, _premium_vector(role_ids, params, premiums),
                                   _role_growth(role_ids, growth), unc, basis)
    q = fan(mult)
    mid = ((bands["salary_low_usd"] + bands["salary_high_usd"]) / 2).to_numpy(float)
    years = np.arange(params.horizon_years + 1)
    return pd.DataFrame({
        "role_id": np.repeat(role_ids, len(years)),
        "role_name": np.repeat(bands["role_name"].to_numpy(), len(years)),
        "year": np.tile(years, len(role_ids)),
        **{f"p{round(d * 100)}_usd": (q[i] * mid[:, None]).ravel()
           for i, d in enumerate(DECILES)},
    })


SLIDER_PARAMETER = {"rate": "normalization_rate", "supply_demand": "supply_growth"}


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
    parameter as the scenario has it."""
    name = SLIDER_PARAMETER[params.mode]
    out = []
    for value in values:
        p = replace(params, **{name: float(value)})
        proj = project_bands(bands, p, premiums, growth)
        out.append(proj[(proj["year"] == p.horizon_years) & (proj["basis"] == "nominal")]
                   .reset_index(drop=True))
    return out


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


def headline(split: pd.DataFrame, horizon: int) -> str:
    """One sentence that keeps the scenario's effect apart from market wage growth."""
    if split.empty:
        return "No role to project."
    change = split["premium_change_usd"].mean()
    wages = split["wage_growth_adds_usd"].mean()
    verb = "removes" if change < 0 else "adds"
    return (f"By year {horizon}, the premium's change {verb} ${abs(change):,.0f} from the "
            f"average role's midpoint; market wage growth adds ${wages:,.0f}.")


TORNADO_RANGES = {  # low, high when the scenario gives no range of its own
    "premium": (0.05, 0.56), "normalization_rate": (0.0, 0.30), "wage_growth": (0.01, 0.05),
    "inflation": (0.01, 0.05), "supply_growth": (0.05, 0.40), "demand_growth": (0.0, 0.50),
}


def tornado(bands: pd.DataFrame, params: ScenarioParams,
            premiums: Mapping[str, float] | float | None, growth: pd.DataFrame | None,
            unc: Uncertainty | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivities: the average role's real midpoint at the horizon with each
    parameter at the low and the high end of its range (the scenario's range where it has
    one, else TORNADO_RANGES), every other parameter as the scenario has it."""
    def mean_mid(p: ScenarioParams, prem) -> float:
        proj = project_bands(bands, p, prem, growth)
        end = proj[(proj["year"] == p.horizon_years) & (proj["basis"] == "real")]
        return float(end["mid_usd"].mean())

    central = mean_mid(params, premiums)
    ranges = dict(unc.ranges) if unc is not None else {}
    rows = []
    relevant = ["premium", "wage_growth", "inflation"] + (
        ["normalization_rate"] if params.mode == "rate" else ["supply_growth", "demand_growth"])
    for name in relevant:
        low, high = (ranges[name][0], ranges[name][2]) if name in ranges \
            else TORNADO_RANGES[name]
        values = []
        for v in (low, high):
            if name == "premium":
                values.append(mean_mid(params, float(v)))
            else:
                values.append(mean_mid(replace(params, **{name: float(v)}), premiums))
        rows.append({"parameter": name, "low": float(low), "high": float(high),
                     "at_low_usd": values[0], "at_high_usd": values[1],
                     "central_usd": central, "swing_usd": abs(values[1] - values[0])})
    return pd.DataFrame(rows).sort_values("swing_usd", ascending=False).reset_index(drop=True)


# --- named scenarios ---------------------------------------------------------------------------

def calibrated_premiums() -> tuple[dict[str, float] | None, str]:
    """Per-role premiums estimated from the salary survey, when that evidence is in data/.

    Returns ({role_id: premium}, note) from data/derived/survey_premium.csv (written by the
    survey-evidence step), or (None, reason) when there is no such table yet.
    """
    file = paths.DATA_DIR / "derived" / "survey_premium.csv"
    if not file.exists():
        return None, ("no survey-calibrated premium in data/derived/ yet; the scenario's "
                      "fallback premium is used")
    frame = tables.load_table("derived/survey_premium")
    # pooled over the matched years: postings' midpoints, repeats kept, over Software Engineer
    usable = frame[(frame["pay_measure"] == "midpoint") & (frame["repeats"] == "keep")
                   & (frame["baseline"] == "software_engineer") & (frame["group"] == "all")
                   & frame["is_computable"]]
    measured = {r: float(p) for r, p in zip(usable["role_id"], usable["premium"], strict=True)}
    # A role paid below the software-engineer median shows no scarcity premium: it gets 0,
    # not a negative premium that "normalization" would raise.
    premiums = {r: max(p, 0.0) for r, p in measured.items()}
    origin = tables.table_metadata("derived/survey_premium")["derived_from"]
    years = ", ".join(map(str, origin["matched_years_for_pooled_premium"]["software_engineer"]))
    names = dict(zip(*[tables.load_table("roles")[c] for c in ("role_id", "role_name")],
                     strict=True))
    shown = "; ".join(f"{names.get(r, r)} {p:+.1%}" for r, p in sorted(measured.items()))
    return premiums, (f"premium per role from aijobs.net job postings: median posting pay "
                      f"(range midpoints) over the Software Engineer median "
                      f"({origin['filters_text']}; years {years}; "
                      f"{origin['pairing']['postings']:,} postings from "
                      f"{origin['rows_read']:,} rows, {origin['pairing']['paired_share']:.0%} "
                      "of which are the two ends of a posted range): "
                      f"{shown}; roles below the baseline are given 0")


def premium_estimates() -> pd.DataFrame:
    """data/premium_estimates.csv: every sourced estimate of the AI wage premium."""
    return tables.load_table("premium_estimates")


MODE_TEXT = {"rate": "a share of the premium goes each year",
             "supply_demand": "the premium follows demand against supply"}


def estimate_names() -> dict[str, str]:
    """{estimate id: the name readers see} for every premium estimate."""
    table = premium_estimates()
    return dict(zip(table["estimate_id"], table["estimate_name"], strict=True))


MEASURE_TEXT = {
    "ai_skill_within_occupation": "AI skills inside the same occupation, across the economy",
    "ai_title_vs_baseline_title": "an AI job title against Software Engineer, on one AI job board",
}


def premiums_from_source(source: str | float, role_ids: Sequence[str], fallback: float,
                         ) -> tuple[dict[str, float], pd.DataFrame, str]:
    """The premium per role for `premium_source`: an estimate id of premium_estimates, or a
    number (as text or float).

    Returns ({role_id: premium the model uses}, one row per role saying what was used and
    why, a sentence naming the source). A zero or negative estimate leaves the role with no
    premium to normalize (0 in the model, said so in the rows, never hidden); a role the
    estimate does not cover takes `fallback`, also said so.
    """
    number = number_or_none(source)
    if number is not None:
        if not math.isfinite(number) or number <= -1 or number > 5:
            raise ParameterError(f"parameter premium_source: got {source!r}; expected an "
                                 "estimate id from data/premium_estimates.csv or a fraction "
                                 "above -1 and at most 5 (0.25 = 25%)")
        found = {r: number for r in role_ids}
        note = f"{number:.0%} for every role (a number given as premium_source)"
        origin = "given as a number"
    else:
        table = premium_estimates()
        rows = table[table["estimate_id"] == str(source)]
        if rows.empty:
            ids = ", ".join(dict.fromkeys(table["estimate_id"]))
            raise ParameterError(f"parameter premium_source: no estimate {source!r} in "
                                 f"data/premium_estimates.csv; choose one of {ids}, or give "
                                 "a number such as 0.25")
        first = rows.iloc[0]
        general = rows[rows["role_id"].isna()]
        found = ({r: float(general["premium"].iloc[0]) for r in role_ids} if len(general)
                 else {r: float(v) for r, v in zip(rows["role_id"], rows["premium"],
                                                   strict=True) if r in role_ids})
        origin = f"{first['publisher']}, {first['title']} ({first['data_years']})"
        note = (f"{first['estimate_name']}: {MEASURE_TEXT[first['measures']]}; {origin}; "
                f"{first['source_url']}; read in: {first['read_in']}")
    used, status = {}, []
    for r in role_ids:
        if r not in found:
            used[r] = fallback
            status.append({"role_id": r, "estimate": math.nan, "premium_used": fallback,
                           "status": f"no estimate for this role; the fallback {fallback:.0%} "
                                     "is used"})
        elif found[r] <= 0:
            used[r] = 0.0
            status.append({"role_id": r, "estimate": found[r], "premium_used": 0.0,
                           "status": f"no premium to normalize (estimate {found[r]:+.1%})"})
        else:
            used[r] = found[r]
            status.append({"role_id": r, "estimate": found[r], "premium_used": found[r],
                           "status": "normalizes from this premium"})
    return used, pd.DataFrame(status), note


Z95 = 1.959963984540054


def _log_points(path: pd.DataFrame) -> pd.DataFrame:
    """Years with a positive premium and an interval, on the log scale, with standard errors."""
    usable = path[path["premium"].notna() & (path["premium"] > 0)
                  & path["premium_ci95_low"].notna()].copy()
    usable["y"] = np.log(usable["premium"])
    # the interval's half-width on the premium, carried to the log scale (delta method)
    usable["se"] = (usable["premium_ci95_high"] - usable["premium_ci95_low"]) / (
        2 * Z95 * usable["premium"])
    return usable[usable["se"] > 0].sort_values("work_year")


def _weighted_line(x: np.ndarray, y: np.ndarray, se: np.ndarray) -> dict:
    w = 1 / se ** 2
    xm, ym = (w * x).sum() / w.sum(), (w * y).sum() / w.sum()
    sxx = (w * (x - xm) ** 2).sum()
    slope = (w * (x - xm) * (y - ym)).sum() / sxx
    return {"slope": float(slope), "slope_se": float(1 / math.sqrt(sxx)), "xm": float(xm),
            "ym": float(ym), "sw": float(w.sum()), "sxx": float(sxx)}


def fit_normalization_rate(path: pd.DataFrame) -> dict:
    """The yearly normalization rate that the premium's observed path implies, with its 95%
    interval: a weighted least-squares line through log(premium) by work year, each year
    weighted by its own interval (premium_t = premium_0 x (1 - n)^t, so log premium falls by
    -log(1 - n) a year). A negative rate means the premium grew.

    Returns {rate, rate_ci95_low, rate_ci95_high, years, n_years}; rate is nan with fewer
    than two usable years (a positive premium with an interval)."""
    points = _log_points(path)
    out = {"years": [int(y) for y in points["work_year"]], "n_years": len(points),
           "rate": math.nan, "rate_ci95_low": math.nan, "rate_ci95_high": math.nan}
    if len(points) < 2:
        return out
    fit = _weighted_line(points["work_year"].to_numpy(float), points["y"].to_numpy(),
                         points["se"].to_numpy())
    b, se = fit["slope"], fit["slope_se"]
    out.update(rate=1 - math.exp(b), rate_ci95_low=1 - math.exp(b + Z95 * se),
               rate_ci95_high=1 - math.exp(b - Z95 * se))
    return out


def backtest(path: pd.DataFrame) -> pd.DataFrame:
    """Fit through year t, predict year t+1: for every year with at least two years before it,
    the predicted premium, its 95% interval (the fit's uncertainty plus the year's own), the
    observed premium, and whether the interval covered it."""
    points = _log_points(path)
    rows = []
    for i in range(2, len(points)):
        past, now = points.iloc[:i], points.iloc[i]
        fit = _weighted_line(past["work_year"].to_numpy(float), past["y"].to_numpy(),
                             past["se"].to_numpy())
        x = float(now["work_year"])
        pred = fit["ym"] + fit["slope"] * (x - fit["xm"])
        var = 1 / fit["sw"] + (x - fit["xm"]) ** 2 / fit["sxx"] + now["se"] ** 2
        half = Z95 * math.sqrt(var)
        rows.append({"fitted_through": int(past["work_year"].iloc[-1]),
                     "predicted_year": int(x), "predicted": math.exp(pred),
                     "predicted_ci95_low": math.exp(pred - half),
                     "predicted_ci95_high": math.exp(pred + half),
                     "observed": float(now["premium"]),
                     "covered": bool(abs(now["y"] - pred) <= half)})
    return pd.DataFrame(rows, columns=["fitted_through", "predicted_year", "predicted",
                                       "predicted_ci95_low", "predicted_ci95_high", "observed",
                                       "covered"])


def observed_rate(path: pd.DataFrame) -> tuple[float, str]:
    """The normalization rate to use for `normalization_rate_source: observed`, from the role
    with the longest usable history, and a sentence saying how much history there is."""
    best, fit = None, None
    for role, rows in path.groupby("role_id", sort=True):
        f = fit_normalization_rate(rows)
        if f["n_years"] >= 2 and (fit is None or f["n_years"] > fit["n_years"]):
            best, fit = role, f
    if fit is None:
        raise ParameterError("parameter normalization_rate_source: observed, but no role has "
                             "two years of premium history with enough postings; use a "
                             "number for normalization_rate instead")
    years = f"{fit['years'][0]}-{fit['years'][-1]}"
    text = (f"fitted to {best}'s premium over the history baseline in {fit['n_years']} work "
            f"years ({years}): {fit['rate']:+.1%} a year (95% interval "
            f"{fit['rate_ci95_low']:+.1%} to {fit['rate_ci95_high']:+.1%})")
    if fit["rate"] < 0:
        return 0.0, (text + "; the premium grew over those years, which rate mode cannot "
                     "follow, so the scenario holds it flat (rate 0)")
    return min(fit["rate"], 0.99), text + f"; {fit['n_years']} years is very little history"


MC_KEYS = ("uncertainty", "distribution", "draws", "seed")


def scenario_from_settings(settings: Mapping[str, Any], **overrides: Any,
                           ) -> tuple[ScenarioParams, Uncertainty | None]:
    """Model parameters and Monte Carlo settings from a scenario's parameters.

    `settings` uses the scenario notebook's parameter names (those of ScenarioParams plus
    uncertainty, distribution, draws and seed); other notebook-only names are ignored.
    """
    merged = {**settings, **overrides}
    model = {k: v for k, v in merged.items() if k in ScenarioParams.__dataclass_fields__
             and v is not None}
    params = scenario_params(**model)
    ranges = dict(merged.get("uncertainty") or {})
    if not ranges:
        return params, None
    unc = Uncertainty(ranges, merged.get("distribution", "triangular"),
                      int(merged.get("draws", 10_000)), int(merged.get("seed", 42))).checked()
    return params, recentred(unc, params)


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


def compare_scenarios(named: Sequence[Mapping[str, Any]], bands: pd.DataFrame,
                      growth: pd.DataFrame | None, *, horizon_years: int,
                      premiums: Mapping[str, float] | float | None = None,
                      basis: str = "nominal", draws: int | None = None,
                      fallback: float = 0.10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median paths and year-N bands of every named scenario, on a common horizon.

    Returns (paths, bands_at_horizon). paths: scenario, scenario_title, role_id, role_name,
    year, p10_usd, p50_usd, p90_usd (midpoint pay; p10 = p50 = p90 without uncertainty).
    bands_at_horizon: scenario, scenario_title, role_id, role_name, low_usd, mid_usd,
    high_usd, is_open_ended (the deterministic projection at the horizon).
    """
    if basis not in ("nominal", "real"):
        raise ParameterError(f"parameter basis: got {basis!r}; expected nominal or real")
    paths_out, bands_out = [], []
    for entry in named:
        extra = {"draws": draws} if draws else {}
        params, unc = scenario_from_settings(entry.get("parameters", {}),
                                             horizon_years=horizon_years, **extra)
        scenario_premiums = entry.get("parameters", {}).get("premium")
        source = entry.get("parameters", {}).get("premium_source")
        if scenario_premiums is not None:
            chosen = scenario_premiums
        elif source not in (None, ""):
            chosen = premiums_from_source(source, list(bands["role_id"]), fallback)[0]
        else:
            chosen = premiums
        proj = project_bands(bands, params, chosen, growth)
        proj = proj[proj["basis"] == basis]
        if unc is not None:
            f = fan_frame(bands, params, unc, chosen, growth, basis)
        else:
            f = proj[["role_id", "role_name", "year"]].assign(
                **{f"p{round(d * 100)}_usd": proj["mid_usd"] for d in DECILES})
        label = {"scenario": entry["name"], "scenario_title": entry["title"]}
        paths_out.append(f.assign(**label))
        end = proj[proj["year"] == horizon_years]
        bands_out.append(end[["role_id", "role_name", "low_usd", "mid_usd", "high_usd",
                              "is_open_ended"]].assign(**label))
    cols = ["scenario", "scenario_title"]
    paths = pd.concat(paths_out, ignore_index=True)
    at_horizon = pd.concat(bands_out, ignore_index=True)
    return (paths[cols + [c for c in paths.columns if c not in cols]],
            at_horizon[cols + [c for c in at_horizon.columns if c not in cols]])


def key_figures(projection: pd.DataFrame, horizon_years: int) -> dict[str, float]:
    """A scenario's key figures for sweeps: each role's band midpoint in the horizon year, in
    nominal and in today's dollars ({"horizon_mid_usd_nominal.<role_id>": ..., ...})."""
    end = projection[projection["year"] == horizon_years]
    return {f"horizon_mid_usd_{row.basis}.{row.role_id}": float(row.mid_usd)
            for row in end.sort_values(["basis", "role_id"]).itertuples()}
