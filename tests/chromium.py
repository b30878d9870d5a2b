"""Opening a page in headless Chromium and watching what it does, over the DevTools protocol.

Chromium is driven through `--remote-debugging-pipe` (JSON messages on file descriptors 3 and 4, each ended
by a NUL byte), so the tests need nothing but Debian's `chromium` package: no driver, no WebSocket
library, no port to pick, and no browser download.

Run as a script it regenerates the dashboard screenshot shown in docs/audit.md:

    python tests/chromium.py docs/dashboard.png
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from typing import Any, Dict, List, Optional

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]


def available() -> Optional[str]:
    """The Chromium to use, or None when it is not installed."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


def _above_4(fd: int) -> int:
    """The descriptor moved to 10 or above, so putting the pipes on 3 and 4 cannot overwrite one of them."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Chromium:
    """A headless Chromium with one page, recording its requests, failed requests and console errors."""

    def __init__(self, executable: Optional[str] = None, timeout: float = 60.0) -> None:
        executable = executable or available()
        if executable is None:
            raise RuntimeError("chromium is not installed (apt-get install chromium)")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="fourp-chromium-")
        to_browser_read, self._to_browser = map(_above_4, os.pipe())
        self._from_browser, from_browser_write = map(_above_4, os.pipe())
        # bash (dash takes only one-digit descriptors) puts the pipe ends on descriptors 3 and 4.
        script = f'exec "$0" "$@" 3<&{to_browser_read} 4>&{from_browser_write}'
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", script, executable, *FLAGS, f"--user-data-dir={self.profile}"],
            pass_fds=(to_browser_read, from_browser_write), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: List[Dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # -- the protocol --------------------------------------------------------------------------------------

    def _send(self, message: Dict[str, Any]) -> None:
        os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")

    def _receive(self, deadline: float) -> Dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, **params: Any) -> Dict[str, Any]:
        """Sends a command and returns its result, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message: Dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> Dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._receive(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    # -- what the tests ask ------------------------------------------------------------------------------

    def open(self, url: str, width: int = 1200, height: int = 900) -> None:
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.events = []  # what this page does, not what an earlier one did
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")
        self.call("Runtime.evaluate", session=True, expression="document.readyState")  # settle late events

    def requests(self) -> List[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def failed_requests(self) -> List[str]:
        return [f"{e['params'].get('errorText')} ({e['params'].get('requestId')})" for e in self.events
                if e.get("method") == "Network.loadingFailed"]

    def console_errors(self) -> List[str]:
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                out.append(params.get("exceptionDetails", {}).get("text", "exception"))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(params["entry"].get("text", ""))
        return out

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", session=True, expression=expression,
                         returnByValue=True)["result"].get("value")

    def screenshot(self, path: str, width: int = 1200, height: Optional[int] = None) -> None:
        """A PNG of the page at `width` CSS pixels: the whole page, or its top `height` pixels."""
        full = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        height = min(full, height) if height else full
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", session=True, format="png",
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))

    def pdf(self) -> bytes:
        """The page printed as the browser would print it, with the page's own @page size."""
        return base64.b64decode(self.call("Page.printToPDF", session=True, preferCSSPageSize=True,
                                          printBackground=True)["data"])

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _regenerate(target: str) -> None:
    """Renders the dashboard of the shipped examples and saves the top of it as docs/audit.md's picture."""
    import pathlib
    import sys

    from click.testing import CliRunner

    from fourp.cli import main

    root = pathlib.Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        page = os.path.join(folder, "audit.html")
        os.chdir(root)  # so the page shows the examples' paths as a user in the repository sees them
        result = CliRunner().invoke(main, ["audit", "examples", "--register", "examples/register.csv",
                                           "--as-of", "2024-09-30", "--format", "html",
                                           "--output", page])
        if not os.path.exists(page):
            sys.exit(f"the dashboard was not written: {result.output}")
        with Chromium() as browser:
            browser.open(pathlib.Path(page).as_uri(), width=1100)
            browser.screenshot(target, width=1100, height=2325)
    print(f"wrote {target}")


if __name__ == "__main__":
    import sys

    _regenerate(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png")
