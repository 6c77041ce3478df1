"""A page built with changed parameters is a variant: its own file under reports/variants/,
a "Variant of ..." banner listing every changed value, no named scenario's rationale, and the
named page untouched. Built through make as a user does."""

from __future__ import annotations

import html
import json
import re
import subprocess

import pytest

from aijobs import paths
from aijobs.devtools.figure_export import exportable, figures_in_page, variant_marked, variant_pages
from aijobs.reports.config import load_report_specs
from aijobs.reports.variants import variant_spec

RATIONALE = next(s for s in load_report_specs() if s.name == "scenario_baseline") \
    .parameters["scenario_rationale"]


def _make(*args, out):
    return subprocess.run(["make", "-s", *args, f"OUT={out}"], cwd=paths.PROJECT_ROOT,
                          capture_output=True, text=True, timeout=900)


def _text(page: str) -> str:
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_same_values_are_no_variant_and_a_changed_value_is_one():
    spec = next(s for s in load_report_specs() if s.name == "scenario_baseline")
    assert variant_spec(spec, {"premium_source": "lightcast_2025", "horizon_years": 5}) is None
    v = variant_spec(spec, {"premium_source": "pwc_2025", "horizon_years": 5})
    assert v.name.startswith("scenario_baseline--") and v.name != spec.name
    assert v.title == f"Variant of {spec.title}"
    assert v.variant["changes"] == [{"name": "premium_source", "label": "Today's premium",
                                     "value": "PwC, 2025 barometer",
                                     "own": "Lightcast, 2025 (one AI skill)"}]
    assert RATIONALE not in v.summary and RATIONALE not in v.parameters["scenario_rationale"]
    assert "Today's premium: PwC, 2025 barometer" in v.parameters["scenario_rationale"]
    assert v.parameters["premium_source"] == "lightcast_2025"  # the change is an override
    assert v.variant["values"] == {"premium_source": "pwc_2025"}


def test_a_variant_mark_goes_on_the_exported_image():
    spec = {"data": [], "layout": {"title": {"text": "A title<br><sup>sub</sup>"}}}
    marked = variant_marked(exportable(spec), "Variant of scenario_baseline: premium_source "
                                              "pwc_2025")
    assert marked["layout"]["title"]["text"] == (
        "A title<br><sup>sub<br>Variant of scenario_baseline: premium_source pwc_2025</sup>")


@pytest.mark.slow
def test_make_report_with_changed_values_builds_a_variant_and_leaves_the_named_page(tmp_path):
    out = tmp_path / "reports"
    named = _make("report", "NAME=scenario_baseline", out=out)
    assert named.returncode == 0, named.stderr
    page = out / "scenario_baseline.html"
    before = page.read_bytes()
    assert RATIONALE in _text(before.decode())
    index_before = (out / "index.html").read_bytes()

    built = _make("report", "NAME=scenario_baseline", "PARAMS=-p premium_source pwc_2025",
                  out=out)
    assert built.returncode == 0, built.stderr
    assert page.read_bytes() == before  # the named page is untouched
    assert (out / "index.html").read_bytes() == index_before
    variants = sorted((out / "variants").glob("scenario_baseline--*.html"))
    assert len(variants) == 1 and str(variants[0]) in built.stdout
    text = _text(variants[0].read_text())
    assert ("Variant of Scenario: Skills premium, slow normalization ( scenario_baseline ), "
            "built with 1 changed setting") in text
    assert ("Today's premium: PwC, 2025 barometer (the report's own: Lightcast, 2025 (one AI "
            "skill))") in text
    assert RATIONALE not in text and "28% premium" not in text
    assert "Premium used: PwC 2025" in text
    # the gallery's card describes the variant
    gallery = _text((out / "variants" / "index.html").read_text())
    assert "Variant of Scenario: Skills premium, slow normalization" in gallery
    assert "Today's premium: PwC, 2025 barometer" in gallery and RATIONALE not in gallery
    record = json.loads((out / "variants" / "variants.json").read_text())
    assert record[variants[0].stem]["base"] == "scenario_baseline"
    # the charts of the variant: the exported images carry the mark
    assert variant_pages(out) == {
        variants[0]: "Variant of scenario_baseline: Today&#x27;s premium: PwC, 2025 barometer"}
    charts = figures_in_page(variants[0].read_text())
    assert charts and RATIONALE not in json.dumps(charts)
    # the next full build leaves the variant where it is
    again = _make("report", "NAME=scenario_baseline", out=out)
    assert again.returncode == 0 and page.read_bytes() == before and variants[0].exists()
