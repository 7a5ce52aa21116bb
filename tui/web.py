"""`asyncplay web`: the playground in a browser, served by textual-serve.

Each page that connects gets an app process of its own: the same `asyncplay` app, started
with the scenario flags `web` was given, drawing into the page's xterm.js over a websocket.
Closing the page quits its app; stopping the server (ctrl+c, SIGTERM, a closed terminal)
quits every app. A quitting app stops its workers and its fault server as it always does;
one that does not quit in time is killed.

textual-serve is pinned exactly: this module overrides three of its methods (the page, the
websocket, how the app process starts) to give the server the apps' lifetimes, and reads the
page's messages itself (textual-serve's reader raises on the first malformed one).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import os
import shlex
import signal
import sys
from asyncio.subprocess import PIPE, Process
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMessage, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from ..engine.errors import UsageError
from ..engine.processes import end_process
from .usage import EXIT_HUNG_UP, EXIT_OK, EXIT_TERMINATED

# An app told to quit stops its runs and its fault server first: seconds, not ten.
QUIT_GRACE_S = 10.0
# What the server's own end says to each open page.
SERVER_STOPPED = b"the asyncplay server stopped"
# The terminal a page may ask for, a side at most: a 4K screen at a small font is 640 columns.
MAX_SIDE = 1000
DEFAULT_SIZE = (80, 24)  # textual-serve's, for a page that names none or one past MAX_SIDE
EXIT_STATUS = {signal.SIGINT: EXIT_OK, signal.SIGTERM: EXIT_TERMINATED, signal.SIGHUP: EXIT_HUNG_UP}


def app_command(scenario_args: list[str]) -> list[str]:
    """The command each page's app runs: `asyncplay` itself, with this interpreter."""
    return [sys.executable, "-m", "asyncplay.tui.cli", *scenario_args]


def serve(host: str, port: int, scenario_args: list[str]) -> int:
    """Serve the playground on host:port (0: a free port) until SIGINT, SIGTERM or SIGHUP;
    a host or port that cannot be had is bad input."""
    return asyncio.run(_serve(host, port, app_command(scenario_args)))


