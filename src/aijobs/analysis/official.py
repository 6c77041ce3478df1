"""The article's pay claims against official statistics (BLS OEWS), beside the job board.

Each role is mapped to SOC occupations by data/soc_crosswalk.csv; the primary occupation's
percentiles for one May reference year give the official evidence. Each source keeps its own
verdict under its own rule (OEWS_BAND_RULE, OEWS_OPEN_TOP_RULE here; the job board's in
audit.py): the verdict of the estimate and, apart, the verdicts its interval also allows (the
interval_allows cell; words from audit.verdict_text). `agreement` says whether the sources'
estimates agree, disagree, or only one can test the claim.
A top-coded percentile is never a number: it reads "at least $239,200" and enters a rule as
the interval from the top code up.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from aijobs.analysis import audit
from aijobs.errors import DataError, ParameterError
from aijobs.sources import oews
from aijobs.survey.summaries import Z95

BOARD = "job board (aijobs.net)"
OFFICIAL = "BLS OEWS"
OEWS_BAND_RULE = (
    "Each end of the claimed band is compared with what employers pay people in the role's "
    "primary occupation: the low end with the 25th percentile, the high end with the 75th "
    "(the middle half of existing jobs' pay). An end is off when it differs by 15% or more. "
    "Supported: neither end is off. Partly supported: one end is off, or both are but the "
    "median lies inside the band. Not supported: both ends off and the median outside. The "
    "verdict is that of the published percentiles. BLS publishes no interval for percentiles, "
    "so each is given the interval of +/-1.96 times the relative standard error of the "
    "occupation's mean wage; when another verdict lies inside it, the row says what the "
    "interval also allows. A top-coded percentile enters the verdict as the top code and its "
    "interval as anywhere from the top code up. The occupation is the crosswalk's primary one "
    "for the role. Against a loose match (an occupation far broader than the role) the row "
    "shows the verdict the percentiles would give, for context only: a loose match counts as "
    "OEWS not testing the claim, as it does for growth claims, and takes no part in whether the "
    "sources agree. No data: the role has no occupation, or the percentiles needed were not "
    "estimated.")
OEWS_OPEN_TOP_RULE = (
    "'Pay can exceed $X' is held against the 90th percentile of the primary occupation, the "
    "highest percentile BLS publishes. Supported when the 90th percentile lies above $X: more "
    "than one job in ten pays more. OEWS publishes no percentile above the 90th, and records "
    "no wage above its top code (the top of its wage range, given in the row; '#' in BLS's "
    "workbooks), so it cannot test a claim whose $X lies at or above the 90th percentile, or "
    "at or above the top code: such a claim gets no data (cannot test), never not supported, "
    "since a 90th percentile below $X does not show that no job pays more. A top-coded 90th "
    "percentile ('at least' the top code) supports an $X below the top code. When the 90th "
    "percentile's interval (as above) reaches across $X, the row says what the interval also "
    "allows: supported, or no data (beyond what OEWS can test).")
OVERALL_RULE = (
    "The sources agree when the verdicts of their estimates are the same, disagree otherwise; "
    "what each interval also allows is shown on its own row. When one source has no data, or "
    "only a loose match (an occupation far broader than the role: its verdict is context "
    "only), only the other can test the claim.")
AGREEMENT = ("agree", "disagree", "one source", "no source")


def resolve_year(occupations: pd.DataFrame, year: int) -> int:
    """The OEWS reference year to use: `year`, or the latest in the table when it is 0."""
    years = sorted(int(y) for y in occupations["year"].unique())
    if not years:
        raise ParameterError("parameter oews_year: data/derived/oews_occupations.csv holds no "
                             "year; run make sources-derive")
    if year == 0:
        return years[-1]
    if year not in years:
        raise ParameterError(f"parameter oews_year: got {year}; the OEWS table holds May "
                             f"{', '.join(map(str, years))} (0 takes the latest)")
    return year


def _interval(value: float, status: str, top: float, rse_pct: float) -> tuple[float, float,
                                                                              float]:
    """(value, low, high) of a percentile: a top-coded one runs from the top code up."""
    if status == "top_coded":
        return top, top, math.inf
    if status != "estimate" or math.isnan(value):
        return math.nan, math.nan, math.nan
    half = Z95 * (rse_pct if not math.isnan(rse_pct) else 0.0) / 100
    return value, value * (1 - half), value * (1 + half)


def _text(row: pd.Series, m: str) -> str:
    return oews.wage_text(row[f"{m}_usd"], row[f"{m}_status"], row["top_code_usd"])


def occupation_year(occupations: pd.DataFrame, code: str, year: int) -> pd.Series | None:
    """One occupation's row of oews_occupations for a year, or None when BLS has none."""
    # numpy comparisons and one row taken: a page looks up a dozen occupation-years, and
    # filtering the frame by a boolean Series cost about a millisecond each
    found = np.flatnonzero((occupations["occ_code"].to_numpy() == code)
                           & (occupations["year"].to_numpy() == year))
    return None if not len(found) else occupations.iloc[int(found[0])]


