"""Every table in data/ has complete machine-readable metadata, and each row cites its section."""

from __future__ import annotations

import re

import pytest
import yaml

from aijobs import paths, tables

TABLES = tables.list_tables()


def test_every_csv_has_a_sidecar_and_every_sidecar_a_csv():
    csvs = {p.stem for p in paths.DATA_DIR.glob("*.csv")}
    assert csvs == set(TABLES)
    assert len(TABLES) >= 11


@pytest.mark.parametrize("name", TABLES)
def test_sidecar_is_complete(name):
    with open(paths.sidecar_path(name), encoding="utf-8") as fh:
        meta = yaml.safe_load(fh)
    assert tables.sidecar_problems(name, meta) == []
    assert meta["licence"] == "CC-BY-4.0"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["date_recorded"])
    # Column names and the CSV header agree, in order.
    header = paths.table_path(name).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [c["name"] for c in meta["columns"]]


@pytest.mark.parametrize("name", TABLES)
def test_every_row_cites_an_article_section(name):
    meta = tables.table_metadata(name)
    assert meta["source"]["id"] == "article"
    column = meta["source"]["section_column"]
    frame = tables.load_table(name)
    sections = set(tables.load_table("article_sections")["section_id"])
    assert frame[column].notna().all(), f"{name}: every article row names its section"
    assert set(frame[column]) <= sections


def test_sidecar_problems_are_reported():
    problems = tables.sidecar_problems("x", {"title": "t", "columns": [
        {"name": "a", "type": "text"}], "source": {"id": "blog"}, "date_recorded": "26/11/2026",
        "colour": "red"})
    text = "\n".join(map(str, problems))
    assert "missing key 'description'" in text
    assert "missing key 'licence'" in text
    assert "unknown key 'colour'" in text
    assert "source.id must be one of article, aijobs_survey" in text
    assert "date_recorded '26/11/2026' should be YYYY-MM-DD" in text
    assert "column a: type 'text' is not one of string, integer, number, boolean" in text
    assert "column a: missing description" in text


def test_sources_registry_is_complete():
    for sid, source in tables.load_sources().items():
        for key in ("title", "short_title", "producer", "kind", "location"):
            assert source.get(key), f"sources.yaml: {sid} lacks {key}"
    assert tables.load_sources()["aijobs_survey"]["licence"] == "CC0-1.0"
