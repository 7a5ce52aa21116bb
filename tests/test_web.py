"""`asyncplay web` as a user meets it: the command line, and the playground in a real browser.

The browser is headless Chromium, driven over the DevTools protocol (screenshots/browser.py,
which the README's picture is taken with too). Without a Chromium on PATH, the browser tests
skip and say so.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
from browser import ASYNCPLAY, CHROMIUM, MARK, Chromium, Page, web_server
from procs import children, marked
from waiting import PATIENCE_S, until

from asyncplay.engine.catalogue import STRATEGIES

# Generous bounds on a loaded two-core machine: every wait polls until its condition.
STOP_S = PATIENCE_S
IDLE = "not run yet"


def seeing(what: str, page: Page) -> Callable[[], str]:
    """What a wait waited for, and what the page showed when it gave up."""
    return lambda: f"{what}; the screen was:\n{page.seen}"


@pytest.fixture
def marker() -> Iterator[str]:
    """A mark for the environment of everything a test starts; whatever still has it when
    the test is over (a failed test's leftovers) is killed, so it cannot disturb the rest."""
    mark = uuid.uuid4().hex
    yield mark
    for pid in marked(mark):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(autouse=True)
def no_crash_reports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The apps a test's server starts write their temporary files in a folder of the
    test's; a page that closes, or a server stopped, is no crash of its app: no crash
    report may be left there. (A short path: Chromium's sockets in it must fit a Unix
    socket's 108 bytes, which pytest's tmp_path does not.)"""
    folder = Path(tempfile.mkdtemp(prefix="web-"))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield
    reports = {path.name: path.read_text() for path in folder.glob("asyncplay-crash-*")}
    shutil.rmtree(folder, ignore_errors=True)
    assert reports == {}


def _needs_chromium() -> None:
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (chromium, chromium-browser or google-chrome): "
                    "the browser tests need one; .ci/run installs it with apt-get")  # fmt: skip


def _panels_idle(text: str) -> bool:
    return all(name in text for name in STRATEGIES) and text.count(IDLE) == len(STRATEGIES)


@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_the_playground_in_a_browser_runs_and_ends_with_the_page(marker: str) -> None:
    """The page draws every panel with the scenario given to `web`; `r` pressed in the
    page runs every strategy to the end; closing the page ends its app, and ctrl+c the
    server: nothing is left running."""
    _needs_chromium()

    async def scenario() -> None:
        async with (
            web_server("--scenario", "clean", "-n", "5", "--latency", "50", mark=marker) as (
                url,
                server,
            ),
            chromium() as browser,
        ):
            page = await browser.open(url)
            text = await until(lambda: _screen_if(page, _panels_idle),
                               what=seeing("the idle panels", page))  # fmt: skip
            assert "asyncplay" in text  # the app's header
            # The scenario bar holds the flags `web` was given.
            assert re.search(r"tasks 5 .* latency ms 50 ", text), text.splitlines()[1]
            assert "5 tasks" not in text
            await page.press("r")
            done = "5 tasks · ok 5"
            text = await until(
                lambda: _screen_if(page, lambda t: t.count(done) == len(STRATEGIES)),
                what=seeing("every panel to finish its five tasks", page),
            )
            assert IDLE not in text
            assert await _app_count(marker, server.pid) == 1  # this page's app, one
            await page.close()
            await until(lambda: _no_app(marker, server.pid), what="the page's app to end")
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
            web_server("-n", "20", "--latency", "30000", "--timeout", "40", mark=marker)
            as (url, server),
            chromium() as browser,
        ):  # fmt: skip
            page = await browser.open(url)
            await until(lambda: _screen_if(page, _panels_idle),
                        what=seeing("the idle panels", page))  # fmt: skip
            await page.press("r")
            # web, its app, the app's fault server and a worker per strategy
            await until(lambda: _marked_at_least(marker, 3 + len(STRATEGIES)),
                        what="the workers to start")  # fmt: skip
            await until(lambda: _screen_if(page, lambda t: "running" in t),
                        what=seeing("a running panel", page))  # fmt: skip
            server.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(server.wait(), STOP_S) == 143
            assert marked(marker) == set()
            ended = "document.body.classList.contains('-closed')"
            await until(lambda: page.evaluate(ended), what="the page to say the session ended")

    asyncio.run(scenario())
    assert marked(marker) == set()


def test_a_server_killed_outright_leaves_no_app(marker: str) -> None:
    """SIGKILL to `web` with a session open: the server cannot end its apps, so each app
    ends itself when its parent is gone, with its fault server."""

    async def scenario() -> None:
        async with web_server(mark=marker) as (url, server), aiohttp.ClientSession() as http:
            # A session without a browser: textual-serve's websocket, as its page opens it.
            session = await http.ws_connect(f"{url}/ws?width=120&height=40")
            # web, the page's app and the app's fault server
            await until(lambda: _marked_at_least(marker, 3), what="the app to start")
            server.kill()
            await server.wait()
            await until(lambda: _none_marked(marker), what="the app to end itself")
            await session.close()

    asyncio.run(scenario())
    assert marked(marker) == set()


def chromium() -> contextlib.AbstractAsyncContextManager[Chromium]:
    """A browser whose processes carry a mark of their own (not the server's, so that its
    helpers are not taken for the apps), every one of them gone by the time it is left."""
    mark = uuid.uuid4().hex
    return Chromium.launch(mark, ended=lambda: _none_marked(mark))


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


def asyncplay(*args: str, mark: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ASYNCPLAY, *args], capture_output=True, text=True, timeout=PATIENCE_S,
        stdin=subprocess.DEVNULL, env={**os.environ, MARK: mark},
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
    result = asyncplay("web", *args, mark=marker)
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
        result = asyncplay("web", "--port", str(port), mark=marker)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"asyncplay: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert marked(marker) == set()


def test_another_host_warns_and_ctrl_c_stops_it(marker: str) -> None:
    """--host 0.0.0.0 says on stderr who can start processes; ctrl+c stops it, status 0."""

    async def scenario() -> None:
        async with web_server("--host", "0.0.0.0", mark=marker) as (url, server):
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
        async with web_server(mark=marker) as (url, server), aiohttp.ClientSession() as http:
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


# What a page's websocket may carry that textual-serve's page never sends: each is refused
# and counted, the session goes on. (A lone surrogate cannot be typed; JSON can carry it.)
MALFORMED = [
    '["stdin", 5]',
    '["resize", {"w": 1}]',
    '["resize", {"width": true, "height": 40}]',
    '["resize", {"width": 120, "height": 100000000}]',
    "[]",
    "{}",
    "not json",
    '["stdin", "\\ud800"]',
    '["ping", {"a": 1}]',
    '["explode"]',
    "[" * 100_000,
    "[" + "9" * 5_000 + "]",
]


def test_malformed_messages_are_refused_quietly_and_counted(marker: str) -> None:
    """A page that sends what textual-serve's page never does (a number to type, a size
    without its width, no JSON at all, ...): the server refuses each one without a
    traceback, the page's session goes on (a ping is answered), and when the session ends
    the server says on stderr, in one line, how many it refused."""

    async def scenario() -> None:
        async with web_server(mark=marker) as (url, server), aiohttp.ClientSession() as http:
            session = await http.ws_connect(f"{url}/ws?width=100&height=30")
            for message in MALFORMED:
                await session.send_str(message)
            await session.send_bytes(b"\x00binary")
            await session.send_str('["ping", "still here"]')
            while (reply := await session.receive()).type is aiohttp.WSMsgType.BINARY:
                pass  # the app's screen
            assert reply.type is aiohttp.WSMsgType.TEXT, reply
            assert reply.json() == ["pong", "still here"]
            await session.close()
            await until(lambda: _no_app(marker, server.pid), what="the page's app to end")
            server.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(server.wait(), STOP_S) == 0
            assert server.stderr is not None
            said = (await server.stderr.read()).decode().splitlines()
        assert said == [
            f"asyncplay: warning: a page sent {len(MALFORMED) + 1} malformed messages; "
            "they were ignored"
        ]

    asyncio.run(scenario())
    assert marked(marker) == set()


def test_a_page_asking_for_a_huge_terminal_gets_the_default(marker: str) -> None:
    """A page whose first size is past 1000 cells a side (its app would draw a screen of
    a hundred million cells): its app starts at textual-serve's default, 80×24."""

    async def scenario() -> None:
        async with web_server(mark=marker) as (url, server), aiohttp.ClientSession() as http:
            session = await http.ws_connect(f"{url}/ws?width=100000000&height=30")
            await until(lambda: _marked_at_least(marker, 2), what="the app to start")
            app = (marked(marker) & children(of=server.pid)).pop()
            environment = Path(f"/proc/{app}/environ").read_bytes().split(b"\0")
            assert {b"COLUMNS=80", b"ROWS=24"} <= set(environment)
            await session.close()

    asyncio.run(scenario())
    assert marked(marker) == set()


