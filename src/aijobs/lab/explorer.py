"""Explore a scenario live in JupyterLab: controls that recompute and redraw the charts.

`scenario_explorer("salary_scenarios.ipynb", globals())`, at the end of a scenario notebook,
shows controls for the normalization mode and rate, the premium source, wage growth,
inflation, the horizon, supply growth and the Monte Carlo ranges. Each change is checked by
the same rules as the notebook's `parameters` cell (reports.parameters), then the scenario is
recomputed with the same package functions the report uses (analysis.scenarios) and drawn with
the same chart functions (charts.scenario_figures) into plotly FigureWidgets, in place.

"Copy as parameters" shows the current settings two ways: the `make report` line that builds
them as a page, and a `parameters` cell to paste into the notebook.

The explorer shows itself only in a kernel that a Jupyter server started (JupyterLab gives its
kernels JPY_SESSION_NAME; papermill, nbclient and nbval do not) and never under the report
build, so pages and tests stay as they are. `ScenarioExplorer` itself works anywhere, which
is how the tests drive it.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go
from IPython.display import display

from aijobs import paths
from aijobs.analysis import scenario_defaults, scenarios, transforms
from aijobs.charts import scenario_figures, survey_figures
from aijobs.charts.figure_data import decoded_arrays
from aijobs.charts.theme import safe_figure_dict
from aijobs.data import tables
from aijobs.errors import ParameterError
from aijobs.files import loads_json
from aijobs.notebook import scenario_pages
from aijobs.reports.config import ReportSpec, load_report_specs
from aijobs.reports.parameters import (
    Parameter,
    check_together,
    notebook_parameters,
    validated_parameters,
)
from aijobs.reports.render import same_value
from aijobs.survey import evidence as survey_evidence
from aijobs.survey.slices import SurveySlice

# The controls, in the order shown. The others keep the notebook's values.
SCENARIO_CONTROLS = ("mode", "premium_source", "normalization_rate", "supply_growth",
                     "wage_growth", "inflation", "horizon_years", "basis", "uncertainty")
STEPS = {"normalization_rate": 0.01, "supply_growth": 0.01, "wage_growth": 0.005,
         "inflation": 0.005}
SLIDER_SPAN = {"supply_growth": (-0.5, 1.0)}  # the slider's reach inside the bounds
# Controls only one mode reads, and why the other ignores them (shown while disabled).
MODE_ONLY = {
    "normalization_rate": ("rate", "supply_demand mode moves the premium with demand against "
                                   "supply, not by a fixed rate"),
    "supply_growth": ("supply_demand", "rate mode takes a fixed share of the premium each year "
                                       "and does not use supply"),
}


# Text that cannot stand as it is in PARAMS: quotes and backslashes, what make or a shell
# would read ($, #, `), characters below space, space at either end, and "-p" (the next value's
# flag). Such a value is written as a JSON string, which PARAMS reads back exactly.
PLAIN_TEXT_RE = re.compile(r"""^(?!\s)(?!.*\s$)(?!.*(?:^|\s)-p(?:\s|$))"""
                           r"""[^"'\\$#`\x00-\x1f\x7f]+$""", re.S)


def json_text(value: Any) -> str:
    """JSON for a value, with "$" and the "-" of "-p" escaped (\\u0024, \\u002d), so that neither
    make nor the PARAMS reader sees them; JSON reads them back unchanged."""
    return (json.dumps(value, ensure_ascii=False).replace("$", "\\u0024")
            .replace("-p", "\\u002dp").replace("`", "\\u0060").replace("#", "\\u0023"))


