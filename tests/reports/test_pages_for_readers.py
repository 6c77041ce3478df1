"""Pages for readers: settings in plain words, sources once each, chart data to take away,
alt text, no cloud upload, phones and print, and an index that starts the reader off."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from aijobs import paths
from aijobs.charts import figure_data
from aijobs.data import tables
from aijobs.devtools.figure_export import figures_in_page
from aijobs.notebook import display
from aijobs.reports import config, parameters, render, settings_text
from aijobs.reports.cache import MANIFEST_NAME
from aijobs.reports.config import ReportSpec, load_report_specs

SPECS = load_report_specs()
PAGES = [s.name for s in SPECS]


@pytest.mark.parametrize("value, shown", [
    ([], "all"), (["US", "CA"], "US, CA"), ("", "none"), (None, "not set"), (True, "yes"),
    (False, "no"), (0.25, "0.25"), (5, "5"), ({}, "none"),
    ({"normalization_rate": [0.05, 0.15, 0.3]},
     "normalization_rate: 0.05 to 0.3 (most likely 0.15)"),
])
def test_settings_read_as_a_reader_writes_them(value, shown):
    assert render.reader_value(value) == shown


def test_changed_marks_only_values_given_for_this_build():
    spec = next(s for s in SPECS if s.name == "scenario_baseline")
    used = {**spec.parameters, "horizon_years": 10}
    table = render.settings_html(spec, used)
    rows = {r.split("</td>")[0]: r for r in table.split("<tr><td>")[1:]}
    assert ('<td data-label="Value">10 years <span class="changed">(changed)</span></td>'
            in rows["Years ahead"])
    # the scenario's own title is set by the configuration, not changed by the reader
    assert '(set for this report)' in rows["Scenario"]
    assert "(changed)" not in rows["Scenario"]
    assert "(changed)" not in render.settings_html(spec, dict(spec.parameters))
    # an empty list of roles means every role
    assert '<td data-label="Value">all</td>' in rows["Roles"]
    default = next(s for s in SPECS if s.name == "growth_rates")
    plain = render.settings_html(default, dict(default.parameters))
    assert "(changed)" not in plain and "(set for this report)" not in plain
    assert "Allowed: from 1 to 30." in plain


@pytest.mark.parametrize("name, value, shown", [
    ("company_countries", [], "all"), ("company_countries", ["US", "CA"], "US, CA"),
    ("experience_levels", ["EN", "SE"], "entry, senior"),
    ("pay_measure", "midpoint", "midpoint of the advertised range"),
    ("growth_period_years", None, "not stated: the range over 1 to 5 years, charts at one year"),
    ("growth_period_years", 2.5, "2.5 years"), ("oews_year", 0, "the latest"),
    ("oews_year", 2023, "2023"), ("normalization_rate", 0.05, "5%"),
    ("scarcity_premium_pct", 3.0, "3%"), ("min_salary_usd", 10000, "$10,000"),
    ("region_multiplier", 0.8, "x0.8"), ("region", "", "none (the regional pay factor applies)"),
    ("roles", ["ai_ml_engineer"], "AI/ML Engineer"), ("premium_source", "0.25", "25%"),
    ("premium_source", "pwc_2025", "PwC, 2025 barometer"), ("show_survey", False, "no"),
    ("uncertainty", {"normalization_rate": [0.02, 0.05, 0.1]},
     "premium lost each year: 2% to 10% (most likely 5%)"),
    ("uncertainty", {}, "none (one path, no fan)"),
    ("a_new_setting", "x_y", "x_y"),  # a parameter settings.yaml does not know reads as given
])
def test_setting_values_read_in_words(name, value, shown):
    assert settings_text.value_text(name, value) == shown


def test_every_parameter_of_every_notebook_has_words_for_readers():
    """Each parameter of the suite's notebooks has a label and a meaning in settings.yaml, and
    no label, value or meaning a page shows has code in it: no None, no snake_case name, no
    regular expression."""
    code = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\bNone\b|[\\^]|\[[A-Z]-[A-Z]\]|\{\d+\}|\)\?")
    for spec in SPECS:
        declared = parameters.notebook_parameters(spec.notebook)
        missing = sorted(set(declared) - set(settings_text.entries()))
        assert not missing, f"{spec.notebook.name}: no entry in settings.yaml for {missing}"
        for row in render.settings_rows(spec, dict(spec.parameters)):
            for what in ("label", "value", "meaning"):
                if row["name"] == "scenario_rationale" and what == "value":
                    continue  # the scenario's own words, from reports.yaml
                assert not code.search(row[what]), (spec.name, row["name"], what, row[what])


def test_settings_line_shows_the_few_a_reader_changes():
    scenario = next(s for s in SPECS if s.name == "scenario_rapid_normalization")
    rows = render.settings_rows(scenario, dict(scenario.parameters))
    shown = [r["label"] for r in rows if r["shown"]]
    assert len(rows) > 25 and len(shown) <= 8
    assert "Premium lost each year" in shown  # set for this scenario
    assert "Scenario" not in shown and "Random seed" not in shown
    changed = render.settings_rows(scenario, {**scenario.parameters, "seed": 7})
    assert "Random seed" in [r["label"] for r in changed if r["shown"]]


def _bar_figure() -> dict:
    return {"data": [{"type": "bar", "orientation": "h", "name": "Pay band",
                      "y": ["A", "B"], "x": {"dtype": "f8", "bdata": "AAAAAAAAREAAAAAAAIBBQA=="},
                      "base": [140.0, 150.0]},
                     {"type": "scatter", "name": "Midpoint <b>m</b>", "y": ["A", "B"],
                      "x": [160.0, 167.5]},
                     {"type": "heatmap", "name": "Heat", "x": ["p", "q"], "y": ["r"],
                      "z": [[1, 2]]}],
            "layout": {"title": {"text": "B pays most<br><sup>Bands, R&amp;D &lt;roles&gt;"
                                         "</sup>"},
                       "xaxis": {"title": {"text": "Annual pay (USD thousands)"}}}}


def test_a_figure_s_data_as_a_table():
    frame = figure_data.figure_data_frame(_bar_figure())
    bars = frame[frame["series"] == "Pay band"]
    # the typed array decodes to the bar lengths 40 and 35 ($K)
    assert bars["bar length: Annual pay (USD thousands)"].tolist() == [40.0, 35.0]
    assert bars["bar starts at"].tolist() == [140.0, 150.0]
    mids = frame[frame["series"] == "Midpoint m"]
    assert mids["x: Annual pay (USD thousands)"].tolist() == [160.0, 167.5]
    heat = frame[frame["series"] == "Heat"]
    assert heat[["x: Annual pay (USD thousands)", "y", "z"]].values.tolist() == [
        ["p", "r", 1], ["q", "r", 2]]


def test_alt_text_and_headline_state_the_finding():
    spec = _bar_figure()
    assert figure_data.figure_headline(spec) == "B pays most"
    assert figure_data.figure_alt_text(spec) == "B pays most. Bands, R&D <roles>."
    # a headline wrapped onto two lines (theme.wrapped) stays one sentence, whole, on the index
    from aijobs.charts.theme import wrapped

    long = ("By year 5, 'Large premium, rapid normalization' pays least and 'Large premium, "
            "sustained scarcity' most")
    spec["layout"]["title"]["text"] = wrapped(long, 90) + "<br><sup>Median pay</sup>"
    assert "<br>" in wrapped(long, 90)
    assert figure_data.figure_headline(spec) == long
    assert figure_data.figure_alt_text(spec) == long + ". Median pay."


def _bundle_notebook(*figures):
    import plotly.graph_objects as go  # noqa: F401

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("show(fig)", outputs=[
        nbformat.v4.new_output("display_data", data=display.figure_bundle(fig, f"aijobs-fig-{i}"))
        for i, fig in enumerate(figures, start=7)])]
    return nb


def test_the_build_takes_each_chart_s_data_out_and_captions_the_chart():
    import pandas as pd
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], name="n"))
    fig.update_layout(title={"text": "A finding<br><sup>detail</sup>"})
    tidy = pd.DataFrame({"role": ["a", "b"], "pay_usd_per_year": [1234.567, 2000.0]})
    figure_data.attach_data(fig, "pay", tidy, {"pay_usd_per_year": 0}, ["One row a role."],
                            source="Source: <b>somewhere</b>")
    twin = go.Figure(fig)  # a second chart of the same kind on the page
    figure_data.attach_data(twin, "pay", tidy, {"pay_usd_per_year": 1})
    nb = _bundle_notebook(fig, twin)
    files, headlines = render.collect_figures(nb, "demo", [
        {"name": "min_salary_usd", "label": "Lowest plausible yearly pay", "value": "none",
         "mark": "", "meaning": "."}])
    assert headlines == ["A finding", "A finding"]
    # named after the page and what they hold; no plotly JSON beside them
    assert sorted(files) == ["demo--pay-2.csv", "demo--pay-2.meta.yaml", "demo--pay.csv",
                             "demo--pay.meta.yaml"]
    rows = list(csv.reader(io.StringIO(files["demo--pay.csv"].decode())))
    assert rows == [["role", "pay_usd_per_year"], ["a", "1235"], ["b", "2000"]]
    assert "b,2000\n" in files["demo--pay-2.csv"].decode()  # 2000.0 to 1 place: 2000
    about = yaml.safe_load(files["demo--pay.meta.yaml"])
    assert about["file"] == "demo--pay.csv" and about["page"] == "demo.html"
    assert about["chart"] == "A finding. detail."
    assert about["source"] == "Source: somewhere"
    assert about["settings"] == {"Lowest plausible yearly pay": "none"}
    assert about["notes"] == ["One row a role."]
    assert about["rows"] == 2 and about["decimal places"] == {"pay_usd_per_year": 0}
    page = nb.cells[0].outputs[0]["data"]["text/html"]
    assert display.FIGURE_MIME not in nb.cells[0].outputs[0]["data"]
    assert 'aria-label="A finding. detail."' in page
    assert '<a href="demo_data/demo--pay.csv" download>Download data (CSV)</a>' in page
    assert '<a href="demo_data/demo--pay.meta.yaml">What the file holds</a>' in page
    assert "This chart's data as a table (2 rows)" in page
    # the table's headings are in a reader's words with their units, not the CSV's names
    assert "<th>Role</th><th>Pay (USD a year)</th>" in page
    assert about["column headings"] == {"role": "Role", "pay_usd_per_year": "Pay (USD a year)"}
    assert page.endswith("</figcaption></figure>")


def test_chart_data_states_its_precision_and_names_itself():
    import pandas as pd
    import plotly.graph_objects as go

    with pytest.raises(ValueError, match="say the precision of share"):
        figure_data.attach_data(go.Figure(), "x", pd.DataFrame({"share": [0.5]}))
    with pytest.raises(ValueError, match="lower-case words joined by '-'"):
        figure_data.attach_data(go.Figure(), "Pay Bands", pd.DataFrame({"a": [1]}))


def test_sources_are_listed_once_each_with_their_files():
    frame = display.sources_frame(["salary_bands", "roles", "premium_estimates",
                                   "derived/survey_percentiles"])
    page = display.sources_html(frame)
    assert page.count("Commentary on the AI job market") == 1  # two files, one citation
    assert page.count("aijobs.net salary survey</strong>") == 1
    assert "Each row cites" not in page and "column -" not in page
    assert "<th>Data as of</th><th>Entered in the suite</th>" in page
    assert '<td data-label="Data as of">survey snapshot of 2025-01-19</td>' in page
    assert "undated; read 2026-11-26" in page
    assert "data years 2010 to 2025, as each row states" in page


def _source_lines(page: str) -> dict[str, str]:
    """Each source paragraph of a page, keyed by the source's title."""
    return {re.sub(r"<[^>]+>", "", m.group(1)): m.group(0) for m in re.finditer(
        r'<p class="aijobs-source"><strong>(.*?)</strong>.*?</p>', page)}


