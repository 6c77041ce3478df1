"""Report pages as a reader's browser shows them, and the checks every page must pass at each
width (used by test_browser.py at 1400 px and test_browser_phones.py at 390 px)."""

from __future__ import annotations

import re
from pathlib import Path

from aijobs.devtools import browser
from aijobs.reports.config import load_report_specs

PAGES = [s.name for s in load_report_specs()]


def chart_ids(page_html: str) -> set[str]:
    return set(re.findall(r'Plotly\.newPlot\(\s*"([^"]+)"', page_html))


def open_pages(reports: Path, chromium, width: int) -> dict[str, dict]:
    """What a reader's browser shows of every report page of reports.yaml at `width`, once its
    charts are fitted: the pages open at once, in tabs of one browser, each read when ready."""
    tabs = chromium.open_all([reports / f"{name}.html" for name in PAGES], browser.CHARTS_READY,
                             timeout=60, width=width, height=1200, mobile=width < 600)
    views = {}
    try:
        for name, tab in zip(PAGES, tabs, strict=True):
            found = tab.evaluate(browser.LAYOUT_JS)
            found["requests"] = tab.network_requests()
            views[name] = found
    finally:
        for tab in tabs:
            tab.close()
    return views


def check_fit(found: dict, name: str, width: int) -> None:
    assert found["sideways"] <= 0, f"{name} scrolls sideways at {width} px"
    assert found["bad"] == [], f"{name} at {width} px: {found['bad']}"
    assert found["plots"] > 0 and found["modebar"] > 0  # the toolbar is there...
    assert found["share"] == 0  # ...without Share chart (cloud upload) or the plotly logo
    assert found["labelled"] == found["plots"], "every chart has alt text"
    assert found["tables"] == found["plots"], "every chart has its data as a table"


def check_charts_drawn(reports: Path, found: dict, name: str, width: int) -> None:
    expected = chart_ids((reports / f"{name}.html").read_text("utf-8"))
    assert expected
    assert set(found["drawn"]) == expected, f"{name} at {width} px"
    assert found["svgs"] >= len(expected)


def check_offline(found: dict, name: str, width: int) -> None:
    assert found["requests"] == [], f"{name} at {width} px"