async def _serve(host: str, port: int, command: list[str]) -> int:
    loop = asyncio.get_running_loop()
    stopped: asyncio.Future[int] = loop.create_future()
    for number, status in EXIT_STATUS.items():  # before the URL is out: a stop may follow it
        loop.add_signal_handler(number, _settle, stopped, status)
    server = WebServer(command, host)
    runner = web.AppRunner(await server.make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            # asyncio rewords the bind error; its errno still names the cause (a DNS
            # failure's negative one does not: its own strerror does).
            errno = error.errno or 0
            reason = os.strerror(errno) if errno > 0 else error.strerror or str(error)
            raise UsageError(f"cannot listen on {_address(host, port)}: {reason}") from None
        port = runner.addresses[0][1]  # the one the system picked, for port 0
        if not is_loopback(host):
            print(f"asyncplay: warning: listening on {host}: whoever can reach it can start "
                  "processes on this machine", file=sys.stderr)  # fmt: skip
        print(f"asyncplay: the playground is at http://{_address(host, port)} "
              "(ctrl+c stops it)", flush=True)  # fmt: skip
        return await stopped
    finally:
        await runner.cleanup()  # its on_shutdown ends every page's app first


def _settle(future: asyncio.Future[int], status: int) -> None:
    if not future.done():
        future.set_result(status)


def is_loopback(host: str) -> bool:
    """Only this machine can reach the address (`localhost`, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class WebServer(Server):
    """textual-serve's server, owning an app process per page."""

    def __init__(self, command: list[str], host: str) -> None:
        super().__init__(shlex.join(command), host=host, title="asyncplay")
        self.argv = command
        self.loopback = is_loopback(host)
        self.sessions: dict[asyncio.Task[None], web.WebSocketResponse] = {}

    async def make_app(self) -> web.Application:
        return await self._make_app()

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: the command prints its one line (textual-serve prints a logo)."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every page's websocket, then wait for each app to end (its session bounds
        that wait): nothing this server started outlives it."""
        sessions = dict(self.sessions)
        closing = (ws.close(code=WSCloseCode.GOING_AWAY, message=SERVER_STOPPED)
                   for ws in sessions.values())  # fmt: skip
        await asyncio.gather(*closing, return_exceptions=True)
        await asyncio.gather(*sessions, return_exceptions=True)

    def check_caller(self, request: web.Request) -> None:
        """Refuse what a browser sends on another site's behalf. Any page may open a
        websocket to this port, and a DNS name rebound to 127.0.0.1 may load this page:
        either could type into the app. A browser names the page it comes from (Origin)
        and the address it asked for (Host); on loopback, the Host must be loopback too."""
        if self.loopback and not is_loopback(request.url.host or ""):
            raise web.HTTPForbidden(text=f"asyncplay answers on loopback, not {request.host}")
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text=f"a page of {origin} may not open asyncplay")

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page, pointed at this server as the browser reached it (with --host, a
        browser elsewhere knows this machine by a name the server cannot guess)."""
        self.check_caller(request)
        router, host = request.app.router, request.host
        static = f"{request.scheme}://{host}{router['static'].url_for(filename='/')}"
        websocket = "wss" if request.scheme == "https" else "ws"
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket}://{host}{router['websocket'].url_for()}",
            "config": {"static": {"url": static.rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A page connected: its app runs as long as the websocket is open."""
        self.check_caller(request)
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        width, height = DEFAULT_SIZE
        size = (to_int(request.query.get("width", ""), width),
                to_int(request.query.get("height", ""), height))  # fmt: skip
        if not _fits(*size):
            size = DEFAULT_SIZE
        session = asyncio.ensure_future(self._session(websocket, size))
        self.sessions[session] = websocket
        session.add_done_callback(lambda done: self.sessions.pop(done))
        # Shielded: a handler cancelled by the stopping server does not cut the app's end
        # short (on_shutdown waits for the session itself).
        await asyncio.shield(session)
        return websocket

    async def _session(self, websocket: web.WebSocketResponse, size: tuple[int, int]) -> None:
        app = AppProcess(
            self.argv, write_bytes=_while_open(websocket, websocket.send_bytes),
            write_str=_while_open(websocket, websocket.send_str), close=websocket.close,
            download_manager=self.download_manager,
        )  # fmt: skip
        refused = 0
        try:
            await app.start(*size)
            refused = await _relay(websocket, app)
        finally:
            await app.end()
            with contextlib.suppress(Exception):
                await websocket.close()
            if refused:
                print(f"asyncplay: warning: a page sent {refused:,} malformed "
                      f"message{'' if refused == 1 else 's'}; they were ignored",
                      file=sys.stderr)  # fmt: skip


async def _relay(websocket: web.WebSocketResponse, app: AppProcess) -> int:
    """What the page sends, to its app, until the page closes; returns how many messages
    were not what textual-serve's page sends. Those are refused quietly: the page is
    untrusted input, and one bad message must not end its session with a traceback."""
    refused = 0
    async for message in websocket:
        if message.type is WSMsgType.ERROR:  # the connection failed: no message
            continue
        match _envelope(message):
            case ["stdin", str(typed)] if (keys := _utf8(typed)) is not None:
                await app.send_bytes(keys)
            case ["resize", {"width": int(width), "height": int(height)}] if _fits(width, height):
                await app.set_terminal_size(width, height)
            case ["ping", str(token)]:
                with contextlib.suppress(ConnectionError):
                    await websocket.send_json(["pong", token])
            case ["blur"]:
                await app.blur()
            case ["focus"]:
                await app.focus()
            case _:
                refused += 1
    return refused


def _envelope(message: WSMessage) -> Any:
    """A text message's JSON, or None: JSON nested too deep for the parser, or holding a
    number of more digits than Python converts, is no envelope either."""
    if message.type is not WSMsgType.TEXT:
        return None
    try:
        return json.loads(message.data)
    except (ValueError, RecursionError):
        return None


def _utf8(text: str) -> bytes | None:
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate: JSON can carry one, no keyboard types it
        return None


def _fits(width: int, height: int) -> bool:
    """A terminal size a page may ask for (a bool is an int to Python, not to a page)."""
    return all(type(side) is int and 1 <= side <= MAX_SIDE for side in (width, height))


T = TypeVar("T")


def _while_open(
    websocket: web.WebSocketResponse, send: Callable[[T], Awaitable[None]]
) -> Callable[[T], Awaitable[None]]:
    """`send` to the page while it is open; after, nothing. The app's output goes on being
    read to its end when the page is gone: a reader that stopped at the first write to a
    closed page would leave the app blocked on a full pipe, and asyncio collects a child
    only once its pipes are read to the end (the server waited for it forever)."""

    async def to_page(data: T) -> None:
        if not websocket.closed:
            with contextlib.suppress(ConnectionError):
                await send(data)

    return to_page


class AppProcess(AppService):
    """textual-serve's app service, with the app started without a shell, in a process
    group of its own (a ctrl+c in the server's terminal reaches the server alone, which
    ends the apps in order), and an end that cannot hang."""

    def __init__(self, argv: list[str], **options: Any) -> None:
        super().__init__(shlex.join(argv), **options)
        self.argv = argv

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=PIPE, stdout=PIPE, stderr=PIPE, process_group=0,
            env=self._build_environment(width=width, height=height),
        )  # fmt: skip
        self._stdin = process.stdin
        return process

    async def end(self) -> None:
        """Tell the app to quit (it stops its runs and its server first); kill its group if it
        is still there after QUIT_GRACE_S. Its output is read to the end meanwhile and after
        (see `_while_open`): the reader is never cancelled, and ends when the app does."""
        process, reading = self._process, self._task
        if process is None or reading is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIT_GRACE_S
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(reading), QUIT_GRACE_S)
        await end_process(process, grace_s=deadline - loop.time())
        await reading
