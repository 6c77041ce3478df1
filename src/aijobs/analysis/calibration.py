"""Calibration: what the premium's observed history says about the normalization rate (a
weighted line through log premium by work year, a backtest), and per-role premiums measured
on the job board."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from aijobs import paths, words
from aijobs.data import tables
from aijobs.survey import evidence
from aijobs.survey.summaries import Z95


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
    # pooled over the matched years: distinct adverts' midpoints over Software Engineer
    usable = frame[(frame["pay_measure"] == "midpoint") & (frame["repeats"] == "drop")
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
    return premiums, (f"premium per role from aijobs.net job postings: median pay of "
                      f"distinct adverts (range midpoints) over the Software Engineer median "
                      f"({origin['filters_text']}; years {years}; "
                      f"{origin['pairing']['postings']:,} postings from "
                      f"{origin['rows_read']:,} rows, {origin['pairing']['paired_share']:.0%} "
                      "of which are the two ends of a posted range): "
                      f"{shown}; roles below the baseline are given 0")



def premium_history(ev: evidence.Evidence | None = None,
                    repeats: str | None = None) -> pd.DataFrame:
    """The premium's path over work years (survey_premium_path), computable rows only, from
    `ev` or the committed evidence, under its repeats policy or `repeats` (keep, drop)."""
    history = (ev or evidence.load_evidence()).view("survey_premium_path", repeats)
    return history[history["is_computable"]].reset_index(drop=True)


def other_repeats(ev: evidence.Evidence | None = None) -> str:
    """The repeats policy that is not the evidence's own: the sensitivity a fitted rate must
    survive."""
    own = ev.repeats if ev is not None else "drop"
    return "keep" if own == "drop" else "drop"




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


# A rate is identified only from this many like-for-like years: with two or three points a
# line through log premium has at most one residual degree of freedom, and one odd year
# (a single large advert, a change in the board's mix) decides its sign.
MIN_RATE_YEARS = 4


def observed_rate(path: pd.DataFrame, other: pd.DataFrame | None = None,
                  other_label: str = "with repeated adverts kept") -> tuple[float, str]:
    """The normalization rate to use for `normalization_rate_source: observed`, and a sentence
    saying where it comes from or why there is none.

    A role's rate counts as identified only when its path has at least MIN_RATE_YEARS usable
    years and, where `other` (the same path under the other repeats choice) is given, the
    fitted rate has the same sign there too. Among identified roles the one with the longest
    history is used. With none, no rate can be identified from the file: the scenario keeps
    the premium flat (rate 0) and the sentence says why. A premium that grew is held flat too,
    since rate mode cannot follow growth."""
    best, fit, problems = None, None, []
    longest = 0
    for role, rows in path.groupby("role_id", sort=True):
        f = fit_normalization_rate(rows)
        longest = max(longest, f["n_years"])
        if f["n_years"] < MIN_RATE_YEARS:
            continue
        if other is not None:
            g = fit_normalization_rate(other[other["role_id"] == role])
            if g["n_years"] < MIN_RATE_YEARS:
                problems.append(f"{role} has {words.count(g['n_years'], 'usable year')} "
                                f"{other_label}")
                continue
            if (f["rate"] >= 0) != (g["rate"] >= 0):
                problems.append(f"{role}'s fitted rate changes sign {other_label} "
                                f"({f['rate']:+.1%} against {g['rate']:+.1%} a year)")
                continue
        if fit is None or f["n_years"] > fit["n_years"]:
            best, fit = role, f
    if fit is None:
        why = (f"the longest like-for-like premium history has "
               f"{words.count(longest, 'usable year')}, and a rate needs at least "
               f"{MIN_RATE_YEARS}") if not problems else "; ".join(problems)
        return 0.0, (f"no rate can be identified from this file ({why}), so the scenario "
                     "keeps the premium flat (rate 0)")
    years = f"{fit['years'][0]}-{fit['years'][-1]}"
    text = (f"fitted to {best}'s premium over the history baseline in {fit['n_years']} work "
            f"years ({years}): {fit['rate']:+.1%} a year (95% interval "
            f"{fit['rate_ci95_low']:+.1%} to {fit['rate_ci95_high']:+.1%})")
    if other is not None:
        text += f"; its sign is the same {other_label}"
    if fit["rate"] < 0:
        return 0.0, (text + "; the premium grew over those years, which rate mode cannot "
                     "follow, so the scenario holds it flat (rate 0)")
    return min(fit["rate"], 0.99), text
