"""Reports opened in a real headless Chromium with the network off: every chart is drawn."""

from __future__ import annotations

import re

import pytest
from conftest import require_chromium

from aijobs.devtools import browser
from aijobs.reports.config import load_report_specs


def _drawn_ids(dom: str) -> set[str]:
    # plotly adds the class js-plotly-plot to a div once it has drawn into it
    ids = set()
    for tag in re.findall(r"<div[^>]*>", dom):
        if "js-plotly-plot" in tag:
            found = re.search(r'id="([^"]+)"', tag)
            if found:
                ids.add(found.group(1))
    return ids


@pytest.mark.browser
@pytest.mark.parametrize("name", [s.name for s in load_report_specs()])
def test_every_chart_is_drawn_offline(built_reports, name):
    require_chromium()
    page = built_reports / f"{name}.html"
    expected = set(re.findall(r'Plotly\.newPlot\(\s*"([^"]+)"', page.read_text("utf-8")))
    assert expected
    dom = browser.rendered_dom(page)
    assert _drawn_ids(dom) == expected
    assert dom.count('class="main-svg"') >= len(expected)


@pytest.mark.browser
def test_a_cdn_page_draws_nothing_with_the_network_off(built_reports, tmp_path):
    """Control: proves the browser really is offline, so the test above means something."""
    require_chromium()
    text = (built_reports / "growth_rates.html").read_text("utf-8")
    cdn = tmp_path / "cdn.html"
    cdn.write_text(text.replace('src="plotly.min.js"',
                                'src="https://cdn.plot.ly/plotly-3.0.0.min.js"'), "utf-8")
    assert _drawn_ids(browser.rendered_dom(cdn)) == set()


@pytest.mark.browser
def test_index_links_work_and_screenshot_is_written(built_reports, tmp_path):
    require_chromium()
    dom = browser.rendered_dom(built_reports / "index.html", budget_ms=1000)
    links = re.findall(r'href="([^"]+\.html)"', dom)
    assert set(links) == {f"{s.name}.html" for s in load_report_specs()}
    png = browser.screenshot(built_reports / "compensation_bands.html", tmp_path / "c.png",
                             height=1400)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a blank page compresses to a few KB