def test_each_source_carries_its_own_licence_status():
    frame = display.sources_frame(["salary_bands", "premium_estimates",
                                   "derived/survey_percentiles", "survey_title_map"])
    lines = _source_lines(display.sources_html(frame))
    article = next(v for k, v in lines.items() if k.startswith("Commentary"))
    studies = next(v for k, v in lines.items() if k.startswith("Published estimates"))
    survey = lines["aijobs.net salary survey"]
    curation = next(v for k, v in lines.items() if k.startswith("Curation"))
    # the table's own licence (CC-BY-4.0, the suite's curation) is never lent to its source
    assert "Licence: none stated (An unattributed, undated commentary: it states no " \
           "author, title, date, publisher or licence)." in article
    assert "Licence: cited figures (Figures quoted" in studies
    # licence ids read as their names
    assert "Licence: Creative Commons CC0 1.0 (public domain dedication)." in survey
    assert "Licence: Creative Commons Attribution 4.0 (CC BY 4.0)." in curation
    # web addresses are links, file paths stay text
    assert '<a href="https://aijobs.net/salaries">https://aijobs.net/salaries</a>' in survey
    assert "<a " not in article


def test_a_source_of_kind_article_or_studies_cannot_claim_a_licence(monkeypatch):
    from aijobs.data import tables
    from aijobs.errors import DataError

    registry = {sid: dict(entry) for sid, entry in tables.load_sources().items()}
    registry["article"]["licence"] = "CC-BY-4.0"
    registry["published_studies"].pop("licence")
    monkeypatch.setattr(tables, "load_sources", lambda: registry)
    with pytest.raises(DataError, match="kind article, so its licence is 'none stated', "
                                        "not 'CC-BY-4.0'"):
        tables.source_licence("article")
    with pytest.raises(DataError, match="source published_studies states no licence"):
        tables.source_licence("published_studies")


