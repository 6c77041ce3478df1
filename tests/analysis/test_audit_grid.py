"""The claims audit's robustness grid, 'can exceed' rule, precision apart from direction and
dominance, on small constructed data whose verdicts are worked out by hand."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from aijobs.analysis import audit
from aijobs.survey import evidence

CELLS = list(itertools.product(*(v for _, v in audit.GRID)))
HEADLINE = ("drop", "as mapped", "all years")

# A band of $150K-$220K. Posted range $150K-$220K with a median posting of $185K: both ends
# within 15% and the median inside: supported. Range $110K-$160K, median $135K: low end
# 150/110 - 1 = 36% off, high end 220/160 - 1 = 37.5% off, median outside: not supported.
FITS = {"min": 150_000, "max": 220_000, "p50": 185_000}
MISSES = {"min": 110_000, "max": 160_000, "p50": 135_000}


def _stats(role: str, values: dict, *, spread: float = 1_000, dominated: float | None = None,
           share: tuple[float, float, float] = (math.nan,) * 3) -> dict:
    """One role's cell with tight intervals (spread either side) unless told otherwise."""
    row = {"role_id": role, "n_postings": 400, "n_rows": 400, "n_adverts": 400,
           "p25_usd": values["p50"] - 20_000, "p50_usd": values["p50"],
           "p75_usd": values["p50"] + 20_000,
           "p50_ci95_low_usd": values["p50"] - spread, "p50_ci95_high_usd": values["p50"] + spread,
           "median_range_min_usd": values["min"],
           "median_range_min_ci95_low_usd": values["min"] - spread,
           "median_range_min_ci95_high_usd": values["min"] + spread,
           "median_range_max_usd": values["max"],
           "median_range_max_ci95_low_usd": values["max"] - spread,
           "median_range_max_ci95_high_usd": values["max"] + spread,
           "top_advert_share": dominated or 0.01, "is_dominated": dominated is not None,
           "reliability": "use with caution" if dominated else "reliable",
           "reliability_reason": "", "top_above_share": share[0],
           "top_above_ci95_low": share[1], "top_above_ci95_high": share[2]}
    return row


def _grid(cell_stats) -> pd.DataFrame:
    """cell_stats(cell) -> list of role rows; keyed into a survey_claim_grid slice."""
    rows = []
    for cell in CELLS:
        for r in cell_stats(cell):
            rows.append(dict(zip(("repeats", "title_map", "period"), cell, strict=True)) | r)
    return pd.DataFrame(rows)


BANDS = pd.DataFrame([{"role_id": "mlops_engineer", "role_name": "MLOps Engineer",
                       "salary_low_usd": 150_000, "salary_high_usd": 220_000,
                       "is_open_ended": False, "source_section": "pay_highest"}])
EMPTY = {"growth": pd.DataFrame(columns=["role_name", "growth_pct", "source_section"]),
         "claims": pd.DataFrame(columns=["is_quantified", "claim_label", "value", "unit",
                                         "source_section"]).astype({"is_quantified": bool}),
         "steps": pd.DataFrame(columns=["step_kind", "step_label", "duration_months_min",
                                        "duration_months_max", "source_section"])}


def _audit(grid: pd.DataFrame, bands: pd.DataFrame = BANDS, repeats: str = "drop"):
    out = audit.claims_audit(bands, pd.DataFrame(), EMPTY["growth"], EMPTY["claims"],
                             EMPTY["steps"], evidence_text="", population="-", min_n=30,
                             grid=grid, repeats=repeats)
    return out.set_index("kind")


def test_a_claim_that_holds_in_every_variant_is_robust():
    row = _audit(_grid(lambda cell: [_stats("mlops_engineer", FITS)])).loc["pay band"]
    assert row["verdict"] == "supported"
    assert (row["variants_agreeing"], row["n_variants"]) == (8, 8)
    assert row["is_robust"]
    assert row["depends_on"] == ""
    assert row["verdict_text"] == ("supported in all 8 variants; robust to every choice in the "
                                   "grid")


