"""Files a reviewer built to break the readers, run as a user runs them: `aijobs` in a process
of its own. Each gets one line on stderr that names the file, the place in it and what would
be right, exit status 2, no traceback, and the earlier result in the output folder unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

FIELDS = ("work_year", "experience_level", "employment_type", "job_title", "salary",
          "salary_currency", "salary_in_usd", "employee_residence", "remote_ratio",
          "company_location", "company_size")
ROW = ("2024", "SE", "FT", "Machine Learning Engineer", "150000", "USD", "150000", "US", "0",
       "US", "M")
RECORD = dict(zip(FIELDS, ROW, strict=True))


def aijobs(*argv: str, out: Path) -> tuple[int, str]:
    """Run `aijobs ARGV` in its own process (no build server); (exit status, stderr). The
    output folder `out` holds an earlier result, which must come through unchanged."""
    out.mkdir(exist_ok=True)
    earlier = out / "survey_percentiles.csv"
    earlier.write_text("an earlier derived table\n")
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", *argv], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "AIJOBS_BUILD_SERVER": "off"})
    assert earlier.read_text() == "an earlier derived table\n"
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr


def one_line(status: int, err: str) -> str:
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


@pytest.mark.parametrize("record, field, got, expected", [
    (3, "job_title", {"x": 1}, "got an object; expected text"),
    (1, "company_location", ["US"], "got a list; expected text"),
    (2, "salary_in_usd", {"usd": 150000}, "got an object; expected a number"),
])
def test_json_object_or_list_in_a_field(tmp_path, record, field, got, expected):
    records = [dict(RECORD) for _ in range(3)]
    records[record - 1][field] = got
    file = tmp_path / "w.json"
    file.write_text(json.dumps(records))
    line = one_line(*aijobs("survey-derive", str(file), "--output-dir", str(tmp_path / "out"),
                            out=tmp_path / "out"))
    assert line == f"{file}, record {record}, field {field}: {expected}"


def test_json_object_in_a_field_of_its_own_is_ignored(tmp_path):
    """A field that is not the survey's own (a site's metadata) is not read, so it may hold
    anything."""
    from aijobs.survey import reader

    records = [{**RECORD, "meta": {"site": "x"}} for _ in range(2)]
    (tmp_path / "s.json").write_text(json.dumps(records))
    survey = reader.read_survey(tmp_path / "s.json")
    assert survey.n_read == 2
    assert survey.ignored_columns == ["meta"]
