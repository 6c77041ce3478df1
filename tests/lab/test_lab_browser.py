"""The live explorer in a real JupyterLab: `make lab` on a free port, the scenario notebook
opened through its URL in headless Chromium, run, one control moved, the chart redrawn."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from conftest import WARM_KERNEL_VARS, require_chromium

from aijobs import paths
from aijobs.devtools.browser import DevToolsPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The explorer's box and its first chart (the bands) in the page.
BOX = ("[...document.querySelectorAll('.widget-vbox')].find(b => b.querySelector('h3') && "
       "b.querySelector('h3').textContent.includes('Explore this scenario'))")
BANDS = f"{BOX}.querySelector('.js-plotly-plot')"
BAND_DATA = f"JSON.stringify({BANDS}.data.map(t => [t.name, Array.from(t.base || [])]))"
RATE = (f"[...{BOX}.querySelectorAll('.widget-slider')]"
        ".find(w => w.textContent.includes('normalization rate'))")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def lab_server(tmp_path):
    """`make lab` on a free local port with a known token, once it answers and lists the
    notebooks of notebooks/ (the one JupyterLab the suite's tests start); stopped (with its
    kernels) after."""
    port, token = _free_port(), "aijobs-test-token"
    # JupyterLab saves an open notebook every 2 minutes: a slow run saved the checkout's
    # notebook with its outputs. Its user settings (a folder of the test's own) turn that off.
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    args = (f"--port={port} --ip=127.0.0.1 --no-browser --IdentityProvider.token={token} "
            "--LabApp.expose_app_in_browser=True --LabApp.news_url=None "
            f"--LabApp.user_settings_dir={tmp_path / 'lab-settings'}")
    log = (tmp_path / "lab.log").open("w")
    env = {k: v for k, v in os.environ.items() if k not in WARM_KERNEL_VARS}  # own kernels
    server = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=paths.PROJECT_ROOT,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                              env=env)
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                       timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"make lab did not start: {(tmp_path / 'lab.log').read_text()}")
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/"
                                    f"docmanager-extension:plugin?token={token}",
                                    timeout=30) as reply:
            assert json.load(reply)["settings"]["autosave"] is False  # the checkout stays as is
        # make lab serves notebooks/: its root lists the suite's notebooks
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}",
                                    timeout=30) as reply:
            names = {item["name"] for item in json.load(reply)["content"]}
        assert "compensation_bands.ipynb" in names, names
        yield f"http://127.0.0.1:{port}", token
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # jupyter shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()


def test_moving_the_rate_control_in_jupyterlab_redraws_the_bands(lab_server, tmp_path):
    require_chromium()
    base, token = lab_server
    url = f"{base}/lab/tree/salary_scenarios.ipynb?token={token}"
    with DevToolsPage(url, loopback=True, width=1400, height=1000, timeout=180) as page:
        page.call("Emulation.setFocusEmulationEnabled", enabled=True)  # headless has no focus
        page.wait_for("window.jupyterapp && document.querySelector('.jp-NotebookPanel')", 180)
        page.evaluate("window.jupyterapp.shell.activateById("
                      "document.querySelector('.jp-NotebookPanel').id)")
        page.wait_for("(() => { const w = window.jupyterapp.shell.currentWidget;"
                      " const k = w && w.sessionContext && w.sessionContext.session"
                      " && w.sessionContext.session.kernel;"
                      " return k && k.connectionStatus === 'connected'"
                      " && k.status === 'idle'; })()", 180)
        assert page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')"
                             ".then(r => r === true)")
        page.wait_for(f"{BOX} && {BOX}.querySelectorAll('.js-plotly-plot').length >= 2 "
                      f"&& {BANDS}.data", 240)
        before = page.evaluate(BAND_DATA)
        assert page.evaluate(f"{RATE}.querySelector('.widget-readout').textContent") == "0.0500"
        x, y = page.evaluate(f"(() => {{ const s = {RATE}; s.scrollIntoView({{block: 'center'}});"
                             " const h = s.querySelector('.noUi-handle').getBoundingClientRect();"
                             " return [h.x + h.width / 2, h.y + h.height / 2]; })()")
        page.drag(x, y, x + 60, y)  # a real mouse drag of the slider's handle
        # the widget may redraw in steps (traces cleared, then added): wait for the new bands
        page.wait_for(f"{BAND_DATA} !== {before!r} && "
                      f"{BANDS}.data.some(t => t.name === 'Year 5' && t.base)", 180)
        rate = float(page.evaluate(f"{RATE}.querySelector('.widget-readout').textContent"))
        assert rate > 0.05
        after = page.evaluate(BAND_DATA)
        year5_before = dict(json.loads(before))["Year 5"]
        year5_after = dict(json.loads(after))["Year 5"]
        # A faster normalization lowers every band that has a premium to lose, raises none.
        assert all(a <= b + 1e-9 for a, b in zip(year5_after, year5_before, strict=True))
        assert any(a < b - 1 for a, b in zip(year5_after, year5_before, strict=True))
        page.screenshot(tmp_path / "lab-explorer.png")
        assert (tmp_path / "lab-explorer.png").stat().st_size > 20_000
