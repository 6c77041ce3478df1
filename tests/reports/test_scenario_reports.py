"""Scenario reports as a user gets them: named scenarios, the comparison, the in-page slider."""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import built_page, run_in

from aijobs import paths
from aijobs.analysis import scenario_defaults, scenarios, transforms
from aijobs.charts import finding_titles
from aijobs.data import tables
from aijobs.devtools.figure_export import figures_in_page
from aijobs.reports.config import load_named_scenarios, load_scenario_entries

NAMED = load_scenario_entries()
# What the reports use by default: the survey-calibrated premiums when data/derived has them.
# the baseline scenario's premium: Lightcast's 28% for AI skills, for every role
PREMIUMS = scenarios.choose_premiums("lightcast_2025", list(
    tables.load_table("salary_bands")["role_id"]), 0.10).used


def _cell(page: str, text: str) -> bool:
    """Whether a table cell of the page holds exactly `text` (cells carry a data-label)."""
    return re.search(r"<td[^>]*>" + re.escape(text) + "</td>", page) is not None


def _bands():
    return transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                           tables.load_table("roles"))


def test_the_four_named_scenarios_exist():
    names = [s["name"] for s in NAMED]
    assert names[:4] == ["baseline", "rapid_normalization", "sustained_scarcity",
                         "regulation_shock"]
    for s in NAMED:
        assert len(s["rationale"]) > 30


@pytest.mark.parametrize("name", [s["name"] for s in NAMED])
def test_each_named_scenario_builds_a_report(built_reports, name):
    page = built_page(built_reports, f"scenario_{name}").read_text()
    entry = next(s for s in NAMED if s["name"] == name)
    assert f"Scenario: {entry['title']}" in page
    # the methods section, with the settings named in words, as the settings list names them
    assert ("so the premium after <em>t</em> years is today's premium × (1 − <em>n</em>)"
            "<sup><em>t</em></sup>") in page
    assert 'a fixed share <em>n</em> ("Premium lost each year")' in html.unescape(page)
    assert "<h2 id=\"Methods\">Methods" in page
    # band shift, path with fan, premium share, tornado, premium estimates, slider
    assert len(figures_in_page(page)) == 6
    assert "Premium used: " in page and "Which premium?" in page
    # the answer first: where the data's defaults and the premium come from is in the Notes at
    # the end, linked from where it is used
    notes = page.index('<section class="notes" id="notes">')
    body, end = page[:notes], page[notes:]
    assert re.search(r"Default market wage growth, [\d.]+% a year: see <a href=\"#note-default-"
                     r"market-wage-growth-[\d-]+-a-year\">note \d+</a> at the end", body)
    assert "Indeed Hiring Lab&#x27;s US posted-wage growth" in end
    assert "Indeed Hiring Lab&#x27;s US posted-wage growth" not in body
    assert re.search(r"Premium used: [^<]+: see <a href=\"#note-premium-used-", body)
    assert "Where each estimate was published: see <a" in body
    assert '<a href="https://doi.org/10.1016/j.labeco.2021.102002">' in end
    # the growth of AI talent is stated only where the scenario uses it (supply and demand)
    talent = "Default growth of AI talent" in page or "Growth of AI talent " in page
    assert talent == (entry["parameters"]["mode"] == "supply_demand")
    index = built_page(built_reports, "index").read_text()
    assert f'href="scenario_{name}.html"' in index
    # the index card's headline is the band chart's: it says it quotes the set values, and the
    # draws' median beside them, each nominal with today's dollars where they go the other way,
    # as computed from the scenario the page runs
    settings = next(s for s in load_named_scenarios() if s["name"] == name)["settings"]
    move = scenarios.run_scenario(settings).average_move()
    card = finding_titles.band_shift_title(move, entry["title"])
    assert card.startswith(f"{entry['title']}: at the scenario's set values, the average "
                           "midpoint is ")
    assert "; the median of the draws is " in card and " nominal" in card
    assert ("today's dollars" in card) == finding_titles.differs(move.set_change("nominal"),
                                                                  move.set_change("real"))
    assert card in html.unescape(index)
    headline = figures_in_page(page)[0]["layout"]["title"]["text"]
    assert headline.replace("<br>", " ").startswith(html.escape(card, quote=False))


