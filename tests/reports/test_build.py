"""The report build as a user drives it: the CLI, the Makefile targets and papermill runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import markupsafe
import papermill
import pytest
from conftest import FIXTURES, ROOT, built_page, plotted_figures, write

from aijobs import paths
from aijobs.errors import BuildError
from aijobs.reports import build
from aijobs.reports.config import ReportSpec, load_report_specs

BIN = Path(sys.executable).parent
AIJOBS = [sys.executable, "-m", "aijobs.cli"]


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300, **kwargs)


def test_every_report_and_the_index_are_built(built_reports):
    specs = load_report_specs()
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    for spec in specs:
        page = (built_reports / f"{spec.name}.html").read_text(encoding="utf-8")
        assert f'href="{spec.name}.html"' in index
        assert str(markupsafe.escape(spec.summary.split(",")[0])) in index  # as jinja2 does
        assert "Settings used for this report" in page
        # the answer first: what the page found, under the title and before the summary, the
        # settings line and the notebook's own text; the settings table and notes at the end
        head = page[page.index("<h1>"):page.index("<main>")]
        assert head.index('class="findings"') < head.index('class="lede"'), spec.name
        assert '<details class="params"' not in head
        assert page.index('<section class="notes" id="notes">') > page.index(">Sources<")
        if "Statistics Canada" in page:  # a citation of a method sits in the Notes only
            assert page.index("Statistics Canada") > page.index('id="notes"'), spec.name
        assert ">Sources<" in page
        assert "from aijobs import" not in page, "code cells are hidden by default"
        assert '<script src="plotly.min.js"' in page
        assert plotted_figures(page), f"{spec.name} draws no chart"
    assert (built_reports / "plotly.min.js").stat().st_size > 1_000_000


def test_pages_reference_nothing_outside(built_reports):
    for page in built_reports.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        # a link a reader may follow (<a href>) is not a load; anything else that names an
        # outside address (src=, <link href>, url(...)) would be fetched when the page opens
        tags = re.findall(r"<(?!a\s)[a-z]+\b[^>]*>", text, flags=re.IGNORECASE)
        external = [tag for tag in tags
                    if re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", tag)]
        external += re.findall(r"""url\(\s*["']?(?:https?:)?//[^)]+\)""", text)
        assert not external, f"{page.name} loads {external[:3]}"
        assert "cdn." not in text.lower()


def test_report_knows_how_it_was_made(built_reports):
    page = (built_reports / "compensation_bands.html").read_text(encoding="utf-8")
    assert "<td>Regional pay factor</td>" in page
    assert "A factor on the tech-hub figures for pay elsewhere" in page
    assert "notebooks/compensation_bands.ipynb" in page
    assert "data/salary_bands.csv" in page  # sources section


@pytest.mark.slow
def test_cli_override_halves_the_plotted_bands(tmp_path):
    result = run([*AIJOBS, "build", "compensation_bands", "-p", "region_multiplier", "0.5",
                  "--output-dir", str(tmp_path)])
    assert result.returncode == 0, result.stderr
    assert "1 built, 0 up to date, 0 failed" in result.stdout
    page = built_page(tmp_path, "compensation_bands").read_text(encoding="utf-8")
    band = next(t for t in plotted_figures(page)[0]["data"] if t["name"] == "Pay band")
    # Article's bases 140, 150, 160, 150, 180 ($K) halved
    assert band["base"] == [70, 75, 80, 75, 90]
    assert band["x"] == [20, 20, 20, 35, 35]
    assert '<td data-label="Value">x0.5 <span class="changed">(changed)</span></td>' in page
    assert "$75,000" in page and "$110,000" in page  # AI/ML engineer's adjusted band


def test_unknown_parameter_is_rejected_before_a_kernel_starts(tmp_path):
    result = run([*AIJOBS, "build", "compensation_bands", "-p", "region_multiplyer", "0.8",
                  "--output-dir", str(tmp_path)])
    assert result.returncode == 2
    assert "has no parameter 'region_multiplyer'. Did you mean 'region_multiplier'?" \
        in result.stderr
    assert not list(tmp_path.iterdir()), "nothing is written"
    # The proof that no kernel started: the build refused before it even imported papermill
    # or jupyter_client, which starting a kernel needs.
    code = ("import sys\nfrom aijobs import cli\n"
            "rc = cli.main(['build', 'compensation_bands', '-p', 'region_multiplyer', '0.8', "
            f"'--output-dir', {str(tmp_path)!r}])\n"
            "print(rc, 'papermill' in sys.modules, 'jupyter_client' in sys.modules)")
    probe = run([sys.executable, "-c", code])
    assert probe.stdout.split() == ["2", "False", "False"], probe.stderr


def test_wrong_type_is_rejected(tmp_path):
    result = run([*AIJOBS, "build", "growth_rates", "-p", "horizon_years", "five",
                  "--output-dir", str(tmp_path)])
    assert result.returncode == 2
    assert "parameter horizon_years: cannot read 'five' as int" in result.stderr


@pytest.mark.slow
def test_failed_run_keeps_the_last_good_report(built_reports, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)  # the last good build: the session's, its record too
    before = (out / "compensation_bands.html").read_bytes()
    header = ("role_id,salary_low_usd,salary_high_usd,is_open_ended,basis,currency,period,"
              "source_section\n")
    bad_table = write(tmp_path / "my_bands.csv",
                      header + "ai_ml_engineer,-5,100,false,user_supplied,USD,annual,\n")
    refused = run([*AIJOBS, "build", "compensation_bands", "-p", "salary_bands_path",
                   str(bad_table), "--output-dir", str(out)])
    assert refused.returncode == 2  # the table is checked before any kernel starts
    assert "row 1 (line 2), column salary_low_usd: got '-5', too small" in refused.stderr
    # A role the roles table does not know is found in the kernel, against the roles in use.
    unknown_role = write(tmp_path / "my_bands.csv",
                         header + "no_such_role,150000,200000,false,user_supplied,USD,annual,\n")
    result = run([*AIJOBS, "build", "compensation_bands", "-p", "salary_bands_path",
                  str(unknown_role), "--output-dir", str(out)])
    # a bad input as any other: exit 2, one line naming the report (a variant: the named page
    # stays), the file, the row and the column; the notebook is not kept (its code is fine)
    assert result.returncode == 2, result.stderr
    line, = result.stderr.strip().splitlines()
    assert line.startswith("error: compensation_bands--"), line
    assert "my_bands.csv" in line and "no_such_role" in line and "role_id" in line
    assert "Traceback" not in result.stderr and "kept at" not in line
    assert (out / "compensation_bands.html").read_bytes() == before
    assert not (out / "variants" / "_failed").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_one_broken_report_does_not_stop_the_others(tmp_path):
    broken = FIXTURES / "broken.ipynb"
    specs = [ReportSpec("broken", broken, "Broken", "Raises on purpose"),
             *[s for s in load_report_specs() if s.name == "growth_rates"]]
    lines = []
    results = build.build_reports(reports_dir=tmp_path, jobs=2, specs=specs, echo=lines.append)
    assert sorted(line.split()[1] for line in lines) == ["FAILED", "built"]
    assert {line.split()[0] for line in lines} == {"1/2", "2/2"}
    by_name = {r.name: r for r in results}
    assert by_name["growth_rates"].ok
    assert not by_name["broken"].ok
    assert "raised ValueError: this notebook fails on purpose" in by_name["broken"].error
    assert build.print_failures(results) == 1
    assert (tmp_path / "growth_rates.html").exists()
    assert not (tmp_path / "broken.html").exists()


@pytest.mark.slow
def test_papermill_run_with_changed_parameters(tmp_path):
    out = tmp_path / "growth.ipynb"
    nb = papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / "growth_rates.ipynb"), str(out), kernel_name="python3",
        parameters={"horizon_years": 3, "growth_decay": 0.0}, progress_bar=False,
        cwd=str(paths.NOTEBOOKS_DIR))
    assert nb.metadata.papermill.parameters == {"horizon_years": 3, "growth_decay": 0.0}
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    # 3.8^3 = 54.872, 3.2^3 = 32.768, 2.65^3 = 18.609625
    assert "x54.87" in html and "x32.77" in html and "x18.61" in html


