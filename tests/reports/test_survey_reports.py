"""Survey evidence in the reports: committed vs recomputed, bad files, and the premium link."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, built_page, run_in, write
from survey_samples import BAD_ROWS, HEADER, MALFORMED, SNAPSHOT, need_snapshot, row

from aijobs.analysis import scenarios
from aijobs.devtools.figure_export import figures_in_page


def _tables(page: str) -> list[str]:
    return re.findall(r'<table class="aijobs-table">.*?</table>', page, re.S)


def test_reports_on_a_fresh_clone_use_the_committed_evidence(built_reports):
    for name in ("survey_evidence", "claims_audit", "compensation_bands"):
        page = built_page(built_reports, f"{name}").read_text()
        assert "the evidence stored with the suite: 74,301 rows read, 0 excluded" in page
        # the provenance every survey page states
        assert "Snapshot: salaries.csv, dated 2025-01-19." in page
        assert ('<a href="https://aijobs.net/salaries">https://aijobs.net/salaries</a> (CC0 1.0)'
                in page)
        assert "no bonus or equity" in page
        assert "Pairs: 96% of the rows read are the top and bottom of one posted range" in page
        # the slice's own share (US full-time), not the whole file's 53%
        assert ("Repeats: in this slice (company in US; living anywhere; all experience levels; "
                "employment FT; all years), 56% of the 34,243 postings sit in groups of "
                "identical postings (the largest group holds 161)") in page
    audit_page = built_page(built_reports, "claims_audit").read_text()
    assert ("Verdicts as the page is set: supported 3, partly supported 1, not supported 2, "
            "no data 9.") in audit_page
    # the answer first: the grid's summary, computed, before the table
    assert audit_page.index("3 of the 6 pay claims the job board can test are robust") \
        < audit_page.index("Evidence from the postings")
    assert ("for AI Research Scientist: $180K-$250K+ a year, it depends on the title map (not "
            "supported with titles as mapped; partly supported with the contested titles "
            "counted)") in audit_page
    # the population comparison once, not in every row
    assert audit_page.count("tech-hub averages (no source, date or sample given)") == 1
    for verdict in ("supported", "not supported", "no data"):
        assert f"<td>{verdict}</td>" in audit_page
    # the ranking test (cells carry a data-label)
    assert re.search(r"<td[^>]*>contradicts</td>", audit_page)
    # the rules and how to read the verdicts are Notes at the end, each linked where it is used
    notes = audit_page.index('<section class="notes" id="notes">')
    assert audit_page.rindex("An end is off when it differs by 15% or more") > notes
    assert 'id="The-rules"' not in audit_page and 'id="Reading-the-verdicts"' not in audit_page
    for title in ("The rule for pay bands", "Reading the verdicts", "The rule for robustness",
                  "The rule for two sources", "The rule for growth claims",
                  "The rule for the pay ranking"):
        assert audit_page.index(f"{title}: see <a href=\"#note-") < notes, title
        assert audit_page.index(f"<strong>{title}.</strong>") > notes, title
    evidence_page = built_page(built_reports, "survey_evidence").read_text()
    assert "1 January to 19 January 2025 only" in evidence_page
    # research scientists: -4.0% (-9.0% to +1.3%) with repeats dropped, -28.9% with them kept;
    # the dropped reading's interval spans zero, so no sign flips, but the size moves
    assert ("The size of the premium depends on how identical postings are counted for: "
            "AI Research Scientist (the other reading lies outside the interval).") in evidence_page
    assert "The sign of the premium depends" not in evidence_page


def test_survey_path_recomputes_the_same_numbers(built_reports, good_report, tmp_path):
    """claims_audit and survey_evidence built with survey_path the snapshot: survey_evidence's
    is good_report's build (the same command), claims_audit is built here."""
    need_snapshot()
    result = run_in(ROOT, "build", "claims_audit", "-p", "survey_path", str(SNAPSHOT),
                    "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name, folder in (("claims_audit", tmp_path), ("survey_evidence", good_report)):
        fresh = built_page(folder, f"{name}").read_text()
        committed = built_page(built_reports, f"{name}").read_text()
        assert "recomputed from salaries.csv" in fresh
        # every table of figures is identical; the provenance note and the sources differ
        def figures(page: str) -> list[str]:
            return [t for t in _tables(page) if "<th>Entered in the suite</th>" not in t
                    and "<th>Setting</th>" not in t]  # the settings name the file given

        assert figures(fresh)[2:] == figures(committed)[2:]
        assert len(figures(fresh)) == len(figures(committed))
        described = ("snapshot of 2025-01-19, recognised by its md5 "
                     "(1884e0b0e63118c58785e40c82a5d63d) (given in the settings)")
        assert any(described in t for t in _tables(fresh)
                   if "<th>Entered in the suite</th>" in t)  # the sources table


def test_compensation_chart_shows_survey_percentiles(built_reports):
    fig = figures_in_page(built_page(built_reports, "compensation_bands").read_text())[1]
    iqr = next(t for t in fig["data"] if t["name"] == "Survey p25-p75")
    # AI/ML engineer distinct adverts' midpoints, p25-p75: $156,400 to $221,844 (with repeats
    # kept, SURVEY-NOTES' postings: $165,000 to $231,450)
    xs = [x for x in iqr["x"] if x is not None]
    assert 156.4 in xs and 221.844 in xs
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "n=1,589" in notes


def test_entry_level_view_for_career_changers(built_reports, tmp_path):
    page = built_page(built_reports, "compensation_bands").read_text()
    assert "Entry-level pay, for career changers" in page
    # AI/ML engineer entry-level distinct adverts: 90, median $142,162.50 (committed evidence)
    assert re.search(r"<td[^>]*>90</td><td[^>]*>\$142,162</td>", page)
    result = run_in(ROOT, "build", "survey_evidence", "-p", "experience_levels", '["EN"]',
                    "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "experience level EN" in built_page(tmp_path, "survey_evidence").read_text()


@pytest.mark.slow
def test_region_choice_sets_the_multiplier(tmp_path):
    result = run_in(ROOT, "build", "compensation_bands", "-p", "region", "GB",
                    "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = built_page(tmp_path, "compensation_bands").read_text()
    band = next(t for t in figures_in_page(page)[0]["data"] if t["name"] == "Pay band")
    # GB: median 110,736 over the US median 185,500 (distinct adverts, midpoints) = 0.59696
    assert band["base"][0] == pytest.approx(140 * 0.59696, abs=1e-3)
    bad = run_in(ROOT, "build", "compensation_bands", "-p", "region", "ZZ",
                 "--output-dir", str(tmp_path))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "parameter region: 'ZZ' has no reliable survey ratio; choose from CA, DE, GB, US" \
        in bad.stderr


def test_scenarios_start_from_the_survey_premium(built_reports):
    premiums, note = scenarios.calibrated_premiums()
    # distinct adverts' midpoints, US full-time, 2024-25: 3.6% over Software Engineer adverts
    assert premiums["ai_ml_engineer"] == pytest.approx(0.035744)
    assert premiums["ai_research_scientist"] == 0.0  # below the baseline: no scarcity premium
    page = built_page(built_reports, "scenario_title_gap").read_text()
    assert "Premium used: Job-board title gap (aijobs.net): see <a" in page
    assert ("<strong>Premium used: Job-board title gap (aijobs.net).</strong> An AI job title "
            "against Software Engineer") in page
    # research scientists' gap is negative: no premium to normalize, and the page says so
    assert "no premium to normalize (estimate -4.0%)" in page


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
    before = built_page(good_report, "survey_evidence").read_bytes()
    bad = tmp_path / "bad.csv"
    if case == "binary file":
        bad.write_bytes(bytes(range(256)) * 8)
        message = "a binary file, not a table"
    else:
        text, message = MALFORMED[case]
        write(bad, text)
    folder = _snapshot(good_report)
    result = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(bad),
                    "--output-dir", str(good_report))
    # raised inside the notebook, a bad input is reported as any bad input is: exit 2 and one
    # line naming the report and the file; nothing in the folder changes (no _failed/ copy)
    assert result.returncode == 2, result.stderr
    line, = result.stderr.strip().splitlines()
    # says which report (a variant of survey_evidence: its settings differ) and which file
    assert re.match(rf"error: survey_evidence--[0-9a-f]{{10}}: {re.escape(str(bad))}: ", line)
    assert re.search(message, line), line
    assert "Traceback" not in result.stderr
    assert built_page(good_report, "survey_evidence").read_bytes() == before
    assert _snapshot(good_report) == folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_bad_survey_file_through_make_is_one_line_and_keeps_the_good_page(good_report,
                                                                            tmp_path):
    """The same through make (the path the README gives): aijobs's one line, and make's own
    line that it stopped, with aijobs's status 2 (a failing report used to give 1)."""
    bad = write(tmp_path / "future.csv", HEADER + row(year=2999) * 3)
    folder = _snapshot(good_report)
    env = {k: v for k, v in os.environ.items() if k not in ("PARAMS", "OUT", "NAME")}
    result = subprocess.run(["make", "-s", f"BIN={Path(sys.executable).parent}", "STAMP=",
                             "report", "NAME=survey_evidence", f"PARAMS=-p survey_path {bad}",
                             f"OUT={good_report}"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env=env)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    # "make[1]: ***" when make itself runs the tests (make test)
    assert len(lines) == 2 and re.match(r"make(\[\d+\])?: \*\*\* ", lines[1]) and lines[
        1].endswith("Error 2"), result.stderr
    assert re.match(rf"error: survey_evidence--[0-9a-f]{{10}}: {re.escape(str(bad))}: none of "
                    "its 3 rows can be used: 3 because work_year is in the future", lines[0])
    assert _snapshot(good_report) == folder


def test_bad_rows_are_counted_in_the_report_or_stop_it_when_strict(good_report, tmp_path):
    body = row() * 40 + "".join(bad for bad, _ in BAD_ROWS.values())
    file = write(tmp_path / "rows.csv", HEADER + body)
    out = tmp_path / "out"
    result = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(file),
                    "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    page = built_page(out, "survey_evidence").read_text()
    assert f"{40 + len(BAD_ROWS)} rows read, {len(BAD_ROWS)} excluded" in page
    for _, reason in BAD_ROWS.values():
        assert reason in page
    before = built_page(good_report, "survey_evidence").read_bytes()
    strict = run_in(ROOT, "build", "survey_evidence", "-p", "survey_path", str(file),
                    "-p", "survey_strict", "true", "--output-dir", str(good_report))
    assert strict.returncode == 2
    assert len(strict.stderr.strip().splitlines()) == 1, strict.stderr
    assert "line 42, column salary_in_usd: salary_in_usd is not a number (got 'lots')" \
        in strict.stderr
    assert built_page(good_report, "survey_evidence").read_bytes() == before


@pytest.mark.slow
def test_a_file_with_no_ai_role_builds_pages_that_say_so(tmp_path):
    file = write(tmp_path / "sister.csv", HEADER + "".join(
        row("Data Scientist", 100_000 + i) for i in range(40)))
    for name in ("survey_evidence", "claims_audit"):
        result = run_in(ROOT, "build", name, "-p", "survey_path", str(file),
                        "--output-dir", str(tmp_path / "out"))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    page = built_page(tmp_path / "out", "claims_audit").read_text()
    assert "Verdicts as the page is set: no data 15." in page
    assert "The job board can test none of the article's pay claims in this slice." \
        in html.unescape(page)


def test_survey_derive_checks_its_date_and_writes_nothing_when_wrong(tmp_path):
    need_snapshot()
    result = run_in(ROOT, "survey-derive", str(SNAPSHOT), "--date", "notadate",
                    "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == ("error: --date: got 'notadate'; expected a date as YYYY-MM-DD, "
                             "e.g. 2025-01-19\n")
    assert not (tmp_path / "out").exists()
    bad = run_in(ROOT, "survey-derive", str(tmp_path / "missing.csv"))
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    assert "survey file not found" in bad.stderr


def test_a_build_failing_on_an_invalid_derived_set_changes_nothing_in_the_folder(project_copy,
                                                                                 tmp_path):
    """The index too: a failing build used to write it again, its data line without the
    survey (read from the now invalid set)."""
    out = tmp_path / "out"
    first = run_in(project_copy, "build", "survey_evidence", "compensation_bands",
                   "--output-dir", str(out))
    assert first.returncode == 0, first.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "the aijobs.net salary survey: snapshot of 2025-01-19" in index  # its data line
    folder = _snapshot(out)
    # a set that no longer validates, and whose sidecars no longer give the snapshot's date
    # (as a set derived from a file outside a dated folder gives none)
    meta = project_copy / "data" / "derived" / "survey_percentiles.meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "snapshot_date: '2025-01-19'", "snapshot_date: null"), encoding="utf-8")
    years = project_copy / "data" / "derived" / "survey_years.csv"
    lines = years.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[1] = "-7"  # n_rows of the first year: at least 0
    years.write_text("".join([lines[0], ",".join(fields), *lines[2:]]), encoding="utf-8")
    failed = run_in(project_copy, "build", "survey_evidence", "--output-dir", str(out))
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr == (
        "error: survey_evidence: data/derived/survey_years.csv is not a valid "
        "'derived/survey_years' table (1 problem): data/derived/survey_years.csv, row 1 "
        "(line 2), column n_rows: got '-7', too small; expected a whole number at least 0\n")
    assert _snapshot(out) == folder  # every file, index.html with it, byte for byte
