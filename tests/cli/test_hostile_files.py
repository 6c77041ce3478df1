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

from aijobs import paths

FIELDS = ("work_year", "experience_level", "employment_type", "job_title", "salary",
          "salary_currency", "salary_in_usd", "employee_residence", "remote_ratio",
          "company_location", "company_size")
ROW = ("2024", "SE", "FT", "Machine Learning Engineer", "150000", "USD", "150000", "US", "0",
       "US", "M")
RECORD = dict(zip(FIELDS, ROW, strict=True))


def aijobs(*argv: str, out: Path) -> tuple[int, str]:
    """Run `aijobs ARGV` in its own process; (exit status, stderr). A build goes to the test
    session's build server, as a user's goes to the one `make report` starts
    (test_build_server.py shows served and lone builds print the same). The output folder
    `out` holds an earlier result, which must come through unchanged."""
    out.mkdir(exist_ok=True)
    earlier = out / "survey_percentiles.csv"
    earlier.write_text("an earlier derived table\n")
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", *argv], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env=os.environ)
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


def _bands_with(line: int, change) -> str:
    """data/salary_bands.csv with `change` applied to the text of line `line` (1: header)."""
    lines = paths.table_path("salary_bands").read_text().splitlines()
    lines[line - 1] = change(lines[line - 1])
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("line, change, fields", [
    (2, lambda text: text + ",extra", 9),  # pandas took the first column as an index
    (4, lambda text: text.rsplit(",", 1)[0], 7),  # pandas filled the last cell as empty
    (6, lambda text: text.rsplit(",", 3)[0], 5),  # the last row
])
def test_table_row_with_more_or_fewer_fields_than_the_header(tmp_path, line, change, fields):
    file = tmp_path / "bands.csv"
    file.write_text(_bands_with(line, change))
    line_text = one_line(*aijobs("validate", "salary_bands", "--file", str(file),
                                 out=tmp_path / "out"))
    assert line_text == (f"{file}, line {line}: {fields} fields, the header has 8; each row "
                         "needs as many comma-separated fields as the header (quote a value "
                         "that holds a comma)")


def test_table_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path):
    from aijobs.data import tables

    header = paths.table_path("salary_bands").read_text().splitlines()[0]
    file = tmp_path / "bands.csv"
    # line 2 blank, lines 3-4 one record (a quoted newline), line 5 one field short
    file.write_text(f'{header}\n\na,1,2,true,"x\ny",USD,annual,s\na,1,2,true,x,USD,annual\n')
    with pytest.raises(tables.DataError, match=r"bands.csv, line 5: 7 fields, the header has 8"):
        tables.load_table("salary_bands", file)


def test_table_lines_of_spaces_are_blank_lines(tmp_path):
    """A line holding only spaces is skipped, as pandas skips it (it is no one-field row)."""
    from aijobs.data import tables

    file = tmp_path / "bands.csv"
    file.write_text(paths.table_path("salary_bands").read_text() + "  \n\t\n")
    assert len(tables.load_table("salary_bands", file)) == 5


def test_a_stray_quote_before_a_long_table_is_one_line(tmp_path):
    """A quote opened on line 2 of a file longer than the csv module's field limit (128 KB)
    and never closed: one line naming line 2, not the csv module's traceback."""
    header = paths.table_path("salary_bands").read_text().splitlines()[0]
    row = "ai_ml_engineer,150000,220000,false,tech-hub average,USD,annual,section 3"
    file = tmp_path / "bands.csv"
    file.write_text(header + "\n\"" + "\n".join([row] * 3000) + "\n")
    assert file.stat().st_size > 131_072
    text = one_line(*aijobs("validate", "salary_bands", "--file", str(file),
                            out=tmp_path / "out"))
    assert text.startswith(f"{file}, line 2: not a well-formed CSV file (")
    assert "check the quotes" in text


