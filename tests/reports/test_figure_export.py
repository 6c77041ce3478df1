"""make figures: every chart of the built pages as PNG and SVG, through kaleido."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, require_chromium

from aijobs.devtools.figure_export import figures_in_page

pytestmark = pytest.mark.slow


# Two reports whose charts hold, between them, every kind of chart the pages draw: bands
# (horizontal bars) with a slider (the scenario's), vertical bars, lines and points with error
# bars, shapes and notes, and a heatmap (the survey's). Each image costs about 0.35 CPU-s:
# compensation_bands, a third report here before, added 8 images of kinds these already have.
EXPORTED = ["scenario_baseline", "survey_evidence"]


@pytest.mark.browser
def test_figures_are_exported_as_png_and_svg(built_reports, tmp_path):
    require_chromium()
    reports = tmp_path / "reports"
    shutil.copytree(built_reports, reports)
    (reports / "growth_rates.html").unlink()  # a report not asked for may be missing
    result = subprocess.run([sys.executable, "-m", "aijobs.devtools.figure_export",
                             str(reports), str(tmp_path / "figures"), *EXPORTED],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in EXPORTED:
        expected = len(figures_in_page((built_reports / f"{name}.html").read_text()))
        assert expected > 0
        for fmt in ("png", "svg"):
            assert len(list((tmp_path / "figures").glob(f"{name}-*.{fmt}"))) == expected
    pngs = sorted((tmp_path / "figures").glob("*.png"))
    svgs = sorted((tmp_path / "figures").glob("*.svg"))
    assert {p.stem.rsplit("-", 1)[0] for p in pngs + svgs} == set(EXPORTED)
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import xml.etree.ElementTree as ET

    for svg in svgs:
        assert ET.parse(svg).getroot().tag.endswith("svg")


def test_figure_export_names_an_unknown_report(built_reports, tmp_path):
    result = subprocess.run([sys.executable, "-m", "aijobs.devtools.figure_export",
                             str(built_reports), str(tmp_path / "figures"), "no_such_report"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 2
    assert result.stderr.startswith("error: no report named no_such_report in reports.yaml: "
                                    "choose from overview, ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "figures").exists()
