"""What a premium implies: the non-AI pay it puts under each role, against non-AI pay observed.

A scenario reads today's pay as ``baseline × (1 + premium)``, so a premium and today's pay
imply a baseline: ``pay / (1 + premium)``. That baseline should look like what comparable
non-AI work is paid. `implied_baselines` computes it per role; `observed_baselines` lists the
non-AI pay the suite observes (the job board's Software Engineer postings, official pay of
software developers and of data scientists); `baseline_check` sets each role's implied
baseline beside each observed one and says whether it lies within MARGIN of it. Nothing is
refused: the page says where the two disagree.
"""

from __future__ import annotations

import pandas as pd

MARGIN = 0.15  # an implied baseline within 15% of an observed one is called consistent
OFFICIAL_BASELINES = {"15-1252": "software_developers", "15-2051": "data_scientists"}


def observed_baselines(board_premium: pd.DataFrame | None, board_years: list[int],
                       board_repeats: str, oews: pd.DataFrame | None) -> pd.DataFrame:
    """Non-AI pay observed: baseline_id, label, median_usd, n, source.

    board_premium: survey_premium rows (one pay measure and repeats policy, group all,
    baseline software_engineer); its baseline_median_usd is the board's Software Engineer
    median over `board_years`. oews: oews_occupations; the latest May's median of Software
    Developers (15-1252) and Data Scientists (15-2051).
    """
    rows = []
    # the board's Software Engineer median only where the slice has one (a snapshot without
    # Software Engineer postings leaves it empty: no baseline observed, as for OEWS below)
    if board_premium is not None and len(board_premium) \
            and pd.notna(board_premium.iloc[0]["baseline_median_usd"]):
        first = board_premium.iloc[0]
        years = "-".join(str(y) for y in (board_years[0], board_years[-1])) if board_years \
            else "all years"
        adverts = "each advert once" if board_repeats == "drop" else "repeated adverts kept"
        rows.append({"baseline_id": "board_software_engineer",
                     "label": f"Software Engineer postings on the job board ({years}, "
                              f"{adverts})",
                     "short_label": "board's Software Engineer median",
                     "median_usd": float(first["baseline_median_usd"]),
                     "n": int(first["n_baseline"]), "source": "aijobs.net"})
    if oews is not None and len(oews):
        year = int(oews["year"].max())
        latest = oews[oews["year"] == year].set_index("occ_code")
        for code, bid in OFFICIAL_BASELINES.items():
            if code in latest.index and pd.notna(latest.loc[code, "p50_usd"]):
                o = latest.loc[code]
                rows.append({"baseline_id": bid,
                             "label": f"{o['occ_title']} ({code}), BLS OEWS May {year}",
                             "short_label": f"official {o['occ_title']} median",
                             "median_usd": float(o["p50_usd"]), "n": int(o["employment"]),
                             "source": "BLS OEWS"})
    return pd.DataFrame(rows, columns=["baseline_id", "label", "short_label", "median_usd",
                                       "n", "source"])


def implied_baselines(bands: pd.DataFrame, midpoints: pd.Series,
                      premiums: dict[str, float]) -> pd.DataFrame:
    """Per role: today's midpoint, the premium used and the non-AI pay they imply,
    midpoint / (1 + premium)."""
    out = bands[["role_id", "role_name"]].copy()
    out["mid_today_usd"] = midpoints.to_numpy(float)
    out["premium"] = [float(premiums[r]) for r in out["role_id"]]
    out["implied_baseline_usd"] = out["mid_today_usd"] / (1 + out["premium"])
    return out.reset_index(drop=True)


def baseline_check(implied: pd.DataFrame, observed: pd.DataFrame,
                   margin: float = MARGIN) -> pd.DataFrame:
    """Each role's implied baseline beside each observed baseline: gap = implied / observed
    - 1, and is_consistent when |gap| < margin."""
    rows = []
    for r in implied.itertuples():
        for o in observed.itertuples():
            gap = r.implied_baseline_usd / o.median_usd - 1
            rows.append({"role_id": r.role_id, "role_name": r.role_name,
                         "implied_baseline_usd": r.implied_baseline_usd,
                         "premium": r.premium, "baseline_id": o.baseline_id,
                         "short_label": o.short_label, "observed_usd": o.median_usd,
                         "gap": gap, "is_consistent": abs(gap) < margin})
    return pd.DataFrame(rows, columns=["role_id", "role_name", "implied_baseline_usd",
                                       "premium", "baseline_id", "short_label",
                                       "observed_usd", "gap", "is_consistent"])
