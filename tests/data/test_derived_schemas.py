"""Derived tables are described in one schema language: their committed sidecars in
data/derived/, read by the same sidecar model as every curated table. The derive commands take
each table's columns from there and copy the schema into the sidecars they write; `aijobs
validate` checks a derived table against it, with one line naming file, row, column and what
is expected."""

from __future__ import annotations

import shutil

import pytest
import yaml
from conftest import write
from survey_samples import HEADER, row

from aijobs import cli, paths
from aijobs.data import tables
from aijobs.errors import DataError
from aijobs.sources import derived, indeed, oews
from aijobs.survey import evidence, summaries
from aijobs.survey.postings import PAY_MEASURES, REPEAT_POLICIES

SAMPLE = HEADER + "".join(row(title=t, usd=u, year=y)
                          for t in ("Machine Learning Engineer", "Software Engineer")
                          for u in (120000, 150000, 180000)
                          for y in (2023, 2024))


def _enum(table: str, column: str) -> list:
    return list(tables.load_schema("derived/" + table).column(column).enum)


def test_every_derived_table_has_a_sidecar_schema_and_no_python_schema():
    declared = {n.removeprefix("derived/") for n in tables.list_tables()
                if n.startswith("derived/")}
    assert declared == set(evidence.TABLES) | set(derived.TABLES)
    assert not hasattr(evidence, "SCHEMAS") and not hasattr(derived, "SCHEMAS")
    # each cites the source the derivation says it comes from
    for name, source in derived.TABLES.items():
        assert tables.load_schema("derived/" + name).meta["source"]["id"] == source


def test_sidecar_enums_match_the_code_that_fills_the_columns():
    # the codes a derivation writes are defined in code; the sidecar's enum must list them all
    assert _enum("survey_percentiles", "pay_measure") == list(PAY_MEASURES)
    assert _enum("survey_percentiles", "repeats") == list(REPEAT_POLICIES)
    assert _enum("survey_mix", "repeats") == list(REPEAT_POLICIES)
    for table in ("survey_percentiles", "survey_region", "survey_title_sensitivity"):
        assert _enum(table, "reliability") == list(summaries.RELIABILITY)
    assert _enum("survey_premium", "baseline") == list(summaries.BASELINES)
    assert _enum("oews_occupations", "p50_status") == list(oews.STATUSES)
    assert _enum("indeed_postings", "series") == [indeed.ALL_POSTINGS, *indeed.SECTORS]


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    return data


def test_a_derived_table_that_breaks_its_schema_is_one_line(data_copy, capsys):
    csv = data_copy / "derived" / "survey_years.csv"
    lines = csv.read_text().splitlines(keepends=True)
    assert lines[2].startswith("2021,94,")
    lines[2] = lines[2].replace("2021,94,", "2021,-94,", 1)
    csv.write_text("".join(lines))
    assert cli.main(["validate", "derived/survey_years"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ("survey_years.csv, row 2 (line 3), column n_rows: got '-94', too small; expected "
            "a whole number at least 0") in err


def test_the_derive_command_takes_the_schema_from_the_sidecar(data_copy, tmp_path):
    meta_path = data_copy / "derived" / "survey_years.meta.yaml"
    meta = yaml.safe_load(meta_path.read_text())
    # an edit to the committed sidecar's schema: a new description, the columns reordered
    meta["description"] = "Edited in the sidecar, the one place the schema lives."
    meta["columns"] = [meta["columns"][2], *meta["columns"][:2], *meta["columns"][3:]]
    meta_path.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100))
    out = tmp_path / "out"
    evidence.write_derived(write(tmp_path / "s.csv", SAMPLE), out, "2026-12-01")
    written = yaml.safe_load((out / "survey_years.meta.yaml").read_text())
    assert written["description"] == meta["description"]
    assert written["columns"] == meta["columns"]
    assert (out / "survey_years.csv").read_text().splitlines()[0] == (
        "n_postings,work_year,n_rows,paired_share,repeat_share,is_partial,covers")
    assert written["derived_from"]["run"]["set"] == "survey"  # provenance is the run's own


def test_a_missing_schema_sidecar_stops_the_derive_in_one_line(data_copy, tmp_path):
    (data_copy / "derived" / "survey_mix.meta.yaml").unlink()
    out = tmp_path / "out"
    with pytest.raises(DataError, match=r"survey_mix.meta.yaml: missing; it declares the "
                                        r"columns of the derived table 'derived/survey_mix'"):
        evidence.write_derived(write(tmp_path / "s.csv", SAMPLE), out, "2026-12-01")
    assert not out.exists()
