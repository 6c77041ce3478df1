"""The tidy table behind each chart, which its page offers as a download: one row per
observation, named columns with their units, built from the computed table the chart draws (not
from its traces). Each function is named after the chart it serves and returns
(what, frame, digits, notes) for figure_data.attach_data; the chart functions call them on
their input before escaping text for the picture."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from aijobs.analysis.transforms import labelled

USD = 0  # dollars are whole dollars
SHARE = 4  # fractions (0.2815 = 28.15%)
PCT = 2  # percents
LEVEL_NAMES = {"EN": "entry", "MI": "mid", "SE": "senior", "EX": "executive"}

Download = tuple[str, pd.DataFrame, dict[str, int], list[str]]


def _g(frame: pd.DataFrame | pd.Series, column: str):
    """A column of the chart's table, or missing values where the table lacks it (a chart
    drawn from a smaller table still offers what it has)."""
    if isinstance(frame, pd.Series):
        return frame.get(column, pd.NA)
    if column in frame:
        return frame[column]
    return pd.Series([pd.NA] * len(frame), index=frame.index, dtype=object)


def _role_year(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {"role": _g(frame, "role_name"), "role_id": _g(frame, "role_id"),
            "year": _g(frame, "year")}


def _usd_digits(frame: pd.DataFrame) -> dict[str, int]:
    return {c: USD for c in frame if c.endswith("_usd_per_year")}


def _role_names(frame: pd.DataFrame, names: pd.DataFrame | None = None) -> list[str]:
    if "role_name" in frame:
        return list(frame["role_name"])
    lookup = dict(zip(names["role_id"], names["role_name"], strict=True)) \
        if names is not None else {}
    return [lookup.get(r, r) for r in frame["role_id"]]


def band_figure(bands: pd.DataFrame, basis_label: str) -> Download:
    frame = pd.DataFrame({
        "role": _g(bands, "role_name"), "role_id": _g(bands, "role_id"),
        "band_low_usd_per_year": _g(bands, "adjusted_low_usd"),
        "band_high_usd_per_year": _g(bands, "adjusted_high_usd"),
        "band_midpoint_usd_per_year": _g(bands, "adjusted_midpoint_usd"),
        "top_is_open_ended": _g(bands, "is_open_ended").map({True: "yes", False: "no"}),
        "adjustment_factor": _g(bands, "adjustment_factor"),
        "article_low_usd_per_year": _g(bands, "salary_low_usd"),
        "article_high_usd_per_year": _g(bands, "salary_high_usd")})
    return ("pay-bands", frame,
            _usd_digits(frame) | {"adjustment_factor": 3},
            [f"One row per role: its annual pay band, {basis_label}, after the adjustment "
             "factor; the article's own band beside it."])


def growth_figure(growth: pd.DataFrame) -> Download:
    frame = pd.DataFrame({
        "role": _g(growth, "role_name"), "role_id": _g(growth, "role_id"),
        "growth_pct": _g(growth, "growth_pct"), "growth_multiple": _g(growth, "growth_multiple"),
        "doubling_time_months_if_yearly": _g(growth, "doubling_time_years") * 12})
    return ("growth", frame, {"growth_pct": 1, "growth_multiple": 3,
                              "doubling_time_months_if_yearly": 1},
            ["Growth over the article's period, which it does not state; the doubling time "
             "assumes the rate is per year."])


def projection_figure(projection: pd.DataFrame, period_years: float,
                      growth_decay: float) -> Download:
    frame = pd.DataFrame({"role": _g(projection, "role_name"), "role_id": _g(projection, "role_id"),
                          "year": _g(projection, "year"),
                          "demand_index_year0_is_1": _g(projection, "demand_index")})
    return ("demand-projection", frame, {"demand_index_year0_is_1": 3},
            [f"Each figure of the article read as covering {period_years:g} year(s), each "
             f"year's rate cut by {growth_decay:.0%}; an illustration, not a forecast."])


def entry_figure(ranking: pd.DataFrame) -> Download:
    frame = pd.DataFrame({"entry_route": _g(ranking, "entry_label"),
                          "rank_most_competitive_first": _g(ranking, "rank_hardest_first"),
                          "competitiveness_in_the_article": _g(ranking, "competitiveness_label")})
    return ("entry-routes", frame, {}, ["Rank 1 is the most competitive way in, as the "
                                        "article words it."])


def path_timeline_figure(timeline: pd.DataFrame) -> Download:
    frame = pd.DataFrame({"path_number": _g(timeline, "path_number"),
                          "step": _g(timeline, "step_label"),
                          "step_kind": _g(timeline, "step_kind"),
                          "months_min": _g(timeline, "duration_months_min"),
                          "months_max": _g(timeline, "duration_months_max")})
    return ("learning-steps", frame, {"months_min": 1, "months_max": 1},
            ["One row per step of each learning path; an ongoing step or a focus point has no "
             "months."])


def first_role_figure(first_role: pd.DataFrame) -> Download:
    frame = pd.DataFrame({"path_number": _g(first_role, "path_number"),
                          "path": _g(first_role, "path_name"),
                          "months_min": _g(first_role, "months_min"),
                          "months_max": _g(first_role, "months_max"),
                          "has_ongoing_steps": _g(first_role, "has_ongoing_steps").map(
                              {True: "yes", False: "no"})})
    return ("months-to-first-role", frame, {"months_min": 1, "months_max": 1},
            ["Sum of each path's timed steps before a first role."])


def roles_map(roles: pd.DataFrame) -> Download:
    frame = pd.DataFrame({"role": _g(roles, "role_name"), "role_id": _g(roles, "role_id"),
                          "group": labelled(_g(roles, "role_group")),
                          "technical_depth": labelled(_g(roles, "technical_depth"))})
    return ("roles", frame, {}, ["Every role the article names, with its group and the "
                                 "technical depth the article implies."])


def skills_figure(skills: pd.DataFrame) -> Download:
    status = ["under-appreciated" if u else "widely discussed" if w else "not flagged"
              for u, w in zip(_g(skills, "is_underrated"), _g(skills, "is_widely_discussed"),
                              strict=True)]
    frame = pd.DataFrame({"skill": _g(skills, "skill_name"), "skill_type": _g(skills, "skill_type"),
                          "status_in_the_article": status})
    return ("skills", frame, {}, ["One row per skill the article names."])


def shelf_life_figure(shelf_life_months: float, first_role: pd.DataFrame) -> Download:
    frame = pd.DataFrame({"path_number": _g(first_role, "path_number"),
                          "path": _g(first_role, "path_name"),
                          "longest_timed_learning_months": _g(first_role, "months_max"),
                          "skills_shelf_life_months": float(shelf_life_months)})
    return ("learning-vs-shelf-life", frame,
            {"longest_timed_learning_months": 1, "skills_shelf_life_months": 1}, [])


def band_shift_figure(projection: pd.DataFrame, basis: str, horizon: int) -> Download:
    p = projection[(_g(projection, "basis") == basis) & _g(projection, "year").isin([0, horizon])]
    frame = pd.DataFrame({**_role_year(p),
                          "basis": basis, "band_low_usd_per_year": _g(p, "low_usd"),
                          "band_midpoint_usd_per_year": _g(p, "mid_usd"),
                          "band_high_usd_per_year": _g(p, "high_usd")})
    return ("band-shift", frame, _usd_digits(frame),
            [f"Today's band (year 0) and the projected band in year {horizon}, {basis} dollars."])


def path_figure(projection: pd.DataFrame, basis: str, fan: pd.DataFrame | None) -> Download:
    p = projection[_g(projection, "basis") == basis]
    frame = pd.DataFrame({**_role_year(p),
                          "basis": basis, "midpoint_usd_per_year": _g(p, "mid_usd")})
    digits = {"midpoint_usd_per_year": USD}
    notes = [f"Deterministic midpoint path, {basis} dollars."]
    if fan is not None:
        cols = [c for c in fan.columns if c.startswith("p") and c.endswith("_usd")]
        spread = fan[["role_id", "year", *cols]].rename(
            columns={c: f"{c[:-4]}_draws_usd_per_year" for c in cols})
        frame = frame.merge(spread, on=["role_id", "year"], how="left")
        digits |= {f"{c[:-4]}_draws_usd_per_year": USD for c in cols}
        notes.append("pN_draws: the N-th percentile of the Monte Carlo draws of the midpoint.")
    return ("pay-paths", frame, digits, notes)


def premium_share_figure(projection: pd.DataFrame) -> Download:
    p = projection[_g(projection, "basis") == "nominal"]
    frame = pd.DataFrame({**_role_year(p),
                          "premium_share_of_pay": _g(p, "premium_share")})
    return ("premium-share", frame, {"premium_share_of_pay": SHARE},
            ["Share of pay that is scarcity premium: premium / (1 + premium)."])


def slider_figure(today: pd.DataFrame, steps: Sequence[pd.DataFrame], rates: Sequence[float],
                  parameter: str, horizon: int) -> Download:
    names = dict(zip(_g(today, "role_id"), _g(today, "role_name"), strict=True))
    columns: dict[str, list] = {parameter: [], "role": [], "role_id": [], "year": [],
                                "band_low_usd_per_year": [], "band_midpoint_usd_per_year": [],
                                "band_high_usd_per_year": []}
    for rate, step in zip(rates, steps, strict=True):  # one row per step and role
        ids = list(_g(step, "role_id"))
        columns[parameter] += [rate] * len(ids)
        columns["role"] += [names.get(r, r) for r in ids]
        columns["role_id"] += ids
        columns["year"] += [horizon] * len(ids)
        for name, column in (("band_low_usd_per_year", "low_usd"),
                             ("band_midpoint_usd_per_year", "mid_usd"),
                             ("band_high_usd_per_year", "high_usd")):
            columns[name] += list(_g(step, column))
    frame = pd.DataFrame(columns if columns["role_id"] else [])
    return ("bands-by-" + parameter.replace("_", "-"), frame,
            {parameter: SHARE} | _usd_digits(frame),
            [f"Every precomputed step of the slider: the bands in year {horizon}, nominal "
             "dollars."])


def comparison_figure(medians: pd.DataFrame, basis: str) -> Download:
    frame = pd.DataFrame({
        "scenario": _g(medians, "scenario"), "scenario_title": _g(medians, "scenario_title"),
        **_role_year(medians),
        "basis": basis,
        "midpoint_p10_usd_per_year": _g(medians, "p10_usd"),
        "midpoint_median_usd_per_year": _g(medians, "p50_usd"),
        "midpoint_p90_usd_per_year": _g(medians, "p90_usd")})
    return ("scenario-paths", frame, _usd_digits(frame),
            [f"Each scenario's band midpoint per role and year, {basis} dollars: the median of "
             "the draws with their 10th and 90th percentiles. Named scenarios carry no "
             "likelihood."])


def premium_estimates_figure(estimates: pd.DataFrame) -> Download:
    frame = pd.DataFrame({
        "estimate": _g(estimates, "estimate_name"), "estimate_id": _g(estimates, "estimate_id"),
        "role_id": _g(estimates, "role_id"), "measures": _g(estimates, "measures"),
        "premium_share": _g(estimates, "premium"),
        "premium_ci95_low_share": _g(estimates, "premium_ci95_low"),
        "premium_ci95_high_share": _g(estimates, "premium_ci95_high"),
        "data_years": _g(estimates, "data_years"), "publisher": _g(estimates, "publisher"),
        "publication": _g(estimates, "title"), "address": _g(estimates, "source_url")})
    return ("premium-estimates", frame,
            {"premium_share": SHARE, "premium_ci95_low_share": SHARE,
             "premium_ci95_high_share": SHARE},
            ["Cited figures from their publications (not licensed data); 0.25 = 25%."])


def tornado_figure(sens: pd.DataFrame, horizon: int) -> Download:
    frame = pd.DataFrame({"assumption": _g(sens, "parameter"), "range_low": _g(sens, "low"),
                          "range_high": _g(sens, "high"),
                          "average_midpoint_central_usd_per_year": _g(sens, "central_usd"),
                          "average_midpoint_at_low_usd_per_year": _g(sens, "at_low_usd"),
                          "average_midpoint_at_high_usd_per_year": _g(sens, "at_high_usd")})
    return ("sensitivity", frame,
            {"range_low": SHARE, "range_high": SHARE}
            | _usd_digits(frame),
            [f"Average midpoint in year {horizon}, today's dollars, with one assumption at "
             "each end of its range."])


def _pct_frame(pct: pd.DataFrame, names: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame({
        "role": _role_names(pct, names), "role_id": _g(pct, "role_id"),
        "experience_level": [LEVEL_NAMES.get(v, v) for v in _g(pct, "group_value")],
        "n_postings": _g(pct, "n_postings_all" if "n_postings_all" in pct else "n_postings"),
        "n_distinct_adverts": _g(pct, "n_adverts"),
        "p10_usd_per_year": _g(pct, "p10_usd"), "p25_usd_per_year": _g(pct, "p25_usd"),
        "median_usd_per_year": _g(pct, "p50_usd"),
        "median_ci95_low_usd_per_year": _g(pct, "p50_ci95_low_usd"),
        "median_ci95_high_usd_per_year": _g(pct, "p50_ci95_high_usd"),
        "p75_usd_per_year": _g(pct, "p75_usd"), "p90_usd_per_year": _g(pct, "p90_usd"),
        "reliability": _g(pct, "reliability")})


def claimed_vs_survey_figure(bands: pd.DataFrame, pct: pd.DataFrame,
                             filters_text: str) -> Download:
    frame = _pct_frame(pct, bands).merge(
        bands[["role_id", "salary_low_usd", "salary_high_usd"]].rename(columns={
            "salary_low_usd": "article_low_usd_per_year",
            "salary_high_usd": "article_high_usd_per_year"}), on="role_id", how="right")
    frame["role"] = _role_names(frame[["role_id"]], bands)
    return ("bands-vs-postings", frame, _usd_digits(frame),
            [f"Postings: {filters_text}.", "A suppressed cell (too few postings or too wide "
             "an interval) keeps its n and reliability; read its figures as unreliable."])


def level_pay_figure(bands: pd.DataFrame, levels: pd.DataFrame, filters_text: str) -> Download:
    frame = _pct_frame(levels[_g(levels, "role_id").isin(_g(bands, "role_id"))], bands)
    return ("pay-by-level", frame, _usd_digits(frame),
            [f"Postings: {filters_text}."])


def premium_by_year_figure(premium: pd.DataFrame) -> Download:
    p = premium[_g(premium, "group") == "work_year"]
    frame = pd.DataFrame({
        "role": _role_names(p), "role_id": _g(p, "role_id"), "baseline": _g(p, "baseline"),
        "work_year": _g(p, "group_value"), "premium_share": _g(p, "premium"),
        "premium_ci95_low_share": _g(p, "premium_ci95_low"),
        "premium_ci95_high_share": _g(p, "premium_ci95_high"),
        "n_postings_role": _g(p, "n_role"), "n_postings_baseline": _g(p, "n_baseline"),
        "computable": _g(p, "is_computable").map({True: "yes", False: "no"})})
    return ("premium-by-year", frame, {c: SHARE for c in frame if "share" in c},
            ["AI role's median posting pay over the baseline's, minus 1 (0.05 = 5%)."])


def premium_variants_figure(premium: pd.DataFrame) -> Download:
    p = premium[_g(premium, "group").isin(["all", "mix_adjusted"])]
    frame = pd.DataFrame({
        "role": _role_names(p), "role_id": _g(p, "role_id"), "baseline": _g(p, "baseline"),
        "same_experience_mix": (_g(p, "group") == "mix_adjusted").map({True: "yes", False: "no"}),
        "premium_share": _g(p, "premium"), "premium_ci95_low_share": _g(p, "premium_ci95_low"),
        "premium_ci95_high_share": _g(p, "premium_ci95_high"),
        "n_postings_role": _g(p, "n_role"), "n_postings_baseline": _g(p, "n_baseline"),
        "computable": _g(p, "is_computable").map({True: "yes", False: "no"})})
    return ("premium-definitions", frame, {c: SHARE for c in frame if "share" in c}, [])


def region_figure(region: pd.DataFrame) -> Download:
    frame = pd.DataFrame({
        "country": _g(region, "country_name" if "country_name" in region else "country"),
        "country_code": _g(region, "country"), "n_postings": _g(region, "n_postings"),
        "median_usd_per_year": _g(region, "median_usd"),
        "median_ci95_low_usd_per_year": _g(region, "median_ci95_low_usd"),
        "median_ci95_high_usd_per_year": _g(region, "median_ci95_high_usd"),
        "ratio_to_us_median": _g(region, "ratio_to_us"), "reliability": _g(region, "reliability")})
    return ("pay-by-country", frame, _usd_digits(frame)
            | {"ratio_to_us_median": 3}, ["Median AI pay by company country."])


def entry_share_figure(entry: pd.DataFrame) -> Download:
    frame = pd.DataFrame({
        "role": _role_names(entry), "role_id": _g(entry, "role_id"),
        "work_year": _g(entry, "work_year"), "n_postings": _g(entry, "n_postings"),
        "n_entry_level": _g(entry, "n_entry"), "entry_level_share": _g(entry, "entry_share"),
        "reportable": _g(entry, "is_reportable").map({True: "yes", False: "no"})})
    return ("entry-level-share", frame, {"entry_level_share": SHARE},
            ["Entry-level share of postings: a proxy, not hiring data."])


def mix_figure(mix: pd.DataFrame) -> Download:
    frame = pd.DataFrame({"role": _role_names(mix), "role_id": _g(mix, "role_id"),
                          "work_year": _g(mix, "work_year"), "n_postings": _g(mix, "postings"),
                          "n_rows": _g(mix, "rows") if "rows" in mix else pd.NA})
    return ("postings-by-year", frame, {}, ["Postings per role and year on one job board: "
                                            "not how many jobs exist."])


def verdict_figure(result: pd.DataFrame) -> Download:
    cols = {"kind": "kind", "claim": "claim", "source_section": "article_section",
            "evidence": "evidence", "verdict": "verdict",
            "interval_allows": "interval_also_allows", "verdict_text": "verdict_in_words",
            "variants_agreeing": "grid_variants_agreeing", "n_variants": "grid_variants",
            "is_robust": "is_robust", "depends_on": "depends_on", "precision": "precision",
            "dominance": "dominance", "direction": "direction",
            "population": "population", "rule": "rule",
            "verdict_other_repeats": "verdict_with_repeats_treated_the_other_way",
            "flips_with_repeats": "flips_with_repeats"}
    frame = result[[c for c in cols if c in result]].rename(columns=cols)
    notes = ["One row per numeric claim of the article, with its verdict and the rule that "
             "gave it."]
    # the populations compared are the same for every claim the job board tests: said once
    stated = set(frame["population"]) - {"-"} if "population" in frame else set()
    if len(stated) == 1:
        notes.append(f"Populations compared, for every claim the job board tests: "
                     f"{stated.pop()}.")
        frame = frame.drop(columns="population")
    return ("verdicts", frame.reset_index(drop=True), {}, notes)