def test_comparison_orders_scenarios_as_their_parameters_imply(built_reports):
    page = built_page(built_reports, "scenario_comparison").read_text()
    note = re.search(r"At each scenario&#x27;s set values, the average role&#x27;s year-5 "
                     r"midpoint \(nominal dollars\), lowest first: ([^<]+)\.<", page)
    assert note, "the comparison states its ranking"
    order = [part.rsplit(" $", 1)[0] for part in note.group(1).split("; ")]
    title = {s["name"]: s["title"] for s in NAMED}
    # rapid normalization of the 56% premium removes most of it; sustained scarcity grows it
    assert order[0] == title["rapid_normalization"]
    assert order[-1] == title["sustained_scarcity"]
    assert set(order) == set(title.values())
    # the extremes' fans are far apart, so they are ranked; the page says which are not
    assert f"{title['rapid_normalization']} &lt; " in page or \
        f"Ranked where the fans (8 in 10 draws, averaged over roles) are apart: " \
        f"{title['rapid_normalization']}" in page
    assert "with their fans apart" in json.dumps(figures_in_page(page)[0])
    # the findings quote the medians of the draws, which the chart plots: its year-5 points
    # averaged over roles give the findings' highest and lowest figures
    chart = figures_in_page(page)[0]
    ends: dict[str, list[float]] = {}
    for trace in chart["data"]:
        ends.setdefault(trace["name"], []).append(trace["y"][-1] * 1000)
    means = {k: sum(v) / len(v) for k, v in ends.items()}
    lowest, highest = min(means, key=means.get), max(means, key=means.get)
    found = html.unescape(page[:page.index("Settings:")])
    assert (f"across the draws, the average role's median midpoint (nominal dollars, as the "
            f"chart plots) is highest under \u201c{highest}\u201d (${means[highest]:,.0f}) and "
            f"lowest under \u201c{lowest}\u201d (${means[lowest]:,.0f})") in found
    # where each scenario's premium and the data's defaults come from: in the Notes at the end
    notes = page.index('<section class="notes" id="notes">')
    assert "Where each scenario's premium comes from: see <a" in html.unescape(page[:notes])
    assert "Default market wage growth" in page[:notes]
    for s in NAMED:
        assert f"{s['title']}: " in page[notes:]
    assert "Method in brief" not in page


def test_comparison_median_paths_match_the_model():
    paths_, at_horizon = scenarios.compare_scenarios(load_named_scenarios(), horizon_years=5)
    mid = at_horizon.groupby("scenario")["mid_usd"].mean()
    assert mid["rapid_normalization"] < mid["baseline"] < mid["sustained_scarcity"]
    ml = at_horizon[(at_horizon["scenario"] == "baseline")
                    & (at_horizon["role_id"] == "ai_ml_engineer")].iloc[0]
    # by hand: Lightcast's 28%, 5% of it lost a year, wages growing at Indeed's US posted-wage
    # growth of April 2026 (three-month average 2.30%, the default from data):
    # 185,000 x 1.023^5 x (1 + 0.28 x 0.95^5) / 1.28
    g = scenario_defaults.wage_growth_default().value
    assert round(g, 4) == 0.0230
    assert ml["mid_usd"] == pytest.approx(185_000 * (1 + g) ** 5 * (1 + 0.28 * 0.95 ** 5) / 1.28)
    # the year-5 outcomes differ by more than their fans where the premiums differ that much
    ends = paths_[paths_["year"] == 5].groupby("scenario")[["p10_usd", "p90_usd"]].mean()
    assert ends.loc["rapid_normalization", "p90_usd"] < ends.loc["baseline", "p10_usd"]
    assert ends.loc["baseline", "p90_usd"] < ends.loc["sustained_scarcity", "p10_usd"]
    assert set(paths_["year"]) == set(range(6))


def _slider(page_html: str) -> dict:
    """The slider of the page's slider figure, from the embedded layout."""
    for fig in figures_in_page(page_html):
        if fig["layout"].get("sliders"):
            return fig
    raise AssertionError("no slider in the page")


def test_slider_steps_are_precomputed_in_the_page(built_reports):
    fig = _slider(built_page(built_reports, "scenario_baseline").read_text())
    steps = fig["layout"]["sliders"][0]["steps"]
    assert [s["label"] for s in steps][:3] == ["0%", "1%", "2%"]
    assert steps[-1]["label"] == "30%"
    assert len(steps) == 31
    entry = next(s for s in NAMED if s["name"] == "baseline")
    params, _ = scenarios.scenario_from_settings(entry["parameters"])
    expected = scenarios.slider_steps(_bands(), params, [0.20], PREMIUMS,
                                      tables.load_table("growth_rates"))[0].set_index("role_id")
    step = steps[20]
    assert step["method"] == "restyle"
    # trace 1 is the projected band; its order follows the article's table
    order = list(tables.load_table("salary_bands")["role_id"])
    assert step["args"][0]["base"][0] == pytest.approx(
        [expected.loc[r, "low_usd"] / 1000 for r in order])
    assert fig["layout"]["sliders"][0]["active"] == 5  # the scenario's own rate, 5%


# Dragging the slider in a browser: test_browser.py (in the tab its desktop views opened).


def test_a_scenario_is_a_few_lines_of_config(project_copy):
    config = project_copy / "notebooks" / "reports.yaml"
    config.write_text(config.read_text() + """  - name: stalled_market
    title: Stalled market
    rationale: Pay growth stops while the premium holds, to see the effect of wages alone.
    parameters: {normalization_rate: 0.0, wage_growth: 0.0}
""")
    listed = run_in(project_copy, "list")
    assert "scenario_stalled_market" in listed.stdout
    # the new scenario's page and the comparison, which reads the scenarios from the same file:
    # one build of both
    built = run_in(project_copy, "build", "scenario_stalled_market", "scenario_comparison")
    assert built.returncode == 0, built.stderr
    page = built_page(project_copy / "reports", "scenario_stalled_market").read_text()
    assert "Scenario: Stalled market" in page
    # wages and premium held: nominal pay stays, and 2.5% inflation a year takes 1 - 1/1.025^5
    # = 11.6% of it in today's dollars, which the headline says
    assert ("at the scenario's set values, the average midpoint is unchanged nominal but down "
            "11.6% in today's dollars by year 5") in \
        figures_in_page(page)[0]["layout"]["title"]["text"].replace("<br>", " ")
    assert "Stalled market" in built_page(project_copy / "reports",
                                          "scenario_comparison").read_text()


