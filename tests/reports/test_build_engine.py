"""The build engine: incremental, atomic under SIGKILL, locked, deterministic, offline, safe."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, require_chromium, run_in

from aijobs.devtools import browser
from aijobs.devtools.figure_export import figures_in_page
from aijobs.reports.build import LOCK_NAME
from aijobs.reports.cache import MANIFEST_NAME

AIJOBS = [sys.executable, "-m", "aijobs.cli"]
# Every test here runs report builds in kernels.
pytestmark = pytest.mark.slow


def statuses(output: str) -> dict[str, str]:
    """{report: status} from the build's progress lines ("1/2 built  name  1.2 s")."""
    lines = re.finditer(r"^\d+/\d+ (built|up to date|FAILED) +(\S+)", output, re.M)
    return {m.group(2): m.group(1) for m in lines}


def test_rebuilds_only_what_changed(project_copy):
    names = ["growth_rates", "compensation_bands"]
    first = run_in(project_copy, "build", *names)
    assert first.returncode == 0, first.stderr
    assert statuses(first.stdout) == {"growth_rates": "built", "compensation_bands": "built"}
    assert (project_copy / "src" / "aijobs").resolve() != (ROOT / "src" / "aijobs").resolve()

    again = run_in(project_copy, "build", *names)
    assert statuses(again.stdout) == {"growth_rates": "up to date",
                                      "compensation_bands": "up to date"}
    assert "0 built, 2 up to date, 0 failed" in again.stdout

    growth_csv = project_copy / "data" / "growth_rates.csv"
    os.utime(growth_csv)  # a touch without a change rebuilds nothing
    assert statuses(run_in(project_copy, "build", *names).stdout)["growth_rates"] == "up to date"

    growth_csv.write_text(growth_csv.read_text().replace(",280,", ",281,"))
    after_data = run_in(project_copy, "build", *names)
    assert statuses(after_data.stdout) == {"growth_rates": "built",
                                           "compensation_bands": "up to date"}
    assert "+281%" in (project_copy / "reports" / "growth_rates.html").read_text()

    param = run_in(project_copy, "build", "growth_rates", "-p", "horizon_years", "3")
    assert statuses(param.stdout) == {"growth_rates": "built"}
    same_param = run_in(project_copy, "build", "growth_rates", "-p", "horizon_years", "3")
    assert statuses(same_param.stdout) == {"growth_rates": "up to date"}

    figures_py = project_copy / "src" / "aijobs" / "charts" / "article_figures.py"
    figures_py.write_text(figures_py.read_text() + "\n# a change to the package\n")
    after_code = run_in(project_copy, "build", *names)
    assert statuses(after_code.stdout) == {"growth_rates": "built",
                                           "compensation_bands": "built"}

    forced = run_in(project_copy, "build", "--force", "compensation_bands")
    assert statuses(forced.stdout) == {"compensation_bands": "built"}


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
    result = subprocess.run([*AIJOBS, "build", "--output-dir", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _snapshot(tmp_path) == _snapshot(built_reports)


def test_sigkill_at_any_moment_leaves_every_page_whole(built_reports, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)
    before = _snapshot(out)
    for delay in (0.2, 0.8, 1.5, 2.2, 3.0):
        proc = subprocess.Popen([*AIJOBS, "build", "--force", "--output-dir", str(out)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # Builds are deterministic, so every page is either untouched or its identical rebuild.
        assert _snapshot(out) == before, f"a page changed after SIGKILL at {delay} s"
        manifest = out / MANIFEST_NAME
        if manifest.exists():
            json.loads(manifest.read_text())
    final = subprocess.run([*AIJOBS, "build", "--output-dir", str(out)], capture_output=True,
                           text=True, cwd=ROOT, timeout=300)
    assert final.returncode == 0, final.stderr
    assert not list(out.glob(".*.tmp")), "temporary files of killed builds are cleared"
    assert _snapshot(out) == before


def test_two_builds_at_once_take_turns(built_reports, tmp_path):
    """A build that finds the output folder locked says so and waits; it writes only once the
    holder lets go. The test holds the lock itself, so the order is certain, not timed."""
    out = tmp_path / "reports"
    out.mkdir()
    args = [*AIJOBS, "build", "--force", "-j", "1", "--output-dir", str(out),
            "growth_rates", "compensation_bands"]
    with open(out / LOCK_NAME, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiting = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        first_line = waiting.stdout.readline()  # blocks until the build has found the lock
        assert "another build is writing to" in first_line
        assert "waiting for it to finish" in first_line
        assert not list(out.glob("*.html")), "nothing is written while the lock is held"
        fcntl.flock(lock, fcntl.LOCK_UN)
    rest, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert statuses(rest) == {"growth_rates": "built", "compensation_bands": "built"}
    for name in ("growth_rates.html", "compensation_bands.html"):
        assert (out / name).read_bytes() == (built_reports / name).read_bytes()


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
        assert page.stat().st_size <= 300 * 1024, f"{page.name} is over 300 KB"


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
        page = out / f"{name}.html"
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
    chart = figures_in_page((out / "compensation_bands.html").read_text())[0]
    band = next(t for t in chart["data"] if t["name"] == "Pay band")
    assert "&lt;img src=x onerror=\"document.title='pwned'\"&gt;" in band["y"]


# Three reports whose charts differ in kind: bands (bars), a slider scenario, survey heatmaps.
EXPORTED = ["compensation_bands", "scenario_baseline", "survey_evidence"]


@pytest.mark.browser
def test_figures_are_exported_as_png_and_svg(built_reports, tmp_path):
    require_chromium()
    reports = tmp_path / "reports"
    shutil.copytree(built_reports, reports)
    (reports / "growth_rates.html").unlink()  # a report not asked for may be missing
    result = subprocess.run([sys.executable, "-m", "aijobs.devtools.figure_export",
                             str(reports), str(tmp_path / "figures"), *EXPORTED],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in EXPORTED:
        expected = len(figures_in_page((built_reports / f"{name}.html").read_text()))
        assert expected > 0
        for fmt in ("png", "svg"):
            assert len(list((tmp_path / "figures").glob(f"{name}-*.{fmt}"))) == expected
    pngs = sorted((tmp_path / "figures").glob("*.png"))
    svgs = sorted((tmp_path / "figures").glob("*.svg"))
    assert {p.stem.rsplit("-", 1)[0] for p in pngs + svgs} == set(EXPORTED)
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import xml.etree.ElementTree as ET

    for svg in svgs:
        assert ET.parse(svg).getroot().tag.endswith("svg")


def test_figure_export_names_an_unknown_report(built_reports, tmp_path):
    result = subprocess.run([sys.executable, "-m", "aijobs.devtools.figure_export",
                             str(built_reports), str(tmp_path / "figures"), "no_such_report"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 2
    assert result.stderr.startswith("error: no report named no_such_report in reports.yaml: "
                                    "choose from overview, ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "figures").exists()


def _descendants(pid: int) -> set[int]:
    """Every process below pid (read from /proc; Linux only)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_a_killed_build_and_publish_nothing(built_reports, tmp_path, sig):
    out = tmp_path / "reports"
    shutil.copytree(built_reports, out)
    set_up = subprocess.run([*AIJOBS, "build", "--output-dir", str(out), "compensation_bands",
                             "-p", "region_multiplier", "0.6"], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert set_up.returncode == 0, set_up.stderr
    proc = subprocess.Popen([*AIJOBS, "build", "--force", "-j", "2", "--output-dir", str(out),
                             "compensation_bands", "overview"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 4:  # two workers, two kernels
        workers = _descendants(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the build started no workers"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.html")}
    manifest_before = (out / MANIFEST_NAME).read_bytes()
    proc.send_signal(sig)  # the main process alone, not its group
    proc.wait(timeout=30)
    workers |= _descendants(proc.pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)], "a worker or kernel outlived the build"
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*.html")}
    assert after == before, "a page was written after the build was killed"
    assert (out / MANIFEST_NAME).read_bytes() == manifest_before
    again = subprocess.run([*AIJOBS, "build", "--output-dir", str(out), "compensation_bands",
                            "-p", "region_multiplier", "0.6"], capture_output=True, text=True,
                           cwd=ROOT, timeout=300)
    assert again.returncode == 0, again.stderr
    assert statuses(again.stdout) == {"compensation_bands": "up to date"}
    page = (out / "compensation_bands.html").read_text()
    assert re.search(r"region_multiplier</code></td><td>0\.6 <span class=\"changed\">", page), \
        "the page that says up to date was built with the parameter asked for"
