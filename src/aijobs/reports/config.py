"""notebooks/reports.yaml: the reports to build and the named scenarios, checked.

Every entry of reports.yaml (name, notebook, title, summary, parameters) becomes one
ReportSpec; every named scenario becomes a report run from the scenario notebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aijobs import paths
from aijobs.errors import BuildError, ParameterError
from aijobs.files import read_yaml, yaml_problem
from aijobs.reports.parameters import validated_parameters

SPEC_KEYS = {"name", "notebook", "title", "summary", "parameters"}
TOP_KEYS = {"reports", "scenarios", "scenario_notebook", "start_here"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path
    title: str
    summary: str
    parameters: dict[str, Any] = field(default_factory=dict)


def shown_path(path: Path) -> str:
    """A path as shown in messages: relative to the project root when inside it."""
    try:
        return str(path.resolve().relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def load_report_specs(config: Path = paths.REPORTS_CONFIG) -> list[ReportSpec]:
    """The reports declared in reports.yaml, checked (names, notebooks and parameters)."""
    where = shown_path(config)
    if not config.is_file():
        raise BuildError(f"{where}: report configuration not found")
    try:
        data = read_yaml(paths.record_read(config).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuildError(f"{where}: not valid YAML, {yaml_problem(exc)}") from exc
    entries = data.get("reports") if isinstance(data, dict) else None
    unknown_top = set(data) - TOP_KEYS if isinstance(data, dict) else set()
    if unknown_top:
        raise BuildError(f"{where}: unknown top-level key(s) {', '.join(sorted(unknown_top))}; "
                         f"allowed: {', '.join(sorted(TOP_KEYS))}")
    if not isinstance(entries, list) or not entries:
        raise BuildError(f"{where}: expected a top-level 'reports:' list of entries with name, "
                         "notebook, title, summary and parameters")
    specs, seen = [], set()
    for i, entry in enumerate(entries, start=1):
        loc = f"{where}, report {i}"
        if not isinstance(entry, dict):
            raise BuildError(f"{loc}: expected a mapping with name, notebook, title, summary")
        unknown = set(entry) - SPEC_KEYS
        if unknown:
            raise BuildError(f"{loc}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                             f"{', '.join(sorted(SPEC_KEYS))}")
        for key in ("name", "notebook", "title", "summary"):
            if not entry.get(key):
                raise BuildError(f"{loc}: missing '{key}'")
        name = str(entry["name"])
        loc = f"{where}, report '{name}'"
        if not NAME_RE.match(name) or name == "index":
            raise BuildError(f"{loc}: a name is lower-case letters, digits, '-' or '_' and not "
                             "'index' (it becomes reports/<name>.html)")
        if name in seen:
            raise BuildError(f"{loc}: the name is used twice")
        seen.add(name)
        notebook = paths.NOTEBOOKS_DIR / entry["notebook"]
        if not notebook.is_file():
            raise BuildError(f"{loc}: notebook {entry['notebook']} not found in notebooks/")
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise BuildError(f"{loc}: parameters must be a mapping of name: value")
        try:
            params = validated_parameters(notebook, params)
        except ParameterError as exc:
            raise BuildError(f"{loc}: {exc}") from exc
        specs.append(ReportSpec(name, notebook, str(entry["title"]), str(entry["summary"]),
                                params))
    for spec in scenario_specs(data, where):
        if spec.name in seen:
            raise BuildError(f"{where}: scenario report name {spec.name!r} clashes with a report")
        seen.add(spec.name)
        specs.append(spec)
    start_here_entries(data, where, seen)
    return specs


def start_here_entries(data: dict, where: str, names: set[str]) -> list[dict[str, Any]]:
    """The checked `start_here:` entries: reader, reports (names of reports), why."""
    entries = data.get("start_here") or []
    if not isinstance(entries, list):
        raise BuildError(f"{where}: 'start_here:' must be a list of entries")
    for i, entry in enumerate(entries, start=1):
        loc = f"{where}, start_here {i}"
        if not isinstance(entry, dict) or set(entry) != {"reader", "reports", "why"}:
            raise BuildError(f"{loc}: expected exactly the keys reader, reports and why")
        if not isinstance(entry["reports"], list) or not entry["reports"]:
            raise BuildError(f"{loc}: reports must be a list of report names")
        unknown = [r for r in entry["reports"] if r not in names]
        if unknown:
            raise BuildError(f"{loc}: no report named {', '.join(map(repr, unknown))}")
    return entries


def load_start_here(config: Path = paths.REPORTS_CONFIG) -> list[dict[str, Any]]:
    """The `start_here:` entries of the configuration (checked when the specs are loaded)."""
    try:
        data = read_yaml(config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return list(data.get("start_here") or []) if isinstance(data, dict) else []


def scenario_entries(data: dict, where: str) -> list[dict[str, Any]]:
    """The checked `scenarios:` entries of the config: name, title, rationale, parameters."""
    entries = data.get("scenarios") or []
    if not isinstance(entries, list):
        raise BuildError(f"{where}: 'scenarios:' must be a list of entries")
    out, seen = [], set()
    for i, entry in enumerate(entries, start=1):
        loc = f"{where}, scenario {i}"
        if not isinstance(entry, dict):
            raise BuildError(f"{loc}: expected a mapping with name, title, rationale, parameters")
        unknown = set(entry) - {"name", "title", "rationale", "parameters"}
        if unknown:
            raise BuildError(f"{loc}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                             "name, parameters, rationale, title")
        for key in ("name", "title", "rationale"):
            if not entry.get(key):
                raise BuildError(f"{loc}: missing '{key}'")
        loc = f"{where}, scenario '{entry['name']}'"
        if not NAME_RE.match(f"scenario_{entry['name']}"):
            raise BuildError(f"{loc}: a scenario name is lower-case letters, digits, '-' or '_'")
        if entry["name"] in seen:
            raise BuildError(f"{loc}: the name is used twice")
        seen.add(entry["name"])
        out.append({**entry, "parameters": entry.get("parameters") or {}})
    return out


def load_scenario_entries(config: Path = paths.REPORTS_CONFIG) -> list[dict[str, Any]]:
    """The named scenarios of notebooks/reports.yaml (see scenario_entries)."""
    try:
        data = read_yaml(paths.record_read(config).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{shown_path(config)}: cannot read the scenarios ({exc})") from exc
    return scenario_entries(data if isinstance(data, dict) else {}, shown_path(config))


def scenario_specs(data: dict, where: str) -> list[ReportSpec]:
    """One report per named scenario: scenario_<name>, run from scenario_notebook."""
    entries = scenario_entries(data, where)
    if not entries:
        return []
    notebook_name = data.get("scenario_notebook")
    notebook = paths.NOTEBOOKS_DIR / str(notebook_name)
    if not notebook_name or not notebook.is_file():
        raise BuildError(f"{where}: scenarios need 'scenario_notebook:' naming a notebook in "
                         f"notebooks/ (got {notebook_name!r})")
    specs = []
    for entry in entries:
        name = f"scenario_{entry['name']}"
        loc = f"{where}, scenario '{entry['name']}'"
        params = {"scenario_title": str(entry["title"]),
                  "scenario_rationale": str(entry["rationale"]),
                  **entry["parameters"]}
        try:
            params = validated_parameters(notebook, params)
        except ParameterError as exc:
            raise BuildError(f"{loc}: {exc}") from exc
        specs.append(ReportSpec(name, notebook, f"Scenario: {entry['title']}",
                                str(entry["rationale"]), params))
    return specs


def select_specs(specs: list[ReportSpec], names: list[str] | None) -> list[ReportSpec]:
    if not names:
        return specs
    by_name = {s.name: s for s in specs}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise BuildError(f"no report named {', '.join(map(repr, unknown))} in "
                         f"notebooks/reports.yaml; reports: {', '.join(by_name)}")
    return [by_name[n] for n in names]
