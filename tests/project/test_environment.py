"""environment.yml (conda) and pyproject.toml (pip) declare the same dependencies and bounds."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

import yaml
from conftest import ROOT


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _conda_names() -> dict[str, str]:
    """PyPI name -> conda-forge name, for the packages whose names differ."""
    with open(Path(__file__).parent / "conda_names.csv", newline="", encoding="utf-8") as fh:
        return {row["pypi_name"]: row["conda_name"] for row in csv.DictReader(fh)}


def test_conda_and_pip_lists_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = _conda_names()
    pip_deps = {names.get(name, name): spec for name, spec in (
        _split(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"])}
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


def test_the_lock_pins_every_dependency_inside_its_bounds():
    from packaging.requirements import Requirement

    from aijobs.devtools.lock import locked_pins

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = {}
    for pin in locked_pins():
        name, version = pin.split("==")
        pins[name.lower().replace("_", "-")] = version
    assert len(pins) == len(locked_pins()), "a package is pinned twice"
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not locked"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"{name}=={pins[name]} is outside {req.specifier}"


def test_make_installs_the_lock_as_constraints():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "-c $(VENV)/constraints.txt -e '.[dev]'" in makefile
    assert "['tool']['aijobs']['lock']" in makefile
