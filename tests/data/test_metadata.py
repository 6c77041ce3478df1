"""Every table in data/ has complete machine-readable metadata, and each row cites its section."""

from __future__ import annotations

import re

import pytest
import yaml

from aijobs import paths
from aijobs.data import tables

TABLES = tables.list_tables()
ARTICLE_TABLES = [t for t in TABLES if tables.table_metadata(t)["source"]["id"] == "article"]
DERIVED_TABLES = [t for t in TABLES if t.startswith("derived/survey_")]
SOURCE_TABLES = [t for t in TABLES if t.startswith(("derived/oews_", "derived/indeed_"))]
# each origin's licence: our own tables CC BY, the survey's figures CC0 like the survey,
# BLS's public domain, Indeed Hiring Lab's CC BY 4.0
LICENCES = {"aijobs_survey": "CC0-1.0", "bls_oews": "public-domain-us-government",
            "indeed_hiring_lab": "CC-BY-4.0"}


def test_every_csv_has_a_sidecar_and_every_sidecar_a_csv():
    csvs = {str(p.relative_to(paths.DATA_DIR)).removesuffix(".csv")
            for p in paths.DATA_DIR.rglob("*.csv")}
    assert csvs == set(TABLES)
    assert len(ARTICLE_TABLES) == 11
    assert len(DERIVED_TABLES) == 12  # with survey_slices and survey_claim_grid
    assert len(SOURCE_TABLES) == 3


@pytest.mark.parametrize("name", TABLES)
def test_sidecar_is_complete(name):
    with open(paths.sidecar_path(name), encoding="utf-8") as fh:
        meta = yaml.safe_load(fh)
    assert tables.sidecar_problems(name, meta) == []
    expected = LICENCES.get(meta["source"]["id"], "CC-BY-4.0")
    assert meta["licence"] == expected
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["date_recorded"])
    # Column names and the CSV header agree, in order.
    header = paths.table_path(name).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [c["name"] for c in meta["columns"]]


@pytest.mark.parametrize("name", ARTICLE_TABLES)
def test_every_row_cites_an_article_section(name):
    meta = tables.table_metadata(name)
    assert meta["source"]["id"] == "article"
    column = meta["source"]["section_column"]
    frame = tables.load_table(name)
    sections = set(tables.load_table("article_sections")["section_id"])
    assert frame[column].notna().all(), f"{name}: every article row names its section"
    assert set(frame[column]) <= sections


@pytest.mark.parametrize("name", DERIVED_TABLES)
def test_derived_tables_record_their_snapshot(name):
    meta = tables.table_metadata(name)
    assert meta["source"]["id"] == "aijobs_survey"
    assert "aijobs.net" in meta["source"]["attribution"]
    origin = meta["derived_from"]
    assert origin["snapshot"] == "2025-01-19/salaries.csv"
    assert origin["md5"] == "1884e0b0e63118c58785e40c82a5d63d"  # from the snapshot's README
    assert origin["rows_read"] == 74_301
    assert origin["rows_excluded"] == sum(e["count"] for e in origin["exclusions"].values())
    assert origin["filters"]["company_countries"] == ["US"]
    assert origin["filters"]["employment_types"] == ["FT"]
    assert origin["min_n"] == 30