def test_a_claim_that_flips_only_with_the_title_map_says_so():
    grid = _grid(lambda cell: [_stats("mlops_engineer",
                                      MISSES if cell[1] == "with contested titles" else FITS)])
    row = _audit(grid).loc["pay band"]
    assert row["verdict"] == "supported"
    assert (row["variants_agreeing"], row["is_robust"]) == (4, False)
    assert row["depends_on"] == ("depends on the title map: supported with titles as mapped; "
                                 "not supported with the contested titles counted")
    assert row["verdict_text"].startswith("supported (4 of 8 variants agree); depends on the "
                                          "title map")
    # the opposite data: the contested titles make it fit, and the sentence turns round
    grid = _grid(lambda cell: [_stats("mlops_engineer",
                                      FITS if cell[1] == "with contested titles" else MISSES)])
    row = _audit(grid).loc["pay band"]
    assert row["verdict"] == "not supported"
    assert row["depends_on"] == ("depends on the title map: not supported with titles as "
                                 "mapped; supported with the contested titles counted")


def test_a_claim_that_flips_with_repeats_names_repeats_and_each_side():
    grid = _grid(lambda cell: [_stats("mlops_engineer", MISSES if cell[0] == "keep" else FITS)])
    row = _audit(grid).loc["pay band"]
    assert row["depends_on"] == ("depends on repeats: supported with repeats dropped; not "
                                 "supported with repeats kept")
    assert row["verdict_other_repeats"] == "not supported" and row["flips_with_repeats"]
    # the page set to keep repeats: its own verdict is the other side, named first
    row = _audit(grid, repeats="keep").loc["pay band"]
    assert row["verdict"] == "not supported"
    assert row["depends_on"] == ("depends on repeats: not supported with repeats kept; "
                                 "supported with repeats dropped")


def test_a_claim_that_moves_only_when_two_choices_meet_names_both():
    grid = _grid(lambda cell: [_stats("mlops_engineer", MISSES if cell[:2] == (
        "keep", "with contested titles") else FITS)])
    row = _audit(grid).loc["pay band"]
    assert row["variants_agreeing"] == 6
    assert row["depends_on"] == (
        "depends on repeats and the title map: supported with repeats dropped and titles as "
        "mapped or with repeats dropped and the contested titles counted or with repeats kept "
        "and titles as mapped; not supported with repeats kept and the contested titles "
        "counted")


def test_a_wide_interval_is_precision_not_direction():
    # the median range's high end $220K with an interval of $190K-$250K: at $190K the high end
    # is 220/190 - 1 = 15.8% off (partly supported); the estimate itself is supported
    wide = _grid(lambda cell: [_stats("mlops_engineer", FITS, spread=30_000)])
    row = _audit(wide).loc["pay band"]
    assert row["verdict"] == "supported"
    assert row["precision"].startswith("the interval also allows partly supported")
    assert row["verdict_text"].startswith("supported by the estimate in all 8 variants; the "
                                          "interval also allows partly supported")
    assert "borderline" not in row["verdict_text"]
    assert row["is_robust"]  # direction holds everywhere; precision is reported apart
    tight = _audit(_grid(lambda cell: [_stats("mlops_engineer", FITS)])).loc["pay band"]
    assert tight["precision"] == "" and "by the estimate" not in tight["verdict_text"]


def test_a_verdict_on_a_dominated_cell_says_so_and_is_never_robust():
    grid = _grid(lambda cell: [_stats("mlops_engineer", FITS,
                                      dominated=0.39 if cell == HEADLINE else None)])
    row = _audit(grid).loc["pay band"]
    assert (row["variants_agreeing"], row["is_robust"]) == (8, False)
    assert row["dominance"] == ("rests on a cell dominated by one advert as the page is set "
                                "(up to 39% of a cell's postings are one advert)")
    assert row["verdict_text"].endswith("so not called robust")
    assert "robust to every choice" not in row["verdict_text"]
    # dominated only where repeats are kept and titles as mapped: named by those choices
    grid = _grid(lambda cell: [_stats("mlops_engineer", FITS, dominated=0.46 if cell[:2] == (
        "keep", "as mapped") else None)])
    row = _audit(grid).loc["pay band"]
    assert "in the 2 variants with repeats kept and titles as mapped (up to 46%" in \
        row["dominance"]
    assert not row["is_robust"]