def test_table_header_with_a_column_twice(tmp_path):
    """pandas renamed the second role_id role_id.1, reported as an unknown column (and a
    second salary_low_usd as salary_low_usd.1 while the first was used)."""
    file = tmp_path / "bands.csv"
    file.write_text(_bands_with(1, lambda text: text.replace("source_section", "salary_low_usd"))
                    )
    line = one_line(*aijobs("validate", "salary_bands", "--file", str(file),
                            out=tmp_path / "out"))
    assert line == (f"{file}: column salary_low_usd appears twice (columns 2 and 8); expected "
                    "each column once (remove or rename the extra one)")


@pytest.mark.parametrize("header, expected", [
    # pandas renamed the second salary_in_usd salary_in_usd.1 and used the first: the salary
    # in local currency, a silently wrong page
    (",".join(FIELDS).replace("salary,", "salary_in_usd,", 1),
     "column salary_in_usd appears twice (columns 5 and 7)"),
    # the same name once spaced: the reader strips names, so these are one column twice
    (",".join(FIELDS).replace("company_size", " job_title "),
     "column job_title appears twice (columns 4 and 11)"),
])
def test_survey_csv_header_with_a_column_twice(tmp_path, header, expected):
    file = tmp_path / "dup.csv"
    file.write_text(header + "\n" + (",".join(ROW) + "\n") * 2)
    line = one_line(*aijobs("survey-derive", str(file), "--output-dir", str(tmp_path / "out"),
                            out=tmp_path / "out"))
    assert line == (f"{file}: {expected}; expected each column once (remove or rename the "
                    "extra one)")


def test_survey_json_fields_that_are_one_once_stripped(tmp_path):
    file = tmp_path / "dup.json"
    file.write_text(json.dumps([{**RECORD, "salary_in_usd ": "99"}] * 2))
    line = one_line(*aijobs("survey-derive", str(file), "--output-dir", str(tmp_path / "out"),
                            out=tmp_path / "out"))
    assert line == (f"{file}: field salary_in_usd appears twice (fields 7 and 12); expected "
                    "each column once (remove or rename the extra one)")


@pytest.mark.slow
@pytest.mark.parametrize("report, parameter, name, text, expected", [
    ("survey_evidence", "survey_path", "dup.csv",
     ",".join(FIELDS).replace("salary,", "salary_in_usd,", 1) + "\n" + (",".join(ROW) + "\n") * 2,
     "{file}: column salary_in_usd appears twice (columns 5 and 7)"),
    ("survey_evidence", "survey_path", "w.json",
     json.dumps([RECORD, RECORD, {**RECORD, "job_title": {"x": 1}}]),
     "{file}, record 3, field job_title: got an object; expected text"),
    ("compensation_bands", "salary_bands_path", "bands.csv", None,
     "{file}, line 2: 9 fields, the header has 8"),
    ("survey_evidence", "survey_path", "inf.csv",
     ",".join(FIELDS) + "\n" + ",".join(ROW) + "\n"
     + ",".join(ROW).replace("USD,150000", "USD,inf"),
     "{file}, line 3, column salary_in_usd: salary_in_usd is infinite (got inf); strict mode "
     "stops at the first bad row"),
])
def test_bad_files_given_to_a_build(tmp_path, report, parameter, name, text, expected):
    """The same files given to a report: the build says the reader's line (and fails)."""
    file = tmp_path / name
    file.write_text(text if text is not None else _bands_with(2, lambda t: t + ",extra"))
    out = tmp_path / "out"
    strict = ["-p", "survey_strict", "true"] if name == "inf.csv" else []
    status, err = aijobs("build", report, "-p", parameter, str(file), *strict, "--output-dir",
                         str(out), out=out)
    assert status == 2, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and expected.format(file=file) in last, err


def test_validate_a_file_without_a_table_name_finds_its_table(tmp_path):
    """Its header fits salary_bands alone: checked against it (it was checked against
    article_sections, the first table, and said columns were missing)."""
    file = tmp_path / "bands.csv"
    file.write_text(paths.table_path("salary_bands").read_text())
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", "validate", "--file",
                             str(file)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"ok  {file}: 5 rows, table 'salary_bands'\n"