def parameter_text(value: Any) -> str:
    """A value as `-p NAME VALUE` takes it in PARAMS (the inverse of the CLI's reading): text
    that could be misread (see PLAIN_TEXT_RE) as a JSON string, lists and dicts as JSON."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json_text(value)
    if isinstance(value, str) and not PLAIN_TEXT_RE.match(value):
        return json_text(value)  # also "" (an empty value)
    return str(value)


def make_line(spec: ReportSpec, settings: Mapping[str, Any],
              defaults: Mapping[str, Any]) -> str:
    """The `make report` line that builds `settings` as report `spec`'s page: one -p for every
    value that differs from what the report would use on its own."""
    own = {**defaults, **spec.parameters}
    changed = [(k, v) for k, v in settings.items() if k in own and not same_value(v, own[k])]
    if not changed:
        return f"make report NAME={spec.name}"
    params = " ".join(f"-p {k} {parameter_text(v)}" for k, v in changed)
    return f"make report NAME={spec.name} PARAMS={shlex.quote(params)}"


def parameters_cell(settings: Mapping[str, Any]) -> str:
    """The settings as a `parameters` cell (Python assignments)."""
    return "\n".join(f"{k} = {v!r}" for k, v in settings.items())


def closest_report(notebook: Path, settings: Mapping[str, Any],
                   defaults: Mapping[str, Any]) -> ReportSpec | None:
    """The report built from `notebook` that needs the fewest -p to match `settings`."""
    specs = [s for s in load_report_specs() if s.notebook.resolve() == notebook.resolve()]

    def overrides(spec: ReportSpec) -> int:
        own = {**defaults, **spec.parameters}
        return sum(1 for k, v in settings.items() if k in own and not same_value(v, own[k]))

    return min(specs, key=overrides, default=None)


class _Explorer:
    """What both explorers share: the notebook's parameter rules and current settings, the
    message and note lines, "copy as parameters", and the box they are shown in."""

    title = ""

    def _start(self, notebook: str | Path, settings: Mapping[str, Any]) -> None:
        self.notebook = paths.NOTEBOOKS_DIR / notebook
        self.rules: dict[str, Parameter] = notebook_parameters(self.notebook)
        self.defaults = {name: p.default for name, p in self.rules.items()}
        self.settings = {name: settings.get(name, p.default) for name, p in self.rules.items()}
        self.message = widgets.HTML()
        self.note = widgets.HTML()
        self.make_text = widgets.Textarea(layout=widgets.Layout(width="100%", height="3.5em"))
        self.cell_text = widgets.Textarea(layout=widgets.Layout(width="100%", height="12em"))
        self.last_seconds = 0.0
        # the report these settings came from: "copy as parameters" builds a variant of it
        self.origin = closest_report(self.notebook, self.settings, self.defaults)

    def _refuse(self, problem: Any) -> bool:
        self.message.value = f'<p style="color:#b00020">Not applied: {_escape(problem)}</p>'
        return False

    def _redrawn(self, note: str, start: float) -> None:
        """After a redraw: clear the message, show the note, refresh "copy as parameters"."""
        self.message.value = ""
        self.note.value = f"<p>{_escape(note)}</p>"
        spec = self.origin
        self.make_text.value = (make_line(spec, self.settings, self.defaults) if spec else
                                "(no report in notebooks/reports.yaml uses this notebook)")
        self.cell_text.value = parameters_cell(self.settings)
        self.last_seconds = time.perf_counter() - start

    def widget(self) -> widgets.Widget:
        """Controls, notes, the charts and "copy as parameters", in one box."""
        return _explorer_box(self.title, self)


class ScenarioExplorer(_Explorer):
    """Controls over a scenario notebook's parameters, recomputing its charts on each change.

    `settings` holds every parameter of the notebook as the notebook set it. `figures` are
    plotly FigureWidgets ("bands": today's band against the horizon's; "path": midpoint pay
    by year, with the Monte Carlo fan when ranges are set). `last_seconds` is how long the last
    recompute and redraw took.
    """

    title = "Explore this scenario"

    def __init__(self, notebook: str | Path, settings: Mapping[str, Any]):
        self._start(notebook, settings)
        self.inputs = scenarios.ScenarioInputs.load()
        self.source = tables.source_line("salary_bands", "growth_rates", "roles",
                                         "premium_estimates")
        self.controls = {name: self._control(name) for name in SCENARIO_CONTROLS
                         if name in self.rules}
        self.figures = {"bands": go.FigureWidget(), "path": go.FigureWidget()}
        self.mode_note = widgets.HTML()
        self.recompute()
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self.set(name, change["new"]), "value")

    def apply_mode(self) -> None:
        """Disable the controls the current mode ignores, and say why in one line each."""
        mode = self.settings.get("mode", "rate")
        lines = []
        for name, (needs, why) in MODE_ONLY.items():
            control = self.controls.get(name)
            if control is None:
                continue
            control.disabled = mode != needs
            if control.disabled:
                lines.append(f"{name.replace('_', ' ')} is off in {mode} mode: {why}.")
        self.mode_note.value = "".join(f'<p style="color:#555">{_escape(t)}</p>'
                                       for t in lines)

    # -- controls ---------------------------------------------------------------------------
    def _control(self, name: str) -> widgets.Widget:
        rule, value = self.rules[name], self.settings[name]
        if value is None and name in ("wage_growth", "supply_growth"):  # from data (Indeed, OEWS)
            value = scenario_defaults.with_data_defaults({name: None})[name]
        label = name.replace("_", " ")
        style = {"description_width": "11em"}
        layout = widgets.Layout(width="32em")
        if name == "premium_source":
            ids = list(dict.fromkeys(self.inputs.estimates["estimate_id"]))
            return widgets.Combobox(value=str(value), options=ids, ensure_option=False,
                                    description=label, style=style, layout=layout,
                                    placeholder="an estimate id, or a number such as 0.25")
        if name == "uncertainty":
            return widgets.Text(value=json.dumps(value or {}), description="uncertainty",
                                style=style, layout=widgets.Layout(width="48em"),
                                placeholder='{"normalization_rate": [0.02, 0.05, 0.15]}',
                                continuous_update=False)
        if rule.choices:
            return widgets.Dropdown(options=[c for c in rule.choices if c != ""], value=value,
                                    description=label, style=style, layout=layout)
        if rule.minimum is None or rule.maximum is None:  # parameters.py refuses this
            raise ParameterError(f"parameter {name}: a slider needs the number's range")
        low, high = SLIDER_SPAN.get(name, (rule.minimum, rule.maximum))
        if rule.type == "int":
            return widgets.IntSlider(value=int(value), min=int(low), max=int(high),
                                     description=label, style=style, layout=layout,
                                     continuous_update=False)
        return widgets.FloatSlider(value=float(value), min=low, max=high,
                                   step=STEPS.get(name, 0.01), readout_format=".3g",
                                   description=label, style=style, layout=layout,
                                   continuous_update=False)

    def set(self, name: str, value: Any) -> bool:
        """Take one control's new value: checked by the parameter's own rules, then the
        scenario is recomputed. A refused value leaves the charts as they were and says why
        (returns False)."""
        if name == "uncertainty" and isinstance(value, str):
            try:
                value = loads_json(value or "{}", unique_keys=True)
            except ValueError as exc:  # not JSON, nested too deeply, a key twice
                return self._refuse(f"uncertainty: {exc}; expected ranges such as "
                                    '{"normalization_rate": [0.02, 0.05, 0.15]}')
        candidate = {**self.settings, name: value}
        if name == "normalization_rate":
            candidate["normalization_rate_source"] = ""  # the control sets the rate itself
        try:
            checked = validated_parameters(self.notebook, {name: value})
            check_together(self.notebook, {**candidate, name: checked[name]})
            scenarios.scenario_from_settings(candidate)
        except (ParameterError, ValueError) as exc:
            return self._refuse(str(exc))
        candidate[name] = checked[name]
        self.settings = candidate
        self.recompute()
        return True

    # -- the model --------------------------------------------------------------------------
    def outputs(self) -> scenarios.ScenarioResult:
        """The scenario for the current settings, computed by the report's own entry point."""
        return scenarios.run_scenario(self.settings, self.inputs)

    def recompute(self) -> None:
        """Recompute the scenario and redraw both charts in place."""
        start = time.perf_counter()
        out = self.outputs()
        s = self.settings
        move = out.average_move()  # at the set values and across the draws, nominal and real
        bands = scenario_figures.band_shift_figure(
            out.projection, self.source, horizon=s["horizon_years"], basis=s["basis"],
            scenario=s.get("scenario_title", ""), move=move)
        path = scenario_figures.path_figure(out.projection, self.source, basis=s["basis"],
                                            fan=out.fan, move=move)
        for key, fig in (("bands", bands), ("path", path)):
            _redraw(self.figures[key], fig)
        self.outputs_now = out
        self.apply_mode()
        self._redrawn(f"{scenario_pages.headline(out.split, s['horizon_years'])} Premium used: "
                      f"{scenario_pages.premium_note(out.premiums)}.", start)