@pytest.mark.parametrize(("share", "verdict", "possible"), [
    ((0.24, 0.18, 0.30), "supported", {"supported"}),
    ((0.05, 0.02, 0.08), "not supported", {"not supported"}),
    ((0.14, 0.06, 0.29), "supported", {"supported", "not supported"}),
    ((0.08, 0.04, 0.15), "not supported", {"supported", "not supported"}),
    ((0.10, 0.07, 0.13), "not supported", {"supported", "not supported"}),
])
def test_can_exceed_is_judged_by_the_share_of_tops_above(share, verdict, possible):
    assert audit.exceed_judgement(*share) == (verdict, possible)


def _units(tops_above: int, n: int = 100, copies: int = 1, generic: int = 0) -> pd.DataFrame:
    """n distinct research-scientist adverts (each `copies` times), tops_above of them with a
    top of $300K (the rest $200K); plus `generic` distinct 'Research Scientist' adverts with a
    top of $300K, unmapped by the title map."""
    rows = []
    for i in range(n):
        for _ in range(copies):
            rows.append({"job_title": "AI Research Scientist", "role_id": "ai_research_scientist",
                         "advert_id": i, "max_usd": 300_000.0 if i < tops_above else 200_000.0,
                         "work_year": 2024 if i % 2 else 2023})
    for j in range(generic):
        rows.append({"job_title": "Research Scientist", "role_id": None, "advert_id": n + j,
                     "max_usd": 300_000.0, "work_year": 2024})
    frame = pd.DataFrame(rows)
    frame["min_usd"] = 150_000.0
    frame["pay_usd"] = (frame["min_usd"] + frame["max_usd"]) / 2
    frame["n_rows"] = 1
    frame["experience_level"] = "SE"
    frame["role_id"] = frame["role_id"].astype("category")
    return frame


def test_the_grid_table_counts_tops_above_the_claim_by_hand():
    tops = {"ai_research_scientist": 250_000.0}
    alternatives = {"Research Scientist": "ai_research_scientist"}
    grid = evidence.claim_grid(_units(30, generic=50), 30, tops, alternatives, 2024)
    cell = grid[(grid["group"] == "all")].set_index(["title_map", "period"])
    # as mapped, all years: 30 of 100 distinct adverts above $250K; Wilson at n = 100:
    # centre (0.3 + 1.96^2/200) / (1 + 1.96^2/100) = 0.30740, half-width
    # 1.96 / 1.038416 * sqrt(0.21/100 + 1.96^2/40000) = 0.08845
    mapped = cell.loc[("as mapped", "all years")]
    assert mapped["top_above_share"] == pytest.approx(0.30)
    assert mapped["top_above_ci95_low"] == pytest.approx(0.21895, abs=5e-5)
    assert mapped["top_above_ci95_high"] == pytest.approx(0.39585, abs=5e-5)
    # the contested title counted: 80 of 150
    assert cell.loc[("with contested titles", "all years"), "top_above_share"] == \
        pytest.approx(80 / 150)
    # latest full year 2024: the odd adverts (1, 3, ..., 29 above: 15 of 50)
    latest = cell.loc[("as mapped", "latest full year")]
    assert (latest["n_postings"], latest["period_years"]) == (50, "2024")
    assert latest["top_above_share"] == pytest.approx(0.30)
    assert cell.loc[("as mapped", "all years"), "period_years"] == "2023-2024"


