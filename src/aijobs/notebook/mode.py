"""Whether a notebook runs under the report build: one environment variable, set by the build
in each kernel's environment only (never in the process that runs the build)."""

from __future__ import annotations

import os

REPORT_MODE_VAR = "AIJOBS_REPORT_MODE"
# The invisible outputs through which a notebook tells the build what it did (written by
# aijobs.notebook.display, read by aijobs.reports): its key figures (record_key_figures), each
# chart's id and alt text (figure_bundle), and the files it read (record_inputs).
KEY_FIGURES_MIME = "application/vnd.aijobs.key-figures+json"
FIGURE_MIME = "application/vnd.aijobs.figure+json"
INPUTS_MIME = "application/vnd.aijobs.inputs+json"
# What a page found (show_findings: the build lifts it above everything else on the page) and a
# method note or citation (show_method_note: the build moves its text to the Notes at the end
# and leaves a link where it was used).
FINDINGS_MIME = "application/vnd.aijobs.findings+json"
NOTE_MIME = "application/vnd.aijobs.note+json"


def report_mode() -> bool:
    """Whether this kernel runs under the report build."""
    return os.environ.get(REPORT_MODE_VAR) == "1"
