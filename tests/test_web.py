"""`asyncplay web` as a user meets it: the command line, and the playground in a real browser.

The browser is headless Chromium, driven over the DevTools protocol (a websocket, through
aiohttp's client). Without a Chromium on PATH, the browser tests skip and say so.
textual-serve draws the app with xterm.js on a canvas: the test reads the terminal's text
from xterm's own buffer (its public API), through the object textual-serve keeps it in.
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
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from procs import children, marked

from asyncplay.engine.catalogue import STRATEGIES

ASYNCPLAY = str(Path(sys.executable).with_name("asyncplay"))
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome")
     if (found := shutil.which(name))), None,
)  # fmt: skip
# Generous deadlines on a loaded two-core machine: every wait polls until its condition.
START_S, RUN_S, STOP_S = 60.0, 120.0, 45.0
# A viewport wide enough for the 4×2 grid (150 columns and more) at the page's 16 px font.
VIEWPORT = (1680, 960)
IDLE = "not run yet"

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

T = TypeVar("T")


async def until(
    condition: Callable[[], Awaitable[T]], what: str, timeout: float, seen: Page | None = None
) -> T:
    """Poll `condition` until it gives something true; at the deadline, fail naming `what`
    and showing what was `seen` last (a page's screen)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await condition()):
        if asyncio.get_running_loop().time() > deadline:
            last = f"; the screen was:\n{seen.seen}" if seen is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{last}")
        await asyncio.sleep(0.1)
    return value


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
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        return reply["result"].get("value")

    async def text(self) -> str:
        """What the terminal shows, as text."""
        self.seen = await self.evaluate(SCREEN_TEXT) or ""
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
    async def launch(cls) -> AsyncIterator[Chromium]:
        """A fresh profile, a free debugging port; every process it started has ended by
        the time this returns (checked, by the mark in their environment)."""
        assert CHROMIUM is not None
        profile = Path(tempfile.mkdtemp(prefix="asyncplay-chromium-"))
        options = ["--headless=new", "--remote-debugging-port=0", f"--user-data-dir={profile}",
                   "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                   "--disable-extensions", "--disable-background-networking", "--mute-audio",
                   # Chromium refuses to run as root inside its sandbox (CI containers do).
                   *(["--no-sandbox"] if os.geteuid() == 0 else []), "about:blank"]  # fmt: skip
        mark = uuid.uuid4().hex
        process = await asyncio.create_subprocess_exec(
            CHROMIUM, *options, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "ASYNCPLAY_TEST_MARK": mark},
        )  # fmt: skip
        try:
            # The port it picked, and the browser's socket, in a file of the profile.
            written = profile / "DevToolsActivePort"
            await until(lambda: _written(written, process), "Chromium's DevTools port", START_S)
            port, path = written.read_text().split()[:2]
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
            # Its crash handlers live in sessions of their own: they end when they see the
            # browser gone.
            await until(lambda: _none_marked(mark), "every Chromium process to end", STOP_S)

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
        reply = await asyncio.wait_for(waiter, 30)
        assert "error" not in reply, f"{method}: {reply['error']}"
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


async def _written(path: Path, process: asyncio.subprocess.Process) -> bool:
    if process.returncode is not None:
        raise AssertionError(f"Chromium exited with status {process.returncode}")
    return path.exists() and len(path.read_text().split()) >= 2


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
async def web_server(*args: str, marker: str) -> AsyncIterator[tuple[str, Server]]:
    """`asyncplay web --port 0 ARGS`, its URL and its process; SIGINT on the way out if it is
    still running. Everything it starts carries `marker` in its environment."""
    process = await asyncio.create_subprocess_exec(
        ASYNCPLAY, "web", "--port", "0", *args, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "ASYNCPLAY_TEST_MARK": marker},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), START_S)).decode()
        found = re.search(r"http://\S+", line)
        if not found:
            assert process.stderr is not None
            raise AssertionError(f"no URL in {line!r}: {(await process.stderr.read())!r}")
        yield found.group(0), process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), STOP_S)
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
def marker() -> Iterator[str]:
    """A mark for the environment of everything a test starts; whatever still has it when
    the test is over (a failed test's leftovers) is killed, so it cannot disturb the rest."""
    mark = uuid.uuid4().hex
    yield mark
    for pid in marked(mark):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _needs_chromium() -> None:
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (chromium, chromium-browser or google-chrome): "
                    "the browser tests need one; .ci/run installs it with apt-get")  # fmt: skip


def _panels_idle(text: str) -> bool:
    return all(name in text for name in STRATEGIES) and text.count(IDLE) == len(STRATEGIES)


@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_the_playground_in_a_browser_runs_and_ends_with_the_page(marker: str) -> None:
    """The page draws all eight panels with the scenario given to `web`; `r` pressed in the
    page runs every strategy to the end; closing the page ends its app, and ctrl+c the
    server: nothing is left running."""
    _needs_chromium()

    async def scenario() -> None:
        async with (
            web_server("-n", "5", "--latency", "50", marker=marker) as (url, server),
            Chromium.launch() as browser,
        ):
            page = await browser.open(url)
            text = await until(
                lambda: _screen_if(page, _panels_idle), "the eight idle panels", START_S, page
            )
            assert "asyncplay" in text  # the app's header
            # The scenario bar holds the flags `web` was given.
            assert re.search(r"tasks 5 .* latency ms 50 ", text), text.splitlines()[1]
            assert "5 tasks" not in text
            await page.press("r")
            done = "5 tasks · ok 5"
            text = await until(
                lambda: _screen_if(page, lambda t: t.count(done) == len(STRATEGIES)),
                "every panel to finish its five tasks", RUN_S, page,
            )  # fmt: skip
            assert IDLE not in text
            assert await _app_count(marker, server.pid) == 1  # this page's app, one
            await page.close()
            await until(lambda: _no_app(marker, server.pid), "the page's app to end", STOP_S)
            server.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(server.wait(), STOP_S) == 0
        assert server.stderr is not None
        assert await server.stderr.read() == b""

    asyncio.run(scenario())
    assert marked(marker) == set()


