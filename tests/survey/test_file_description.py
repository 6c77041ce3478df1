"""The file given as survey_path is described as what it is: the shared snapshot by its md5,
any other file by its name, md5, years and rows, without claiming an origin."""

from __future__ import annotations

import hashlib

from survey_samples import HEADER, SNAPSHOT, need_snapshot, row

from aijobs import paths
from aijobs.survey import reader as survey


def test_a_constructed_file_is_described_by_what_it_holds(tmp_path):
    file = tmp_path / "other_board.csv"
    file.write_text(HEADER + row(year=2023) + row(year=2024, usd=160000) + row(year=2024))
    md5 = hashlib.md5(file.read_bytes()).hexdigest()
    paths.OTHER_SOURCES.clear()
    data = survey.read_survey(file)
    assert data.md5 == md5
    entry = paths.OTHER_SOURCES[str(file)]
    assert entry["holds"] == (f"other_board.csv, a salary file in the aijobs.net format (md5 "
                              f"{md5}; work years 2023 to 2024; 3 rows); the suite does not "
                              "know where it comes from (given in the settings)")
    assert entry["source"].startswith("not known") and entry["licence"] == "not known"
    assert "aijobs.net salary survey" not in entry["holds"] + entry["source"]


def test_one_year_and_one_row_read_as_written():
    assert survey.file_description("x.csv", "abc", [2024], 1) == (
        "x.csv, a salary file in the aijobs.net format (md5 abc; work year 2024; 1 row); the "
        "suite does not know where it comes from")


def test_the_shared_snapshot_is_recognised_by_its_md5():
    text = survey.file_description("salaries.csv", "1884e0b0e63118c58785e40c82a5d63d",
                                   [2020, 2025], 74301)
    assert text == ("the aijobs.net salary survey (Foorilla LLC) snapshot of 2025-01-19, "
                    "recognised by its md5 (1884e0b0e63118c58785e40c82a5d63d)")
    need_snapshot()
    paths.OTHER_SOURCES.clear()
    survey.read_survey(SNAPSHOT)
    assert paths.OTHER_SOURCES[str(SNAPSHOT)]["licence"] == "CC0-1.0"
