"""What the data say about growth: three series, each with its own definition and period.

- BLS OEWS employment of the mapped occupations between two May reference years (jobs that
  exist), with an approximate interval from the published relative standard errors.
- Indeed's postings index for the sectors nearest to AI, from its peak to the latest day
  (all postings on Indeed, an index: no sampling interval).
- Each role's share of the job board's distinct adverts per work year (repeated adverts
  counted once), with a Wilson 95% interval: a share, not a count, because the board grew.

None of them is the article's growth figure, whose period is unstated. `growth_claims` turns
them into evidence rows and verdicts under GROWTH_RULE (the verdict of the estimate, and apart
from it the verdicts its interval also allows); a title no source tracks stays "no data" with
the reason.
"""

from __future__ import annotations

import math

import pandas as pd

from aijobs.analysis import audit
from aijobs.analysis.official import agreement
from aijobs.survey.summaries import Z95

ORDER = 10.0  # "the same order of magnitude": within a factor of ten
MIN_ADVERTS = 30  # fewest adverts in each year for the board's share change to be a finding
GROWTH_RULE = (
    "A growth claim is compared with a series that tracks the same title or a close match of "
    "it. Supported: the series grew (its estimate is above zero) and the claimed percentage is "
    "of the same order of magnitude (between a tenth of the series' growth and ten times it). "
    "Not supported: the series did not grow, or the claimed percentage is outside that range. "
    "When another verdict lies inside the series' 95% interval, the row says what the "
    "interval also allows. No data: no series tracks the title, only a loose match does (an "
    "occupation or sector far broader than the role), or the job board has fewer than "
    f"{MIN_ADVERTS} of the role's adverts in either year compared. The article gives no "
    "period, so only direction and order of magnitude are tested, never the figure itself.")
BOARD_SERIES = "job board share of adverts"
OEWS_SERIES = "BLS OEWS employment"
INDEED_SERIES = "Indeed Hiring Lab postings index (CC BY 4.0)"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (nan, nan when n is 0)."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def board_shares(mix: pd.DataFrame, years: pd.DataFrame, repeats: str = "drop") -> pd.DataFrame:
    """Each role's share of the board's adverts per work year, with a Wilson interval.

    `mix` is survey_mix (postings per role_id and year, including baseline and unmapped);
    `years` is survey_years (is_partial, covers). With repeats 'drop' each advert is counted
    once, so a group of identical adverts cannot narrow the interval."""
    m = mix[mix["repeats"] == repeats]
    totals = m.groupby("work_year")["postings"].sum()
    partial = years.set_index("work_year")["is_partial"] if len(years) else pd.Series(dtype=bool)
    rows = []
    roles = sorted(r for r in m["role_id"].unique()
                   if r not in ("unmapped", "software_engineer_baseline"))
    for role in roles:
        counts = m[m["role_id"] == role].set_index("work_year")["postings"]
        for year, total in totals.items():
            k = int(counts.get(year, 0))
            lo, hi = wilson(k, int(total))
            rows.append({"role_id": role, "work_year": int(year), "postings": k,
                         "all_postings": int(total), "share": k / total if total else math.nan,
                         "share_ci95_low": lo, "share_ci95_high": hi,
                         "is_partial": bool(partial.get(year, False))})
    return pd.DataFrame(rows, columns=["role_id", "work_year", "postings", "all_postings",
                                       "share", "share_ci95_low", "share_ci95_high",
                                       "is_partial"])


def share_change(shares: pd.DataFrame, role: str, first: int, last: int
                 ) -> dict[str, float] | None:
    """Growth of a role's share from `first` to `last`, with a conservative interval (the
    ratio of the Wilson ends: low end over high end, high end over low end)."""
    s = shares[shares["role_id"] == role].set_index("work_year")
    if first not in s.index or last not in s.index:
        return None
    a, b = s.loc[first], s.loc[last]
    if a["share"] == 0:
        return None
    growth = b["share"] / a["share"] - 1
    low = b["share_ci95_low"] / a["share_ci95_high"] - 1
    high = (b["share_ci95_high"] / a["share_ci95_low"] - 1 if a["share_ci95_low"] > 0
            else math.inf)
    return {"growth": growth, "low": low, "high": high, "first_postings": int(a["postings"]),
            "last_postings": int(b["postings"])}


