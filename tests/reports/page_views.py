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


def view_all(chromium, pages: list[Path], width: int, *, keep: list | None = None) -> list[dict]:
    """What a reader's browser shows of each page at `width`, once its charts are fitted: the
    pages open at once, in tabs of one browser, each read when ready. The tabs are closed,
    unless `keep` is a list: then they are appended to it, open, and the caller closes them."""
    tabs = chromium.open_all(pages, browser.CHARTS_READY, timeout=60, width=width, height=1200,
                             mobile=width < 600)
    views = []
    try:
        for tab in tabs:
            found = tab.evaluate(browser.LAYOUT_JS)
            found["requests"] = tab.network_requests()
            views.append(found)
    finally:
        if keep is None:
            for tab in tabs:
                tab.close()
        else:
            keep.extend(tabs)
    return views


def open_pages(reports: Path, chromium, width: int, *, keep: list | None = None
               ) -> dict[str, dict]:
    """Every report page of reports.yaml as a reader's browser shows it at `width` (with
    `keep`, its tabs are left open in it, in the order of PAGES; see view_all)."""
    found = view_all(chromium, [reports / f"{name}.html" for name in PAGES], width, keep=keep)
    return dict(zip(PAGES, found, strict=True))


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
    # plotly.js came before the page script, which wrapped its newPlot before any chart was
    # drawn: on a phone a chart is drawn narrow the first time, not wide and then refitted
    assert found["wrapped"], f"{name} at {width} px: Plotly.newPlot is not the page's"


def check_offline(found: dict, name: str, width: int) -> None:
    assert found["requests"] == [], f"{name} at {width} px"


SNAKE_CASE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def table_headings(page_html: str) -> list[str]:
    """The text of every table heading cell (<th>) a reader can see on a built page: the
    page's tables, each chart's data table, the settings and the sources (scripts skipped)."""
    from html.parser import HTMLParser

    class Heads(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.heads: list[str] = []
            self.depth = 0  # inside a <th>
            self.script = False

        def handle_starttag(self, tag, attrs):
            self.script |= tag == "script"
            if tag == "th":
                self.depth += 1
                self.heads.append("")

        def handle_endtag(self, tag):
            self.script &= tag != "script"
            self.depth -= tag == "th" and self.depth > 0

        def handle_data(self, data):
            if self.depth and not self.script:
                self.heads[-1] += data

    parser = Heads()
    parser.feed(page_html)
    return [" ".join(h.split()) for h in parser.heads]


def snake_case_headings(page_html: str) -> list[str]:
    """Table headings written as a column's name (entry_route, months_min) instead of words."""
    return [h for h in table_headings(page_html) if SNAKE_CASE.search(h)]


def view_gallery(chromium, sweep_root: Path, width: int) -> tuple[Path, dict]:
    """A sweep's gallery (conftest.built_sweep) as a reader's browser shows it at `width`, once
    its chart is fitted: (the gallery's folder, what the checks read)."""
    from conftest import SWEEP_NAME

    gallery = sweep_root / "sweeps" / SWEEP_NAME
    return gallery, view_all(chromium, [gallery / "index.html"], width)[0]


def check_gallery(chromium, sweep_root: Path, width: int) -> None:
    """The checks every report page passes, on a sweep's gallery: it fits, its chart is
    drawn offline with alt text and its data as a table, and it asks the network for
    nothing."""
    gallery, found = view_gallery(chromium, sweep_root, width)
    check_fit(found, "the sweep gallery", width)
    check_charts_drawn(gallery, found, "index", width)
    check_offline(found, "the sweep gallery", width)


# The survey page's slice switch and "where does a salary fall?" (issue 26), driven as a reader
# would: pick from a control, type a salary (test_browser.py at 1400 px, test_browser_phones.py
# at 390 px).
SLICES_PAGE = "survey_evidence.html"
SLICE_STATE = """(() => {
  const s = document.querySelector('.aijobs-slices');
  const v = n => s.querySelector('select[name=' + n + ']').value;
  return {role: v('role'), level: v('level'), country: v('country'), year: v('year'),
          salary: s.querySelector('input[name=salary]').value,
          summary: s.querySelector('.slice-summary').textContent,
          table: s.querySelector('tbody').innerText,
          chosen: (s.querySelector('tbody tr.chosen') || {}).innerText || '',
          answer: s.querySelector('.salary-answer').textContent,
          chart: s.querySelector('svg').getAttribute('aria-label'),
          labelled: Array.from(s.querySelectorAll('select, input')).every(c =>
              c.labels && c.labels.length === 1 && c.labels[0].textContent.trim().length > 3),
          hash: location.hash};
})()"""


def choose(tab, name: str, value: str) -> None:
    """Pick `value` from the slice switch's control `name`, as a reader does."""
    tab.evaluate(f"""(() => {{ const c = document.querySelector(
        '.aijobs-slices select[name={name}]'); c.focus(); c.value = {value!r};
        c.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")


def type_salary(tab, text: str) -> dict:
    """Type `text` into the salary box; the slice switch's state after it (SLICE_STATE)."""
    tab.evaluate(f"""(() => {{ const i = document.querySelector('.aijobs-slices input');
        i.focus(); i.value = {text!r}; i.dispatchEvent(new Event('input', {{bubbles: true}}));
        }})()""")
    return tab.evaluate(SLICE_STATE)


def evidence_row(role: str) -> dict:
    """The committed evidence's row for a role (US, full-time, every level and year)."""
    from aijobs.data import tables

    pct = tables.load_table("derived/survey_percentiles")
    row = pct[(pct["pay_measure"] == "midpoint") & (pct["repeats"] == "drop")
              & (pct["role_id"] == role) & (pct["group"] == "all")].iloc[0]
    return row.to_dict()
