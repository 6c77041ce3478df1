""""Copy as parameters": the make line builds a variant of the report the explorer came from,
and any value comes back exactly through PARAMS (quotes, " -p ", newlines, $, unicode)."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from aijobs import cli, paths
from aijobs.lab import explorer
from aijobs.reports.config import load_report_specs
from aijobs.reports.parameters import notebook_parameters, validated_parameters

NOTEBOOK = "salary_scenarios.ipynb"
HOSTILE = ['a "quoted" title', "it's -p premium 5", "two\nlines\tand a tab", " padded ",
           "Zürich – 50% ≥ ½ 💶", "$HOME and $(rm -rf x) `date` #hash", "", "-p", "back\\slash",
           "'single'", '"double"', "C:\\path\\file"]


def _baseline():
    spec = next(s for s in load_report_specs() if s.name == "scenario_baseline")
    defaults = {n: p.default for n, p in notebook_parameters(spec.notebook).items()}
    return spec, {**defaults, **spec.parameters}


@pytest.mark.parametrize("value", HOSTILE)
def test_any_text_comes_back_exactly_through_params(value):
    params = f"-p scenario_title {explorer.parameter_text(value)} -p horizon_years 7"
    pairs = cli.parameters_from_text(params)
    assert [name for name, _ in pairs] == ["scenario_title", "horizon_years"]
    read = validated_parameters(paths.NOTEBOOKS_DIR / NOTEBOOK, dict(pairs), from_text=True)
    assert read == {"scenario_title": value, "horizon_years": 7}


def test_lists_and_dicts_come_back_exactly():
    ranges = {"normalization_rate": [0.02, 0.05, 0.1]}
    params = (f"-p uncertainty {explorer.parameter_text(ranges)} "
              f"-p roles {explorer.parameter_text(['ai_ml_engineer', 'mlops_engineer'])}")
    read = validated_parameters(paths.NOTEBOOKS_DIR / NOTEBOOK,
                                dict(cli.parameters_from_text(params)), from_text=True)
    assert read == {"uncertainty": ranges, "roles": ["ai_ml_engineer", "mlops_engineer"]}


def test_the_line_targets_the_report_the_explorer_came_from():
    _, settings = _baseline()
    ex = explorer.ScenarioExplorer(NOTEBOOK, settings)
    assert ex.make_text.value == "make report NAME=scenario_baseline"
    # a rate far from the baseline's, nearer another scenario's: still the baseline's variant
    ex.controls["normalization_rate"].value = 0.27
    assert ex.make_text.value == ("make report NAME=scenario_baseline "
                                  "PARAMS='-p normalization_rate 0.27'")


def test_the_make_line_reads_back_through_make(tmp_path):
    """The whole line, run by a shell and make as a user pastes it (DRY=1: checked, not
    built), gives back every value exactly."""
    spec, settings = _baseline()
    line = explorer.make_line(spec, {**settings, "scenario_title": HOSTILE[1],
                                     "scenario_rationale": HOSTILE[2] + HOSTILE[5] + HOSTILE[4]},
                              {})
    out = subprocess.run(["bash", "-c", f"{line} DRY=1 OUT={shlex.quote(str(tmp_path))}"],
                         cwd=paths.PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    checked = re.search(r"parameters checked: (.*)$", out.stdout, re.S).group(1)
    assert f"scenario_title={HOSTILE[1]!r}" in checked
    assert f"scenario_rationale={HOSTILE[2] + HOSTILE[5] + HOSTILE[4]!r}" in checked
    assert "would build scenario_baseline--" in out.stdout  # a variant, not the named page