def _escape(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _redraw(target: go.FigureWidget, fig: go.Figure) -> None:
    """Replace a FigureWidget's traces and layout with those of `fig`, in one update (every
    string passes through the same escaping as the pages' charts)."""
    safe = go.Figure(decoded_arrays(safe_figure_dict(fig)))
    with target.batch_update():
        target.data = ()
        target.add_traces(list(safe.data))
        target.layout = safe.layout


SURVEY_CONTROLS = ("company_countries", "experience_levels", "work_years", "pay_measure",
                   "repeats")


class SurveyExplorer(_Explorer):
    """Controls over survey_evidence's slice (company country, experience level, work year,
    pay measure, repeats), recomputing its pay charts on each change.

    With `survey_path` set, the file is read once and every slice is summarised from it; with
    the committed evidence (no file) only the experience level, pay measure and repeats can
    change, and another slice is refused with the reason, as the parameters are.
    """

    title = "Explore this slice of the survey"

    def __init__(self, notebook: str | Path, settings: Mapping[str, Any]):
        self._start(notebook, settings)
        self.bands = transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                                     tables.load_table("roles"))
        first = SurveySlice.from_parameters(self.settings)
        self.data = first.read() if first.survey_path else None  # read once, sliced often
        self.source = ("Source: aijobs.net salary file (CC0), job postings summarised by the "
                       "aijobs suite.")
        self.controls = {name: self._control(name) for name in SURVEY_CONTROLS}
        self.figures = {"roles": go.FigureWidget(), "levels": go.FigureWidget()}
        self.recompute()
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self.set(name, _from_control(
                name, change["new"])), "value")

    def _control(self, name: str) -> widgets.Widget:
        style = {"description_width": "11em"}
        layout = widgets.Layout(width="32em")
        value = self.settings[name]
        label = name.replace("_", " ")
        if name == "experience_levels":
            return widgets.Dropdown(options=["all", "EN", "MI", "SE", "EX"],
                                    value=value[0] if value else "all", description=label,
                                    style=style, layout=layout)
        if name in ("pay_measure", "repeats"):
            return widgets.Dropdown(options=list(self.rules[name].choices or ()), value=value,
                                    description=label, style=style, layout=layout)
        return widgets.Text(value=", ".join(str(v) for v in value), description=label,
                            placeholder="empty keeps all", style=style, layout=layout,
                            continuous_update=False)

    def set(self, name: str, value: Any) -> bool:
        """Take one control's new value (checked as the parameter is), then recompute; a
        refused value leaves the charts and says why (returns False)."""
        candidate = {**self.settings, name: value}
        try:
            checked = validated_parameters(self.notebook, {name: value})
            candidate[name] = checked[name]
            evidence = self._evidence(candidate)
        except (ParameterError, ValueError) as exc:
            return self._refuse(exc)
        self.settings = candidate
        self.recompute(evidence)
        return True

    def _evidence(self, s: Mapping[str, Any]):
        return survey_evidence.load_evidence(SurveySlice.from_parameters(s), data=self.data)

    def recompute(self, evidence=None) -> None:
        """Summarise the slice and redraw both charts in place."""
        start = time.perf_counter()
        ev = evidence if evidence is not None else self._evidence(self.settings)
        filters = ev.provenance["filters_text"]
        roles = survey_figures.claimed_vs_survey_figure(
            self.bands, ev.role_pay(), self.source, filters_text=filters,
            min_n=self.settings["min_n"])
        levels = survey_figures.level_pay_figure(self.bands, ev.pay_by_level(), self.source,
                                                 filters_text=filters)
        _redraw(self.figures["roles"], roles)
        _redraw(self.figures["levels"], levels)
        self.evidence = ev
        self._redrawn(ev.summary, start)


