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
    assert rm.comment.startswith("cost-of-living factor")
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
