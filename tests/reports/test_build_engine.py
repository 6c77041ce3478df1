"""The build engine: incremental, deterministic, self-contained when asked, small, safe with text
from data. Its processes (SIGKILL, locks, workers) are tested in test_build_processes.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, built_page, start_build_server, stop_process
from conftest import run_in as conftest_run_in

from aijobs.devtools import browser
from aijobs.devtools.figure_export import figures_in_page
from aijobs.reports.build_server import READY_LINE
from aijobs.reports.cache import MANIFEST_NAME
from aijobs.reports.config import load_report_specs

AIJOBS = [sys.executable, "-m", "aijobs.cli"]
# Every test here runs report builds in kernels.
pytestmark = pytest.mark.slow


def statuses(output: str) -> dict[str, str]:
    """{report: status} from the build's progress lines ("1/2 built  name  1.2 s")."""
    lines = re.finditer(r"^\d+/\d+ (built|up to date|FAILED) +(\S+)", output, re.M)
    return {m.group(2): m.group(1) for m in lines}


def test_rebuilds_only_what_changed(project_copy, tmp_path):
    """Each build decides for itself what is up to date. The commands are handed to a build
    server for the copy, as a user's are to `make serve`, so that only the change to the
    package's code starts the suite afresh: the server refuses that build (its code is out of
    date), which runs on its own with the new code, and the server restarts with it and
    serves the next one. test_build_server.py shows served and lone builds give the same
    pages and messages."""
    names = ["growth_rates", "compensation_bands"]
    sock = tmp_path / "build.sock"
    server = start_build_server(sock, project_copy, {**os.environ, "PYTHONPATH": str(
        project_copy / "src")})
    try:
        _rebuilds_only_what_changed(project_copy, names, sock, server)
    finally:
        stop_process(server, 60)


def _rebuilds_only_what_changed(project_copy: Path, names: list[str], sock: Path,
                                server: subprocess.Popen) -> None:
    def run_in(*args: str) -> subprocess.CompletedProcess:
        """The command, which the server says it ran (one line each)."""
        result = conftest_run_in(project_copy, *args, server=sock)
        said = server.stdout.readline()
        assert f"{' '.join(args)}: exit 0" in said, said + result.stderr
        return result

    first = run_in("build", *names)
    assert first.returncode == 0, first.stderr
    assert statuses(first.stdout) == {"growth_rates": "built", "compensation_bands": "built"}
    assert (project_copy / "src" / "aijobs").resolve() != (ROOT / "src" / "aijobs").resolve()

    growth_csv = project_copy / "data" / "growth_rates.csv"
    os.utime(growth_csv)  # a touch without a change rebuilds nothing, as nothing changed does
    again = run_in("build", *names)
    assert statuses(again.stdout) == {"growth_rates": "up to date",
                                      "compensation_bands": "up to date"}
    assert "0 built, 2 up to date, 0 failed" in again.stdout

    growth_csv.write_text(growth_csv.read_text().replace(",280,", ",281,"))
    after_data = run_in("build", *names)
    assert statuses(after_data.stdout) == {"growth_rates": "built",
                                           "compensation_bands": "up to date"}
    page = project_copy / "reports" / "growth_rates.html"
    assert "+281%" in page.read_text()

    param = run_in("build", "growth_rates", "-p", "horizon_years", "3")
    assert list(statuses(param.stdout).values()) == ["built"]  # a variant of growth_rates
    same_param = run_in("build", "growth_rates", "-p", "horizon_years", "3")
    assert statuses(same_param.stdout) == statuses(param.stdout) | {
        next(iter(statuses(param.stdout))): "up to date"}

    # a change to the package's code: every report is built again, by the new code
    figures_py = project_copy / "src" / "aijobs" / "charts" / "article_figures.py"
    figures_py.write_text(figures_py.read_text().replace(
        "Demand index (year 0 = 1", "Demand index, edited (year 0 = 1"))
    after_code = conftest_run_in(project_copy, "build", *names, server=sock)
    assert after_code.returncode == 0, after_code.stderr
    assert statuses(after_code.stdout) == {"growth_rates": "built",
                                           "compensation_bands": "built"}
    # the server, its code out of date, never built it: the build ran on its own, with the
    # new code, and the server restarted with that code
    assert "restarting the build server" in server.stdout.readline()
    assert "Demand index, edited" in page.read_text()
    assert "listening at" in server.stdout.readline()
    assert server.stdout.readline().strip() == READY_LINE

    forced = run_in("build", "--force", "growth_rates")  # served by the restarted server
    assert statuses(forced.stdout) == {"growth_rates": "built"}
    assert "Demand index, edited" in page.read_text()