def _from_control(name: str, value: Any) -> Any:
    """A control's value as the parameter takes it (lists from comma-separated text)."""
    if name == "experience_levels":
        return [] if value == "all" else [value]
    if name in ("company_countries", "work_years") and isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
        if name == "work_years":
            return [int(v) if v.lstrip("-").isdigit() else v for v in items]
        return [v.upper() for v in items]
    return value


def _explorer_box(title: str, explorer) -> widgets.Widget:
    copy = widgets.Accordion(children=[widgets.VBox([
        widgets.HTML("<p>Build these settings as a page (run in the project folder):</p>"),
        explorer.make_text,
        widgets.HTML("<p>Or paste into the notebook's <code>parameters</code> cell:</p>"),
        explorer.cell_text])], titles=("Copy as parameters",))
    mode_note = [explorer.mode_note] if hasattr(explorer, "mode_note") else []
    return widgets.VBox([widgets.HTML(f"<h3>{_escape(title)}</h3>"),
                         widgets.VBox(list(explorer.controls.values())), *mode_note,
                         explorer.message,
                         explorer.note, *explorer.figures.values(), copy])


def show_survey_explorer(notebook: str, namespace: Mapping[str, Any]) -> SurveyExplorer:
    """Display the survey explorer and return it."""
    explorer = SurveyExplorer(notebook, namespace)
    display(explorer.widget())
    return explorer


def show_scenario_explorer(notebook: str, namespace: Mapping[str, Any]) -> ScenarioExplorer:
    """Display the explorer for a scenario notebook whose parameters are in `namespace` (the
    notebook's globals()) and return it."""
    explorer = ScenarioExplorer(notebook, namespace)
    display(explorer.widget())
    return explorer