# An app as the server starts one, busy with a big first frame when its page is gone: it
# says it is a Textual app, waits for the server's first word (the quit that follows a
# closed page), then writes screen packets and never reads again, as a Textual app blocked
# on its output does.
APP_DRAWING_AFTER_ITS_PAGE = """
import os, sys
sys.stdout.buffer.write(b"__GANGLION__\\n")
sys.stdout.buffer.flush()
os.read(0, 1)
packet = b"D" + (4096).to_bytes(4, "big") + b"x" * 4096
while True:
    os.write(1, packet)
"""
SERVER_OF_THAT_APP = f"""
import sys
from asyncplay.tui import web
web.app_command = lambda scenario_args: [sys.executable, "-c", {APP_DRAWING_AFTER_ITS_PAGE!r}]
print("asyncplay:", end=" ", flush=True)
sys.exit(web.serve("127.0.0.1", 0, []))
"""


def test_sigterm_after_a_page_closed_before_its_first_frame_stops_the_server(
    marker: str,
) -> None:
    """A page closed before its app's first frame: the app's output, drawn for a page that
    is gone, is still read to its end, so the app, killed once it did not quit, is
    collected and its session ends; SIGTERM then stops the server (143), with nothing
    left. (The reader used to stop at the first write to the closed page; the app's pipe
    filled, and asyncio, which collects a child only once its pipes are read to the end,
    waited for it forever, and the server with it.)"""

    async def scenario() -> None:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER_OF_THAT_APP, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, MARK: marker},
        )  # fmt: skip
        try:
            assert server.stdout is not None and server.stderr is not None
            line = (await asyncio.wait_for(server.stdout.readline(), STOP_S)).decode()
            url = re.search(r"http://\S+", line)
            assert url is not None, line + (await server.stderr.read()).decode()
            async with aiohttp.ClientSession() as http:
                session = await http.ws_connect(f"{url.group(0)}/ws?width=300&height=60")
                await until(lambda: _marked_at_least(marker, 2), what="the app to start")
                await session.close()
            server.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(server.wait(), STOP_S) == 143
            said = (await server.stderr.read()).decode()
            assert "Traceback" not in said, said
        finally:
            if server.returncode is None:
                server.kill()
                await server.wait()

    asyncio.run(scenario())
    assert marked(marker) == set()
