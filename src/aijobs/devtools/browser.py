"""Headless Chromium driven through the DevTools protocol: open report pages in tabs of one
browser, read their DOM and the requests they send, act on them as a reader, screenshot them.

Used by the tests and by `make screenshots`. Chromium runs with networking disabled (every
host resolves to nothing and no proxy is reachable), so a page that needs the internet shows
it: its charts stay empty.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    # pages of one site (file://) share a renderer process, so plotly.js (4.8 MB), which every
    # report page loads, is compiled once per browser rather than once per tab: about a third
    # of the CPU a page's opening costs. Each page keeps its own document and scripts.
    "--process-per-site",
    # Chromium 15x preloads its address bar's suggestion popup, a page of its own (WebUI) in a
    # renderer of its own, about a CPU-second per browser: a headless browser never shows it.
    # (A Chromium that has no such feature ignores the names.)
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
]

# For a server on this machine: names still resolve to nothing, and only IP literals (such as
# 127.0.0.1) are reached, directly.
LOOPBACK_FLAGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" if f.startswith("--host-resolver")
    else f for f in OFFLINE_FLAGS if not f.startswith("--proxy")]


def chromium_path() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


WIDTHS = (1400, 390)  # a desktop and a phone, in CSS pixels
# A report page sets <body data-charts-fitted> once every chart is drawn and fitted; a page
# with no chart (the index) is ready once loaded.
LOADED = "document.readyState === 'complete'"
CHARTS_READY = ("document.body.hasAttribute('data-charts-fitted') || "
                "!document.querySelector('.plotly-graph-div')")


# What a reader would see wrong in the charts of an open page, chart by chart: a title, axis
# title or note cut off; a title running into the legend; the legend over tick labels; labels
# (tick labels, text beside bars or points) cut at the chart's edge; tick labels of one axis
# running together; a plot area squeezed under MIN_PLOT_PX (or a third of the chart's width).
# Also: sideways scrolling, the toolbar, alt text and data tables, and table cells on a narrow
# screen whose text is cut (the folded settings and passport tables measured open).
MIN_PLOT_PX = 120
LAYOUT_JS = """(() => {
  const W = document.documentElement.clientWidth, bad = [];
  const modebar = document.querySelectorAll('.modebar-btn').length;
  const share = Array.from(document.querySelectorAll('.modebar-btn')).filter(b =>
      /share|cloud|plotly/i.test(b.getAttribute('data-title') || '')).length;
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const labelled = plots.filter(g => {
      const f = g.closest('[role=img][aria-label]');
      return f && f.getAttribute('aria-label').length >= 10; }).length;
  const tables = plots.filter(g => g.closest('figure') &&
      g.closest('figure').querySelector('figcaption details table')).length;
  const hit = (a, b, m) => a && b && a.width > 0 && b.width > 0 && a.left < b.right - m &&
      b.left < a.right - m && a.top < b.bottom - m && b.top < a.bottom - m;
  plots.forEach(g => {
    const r = g.getBoundingClientRect();
    const box = s => { const e = g.querySelector(s); return e ? e.getBoundingClientRect() : null; };
    const inside = b => !b || (b.left >= r.left - 1 && b.right <= r.right + 1 &&
                               b.top >= r.top - 1 && b.bottom <= r.bottom + 1);
    const apart = (a, b) => !a || !b || a.bottom <= b.top + 1 || b.bottom <= a.top + 1 ||
                            a.right <= b.left + 1 || b.right <= a.left + 1;
    const t = box('.gtitle'), legend = box('.legend');
    if (!inside(t)) bad.push(g.id + ' title cut off');
    if (!apart(t, legend)) bad.push(g.id + ' title runs into the legend');
    if (!inside(box('.g-xtitle'))) bad.push(g.id + ' x-axis title cut off');
    g.querySelectorAll('.annotation').forEach((a, i) => {
      if (!inside(a.getBoundingClientRect())) bad.push(g.id + ' note ' + i + ' cut off'); });
    const ticks = sel => Array.from(g.querySelectorAll(sel)).map(e => e.getBoundingClientRect())
        .filter(b => b.width > 0);
    // each line of a label on its own; labels plotly turned aside are left to plotly, which
    // turns them to keep them apart (their boxes overlap however far apart the words are)
    const lines = sel => Array.from(g.querySelectorAll(sel))
        .filter(e => !/rotate\\((?!0)/.test(e.getAttribute('transform') || ''))
        .flatMap(e => { const l = e.querySelectorAll('tspan.line');
                        return l.length ? Array.from(l) : [e]; })
        .map(e => e.getBoundingClientRect()).filter(b => b.width > 0);
    const xt = ticks('.xtick text'), yt = ticks('.ytick text');
    if ([...xt, ...yt].some(b => hit(b, legend, 1)))
      bad.push(g.id + ' legend over tick labels');
    const cut = [...xt, ...yt, ...ticks('.bartext'), ...ticks('.textpoint')].filter(b =>
        b.left < r.left - 1 || b.right > r.right + 1);
    if (cut.length) bad.push(g.id + ' labels cut at the edge (' + cut.length + ')');
    const together = list => list.some((a, i) => list.slice(i + 1).some(b => hit(a, b, 1)));
    if (together(lines('.xtick text')) || together(lines('.ytick text')))
      bad.push(g.id + ' tick labels run together');
    const drag = Array.from(g.querySelectorAll('.nsewdrag')).map(e =>
        e.getBoundingClientRect().width);
    const least = drag.length ? Math.min(...drag) : r.width;
    if (least < Math.min(%(MIN)d, r.width / 3))
      bad.push(g.id + ' plot squeezed to ' + Math.round(least) + ' px');
  });
  // the folded tables (settings, passport) are measured open, as a reader who opens them sees
  // them, then folded again
  const folded = Array.from(document.querySelectorAll('details.params, details.passport'))
      .filter(d => !d.open);
  folded.forEach(d => { d.open = true; });
  document.querySelectorAll('.aijobs-table td, .aijobs-table th, details.params td, ' +
                            'details.passport td').forEach(c => {
    const head = c.closest('thead');  // a heading row hidden for screen readers only
    if (head && head.getBoundingClientRect().height <= 1) return;
    const b = c.getBoundingClientRect();
    if (b.width > 2 && (c.scrollWidth > c.clientWidth + 1 || b.right > W + 1))
      bad.push('table cell cut: ' + c.textContent.slice(0, 30));
  });
  folded.forEach(d => { d.open = false; });
  return {sideways: document.documentElement.scrollWidth - W, bad, plots: plots.length,
          modebar, share, labelled, tables,
          // plotly marks a div js-plotly-plot once it has drawn into it
          drawn: plots.map(g => g.id), svgs: document.querySelectorAll('.main-svg').length,
          // the page script's wrapper of Plotly.newPlot (a phone's first drawing is narrow)
          wrapped: Boolean(window.Plotly && window.Plotly.newPlot._aijobs)};
})()""".replace("%(MIN)d", str(MIN_PLOT_PX))


def screenshots(pages: list[Path], out_dir: Path, *, widths: tuple[int, ...] = WIDTHS,
                timeout: float = 60, chromium: Chromium | None = None) -> list[Path]:
    """A full-page PNG of each page at each width (as a phone lays it out below 600 px),
    taken once its charts are drawn: <page>-<width>.png in out_dir. One browser for all: the
    `chromium` given (left open), else one started for them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with contextlib.nullcontext(chromium) if chromium else Chromium(timeout=timeout) as chromium:
        for page in pages:
            for width in widths:
                with chromium.tab(page, width=width, height=1200, mobile=width < 600) as tab:
                    tab.wait_for(CHARTS_READY, timeout)
                    written.append(tab.screenshot(out_dir / f"{Path(page).stem}-{width}.png",
                                                  full_page=True))
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m aijobs.devtools.browser REPORTS_DIR OUT_DIR`: screenshot every page there,
    at 1400 and 390 px."""
    import sys

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python -m aijobs.devtools.browser REPORTS_DIR OUT_DIR", file=sys.stderr)
        return 2
    pages = sorted(Path(args[0]).glob("*.html"))
    if not pages:
        print(f"error: no .html pages in {args[0]}; run `make reports` first", file=sys.stderr)
        return 2
    if chromium_path() is None:
        print("error: Chromium not found: install it with `apt-get install -y chromium`",
              file=sys.stderr)
        return 2
    for png in screenshots(pages, Path(args[1])):
        print(png)
    return 0


class Chromium:
    """One headless Chromium (network off) driven through the DevTools protocol, whose tabs
    open pages: start it once and open many pages, rather than a browser per page.

    `tab(page, ...)` opens a page in a new tab; `loopback` lets tabs reach http://127.0.0.1
    servers on this machine (other hosts stay unreachable).
    """

    def __init__(self, *, timeout: float = 60, loopback: bool = False):
        import json
        import time
        import urllib.request

        import websocket

        exe = chromium_path()
        if exe is None:
            raise RuntimeError("Chromium not found: install it with `apt-get install -y chromium`")
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="aijobs-cdp-",
                                                    ignore_cleanup_errors=True)
        # Its own process group, so closing ends Chromium's helper processes too.
        self._proc = subprocess.Popen(
            [exe, *(LOOPBACK_FLAGS if loopback else OFFLINE_FLAGS),
             f"--user-data-dir={self._profile.name}", "--remote-debugging-port=0",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline or self._proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.05)
        self.port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/version",
                                    timeout=10) as r:
            url = json.load(r)["webSocketDebuggerUrl"]
        self._browser = _Connection(websocket.create_connection(
            url, timeout=timeout, suppress_origin=True, skip_utf8_validation=True))

    def tab(self, page: Path | str, *, width: int = 1200, height: int = 2000,
            mobile: bool = False, timeout: float | None = None, wait: bool = True) -> Tab:
        """A new tab showing `page` (a file, or an http://127.0.0.1 address), laid out at
        `width` x `height` CSS pixels (as a phone does, with `mobile`), once it has loaded.

        `wait=False` returns as soon as the page is asked for, so that several tabs load at
        once (see `open_all`); wait for what you need with `Tab.wait_for`."""
        import websocket

        timeout = self.timeout if timeout is None else timeout
        target = self._browser.call("Target.createTarget", url="about:blank")["targetId"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/devtools/page/{target}", timeout=timeout,
            suppress_origin=True, skip_utf8_validation=True)
        tab = Tab(_Connection(ws), self, target)
        try:
            tab.call("Page.enable")
            tab.call("Network.enable")  # from the first request on, see Tab.network_requests
            tab.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                     deviceScaleFactor=1, mobile=mobile)
            url = page if str(page).startswith("http://127.0.0.1:") \
                else Path(page).resolve().as_uri()
            tab.call("Page.navigate", url=url)
            if wait:
                tab.wait_for(LOADED, timeout)
        except BaseException:
            tab.close()
            raise
        return tab

    def open_all(self, pages: list[Path | str], expression: str = "true", *, at_once: int = 3,
                 timeout: float | None = None, **layout: Any) -> list[Tab]:
        """A tab for each page, `at_once` of them loading at a time (their waits overlap),
        returned once every page has loaded and `expression` holds in it, or `timeout` has
        passed for it (then the tab is returned as it stands: the caller's checks say what is
        missing). The first page loads alone, so that the others find the scripts it shares
        with them (plotly.js) already compiled in the browser's cache. `layout`: width, height
        and mobile, as for `tab`. The caller closes the tabs."""
        import time

        timeout = self.timeout if timeout is None else timeout
        ready = f"Boolean({LOADED} && ({expression}))"
        tabs: list[Tab] = []
        loading: dict[int, float] = {}  # tab's index: its deadline
        try:
            while len(tabs) < len(pages) or loading:
                room = 1 if not tabs or (len(tabs) == 1 and loading) else at_once
                while len(tabs) < len(pages) and len(loading) < room:
                    tabs.append(self.tab(pages[len(tabs)], timeout=timeout, wait=False,
                                         **layout))
                    loading[len(tabs) - 1] = time.monotonic() + timeout
                for i, deadline in list(loading.items()):
                    if tabs[i].evaluate(ready) or time.monotonic() > deadline:
                        del loading[i]
                if loading:
                    time.sleep(0.05)
        except BaseException:
            for tab in tabs:
                tab.close()
            raise
        return tabs

    def close_target(self, target: str) -> None:
        try:
            self._browser.call("Target.closeTarget", targetId=target)
        except Exception:  # the browser is already gone: nothing left to close
            pass

    def close(self) -> None:
        import os
        import signal

        connection = getattr(self, "_browser", None)
        if connection is not None:
            connection.close()
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._proc.wait(timeout=10)
        self._profile.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Connection:
    """A DevTools websocket: send a command, return its result. Events that arrive meanwhile
    are skipped, except the URLs of requests the page sends (Network.requestWillBeSent)."""

    def __init__(self, ws):
        import json

        self._ws, self._json, self._next_id = ws, json, 0
        self.requested: list[str] = []

    def call(self, method: str, **params):
        self._next_id += 1
        self._ws.send(self._json.dumps({"id": self._next_id, "method": method,
                                        "params": params}))
        while True:
            message = self._json.loads(self._ws.recv())
            if message.get("method") == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
            elif message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def close(self) -> None:
        self._ws.close()


class Tab:
    """A page open in a Chromium tab: `evaluate` runs JavaScript in it, `drag` sends real
    mouse events, `dom` is its DOM as it stands. Made by `Chromium.tab`."""

    def __init__(self, connection: _Connection, owner: Chromium, target: str):
        self._connection, self._owner, self._target = connection, owner, target

    def call(self, method: str, **params):
        return self._connection.call(method, **params)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> None:
        import time

        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({expression})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {expression}")
            time.sleep(0.05)

    def network_requests(self) -> list[str]:
        """Every URL the page has asked for that is not on this machine's disk or inline
        (file:, data:, blob:, about:), in order. The network is off, so each one failed, but
        the page tried: an offline page asks for none."""
        self.evaluate("0")  # reads the events Chromium sent before now
        local = ("file:", "data:", "blob:", "about:")
        return [url for url in self._connection.requested if not url.startswith(local)]

    def dom(self) -> str:
        """The page's DOM as it stands now, as HTML."""
        return self.evaluate("document.documentElement.outerHTML")

    def drag(self, x0: float, y0: float, x1: float, y1: float, steps: int = 8) -> None:
        """Press the left button at (x0, y0), move to (x1, y1) and release, like a reader."""
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x0, y=y0)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x0, y=y0, button="left",
                  clickCount=1)
        for i in range(1, steps + 1):
            self.call("Input.dispatchMouseEvent", type="mouseMoved", button="left",
                      x=x0 + (x1 - x0) * i / steps, y=y0 + (y1 - y0) * i / steps)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=x1, y=y1, button="left",
                  clickCount=1)

    def screenshot(self, png: Path, *, full_page: bool = False) -> Path:
        """A PNG of the viewport, or of the whole page with `full_page`."""
        import base64

        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = self.call("Page.captureScreenshot", **params)["data"]
        Path(png).write_bytes(base64.b64decode(data))
        return Path(png)

    def close(self) -> None:
        self._connection.close()
        self._owner.close_target(self._target)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DevToolsPage(Tab):
    """One page in a Chromium of its own (network off), closed with it: for a test or a
    script that opens a single page. `mobile` lays the page out as a phone of that width
    would; with `loopback`, `page` may be an http://127.0.0.1 address (a local server such as
    JupyterLab)."""

    def __init__(self, page: Path | str, *, width: int = 1200, height: int = 2000,
                 timeout: float = 60, mobile: bool = False, loopback: bool = False):
        chromium = Chromium(timeout=timeout, loopback=loopback)
        try:
            tab = chromium.tab(page, width=width, height=height, mobile=mobile)
        except BaseException:
            chromium.close()
            raise
        super().__init__(tab._connection, chromium, tab._target)

    def close(self) -> None:
        self._connection.close()
        self._owner.close()


if __name__ == "__main__":
    raise SystemExit(main())