def test_notes_link_web_addresses_and_escape_the_rest():
    text = 'PwC: https://pwc.com/a.pdf; <b>x</b> see http://e.org/p?q=1&r=2. javascript:alert(1)'
    assert display.linked_text(text) == (
        'PwC: <a href="https://pwc.com/a.pdf">https://pwc.com/a.pdf</a>; &lt;b&gt;x&lt;/b&gt; '
        'see <a href="http://e.org/p?q=1&amp;r=2">http://e.org/p?q=1&amp;r=2</a>. '
        "javascript:alert(1)")


DATA_LICENCES = re.compile(r"CC[- ]?BY|CC0|public domain|Licen[cs]e: (?!none stated|cited)",
                           re.IGNORECASE)


def test_no_page_lends_a_data_licence_to_the_article_or_a_study(built_reports):
    seen = 0
    for page_file in built_reports.glob("*.html"):
        for title, line in _source_lines(page_file.read_text()).items():
            if title.startswith(("Commentary", "Published estimates")):
                seen += 1
                assert not DATA_LICENCES.search(line), (page_file.name, line)
    assert seen >= len(PAGES)


def test_start_here_names_reports_that_exist(tmp_path):
    text = ("reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s}\n"
            "start_here:\n  - {reader: R, reports: [a, b], why: w}\n")
    cfg = tmp_path / "reports.yaml"
    cfg.write_text(text)
    with pytest.raises(config.BuildError, match=r"start_here 1: no report named 'b'"):
        config.load_report_specs(cfg)
    cfg.write_text(text.replace("[a, b]", "[a]").replace(", why: w", ""))
    with pytest.raises(config.BuildError, match="start_here 1: missing .why."):
        config.load_report_specs(cfg)


