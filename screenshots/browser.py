"""`asyncplay web` in a real browser: headless Chromium driven over the DevTools protocol.

The browser tests (tests/test_web.py) and the README's picture (web_shot.py) both drive the
playground this way; pytest finds this module through `pythonpath` in pyproject.toml, and a
script in this folder finds it beside itself.

The browser is driven over a websocket with aiohttp's client. textual-serve draws the app with
xterm.js on a canvas: the screen's text is read from xterm's own buffer (its public API),
through the object textual-serve keeps the terminal in.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

ASYNCPLAY = str(Path(sys.executable).with_name("asyncplay"))
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome")
     if (found := shutil.which(name))), None,
)  # fmt: skip
# A viewport wide enough for the 4×2 grid (150 columns and more) at the page's 16 px font.
VIEWPORT = (1680, 960)
# Whatever a test or a script starts carries this variable, with a mark of its own as value,
# so it can find every process it caused (a browser's helpers, a page's app and workers).
MARK = "ASYNCPLAY_TEST_MARK"
# A browser that says nothing for this long is gone (a reply, a port file): seconds.
SILENCE_S = 180.0

# textual-serve keeps its terminal in a local variable. The object that holds it assigns
# `websocket_url` in its constructor: a setter on Object.prototype catches that object
# (the assignment walks the prototype chain) and then steps aside for it.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "websocket_url", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "websocket_url", {value, writable: true, enumerable: true});
    window.__textualSession = this;
  },
});
"""
# The terminal's text, row by row, from xterm.js's buffer; null before the page has one.
SCREEN_TEXT = """(() => {
  const terminal = window.__textualSession && window.__textualSession.terminal;
  if (!terminal) return null;
  const buffer = terminal.buffer.active, rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()"""


class Page:
    """A browser tab over the DevTools protocol: one session of a flat connection."""

    def __init__(self, browser: Chromium, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target
        self.seen = ""  # the screen's text when last read

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self.browser.send(method, session=self.session, **params)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise's, once it settles)."""
        reply = await self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                                awaitPromise=True)  # fmt: skip
        if "exceptionDetails" in reply:
            raise RuntimeError(f"the page raised: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    async def text(self) -> str:
        """What the terminal shows, as text."""
        self.seen = await self.evaluate(SCREEN_TEXT) or ""
        return self.seen

    async def shows(self, condition: Callable[[str], bool], what: str) -> str:
        """The screen's text once `condition` holds of it, polled; past SILENCE_S, an error
        naming `what`, with the screen as it was."""
        try:
            async with asyncio.timeout(SILENCE_S):
                while not condition(await self.text()):
                    await asyncio.sleep(0.1)
        except TimeoutError:
            raise RuntimeError(f"the page never showed {what}:\n{self.seen}") from None
        return self.seen

    async def press(self, key: str) -> None:
        """A key typed into the terminal, as the keyboard would (into xterm's textarea)."""
        await self.evaluate("window.__textualSession.terminal.focus()")
        typed = {"key": key, "text": key, "code": f"Key{key.upper()}",
                 "windowsVirtualKeyCode": ord(key.upper())}  # fmt: skip
        await self.send("Input.dispatchKeyEvent", type="keyDown", **typed)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **typed)

    async def screenshot(self, path: Path) -> None:
        """A PNG of the page, once what the terminal holds is painted (xterm.js paints on
        the next animation frame)."""
        await self.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    async def close(self) -> None:
        await self.browser.send("Target.closeTarget", targetId=self.target)