def test_validate_a_file_whose_header_fits_no_table_asks_for_the_name(tmp_path):
    from aijobs.data import tables

    file = tmp_path / "bands.csv"  # salary_bands without its column 2, salary_low_usd
    file.write_text("\n".join(",".join(line.split(",")[:1] + line.split(",")[2:])
                              for line in paths.table_path("salary_bands").read_text()
                              .splitlines()) + "\n")
    line = one_line(*aijobs("validate", "--file", str(file), out=tmp_path / "out"))
    assert line == (f"{file}: its header fits no table's columns, so name the table to check "
                    f"it against: aijobs validate TABLE --file {file}, where TABLE is one of "
                    f"{', '.join(tables.list_tables())} (nearest: salary_bands, which declares "
                    "7 of its 7 columns and requires salary_low_usd too)")
    assert "article_sections, derived/" in line and line.endswith("too)")


# ("1e400" overflows to inf in newer pandas' parser only; older ones read it as text, which
# strict mode refuses as not a number: either way one line, so it is not a case here)
@pytest.mark.parametrize("cell, shown", [("inf", "inf"), ("-inf", "-inf")])
def test_strict_reading_shows_the_number_as_written_for_readers(tmp_path, cell, shown):
    from aijobs.errors import DataError
    from aijobs.survey import reader

    file = tmp_path / "s.csv"
    file.write_text(",".join(FIELDS) + "\n" + ",".join(ROW) + "\n"
                    + ",".join(ROW).replace("USD,150000", f"USD,{cell}") + "\n")
    with pytest.raises(DataError) as caught:
        reader.read_survey(file, strict=True)
    assert str(caught.value) == (f"{file}, line 3, column salary_in_usd: salary_in_usd is infinite "
                                 f"(got {shown}); strict mode stops at the first bad row")


# QA..QZ 800 times over (20,800 codes): of the 26, only QA (Qatar) is an ISO 3166 code
Q_CODES = [f"Q{chr(c)}" for c in range(ord("A"), ord("Z") + 1)] * 800
Q_REFUSED = ("parameter company_countries: QB, QC, QD, QE, QF, QG, QH, QI, QJ, QK and 15 more "
             "are not country codes; expected ISO 3166 codes of two or three letters, e.g. US "
             "or USA, GB or GBR")


def test_thousands_of_bad_codes_are_listed_once_each_and_at_most_ten():
    from aijobs.errors import ParameterError
    from aijobs.survey import reader

    assert len(Q_CODES) == 20_800
    with pytest.raises(ParameterError) as caught:
        reader.normalised_filters(company_countries=Q_CODES)
    assert str(caught.value) == Q_REFUSED
    with pytest.raises(ParameterError) as caught:
        reader.normalised_filters(employment_types=["XX", "FT", "XX", "YY"])
    assert str(caught.value) == ("parameter employment_types: unknown code(s) XX, YY; expected "
                                 "any of FT, PT, CT, FL")


def test_some_of():
    from aijobs.words import some_of

    assert some_of([]) == ""
    assert some_of(["b", "a", "b"]) == "b, a"
    assert some_of(range(12)) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more"
    assert some_of(range(20_000), limit=2) == "0, 1 and 19,998 more"


def test_a_header_with_thousands_of_unknown_columns_lists_ten(tmp_path):
    header = paths.table_path("salary_bands").read_text().splitlines()[0]
    file = tmp_path / "wide.csv"
    file.write_text(header + "".join(f",x{i}" for i in range(5000)) + "\n"
                    + "a," * 5007 + "a\n")
    line = one_line(*aijobs("validate", "salary_bands", "--file", str(file),
                            out=tmp_path / "out"))
    assert line == (f"{file} does not match the schema of table 'salary_bands' (1 problem): "
                    f"{file}, header: unknown columns 'x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', "
                    "'x7', 'x8', 'x9' and 4,990 more; expected columns: role_id, salary_low_usd, "
                    "salary_high_usd, is_open_ended, basis, currency, period, source_section")


