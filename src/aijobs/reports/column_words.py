"""A chart's data column as a reader names it, with its unit: the heading of the column in the
table under the chart (and in the sidecar beside its CSV). The CSV keeps its column names
(lower-case words joined by "_", the unit in the name), which scripts read; a page shows these
headings instead.

A heading comes from, in order: the words written here for that exact column; a percentile
column (p10_usd_per_year, p90_draws_usd_per_year, p25_status); a setting's own label
(templates/settings.yaml: a slider's or a sweep's column is a setting); and otherwise the name's
words with its unit read from its ending, so no column ever shows as a name with "_".
"""

from __future__ import annotations

import re

from aijobs import words
from aijobs.reports import settings_text

USD_YEAR = "USD a year"
SHARE = "0.25 = 25%"

# Exact columns of the charts' tidy tables (charts/downloads.py and the chart modules).
HEADINGS = {
    "address": "Web address",
    "adjustment_factor": "Adjustment factor (×)",
    "all_postings": "All adverts that year",
    "article_high_usd_per_year": f"The article's band, high ({USD_YEAR})",
    "article_low_usd_per_year": f"The article's band, low ({USD_YEAR})",
    "article_section": "Article section",
    "assumption": "Assumption",
    "average_midpoint_at_high_usd_per_year": f"Average midpoint, assumption high ({USD_YEAR})",
    "average_midpoint_at_low_usd_per_year": f"Average midpoint, assumption low ({USD_YEAR})",
    "average_midpoint_central_usd_per_year": f"Average midpoint, as set ({USD_YEAR})",
    "band_high_usd_per_year": f"Band high ({USD_YEAR})",
    "band_low_usd_per_year": f"Band low ({USD_YEAR})",
    "band_midpoint_usd_per_year": f"Band midpoint ({USD_YEAR})",
    "baseline": "Compared with",
    "basis": "Dollars",
    "claim": "Claim",
    "claims_not_tested": "Claims it cannot test (count)",
    "claims_tested": "Claims it can test (count)",
    "closeness": "Occupation's closeness to the role",
    "competitiveness_in_the_article": "How competitive, in the article's words",
    "computable": "Computable",
    "country": "Company country",
    "country_code": "Country code",
    "data_years": "Years of data",
    "date": "Date",
    "demand_index_year0_is_1": "Demand (today = 1)",
    "depends_on": "Depends on",
    "direction": "Where it misses",
    "dominance": "Cells dominated by one advert",
    "doubling_time_months_if_yearly": "Doubling time, if the rate is yearly (months)",
    "entry_level_share": f"Entry-level share ({SHARE})",
    "entry_route": "Way in",
    "estimate": "Estimate",
    "estimate_id": "Name for the setting Today's premium",
    "evidence": "Evidence",
    "experience_level": "Experience level",
    "flips_with_repeats": "Flips with repeats counted the other way",
    "grid_variants": "Variants in the grid (count)",
    "grid_variants_agreeing": "Variants that agree (count)",
    "group": "Group",
    "growth_multiple": "Growth multiple (×)",
    "growth_pct": "Growth (%)",
    "has_ongoing_steps": "Has ongoing steps",
    "indeed_series": "Indeed series",
    "index_sa": "Postings index, seasonally adjusted (1 Feb 2020 = 100)",
    "is_partial": "Year only partly covered",
    "is_robust": "Robust",
    "kind": "Kind of claim",
    "longest_timed_learning_months": "Longest timed learning (months)",
    "measures": "What it compares",
    "median_ci95_high_usd_per_year": f"Median, 95% interval high ({USD_YEAR})",
    "median_ci95_low_usd_per_year": f"Median, 95% interval low ({USD_YEAR})",
    "median_usd_per_year": f"Median ({USD_YEAR})",
    "midpoint_median_usd_per_year": f"Midpoint, median of the draws ({USD_YEAR})",
    "midpoint_p10_usd_per_year": f"Midpoint, 10th percentile of the draws ({USD_YEAR})",
    "midpoint_p90_usd_per_year": f"Midpoint, 90th percentile of the draws ({USD_YEAR})",
    "midpoint_usd_per_year": f"Midpoint ({USD_YEAR})",
    "months_max": "Longest (months)",
    "months_min": "Shortest (months)",
    "n_entry_level": "Entry-level adverts (count)",
    "n_postings": "Adverts (count)",
    "n_postings_baseline": "Adverts of the baseline (count)",
    "n_postings_role": "Adverts of the role (count)",
    "n_rows": "File rows (count)",
    "page": "Page",
    "path": "Path",
    "path_number": "Path number",
    "postings": "Adverts of the role (count)",
    "precision": "Precision",
    "premium_ci95_high_share": f"Premium, 95% interval high ({SHARE})",
    "premium_ci95_low_share": f"Premium, 95% interval low ({SHARE})",
    "premium_share": f"Premium ({SHARE})",
    "premium_share_of_pay": f"Premium's share of pay ({SHARE})",
    "publication": "Publication",
    "publisher": "Publisher",
    "range_high": "High end of the range",
    "range_low": "Low end of the range",
    "rank_most_competitive_first": "Rank (1 = most competitive)",
    "ratio_to_us_median": "Median against US companies' (×)",
    "reliability": "Reliability",
    "reportable": "Enough adverts to report",
    "role": "Role",
    "role_id": "Role id",
    "role_name": "Role",
    "rule": "Rule",
    "salary_high_usd": f"The article's band, high ({USD_YEAR})",
    "salary_low_usd": f"The article's band, low ({USD_YEAR})",
    "same_experience_mix": "Within experience level",
    "scenario": "Scenario id",
    "scenario_title": "Scenario",
    "share": f"Share of all adverts ({SHARE})",
    "share_ci95_high": f"Share, 95% interval high ({SHARE})",
    "share_ci95_low": f"Share, 95% interval low ({SHARE})",
    "skill": "Skill",
    "skill_type": "Kind of skill",
    "skills_shelf_life_months": "Shelf life of skills (months)",
    "soc_code": "SOC code",
    "soc_title": "Occupation",
    "source": "Source",
    "status_in_the_article": "In the article",
    "step": "Step",
    "step_kind": "Kind of step",
    "technical_depth": "Technical depth",
    "top_code_usd": f"BLS top code ({USD_YEAR})",
    "top_is_open_ended": "No stated ceiling",
    "variant": "Variant",
    "verdict": "Verdict",
    "verdict_in_words": "Verdict, and how it holds up",
    "verdict_with_repeats_treated_the_other_way": "Verdict with repeats counted the other way",
    "work_year": "Work year",
    "year": "Year",
}