class Chromium:
    """Headless Chromium, driven over the DevTools protocol."""

    def __init__(self, process: asyncio.subprocess.Process, socket: Any) -> None:
        self.process, self.socket = process, socket
        self.ids = itertools.count(1)
        self.replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(
        cls, mark: str, ended: Callable[[], Awaitable[bool]] | None = None
    ) -> AsyncIterator[Chromium]:
        """A fresh profile, a free debugging port, `mark` in the environment of everything it
        starts. On the way out its whole group is ended, and then, with `ended`, the wait
        goes on until that says every process of the mark is gone (its crash handlers live
        in sessions of their own: they end when they see the browser gone)."""
        if CHROMIUM is None:
            raise RuntimeError("no chromium on PATH (chromium, chromium-browser, google-chrome)")
        profile = Path(tempfile.mkdtemp(prefix="asyncplay-chromium-"))
        options = ["--headless=new", "--remote-debugging-port=0", f"--user-data-dir={profile}",
                   "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                   "--disable-extensions", "--disable-background-networking", "--mute-audio",
                   # Chromium refuses to run as root inside its sandbox (CI containers do).
                   *(["--no-sandbox"] if os.geteuid() == 0 else []), "about:blank"]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            CHROMIUM, *options, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, env={**os.environ, MARK: mark},
        )  # fmt: skip
        try:
            # The port it picked, and the browser's socket, in a file of the profile.
            port, path = await _devtools_port(profile / "DevToolsActivePort", process)
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0) as socket,
            ):
                browser = cls(process, socket)
                try:
                    yield browser
                finally:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(browser.send("Browser.close"), 10)
                    browser.reader.cancel()
        finally:
            await _end_group(process)
            shutil.rmtree(profile, ignore_errors=True)
            if ended is not None:
                async with asyncio.timeout(SILENCE_S):
                    while not await ended():
                        await asyncio.sleep(0.1)

    async def _read(self) -> None:
        async for message in self.socket:
            reply = json.loads(message.data)
            waiter = self.replies.pop(reply.get("id", 0), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(reply)
        for waiter in self.replies.values():  # the browser went away
            waiter.set_exception(ConnectionError("the browser closed its DevTools socket"))

    async def send(self, method: str, session: str | None = None, **params: Any) -> Any:
        number = next(self.ids)
        message = {"id": number, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.replies[number] = waiter = asyncio.get_running_loop().create_future()
        await self.socket.send_str(json.dumps(message))
        reply = await asyncio.wait_for(waiter, SILENCE_S)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    async def open(self, url: str, size: tuple[int, int] = VIEWPORT) -> Page:
        """A new tab at `size` showing `url`, with the terminal catcher in place first."""
        target = (await self.send("Target.createTarget", url="about:blank"))["targetId"]
        attached = await self.send("Target.attachToTarget", targetId=target, flatten=True)
        page = Page(self, attached["sessionId"], target)
        width, height = size
        await page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                        deviceScaleFactor=1, mobile=False)  # fmt: skip
        # The page asks Google for a font; the terminal starts at window.onload, so a
        # machine without internet must not wait on it.
        await page.send("Network.enable")
        await page.send("Network.setBlockedURLs", urls=["*fonts.googleapis.com*"])
        await page.send("Page.enable")
        await page.send("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        await page.send("Page.navigate", url=url)
        return page


async def _devtools_port(path: Path, process: asyncio.subprocess.Process) -> tuple[str, str]:
    async with asyncio.timeout(SILENCE_S):
        while not (path.exists() and len(path.read_text().split()) >= 2):
            if process.returncode is not None:
                raise RuntimeError(f"Chromium exited with status {process.returncode}")
            await asyncio.sleep(0.1)
    port, socket = path.read_text().split()[:2]
    return port, socket


async def _end_group(process: asyncio.subprocess.Process) -> None:
    """Chromium's helpers (zygote, renderer, GPU) are in its session: end the whole group."""
    for number in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, number)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 10)
        if not _group_alive(process.pid):
            return


def _group_alive(group: int) -> bool:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, 0)
        return True
    return False


Server = asyncio.subprocess.Process


@contextlib.asynccontextmanager
async def web_server(*args: str, mark: str) -> AsyncIterator[tuple[str, Server]]:
    """`asyncplay web --port 0 ARGS`, its URL and its process; SIGINT on the way out if it is
    still running. Everything it starts carries `mark` in its environment."""
    process = await asyncio.create_subprocess_exec(
        ASYNCPLAY, "web", "--port", "0", *args, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, MARK: mark},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), SILENCE_S)).decode()
        found = re.search(r"http://\S+", line)
        if not found:
            assert process.stderr is not None
            raise RuntimeError(f"no URL in {line!r}: {(await process.stderr.read())!r}")
        yield found.group(0), process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), SILENCE_S)
        if process.returncode is None:
            process.kill()
            await process.wait()
