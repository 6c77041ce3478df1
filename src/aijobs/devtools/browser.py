"""Headless Chromium helpers: screenshot a page and read its DOM after scripts have run.

Used by the tests and by `make screenshots`. Chromium runs with networking disabled (every
host resolves to nothing and no proxy is reachable), so a page that needs the internet shows
it: its charts stay empty.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
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


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium not found: install it with `apt-get install -y chromium`")
    with tempfile.TemporaryDirectory(prefix="aijobs-chromium-",
                                     ignore_cleanup_errors=True) as profile:
        return subprocess.run([exe, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, check=False)


def rendered_dom(page: Path, *, budget_ms: int = 8000, timeout: float = 90) -> str:
    """The page's DOM after its scripts ran (virtual time), with the network off."""
    result = _run([f"--virtual-time-budget={budget_ms}", "--dump-dom",
                   Path(page).resolve().as_uri()], timeout)
    return result.stdout


def page_network_requests(page: Path, *, budget_ms: int = 5000, timeout: float = 90,
                          ) -> list[str]:
    """URLs the page itself asked for (not Chromium's own update checks), from a net log.

    The network is off, so a request fails, but it is still logged: an offline page has none
    beyond its own file:// resources.
    """
    import json

    with tempfile.TemporaryDirectory(prefix="aijobs-netlog-") as tmp:
        log = Path(tmp) / "net.json"
        _run([f"--log-net-log={log}", f"--virtual-time-budget={budget_ms}", "--dump-dom",
              Path(page).resolve().as_uri()], timeout)
        events = json.loads(log.read_text(encoding="utf-8"))
    names = {v: k for k, v in events["constants"]["logEventTypes"].items()}
    urls = []
    for event in events["events"]:
        params = event.get("params", {})
        # Browser-internal requests carry the initiator "not an origin"; a file:// page's
        # requests carry its opaque origin, "null".
        if (names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
                and params.get("initiator") != "not an origin"):
            urls.append(params["url"])
    return urls


def screenshot(page: Path, png: Path, *, width: int = 1200, height: int = 2400,
               budget_ms: int = 8000, timeout: float = 90) -> Path:
    """A PNG of the page, rendered offline, at the given window size."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--screenshot={png}", f"--window-size={width},{height}", "--hide-scrollbars",
          f"--virtual-time-budget={budget_ms}", Path(page).resolve().as_uri()], timeout)
    if not png.exists():
        raise RuntimeError(f"Chromium wrote no screenshot of {page}")
    return png


def main(argv: list[str] | None = None) -> int:
    """`python -m aijobs.devtools.browser REPORTS_DIR OUT_DIR`: screenshot every page there."""
    import sys

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python -m aijobs.devtools.browser REPORTS_DIR OUT_DIR", file=sys.stderr)
        return 2
    pages = sorted(Path(args[0]).glob("*.html"))
    if not pages:
        print(f"error: no .html pages in {args[0]}; run `make reports` first", file=sys.stderr)
        return 2
    for page in pages:
        png = screenshot(page, Path(args[1]) / f"{page.stem}.png")
        print(f"{png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


class DevToolsPage:
    """A page in headless Chromium driven through the DevTools protocol (network off).

    Used to act on a report as a reader would (drag a slider, click) and read back state:
    `evaluate` runs JavaScript in the page; `drag` sends real mouse events. `mobile` lays the
    page out as a phone of that width would. `page` is a file, or, with `loopback`, an
    http://127.0.0.1 address (a local server such as JupyterLab; other hosts stay unreachable).
    """

    def __init__(self, page: Path | str, *, width: int = 1200, height: int = 2000,
                 timeout: float = 60, mobile: bool = False, loopback: bool = False):
        import json
        import time

        import websocket

        exe = chromium_path()
        if exe is None:
            raise RuntimeError("Chromium not found: install it with `apt-get install -y chromium`")
        self._profile = tempfile.TemporaryDirectory(prefix="aijobs-cdp-",
                                                    ignore_cleanup_errors=True)
        # Its own process group, so closing ends Chromium's helper processes too.
        self._proc = subprocess.Popen(
            [exe, *(LOOPBACK_FLAGS if loopback else OFFLINE_FLAGS),
             f"--user-data-dir={self._profile.name}",
             "--remote-debugging-port=0", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline or self._proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        self._ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=timeout,
                                               suppress_origin=True)
        self._next_id = 0
        self._json = json
        self.call("Page.enable")
        if mobile:  # a phone's viewport: the page lays out at `width` CSS pixels
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                      deviceScaleFactor=1, mobile=True)
        url = page if loopback and str(page).startswith("http://127.0.0.1:") \
            else Path(page).resolve().as_uri()
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'", timeout)

    def call(self, method: str, **params):
        self._next_id += 1
        self._ws.send(self._json.dumps({"id": self._next_id, "method": method,
                                        "params": params}))
        while True:
            message = self._json.loads(self._ws.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

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
            time.sleep(0.1)

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

        params = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = self.call("Page.captureScreenshot", **params)["data"]
        Path(png).write_bytes(base64.b64decode(data))
        return Path(png)

    def close(self) -> None:
        import os
        import signal

        ws = getattr(self, "_ws", None)
        if ws is not None:
            ws.close()
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
