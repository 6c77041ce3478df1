"""Survey evidence in the reports: committed vs recomputed, bad files, and the premium link."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, run_in, write
from test_survey import BAD_ROWS, HEADER, MALFORMED, SNAPSHOT, need_snapshot, row

from aijobs.analysis import scenarios
from aijobs.devtools.figure_export import figures_in_page


def _tables(page: str) -> list[str]:
    return re.findall(r'<table class="aijobs-table">.*?</table>', page, re.S)


def test_reports_on_a_fresh_clone_use_the_committed_evidence(built_reports):
    for name in ("survey_evidence", "claims_audit", "compensation_bands"):
        page = (built_reports / f"{name}.html").read_text()
        assert "committed evidence in data/derived/: 74,301 rows read, 0 excluded" in page
    audit_page = (built_reports / "claims_audit.html").read_text()
    assert "Verdicts: supported" in audit_page
    for verdict in ("supported", "no data"):
        assert f"<td>{verdict}</td>" in audit_page
    assert "overlap by at least half of each" in audit_page


def test_survey_path_recomputes_the_same_numbers(built_reports, tmp_path):
    need_snapshot()
    for name in ("claims_audit", "survey_evidence"):
        result = run_in(ROOT, "build", name, "-p", "survey_path", str(SNAPSHOT),
                        "--output-dir", str(tmp_path))
        assert result.returncode == 0, result.stderr
        fresh = (tmp_path / f"{name}.html").read_text()
        committed = (built_reports / f"{name}.html").read_text()
        assert "recomputed from 2025-01-19/salaries.csv" in fresh
        # every table of figures is identical; the provenance note and the sources differ
        assert _tables(fresh)[2:-1] == _tables(committed)[2:-1]
        assert "aijobs.net salary survey file given as survey_path" in _tables(fresh)[-1]
        assert len(_tables(fresh)) == len(_tables(committed))


def test_compensation_chart_shows_survey_percentiles(built_reports):
    fig = figures_in_page((built_reports / "compensation_bands.html").read_text())[1]
    iqr = next(t for t in fig["data"] if t["name"] == "Survey p25-p75")
    # AI/ML engineer p25-p75 from the committed evidence: $145,000 to $243,300
    xs = [x for x in iqr["x"] if x is not None]
    assert 145.0 in xs and 243.3 in xs
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "n=6,041" in notes


def test_region_choice_sets_the_multiplier(tmp_path):
    result = run_in(ROOT, "build", "compensation_bands", "-p", "region", "GB",
                    "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "compensation_bands.html").read_text()
    band = next(t for t in figures_in_page(page)[0]["data"] if t["name"] == "Pay band")
    # GB's ratio to the US in the committed evidence is 0.651408: 140K x 0.651408 = 91.197
    assert band["base"][0] == pytest.approx(140 * 0.651408, abs=1e-3)
    bad = run_in(ROOT, "build", "compensation_bands", "-p", "region", "ZZ",
                 "--output-dir", str(tmp_path))
    assert bad.returncode == 1
    assert ("parameter region: 'ZZ' has no survey ratio with enough responses; choose from "
            "CA, DE, GB, US") \
        in bad.stderr


def test_scenarios_start_from_the_survey_premium(built_reports):
    premiums, note = scenarios.calibrated_premiums()
    assert premiums["ai_ml_engineer"] == pytest.approx(0.031173)
    assert premiums["ai_research_scientist"] == 0.0  # below the baseline: no scarcity premium
    page = (built_reports / "scenario_baseline.html").read_text()
    assert "Premium used: premium per role from the aijobs.net survey" in page


@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    need_snapshot()
    out = tmp_path_factory.mktemp("survey_reports")
    result = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(SNAPSHOT),
                    "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("case", [*MALFORMED, "binary file"], ids=[*MALFORMED, "binary file"])
def test_a_bad_survey_file_fails_the_report_and_keeps_the_last_good_one(good_report, tmp_path,
                                                                        case):
    before = (good_report / "survey_evidence.html").read_bytes()
    bad = tmp_path / "bad.csv"
    if case == "binary file":
        bad.write_bytes(bytes(range(256)) * 8)
        message = "a binary file, not a table"
    else:
        text, message = MALFORMED[case]
        write(bad, text)
    result = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(bad),
                    "--output-dir", str(good_report))
    assert result.returncode == 1
    assert "raised DataError" in result.stderr and message in result.stderr
    assert str(bad) in result.stderr  # says which file
    assert (good_report / "survey_evidence.html").read_bytes() == before


def test_bad_rows_are_counted_in_the_report_or_stop_it_when_strict(good_report, tmp_path):
    body = row() * 40 + "".join(bad for bad, _ in BAD_ROWS.values())
    file = write(tmp_path / "rows.csv", HEADER + body)
    out = tmp_path / "out"
    result = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(file),
                    "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    page = (out / "survey_evidence.html").read_text()
    assert "45 rows read, 5 excluded" in page
    for _, reason in BAD_ROWS.values():
        assert reason in page
    before = (good_report / "survey_evidence.html").read_bytes()
    strict = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(file),
                    "-p", "survey_strict", "true", "--output-dir", str(good_report))
    assert strict.returncode == 1
    assert "line 42, column salary_in_usd: salary_in_usd is not a number (got 'lots')" \
        in strict.stderr
    assert (good_report / "survey_evidence.html").read_bytes() == before