def test_config_errors_name_the_entry(tmp_path, monkeypatch):
    cases = {
        "reports: []\n": "expected a top-level 'reports:' list",
        "reports:\n  - {name: a, notebook: nope.ipynb, title: t, summary: s}\n":
            "report 'a': notebook nope.ipynb not found in notebooks/",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s, "
        "colour: red}\n": "report 'a': unknown key(s) colour; allowed: key_figures, name, "
                           "notebook, parameters, summary, title",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, summary: s}\n":
            "report 'a': missing 'title'",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s}\n"
        "scenarios:\n  - {name: b, title: t, rationale: r, paramters: {}}\n":
            "scenario 'b': unknown key(s) paramters; allowed: name, parameters, rationale, title",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s}\n"
        "start_here:\n  - {reader: r, reports: [], why: w}\n":
            "start_here 1: reports: List should have at least 1 item",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s}\n"
        "start_here:\n  - {reader: r, reports: [zzz], why: w}\n":
            "start_here 1: no report named 'zzz'",
        "reportz:\n  - {name: a}\n": "expected a top-level 'reports:' list",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s}\n"
        "colour: red\n": "unknown top-level key(s) colour; allowed: reports, "
                         "scenario_key_figures, scenario_notebook, scenarios, start_here",
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s, "
        "parameters: {horizon: 3}}\n": "report 'a': growth_rates.ipynb has no parameter "
                                       "'horizon'. Did you mean 'horizon_years'?",
        "reports:\n  - {name: index, notebook: growth_rates.ipynb, title: t, summary: s}\n":
            "not 'index'",
        # a second key would silently replace the first: it is an error, on one line
        "reports:\n  - {name: a, notebook: growth_rates.ipynb, title: t, summary: s}\n"
        "scenarios: []\nscenarios: []\n":
            "reports.yaml: not valid YAML, line 4, column 1: the key 'scenarios' appears twice "
            "(first on line 3); keep one",
        "reports:\n  - {name: a, name: b, notebook: growth_rates.ipynb, title: t, summary: s}\n":
            "the key 'name' appears twice",
    }
    for text, message in cases.items():
        config = write(tmp_path / "reports.yaml", text)
        with pytest.raises(BuildError) as info:
            load_report_specs(config)
        assert message in str(info.value)
        assert "\n" not in str(info.value)