@pytest.mark.slow
def test_thousands_of_bad_codes_given_to_a_build(tmp_path):
    file = tmp_path / "s.csv"
    file.write_text(",".join(FIELDS) + "\n" + (",".join(ROW) + "\n") * 2)
    out = tmp_path / "out"
    status, err = aijobs("build", "survey_evidence", "-p", "survey_path", str(file), "-p",
                         "company_countries", ",".join(Q_CODES), "--output-dir", str(out),
                         out=out)
    assert status == 2, err
    assert err.strip().splitlines()[-1].endswith(Q_REFUSED)
    assert len(err) < 2000


@pytest.mark.parametrize("extra, header_end", [
    (",Senior", ""),  # an unquoted comma in a job title: 12 fields
    (",x,y", ","),  # a trailing comma on every line (an unnamed 12th column), then two more
])
def test_survey_row_longer_than_the_header(tmp_path, extra, header_end):
    """With only the named columns read, pandas dropped a long row's extra fields silently."""
    file = tmp_path / "s.csv"
    row = ",".join(ROW) + header_end
    file.write_text(",".join(FIELDS) + header_end + "\n" + f"{row}\n{row}\n{row}{extra}\n")
    line = one_line(*aijobs("survey-derive", str(file), "--output-dir", str(tmp_path / "out"),
                            out=tmp_path / "out"))
    fields, header = (14, 12) if header_end else (12, 11)
    assert line == (f"{file}, line 4: {fields} fields, the header has {header}; each row needs "
                    "as many comma-separated fields as the header (quote a value that holds a "
                    "comma)")


def test_survey_unnamed_column_is_still_ignored(tmp_path):
    from aijobs.survey import reader

    file = tmp_path / "s.csv"
    file.write_text("," + ",".join(FIELDS) + "\n" + "".join(f"{i},{','.join(ROW)}\n"
                                                           for i in range(2)))
    survey = reader.read_survey(file)
    assert survey.n_read == 2 and survey.ignored_columns == []
    assert survey.rows["salary_in_usd"].tolist() == [150000.0, 150000.0]


def test_survey_json_record_with_a_field_twice(tmp_path):
    """json keeps the last of a repeated key silently: record 2 gave salary_in_usd twice."""
    file = tmp_path / "dup.json"
    text = json.dumps([RECORD] * 3)
    first, second, third = text[1:-1].split("}, {")
    second = second.replace('"salary_in_usd": "150000"',
                            '"salary_in_usd": "150000", "salary_in_usd": "9"')
    file.write_text("[" + "}, {".join([first, second, third]) + "]")
    assert json.loads(file.read_text())[1]["salary_in_usd"] == "9"
    line = one_line(*aijobs("survey-derive", str(file), "--output-dir", str(tmp_path / "out"),
                            out=tmp_path / "out"))
    assert line == (f"{file}, record 2, field salary_in_usd: given twice in one record (JSON "
                    "keeps the last silently); expected each field once")


def test_survey_first_row_longer_than_the_header(tmp_path):
    """A long first data row: pandas took it as an index column, every value of the row one
    column off, with a warning only (the strict reading then gave the wrong reason)."""
    file = tmp_path / "s.csv"
    long = ",".join(ROW).replace("Machine Learning Engineer", "Engineer, ML")
    file.write_text(",".join(FIELDS) + "\n" + long + "\n" + ",".join(ROW) + "\n"
                    + ",".join(ROW) + "\n")
    line = one_line(*aijobs("survey-derive", str(file), "--output-dir", str(tmp_path / "out"),
                            out=tmp_path / "out"))
    assert line == (f"{file}, line 2: 12 fields, the header has 11; each row needs as many "
                    "comma-separated fields as the header (quote a value that holds a comma)")
