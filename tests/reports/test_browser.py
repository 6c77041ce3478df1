"""Built pages opened in a real headless Chromium with the network off, as a reader would:
every chart is drawn, nothing is asked of the network, phones and desktops fit, print works.

Each page is opened once at each width, in tabs of one browser, and the checks read what that
one opening saw. This file opens them on a desktop (1400 px); test_browser_phones.py on a phone
(390 px): two files, so that pytest-xdist gives the two sets of openings to two workers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from page_views import (
    PAGES,
    SLICE_STATE,
    SLICES_PAGE,
    check_charts_drawn,
    check_fit,
    check_gallery,
    check_offline,
    choose,
    evidence_row,
)

from aijobs.devtools import browser

pytestmark = pytest.mark.browser
WIDTH = 1400  # the pages' width in `views` (conftest.py)

LAYOUT_JS = browser.LAYOUT_JS


@pytest.mark.parametrize("name", PAGES)
def test_pages_fit_desktops_with_alt_text_and_no_cloud_button(views, name):
    check_fit(views[name], name, WIDTH)


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_is_drawn_offline_on_a_desktop(built_reports, views, name):
    check_charts_drawn(built_reports, views[name], name, WIDTH)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_asks_the_network_for_anything_on_a_desktop(views, name):
    check_offline(views[name], name, WIDTH)


def test_the_sweep_gallery_fits_a_desktop_and_draws_its_chart_offline(built_sweep, chromium):
    check_gallery(chromium, built_sweep, WIDTH)


def test_a_cdn_page_draws_nothing_and_its_request_is_seen(built_reports, chromium, tmp_path):
    """Control for the two tests above: the browser really is offline, and a page that loads
    plotly from a CDN is caught asking for it."""
    cdn = tmp_path / "cdn.html"
    cdn.write_text((built_reports / "growth_rates.html").read_text("utf-8").replace(
        'src="plotly.min.js"', 'src="https://cdn.plot.ly/plotly-3.0.0.min.js"'), "utf-8")
    with chromium.tab(cdn, width=1400, height=1200) as tab:
        drawn = tab.evaluate("document.querySelectorAll('.js-plotly-plot').length")
        assert tab.network_requests() == ["https://cdn.plot.ly/plotly-3.0.0.min.js"]
    assert drawn == 0


def test_index_links_work_and_screenshots_are_written(built_reports, chromium, tmp_path):
    with chromium.tab(built_reports / "index.html") as tab:
        links = re.findall(r'href="([^"]+\.html)"', tab.dom())
    assert set(links) == {f"{name}.html" for name in PAGES}
    # the shortest report page (5,900 px tall on a phone; compensation_bands 16,900): a
    # full-page PNG costs CPU by the pixel
    pngs = browser.screenshots([built_reports / "entry_competitiveness.html"], tmp_path,
                               chromium=chromium)
    assert [p.name for p in pngs] == ["entry_competitiveness-1400.png",
                                      "entry_competitiveness-390.png"]
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 20_000  # a blank page compresses to a few KB


def test_print_opens_the_settings_and_drops_the_toolbar(page_tabs):
    # a scenario page as `views` opened it (no other test uses its tab)
    tab = page_tabs["scenario_rapid_normalization"]
    tab.wait_for("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
    assert tab.evaluate("document.querySelector('details.params').open") is False
    tab.call("Emulation.setEmulatedMedia", media="print")
    tab.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    state = tab.evaluate("""(() => ({
        open: document.querySelector('details.params').open,
        toolbar: getComputedStyle(document.querySelector('.modebar-container')).display,
        downloads: getComputedStyle(document.querySelector('.aijobs-download')).display,
        nav: getComputedStyle(document.querySelector('nav')).display}))()""")
    assert state == {"open": True, "toolbar": "none", "downloads": "none", "nav": "none"}


def test_dragging_the_slider_redraws_the_bands(page_tabs):
    """The scenario page's slider (tests/reports/test_scenario_reports.py checks its steps in
    the page), dragged with the mouse as a reader does: the bands are redrawn as the model
    says for the rate it stops at."""
    from test_scenario_reports import NAMED, PREMIUMS, _bands

    from aijobs.analysis import scenarios
    from aijobs.data import tables

    page = page_tabs["scenario_baseline"]  # as `views` opened it (no other test uses its tab)
    page.call("Page.bringToFront")  # the tab a reader looks at: mouse events reach it
    page.wait_for("document.querySelectorAll('.slider-container').length > 0")
    gid = page.evaluate(
        "document.querySelector('.slider-container').closest('.js-plotly-plot').id")
    before = page.evaluate(f"Array.from(document.getElementById('{gid}').data[1].base)")
    page.evaluate(f"document.getElementById('{gid}').scrollIntoView()")
    active_js = f"document.getElementById('{gid}').layout.sliders[0].active"
    for _ in range(3):  # a drag sent before the page settles after scrolling can miss
        page.evaluate("new Promise(done => setTimeout(done, 300))")
        rail = page.evaluate("(() => {const r = document.querySelector('.slider-rail-rect')"
                             ".getBoundingClientRect(); return [r.left, r.top, r.width];})()")
        grip = page.evaluate("(() => {const r = document.querySelector('.slider-grip-rect')"
                             ".getBoundingClientRect(); return [r.left + r.width / 2, "
                             "r.top + r.height / 2];})()")
        page.drag(grip[0], grip[1], rail[0] + rail[2] * 0.9, grip[1])
        try:
            page.wait_for(f"{active_js} > 20", 5)
            break
        except TimeoutError:
            continue
    active = page.evaluate(f"document.getElementById('{gid}').layout.sliders[0].active")
    after = page.evaluate(f"Array.from(document.getElementById('{gid}').data[1].base)")
    drawn = page.evaluate(f"document.querySelectorAll('#{gid} .bars path').length")
    assert after != before
    assert all(a <= b for a, b in zip(after, before, strict=True)), "faster normalization, lower"
    entry = next(s for s in NAMED if s["name"] == "baseline")
    params, _ = scenarios.scenario_from_settings(entry["parameters"])
    rate = round(active * 0.01, 6)
    expected = scenarios.slider_steps(_bands(), params, [rate], PREMIUMS,
                                      tables.load_table("growth_rates"))[0]
    assert after == pytest.approx(list(expected["low_usd"] / 1000))
    assert drawn >= 10  # today's and the projected bars are on screen


def _fault_page(folder: Path, figures: dict, table: bool) -> Path:
    """A page that draws each figure as it is, without the report pages' fitting script, so
    each fault stays in: {chart id: plotly figure}; with `table`, a data table whose cells
    cannot wrap (the fault stacked cards cure)."""
    import shutil

    import plotly.io as pio

    from aijobs.reports.render import plotly_js_path

    shutil.copy(plotly_js_path(), folder / "plotly.min.js")
    divs = "".join(pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=fid,
                               default_width="100%") for fid, fig in figures.items())
    cells = ("<div style='overflow:hidden'><table class='aijobs-table'><tr><td "
             "style='white-space:nowrap'>" + "not supported " * 12 + "</td></tr></table>"
             "</div><details class='params'><summary>Settings</summary><table><tr><td "
             "style='white-space:nowrap'>" + "folded setting " * 12 + "</td></tr></table>"
             "</details>") if table else ""
    page = folder / "faults.html"
    page.write_text(
        "<!doctype html><html><head><meta name='viewport' content='width=device-width'>"
        "<script src='plotly.min.js'></script></head><body>" + divs + cells +
        "<script>window.addEventListener('load', () => setTimeout(() => "
        "document.body.setAttribute('data-charts-fitted', ''), 500));</script></body></html>")
    return page


def test_each_layout_check_fails_when_its_fault_is_put_back(chromium, tmp_path):
    """The four chart faults readers met (issue 26), each put back in a chart of its own, and
    a cut table cell: the check made for each finds it, and a sound chart passes them all."""
    import plotly.graph_objects as go

    from aijobs.charts import theme

    depths = ["Technical", "Semi-technical", "Non-technical", "Not stated"]
    roles = [f"Role {i}" for i in range(6)]
    # the overview's old role chart: depth labels above the plot, under the legend
    legend = go.Figure([go.Scatter(x=depths[:2], y=roles[:2], mode="markers", name="Core AI"),
                        go.Scatter(x=depths[2:], y=roles[2:4], mode="markers", name="Adjacent")])
    legend.update_layout(template=theme.TEMPLATE, margin={"t": 60})
    legend.update_xaxes(side="top")
    # growth_rates' old bar labels: outside the bars, past the right edge
    cut = go.Figure(go.Bar(y=["AI Agent Developer"], x=[280], orientation="h",
                           text=["+280% (×3.80); doubles in 6.2 months"],
                           textposition="outside", cliponaxis=False))
    cut.update_xaxes(range=[0, 300])
    # long column labels kept level: they run into each other
    together = go.Figure(go.Bar(x=[f"2025 (1 January to 19 January, n={n})" for n in (1, 2, 3)],
                                y=[1, 2, 3]))
    together.update_xaxes(tickangle=0)
    # the learning-path chart: row labels so long the plot is left a sliver
    squeezed = go.Figure(go.Bar(y=["Path 2 · Deepen knowledge of your own domain first",
                                   "Path 3 · Concentrate on judgment, strategy and ethics"],
                                x=[3, 4], orientation="h"))
    sound = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    page = _fault_page(tmp_path, {"legend": legend, "cut": cut, "together": together,
                                  "squeezed": squeezed, "sound": sound}, table=True)
    with chromium.tab(page, width=390, height=1200, mobile=True) as tab:
        tab.wait_for(browser.CHARTS_READY, 60)
        bad = tab.evaluate(LAYOUT_JS)["bad"]
    found = {fid: [b for b in bad if b.startswith(fid + " ")] for fid in
             ("legend", "cut", "together", "squeezed", "sound")}
    assert "legend legend over tick labels" in found["legend"], bad
    assert any(b.startswith("cut labels cut at the edge") for b in found["cut"]), bad
    assert "together tick labels run together" in found["together"], bad
    assert any(b.startswith("squeezed plot squeezed to") for b in found["squeezed"]), bad
    assert found["sound"] == [], bad
    assert any(b.startswith("table cell cut: not supported") for b in bad), bad
    # a folded settings table is measured as a reader who opens it sees it
    assert any(b.startswith("table cell cut: folded setting") for b in bad), bad


# The survey page's slice switch (issue 26; page_views.SLICE_STATE), driven as a reader would:
# pick from a control, open a shared link, meet hostile addresses (a typed salary: on a phone,
# test_browser_phones.py).
def _open_at(chromium, built_reports: Path, fragment: str, width: int = 1400):
    """A tab that opens the survey page at `fragment` from another page: a fresh load of the
    link, as a reader following a shared link gets."""
    tab = chromium.tab(built_reports / "index.html", width=width, mobile=width < 600)
    tab.call("Page.navigate", url=(built_reports / SLICES_PAGE).resolve().as_uri() + fragment)
    tab.wait_for("location.pathname.endsWith('survey_evidence.html') && "
                 "document.readyState === 'complete' && "
                 "document.querySelector('.aijobs-slices tbody tr') !== null", 60)
    return tab


def test_the_slice_switch_changes_the_table_and_keeps_the_view_in_the_address(page_tabs):
    ai = evidence_row("ai_ml_engineer")
    tab = page_tabs["survey_evidence"]  # as `views` opened it (no other test uses its tab)
    start = tab.evaluate(SLICE_STATE)
    # the page's own slice (US) for the role with the most adverts, all levels and years:
    # the evidence table's figures
    assert (start["role"], start["level"], start["country"], start["year"]) == (
        "ai_ml_engineer", "all", "US", "all")
    assert start["labelled"]
    assert start["summary"] == (
        f"AI/ML Engineer, all levels, United States, all years: median advertised pay "
        f"${ai['p50_usd']:,.0f} (95% interval ${ai['p50_ci95_low_usd']:,.0f} to "
        f"${ai['p50_ci95_high_usd']:,.0f}), {ai['n_adverts']:,} distinct adverts, "
        f"{ai['reliability']}.")
    assert f"{ai['n_adverts']:,}" in start["chosen"]
    choose(tab, "level", "EX")
    executive = tab.evaluate(SLICE_STATE)
    assert executive["table"] != start["table"]
    # 27 executive adverts: under the minimum, so no number, and the chart says so
    assert executive["summary"] == ("AI/ML Engineer, executive, United States, all years: "
                                    "too few to report (27 distinct adverts, under the "
                                    "minimum of 30).")
    assert "too few to report: 27 distinct adverts, under the minimum of 30" in \
        executive["chosen"]
    assert executive["chart"].startswith("No chart")
    assert executive["hash"] == "#role=ai_ml_engineer&level=EX&country=US&year=all"
    choose(tab, "role", "ai_research_scientist")
    choose(tab, "level", "all")
    scientist = tab.evaluate(SLICE_STATE)
    rs = evidence_row("ai_research_scientist")
    assert f"median advertised pay ${rs['p50_usd']:,.0f}" in scientist["summary"]
    assert scientist["hash"] == "#role=ai_research_scientist&level=all&country=US&year=all"
    assert tab.network_requests() == []


def test_a_shared_link_restores_its_view(built_reports, chromium):
    with _open_at(chromium, built_reports,
                  "#role=ai_research_scientist&level=SE&country=US&year=2024&salary=150000"
                  ) as tab:
        state = tab.evaluate(SLICE_STATE)
        assert (state["role"], state["level"], state["country"], state["year"],
                state["salary"]) == ("ai_research_scientist", "SE", "US", "2024", "150000")
        assert state["summary"].startswith("AI Research Scientist, senior, United States, 2024")
        assert state["answer"].startswith("$150,000 a year")
        assert "your $150,000" in tab.evaluate("document.querySelector('.aijobs-slices svg')"
                                               ".textContent")
        # a value that is not an option falls back to the default, the rest stand
        tab.evaluate("location.hash = '#role=mlops_engineer&level=XX&country=ZZ&year=1999'")
        tab.wait_for("document.querySelector('.aijobs-slices select[name=role]').value === "
                     "'mlops_engineer'")
        state = tab.evaluate(SLICE_STATE)
        assert (state["role"], state["level"], state["country"], state["year"],
                state["salary"]) == ("mlops_engineer", "all", "US", "all", "")


def test_markup_in_the_address_never_becomes_live(built_reports, chromium):
    hostile = ("#role=%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E"
               "&level=%22%3E%3Csvg%20onload%3Dwindow.pwned%3D2%3E"
               "&country=US%3Cscript%3Ewindow.pwned%3D3%3C%2Fscript%3E"
               "&year=javascript:window.pwned=4&salary=%3Cimg%20src%3Dx%20onerror%3D"
               "%22window.pwned%3D5%22%3E")
    with _open_at(chromium, built_reports, hostile) as tab:
        state = tab.evaluate(SLICE_STATE)
        assert (state["role"], state["level"], state["country"], state["year"],
                state["salary"]) == ("ai_ml_engineer", "all", "US", "all", "")
        assert state["answer"] == ""
        assert tab.evaluate("typeof window.pwned") == "undefined"
        assert tab.evaluate("document.querySelectorAll('.aijobs-slices img, "
                            ".aijobs-slices script:not(.slice-data)').length") == 1
        assert tab.network_requests() == []
