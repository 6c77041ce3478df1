"""Pure transforms of the article tables: bands, growth, entry routes and learning paths.

Every function takes DataFrames and plain numbers and returns a new DataFrame; nothing here
reads files, so tests can check each with values worked out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from aijobs.errors import ParameterError  # re-exported: notebooks raise transforms.ParameterError

BAND_SORTS = ("midpoint", "low", "high", "name", "article")




def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ParameterError(message)


def select_roles(frame: pd.DataFrame, role_ids: Sequence[str] | None, *, parameter: str = "roles",
                 ) -> pd.DataFrame:
    """Rows of `frame` whose role_id is in `role_ids`, in the frame's order; all rows when empty."""
    if not role_ids:
        return frame.copy()
    if isinstance(role_ids, str):
        role_ids = [role_ids]
    known = list(frame["role_id"])
    unknown = [r for r in role_ids if r not in known]
    _require(not unknown, f"parameter {parameter}: unknown role id(s) "
                          f"{', '.join(map(repr, unknown))}; choose from {', '.join(known)} "
                          "(or leave it empty for all)")
    return frame[frame["role_id"].isin(role_ids)].copy()


def bands_with_midpoints(bands: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Salary bands joined to role names, with midpoint_usd and the article's row order."""
    out = bands.merge(roles[["role_id", "role_name", "role_group", "technical_depth"]],
                      on="role_id", how="left", validate="one_to_one")
    out["midpoint_usd"] = (out["salary_low_usd"] + out["salary_high_usd"]) / 2
    out["article_order"] = np.arange(1, len(out) + 1)
    return out


def scarcity_adjustment_factor(premium_pct: float, normalization_pct: float) -> float:
    """Multiplier on today's pay when a share of the scarcity premium has gone.

    Pay is split as baseline × (1 + premium). If normalization_pct of the premium has
    disappeared, pay becomes baseline × (1 + premium × (1 − normalization_pct/100)).
    """
    _require(premium_pct >= 0, f"parameter scarcity_premium_pct: got {premium_pct}; expected a "
                               "percentage of 0 or more (20 means pay is 20% above baseline)")
    _require(0 <= normalization_pct <= 100,
             f"parameter salary_normalization: got {normalization_pct}; expected a percentage "
             "from 0 (premium intact) to 100 (premium gone)")
    p = premium_pct / 100
    return (1 + p * (1 - normalization_pct / 100)) / (1 + p)


def adjusted_bands(bands: pd.DataFrame, *, region_multiplier: float = 1.0,
                   scarcity_premium_pct: float = 0.0, salary_normalization: float = 0.0,
                   ) -> pd.DataFrame:
    """Bands scaled by a regional cost-of-living multiplier and by premium normalization.

    Adds adjusted_low_usd, adjusted_high_usd and adjusted_midpoint_usd; the article's figures
    stay in their own columns so both can be shown.
    """
    _require(isinstance(region_multiplier, int | float) and 0 < region_multiplier <= 5,
             f"parameter region_multiplier: got {region_multiplier!r}; expected a number above 0 "
             "and at most 5 (1.0 is the tech-hub average, 0.8 is 20% lower)")
    factor = region_multiplier * scarcity_adjustment_factor(scarcity_premium_pct,
                                                            salary_normalization)
    out = bands.copy()
    for end in ("low", "high"):
        out[f"adjusted_{end}_usd"] = out[f"salary_{end}_usd"] * factor
    out["adjusted_midpoint_usd"] = (out["adjusted_low_usd"] + out["adjusted_high_usd"]) / 2
    out["adjustment_factor"] = factor
    return out


def sorted_bands(bands: pd.DataFrame, sort_by: str = "midpoint") -> pd.DataFrame:
    """Bands ordered for display: highest first for pay sorts, A-Z for name, or article order."""
    _require(sort_by in BAND_SORTS, f"parameter sort_by: got {sort_by!r}; expected one of "
                                    f"{', '.join(BAND_SORTS)}")
    column = {"midpoint": "midpoint_usd", "low": "salary_low_usd", "high": "salary_high_usd",
              "name": "role_name", "article": "article_order"}[sort_by]
    ascending = sort_by in ("name", "article")
    return bands.sort_values([column, "role_name"], ascending=[ascending, True],
                             kind="stable").reset_index(drop=True)


# --- growth -------------------------------------------------------------------------------

def annual_rate(growth_pct: float | pd.Series, growth_period_years: float = 1.0):
    """Yearly growth rate (a fraction) equivalent to growth_pct over growth_period_years."""
    _require(growth_period_years > 0, f"parameter growth_period_years: got {growth_period_years};"
                                      " expected a number of years above 0")
    return (1 + np.asarray(growth_pct, dtype=float) / 100) ** (1 / growth_period_years) - 1


def doubling_time_years(growth_pct: float | pd.Series, growth_period_years: float = 1.0):
    """Years for demand to double at a constant rate: ln 2 / ln(1 + annual rate)."""
    rate = annual_rate(growth_pct, growth_period_years)
    with np.errstate(divide="ignore"):
        years = np.where(rate > 0, math.log(2) / np.log1p(np.where(rate > 0, rate, 1.0)), np.inf)
    return years


def growth_table(growth: pd.DataFrame, roles: pd.DataFrame, growth_period_years: float = 1.0,
                 ) -> pd.DataFrame:
    """Growth rates with role names, growth multiple and doubling time, fastest first."""
    out = growth.merge(roles[["role_id", "role_name"]], on="role_id", how="left")
    out["growth_multiple"] = 1 + out["growth_pct"] / 100
    out["annual_rate_pct"] = annual_rate(out["growth_pct"], growth_period_years) * 100
    out["doubling_time_years"] = doubling_time_years(out["growth_pct"], growth_period_years)
    out["doubling_time_months"] = out["doubling_time_years"] * 12
    return out.sort_values("growth_pct", ascending=False, kind="stable").reset_index(drop=True)


def growth_projection(growth: pd.DataFrame, horizon_years: int, growth_decay: float = 0.0,
                      growth_period_years: float = 1.0) -> pd.DataFrame:
    """Demand index per role and year, starting at 1.0 in year 0.

    Year t (1..horizon) grows at rate r × (1 − growth_decay)^(t−1), where r is the role's
    annual rate: decay 0 compounds the article's rate unchanged, decay 0.5 halves it each year.
    Long format: role_id, year, demand_index, annual_rate_pct.
    """
    _require(isinstance(horizon_years, int) and not isinstance(horizon_years, bool)
             and 1 <= horizon_years <= 30,
             f"parameter horizon_years: got {horizon_years!r}; expected a whole number of years "
             "from 1 to 30")
    _require(0 <= growth_decay <= 1, f"parameter growth_decay: got {growth_decay!r}; expected a "
                                     "fraction from 0 (no slowdown) to 1 (growth stops after "
                                     "year 1)")
    rates = annual_rate(growth["growth_pct"], growth_period_years)
    years = np.arange(0, horizon_years + 1)
    # rate in year t, t >= 1; year 0 has no growth.
    yearly = rates[:, None] * (1 - growth_decay) ** np.clip(years - 1, 0, None)[None, :]
    yearly[:, 0] = 0.0
    index = np.cumprod(1 + yearly, axis=1)
    out = pd.DataFrame({
        "role_id": np.repeat(growth["role_id"].to_numpy(), len(years)),
        "year": np.tile(years, len(growth)),
        "demand_index": index.ravel(),
        "annual_rate_pct": (yearly * 100).ravel(),
    })
    if "role_name" in growth:
        out = out.merge(growth[["role_id", "role_name"]], on="role_id", how="left")
    return out


PERIODS_TRIED = (1, 2, 3, 4, 5)


def period_range(growth: pd.DataFrame, horizon_years: int, growth_decay: float = 0.0,
                 periods: Sequence[float] = PERIODS_TRIED) -> pd.DataFrame:
    """What each role's growth figure implies under each period it might cover.

    The article gives growth percentages without a period. One row per role and period:
    the yearly rate, the doubling time and the demand index after `horizon_years`.
    """
    rows = []
    for period in periods:
        table = growth.assign(annual_rate_pct=annual_rate(growth["growth_pct"], period) * 100,
                              doubling_time_months=doubling_time_years(growth["growth_pct"],
                                                                       period) * 12)
        end = growth_projection(growth, horizon_years, growth_decay, period)
        end = end[end["year"] == horizon_years].set_index("role_id")["demand_index"]
        for _, r in table.iterrows():
            rows.append({"role_id": r["role_id"], "role_name": r.get("role_name", r["role_id"]),
                         "period_years": float(period),
                         "annual_rate_pct": float(r["annual_rate_pct"]),
                         "doubling_time_months": float(r["doubling_time_months"]),
                         "demand_index": float(end[r["role_id"]])})
    return pd.DataFrame(rows)


# --- entry routes and learning paths ------------------------------------------------------

def entry_ranking(entry_points: pd.DataFrame) -> pd.DataFrame:
    """Entry routes, hardest first, with a 1-based rank."""
    out = entry_points.sort_values("competitiveness_level", ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out["rank_hardest_first"] = np.arange(1, len(out) + 1)
    return out


def path_timeline(steps: pd.DataFrame, paths_table: pd.DataFrame) -> pd.DataFrame:
    """Learning-path steps placed on a month axis for a Gantt chart.

    Timed steps run one after another. Each keeps its own stated range (duration_months_min,
    duration_months_max) and gets the earliest schedule (every earlier step takes its shortest
    estimate) as start_month/end_month_fast and the latest end (every step up to it takes its
    longest estimate) as end_month_slow. Ongoing and focus steps have no
    end: they span the path and carry is_ongoing / step_kind so the chart can draw them open.
    """
    rows = []
    for path_id, group in steps.sort_values(["path_id", "step_order"]).groupby("path_id",
                                                                                sort=False):
        start_fast = 0.0
        end_slow = 0.0
        timed = group[group["step_kind"] == "timed"]
        total_slow = float(timed["duration_months_max"].sum())
        for _, step in group.iterrows():
            row = {"path_id": path_id, "step_order": int(step["step_order"]),
                   "step_label": step["step_label"], "step_kind": step["step_kind"],
                   "is_ongoing": bool(step["is_ongoing"]),
                   "duration_months_min": step["duration_months_min"],
                   "duration_months_max": step["duration_months_max"]}
            if step["step_kind"] == "timed":
                row["start_month"] = start_fast
                row["end_month_fast"] = start_fast + float(step["duration_months_min"])
                end_slow += float(step["duration_months_max"])
                row["end_month_slow"] = end_slow
                start_fast = row["end_month_fast"]
            else:
                row["start_month"] = 0.0
                row["end_month_fast"] = math.nan
                row["end_month_slow"] = total_slow
            rows.append(row)
    out = pd.DataFrame(rows)
    names = paths_table[["path_id", "path_name", "path_number"]]
    return out.merge(names, on="path_id", how="left").sort_values(
        ["path_number", "step_order"], kind="stable").reset_index(drop=True)


def time_to_first_role(steps: pd.DataFrame, paths_table: pd.DataFrame) -> pd.DataFrame:
    """Months of timed learning before a first role on each path (shortest and longest).

    Ongoing steps add no months (they continue after the first role); has_ongoing_steps says
    whether the path also asks for them.
    """
    timed = steps[steps["step_kind"] == "timed"]
    sums = timed.groupby("path_id").agg(months_min=("duration_months_min", "sum"),
                                        months_max=("duration_months_max", "sum"))
    ongoing = steps.groupby("path_id")["is_ongoing"].any().rename("has_ongoing_steps")
    out = paths_table[["path_id", "path_number", "path_name", "example_role_id"]].merge(
        sums, on="path_id", how="left").merge(ongoing, on="path_id", how="left")
    out[["months_min", "months_max"]] = out[["months_min", "months_max"]].fillna(0.0)
    return out.sort_values("path_number").reset_index(drop=True)


def roles_by_group_and_depth(roles: pd.DataFrame) -> pd.DataFrame:
    """Count of roles for every (role_group, technical_depth) pair, zeros included."""
    groups = ["core_ai", "ai_adjacent", "ai_augmented"]
    depths = ["technical", "semi_technical", "non_technical", "unstated"]
    counts = roles.groupby(["role_group", "technical_depth"]).size()
    index = pd.MultiIndex.from_product([groups, depths], names=["role_group", "technical_depth"])
    return counts.reindex(index, fill_value=0).rename("role_count").reset_index()


DISPLAY_LABELS = {
    "core_ai": "Core AI", "ai_adjacent": "AI-adjacent", "ai_augmented": "AI-augmented",
    "technical": "Technical", "semi_technical": "Semi-technical",
    "non_technical": "Non-technical", "unstated": "Not stated",
    "rising_demand": "In rising demand", "path_example": "Example of a way in",
    "at_most": "at most", "greater_than": "more than", "about_equal": "about",
    "majority": "most",
}


def labelled(values: Iterable[str]) -> list[str]:
    """Ids such as semi_technical as display text ('Semi-technical'); a value that is already
    display text stays as it is (labelling twice never recases 'Core AI' to 'Core ai')."""
    shown = set(DISPLAY_LABELS.values())
    return [str(v) if str(v) in shown else
            DISPLAY_LABELS.get(str(v), str(v).replace("_", " ").capitalize()) for v in values]


def band_key_figures(bands: pd.DataFrame) -> dict[str, float]:
    """Key figures of the compensation bands for sweeps: each role's adjusted midpoint
    ({"adjusted_midpoint_usd.<role_id>": ...})."""
    return {f"adjusted_midpoint_usd.{row.role_id}": float(row.adjusted_midpoint_usd)
            for row in bands.sort_values("role_id").itertuples()}


def growth_key_figures(projection: pd.DataFrame, horizon_years: int) -> dict[str, float]:
    """Key figures of the growth projection for sweeps: each role's demand in the horizon year
    as a multiple of today's ({"demand_multiple_at_horizon.<role_id>": ...})."""
    end = projection[projection["year"] == horizon_years]
    return {f"demand_multiple_at_horizon.{row.role_id}": float(row.demand_index)
            for row in end.sort_values("role_id").itertuples()}