def test_cli_params_list_and_validate(tmp_path):
    result = run([*AIJOBS, "params", "growth_rates"])
    assert result.returncode == 0
    assert "horizon_years: int = 5" in result.stdout
    assert "horizon_years: int = 5  (from 1 to 30)\n      years to project demand forward\n" \
        in result.stdout
    result = run([*AIJOBS, "validate"])
    assert result.returncode == 0
    assert "ok  data/salary_bands.csv: 5 rows" in result.stdout
    bad = write(tmp_path / "b.csv", "role_id,growth_pct,growth_period,source_section\n"
                                    "prompt_engineer,lots,unstated,\n")
    result = run([*AIJOBS, "validate", "growth_rates", "--file", str(bad)])
    assert result.returncode == 2
    assert "column growth_pct: got 'lots', not a number" in result.stderr
    result = run([*AIJOBS, "build", "nonexistent"])
    assert result.returncode == 2
    assert ("no report named 'nonexistent' in notebooks/reports.yaml; reports: overview"
            in result.stderr)


MAKE_VARS = [f"BIN={BIN}", "STAMP="]  # use this interpreter's environment; no venv set-up


def test_make_alone_lists_the_commands():
    result = run(["make", *MAKE_VARS])
    assert result.returncode == 0
    for target in ("reports", "report", "test", "lab", "params", "validate"):
        assert f"make {target} " in result.stdout


@pytest.mark.slow
def test_make_report_with_params(tmp_path):
    result = run(["make", *MAKE_VARS, "report", "NAME=growth_rates",
                  "PARAMS=-p horizon_years 3 -p growth_decay 0", f"OUT={tmp_path}"])
    assert result.returncode == 0, result.stderr
    page = built_page(tmp_path, "growth_rates").read_text(encoding="utf-8")
    assert "x54.87" in page
    assert (tmp_path / "variants" / "index.html").exists()
    assert not (tmp_path / "growth_rates.html").exists()  # a variant, not the named page
    result = run(["make", *MAKE_VARS, "report", f"OUT={tmp_path}"])
    assert result.returncode == 2
    assert "say which report: make report NAME=<name>" in result.stderr


# `make lab` starts JupyterLab on notebooks/: tests/lab/test_lab_browser.py's lab_server (the
# suite's one JupyterLab start) checks it lists the notebooks, then drives the explorer in it.