def _float(v) -> float:
    return float(v) if pd.notna(v) else math.nan


def band_evidence(low: float, high: float, occ: pd.Series
                  ) -> tuple[str, str, set[str], str]:
    """(evidence, verdict of the estimates, every verdict inside their intervals, direction) of
    a claimed band against one occupation-year."""
    top, rse = float(occ["top_code_usd"]), _float(occ["mean_rse_pct"])
    p25, p50, p75 = (_interval(_float(occ[f"{m}_usd"]), occ[f"{m}_status"], top, rse)
                     for m in ("p25", "p50", "p75"))
    shown = (f"{occ['occ_code']} {occ['occ_title']}, May {int(occ['year'])}: "
             f"{_employment(occ)}; middle half {_text(occ, 'p25')} to {_text(occ, 'p75')}, "
             f"median {_text(occ, 'p50')}, p90 {_text(occ, 'p90')}")
    if any(math.isnan(v[0]) for v in (p25, p50, p75)):
        return shown, "no data", {"no data"}, "percentiles not estimated"
    verdict, possible, _ = audit.band_judgement(low, high, p25[0], p25[1:], p75[0], p75[1:],
                                                p50[0], p50[1:])
    parts = []
    for name, claimed, (value, _lo, hi), m in (("low end", low, p25, "p25"),
                                              ("high end", high, p75, "p75")):
        if math.isinf(hi):
            if claimed < value * (1 - audit.TOLERANCE):
                parts.append(f"{name} below the top-coded {m} ({_text(occ, m)})")
            continue
        gap = claimed / value - 1
        if abs(gap) >= audit.TOLERANCE:
            parts.append(f"{name} {abs(gap):.0%} {'above' if gap > 0 else 'below'} the {m}")
    return shown, verdict, possible, "; ".join(parts) or "both ends within 15%"


def open_top_evidence(top_claim: float, occ: pd.Series) -> tuple[str, str, set[str]]:
    """(evidence, verdict of the estimate, every verdict inside its interval) of 'pay can
    exceed top_claim' against the occupation's p90, by OEWS_OPEN_TOP_RULE: a claim at or above
    the p90 (the highest percentile published) or the top code (the highest wage recorded)
    cannot be tested, and the evidence says which."""
    shown, verdict, possible, why = _open_top(top_claim, occ)
    return (f"{shown}; {why}" if why else shown), verdict, possible


def _open_top(top_claim: float, occ: pd.Series) -> tuple[str, str, set[str], str]:
    """open_top_evidence with the reason it cannot test the claim apart ('' when it can)."""
    top, rse = float(occ["top_code_usd"]), _float(occ["mean_rse_pct"])
    value, lo, hi = _interval(_float(occ["p90_usd"]), occ["p90_status"], top, rse)
    shown = f"{occ['occ_code']}, May {int(occ['year'])}: p90 {_text(occ, 'p90')}"
    if math.isnan(value):
        return shown, "no data", {"no data"}, ""
    if not math.isinf(hi):
        shown += f" (interval {_usd(lo)}-{_usd(hi)} from the mean wage's standard error)"
    shown += " (the top code)" if math.isinf(hi) else f", top code {_usd(top)}"
    beyond = []
    if not math.isinf(hi) and top_claim >= value:
        beyond.append(f"{'at' if top_claim == value else 'above'} the p90 ({_usd(value)}, "
                      "the highest percentile BLS publishes)")
    if top_claim >= top:
        beyond.append(f"{'at' if top_claim == top else 'above'} the top code ({_usd(top)}, "
                      "the highest wage OEWS records)")
    why = (f"cannot test: {_usd(top_claim)} lies {' and '.join(beyond)}, so OEWS cannot "
           "show whether pay exceeds it") if beyond else ""
    if top_claim >= top:  # nothing above the top code is recorded, whatever the p90
        return shown, "no data", {"no data"}, why
    if math.isinf(hi):  # a top-coded p90: at least the top code, above the claim
        return shown, "supported", {"supported"}, ""
    return (shown, *audit.open_top_judgement(top_claim, value, (lo, hi)), why)