@pytest.mark.parametrize("name", SOURCE_TABLES)
def test_source_tables_record_their_files(name):
    meta = tables.table_metadata(name)
    origin = meta["derived_from"]
    assert meta["source"]["id"] in ("bls_oews", "indeed_hiring_lab")
    assert origin["producer"] and origin["citation"] and origin["command"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", f["md5"]) for f in origin["files"])
    if meta["source"]["id"] == "indeed_hiring_lab":
        assert "Indeed Hiring Lab" in meta["source"]["attribution"]


def test_sidecar_problems_are_reported():
    problems = tables.sidecar_problems("x", {"title": "t", "columns": [
        {"name": "a", "type": "text"}], "source": {"id": "blog"}, "date_recorded": "26/11/2026",
        "colour": "red"})
    text = "\n".join(map(str, problems))
    assert "missing key 'description'" in text
    assert "missing key 'licence'" in text
    assert "unknown key 'colour'" in text
    assert "source.id must be one of article, aijobs_survey, project" in text
    assert "date_recorded '26/11/2026' should be YYYY-MM-DD" in text
    assert "column a: type 'text' is not one of string, integer, number, boolean" in text
    assert "column a: missing description" in text


def test_sources_registry_is_complete():
    for sid, source in tables.load_sources().items():
        for key in ("title", "short_title", "producer", "kind", "location"):
            assert source.get(key), f"sources.yaml: {sid} lacks {key}"
    assert tables.load_sources()["aijobs_survey"]["licence"] == "CC0-1.0"


def test_every_section_with_facts_is_charted_or_tabled_in_a_report():
    from aijobs.reports import coverage

    cov = coverage.section_coverage().set_index("section_id")
    assert cov.loc["opening", "rows"] == 0  # the opening states no facts
    with_facts = cov.drop("opening")
    assert (with_facts["rows"] > 0).all()
    assert (with_facts["reports"] != "-").all(), with_facts[with_facts["reports"] == "-"]
    assert "compensation_bands" in cov.loc["pay_highest", "reports"]
    assert "entry_competitiveness" in cov.loc["break_in", "reports"]
    assert cov.loc["watching", "reports"] == "overview"
    # the tables as readers know them, by their sidecars' titles, in the order of their names
    assert cov.loc["pay_highest", "tables"] == "roles, salary_bands"
    assert cov.loc["pay_highest", "table_titles"] == (
        "Roles named in the article; Annual pay bands of the best-paid AI roles")


def _minimal_sidecar(**extra):
    meta = {"title": "T", "description": "D", "source": {"id": "project"}, "licence": "CC-BY-4.0",
            "date_recorded": "2026-11-26",
            "columns": [{"name": "a", "type": "integer", "minimum": 0, "maximum": 9,
                         "description": "A"},
                        {"name": "b", "type": "string", "description": "B"}]}
    meta.update(extra)
    return meta


@pytest.mark.parametrize("change, expected", [
    ({"row_checks": [{"compare": ["a", "<=", "c"]}]},
     "row_checks[0] names 'c', which is not a declared column"),
    ({"row_checks": [{"when": {"b": "x"}}]}, "a when: check needs require, forbid or equal"),
    ({"row_checks": [{"compare": ["a", "=>", "b"]}]}, "row_checks.0.compare.1"),
    ({"source": {"id": "project", "sectoin_column": "b"}},
     "unknown key 'source.sectoin_column'; allowed: attribution, id, section_column"),
    ({"primary_key": ["a", "z"]}, "primary_key 'z' is not a declared column"),
    ({"columns": [{"name": "a", "type": "integer", "pattern": "x", "description": "A"}]},
     "column a: pattern applies to string columns only"),
    ({"columns": [{"name": "a", "type": "string", "minimum": 1, "description": "A"}]},
     "column a: minimum applies to integer and number columns only"),
    ({"columns": [{"name": "a", "type": "string", "descripton": "A"}]},
     "column a: unknown key 'descripton'; allowed: description, enum"),
    ({"columns": [{"name": "a", "type": "string", "pattern": "([", "description": "A"}]},
     "column a: pattern '([' is not a regular expression"),
    ({"columns": []}, "declares no columns"),
    ({"may_be_empty": "perhaps"}, "may_be_empty: Input should be a valid boolean"),
])
def test_the_sidecar_model_names_each_mistake(change, expected):
    problems = tables.sidecar_problems("x", _minimal_sidecar(**change))
    text = "; ".join(map(str, problems))
    assert text.startswith("data/x.meta.yaml")
    assert expected in text


def test_a_right_sidecar_has_no_problems():
    assert tables.sidecar_problems("x", _minimal_sidecar(primary_key="a")) == []
