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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aijobs import paths
from aijobs.errors import BuildError, ParameterError
from aijobs.files import read_yaml, yaml_problem
from aijobs.reports.parameters import notebook_parameters, validated_parameters

# matched whole (fullmatch): "$" alone would let "overview\n" through, naming "overview\n.html"
NAME_RE = re.compile(r"[a-z][a-z0-9_-]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportEntry(_Strict):
    """One report: reports/<name>.html from notebooks/<notebook>."""

    name: str = Field(min_length=1)
    notebook: str = Field(min_length=1)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    parameters: dict[str, Any] | None = None
    key_figures: str | None = Field(default=None, min_length=1)

    @field_validator("name", mode="before")
    @classmethod
    def _page_name(cls, value: Any) -> Any:
        if isinstance(value, str) and (not NAME_RE.fullmatch(value) or value == "index"):
            raise ValueError("a name is lower-case letters, digits, '-' or '_' and not 'index' "
                             "(it becomes reports/<name>.html)")
        return value


class ScenarioEntry(_Strict):
    """One named scenario: the report scenario_<name> from the scenario notebook."""

    name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    parameters: dict[str, Any] | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _page_name(cls, value: Any) -> Any:
        if isinstance(value, str) and not NAME_RE.fullmatch(f"scenario_{value}"):
            raise ValueError("a scenario name is lower-case letters, digits, '-' or '_'")
        return value


class StartHere(_Strict):
    """Reports to open first, for one kind of reader."""

    reader: str = Field(min_length=1)
    reports: list[str] = Field(min_length=1)
    why: str = Field(min_length=1)


class ReportsConfig(_Strict):
    """The whole of notebooks/reports.yaml."""

    reports: list[ReportEntry] = Field(min_length=1)
    scenario_notebook: str | None = None
    scenario_key_figures: str | None = Field(default=None, min_length=1)
    scenarios: list[ScenarioEntry] | None = None
    start_here: list[StartHere] | None = None


def _entry_label(data: Any, loc: tuple[Any, ...]) -> str:
    """'report 'a'' or 'scenario 2' for an error inside a list entry, '' at the top."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return ""
    section, index = str(loc[0]), loc[1]
    kind = {"reports": "report", "scenarios": "scenario", "start_here": "start_here"}[section]
    entry = data.get(section)[index] if isinstance(data.get(section), list) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    if isinstance(name, str) and name and "name" not in loc[2:3]:
        return f"{kind} '{name}'"
    return f"{kind} {index + 1}"


def config_problem(where: str, data: Any, exc: ValidationError) -> str:
    """The first error of reports.yaml on one line: the entry, the key, what is wrong and
    what is allowed."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    label = _entry_label(data, loc)
    key = loc[2:] if label else loc
    field = ".".join(str(k) for k in key)
    prefix = f"{where}, {label}" if label else where
    kind = err["type"]
    more = len(exc.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    if not loc and not isinstance(data, dict) or loc == ("reports",):
        message = ("expected a top-level 'reports:' list of entries with name, notebook, title, "
                   "summary and parameters")
    elif kind == "extra_forbidden":
        models: dict[str, type[BaseModel]] = {"reports": ReportEntry,
                                              "scenarios": ScenarioEntry,
                                              "start_here": StartHere}
        model = models.get(str(loc[0])) if label else ReportsConfig
        allowed = ", ".join(sorted((model or ReportsConfig).model_fields))
        what = "unknown top-level key(s)" if not label else "unknown key(s)"
        message = f"{what} {field}; allowed: {allowed}"
    elif kind in ("missing", "string_too_short"):
        message = f"missing '{field}'"
    else:
        reason = str(err["msg"]).removeprefix("Value error, ")
        message = f"{field}: {reason}" if field else reason
    return f"{prefix}: {message}{tail}"


def read_config(config: Path) -> tuple[ReportsConfig, dict[str, Any]]:
    """The checked model of a reports.yaml, and the mapping as read."""
    where = shown_path(config)
    if not config.is_file():
        raise BuildError(f"{where}: report configuration not found")
    try:
        data = read_yaml(paths.record_read(config).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuildError(f"{where}: not valid YAML, {yaml_problem(exc)}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(f"{where}: cannot be read ({exc})") from exc
    try:
        return ReportsConfig.model_validate(data), data
    except ValidationError as exc:
        raise BuildError(config_problem(where, data, exc)) from None


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path
    title: str
    summary: str
    parameters: dict[str, Any] = field(default_factory=dict)
    # what the notebook records with display.record_key_figures, in words ("" records none)
    key_figures: str = ""
    # set on a variant (reports/variants.py): the report it varies, its title, a link to it and
    # the changed values, which the page's banner lists
    variant: dict[str, Any] | None = field(default=None, compare=False, hash=False)


def shown_path(path: Path) -> str:
    """A path as shown in messages: relative to the project root when inside it."""
    try:
        return str(path.resolve().relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def load_report_specs(config: Path = paths.REPORTS_CONFIG) -> list[ReportSpec]:
    """The reports declared in reports.yaml, checked (names, notebooks and parameters)."""
    where = shown_path(config)
    model, _ = read_config(config)
    specs, seen = [], set()
    for entry in model.reports:
        loc = f"{where}, report '{entry.name}'"
        if entry.name in seen:
            raise BuildError(f"{loc}: the name is used twice")
        seen.add(entry.name)
        notebook = paths.NOTEBOOKS_DIR / entry.notebook
        if not notebook.is_file():
            raise BuildError(f"{loc}: notebook {entry.notebook} not found in notebooks/")
        try:
            params = validated_parameters(notebook, entry.parameters or {})
        except ParameterError as exc:
            raise BuildError(f"{loc}: {exc}") from exc
        specs.append(ReportSpec(entry.name, notebook, entry.title, entry.summary, params,
                                entry.key_figures or ""))
    for spec in scenario_specs(model, where):
        if spec.name in seen:
            raise BuildError(f"{where}: scenario report name {spec.name!r} clashes with a report")
        seen.add(spec.name)
        specs.append(spec)
    for i, block in enumerate(model.start_here or [], start=1):
        unknown = [r for r in block.reports if r not in seen]
        if unknown:
            raise BuildError(f"{where}, start_here {i}: no report named "
                             f"{', '.join(map(repr, unknown))}")
    return specs


def load_start_here(config: Path = paths.REPORTS_CONFIG) -> list[dict[str, Any]]:
    """The `start_here:` entries of the configuration (checked when the specs are loaded)."""
    try:
        model, _ = read_config(config)
    except BuildError:
        return []
    return [entry.model_dump() for entry in model.start_here or []]


def scenario_entries(model: ReportsConfig, where: str) -> list[dict[str, Any]]:
    """The named scenarios, checked: name, title, rationale, parameters."""
    out, seen = [], set()
    for entry in model.scenarios or []:
        if entry.name in seen:
            raise BuildError(f"{where}, scenario '{entry.name}': the name is used twice")
        seen.add(entry.name)
        out.append({**entry.model_dump(), "parameters": entry.parameters or {}})
    return out


def load_scenario_entries(config: Path = paths.REPORTS_CONFIG) -> list[dict[str, Any]]:
    """The named scenarios of notebooks/reports.yaml (see scenario_entries)."""
    model, _ = read_config(config)
    return scenario_entries(model, shown_path(config))


def scenario_specs(model: ReportsConfig, where: str) -> list[ReportSpec]:
    """One report per named scenario: scenario_<name>, run from scenario_notebook."""
    entries = scenario_entries(model, where)
    if not entries:
        return []
    notebook_name = model.scenario_notebook
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
                                str(entry["rationale"]), params,
                                model.scenario_key_figures or ""))
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


def load_named_scenarios(config: Path = paths.REPORTS_CONFIG) -> list[dict[str, Any]]:
    """Each named scenario with the settings its page runs with: the scenario notebook's
    defaults, then the scenario's title, rationale and parameters (checked as for its
    report). Entries: name, title, rationale, parameters, settings."""
    model, _ = read_config(config)
    where = shown_path(config)
    entries = scenario_entries(model, where)
    if not entries:
        return []
    specs = scenario_specs(model, where)
    defaults = {n: p.default for n, p in notebook_parameters(specs[0].notebook).items()}
    return [{**entry, "settings": {**defaults, **spec.parameters}}
            for entry, spec in zip(entries, specs, strict=True)]
