"""The survey slice: one typed model of the twelve survey parameters, declared once."""

from __future__ import annotations

import json

import pytest

from aijobs import paths
from aijobs.errors import ParameterError
from aijobs.reports.parameters import check_value, notebook_parameters
from aijobs.survey import evidence
from aijobs.survey.slices import SurveySlice, parameter_line, parameters_block

SURVEY_NOTEBOOKS = ("compensation_bands", "survey_evidence", "claims_audit")


def _parameters_cell(name: str) -> str:
    nb = json.loads((paths.NOTEBOOKS_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    return "".join(cell["source"])


@pytest.mark.parametrize("name", SURVEY_NOTEBOOKS)
def test_each_survey_notebook_declares_the_model_word_for_word(name):
    # the one declaration: a notebook that changed a default, a range or a meaning by hand
    # (or lost a parameter) fails here, with the block to paste
    assert parameters_block() in _parameters_cell(name), (
        f"notebooks/{name}.ipynb: the survey parameters differ from aijobs.survey.slices; "
        f"paste:\n{parameters_block()}")


def test_the_declaration_is_what_the_checks_before_a_kernel_read():
    params = notebook_parameters(paths.NOTEBOOKS_DIR / "survey_evidence.ipynb")
    assert parameter_line("pay_measure") == (
        'pay_measure = "midpoint"  # a posting\'s pay: midpoint, range_low or range_high of its '
        "advertised range, or rows (every file row as it is) {midpoint, range_low, range_high, "
        "rows}")
    assert params["pay_measure"].choices == ("midpoint", "range_low", "range_high", "rows")
    assert (params["min_n"].minimum, params["min_n"].maximum) == (5, 10_000)
    assert params["company_countries"].default == ["US"]
    assert params["work_years"].item_type == "int"
    assert params["min_salary_usd"].comment.startswith("with survey_path:")
    # the defaults of the model are the notebook's
    defaults = SurveySlice()
    for name, param in params.items():
        if name in SurveySlice.__dataclass_fields__:
            value = getattr(defaults, name)
            assert (list(value) if isinstance(value, tuple) else value) == param.default, name
    with pytest.raises(ParameterError, match="parameter min_n: got 4; expected a value from "
                                             "5 to 10,000"):
        check_value(params["min_n"], 4)


def test_defaults_and_canonical_form():
    s = SurveySlice()
    assert s.company_countries == ("US",) and s.employment_types == ("FT",)
    assert (s.pay_measure, s.repeats, s.min_n) == ("midpoint", "drop", 30)
    # codes in any case, alpha-3 or alpha-2, years as text: one canonical slice
    same = SurveySlice(company_countries=["usa"], employment_types=("ft",),
                       work_years=["2024", 2023], experience_levels=["se"])
    assert same == SurveySlice(company_countries=("US",), work_years=(2023, 2024),
                               experience_levels=("SE",))
    assert same.filters == {"company_countries": ["US"], "residence_countries": [],
                            "experience_levels": ["SE"], "employment_types": ["FT"],
                            "work_years": [2023, 2024]}
    assert same.describe() == (
        "the committed evidence (data/derived/); company in US; living anywhere; experience "
        "SE; employment FT; work years 2023, 2024; pay: midpoint; identical postings counted "
        "once; cells under 30 postings suppressed")


@pytest.mark.parametrize("values, line", [
    ({"pay_measure": "mean"}, "parameter pay_measure: got 'mean'; expected one of midpoint, "
                              "range_low, range_high, rows"),
    ({"repeats": "some"}, "parameter repeats: got 'some'; expected one of keep, drop"),
    ({"min_n": 4}, "parameter min_n: got 4; expected a number from 5 to 10,000"),
    ({"min_n": 30.5}, "parameter min_n: got 30.5; expected a whole number of postings"),
    ({"min_n": True}, "parameter min_n: got True; expected a whole number of postings"),
    ({"company_countries": "US"}, "parameter company_countries: got 'US'; expected a list "
                                  "(an empty one keeps all)"),
    ({"company_countries": ["UK"]}, "parameter company_countries: UK is not a country code; "
                                    "expected ISO 3166 codes of two or three letters"),
    ({"experience_levels": ["XX"]}, "parameter experience_levels: unknown code(s) XX; "
                                    "expected any of EN, MI, SE, EX"),
    ({"work_years": [1999]}, "parameter work_years: got 1999; expected years from 2000 to 2100"),
    ({"work_years": ["last"]}, "parameter work_years: 'last' is not a year"),
    ({"survey_path": "x.csv", "max_salary_usd": float("nan")},
     "parameter max_salary_usd: got nan; expected a number from 10,000 to 100,000,000"),
    ({"survey_path": "x.csv", "min_salary_usd": 200_000, "max_salary_usd": 100_000},
     "parameter min_salary_usd: got 200000, not below max_salary_usd 100000; expected a "
     "minimum below the maximum"),
    ({"min_salary_usd": 50_000}, "parameter min_salary_usd: 50000 applies only to a survey "
                                 "file read with survey_path"),
    ({"survey_strict": "yes"}, "parameter survey_strict: got 'yes'; expected true or false"),
    ({"survey_path": None}, "parameter survey_path: got None; expected text"),
])
def test_a_bad_value_is_refused_with_one_line_naming_it(values, line):
    with pytest.raises(ParameterError) as info:
        SurveySlice(**values)
    message = str(info.value)
    assert line in message and "\n" not in message


def test_built_from_a_parameters_cell_in_one_call():
    cell: dict = {}
    exec(_parameters_cell("claims_audit"), cell)  # the notebook's own defaults
    assert SurveySlice.from_parameters(cell) == SurveySlice()
    cell["experience_levels"] = ["EN"]
    assert SurveySlice.from_parameters(cell).experience_levels == ("EN",)
    del cell["repeats"], cell["min_n"]
    with pytest.raises(ParameterError, match="parameters cell: no repeats, min_n; expected "
                                             "the survey parameters block"):
        SurveySlice.from_parameters(cell)


def test_load_evidence_takes_the_slice():
    ev = evidence.load_evidence(SurveySlice(experience_levels=("MI",), repeats="keep"))
    assert (ev.level, ev.repeats, ev.pay_measure, ev.from_derived) == ("MI", "keep",
                                                                       "midpoint", True)
    assert set(ev.role_pay()["group_value"]) == {"MI"}
    # the committed evidence was computed for one slice; another needs the file
    with pytest.raises(ParameterError, match="survey filters or min_n differ from those of "
                                             "the committed evidence"):
        evidence.load_evidence(SurveySlice(min_n=50))
