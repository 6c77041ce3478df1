"""Live exploration in JupyterLab: controls that recompute the reports' charts in place
(uses the layers below, and reports for the parameter rules and the report list).

Notebooks call `lab.scenario_explorer(...)`; it imports the widgets only when the notebook runs
live in JupyterLab, so report builds and test runs pay nothing for them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from aijobs.notebook.mode import report_mode

SESSION_VAR = "JPY_SESSION_NAME"  # set by jupyter_server for the kernels it starts


def interactive() -> bool:
    """Whether this kernel runs under a Jupyter server (JupyterLab) and not the report build:
    jupyter_server gives its kernels JPY_SESSION_NAME; papermill, nbclient and nbval do not."""
    return bool(os.environ.get(SESSION_VAR)) and not report_mode()


def scenario_explorer(notebook: str, namespace: Mapping[str, Any], *, force: bool = False):
    """Show the scenario explorer under the notebook's charts when running live in JupyterLab
    (or when `force`), and return it; otherwise do nothing and return None."""
    if not (force or interactive()):
        return None
    # ipywidgets, FigureWidget and the report list take about 1 s to import (measured):
    # only a live session needs them.
    from aijobs.lab.explorer import show_scenario_explorer

    return show_scenario_explorer(notebook, namespace)


def survey_explorer(notebook: str, namespace: Mapping[str, Any], *, force: bool = False):
    """Show the survey-slice explorer when running live in JupyterLab (or when `force`), and
    return it; otherwise do nothing and return None."""
    if not (force or interactive()):
        return None
    # ipywidgets and FigureWidget take about 1 s to import (measured): only a live session
    # needs them.
    from aijobs.lab.explorer import show_survey_explorer

    return show_survey_explorer(notebook, namespace)
