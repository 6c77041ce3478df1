"""Survey rows and files shared by the survey tests (data layer and reports): a synthetic
row builder, the snapshot in ../shared, and tables of bad rows and malformed files."""

from __future__ import annotations

import os

import pytest
from conftest import ROOT

SNAPSHOT = ROOT.parent / "shared" / "data" / "aijobs-salaries" / "2025-01-19" / "salaries.csv"
HEADER = ("work_year,experience_level,employment_type,job_title,salary,salary_currency,"
          "salary_in_usd,employee_residence,remote_ratio,company_location,company_size\n")


def row(title="Machine Learning Engineer", usd=150000, year=2024, level="SE", kind="FT",
        country="US", remote=0):
    return f"{year},{level},{kind},{title},{usd},USD,{usd},{country},{remote},{country},M\n"


def need_snapshot():
    if not SNAPSHOT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI provides ../shared; {SNAPSHOT} is missing")
        pytest.skip("the survey snapshot is read from ../shared; not beside this checkout")


BAD_ROWS = {
    "text in salary_in_usd": (row(usd="lots"), "salary_in_usd is not a number"),
    "infinite salary": (row(usd="inf"), "salary_in_usd is infinite"),
    "negative salary": (row(usd=-5), "salary_in_usd is zero or negative"),
    "implausibly high salary": (row(usd=900_000_000_000),
                                "salary_in_usd is outside the plausible range $10,000 to "
                                "$5,000,000 a year"),
    "implausibly low salary": (row(usd=4_000), "salary_in_usd is outside the plausible range"),
    "unknown experience code": (row(level="XX"), "experience_level is not one of EN, MI, SE, EX"),
    "unknown employment code": (row(kind="ZZ"), "employment_type is not one of FT, PT, CT, FL"),
    "year out of range": (row(year=1999), "work_year is not a whole year from 2000 on"),
    "year in the future": (row(year=2999), "work_year is in the future: after today ("),
}


MALFORMED = {
    "missing column": (HEADER.replace(",salary_in_usd", "") + "2024,SE,FT,X,1,USD,US,0,US,M\n",
                       "missing column salary_in_usd"),
    "semicolon-delimited": (HEADER.replace(",", ";") + row().replace(",", ";"),
                            "separated by semicolons; expected a comma-separated file"),
    "header only": (HEADER, "has a header but no rows of salaries"),
    "JSON list of wrong objects": ('[{"name": "x", "pay": 1}]',
                                   "missing columns work_year, experience_level"),
    "JSON not a list": ('{"salary": 1}', "JSON is not a table; expected a list of objects"),
    "broken JSON": ('[{"work_year": 2024,', "not valid JSON"),
    "empty file": ("", "the file is empty"),
    "every row in the future": (HEADER + row(year=2999) * 3,
                                r"none of its 3 rows can be used: 3 because work_year is in the "
                                r"future: after today \(\d{4}-\d\d-\d\d\), so at most \d{4} "
                                r"\(e.g. line 2\); expected at least one row"),
}