def test_repeated_adverts_widen_the_share_interval():
    tops = {"ai_research_scientist": 250_000.0}
    once = evidence.claim_grid(_units(30), 30, tops, {}, 2024)
    thrice = evidence.claim_grid(_units(30, copies=3), 30, tops, {}, 2024)
    a = once[(once["group"] == "all") & (once["period"] == "all years")].iloc[0]
    b = thrice[(thrice["group"] == "all") & (thrice["period"] == "all years")].iloc[0]
    assert a["top_above_share"] == b["top_above_share"] == pytest.approx(0.30)
    # every advert three times: between-advert variance 100/99 * (30 * 2.1^2 + 70 * 0.9^2)
    # = 190.909, within 300/299 * (90 * 0.49 + 210 * 0.09) = 63.211: design effect 3.0202,
    # effective n 300 / 3.0202 = 99.33, so the Wilson interval is a shade wider than at 100
    # (counted as 300 independent postings it would be far narrower: about 0.25-0.35)
    n_eff, z = 300 / (190.909 / 63.211), 1.959964
    centre = (0.3 + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * math.sqrt(0.21 / n_eff + z * z / (4 * n_eff ** 2))
    assert b["top_above_ci95_low"] == pytest.approx(centre - half, abs=2e-5)
    assert b["top_above_ci95_high"] == pytest.approx(centre + half, abs=2e-5)
    assert b["top_above_ci95_low"] < a["top_above_ci95_low"]
    assert b["top_above_ci95_high"] > a["top_above_ci95_high"]


def test_can_exceed_through_the_audit_both_ways():
    bands = pd.DataFrame([{"role_id": "ai_research_scientist",
                           "role_name": "AI Research Scientist", "salary_low_usd": 150_000,
                           "salary_high_usd": 220_000, "is_open_ended": True,
                           "source_section": "pay_highest"}])

    def cells(share):
        return _grid(lambda cell: [_stats("ai_research_scientist", FITS, share=share)])
    row = _audit(cells((0.24, 0.18, 0.30)), bands).loc["open-ended top"]
    assert row["verdict"] == "supported"
    assert "24% advertise a top above $220K (95% CI 18%-30%)" in row["evidence"]
    row = _audit(cells((0.04, 0.02, 0.07)), bands).loc["open-ended top"]
    assert row["verdict"] == "not supported"
    assert row["verdict_text"].startswith("not supported in all 8 variants")
    row = _audit(cells((0.14, 0.06, 0.29)), bands).loc["open-ended top"]
    assert row["verdict_text"].startswith("supported by the estimate in all 8 variants; the "
                                          "interval also allows not supported")


def test_latest_full_year_skips_a_partial_year():
    import datetime as dt
    assert evidence.latest_full_year([2023, 2024, 2025], dt.date(2025, 1, 19)) == 2024
    assert evidence.latest_full_year([2023, 2024], dt.date(2025, 1, 19)) == 2024
    assert evidence.latest_full_year([2023, 2024, 2025], None) == 2025
    assert evidence.latest_full_year([2025], dt.date(2025, 1, 19)) is None


def test_depends_on_is_empty_when_the_grid_agrees():
    assert audit.depends_on({c: "supported" for c in CELLS}) == ""
    flips = {c: "supported" if c[2] == "all years" else "no data" for c in CELLS}
    assert audit.depends_on(flips) == ("depends on the period: supported with all years; no "
                                       "data with the latest full year only")


TWO = pd.concat([BANDS, pd.DataFrame([{
    "role_id": "ai_ml_engineer", "role_name": "AI/ML Engineer", "salary_low_usd": 100_000,
    "salary_high_usd": 160_000, "is_open_ended": False, "source_section": "pay_highest"}])],
    ignore_index=True)


def test_the_summary_sentence_follows_the_grid():
    # AI/ML Engineer's band $100K-$160K against MISSES: low end 110/100 (10%), high end equal,
    # median $135K inside: supported everywhere. The ranking (MLOps first) agrees while MLOps
    # sits at $185K; where MLOps falls to MISSES both medians are $135K: not in order.
    def audited(mlops):
        grid = _grid(lambda cell: [_stats("mlops_engineer", mlops(cell)),
                                   _stats("ai_ml_engineer", MISSES)])
        return _audit(grid, TWO).reset_index()
    text = audit.grid_summary(audited(lambda cell: FITS))
    assert text == (
        "All 3 pay claims the job board can test are robust (the same verdict in every variant of "
        "the grid, on no cell dominated by one advert): MLOps Engineer: $150K-$220K a year "
        "(supported), AI/ML Engineer: $100K-$160K a year (supported) and Roles ranked by pay: "
        "MLOps Engineer > AI/ML Engineer (supported).")
    text = audit.grid_summary(audited(
        lambda cell: MISSES if cell[1] == "with contested titles" else FITS))
    assert text == (
        "1 of the 3 pay claims the job board can test is robust (the same verdict in every variant "
        "of the grid, on no cell dominated by one advert): AI/ML Engineer: $100K-$160K a year "
        "(supported). 2 verdicts depend on a choice: for MLOps Engineer: $150K-$220K a year, "
        "it depends on the title map (supported with titles as mapped; not supported with the "
        "contested titles counted); for Roles ranked by pay: MLOps Engineer > AI/ML Engineer, "
        "it depends on the title map (supported with titles as mapped; not supported with the "
        "contested titles counted).")
    grid = _grid(lambda cell: [_stats("mlops_engineer", FITS, dominated=0.3),
                               _stats("ai_ml_engineer", MISSES)])
    text = audit.grid_summary(_audit(grid, TWO).reset_index())
    assert text.startswith("1 of the 3 pay claims the job board can test is robust")
    assert text.endswith(
        "2 verdicts hold in every variant but rest on a cell dominated by one advert, so "
        "they are not called robust: MLOps Engineer: $150K-$220K a year and Roles ranked by "
        "pay: MLOps Engineer > AI/ML Engineer.")


def test_scenario_pages_show_precision_apart_from_the_verdict():
    from aijobs.analysis import start_points
    from aijobs.notebook import scenario_pages

    def cell(spread):
        pay = pd.DataFrame([_stats("mlops_engineer", FITS, spread=spread)])
        audited = start_points.article_band_audit(BANDS, pay, pay).iloc[0]
        return scenario_pages.audit_cell(audited)
    assert cell(1_000) == "supported"
    # high end's interval $190K-$250K reaches 15% off at $190K (220/190 - 1 = 15.8%)
    assert cell(30_000) == ("supported by the estimate; the interval also allows partly "
                            "supported")


def _sensitivity(with_: dict, without: dict, *, spread: float = 1_000) -> pd.DataFrame:
    rows = []
    for variant, values in (("with", with_), ("without", without)):
        rows.append({"job_title": "AI Developer", "variant": variant,
                     **_stats("ml", values, spread=spread)})
    return pd.DataFrame(rows)


BAND = pd.DataFrame({"role_id": ["ml"], "salary_low_usd": [150_000],
                     "salary_high_usd": [220_000]})


def test_title_sensitivity_tight_intervals_give_bare_verdicts():
    # +-1K intervals stay clear of 150/1.15 = 130.4K, 150/0.85 = 176.5K (low end) and of
    # 220/1.15 = 191.3K, 220/0.85 = 258.8K (high end): one verdict each, nothing more to say
    out = audit.title_sensitivity(BAND, _sensitivity(FITS, MISSES)).iloc[0]
    assert out["verdict_with"] == "supported"
    assert out["verdict_without"] == "not supported"
    assert bool(out["verdict_changes"])
    same = audit.title_sensitivity(BAND, _sensitivity(FITS, FITS)).iloc[0]
    assert same["verdict_with"] == same["verdict_without"] == "supported"
    assert not bool(same["verdict_changes"])


def test_title_sensitivity_shows_precision_apart_from_direction():
    # posted max $220K, its interval stretched to $265K: it crosses 220/0.85 = 258.8K, where
    # the high end is 15% off; the low end ($150K +-1K) and the median ($185K +-1K, inside
    # the band) stay put. The estimate supports the band, the interval also allows partly
    # supported (one end off), and nothing else
    table = _sensitivity(FITS, FITS)
    table.loc[table["variant"] == "with", "median_range_max_ci95_high_usd"] = 265_000
    wide = audit.title_sensitivity(BAND, table).iloc[0]
    assert wide["verdict_with"] == ("supported by the estimate; the interval also allows "
                                    "partly supported")
    assert wide["verdict_without"] == "supported"
    # the estimates agree, so the verdict does not change with the title
    assert not bool(wide["verdict_changes"])
    # at $255K the interval stops short of 258.8K: the bare verdict again
    table.loc[table["variant"] == "with", "median_range_max_ci95_high_usd"] = 255_000
    assert audit.title_sensitivity(BAND, table).iloc[0]["verdict_with"] == "supported"