@pytest.mark.slow
def test_an_in_process_build_leaves_the_caller_s_display_alone(tmp_path, monkeypatch):
    from aijobs.notebook import display

    monkeypatch.delenv(display.REPORT_MODE_VAR, raising=False)
    spec = next(s for s in load_report_specs() if s.name == "growth_rates")
    result = build.build_one(spec, tmp_path)
    assert result.ok, result.error
    assert not display.report_mode()  # the switch went to the kernel only
    page = (tmp_path / "growth_rates.html").read_text()
    assert 'id="aijobs-fig-1"' in page  # ...where it did switch the figures to report mode


def test_progress_lines_are_numbered_and_a_bar_shows_only_on_a_terminal():
    import fcntl
    import pty
    import struct
    import termios

    lines = []
    with build.progress(3, lines.append) as line:
        line("built      a   1.0 s")
        line("up to date b")
    assert lines == ["1/3 built      a   1.0 s", "2/3 up to date b"]
    # On a terminal, tqdm draws its bar on standard error, below the same lines.
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    code = ("from aijobs.reports.build import progress\n"
            "with progress(2) as line:\n    line('built a')\n    line('built b')\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=follower, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert child.wait(timeout=60) == 0
    text = shown.decode("utf-8", "replace")
    assert "1/2 built a" in text and "2/2 built b" in text
    assert "0/2 reports [" in text  # tqdm's bar, before the first report


def test_pages_come_from_autoescaping_templates(tmp_path):
    from aijobs.reports import render

    hostile = '<img src=x onerror="alert(1)">'
    spec = ReportSpec("growth_rates", paths.NOTEBOOKS_DIR / "growth_rates.ipynb", hostile,
                      f"summary {hostile}")
    (tmp_path / "growth_rates.html").write_text("x")
    index = render.write_index([spec], tmp_path, {"growth_rates": {"headline": hostile}},
                               [{"reader": hostile, "reports": ["growth_rates"], "why": "w"}])
    page = index.read_text()
    assert "<img" not in page and page.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") == 5
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("**narrative**")])
    report = render.render_report_html(nb, spec, {"horizon_years": 7}, render.BuildOptions(),
                                       ["data/growth_rates.csv"])
    assert "<img" not in report and "&lt;img src=x" in report
    assert "<strong>narrative</strong>" in report  # the notebook's own HTML is kept
    assert '7 years <span class="changed">(changed)</span>' in report
    assert "<td>data/growth_rates.csv</td>" in report
    assert sorted(p.name for p in paths.TEMPLATES_DIR.glob("*.j2")) == [
        "figcaption.html.j2", "index.html.j2", "page.html.j2", "passport.html.j2",
        "report.html.j2", "settings.html.j2", "settings_line.html.j2", "sweep.html.j2",
        "variants.html.j2"]


RENDER_ONE = """
import sys
from pathlib import Path
import aijobs  # first, as in the suite's own processes (see aijobs/__init__.py)
import nbformat
from aijobs.reports import render
from aijobs.reports.config import ReportSpec
if sys.argv[2] == "warm":
    render.warm_renderer()
v4 = nbformat.v4
nb = v4.new_notebook(cells=[
    v4.new_code_cell("n = 1  # a number [0, 2]", metadata={"tags": ["parameters"]}),
    v4.new_markdown_cell("# Title\\n\\n| role | pay |\\n|---|---|\\n| ML engineer | 1 |"),
    v4.new_code_cell("x", outputs=[v4.new_output("display_data", data={
        "text/html": "<div id='a'>chart</div><table><tr><td>1</td></tr></table>"})])])
nbformat.write(nb, sys.argv[1])
spec = ReportSpec("one", Path(sys.argv[1]), "One", "A page", {"n": 1})
sys.stdout.write(render.render_report_html(nb, spec, {"n": 2}))
"""


def test_warming_the_renderer_changes_no_page(tmp_path):
    """The report workers' fork server renders a throwaway page first (render.warm_renderer);
    a page rendered after it has the same bytes as one rendered in a fresh process."""
    notebook = tmp_path / "one.ipynb"
    pages = [subprocess.run([sys.executable, "-c", RENDER_ONE, str(notebook), how],
                            capture_output=True, text=True, check=True, timeout=120).stdout
             for how in ("cold", "warm")]
    assert "ML engineer" in pages[0] and "chart" in pages[0] and "changed" in pages[0]
    assert pages[0] == pages[1]