# Columns a page's table leaves out when the column they name is there too (the CSV keeps
# both: the id is for joining tables, the name for reading).
ID_COLUMNS = {"role_id": ("role", "role_name"), "scenario": ("scenario_title",)}

_PERCENTILE = re.compile(r"p(\d{1,2})(_draws)?_(usd_per_year|usd|status)")
# A name's ending, read as its unit: (ending, unit in words), longest first.
_UNITS = (("_usd_per_year", USD_YEAR), ("_usd", USD_YEAR), ("_share", SHARE), ("_pct", "%"),
          ("_months", "months"), ("_years", "years"))


def _ordinal(n: int) -> str:
    if n == 50:
        return "median"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} percentile"


def _setting_heading(name: str) -> str | None:
    """A setting's label with its unit (a slider's or a sweep's column is a setting): a
    percent setting's values are fractions in the CSV."""
    entry = settings_text.entries().get(name)
    if not entry or not entry.get("label"):
        return None
    label, fmt, unit = str(entry["label"]), entry.get("format"), entry.get("unit")
    if fmt == "percent":
        return f"{label} ({SHARE})"
    if fmt == "usd":
        return f"{label} (USD)"
    return f"{label} ({words.plural(str(unit))})" if unit else label


def column_heading(name: str) -> str:
    """The heading a page shows for a chart's data column `name` (see the module's notes):
    "band_low_usd_per_year" -> "Band low (USD a year)"."""
    if name in HEADINGS:
        return HEADINGS[name]
    found = _PERCENTILE.fullmatch(name)
    if found:
        what = _ordinal(int(found.group(1)))
        what = what[:1].upper() + what[1:] + (" of the draws" if found.group(2) else "")
        return f"{what}: status" if found.group(3) == "status" else f"{what} ({USD_YEAR})"
    setting = _setting_heading(name)
    if setting:
        return setting
    words, unit = name, ""
    for ending, unit_words in _UNITS:
        if words.endswith(ending) and len(words) > len(ending):
            words, unit = words[: -len(ending)], unit_words
            break
    words = " ".join(w for w in re.split(r"[_\s]+", words) if w) or name
    words = words[:1].upper() + words[1:]
    return f"{words} ({unit})" if unit else words


def shown_columns(columns: list[str]) -> list[int]:
    """The positions of the columns a page's table shows: all but an id whose name column is
    there too (ID_COLUMNS)."""
    present = set(columns)
    return [i for i, c in enumerate(columns)
            if not any(other in present for other in ID_COLUMNS.get(c, ()))]
