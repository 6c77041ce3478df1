"""Strings reaching a chart are data: no markup from a parameter, the config, a table or a
survey file becomes an element on a page (charts.theme.chart_text and safe_figure_dict)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from aijobs.charts import scenario_figures
from aijobs.charts.theme import chart_text, safe_figure_dict
from aijobs.notebook import display
from aijobs.reports.render import ensure_plotly_js

LINK = '<a href="https://evil.example/">CLICK</a>'
IMG = "<img src=x onerror=\"window.pwned='img'\">"
SCRIPT = "<script>window.pwned='script'</script>"
SPAN = '<span style="font-size:90px">BIG</span>'
PAYLOADS = [LINK, IMG, SCRIPT, SPAN]


@pytest.mark.parametrize("text, shown", [
    ("Midpoint pay<br><sup>nominal dollars</sup>", "Midpoint pay<br><sup>nominal dollars</sup>"),
    ("%{y}: $%{x:.0f}K<extra></extra>", "%{y}: $%{x:.0f}K<extra></extra>"),
    (LINK, '&lt;a href="https://evil.example/"&gt;CLICK&lt;/a&gt;'),
    (SPAN, '&lt;span style="font-size:90px"&gt;BIG&lt;/span&gt;'),
    ("<b>bold</b> and <BR/> kept", "<b>bold</b> and <BR/> kept"),
    ("R&amp;D &lt;a&gt; stays escaped", "R&amp;D &lt;a&gt; stays escaped"),
    ("pay < 100 and > 50", "pay &lt; 100 and &gt; 50"),
    ("<<a>>", "&lt;&lt;a&gt;&gt;"),
])
def test_chart_text_keeps_only_the_allowed_tags(text, shown):
    assert chart_text(text) == shown
    assert chart_text(chart_text(text)) == shown  # safe to apply twice


def _payload_figure() -> go.Figure:
    fig = go.Figure()
    for i, payload in enumerate(PAYLOADS):
        fig.add_bar(x=[i + 1], y=[f"row {i} {payload}"], orientation="h", name=payload,
                    customdata=[[payload]], hovertext=[payload],
                    hovertemplate="%{customdata[0]} %{hovertext}<extra>" + payload + "</extra>")
    fig.update_layout(
        title={"text": f"Title {LINK}<br><sup>Subtitle {IMG}</sup>"},
        legend={"title": {"text": f"Legend {SPAN}"}},
        xaxis={"title": {"text": f"X {SCRIPT}"}, "tickvals": [1, 2],
               "ticktext": [LINK, IMG]},
        yaxis={"title": {"text": f"Y {LINK}"}},
        sliders=[{"steps": [{"label": payload, "method": "skip", "args": []}
                            for payload in PAYLOADS]}])
    fig.add_annotation(text=f"Note {LINK} {IMG}", x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


def test_every_string_of_a_figure_is_made_safe():
    spec = safe_figure_dict(_payload_figure())
    text = repr(spec)
    for payload in PAYLOADS:
        assert payload not in text
    assert spec["layout"]["title"]["text"].startswith(
        'Title &lt;a href="https://evil.example/"&gt;CLICK&lt;/a&gt;<br><sup>Subtitle &lt;img')
    assert spec["data"][0]["customdata"][0][0].startswith("&lt;a href")
    assert spec["layout"]["sliders"][0]["steps"][0]["label"].startswith("&lt;a href")


def test_a_scenario_title_is_escaped_at_the_source():
    import pandas as pd

    projection = pd.DataFrame({
        "role_id": ["a"] * 2, "role_name": ["A"] * 2, "year": [0, 5], "basis": ["nominal"] * 2,
        "low_usd": [100e3, 110e3], "mid_usd": [150e3, 160e3], "high_usd": [200e3, 210e3],
        "is_open_ended": [False, False]})
    fig = scenario_figures.band_shift_figure(projection, "source", horizon=5, basis="nominal",
                                             scenario=LINK)
    assert fig.layout.title.text.startswith('&lt;a href="https://evil.example/"&gt;CLICK')


@pytest.mark.browser
def test_payloads_in_every_place_create_no_element_in_a_browser(chromium, tmp_path):
    ensure_plotly_js(tmp_path)
    div = display.figure_html(_payload_figure(), "payload-fig")
    page = tmp_path / "payloads.html"
    page.write_text(f'<!doctype html><html><head><meta charset="utf-8">'
                    f'<script src="plotly.min.js"></script></head><body>{div}</body></html>')
    with chromium.tab(page, height=1200) as tab:
        tab.wait_for("document.querySelector('#payload-fig .main-svg') !== null")
        tab.evaluate("Plotly.Fx.hover('payload-fig', [{curveNumber: 0, pointNumber: 0}])")
        tab.evaluate("new Promise(done => setTimeout(done, 300))")
        found = tab.evaluate("""(() => {
            const fig = document.getElementById('payload-fig');
            return {
              links: fig.querySelectorAll('svg a').length,
              images: fig.querySelectorAll('img, image').length,
              scripts: fig.querySelectorAll('script').length,
              styled: Array.from(fig.querySelectorAll('tspan[style]'))
                        .filter(t => t.getAttribute('style').includes('90px')).length,
              hover: fig.querySelectorAll('.hoverlayer .hovertext').length,
              text: fig.textContent,
              pwned: window.pwned || null,
            };
        })()""")
    assert found["hover"] == 1, "the hover box was drawn"
    counts = (found["links"], found["images"], found["scripts"], found["styled"])
    assert counts == (0, 0, 0, 0), f"payload elements (links, images, scripts, styled): {counts}"
    assert found["pwned"] is None
    # ...and the payloads show as the text they are
    assert 'Title <a href="https://evil.example/">CLICK</a>' in found["text"]
    assert "<script>window.pwned='script'</script>" in found["text"]


def test_notebooks_show_figures_only_through_the_safe_display():
    import json
    import re

    from aijobs import paths

    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        direct = [m.group(0) for m in re.finditer(r"[\w\])]+\.(show|to_html|write_html)\(", code)
                  if not m.group(0).startswith("display.show(")]
        assert not direct, f"{notebook.name} draws a figure around display.show: {direct}"