@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_sigterm_mid_run_ends_every_app_worker_and_server(marker: str) -> None:
    """SIGTERM to `web` while a page's run is in flight (its workers waiting on a slow
    server): status 143, the page says the session ended, and no app, worker or fault
    server is left."""
    _needs_chromium()

    async def scenario() -> None:
        async with (
            web_server("-n", "20", "--latency", "30000", "--timeout", "40", marker=marker)
            as (url, server),
            Chromium.launch() as browser,
        ):  # fmt: skip
            page = await browser.open(url)
            await until(lambda: _screen_if(page, _panels_idle), "the idle panels", START_S, page)
            await page.press("r")
            # web, its app, the app's fault server and a worker per strategy
            await until(lambda: _marked_at_least(marker, 3 + len(STRATEGIES)),
                        "the workers to start", RUN_S)  # fmt: skip
            await until(lambda: _screen_if(page, lambda t: "running" in t), "a running panel",
                        RUN_S, page)  # fmt: skip
            server.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(server.wait(), STOP_S) == 143
            assert marked(marker) == set()
            ended = "document.body.classList.contains('-closed')"
            await until(lambda: page.evaluate(ended), "the page to say the session ended", 10)

    asyncio.run(scenario())
    assert marked(marker) == set()


def test_a_server_killed_outright_leaves_no_app(marker: str) -> None:
    """SIGKILL to `web` with a session open: the server cannot end its apps, so each app
    ends itself when its parent is gone, with its fault server."""

    async def scenario() -> None:
        async with web_server(marker=marker) as (url, server), aiohttp.ClientSession() as http:
            # A session without a browser: textual-serve's websocket, as its page opens it.
            session = await http.ws_connect(f"{url}/ws?width=120&height=40")
            # web, the page's app and the app's fault server
            await until(lambda: _marked_at_least(marker, 3), "the app to start", START_S)
            server.kill()
            await server.wait()
            await until(lambda: _none_marked(marker), "the app to end itself", STOP_S)
            await session.close()

    asyncio.run(scenario())
    assert marked(marker) == set()


async def _none_marked(marker: str) -> bool:
    return marked(marker) == set()


async def _screen_if(page: Page, condition: Callable[[str], bool]) -> str | None:
    text = await page.text()
    return text if condition(text) else None


async def _app_count(marker: str, server: int) -> int:
    return len(marked(marker) & children(of=server))


async def _no_app(marker: str, server: int) -> bool:
    return await _app_count(marker, server) == 0 and marked(marker) == {server}


async def _marked_at_least(marker: str, count: int) -> bool:
    return len(marked(marker)) >= count


def asyncplay(*args: str, marker: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ASYNCPLAY, *args], capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL, env={**os.environ, "ASYNCPLAY_TEST_MARK": marker},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "a port is 0 to 65535, not 99999"),
        (["--port", "abc"], "'abc' is not a number"),
        (["--host", ""], "'' is not a host name or address"),
        # A documentation address (RFC 5737): never this machine's, and no DNS to ask.
        (["--host", "192.0.2.1"], "cannot listen on 192.0.2.1:8642: Cannot assign requested"),
        (["--port", "0", "-n", "0"], "must be 1 to 100,000, not 0"),
        (["--port", "0", "-f", "explode"], "unknown fault 'explode'"),
    ],
)
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str, marker: str) -> None:
    """A bad port, host or scenario flag: exit 2, one line naming it, nothing served."""
    result = asyncplay("web", *args, marker=marker)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""
    assert marked(marker) == set()


def test_a_busy_port_is_bad_input(marker: str) -> None:
    """A port another program listens on: one line, status 2, no traceback."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = asyncplay("web", "--port", str(port), marker=marker)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"asyncplay: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert marked(marker) == set()


def test_another_host_warns_and_ctrl_c_stops_it(marker: str) -> None:
    """--host 0.0.0.0 says on stderr who can start processes; ctrl+c stops it, status 0."""

    async def scenario() -> None:
        async with web_server("--host", "0.0.0.0", marker=marker) as (url, server):
            assert url.startswith("http://0.0.0.0:")
            server.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(server.wait(), STOP_S) == 0
            assert server.stderr is not None
            warning = (await server.stderr.read()).decode().splitlines()
        assert warning == [
            "asyncplay: warning: listening on 0.0.0.0: whoever can reach it can start "
            "processes on this machine"
        ]

    asyncio.run(scenario())
    assert marked(marker) == set()


def test_another_site_cannot_open_the_app(marker: str) -> None:
    """On loopback, a page of another site cannot open the websocket (it would type into
    the app), nor can a DNS name rebound to 127.0.0.1 load the page; the server's own page
    can. No app is started for a refused caller."""

    async def scenario() -> None:
        async with web_server(marker=marker) as (url, server), aiohttp.ClientSession() as http:
            port = url.rsplit(":", 1)[1]
            async with http.get(url, headers={"Host": f"evil.example:{port}"}) as page:
                assert page.status == 403
            async with http.get(url.replace("127.0.0.1", "localhost")) as page:
                assert page.status == 200
                assert f"ws://localhost:{port}/ws" in await page.text()
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{url}/ws", origin="http://evil.example")
            assert refused.value.status == 403
            assert marked(marker) == {server.pid}

    asyncio.run(scenario())
    assert marked(marker) == set()
