"""One salary-normalization scenario end to end: `run_scenario(settings) -> ScenarioResult`.

Every page and tool that computes a scenario goes through `run_scenario`: the scenario
notebook, the JupyterLab explorer (aijobs.lab.explorer) and the comparison of the named
scenarios (`compare_scenarios`). It reads the settings by the scenario notebook's parameter
names, chooses each role's premium (`choose_premiums`), projects the bands
(analysis.scenario_model), draws the fan (analysis.monte_carlo) and, for
`normalization_rate_source: observed`, fits the rate to the premium's history
(analysis.calibration). What the page says about the numbers is written in the layer that
writes pages (aijobs.notebook.scenario_pages), from the values returned here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from aijobs.analysis import (
    baselines,
    calibration,
    monte_carlo,
    scenario_defaults,
    start_points,
    transforms,
)
from aijobs.analysis.calibration import (  # noqa: F401  (re-exported)
    MIN_RATE_YEARS,
    backtest,
    calibrated_premiums,
    fit_normalization_rate,
    observed_rate,
    premium_history,
)
from aijobs.analysis.monte_carlo import (  # noqa: F401  (re-exported)
    DECILES,
    draw_parameters,
    fan,
    fan_frame,
    monte_carlo_multipliers,
    recentred,
)

# The model, Monte Carlo and calibration functions, under the names pages and tests use.
from aijobs.analysis.scenario_model import (  # noqa: F401  (re-exported)
    SLIDER_PARAMETER,
    TORNADO_RANGES,
    band_midpoints,
    demand_growth_paths,
    effect_split,
    key_figures,
    pay_multipliers,
    premium_paths,
    project_bands,
    slider_steps,
    slider_values,
    tornado,
)
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
from aijobs.survey import evidence as evidence_io

DEFAULT_FALLBACK = 0.10  # the scenario notebook's fallback_premium
# The names run_scenario reads: the model's parameters and these.
SETTING_NAMES = frozenset(ScenarioParams.__dataclass_fields__) | {
    "premium_source", "fallback_premium", "normalization_rate_source", "uncertainty",
    "distribution", "draws", "seed", "basis", "roles", "scenario_title", "scenario_rationale",
    "start_from", "premium_range", "today_range"}
PREMIUM_RANGES = ("comparison", "fixed")
TODAY_RANGES = ("interval", "fixed")


def premium_estimates() -> pd.DataFrame:
    """data/premium_estimates.csv: every sourced estimate of the AI wage premium."""
    return tables.load_table("premium_estimates")


def estimate_names() -> dict[str, str]:
    """{estimate id: the name readers see} for every premium estimate."""
    table = premium_estimates()
    return dict(zip(table["estimate_id"], table["estimate_name"], strict=True))


@dataclass(frozen=True)
class PremiumChoice:
    """Each role's premium today and where it came from.

    used: {role_id: premium the model uses}. table: one row per role with role_id, estimate
    (nan when the source has none for the role), premium_used and kind: "estimate" (the
    source's figure), "number" (a number given for every role), "not_positive" (a zero or
    negative estimate: the role has no premium to normalize, 0 in the model) or "fallback"
    (no estimate for the role: the fallback premium, an assumption). estimate: the
    estimate's first row as a dict (estimate_name, measures, publisher, ...), None for a
    number.
    """

    source: str | float | None
    used: dict[str, float]
    table: pd.DataFrame
    estimate: Mapping[str, Any] | None
    fallback: float

    @property
    def fallback_roles(self) -> list[str]:
        return list(self.table.loc[self.table["kind"] == "fallback", "role_id"])


def choose_premiums(source: str | float | None, role_ids: Sequence[str], fallback: float,
                    estimates: pd.DataFrame | None = None) -> PremiumChoice:
    """The premium per role for `premium_source`: an estimate id of premium_estimates, a
    number (as text or float), or None (every role takes the fallback).

    A zero or negative estimate leaves the role with no premium to normalize (0 in the model,
    kind "not_positive", never hidden); a role the estimate does not cover takes `fallback`
    (kind "fallback").
    """
    number = None if source is None else number_or_none(source)
    estimate = None
    if source is None:
        found: dict[str, float] = {}
    elif number is not None:
        if not math.isfinite(number) or number <= -1 or number > 5:
            raise ParameterError(f"parameter premium_source: got {source!r}; expected an "
                                 "estimate id from data/premium_estimates.csv or a fraction "
                                 "above -1 and at most 5 (0.25 = 25%)")
        found = {r: number for r in role_ids}
    else:
        table = premium_estimates() if estimates is None else estimates
        rows = table[table["estimate_id"] == str(source)]
        if rows.empty:
            ids = ", ".join(dict.fromkeys(table["estimate_id"]))
            raise ParameterError(f"parameter premium_source: no estimate {source!r} in "
                                 f"data/premium_estimates.csv; choose one of {ids}, or give "
                                 "a number such as 0.25")
        estimate = rows.iloc[0].to_dict()
        general = rows[rows["role_id"].isna()]
        found = ({r: float(general["premium"].iloc[0]) for r in role_ids} if len(general)
                 else {r: float(v) for r, v in zip(rows["role_id"], rows["premium"],
                                                   strict=True) if r in role_ids})
    used, status = {}, []
    for r in role_ids:
        if r not in found:
            used[r], kind = fallback, "fallback"
        elif number is not None:
            used[r], kind = found[r], "number"
        elif found[r] <= 0:
            used[r], kind = 0.0, "not_positive"
        else:
            used[r], kind = found[r], "estimate"
        status.append({"role_id": r, "estimate": found.get(r, math.nan),
                       "premium_used": used[r], "kind": kind})
    return PremiumChoice(source, used, pd.DataFrame(
        status, columns=["role_id", "estimate", "premium_used", "kind"]), estimate, fallback)


@dataclass(frozen=True)
class PremiumRange:
    """Today's premium per role as a range to draw from: ranges (roles x [low, most likely,
    high]), the comparison it spans, the estimates it spans (ids), and why it is fixed when
    it is (reason: "" when drawn, else "fixed" | "number" | "single" | "fallback_only")."""

    ranges: np.ndarray
    comparison: str | None
    estimate_ids: tuple[str, ...]
    reason: str

    @property
    def spread(self) -> bool:
        return monte_carlo.has_spread(self.ranges)


def premium_range(choice: PremiumChoice, role_ids: Sequence[str], estimates: pd.DataFrame,
                  setting: str = "comparison") -> PremiumRange:
    """The range today's premium is drawn from, per role: across the sourced estimates that
    make the same comparison as the chosen one (their premiums for the role, or for AI work
    in general, and the chosen estimate's 95% interval where it has one), most likely at the
    premium used. A role on the fallback keeps it fixed (an assumption has no range); so does
    every role with setting "fixed" or a number for a premium."""
    used = np.array([choice.used[r] for r in role_ids], float)
    fixed = np.stack([used, used, used], axis=1)
    if setting not in PREMIUM_RANGES:
        raise ParameterError(f"parameter premium_range: got {setting!r}; expected one of "
                             f"{', '.join(PREMIUM_RANGES)}")
    if setting == "fixed":
        return PremiumRange(fixed, None, (), "fixed")
    if choice.estimate is None:
        return PremiumRange(fixed, None, (), "number")
    comparison = choice.estimate.get("comparison")
    peers = estimates[estimates["comparison"] == comparison]
    kinds = choice.table.set_index("role_id")["kind"]
    rows = []
    for r, u in zip(role_ids, used, strict=True):
        if kinds[r] == "fallback":
            rows.append([u, u, u])
            continue
        mine = peers[(peers["role_id"] == r) | peers["role_id"].isna()]
        values = [*mine["premium"], *mine["premium_ci95_low"].dropna(),
                  *mine["premium_ci95_high"].dropna()]
        values = [max(float(v), 0.0) for v in values] + [u]
        rows.append([min(values), u, max(values)])
    ranges = np.array(rows, float)
    ids = tuple(dict.fromkeys(peers["estimate_id"]))
    reason = "" if monte_carlo.has_spread(ranges) else (
        "fallback_only" if all(kinds[r] == "fallback" for r in role_ids) else "single")
    return PremiumRange(ranges, comparison, ids, reason)


def today_range(bands: pd.DataFrame, setting: str = "interval") -> np.ndarray | None:
    """Today's midpoint per role as [95% low, midpoint, 95% high] where the starting point has
    an interval (the job board's median posting), else [midpoint] x 3; None with "fixed"."""
    if setting not in TODAY_RANGES:
        raise ParameterError(f"parameter today_range: got {setting!r}; expected one of "
                             f"{', '.join(TODAY_RANGES)}")
    if setting == "fixed":
        return None
    mid = band_midpoints(bands)
    lo = bands.get("midpoint_ci95_low_usd", pd.Series(np.nan, index=bands.index))
    hi = bands.get("midpoint_ci95_high_usd", pd.Series(np.nan, index=bands.index))
    lo = np.where(np.isnan(lo.to_numpy(float)), mid, lo.to_numpy(float))
    hi = np.where(np.isnan(hi.to_numpy(float)), mid, hi.to_numpy(float))
    return np.stack([np.minimum(lo, mid), mid, np.maximum(hi, mid)], axis=1)


def scenario_from_settings(settings: Mapping[str, Any], *,
                           defaults: Callable[[str], scenario_defaults.DataDefault] | None = None,
                           **overrides: Any) -> tuple[ScenarioParams, Uncertainty | None]:
    """Model parameters and Monte Carlo settings from a scenario's parameters.

    `settings` uses the scenario notebook's parameter names (those of ScenarioParams plus
    uncertainty, distribution, draws and seed); other notebook-only names are ignored. The
    notebook's `premium` (one premium for every role) is not the model's: the model's
    `premium` is what a role missing from the per-role premiums takes, which is the
    notebook's `fallback_premium`. `defaults` gives the data's defaults already computed
    (ScenarioInputs.data_default).
    """
    # wage_growth and supply_growth not given (or None) take their defaults from data
    # (Indeed Hiring Lab, BLS OEWS; see scenario_defaults); a value given always wins
    merged = scenario_defaults.with_data_defaults({**settings, **overrides}, defaults)
    model = {k: v for k, v in merged.items() if k in ScenarioParams.__dataclass_fields__
             and k != "premium" and v is not None}
    model["premium"] = float(merged.get("fallback_premium", DEFAULT_FALLBACK))
    params = scenario_params(**model)
    ranges = dict(merged.get("uncertainty") or {})
    if not ranges:
        return params, None
    unc = Uncertainty(ranges, merged.get("distribution", "triangular"),
                      int(merged.get("draws", 10_000)), int(merged.get("seed", 42))).checked()
    return params, recentred(unc, params)


SURVEY_REPEATS = "drop"  # start_from survey counts each advert once (distinct adverts)


@dataclass(frozen=True)
class ScenarioInputs:
    """The tables a scenario reads, loaded once (the explorer reuses them at every change).
    The survey evidence and the official statistics are read on first use."""

    roles: pd.DataFrame
    bands: pd.DataFrame
    growth: pd.DataFrame
    estimates: pd.DataFrame

    @classmethod
    def load(cls) -> ScenarioInputs:
        roles = tables.load_table("roles")
        return cls(roles, transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                                          roles),
                   tables.load_table("growth_rates"), premium_estimates())

    def data_default(self, name: str) -> scenario_defaults.DataDefault:
        """The data's default for `name` (scenario_defaults.DEFAULTS: wage_growth,
        supply_growth), computed once for these inputs: a comparison runs five scenarios."""
        found = self._data_defaults
        if name not in found:
            found[name] = scenario_defaults.DEFAULTS[name]()
        return found[name]

    @cached_property
    def _data_defaults(self) -> dict[str, scenario_defaults.DataDefault]:
        return {}

    @cached_property
    def evidence(self) -> evidence_io.Evidence:
        """The committed survey evidence (data/derived/), its default slice."""
        return evidence_io.load_evidence()

    def survey_pay(self, repeats: str = SURVEY_REPEATS) -> pd.DataFrame:
        """Per-role percentiles of the committed slice under a repeats policy."""
        return self.evidence.role_pay(repeats)

    @cached_property
    def official(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(oews_occupations, soc_crosswalk)."""
        return tables.load_table("derived/oews_occupations"), tables.load_table("soc_crosswalk")

    def start(self, start_from: str) -> pd.DataFrame:
        """Today's bands from `start_from` (start_points.starting_bands)."""
        if start_from == "survey":
            return start_points.starting_bands("survey", self.bands,
                                               survey_pay=self.survey_pay())
        if start_from == "official":
            oews, crosswalk = self.official
            return start_points.starting_bands("official", self.bands, official=oews,
                                               crosswalk=crosswalk)
        return start_points.starting_bands(start_from, self.bands)

    @cached_property
    def observed_baselines(self) -> pd.DataFrame:
        """Non-AI pay observed (baselines.observed_baselines): the board's Software Engineer
        median (distinct adverts) and official software developers' and data scientists'."""
        origin = tables.table_metadata("derived/survey_premium").get("derived_from", {})
        years = origin.get("matched_years_for_pooled_premium", {}).get("software_engineer", [])
        board = self.evidence.premium("all", "software_engineer", SURVEY_REPEATS)
        return baselines.observed_baselines(board, list(years), SURVEY_REPEATS,
                                            self.official[0])

    @cached_property
    def band_audit(self) -> pd.DataFrame:
        """The claims audit's verdict on each article band, distinct adverts and repeats
        kept."""
        return start_points.article_band_audit(self.bands, self.survey_pay("drop"),
                                               self.survey_pay("keep"))


BASES = ("nominal", "real")


@dataclass(frozen=True)
class AverageMove:
    """How the average role's midpoint moves from today to the horizon, in both kinds of
    dollars, two ways: at the scenario's set values (the single path the band chart, the
    tables and the split draw) and, where anything is drawn, the median of the draws (each
    role's median, averaged over roles: what the path chart and the comparison plot), with
    each role's p10 and p90 averaged the same way.

    today_usd: the average role's midpoint today at the set values; set_usd: {basis: the
    average at the horizon}; drawn_today_usd: the draws' median today (differs from today_usd
    only when today's pay is drawn); drawn_usd: {basis: (p10, p50, p90) at the horizon}, or
    None when nothing is drawn. basis: the page's dollars; inflation: the set value that
    turns nominal into today's dollars."""

    horizon: int
    basis: str
    inflation: float
    today_usd: float
    set_usd: Mapping[str, float]
    drawn_today_usd: float | None = None
    drawn_usd: Mapping[str, tuple[float, float, float]] | None = None

    @property
    def other_basis(self) -> str:
        return "real" if self.basis == "nominal" else "nominal"

    def set_change(self, basis: str | None = None) -> float:
        """The relative change of the average midpoint at the set values (0.065 = +6.5%)."""
        return self.set_usd[basis or self.basis] / self.today_usd - 1

    def drawn_change(self, basis: str | None = None, quantile: int = 1) -> float:
        """The relative change of the draws' median (quantile 1; 0 = p10, 2 = p90) from the
        draws' median today; NaN when nothing is drawn."""
        if self.drawn_usd is None or not self.drawn_today_usd:
            return math.nan
        return self.drawn_usd[basis or self.basis][quantile] / self.drawn_today_usd - 1


def average_move(projection: pd.DataFrame, horizon: int, inflation: float,
                 basis: str = "nominal",
                 fans: Mapping[str, pd.DataFrame] | None = None) -> AverageMove:
    """The AverageMove of a projection (project_bands' long table: basis, year, mid_usd) and,
    optionally, fans by basis (frames of year, p10_usd, p50_usd, p90_usd; the page's own
    basis with year 0, the other may hold the horizon alone: today is the same in both)."""
    p = projection
    today = float(p.loc[(p["basis"] == "nominal") & (p["year"] == 0), "mid_usd"].mean())
    at = {b: float(p.loc[(p["basis"] == b) & (p["year"] == horizon), "mid_usd"].mean())
          for b in BASES}
    if not fans:
        return AverageMove(horizon, basis, float(inflation), today, at)
    start = fans[basis]
    drawn_today = float(start.loc[start["year"] == 0, "p50_usd"].mean())
    drawn: dict[str, tuple[float, float, float]] = {}
    for b, f in fans.items():
        end = f[f["year"] == horizon]
        drawn[b] = (float(end["p10_usd"].mean()), float(end["p50_usd"].mean()),
                    float(end["p90_usd"].mean()))
    return AverageMove(horizon, basis, float(inflation), today, at, drawn_today, drawn)


@dataclass(frozen=True)
class ScenarioResult:
    """Everything one scenario computes.

    bands: today's band per role (role_id, role_name, salary_low_usd, salary_high_usd,
    is_open_ended, midpoint_usd and its interval, start_used and start_reason: see
    start_points.starting_bands). premiums: each role's premium and where it came from. projection:
    project_bands' long table (nominal and real). fan: Monte Carlo deciles of midpoint pay
    (None without uncertainty ranges). split: effect_split (wage growth against the premium's
    change). rate_fit: the fitted rate's numbers when normalization_rate_source is observed.
    """

    settings: Mapping[str, Any]
    params: ScenarioParams
    uncertainty: Uncertainty | None
    bands: pd.DataFrame
    growth: pd.DataFrame
    premiums: PremiumChoice
    projection: pd.DataFrame
    fan: pd.DataFrame | None
    split: pd.DataFrame
    inputs: ScenarioInputs  # the tables it was computed from
    basis: str = "nominal"
    rate_fit: Mapping[str, Any] | None = None
    start_from: str = "article"
    premium_range: PremiumRange | None = None
    today_range: np.ndarray | None = None

    @property
    def level_ranges(self) -> dict[str, np.ndarray | None]:
        """The per-role ranges the Monte Carlo draws today's premium and pay from (None when
        not drawn)."""
        pr = self.premium_range
        return {"premium_ranges": pr.ranges if pr is not None and not pr.reason else None,
                "today_ranges": self.today_range}

    def average_move(self) -> AverageMove:
        """How the average role's midpoint moves by the horizon, at the set values and across
        the draws, nominal and in today's dollars (AverageMove). The fan is drawn in the
        page's basis; the other basis's horizon is drawn here from the same draws."""
        h = self.params.horizon_years
        fans = None
        if self.fan is not None and self.uncertainty is not None:
            other = "real" if self.basis == "nominal" else "nominal"
            q = monte_carlo.fan(monte_carlo.pay_draws(
                self.bands, self.params, self.uncertainty, self.premiums.used, self.growth,
                other, horizon_only=True, **self.level_ranges), (0.1, 0.5, 0.9))[:, :, -1]
            fans = {self.basis: self.fan,
                    other: pd.DataFrame({"year": h, "p10_usd": q[0], "p50_usd": q[1],
                                         "p90_usd": q[2]})}
        return average_move(self.projection, h, self.params.inflation, self.basis, fans)

    def variance_breakdown(self) -> pd.DataFrame | None:
        """Each uncertain input's share of the fan's width (monte_carlo.variance_breakdown);
        None without a fan."""
        if self.uncertainty is None:
            return None
        return monte_carlo.variance_breakdown(self.bands, self.params, self.uncertainty,
                                              self.premiums.used, self.growth, self.basis,
                                              **self.level_ranges)

    @property
    def implied_baselines(self) -> pd.DataFrame:
        """Per role: the non-AI pay today's midpoint and the premium imply (a copy of the
        frame computed once per result: a page reads it and the check three times)."""
        return self._implied_baselines.copy()

    @cached_property
    def _implied_baselines(self) -> pd.DataFrame:
        return baselines.implied_baselines(self.bands, pd.Series(band_midpoints(self.bands)),
                                           self.premiums.used)

    @property
    def baseline_check(self) -> pd.DataFrame:
        """Each role's implied baseline beside each observed one (baselines.baseline_check;
        a copy of the frame computed once per result)."""
        return self._baseline_check.copy()

    @cached_property
    def _baseline_check(self) -> pd.DataFrame:
        return baselines.baseline_check(self._implied_baselines,
                                        (self.inputs or ScenarioInputs.load()).observed_baselines)

    @property
    def band_audit(self) -> pd.DataFrame:
        """The claims audit's verdict on each role's article band (start_points)."""
        return (self.inputs or ScenarioInputs.load()).band_audit

    def tornado(self) -> pd.DataFrame:
        """One-at-a-time sensitivities of the average role's real midpoint at the horizon,
        over the ranges the fan uses."""
        return tornado(self.bands, self.params, self.premiums.used, self.growth,
                       self.uncertainty, **self.level_ranges)

    def slider(self, top: float, step: float) -> tuple[list[float], list[pd.DataFrame]]:
        """The slider's positions and the bands at the horizon at each."""
        values = slider_values(self.params, top, step)
        return values, slider_steps(self.bands, self.params, values, self.premiums.used,
                                    self.growth)


def run_scenario(settings: Mapping[str, Any], inputs: ScenarioInputs | None = None,
                 history: pd.DataFrame | None = None) -> ScenarioResult:
    """Compute one scenario from its settings (the scenario notebook's parameter names).

    Checks every setting before anything is computed (a ParameterError names the first bad
    one). `history` is the premium's path over work years (survey_premium_path), needed only
    for `normalization_rate_source: observed`; it is read from the evidence when not given.
    Only the names in SETTING_NAMES are read, so a notebook may pass its globals().
    """
    s = {k: v for k, v in settings.items() if k in SETTING_NAMES}
    basis = s.get("basis", "nominal")
    if basis not in ("nominal", "real"):
        raise ParameterError(f"parameter basis: got {basis!r}; expected nominal or real")
    rate_source = s.get("normalization_rate_source", "") or ""
    if rate_source not in ("", "observed"):
        raise ParameterError(f"parameter normalization_rate_source: got {rate_source!r}; "
                             "expected '' or observed")
    rate_fit = None
    if rate_source == "observed":
        ev = inputs.evidence if inputs is not None else None
        if history is None:
            history = calibration.premium_history(ev)
        # the rate must keep its sign under the other repeats choice to count as identified
        other = calibration.other_repeats(ev)
        rate, text = observed_rate(history, calibration.premium_history(ev, other),
                                   "with repeated adverts " + (
                                       "kept" if other == "keep" else "counted once"))
        s["normalization_rate"] = rate
        rate_fit = {"rate": rate, "text": text}
    start_from = s.get("start_from", "article") or "article"
    if start_from not in start_points.START_FROM:
        raise ParameterError(f"parameter start_from: got {start_from!r}; expected one of "
                             f"{', '.join(start_points.START_FROM)}")
    params, unc = scenario_from_settings(
        s, defaults=inputs.data_default if inputs is not None else None)
    inputs = inputs or ScenarioInputs.load()
    bands = transforms.select_roles(inputs.start(start_from), s.get("roles") or [])
    fallback = float(s.get("fallback_premium", DEFAULT_FALLBACK))
    chosen = s["premium"] if s.get("premium") is not None else s.get("premium_source")
    role_ids = list(bands["role_id"])
    premiums = choose_premiums(chosen, role_ids, fallback, inputs.estimates)
    prem_range = premium_range(premiums, role_ids, inputs.estimates,
                               s.get("premium_range", "comparison"))
    if unc is not None and "premium" in unc.ranges:
        prem_range = replace(prem_range, reason="given")  # the given range is drawn instead
    today = today_range(bands, s.get("today_range", "interval"))
    drawn_levels = (prem_range.spread and not prem_range.reason) \
        or monte_carlo.has_spread(today)
    if unc is None and drawn_levels:
        unc = Uncertainty({}, s.get("distribution", "triangular"), int(s.get("draws", 10_000)),
                          int(s.get("seed", 42))).checked()
    projection = project_bands(bands, params, premiums.used, inputs.growth)
    levels = {"premium_ranges": prem_range.ranges if not prem_range.reason else None,
              "today_ranges": today}
    fan_ = (fan_frame(bands, params, unc, premiums.used, inputs.growth, basis, **levels)
            if unc is not None else None)
    return ScenarioResult(s, params, unc, bands, inputs.growth, premiums, projection, fan_,
                          effect_split(projection, params), inputs, basis=basis,
                          rate_fit=rate_fit, start_from=start_from, premium_range=prem_range,
                          today_range=today)


def compare_scenarios(named: Sequence[Mapping[str, Any]], *, horizon_years: int,
                      basis: str = "nominal", draws: int | None = None,
                      roles: Sequence[str] = (), inputs: ScenarioInputs | None = None,
                      moves: dict[str, AverageMove] | None = None,
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median paths and year-N bands of every named scenario, on a common horizon.

    `named`: entries with name, title and settings (every parameter of the scenario notebook,
    as its own page uses them). Each is computed by run_scenario with the common horizon,
    basis, roles and draws, so a scenario here is the scenario of its page.

    Returns (paths, bands_at_horizon). paths: scenario, scenario_title, role_id, role_name,
    year, p10_usd ... p90_usd (midpoint pay; all equal without uncertainty).
    bands_at_horizon: scenario, scenario_title, role_id, role_name, low_usd, mid_usd,
    high_usd, is_open_ended (the deterministic projection at the horizon: each scenario's
    set values). `moves`, when given, is filled with each scenario's AverageMove by title
    (the average role at its set values and across its draws, nominal and real).
    """
    if basis not in ("nominal", "real"):
        raise ParameterError(f"parameter basis: got {basis!r}; expected nominal or real")
    inputs = inputs or ScenarioInputs.load()
    paths_out, bands_out = [], []
    for entry in named:
        common = {"horizon_years": horizon_years, "basis": basis, "roles": list(roles)}
        if draws:
            common["draws"] = draws
        result = run_scenario({**entry["settings"], **common}, inputs)
        proj = result.projection[result.projection["basis"] == basis]
        if result.fan is not None:
            f = result.fan
        else:
            f = proj[["role_id", "role_name", "year"]].assign(
                **{f"p{round(d * 100)}_usd": proj["mid_usd"] for d in DECILES})
        label = {"scenario": entry["name"], "scenario_title": entry["title"]}
        paths_out.append(f.assign(**label))
        if moves is not None:
            moves[entry["title"]] = result.average_move()
        end = proj[proj["year"] == horizon_years]
        bands_out.append(end[["role_id", "role_name", "low_usd", "mid_usd", "high_usd",
                              "is_open_ended"]].assign(**label))
    cols = ["scenario", "scenario_title"]
    paths = pd.concat(paths_out, ignore_index=True)
    at_horizon = pd.concat(bands_out, ignore_index=True)
    return (paths[cols + [c for c in paths.columns if c not in cols]],
            at_horizon[cols + [c for c in at_horizon.columns if c not in cols]])