def test_the_index_starts_the_reader_off(tmp_path):
    (tmp_path / "growth_rates.html").write_text("page")
    (tmp_path / "claims_audit.html").write_text("page")
    manifest = {"growth_rates": {"headline": "AI Agent Developer grows fastest: +280%",
                                 "built": "2026-11-26"},
                "claims_audit": {"headline": "1 of 6 claims is supported",
                                 "built": "2026-11-25"}}
    start = [{"reader": "Checking the article's claims", "reports": ["claims_audit"],
              "why": "every figure against a salary file"}]
    page = render.write_index(SPECS, tmp_path, manifest, start).read_text()
    assert '<p class="finding">AI Agent Developer grows fastest: +280%</p>' in page
    assert "<strong>Checking the article&#39;s claims:</strong> " \
           '<a href="claims_audit.html">Claims audit</a>' in page
    assert "Pages built 2026-11-25 to 2026-11-26." in page
    assert "the aijobs.net salary survey: snapshot of 2025-01-19" in page
    assert "make reports" not in page  # instructions are for the README, not readers
    assert "Sweeps</h2>" not in page  # none in the folder
    gallery = tmp_path / "sweeps" / "growth_rates" / "index.html"
    gallery.parent.mkdir(parents=True)
    gallery.write_text("gallery")
    (tmp_path / "sweeps" / "half_made").mkdir()  # a folder without a gallery is not linked
    page = render.write_index(SPECS, tmp_path, manifest, start).read_text()
    growth = next(s.title for s in SPECS if s.name == "growth_rates")
    assert f'<a href="sweeps/growth_rates/index.html">{growth}</a>' in page
    assert "half_made" not in page


