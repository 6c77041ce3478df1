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


def _locked() -> dict[str, list[dict]]:
    """uv.lock's packages by normalised name (a name may be locked at two versions, for
    different Pythons)."""
    packages: dict[str, list[dict]] = {}
    for package in tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))["package"]:
        packages.setdefault(package["name"], []).append(package)
    return packages


def test_the_lock_pins_every_dependency_inside_its_bounds_with_hashes():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    locked = _locked()
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in locked, f"{name} is not in uv.lock (run uv lock)"
        for package in locked[name]:
            assert req.specifier.contains(package["version"], prereleases=True), \
                f"{name}=={package['version']} is outside {req.specifier}"
    for name, packages in locked.items():
        for package in packages:
            if "registry" not in package.get("source", {}):
                continue  # the suite itself
            files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package
                                                   else [])]
            assert files and all(f.get("hash", "").startswith("sha256:") for f in files), \
                f"{name} {package['version']} has a file without a hash"


def test_make_installs_the_lock_with_hashes_and_pinned_installers():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "uv export --quiet --locked" in makefile  # an out-of-date lock is an error
    assert makefile.count("--require-hashes -r $(VENV)/requirements.txt") == 2  # uv and pip
    assert "||" not in makefile.split("$(STAMP): pyproject.toml uv.lock")[1].split("\n\n")[0]
    assert "--resolution lowest-direct" in makefile  # make test-min
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["uv"]
    assert f"UV_VERSION ?= {pinned['required-version'].removeprefix('==')}" in makefile
    assert re.search(r"^PIP_VERSION \?= \d+(\.\d+)+$", makefile, re.M)
