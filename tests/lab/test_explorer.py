"""The live scenario explorer (aijobs.lab): controls driven from Python, values checked as the
parameters are, figures recomputed as worked out by hand, and "copy as parameters"."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from aijobs import lab, paths
from aijobs.lab import explorer

NOTEBOOK = "salary_scenarios.ipynb"
# A premium of 25% for every role, so each band's path is easy to work out by hand.
START = {"premium_source": "0.25", "normalization_rate": 0.05, "wage_growth": 0.03,
         "horizon_years": 5, "basis": "nominal"}


def _bars(ex: explorer.ScenarioExplorer, name: str) -> dict[str, tuple[float, float]]:
    """{role name: (low, high) in $k} of one bar trace of the band chart."""
    trace = next(t for t in ex.figures["bands"].data if t.name == name)
    return {role: (float(base), float(base) + float(width))
            for role, base, width in zip(trace.y, trace.base, trace.x, strict=True)}


@pytest.fixture(scope="module")
def ex() -> explorer.ScenarioExplorer:
    return explorer.ScenarioExplorer(NOTEBOOK, START)


def test_moving_the_rate_control_redraws_the_bands_as_worked_out_by_hand(ex):
    today = _bars(ex, "Today")
    assert today["AI Product Manager"] == (140.0, 180.0)  # data/salary_bands.csv, in $k
    ex.controls["normalization_rate"].value = 0.2  # as a user drags the slider
    assert ex.settings["normalization_rate"] == 0.2
    # Pay in year t = baseline x 1.03^t x (1 + 0.25 x (1 - 0.2)^t), baseline = pay / 1.25.
    factor = 1.03 ** 5 * (1 + 0.25 * 0.8 ** 5) / 1.25
    low, high = _bars(ex, "Year 5")["AI Product Manager"]
    assert low == pytest.approx(140 * factor, rel=1e-9)
    assert high == pytest.approx(180 * factor, rel=1e-9)
    assert low == pytest.approx(140.4755, abs=1e-3)
    # Slower normalization keeps more of the premium: every band ends higher.
    ex.controls["normalization_rate"].value = 0.0
    factor_flat = 1.03 ** 5
    assert _bars(ex, "Year 5")["AI Product Manager"][0] == pytest.approx(140 * factor_flat)
    ex.controls["normalization_rate"].value = 0.2


def test_other_controls_move_the_model(ex):
    ex.controls["normalization_rate"].value = 0.2  # (whatever ran before in this module)
    before = _bars(ex, "Year 5")["AI Product Manager"][0]
    ex.controls["wage_growth"].value = 0.0
    factor = (1 + 0.25 * 0.8 ** 5) / 1.25  # no market wage growth
    assert _bars(ex, "Year 5")["AI Product Manager"][0] == pytest.approx(140 * factor)
    ex.controls["horizon_years"].value = 10
    assert "Year 10" in {t.name for t in ex.figures["bands"].data}
    assert _bars(ex, "Year 10")["AI Product Manager"][0] == pytest.approx(
        140 * (1 + 0.25 * 0.8 ** 10) / 1.25)
    ex.controls["horizon_years"].value = 5
    ex.controls["wage_growth"].value = 0.03
    assert _bars(ex, "Year 5")["AI Product Manager"][0] == pytest.approx(before)


def test_the_monte_carlo_fan_appears_with_ranges(ex):
    assert not any("draws" in (t.name or "") for t in ex.figures["path"].data)
    assert ex.set("uncertainty", '{"normalization_rate": [0.1, 0.2, 0.4]}')
    fan = ex.outputs_now.fan
    assert fan is not None and len(fan["role_id"].unique()) == 5
    assert len(ex.figures["path"].data) > 5  # the median lines plus the shaded bands
    assert ex.set("uncertainty", "{}")
    assert ex.outputs_now.fan is None


@pytest.mark.parametrize("name, value, expected", [
    ("horizon_years", 40, "parameter horizon_years: got 40; expected a value from 1 to 30"),
    ("premium_source", "nope", "no estimate 'nope' in data/premium_estimates.csv"),
    ("uncertainty", '{"normalization_rate": [0.5, 0.2, 0.4]}', "low &lt;= most likely &lt;= high"),
    ("uncertainty", "{normalization_rate: 1}", "uncertainty: not valid JSON"),
    ("uncertainty", '{"colour": [0, 1, 2]}', "colour"),
    ("normalization_rate", float("nan"), "normalization_rate"),
    ("mode", "sideways", "mode"),
])
def test_a_refused_value_changes_nothing_and_says_why(ex, name, value, expected):
    settings, bars = dict(ex.settings), _bars(ex, "Year 5")
    assert ex.set(name, value) is False
    assert expected in ex.message.value
    assert ex.settings == settings and _bars(ex, "Year 5") == bars


def test_copy_as_parameters_gives_a_make_line_and_a_parameters_cell(ex):
    ex.controls["normalization_rate"].value = 0.2  # (whatever ran before in this module)
    line = ex.make_text.value
    assert line.startswith("make report NAME=scenario_")
    params = shlex.split(line)[-1].removeprefix("PARAMS=")
    assert "-p normalization_rate 0.2" in params and "-p premium_source 0.25" in params
    cell = ex.cell_text.value.splitlines()
    assert "normalization_rate = 0.2" in cell and "premium_source = '0.25'" in cell
    assert len(cell) == len(ex.rules)  # every parameter, so the cell stands on its own


def test_the_make_line_for_the_notebook_s_defaults_needs_no_parameter_it_does_not_change():
    fresh = explorer.ScenarioExplorer(NOTEBOOK, {})
    spec = explorer.closest_report(fresh.notebook, fresh.settings, fresh.defaults)
    line = fresh.make_text.value
    assert line.startswith(f"make report NAME={spec.name} PARAMS='-p scenario_title Custom "
                           "scenario -p scenario_rationale \"\"")
    # Every named scenario sets its title, rationale, ranges and at least one assumption, so
    # the closest needs four -p; values it shares with the notebook are not repeated.
    assert line.count(" -p ") + line.count("'-p ") == 4
    assert "-p horizon_years" not in line and "-p inflation" not in line


def test_the_explorer_shows_only_live_in_jupyterlab(monkeypatch):
    monkeypatch.delenv(lab.SESSION_VAR, raising=False)
    monkeypatch.delenv("AIJOBS_REPORT_MODE", raising=False)
    assert not lab.interactive()
    assert lab.scenario_explorer(NOTEBOOK, {}) is None  # papermill, nbval, a script
    monkeypatch.setenv(lab.SESSION_VAR, "salary_scenarios.ipynb")
    assert lab.interactive()
    monkeypatch.setenv("AIJOBS_REPORT_MODE", "1")
    assert not lab.interactive()  # the report build


def test_importing_the_notebook_helper_does_not_import_the_widgets():
    code = ("import sys\nfrom aijobs import lab\nlab.scenario_explorer('x', {})\n"
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_the_make_line_reproduces_the_explored_figures_in_a_built_page(ex, tmp_path):
    ex.controls["normalization_rate"].value = 0.15
    ex.controls["wage_growth"].value = 0.02
    line = ex.make_text.value
    name = line.split()[2].removeprefix("NAME=")
    params = shlex.split(line)[3].removeprefix("PARAMS=")
    out = tmp_path / "reports"
    result = subprocess.run(["make", "-s", "report", f"NAME={name}", f"PARAMS={params}",
                             f"OUT={out}"], cwd=paths.PROJECT_ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    from aijobs.devtools.figure_export import figures_in_page

    built = figures_in_page(next((out / "variants").glob(f"{name}--*.html")).read_text())[0]
    year5 = next(t for t in built["data"] if t["name"] == "Year 5")
    trace = next(t for t in ex.figures["bands"].data if t.name == "Year 5")
    assert year5["y"] == list(trace.y)
    assert year5["base"] == pytest.approx(list(trace.base), rel=1e-12)
    assert built["layout"]["title"]["text"] == ex.figures["bands"].layout.title.text


SURVEY_HEADER = ("work_year,experience_level,employment_type,job_title,salary,salary_currency,"
                 "salary_in_usd,employee_residence,remote_ratio,company_location,company_size\n")


def _survey_row(usd: int, country: str, year: int = 2024) -> str:
    return (f"{year},SE,FT,Machine Learning Engineer,{usd},USD,{usd},{country},0,{country},M\n")


@pytest.fixture()
def survey_file(tmp_path):
    # 40 distinct US adverts at $149,961 to $150,039 (median $150,000) in 2024, 40 GB adverts
    # at $89,961 to $90,039 (median $90,000) in 2023; pay rises row by row, so no pairs.
    path = tmp_path / "salaries.csv"
    path.write_text(SURVEY_HEADER
                    + "".join(_survey_row(149_961 + 2 * i, "US") for i in range(40))
                    + "".join(_survey_row(89_961 + 2 * i, "GB", 2023) for i in range(40)))
    return path


def _median_k(ex) -> tuple[float, ...]:
    return next(t for t in ex.figures["roles"].data if t.name.startswith("Survey median")).x


def test_the_survey_slice_controls_re_summarise_the_postings(survey_file):
    ex = explorer.SurveyExplorer("survey_evidence.ipynb", {"survey_path": str(survey_file)})
    pay = ex.evidence.role_pay().set_index("role_id").loc["ai_ml_engineer"]
    assert (pay["n_postings"], pay["p50_usd"]) == (40, 150_000)  # US companies by default
    assert _median_k(ex) == (150.0,)
    ex.controls["company_countries"].value = "gb"  # typed as a reader would
    assert ex.settings["company_countries"] == ["GB"]
    assert _median_k(ex) == (90.0,)
    ex.controls["company_countries"].value = ""  # every country: 80 postings
    pay = ex.evidence.role_pay().set_index("role_id").loc["ai_ml_engineer"]
    # The median of the 80 is the mean of the 40th and 41st: (90,039 + 149,961) / 2 = 120k.
    assert (pay["n_postings"], pay["p50_usd"]) == (80, 120_000)
    ex.controls["work_years"].value = "2023"
    assert _median_k(ex) == (90.0,)
    assert ex.make_text.value.endswith(
        "PARAMS='-p survey_path " + str(survey_file)
        + " -p company_countries [] -p work_years [2023]'")
    ex.controls["work_years"].value = "1990"
    assert "work_years: got 1990 as item 1; expected a value from 2000 to 2100" \
        in ex.message.value
    assert ex.settings["work_years"] == [2023] and _median_k(ex) == (90.0,)


def test_the_committed_evidence_allows_only_the_slices_it_holds():
    ex = explorer.SurveyExplorer("survey_evidence.ipynb", {})
    assert ex.set("experience_levels", ["EN"])
    assert ex.make_text.value == ("make report NAME=survey_evidence "
                                  "PARAMS='-p experience_levels [\"EN\"]'")
    assert not ex.set("company_countries", ["GB"])
    assert "set survey_path to a survey file to recompute with other filters" \
        in ex.message.value


def test_changing_the_mode_enables_the_controls_it_reads():
    ex = explorer.ScenarioExplorer(NOTEBOOK, START)
    supply, rate = ex.controls["supply_growth"], ex.controls["normalization_rate"]
    # rate mode: supply growth changes nothing, so it is off and the page says why
    assert supply.disabled and not rate.disabled
    assert "supply growth is off in rate mode: rate mode takes a fixed share of the premium " \
        "each year and does not use supply." in ex.mode_note.value
    ex.controls["mode"].value = "supply_demand"  # as a reader picks it in the dropdown
    assert ex.settings["mode"] == "supply_demand"
    assert not supply.disabled and rate.disabled
    assert "normalization rate is off in supply_demand mode" in ex.mode_note.value
    assert "supply growth is off" not in ex.mode_note.value
    ex.controls["mode"].value = "rate"
    assert supply.disabled and not rate.disabled


def test_settings_that_together_go_beyond_computing_are_refused_in_one_line():
    """Each value valid, together beyond any number a page can compute (issue 28: "inf is not
    a finite number"): the last control moved is refused and the charts stay as they were.
    Demand from data/growth_rates.csv, 280% halving yearly, against supply -0.99 over 30
    years: 30 × 2 + Σ log10(1 + d_k) = 61.46, times elasticity 5: 10^307."""
    ex = explorer.ScenarioExplorer(NOTEBOOK, START)
    for name, value in (("mode", "supply_demand"), ("supply_growth", -0.99),
                        ("elasticity", 5.0)):
        assert ex.set(name, value), ex.message.value
    settings = dict(ex.settings)
    assert ex.set("horizon_years", 30) is False
    assert "the premium would grow about 10^307-fold by year 30" in ex.message.value
    assert "elasticity at most 1.63" in ex.message.value
    assert ex.settings == settings