def test_built_pages_offer_their_data_beside_them(built_reports):
    seen: dict[str, str] = {}
    for name in PAGES:
        page = (built_reports / f"{name}.html").read_text()
        links = re.findall(rf'<a href="{name}_data/([^"]+\.csv)" download>Download data',
                           page)
        assert links, f"{name}: no chart offers its data"
        assert len(links) == page.count("Plotly.newPlot(")
        for link in links:
            # <report>--<what>.csv, unique across pages
            assert re.fullmatch(rf"{name}--[a-z0-9-]+\.csv", link), link
            assert link not in seen, (link, seen.get(link))
            seen[link] = name
            data = (built_reports / f"{name}_data" / link).read_text()
            header = data.splitlines()[0].split(",")
            assert header[0] not in ("series", "x", "y"), f"{link}: a chart dump"
            assert len(data.splitlines()) > 1, f"{link} holds no rows"
            about = yaml.safe_load((built_reports / f"{name}_data" /
                                    link.replace(".csv", ".meta.yaml")).read_text())
            assert about["columns"] == header and about["sources"] and about["settings"]
            assert about["rows"] == len(data.splitlines()) - 1
            # numbers rounded as stated: no float noise such as 219.0419617
            assert not re.search(r"\d\.\d{7,}", data), link
        assert not list((built_reports / f"{name}_data").glob("*.json")), name
    manifest = json.loads((built_reports / MANIFEST_NAME).read_text())
    assert manifest["growth_rates"]["headline"].startswith(
        "In the article, AI Agent Developer grows fastest")
    index = html.unescape((built_reports / "index.html").read_text())
    assert manifest["compensation_bands"]["headline"] in index


def test_no_built_page_heads_a_table_with_a_column_name(built_reports):
    """Every table a reader sees on every built page (the page's own tables, each chart's
    data, the settings, the sources, the index) heads its columns in words with their units:
    a heading written as a CSV column's name (entry_route, months_min) fails."""
    from page_views import snake_case_headings, table_headings

    pages = sorted(built_reports.glob("*.html"))
    assert {p.stem for p in pages} >= {*PAGES, "index"}
    found = {p.name: snake_case_headings(p.read_text("utf-8")) for p in pages}
    assert {name: heads for name, heads in found.items() if heads} == {}
    entry = table_headings((built_reports / "entry_competitiveness.html").read_text("utf-8"))
    assert {"Way in", "Rank (1 = most competitive)", "Shortest (months)",
            "Longest (months)"} <= set(entry)


def test_scenario_comparison_s_csv_gives_each_role_s_year_5_midpoint_per_scenario(
        built_reports):
    path = built_reports / "scenario_comparison_data" / \
        "scenario_comparison--scenario-paths.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    year5 = {(r["scenario"], r["role_id"]): r for r in rows if r["year"] == "5"}
    manifest = json.loads((built_reports / MANIFEST_NAME).read_text())
    scenarios = [s.name.removeprefix("scenario_") for s in SPECS
                 if s.name.startswith("scenario_") and s.name != "scenario_comparison"]
    roles = ["ai_research_scientist", "ai_ml_engineer", "ai_solutions_architect",
             "mlops_engineer", "ai_product_manager"]
    assert len(year5) == len(scenarios) * len(roles) == 25
    for scenario in scenarios:
        figures = manifest[f"scenario_{scenario}"]["key_figures"]
        for role in roles:
            row = year5[(scenario, role)]
            median = float(row["midpoint_median_usd_per_year"])
            assert row["midpoint_median_usd_per_year"].isdigit()  # whole dollars
            assert float(row["midpoint_p10_usd_per_year"]) <= median \
                <= float(row["midpoint_p90_usd_per_year"])
            # the scenario's own page's central path lies inside the fan drawn here (the fan
            # also draws the premium's level and today's pay, so its median need not be the
            # central path)
            assert float(row["midpoint_p10_usd_per_year"]) <= \
                figures[f"horizon_mid_usd_nominal.{role}"] <= \
                float(row["midpoint_p90_usd_per_year"]), (scenario, role)
    # the baseline's AI/ML Engineer: $185,000 today
    assert year5[("baseline", "ai_ml_engineer")]["role"] == "AI/ML Engineer"
    today = next(r for r in rows if r["scenario"] == "baseline"
                 and r["role_id"] == "ai_ml_engineer" and r["year"] == "0")
    assert today["midpoint_median_usd_per_year"] == "185000"