def test_a_bad_scenario_entry_is_named(project_copy):
    config = project_copy / "notebooks" / "reports.yaml"
    config.write_text(config.read_text() + """  - name: typo
    title: Typo
    rationale: A misspelt parameter.
    parameters: {normalisation_rate: 0.1}
""")
    result = run_in(project_copy, "list")
    assert result.returncode == 2
    assert ("scenario 'typo': salary_scenarios.ipynb has no parameter 'normalisation_rate'. "
            "Did you mean 'normalization_rate'?") in result.stderr


@pytest.mark.slow
def test_ad_hoc_scenario_from_the_command_line(tmp_path):
    result = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p",
                    "normalization_rate", "0.2", "-p", "horizon_years", "3", "-p",
                    "uncertainty", "{}", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = built_page(tmp_path, "scenario_baseline").read_text()
    assert '<td data-label="Value">20% <span class="changed">(changed)</span></td>' in page
    assert "by year 3" in json.dumps(figures_in_page(page)[0])
    rejected = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p",
                      "normalization_rate", "1.5", "--output-dir", str(tmp_path))
    assert rejected.returncode == 2
    assert "parameter normalization_rate: got 1.5; expected a value from 0 to 0.99" \
        in rejected.stderr
    bad_mode = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p", "mode",
                      "fast", "--output-dir", str(tmp_path))
    assert bad_mode.returncode == 2  # refused before any kernel starts
    assert "parameter mode: got 'fast'; expected one of 'rate', 'supply_demand'" \
        in bad_mode.stderr


def test_the_slider_opens_on_the_page_s_own_numbers_in_both_modes(built_reports):
    for name in ("baseline", "sustained_scarcity"):
        page = built_page(built_reports, f"scenario_{name}").read_text()
        fig = _slider(page)
        slider = fig["layout"]["sliders"][0]
        entry = next(s for s in NAMED if s["name"] == name)
        own = entry["parameters"].get("normalization_rate", entry["parameters"].get(
            "supply_growth"))
        assert slider["steps"][slider["active"]]["label"] == f"{own:.0%}"
        # the opening position shows the midpoints of the page's year-5 table
        mids = [round(x * 1000) for x in fig["data"][2]["x"]]
        for mid in mids:
            assert any(_cell(page, f"${m:,}") for m in (mid, mid + 1, mid - 1))


@pytest.mark.slow
def test_premium_source_from_the_command_line(tmp_path):
    result = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p", "premium_source",
                    "pwc_2025", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = built_page(tmp_path, "scenario_baseline").read_text()
    assert "Premium used: PwC 2025, AI skills in job ads: see <a" in page
    assert ("<strong>Premium used: PwC 2025, AI skills in job ads.</strong> Postings that ask "
            "for AI skills against postings of the same occupation that do not") in page
    assert "PwC, 2025 Global AI Jobs Barometer (2024)" in page
    assert re.search(r'<td[^>]*>\+56\.0%</td><td[^>]*>56\.0%</td>', page)
    bad = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p", "premium_source",
                 "pwc_2099", "--output-dir", str(tmp_path))
    assert bad.returncode == 2  # refused before any kernel starts
    assert "parameter premium_source: no estimate 'pwc_2099'" in bad.stderr


@pytest.mark.slow
def test_a_value_given_for_an_uncertain_parameter_moves_its_range(tmp_path):
    result = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p",
                    "normalization_rate", "0.15", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = built_page(tmp_path, "scenario_baseline").read_text()
    assert ("Uncertainty ranges re-centred on the values given: normalization_rate "
            "[0.02, 0.05, 0.1] -&gt; [0.12, 0.15, 0.2]") in page


@pytest.mark.slow
def test_a_scenario_can_start_from_the_job_board(tmp_path):
    result = run_in(paths.PROJECT_ROOT, "build", "scenario_baseline", "-p", "start_from",
                    "survey", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = html.unescape(built_page(tmp_path, "scenario_baseline").read_text())
    assert "Today's pay comes from the job board's typical posted range" in page
    pct = tables.load_table("derived/survey_percentiles")
    rows = pct[(pct["pay_measure"] == "midpoint") & (pct["repeats"] == "drop")
               & (pct["group"] == "all") & (pct["reliability"] != "suppressed")
               & pct["role_id"].isin(tables.load_table("salary_bands")["role_id"])]
    assert len(rows) == 4
    for p50 in rows["p50_usd"]:  # the evidence table's median postings are today's midpoints
        assert _cell(page, f"${p50:,.0f}")
    assert "article's band (the job board has 11 distinct adverts, under the minimum of 30)" in page
