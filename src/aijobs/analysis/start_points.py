"""Where a scenario's "today" comes from: the article's bands, the job board's typical posted
range, or official percentiles of the closest occupation.

`starting_bands` returns one band per role in the form the model projects (salary_low_usd,
salary_high_usd, midpoint_usd, is_open_ended), with the midpoint's 95% interval where the
source has one and, per role, which source was used and why (a role the chosen source cannot
speak to keeps the article's band, and says so). `article_band_audit` gives the claims
audit's verdict on each article band (the same rule as the claims audit page).
"""

from __future__ import annotations

import math

import pandas as pd

from aijobs.analysis import audit
from aijobs.errors import ParameterError
from aijobs.words import listing

START_FROM = ("article", "survey", "official")
COLUMNS = ["role_id", "role_name", "salary_low_usd", "salary_high_usd", "midpoint_usd",
           "midpoint_ci95_low_usd", "midpoint_ci95_high_usd", "is_open_ended", "start_used",
           "start_reason", "start_n", "start_label"]


def _check(start_from: str) -> None:
    if start_from not in START_FROM:
        raise ParameterError(f"parameter start_from: got {start_from!r}; expected one of "
                             f"{', '.join(START_FROM)}")


def starting_bands(start_from: str, article: pd.DataFrame, *,
                   survey_pay: pd.DataFrame | None = None,
                   official: pd.DataFrame | None = None,
                   crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Today's band per role of `article` (bands_with_midpoints of salary_bands), from the
    chosen source.

    survey: the job board's typical posted range, the median advertised minimum to the median
    advertised maximum, with the median posting as the midpoint and its 95% interval
    (`survey_pay`: survey_percentiles rows of one slice, group all). A suppressed role keeps
    the article's band (start_reason "suppressed"), as does one with no title in the file
    ("no_title").
    official: the 25th to 75th percentile of annual pay in the role's primary occupation
    (`crosswalk`), the median as midpoint, latest year of `official` (oews_occupations). A
    top-coded 75th percentile makes the band open-ended at the top code. A role with no
    occupation keeps the article's band ("no_occupation").
    """
    _check(start_from)
    out = article.copy()
    out["midpoint_usd"] = (out["salary_low_usd"] + out["salary_high_usd"]) / 2
    out["midpoint_ci95_low_usd"] = math.nan
    out["midpoint_ci95_high_usd"] = math.nan
    out["is_open_ended"] = out["is_open_ended"].astype(bool)
    out["start_used"] = "article"
    out["start_reason"] = "chosen" if start_from == "article" else ""
    out["start_n"] = math.nan
    out["start_label"] = ""
    out["salary_low_usd"] = out["salary_low_usd"].astype(float)
    out["salary_high_usd"] = out["salary_high_usd"].astype(float)
    if start_from == "survey":
        if survey_pay is None:
            raise ParameterError("start_from survey needs the survey evidence")
        pay = survey_pay.set_index("role_id")
        for i, r in out.iterrows():
            if r["role_id"] not in pay.index:
                out.loc[i, "start_reason"] = "no_title"
                continue
            s = pay.loc[r["role_id"]]
            if s["reliability"] == "suppressed" or pd.isna(s["median_range_min_usd"]):
                out.loc[i, ["start_reason", "start_n", "start_label"]] = [
                    "suppressed", float(s["n_postings"]), str(s["reliability_reason"])]
                continue
            out.loc[i, ["salary_low_usd", "salary_high_usd", "midpoint_usd",
                        "midpoint_ci95_low_usd", "midpoint_ci95_high_usd"]] = [
                float(s["median_range_min_usd"]), float(s["median_range_max_usd"]),
                float(s["p50_usd"]), float(s["p50_ci95_low_usd"]),
                float(s["p50_ci95_high_usd"])]
            out.loc[i, ["is_open_ended", "start_used", "start_reason", "start_n",
                        "start_label"]] = [False, "survey", "chosen", float(s["n_postings"]),
                                           str(s["reliability"])]
    elif start_from == "official":
        if official is None or crosswalk is None:
            raise ParameterError("start_from official needs the OEWS table and the crosswalk")
        year = int(official["year"].max())
        latest = official[official["year"] == year].set_index("occ_code")
        primary = crosswalk[crosswalk["is_primary"].astype(bool)
                            & crosswalk["soc_code"].notna()].set_index("role_id")
        for i, r in out.iterrows():
            if r["role_id"] not in primary.index:
                out.loc[i, "start_reason"] = "no_occupation"
                continue
            c = primary.loc[r["role_id"]]
            if c["soc_code"] not in latest.index or pd.isna(latest.loc[c["soc_code"],
                                                                        "p50_usd"]):
                out.loc[i, "start_reason"] = "no_occupation"
                continue
            o = latest.loc[c["soc_code"]]
            top_coded = o["p75_status"] == "top_coded" or pd.isna(o["p75_usd"])
            high = float(o["top_code_usd"]) if top_coded else float(o["p75_usd"])
            out.loc[i, ["salary_low_usd", "salary_high_usd", "midpoint_usd"]] = [
                float(o["p25_usd"]), high, float(o["p50_usd"])]
            out.loc[i, ["is_open_ended", "start_used", "start_reason", "start_n",
                        "start_label"]] = [
                bool(top_coded), "official", "chosen", float(o["employment"]),
                f"{c['soc_code']} {c['soc_title']}, May {year} ({c['closeness']} match)"]
    out["is_open_ended"] = out["is_open_ended"].astype(bool)
    return out[COLUMNS + [c for c in out.columns if c not in COLUMNS]]


def article_band_audit(article: pd.DataFrame, survey_pay: pd.DataFrame,
                       survey_pay_other: pd.DataFrame | None = None) -> pd.DataFrame:
    """The claims audit's verdict on each article band: role_id, verdict (of the point
    estimates), direction, precision (what the interval also allows, or ''), and the
    verdict under the other repeats policy (verdict_other). No data for a role the survey
    cannot speak to (suppressed or no title)."""
    def verdicts(pay: pd.DataFrame | None) -> dict[str, tuple[str, str, list[str]]]:
        if pay is None:
            return {}
        by_role = {r["role_id"]: r for r in pay.to_dict("records")}
        found: dict[str, tuple[str, str, list[str]]] = {}
        for b in article.to_dict("records"):
            if b["role_id"] not in by_role:
                found[b["role_id"]] = ("no data", "no title in the file maps to this role", [])
                continue
            s = by_role[b["role_id"]]
            if s["reliability"] == "suppressed":
                found[b["role_id"]] = ("no data", str(s["reliability_reason"]), [])
                continue
            point, possible, direction = audit.band_judgement(
                float(b["salary_low_usd"]), float(b["salary_high_usd"]),
                float(s["median_range_min_usd"]), audit.ci_pair(s, "median_range_min"),
                float(s["median_range_max_usd"]), audit.ci_pair(s, "median_range_max"),
                float(s["p50_usd"]), audit.ci_pair(s, "p50"))
            others = [v for v in audit.VERDICTS if v in possible and v != point]
            found[b["role_id"]] = (point, direction, others)
        return found

    main, other = verdicts(survey_pay), verdicts(survey_pay_other)
    return pd.DataFrame([{"role_id": r, "verdict": v[0], "direction": v[1],
                          "precision": (f"the interval also allows {listing(v[2], 'or')}"
                                        if len(v) > 2 and v[2] else ""),
                          "verdict_other": other.get(r, v)[0]}
                         for r, v in main.items()],
                        columns=["role_id", "verdict", "direction", "precision",
                                 "verdict_other"])
