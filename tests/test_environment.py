"""environment.yml (conda) and pyproject.toml (pip) declare the same dependencies and bounds."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_conda_and_pip_lists_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pip_deps = dict(_split(r) for r in project["dependencies"] +
                    project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    python = conda.pop("python")
    conda.pop("pip")
    assert conda == pip_deps
    assert python == ">=" + project["requires-python"].removeprefix(">=")


def test_every_dependency_has_an_upper_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "<" in req, f"{req} has no upper bound"
