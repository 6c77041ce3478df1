"""A baseline the evidence does not hold (a snapshot with no Software Engineer posting) is left
out of the check, as an OEWS median without an estimate is, rather than checked as NaN (the
scenario pages failed on it)."""

from __future__ import annotations

import math

import pandas as pd

from aijobs.analysis import baselines

OEWS = pd.DataFrame({"year": [2024], "occ_code": ["15-1252"], "p50_usd": [130_000.0],
                     "occ_title": ["Software Developers"], "employment": [1_654_440]})
IMPLIED = pd.DataFrame({"role_id": ["ai_ml_engineer"], "role_name": ["AI/ML Engineer"],
                        "implied_baseline_usd": [143_000.0], "premium": [0.25]})


def _board(median: float, n: int) -> pd.DataFrame:
    return pd.DataFrame({"baseline_median_usd": [median], "n_baseline": [n]})


def test_an_unobserved_board_baseline_is_left_out():
    observed = baselines.observed_baselines(_board(math.nan, 0), [], "drop", OEWS)
    assert observed["baseline_id"].tolist() == ["software_developers"]
    check = baselines.baseline_check(IMPLIED, observed)
    # 143,000 / 130,000 - 1 = 0.10: inside the margin
    assert check["gap"].round(6).tolist() == [0.1]
    assert check["is_consistent"].tolist() == [abs(0.1) < baselines.MARGIN]


def test_an_observed_board_baseline_comes_first():
    observed = baselines.observed_baselines(_board(110_000.0, 41), [2023, 2024], "drop", OEWS)
    assert observed["baseline_id"].tolist() == ["board_software_engineer", "software_developers"]
    assert observed["median_usd"].tolist() == [110_000.0, 130_000.0]
    assert observed["label"].iloc[0] == ("Software Engineer postings on the job board "
                                         "(2023-2024, each advert once)")
    # 143,000 / 110,000 - 1 = 0.3
    assert baselines.baseline_check(IMPLIED, observed)["gap"].round(6).tolist() == [0.3, 0.1]