def test_no_page_keeps_a_modebar_button_that_uploads():
    assert display.PLOTLY_CONFIG["showSendToCloud"] is False
    assert {"sendChartToCloud", "sendDataToCloud"} <= set(
        display.PLOTLY_CONFIG["modeBarButtonsToRemove"])
    assert display.PLOTLY_CONFIG["displaylogo"] is False


def test_the_spec_list_is_not_empty():
    assert PAGES and all(isinstance(s, ReportSpec) for s in SPECS)
    assert Path(render.paths.TEMPLATES_DIR / "page.js").is_file()


def test_a_still_slider_chart_says_where_the_slider_stands():
    from aijobs.devtools.figure_export import exportable

    spec = {"data": [], "layout": {
        "title": {"text": "Drag the slider: bands move<br><sup>Rate steps</sup>"},
        "sliders": [{"active": 2, "currentvalue": {"prefix": "normalization rate: "},
                     "steps": [{"label": "0%"}, {"label": "1%"}, {"label": "2%"}]}]}}
    out = exportable(spec)
    assert "sliders" not in out["layout"]
    assert out["layout"]["title"]["text"] == (
        "Bands move<br><sup>Rate steps; still image at the slider's starting position "
        "(normalization rate: 2%)</sup>")


@pytest.mark.slow
def test_figures_export_what_is_built_and_never_rebuild(built_reports, tmp_path):
    import shutil
    import subprocess
    import sys

    from aijobs.devtools.figure_export import export_figures
    from aijobs.errors import BuildError
    from aijobs.reports.build import page_states

    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)
    mine = subprocess.run([sys.executable, "-m", "aijobs.cli", "build", "compensation_bands",
                           "-p", "region_multiplier", "0.5", "--output-dir", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert mine.returncode == 0, mine.stderr
    # a page built with the reader's own parameters is up to date: it is what they asked for
    assert set(page_states(out).values()) == {"up to date"}
    pages = {p.name: p.read_bytes() for p in out.glob("*.html")}
    (out / "growth_rates.html").unlink()
    with pytest.raises(BuildError, match="growth_rates is missing in .*nothing was exported"):
        export_figures(out, tmp_path / "figures")
    assert not (tmp_path / "figures").exists()
    pages.pop("growth_rates.html")
    assert {p.name: p.read_bytes() for p in out.glob("*.html")} == pages  # nothing rebuilt
    made = subprocess.run(["make", "-s", "-n", "figures"], capture_output=True, text=True,
                          cwd=render.paths.PROJECT_ROOT, timeout=60)
    assert "aijobs build" not in made.stdout  # make figures builds nothing first


def test_survey_charts_read_plainly():
    import pandas as pd

    from aijobs.charts import survey_figures
    from aijobs.survey import evidence

    mix = pd.DataFrame({"role_name": ["A", "A", "B", "Titles mapped to no role"],
                        "work_year": [2024, 2025, 2025, 2024], "postings": [5000, 40, 3, 9000]})
    fig = survey_figures.mix_figure(mix, "source", {"2025": "2025 (1 to 19 January only)"})
    heat = fig.data[0]
    assert list(heat.y) == ["Titles mapped to no role", "A", "B"]  # every role its own row
    assert list(heat.x) == ["2024", "2025<br>(1 to 19 January only)"]
    assert [list(r) for r in heat.text] == [["9,000", ""], ["5,000", "40"], ["", "3"]]
    region = evidence.with_country_names(pd.DataFrame({
        "country": ["US", "DE", "KR", "XX"], "ratio_to_us": [1, 0.5, 0.6, 0.7],
        "n_postings": [100, 40, 35, 30], "reliability": ["reliable"] * 4}))
    assert list(region["country_name"]) == ["United States", "Germany", "South Korea", "XX"]
    bars = survey_figures.region_figure(region, "source").data[0]
    assert "South Korea" in list(bars.y) and "KR" not in list(bars.y)
    entry = pd.DataFrame({"role_id": ["a", "a", "b", "c"], "role_name": ["A", "A", "B", "C"],
                          "work_year": [2023, 2024, 2024, 2024], "n_postings": [50, 60, 40, 9],
                          "entry_share": [0.1, 0.2, 0.05, float("nan")],
                          "is_reportable": [True, True, True, True]})
    lines = survey_figures.entry_share_figure(entry, "source").data
    assert {t.name: t.mode for t in lines} == {"A": "lines+markers", "B": "markers"}


def test_every_page_carries_its_passport(built_reports):
    import hashlib
    import platform
    import socket
    from importlib.metadata import version

    from aijobs import paths

    for name in PAGES:
        page = (built_reports / f"{name}.html").read_text()
        passport = page.split('<details class="passport">')[1].split("</details>")[0]
        assert f"Python {platform.python_version()}" in passport
        for package in ("pandas", "plotly", "papermill", "nbconvert"):
            assert f"{package} {version(package)}" in passport
        assert re.search(r"commit ([0-9a-f]{12}( with uncommitted changes)?|not a git "
                         r"checkout);", passport)
        read = re.findall(r"<tr><td>([^<]+)</td><td><code>([0-9a-f]{32})</code>", passport)
        assert read, f"{name}: no file listed"
        for file, md5 in read:
            data = (paths.PROJECT_ROOT / file).read_bytes()
            assert hashlib.md5(data).hexdigest() == md5, file
        # nothing about the machine
        for local in (str(paths.PROJECT_ROOT), str(built_reports)):
            assert local not in page, f"{name} names {local}"
        host = socket.gethostname()
        if len(host) >= 6:  # a short name such as "vm" is an ordinary word too
            assert host not in page, f"{name} names the host"


class _ReaderText(HTMLParser):
    """The text a reader reads on a page. Left out: scripts and styles; each chart's data as
    it downloads (its columns are named as in the CSV); the build's passport and the footer
    (the record of what built the page); and the source citations, which give each source's
    files by their paths on purpose."""

    SKIPPED_CLASSES = {"aijobs-chart-data", "passport", "aijobs-source"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "param", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.skipping: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        skip = (tag in ("script", "style", "footer")
                or bool(set((a.get("class") or "").split()) & self.SKIPPED_CLASSES)
                or a.get("data-label") == "File")  # a source's files, in its citation
        self.skipping.append(skip or bool(self.skipping and self.skipping[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.skipping:
            self.skipping.pop()

    def handle_data(self, data):
        if not (self.skipping and self.skipping[-1]):
            self.parts.append(data)


CODE_NAME = re.compile(
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"  # snake_case: a parameter, a table, an id
    r"|(?:\.\./|\b)(?:data|notebooks|src|shared)/\S*"  # a folder of the project
    r"|\b[\w-]+/[\w./-]+\.(?:csv|json|yaml|ipynb|py|xlsx)\b"  # a file path
    r"|\b(?:" + "|".join(re.escape(k) for k in tables.LICENCE_NAMES) + r")\b")  # licence ids
COMMAND = re.compile(r"\bmake \w+(?: [A-Z_]+=\S+)*")  # a command to type, as a page gives it
# named on purpose: a function of the R package SAEval, cited as where the thresholds are quoted
CITED_NAMES = {"cv_table"}


def _chart_texts(page: str) -> list[str]:
    """Every chart's title, axis titles, tick labels, trace names, categories, texts and notes,
    apart from its source line (a citation, which names the tables' files)."""
    out: list[str] = []

    def text(value) -> list[str]:
        value = value.get("text") if isinstance(value, dict) else value
        return [value] if isinstance(value, str) else []

    for fig in figures_in_page(page):
        layout = fig.get("layout", {})
        out += text(layout.get("title"))
        for key, axis in layout.items():
            if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
                out += text(axis.get("title")) + [t for t in axis.get("ticktext") or []
                                                  if isinstance(t, str)]
        out += [a.get("text", "") for a in layout.get("annotations") or []]
        for trace in fig.get("data", []):
            out += text(trace.get("name"))
            for key in ("x", "y", "text"):
                values = trace.get(key)
                out += ([v for v in values if isinstance(v, str)] if isinstance(values, list)
                        else text(values) if key == "text" else [])
    return [t for t in out if not re.match(r"Sources?: ", t)]


def code_names(page: str) -> list[tuple[str, str]]:
    """Each code name (a parameter or table name, a project path, a licence id) in the text a
    reader reads on `page`, with the words around it."""
    parser = _ReaderText()
    parser.feed(page)
    text = COMMAND.sub(" ", " ".join(parser.parts + _chart_texts(page)))
    return [(m.group(), text[max(0, m.start() - 60):m.end() + 20].replace("\n", " "))
            for m in CODE_NAME.finditer(text) if m.group() not in CITED_NAMES]


def test_code_names_are_found_in_reader_text_and_only_there():
    page = ('<main><p>Set survey_path or see notebooks/reports.yaml.</p><table><tr>'
            '<td data-label="Licence">CC-BY-4.0</td><td data-label="File">data/roles.csv</td>'
            '</tr></table><p class="aijobs-source">Tables: data/roles.csv.</p>'
            '<details class="aijobs-chart-data"><table><tr><th>n_postings</th></tr></table>'
            '</details><p>Run <code>make params NAME=claims_audit</code>; the thresholds of '
            'SAEval, cv_table.</p></main><footer>Built from notebooks/overview.ipynb</footer>'
            '<script>var market_claims = 1;</script>')
    assert [name for name, _ in code_names(page)] == [
        "survey_path", "notebooks/reports.yaml.", "CC-BY-4.0"]


def test_no_page_shows_a_reader_a_code_name(built_reports):
    pages = sorted(built_reports.glob("*.html"))
    assert {p.stem for p in pages} >= set(PAGES)
    found = {p.name: code_names(p.read_text()) for p in pages}
    assert not {name: hits for name, hits in found.items() if hits}, found


def ordinal_first_columns(page: str) -> list[str]:
    """The header of each table on `page` whose first column only counts its rows (1, 2, 3...).
    On a phone each row is a card headed by its first cell, so such a table's cards would be
    headed "1", "2", "3" instead of by what the row is about."""
    found = []
    for table in re.findall(r'<table class="aijobs-table">.*?</table>', page, re.S):
        head = re.search(r"<th>(.*?)</th>", table)
        firsts = [re.sub(r"<[^>]+>", "", c).strip()
                  for c in re.findall(r"<tr><td[^>]*>(.*?)</td>", table, re.S)]
        if head and len(firsts) > 1 and firsts == [str(i) for i in range(1, len(firsts) + 1)]:
            found.append(head.group(1))
    return found


def test_a_table_counting_its_rows_first_is_found():
    def table(cells):
        return ('<table class="aijobs-table"><thead><tr><th>First</th><th>Other</th></tr></thead>'
                '<tbody>' + "".join(f'<tr><td data-label="First">{c}</td><td>x</td></tr>'
                                    for c in cells) + "</tbody></table>")

    assert ordinal_first_columns(table(["1", "2", "3"])) == ["First"]
    assert ordinal_first_columns(table(["2020", "2021"]) + table(["Junior role", "1"])) == []


def test_phone_cards_are_headed_by_what_the_row_is_about(built_reports):
    found = {p.name: ordinal_first_columns(p.read_text())
             for p in sorted(built_reports.glob("*.html"))}
    assert not {name: heads for name, heads in found.items() if heads}, found
    # the routes in: each card headed by its route, the rank inside it
    page = (built_reports / "entry_competitiveness.html").read_text()
    assert re.search(r'<tr><td data-label="Route">Junior role in AI itself</td>'
                     r'<td data-label="Rank \(1 = most competitive\)">1</td>', page)


def test_the_scenario_methods_name_each_setting_as_the_settings_list_does():
    notebook = nbformat.read(paths.NOTEBOOKS_DIR / "salary_scenarios.ipynb", as_version=4)
    methods = next(c.source for c in notebook.cells if c.source.startswith("## Methods"))
    headings = {line.lstrip("# ").strip() for c in notebook.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("#")}
    labels = {e["label"] for e in settings_text.entries().values()}
    quoted = {" ".join(q.split()) for q in re.findall(r'"([^"]+)"', methods)}
    assert len(quoted & labels) >= 15  # the settings the model reads, each by its label
    assert quoted <= labels | headings, quoted - labels - headings