def full_years(shares: pd.DataFrame) -> tuple[int, int] | None:
    """The two latest work years the board covers whole."""
    whole = sorted(shares.loc[~shares["is_partial"], "work_year"].unique())
    return (int(whole[-2]), int(whole[-1])) if len(whole) >= 2 else None


def employment_change(occupations: pd.DataFrame, codes: list[str], first: int, last: int
                      ) -> pd.DataFrame:
    """Employment of each code in two May years and its change, with an approximate 95%
    interval from the published relative standard errors (years treated as independent,
    which BLS's overlapping panels are not: the interval is indicative)."""
    # each code's rows as records by year, read in one pass (a frame filtered and indexed
    # per code cost more than all the arithmetic)
    by_code: dict[str, list[dict]] = {}
    for r in occupations[["occ_code", "occ_title", "year", "employment",
                          "employment_rse_pct"]].to_dict("records"):
        by_code.setdefault(r["occ_code"], []).append(r)
    rows = []
    for code in codes:
        found = by_code.get(code, [])
        occ = {r["year"]: r for r in found}
        row = {"occ_code": code, "occ_title": found[-1]["occ_title"] if found else "",
               "first_year": first, "last_year": last,
               "years_covered": ", ".join(str(int(r["year"])) for r in
                                          sorted(found, key=lambda r: r["year"]))}
        if first in occ and last in occ and pd.notna(occ[first]["employment"]) \
                and pd.notna(occ[last]["employment"]):
            e0, e1 = float(occ[first]["employment"]), float(occ[last]["employment"])
            s0 = e0 * float(occ[first]["employment_rse_pct"] or 0) / 100
            s1 = e1 * float(occ[last]["employment_rse_pct"] or 0) / 100
            # delta method for e1/e0 - 1
            se = (e1 / e0) * math.sqrt((s0 / e0) ** 2 + (s1 / e1) ** 2)
            row.update(first_employment=int(e0), last_employment=int(e1),
                       change=e1 / e0 - 1, change_ci95_low=e1 / e0 - 1 - Z95 * se,
                       change_ci95_high=e1 / e0 - 1 + Z95 * se)
        else:
            row.update(first_employment=None, last_employment=None, change=math.nan,
                       change_ci95_low=math.nan, change_ci95_high=math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def peak_to_latest(postings: pd.DataFrame) -> pd.DataFrame:
    """Each Indeed series' peak and latest day, and the change from peak to latest."""
    rows = []
    for series, g in postings.groupby("series", sort=False):
        g = g.sort_values("date")
        peak = g.loc[g["index_sa"].idxmax()]
        latest = g.iloc[-1]
        rows.append({"series": series, "peak_date": peak["date"], "peak_index": peak["index_sa"],
                     "latest_date": latest["date"], "latest_index": latest["index_sa"],
                     "change_from_peak": latest["index_sa"] / peak["index_sa"] - 1,
                     "change_from_feb_2020": latest["index_sa"] / 100 - 1})
    return pd.DataFrame(rows)


def growth_judgement(claimed_pct: float, growth: float, low: float, high: float
                     ) -> tuple[str, set[str]]:
    """(verdict of GROWTH_RULE for the estimated growth, every verdict inside its interval)
    for a claimed percentage against a series' growth and its interval (fractions)."""
    if math.isnan(growth):
        return "no data", {"no data"}
    claimed = claimed_pct / 100

    def judged(g: float) -> str:
        return ("supported" if g > 0 and g / ORDER <= claimed <= g * ORDER
                else "not supported")

    point = judged(growth)
    possible = {point}
    if not (math.isnan(low) or math.isnan(high)):
        # supported somewhere in [low, high] when it meets (0, inf) and [claimed/10, 10 claimed]
        if claimed > 0 and max(low, claimed / ORDER) <= min(high, claimed * ORDER) \
                and min(high, claimed * ORDER) > 0:
            possible.add("supported")
        if low <= 0 or low < claimed / ORDER or high > claimed * ORDER:
            possible.add("not supported")
    return point, possible


def _pct(v: float) -> str:
    return "unbounded" if math.isinf(v) else f"{v:+.0%}"


CLAIM_COLUMNS = ("role_id", "claim", "source", "evidence", "verdict", "interval_allows",
                 "agreement")


def growth_claims(growth: pd.DataFrame, crosswalk: pd.DataFrame, shares: pd.DataFrame,
                  employment: pd.DataFrame, indeed_peaks: pd.DataFrame,
                  min_adverts: int = MIN_ADVERTS) -> pd.DataFrame:
    """Each growth claim with one evidence row per series and an overall row.

    A series' row: its verdict (of the estimate) and interval_allows (the other verdicts its
    interval allows, '; '-joined); the overall row: agreement (one of official.AGREEMENT)
    and the verdict the series share."""
    primary = crosswalk[crosswalk["is_primary"]].set_index("role_id")
    years = full_years(shares)
    emp = employment.set_index("occ_code")
    rows = []
    for _, g in growth.iterrows():
        role, pct = g["role_id"], float(g["growth_pct"])
        claim = f"{g['role_name']}: +{pct:g}% growth (period not stated)"
        base = {"role_id": role, "claim": claim}
        # the job board
        change = share_change(shares, role, *years) if years else None
        few = change is not None and min(change["first_postings"],
                                         change["last_postings"]) < min_adverts
        if change is None or years is None or few:  # no years, no change, or too few
            n = int(shares.loc[shares["role_id"] == role, "postings"].sum()) if len(shares) \
                else 0
            counts = (f" ({change['first_postings']:,} and {change['last_postings']:,}; at "
                      f"least {min_adverts} a year are needed)" if change and few else "")
            why = ("no title on the board maps to this role" if n == 0 else
                   f"too few adverts to compare {years[0]} and {years[1]}{counts}" if years
                   else "fewer than two whole years")
            rows.append({**base, "source": BOARD_SERIES, "evidence": why, "verdict": "no data",
                         "interval_allows": "", "agreement": ""})
            board = "no data"
        else:
            board, possible = growth_judgement(pct, change["growth"], change["low"],
                                               change["high"])
            rows.append({**base, "source": BOARD_SERIES, "evidence": (
                f"share of the board's distinct adverts, {years[0]} ({change['first_postings']}"
                f" adverts) to {years[1]} ({change['last_postings']}): {_pct(change['growth'])}"
                f" (95% interval {_pct(change['low'])} to {_pct(change['high'])})"),
                "verdict": board, "interval_allows": audit.allows_cell(board, possible),
                "agreement": ""})
        # BLS OEWS
        if role not in primary.index:
            rows.append({**base, "source": OEWS_SERIES, "verdict": "no data",
                         "evidence": "no SOC occupation stands for this role",
                         "interval_allows": "", "agreement": ""})
            official = "no data"
        else:
            p = primary.loc[role]
            text = f"{p['soc_code']} {p['soc_title']}"
            if p["soc_code"] in emp.index and pd.notna(emp.loc[p["soc_code"], "change"]):
                e = emp.loc[p["soc_code"]]
                text += (f": {e['first_employment']:,.0f} jobs in May {e['first_year']} to "
                         f"{e['last_employment']:,.0f} in May {e['last_year']}, "
                         f"{_pct(e['change'])}")
            official, possible = "no data", {"no data"}
            if p["closeness"] == "loose":
                text += (" - a loose match: the occupation is far broader than the role, so it "
                         "cannot test the role's growth")
            elif p["soc_code"] in emp.index and pd.notna(emp.loc[p["soc_code"], "change"]):
                e = emp.loc[p["soc_code"]]
                official, possible = growth_judgement(pct, e["change"], e["change_ci95_low"],
                                                      e["change_ci95_high"])
            rows.append({**base, "source": OEWS_SERIES, "evidence": text, "verdict": official,
                         "interval_allows": audit.allows_cell(official, possible),
                         "agreement": ""})
        # Indeed: sectors, never a title
        sectors = ", ".join(f"{r['series']} {_pct(r['change_from_peak'])} from its peak "
                            f"({r['peak_date']}) to {r['latest_date']}"
                            for _, r in indeed_peaks.iterrows() if r["series"] != "All US "
                            "postings")
        rows.append({**base, "source": INDEED_SERIES, "verdict": "no data",
                     "evidence": "Indeed's sectors group many titles and none tracks this one"
                                 + (f"; for context: {sectors}" if sectors else ""),
                     "interval_allows": "", "agreement": ""})
        agree, shared = agreement([board, official])
        rows.append({**base, "source": "overall", "evidence": "", "verdict": shared,
                     "interval_allows": "", "agreement": agree})
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
