"""Whether a notebook runs under the report build: one environment variable, set by the build
in each kernel's environment only (never in the process that runs the build)."""

from __future__ import annotations

import os

REPORT_MODE_VAR = "AIJOBS_REPORT_MODE"
# The invisible output that carries a report's key figures to the build (display.record_key_figures)
KEY_FIGURES_MIME = "application/vnd.aijobs.key-figures+json"


def report_mode() -> bool:
    """Whether this kernel runs under the report build."""
    return os.environ.get(REPORT_MODE_VAR) == "1"
