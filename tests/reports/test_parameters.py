"""Reading a notebook's parameters cell and checking values before any kernel starts."""

from __future__ import annotations

import nbformat
import pytest

from aijobs import paths
from aijobs.analysis.transforms import ParameterError
from aijobs.reports.parameters import coerce_text, notebook_parameters, validated_parameters

COMP = paths.NOTEBOOKS_DIR / "compensation_bands.ipynb"
GROWTH = paths.NOTEBOOKS_DIR / "growth_rates.ipynb"


def _notebook(tmp_path, source, tags=("parameters",), name="nb.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_notebook_has_one_documented_parameters_cell(notebook):
    params = notebook_parameters(notebook)
    assert params, f"{notebook.name} declares no parameters"
    for p in params.values():
        assert len(p.comment) > 20, f"{notebook.name}: {p.name} needs a real comment"


def test_types_defaults_comments_and_ranges():
    params = notebook_parameters(COMP)
    assert list(params)[:7] == ["roles", "sort_by", "region_multiplier", "scarcity_premium_pct",
                                "salary_normalization", "salary_bands_path", "roles_path"]
    assert "survey_path" in params and params["company_countries"].default == ["US"]
    rm = params["region_multiplier"]
    assert (rm.type, rm.default, rm.minimum, rm.maximum) == ("float", 1.0, 0.05, 5.0)
    assert rm.comment.startswith("factor on the tech-hub figures for pay elsewhere")
    assert params["roles"].type == "list"
    assert notebook_parameters(GROWTH)["horizon_years"].type == "int"


def test_annotation_sets_the_type(tmp_path):
    nb = _notebook(tmp_path, "limit: float = 3  # a limit [0, 10]\nname = None  # optional")
    params = notebook_parameters(nb)
    assert params["limit"].type == "float"
    assert validated_parameters(nb, {"limit": "4"}, from_text=True) == {"limit": 4.0}
    assert params["name"].type == "none"


def test_unknown_parameter_suggests_the_closest():
    with pytest.raises(ParameterError) as info:
        validated_parameters(COMP, {"region_multiplyer": 0.8})
    message = str(info.value)
    assert "compensation_bands.ipynb has no parameter 'region_multiplyer'" in message
    assert "Did you mean 'region_multiplier'?" in message
    assert "Valid parameters: roles, sort_by, region_multiplier" in message


def test_command_line_values_are_coerced():
    out = validated_parameters(GROWTH, {"horizon_years": "5", "growth_decay": "0.25",
                                        "roles": "prompt_engineer, ai_agent_developer"},
                               from_text=True)
    assert out == {"horizon_years": 5, "growth_decay": 0.25,
                   "roles": ["prompt_engineer", "ai_agent_developer"]}
    assert isinstance(out["horizon_years"], int)
    assert validated_parameters(GROWTH, {"roles": '["prompt_engineer"]'}, from_text=True) == {
        "roles": ["prompt_engineer"]}


@pytest.mark.parametrize("values, message", [
    ({"horizon_years": "five"}, "parameter horizon_years: cannot read 'five' as int; expected a "
                                "whole number such as 5"),
    ({"horizon_years": "40"}, "parameter horizon_years: got 40; expected a value from 1 to 30"),
    ({"growth_decay": "-0.1"}, "parameter growth_decay: got -0.1; expected a value from 0 to 1"),
])
def test_wrong_type_or_range_from_text(values, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        validated_parameters(GROWTH, values, from_text=True)


def test_wrong_type_from_config():
    with pytest.raises(ParameterError, match=r"parameter horizon_years: got '5' \(str\); "
                                             "expected a whole number"):
        validated_parameters(GROWTH, {"horizon_years": "5"})
    with pytest.raises(ParameterError, match="parameter horizon_years: got True"):
        validated_parameters(GROWTH, {"horizon_years": True})


def test_bool_coercion(tmp_path):
    nb = _notebook(tmp_path, "show = True  # whether to show it")
    param = notebook_parameters(nb)["show"]
    assert coerce_text(param, "no") is False
    assert coerce_text(param, "TRUE") is True
    with pytest.raises(ParameterError, match="cannot read 'perhaps' as bool"):
        coerce_text(param, "perhaps")


@pytest.mark.parametrize("source, tags, message", [
    ("x = 1  # a thing", (), "expected exactly one cell tagged 'parameters', found 0"),
    ("x = 1", ("parameters",), "parameter x: add a comment saying what it means"),
    ("x = y + 1  # computed", ("parameters",), "parameter x: the default must be a literal"),
    ("print(1)", ("parameters",), "expected only assignments"),
    ("x = (  # broken", ("parameters",), "the parameters cell is not valid Python"),
])
def test_malformed_parameters_cells(tmp_path, source, tags, message):
    nb = _notebook(tmp_path, source, tags)
    with pytest.raises(ParameterError, match=message):
        notebook_parameters(nb)


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_papermill_reads_the_same_parameters(notebook):
    """papermill parses the cell too (and warns on lines it cannot read, e.g. '=' in a comment)."""
    import papermill

    assert list(papermill.inspect_notebook(str(notebook))) == list(notebook_parameters(notebook))


SCEN = paths.NOTEBOOKS_DIR / "salary_scenarios.ipynb"
SURVEY = paths.NOTEBOOKS_DIR / "survey_evidence.ipynb"


@pytest.mark.parametrize("notebook, values, message", [
    (SCEN, {"mode": "rates"}, "parameter mode: got 'rates'; expected one of 'rate', "
                              "'supply_demand' (did you mean 'rate'?)"),
    (SCEN, {"basis": "Real"}, "parameter basis: got 'Real'; expected one of 'nominal', 'real'"),
    (SCEN, {"distribution": "normal"}, "parameter distribution: got 'normal'; expected one of "
                                       "'triangular', 'uniform', 'pert'"),
    (SCEN, {"premium": "nan"}, "parameter premium: got nan; expected a finite number"),
    (SCEN, {"premium": "inf"}, "parameter premium: got inf; expected a finite number"),
    (SCEN, {"premium": "-5"}, "parameter premium: got -5.0; expected a value from -0.99 to 5"),
    (SCEN, {"wage_growth": "-inf"}, "parameter wage_growth: got -inf; expected a finite"),
    (SCEN, {"uncertainty": '{"normalization_rate": [0.1, NaN, 0.2]}'},
     "parameter uncertainty: got nan in 'normalization_rate'; expected a finite number"),
    (SCEN, {"uncertainty": '{"rate": [0.1, 0.2, 0.3]}'},
     "parameter uncertainty: got 'rate' as a key; expected keys that are one of"),
    (SCEN, {"uncertainty": '{"normalization_rate": ["a", 0.2, 0.3]}'},
     "parameter uncertainty: got ['a', 0.2, 0.3] for 'normalization_rate'; expected numbers"),
    (SCEN, {"uncertainty": '{"normalization_rate": [0.3, 0.2, 0.1]}'},
     "parameter uncertainty: normalization_rate needs [low, most likely, high] with low <= "
     "most likely <= high; got [0.3, 0.2, 0.1]"),
    (SCEN, {"uncertainty": '{"normalization_rate": [0.1, 0.2]}'},
     "parameter uncertainty: normalization_rate needs [low, most likely, high]; got [0.1, 0.2]"),
    (SCEN, {"uncertainty": '{"normalization_rate": [0.1, 0.5, 1.5]}'},
     "parameter uncertainty: the range of normalization_rate [0.1, 0.5, 1.5] leaves its "
     "bounds"),
    (SCEN, {"uncertainty": "{normalization_rate:[0.05,0.15,0.3]}"},
     "the double quotes around the keys are missing"),
    (SCEN, {"premium_source": "pwc_2052"}, "parameter premium_source: no estimate 'pwc_2052' "
                                           "in data/premium_estimates.csv (did you mean"),
    (SCEN, {"premium_source": "nan"}, "parameter premium_source: got 'nan'; expected an estimate"),
    (SCEN, {"premium_source": "7"}, "parameter premium_source: got '7'; expected an estimate"),
    (SCEN, {"normalization_rate_source": "observd"},
     "parameter normalization_rate_source: got 'observd'; expected one of '', 'observed'"),
    (SURVEY, {"experience_levels": "EN,XX"},
     "parameter experience_levels: got 'XX' as item 2; expected one of 'EN', 'MI', 'SE', 'EX'"),
    (SURVEY, {"company_countries": "US,usa"},
     "parameter company_countries: got 'usa' as item 2; expected text matching [A-Z]{2}"),
    (SURVEY, {"work_years": "2024,twenty"}, "parameter work_years: cannot read '2024,twenty' "
                                            "as list"),
    (SURVEY, {"work_years": "[2024, 1800]"},
     "parameter work_years: got 1800 as item 2; expected a value from 2000 to 2100"),
    (SURVEY, {"work_years": '["2024"]'},
     "parameter work_years: got '2024' as item 1; expected every item a whole number"),
    (SURVEY, {"employment_types": '[["FT"]]'}, "parameter employment_types: got ['FT'] as "
                                               "item 1; expected every item a text"),
    (SURVEY, {"pay_measure": "median"}, "parameter pay_measure: got 'median'; expected one of"),
])
def test_choices_items_and_non_finite_numbers_are_refused(notebook, values, message):
    with pytest.raises(ParameterError) as info:
        validated_parameters(notebook, values, from_text=True)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_good_values_of_every_kind_pass():
    out = validated_parameters(SCEN, {
        "mode": "supply_demand", "premium": "0.2", "premium_source": "pwc_2025",
        "uncertainty": '{"normalization_rate": [0.02, 0.05, 0.15], "premium": [0.1, 0.2, 0.3]}',
        "normalization_rate_source": "observed"}, from_text=True)
    assert out["uncertainty"] == {"normalization_rate": [0.02, 0.05, 0.15],
                                  "premium": [0.1, 0.2, 0.3]}
    assert out["premium"] == 0.2 and out["mode"] == "supply_demand"
    assert validated_parameters(SURVEY, {"work_years": "2024, 2025", "company_countries": "US,GB",
                                         "experience_levels": ""}, from_text=True) == {
        "work_years": [2024, 2025], "company_countries": ["US", "GB"], "experience_levels": []}
    assert validated_parameters(SCEN, {"premium_source": "0.25"}, from_text=True) == {
        "premium_source": "0.25"}


def test_allowed_values_are_read_from_the_comment_and_left_out_of_the_meaning():
    params = notebook_parameters(SCEN)
    mode = params["mode"]
    assert mode.choices == ("rate", "supply_demand")
    assert mode.comment.endswith("(follows demand against supply)")
    assert mode.allowed() == "one of: rate, supply_demand"
    assert params["horizon_years"].allowed() == "from 1 to 30"
    unc = params["uncertainty"]
    assert (unc.type, unc.item_type, unc.minimum, unc.maximum) == ("dict", "float", -0.99, 5.0)
    assert "normalization_rate" in unc.choices
    countries = notebook_parameters(SURVEY)["company_countries"]
    assert (countries.pattern, countries.item_type) == ("[A-Z]{2}", "str")
    assert notebook_parameters(SURVEY)["work_years"].item_type == "int"


def test_a_number_without_a_range_is_refused_in_the_notebook(tmp_path):
    nb = _notebook(tmp_path, "limit = 3  # a limit with no range")
    with pytest.raises(ParameterError, match="parameter limit: a number needs its range"):
        notebook_parameters(nb)


def test_checking_every_report_loads_neither_numpy_nor_pandas():
    """The build checks every report's parameters (scenario premiums and uncertainty ranges
    included) in the process the user runs, before any kernel starts: without numpy and
    pandas, which cost about 1 s to import there."""
    import subprocess
    import sys

    code = ("import sys\nfrom aijobs.reports import config\n"
            "specs = config.load_report_specs()\n"
            "print(len(specs), 'numpy' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert out[1:] == ["False", "False"] and int(out[0]) >= 12


def test_a_premium_table_that_cannot_be_read_is_reported_as_a_table(tmp_path, monkeypatch):
    """Without the estimate ids readable as CSV, the check loads the table, which says what is
    wrong with it (one line naming the file), instead of calling every id unknown."""
    import shutil

    from aijobs.analysis.scenario_settings import premium_source_problem
    from aijobs.errors import DataError

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    assert premium_source_problem("pwc_2024") is None
    assert premium_source_problem("pwc_2052").startswith(
        "parameter premium_source: no estimate 'pwc_2052' in data/premium_estimates.csv "
        "(did you mean 'pwc_2025'?); choose one of pwc_2024, pwc_2025")
    table = data / "premium_estimates.csv"
    table.write_text(table.read_text().replace("estimate_id", "estimate", 1))
    with pytest.raises(DataError, match="premium_estimates.csv.*missing column 'estimate_id'"):
        premium_source_problem("pwc_2024")