def test_noop_rebuild_runs_no_notebook(built_reports):
    before = {p.name: p.stat().st_mtime_ns for p in built_reports.glob("*.html")}
    result = subprocess.run([*AIJOBS, "build", "--output-dir", str(built_reports)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0
    assert "0 built" in result.stdout and "0 failed" in result.stdout
    assert set(statuses(result.stdout).values()) == {"up to date"}
    # no page was rewritten (its speed is measured by make bench, not asserted here)
    assert {p.name: p.stat().st_mtime_ns for p in built_reports.glob("*.html")} == before


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}


def test_identical_inputs_give_identical_bytes(built_reports, tmp_path):
    """A second build gives every page, its charts' data and the index byte for byte.

    Every notebook is run again, once: for a notebook that makes several reports (the
    scenarios' salary_scenarios) one of them, the rest copied from the first build with its
    build record, so the second build finds those up to date and rebuilds the others. The
    index is written afresh from the whole record either way. Of the scenarios,
    scenario_regulation_shock runs again (supply and demand, with a shock, from the article's
    bands); scenario_title_gap (a rate, from the job board's pay) is built again alone in the
    test below; the other three take those code paths with other values, and the Monte Carlo
    draws repeat with the seed in every mode (tests/analysis/test_scenarios.py)."""
    specs = load_report_specs()
    first = {}  # notebook: the report that runs it again
    for spec in specs:
        first.setdefault(spec.notebook.name, spec.name)
    first["salary_scenarios.ipynb"] = "scenario_regulation_shock"
    rebuilt = set(first.values())
    assert rebuilt <= {s.name for s in specs} and len(rebuilt) < len(specs)
    manifest = json.loads((built_reports / MANIFEST_NAME).read_text())
    shutil.copy(built_reports / MANIFEST_NAME, tmp_path / MANIFEST_NAME)
    for name in manifest.keys() - set(rebuilt):
        for file in manifest[name]["files"]:
            (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(built_reports / file, tmp_path / file)
    result = subprocess.run([*AIJOBS, "build", "--output-dir", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert statuses(result.stdout) == {s.name: "built" if s.name in rebuilt else "up to date"
                                       for s in specs}
    assert _snapshot(tmp_path) == _snapshot(built_reports)
    for name in rebuilt:  # and the charts' data files each page links to
        for file in manifest[name]["files"]:
            assert (tmp_path / file).read_bytes() == (built_reports / file).read_bytes(), file


def test_a_page_built_alone_is_byte_identical_to_the_same_page_in_a_full_build(built_reports,
                                                                              tmp_path):
    """However pages are batched, each is the same: built alone, scenario_title_gap's kernel is
    forked before the warm kernels' parent has checked most tables; in the full build, after.
    Its Sources used to come out in another order (the article's group first alone, the
    survey's first in the full build)."""
    result = subprocess.run([*AIJOBS, "build", "scenario_title_gap", "--output-dir",
                             str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    alone = (tmp_path / "scenario_title_gap.html").read_bytes()
    assert alone == (built_reports / "scenario_title_gap.html").read_bytes()


def test_self_contained_pages_carry_plotly(tmp_path):
    result = subprocess.run([*AIJOBS, "build", "--self-contained", "growth_rates",
                             "--output-dir", str(tmp_path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "growth_rates.html").read_text()
    assert 'src="plotly.min.js"' not in page
    assert len(page) > 4_000_000
    assert not (tmp_path / "plotly.min.js").exists()


def test_pages_are_small(built_reports):
    for page in built_reports.glob("*.html"):
        # 400 KB: growth_rates now carries the OEWS, Indeed and job-board evidence with each
        # chart's data table (313 KB measured); plotly.js is never inside a page
        assert page.stat().st_size <= 400 * 1024, f"{page.name} is over 400 KB"


INJECTED_ROLE = "<img src=x onerror=\"document.title='pwned'\">"
INJECTED_SCRIPT = "<script>document.title='pwned-script'</script>"


@pytest.mark.browser
def test_text_from_data_never_runs(chromium, tmp_path):
    roles = (ROOT / "data" / "roles.csv").read_text()
    quoted_role = '"' + INJECTED_ROLE.replace('"', '""') + '",'
    roles = roles.replace("AI Research Scientist,", quoted_role, 1)
    roles = roles.replace("MLOps Engineer,", '"' + INJECTED_SCRIPT + '",', 1)
    (tmp_path / "roles.csv").write_text(roles)
    steps = (ROOT / "data" / "learning_path_steps.csv").read_text()
    steps = steps.replace("Learn Python", INJECTED_SCRIPT.replace("pwned-script", "pwned-step"))
    (tmp_path / "steps.csv").write_text(steps)
    out = tmp_path / "reports"
    for name, param, value in (("compensation_bands", "roles_path", tmp_path / "roles.csv"),
                               ("entry_competitiveness", "learning_path_steps_path",
                                tmp_path / "steps.csv")):
        result = subprocess.run([*AIJOBS, "build", name, "-p", param, str(value),
                                 "--output-dir", str(out)], capture_output=True, text=True,
                                cwd=ROOT, timeout=300)
        assert result.returncode == 0, result.stderr
        page = built_page(out, name)
        text = page.read_text()
        assert INJECTED_SCRIPT not in text and INJECTED_ROLE not in text
        with chromium.tab(page) as tab:
            tab.wait_for(browser.CHARTS_READY, 60)
            dom = tab.dom()
        title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "pwned" not in title, f"{name}: data ran as script"
        assert "<img src=\"x\"" not in dom
        # ... and the text is still shown, as text: in the table and in the chart's labels
        assert "&lt;script&gt;document.title=" in dom
    chart = figures_in_page(built_page(out, "compensation_bands").read_text())[0]
    band = next(t for t in chart["data"] if t["name"] == "Pay band")
    assert "&lt;img src=x onerror=\"document.title='pwned'\"&gt;" in band["y"]


def _build(out: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run([*AIJOBS, "build", "--output-dir", str(out), *names],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_freshness_compares_what_was_published_and_repairs_it(built_reports, tmp_path):
    """A page, a chart's CSV or plotly.js that no longer holds the bytes the build wrote is
    rebuilt (all three were reported "up to date", leaving blank charts). The folder starts as
    a copy of the session's built reports, each page as its build wrote it."""
    out = tmp_path / "out"
    names = ["growth_rates", "entry_competitiveness"]
    shutil.copytree(built_reports, out)
    good = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
            and not p.name.startswith(".")}
    plotly_js = out / "plotly.min.js"
    size = plotly_js.stat().st_size
    plotly_js.write_bytes(b"x" * size)  # corrupted, same size
    page = out / "growth_rates.html"
    page.write_bytes(page.read_bytes()[: len(page.read_bytes()) // 2])  # truncated
    csv = next((out / "entry_competitiveness_data").glob("*.csv"))
    csv.unlink()  # a chart's data deleted
    again = _build(out, *names)
    assert again.returncode == 0, again.stderr
    assert statuses(again.stdout) == {"growth_rates": "built", "entry_competitiveness": "built"}
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
            and not p.name.startswith(".")} == good
    assert statuses(_build(out, *names).stdout) == {"growth_rates": "up to date",
                                                    "entry_competitiveness": "up to date"}


def test_an_unreadable_build_record_is_set_aside_and_everything_rebuilt(built_reports,
                                                                        tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built_reports, out)  # growth_rates as its build wrote it, and its record
    record = out / ".aijobs-build.json"
    for bad in (b"\xff\xfe{", b'["a list"]', b'{"growth_rates": 3}'):
        record.write_bytes(bad)
        result = _build(out, "growth_rates")
        assert result.returncode == 0, result.stderr
        assert statuses(result.stdout) == {"growth_rates": "built"}
        warning = [line for line in result.stdout.splitlines() if line.startswith("warning")]
        assert len(warning) == 1 and "could not be read" in warning[0]
        assert "set aside as .aijobs-build.json.unreadable" in warning[0]
        assert (out / ".aijobs-build.json.unreadable").read_bytes() == bad
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["index.html", ".aijobs-build.json"])
def test_a_folder_where_the_build_writes_a_file_is_refused_first(built_reports, tmp_path,
                                                                  name):
    out = tmp_path / "out"
    shutil.copytree(built_reports, out)  # growth_rates as its build wrote it, and its record
    page = (out / "growth_rates.html").read_bytes()
    target = out / name
    target.unlink()
    target.mkdir()
    result = subprocess.run([*AIJOBS, "build", "--force", "--output-dir", str(out),
                             "growth_rates"], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: output folder {out}: {name} is a folder; expected "
        f"{'the index page' if name == 'index.html' else 'the build record'} there (move the "
        "folder away)"]
    assert (out / "growth_rates.html").read_bytes() == page