FIRST_BUILD_WORK = """
import sys
import aijobs.reports.worker_imports
from aijobs.reports import render
from aijobs.reports.kernel import IPCKernelManager
before = set(sys.modules)
compiled = []
original = render.TEMPLATES._compile
render.TEMPLATES._compile = lambda source, name, *a: compiled.append(name) or original(
    source, name, *a)
IPCKernelManager(kernel_name="python3").kernel_spec  # what a build's first kernel looks up
for template in ("index.html.j2", "variants.html.j2", "report.html.j2", "sweep.html.j2"):
    render.TEMPLATES.get_template(template)
import gc
print(sorted(set(sys.modules) - before), compiled, gc.isenabled(), gc.get_freeze_count() > 0)
"""


def test_worker_imports_leave_nothing_for_the_first_build_to_import_or_compile():
    """A process that imported aijobs.reports.worker_imports (the report workers' fork server,
    a build server before its first command) imports no module when its first build looks
    up the kernelspec (IPython's and ipykernel's 72 modules were imported then) and compiles
    no template (the index's, the variants' and the sweep gallery's were compiled then). What
    it imported is frozen out of the garbage collector's reach (a worker's collections never
    walk it), and the collector, off while it imported, is back on."""
    found = subprocess.run([sys.executable, "-c", FIRST_BUILD_WORK], capture_output=True,
                           text=True, check=True, timeout=120).stdout
    assert found.strip() == "[] [] True True"


def test_a_build_removes_only_the_files_of_processes_that_are_gone(tmp_path):
    """aijobs.reports.scratch: names carry the pid of the process that made them; files of a
    process that no longer runs go, those of live processes and anything else stay."""
    from aijobs.reports import scratch

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(done.stdout)  # a process that has ended
    (tmp_path / f"aijobs-run-{dead}-growth_rates-ab12").mkdir()
    (tmp_path / f"aijobs-run-{dead}-growth_rates-ab12" / "growth_rates.ipynb").write_text("{}")
    (tmp_path / f"aijobs-kernel-{dead}-0a1b2c3d4e-1").write_text("")
    (tmp_path / f"aijobs-kernel-{dead}-0a1b2c3d4e.json").write_text("{}")
    (tmp_path / f"aijobs-warm-{dead}-xyz").mkdir()
    keep = [f"aijobs-run-{os.getpid()}-overview-cd34", "aijobs-run-1-overview-ef56",
            f"aijobs-other-{dead}-x", "notes.txt"]
    for name in keep:
        (tmp_path / name).write_text("")
    assert scratch.remove_stale_scratch([str(tmp_path)]) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)
    assert scratch.scratch_prefix("run") == f"aijobs-run-{os.getpid()}-"
    with pytest.raises(ValueError, match="expected one of run, kernel, warm"):
        scratch.scratch_prefix("tmp")


def test_a_dask_client_that_never_comes_is_waited_for_the_timeout_and_as_long_again():
    """build._connect_to_dask, with stand-ins for dask's Client: its client, or its error in
    one line; a client that never comes is given up on after --timeout seconds and as many
    more (at most 5), not always 5 more (a user's --timeout 0.3 waited 5.3 s).
    test_dask_deadlines.py sees the same through `aijobs sweep` and a silent scheduler."""
    address = "tcp://10.0.0.5:8786"
    asked = []
    assert build._connect_to_dask(lambda a, timeout: asked.append((a, timeout)) or "client",
                                  address, 2.5) == "client"
    assert asked == [(address, "2.5s")]

    def refused(a, timeout):
        raise OSError(f"Timed out trying to connect to {a}\n after {timeout}")

    with pytest.raises(BuildError) as refusal:
        build._connect_to_dask(refused, address, 1)
    assert str(refusal.value) == (
        f"--scheduler {address}: no dask scheduler answered (Timed out trying to connect to "
        f"{address} after 1s); start one with `dask scheduler` or give its tcp:// address")

    release = threading.Event()
    start = time.monotonic()
    with pytest.raises(BuildError, match=r"^--scheduler tcp://10\.0\.0\.5:8786: the dask "
                       r"scheduler did not answer within 0\.3 s \(nothing, or something"):
        build._connect_to_dask(lambda a, timeout: release.wait(60), address, 0.3)
    waited = time.monotonic() - start
    release.set()
    assert 0.55 < waited < 4  # 0.3 s, and 0.3 s more for the client's own error
