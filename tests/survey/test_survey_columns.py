"""A survey file is read on its own columns: extra columns (an index, an Id, as copies on data
sites add) are reported and never used, and country codes are read whatever their case or
length (ISO alpha-2 or alpha-3); codes that are neither are excluded and counted."""

from __future__ import annotations

import pytest
from conftest import write
from survey_samples import HEADER, row

from aijobs.errors import ParameterError
from aijobs.survey import evidence
from aijobs.survey import reader as survey

# two postings with a range each (top row, then bottom row), and one single-row posting
BODY = [row(usd=200000), row(usd=150000), row(title="Data Scientist", usd=180000),
        row(title="Data Scientist", usd=120000), row(usd=90000, year=2023)]


def _with_extra_columns(lines: list[str]) -> str:
    header = "index,Id," + HEADER
    return header + "".join(f"{i},{1000 + i},{line}" for i, line in enumerate(lines))


def test_extra_columns_are_reported_and_never_used(tmp_path):
    plain = survey.read_survey(write(tmp_path / "plain.csv", HEADER + "".join(BODY)))
    extra = survey.read_survey(write(tmp_path / "extra.csv", _with_extra_columns(BODY)))
    assert plain.ignored_columns == []
    assert extra.ignored_columns == ["index", "Id"]
    for data in (plain, extra):
        postings = data.postings
        assert len(postings) == 3
        assert postings["is_paired"].tolist() == [True, True, False]
        assert postings["salary_mid_usd"].tolist() == [175000.0, 150000.0, 90000.0]
    tables, provenance = evidence.evidence_tables(extra, survey.normalised_filters(), 1,
                                                  pay_measures=("midpoint",))
    assert provenance["columns_ignored"] == ["index", "Id"]
    assert provenance["pairing"]["paired_rows"] == 4
    ev = evidence.Evidence(tables, provenance, False, "midpoint", "keep")
    assert ev.provenance_lines[-1] == (
        "Columns not part of the survey, ignored (pairs and repeats compare the survey's own "
        "columns only): index, Id.")
    assert "columns_ignored" not in evidence.evidence_tables(
        plain, survey.normalised_filters(), 1, pay_measures=("midpoint",))[1]


def test_repeats_ignore_an_id_column(tmp_path):
    twins = [row(usd=130000), row(usd=130000, title="Data Scientist"), row(usd=130000)]
    data = survey.read_survey(write(tmp_path / "s.csv", _with_extra_columns(twins)))
    # rows 1 and 3 are the same posting seen twice, though their Id and index differ
    assert data.postings["repeat_group_size"].tolist() == [2, 1, 2]
    assert data.postings["is_repeat"].tolist() == [False, False, True]


def test_country_codes_are_read_whatever_their_case_or_length(tmp_path):
    lines = [row(country=c, usd=100000 + 1000 * i)
             for i, c in enumerate(["US", "us", "USA", "usa", " Us ", "GBR", "NA", "ZZ",
                                    "U.S."])]
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + "".join(lines)))
    assert data.rows["company_location"].astype(str).tolist() == \
        ["US", "US", "US", "US", "US", "GB", "NA"]
    assert data.rows["employee_residence"].astype(str).tolist() == \
        ["US", "US", "US", "US", "US", "GB", "NA"]
    assert data.exclusions == {"company_location is not an ISO 3166 country code":
                               {"count": 2, "example_rows": [9, 10]}}
    us = survey.filtered_rows(data, survey.normalised_filters(company_countries=["us"]))
    assert len(us) == 5
    frame = data.exclusions_frame()
    assert frame.to_dict("records") == [{"reason": "company_location is not an ISO 3166 "
                                         "country code", "rows": 2, "example_rows": "9, 10"}]


def test_an_unreadable_residence_alone_is_excluded_and_counted(tmp_path):
    line = row().replace(",US,0,US,", ",Mars,0,US,")
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + row() + line))
    assert data.exclusions == {"employee_residence is not an ISO 3166 country code":
                               {"count": 1, "example_rows": [3]}}


def test_country_filters_take_alpha_3_and_refuse_what_is_no_code():
    assert survey.normalised_filters(company_countries=["usa", "gb", "GBR"],
                                     residence_countries="deu")["company_countries"] == \
        ["US", "GB"]
    assert survey.normalised_filters(residence_countries="deu")["residence_countries"] == ["DE"]
    with pytest.raises(ParameterError, match=r"^parameter company_countries: UK is not a "
                                             r"country code; expected ISO 3166 codes"):
        survey.normalised_filters(company_countries=["UK"])