def _usd(v: float) -> str:
    return f"${v:,.0f}"


def _employment(occ: pd.Series) -> str:
    emp = occ["employment"]
    return "employment not estimated" if pd.isna(emp) else f"{int(emp):,} employed"


def primary_codes(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """role_id -> its primary SOC code, title and closeness (roles with none are absent)."""
    return crosswalk[crosswalk["is_primary"]].set_index("role_id")


def _one_primary(by_role: dict[str, list[dict]], rows: list[dict], role: str) -> dict | None:
    """The primary crosswalk row of `role` among `rows` (None when it has none; a DataError
    when it has two), `by_role` filled from `rows` on first use."""
    if not by_role:
        for r in rows:
            by_role.setdefault(r["role_id"], []).append(r)
    found = by_role.get(role, [])
    if len(found) > 1:
        raise DataError(f"soc_crosswalk: role {role} has {len(found)} primary codes ("
                        + ", ".join(str(r["soc_code"]) for r in found) + "); expected "
                        "is_primary true on one row per role")
    return found[0] if found else None


def agreement(verdicts: list[str]) -> tuple[str, str]:
    """(one of AGREEMENT, the verdict they share or '') over the sources' verdicts of their
    estimates; a source with no data takes no part."""
    tested = [v for v in verdicts if v != "no data"]
    if not tested:
        return "no source", "no data"
    if len(tested) == 1:
        return "one source", tested[0]
    return ("agree", tested[0]) if len(set(tested)) == 1 else ("disagree", "")


CLAIM_COLUMNS = ("role_id", "kind", "claim", "source", "evidence", "verdict", "interval_allows",
                 "direction", "closeness", "agreement")


def pay_claims_by_source(bands: pd.DataFrame, audited: pd.DataFrame, crosswalk: pd.DataFrame,
                         occupations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each pay-band and open-ended-top claim: one row per source and an overall row.

    Each source's row: its verdict (of the estimate) and interval_allows (the other verdicts
    its interval allows, '; '-joined); the overall row: agreement (one of AGREEMENT) and the
    verdict the sources share. `audited` is audit.claims_audit's table (its job-board
    evidence and verdicts are reused, found by kind and the role's name); `occupations` is
    oews_occupations."""
    # records, not row-by-row pandas: the same values, a tenth of the time
    primaries = crosswalk[crosswalk["is_primary"]].to_dict("records")
    by_role: dict[str, list[dict]] = {}
    claims = audited.to_dict("records")
    rows = []
    for b in bands.to_dict("records"):
        role = b["role_id"]
        mine = [r for r in claims if r["claim"].startswith(f"{b['role_name']}:")]
        kinds = ["pay band"] + (["open-ended top"] if b["is_open_ended"] else [])
        for kind in kinds:
            board = next((r for r in mine if r["kind"] == kind), None)
            if board is None:
                continue
            primary, occ, beyond = _one_primary(by_role, primaries, role), None, ""
            if primary is not None:
                occ = occupation_year(occupations, primary["soc_code"], year)
            if occ is None:
                why = ("no SOC occupation stands for this role" if primary is None
                       else f"BLS has no May {year} figures for {primary['soc_code']}")
                shown, verdict, possible, direction = why, "no data", {"no data"}, ""
            elif kind == "pay band":
                shown, verdict, possible, direction = band_evidence(
                    b["salary_low_usd"], b["salary_high_usd"], occ)
            else:
                shown, verdict, possible, beyond = _open_top(b["salary_high_usd"], occ)
                direction = ""
            closeness = primary["closeness"] if primary is not None else "none"
            if occ is not None:
                shown += f" (a {closeness} match)"
                if not audit.tests_claim(verdict, closeness) and verdict != "no data":
                    shown += ("; a loose match is far broader than the role, so this verdict "
                              "is context only: OEWS cannot test the claim")
            if beyond:  # why OEWS cannot test the open-ended top
                shown += f"; {beyond}"
            base = {"role_id": role, "kind": kind, "claim": board["claim"]}
            allows = board.get("interval_allows", "")
            rows.append({**base, "source": BOARD, "evidence": board["evidence"],
                         "verdict": board["verdict"],
                         "interval_allows": "" if pd.isna(allows) else allows,
                         "direction": board["direction"], "closeness": "-", "agreement": ""})
            rows.append({**base, "source": OFFICIAL, "evidence": shown, "verdict": verdict,
                         "interval_allows": audit.allows_cell(verdict, possible),
                         "direction": direction, "closeness": closeness, "agreement": ""})
            # a loose match's verdict takes no part (audit.TESTED_RULE)
            agree, shared = agreement([board["verdict"], verdict if audit.tests_claim(
                verdict, closeness) else "no data"])
            rows.append({**base, "source": "overall", "evidence": "", "verdict": shared,
                         "interval_allows": "", "direction": "", "closeness": "-",
                         "agreement": agree})
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))


def crosswalk_sensitivity(bands: pd.DataFrame, crosswalk: pd.DataFrame,
                          occupations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each band role's verdict (and interval_allows) under every occupation the crosswalk
    offers for it."""
    rows = []
    offered = crosswalk.to_dict("records")
    for b in bands.to_dict("records"):
        for c in (c for c in offered if c["role_id"] == b["role_id"]):
            if pd.isna(c["soc_code"]):
                continue
            occ = occupation_year(occupations, c["soc_code"], year)
            if occ is None:
                verdict, possible, median = "no data", {"no data"}, "no estimate"
            else:
                _, verdict, possible, _ = band_evidence(b["salary_low_usd"],
                                                        b["salary_high_usd"], occ)
                median = _text(occ, "p50")
            rows.append({"role_id": b["role_id"], "soc_code": c["soc_code"],
                         "soc_title": c["soc_title"], "closeness": c["closeness"],
                         "is_primary": bool(c["is_primary"]), "median": median,
                         "verdict": verdict,
                         "interval_allows": audit.allows_cell(verdict, possible)})
    return pd.DataFrame(rows, columns=["role_id", "soc_code", "soc_title", "closeness",
                                       "is_primary", "median", "verdict", "interval_allows"])


def official_percentiles(bands: pd.DataFrame, crosswalk: pd.DataFrame,
                         occupations: pd.DataFrame, year: int) -> pd.DataFrame:
    """For each band role, its primary occupation's p10-p90 (numbers where estimated, with
    the status beside each) for a chart beside the article's band."""
    primary = primary_codes(crosswalk)
    rows = []
    for _, b in bands.iterrows():
        role = b["role_id"]
        occ = (occupation_year(occupations, primary.loc[role, "soc_code"], year)
               if role in primary.index else None)
        row = {"role_id": role, "role_name": b["role_name"],
               "salary_low_usd": b["salary_low_usd"], "salary_high_usd": b["salary_high_usd"],
               "soc_code": primary.loc[role, "soc_code"] if role in primary.index else "",
               "soc_title": primary.loc[role, "soc_title"] if role in primary.index else "",
               "closeness": primary.loc[role, "closeness"] if role in primary.index else "none",
               "year": year, "top_code_usd": math.nan}
        for m in ("p10", "p25", "p50", "p75", "p90"):
            row[f"{m}_usd"], row[f"{m}_status"], row[f"{m}_text"] = math.nan, "missing", ""
            if occ is not None:
                row["top_code_usd"] = float(occ["top_code_usd"])
                row[f"{m}_status"] = occ[f"{m}_status"]
                row[f"{m}_usd"] = (float(occ["top_code_usd"]) if occ[f"{m}_status"] ==
                                   "top_coded" else _float(occ[f"{m}_usd"]))
                row[f"{m}_text"] = _text(occ, m)
        rows.append(row)
    return pd.DataFrame(rows)

