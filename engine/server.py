"""The fault server: a small HTTP/1.1 server on 127.0.0.1 that misbehaves on request.

Everything it does comes from the URL, so it keeps no state:

    /task/17?delay_ms=200                 a page after 200 ms
    /task/17?delay_ms=200&status=500      a 500 after 200 ms
    /task/17?delay_ms=200&drop=1          half the body, then a TCP reset
    /task/17?delay_ms=200&page=utf8       a page with non-ASCII words (trips the handler's bug)
    /delay/0.2, /status/500               the two httpbin routes `--target` relies on

It is an asyncio protocol with one timer per request, not a task per request, so thousands of
held requests cost it little; no hold lasts longer than MAX_HOLD_S.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import socket
import struct
import sys
from urllib.parse import parse_qs, urlsplit

from .workload import MAX_HOLD_S

WORDS = (
    b"the event loop runs one callback at a time and every await is a place where it may "
    b"switch to another task while this one waits for the network to answer"
)
NON_ASCII = "naïve café façade".encode()
REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}


def page(task: str, utf8: bool) -> bytes:
    """The body for a task: a few dozen words, with non-ASCII ones when asked."""
    body = b"page " + task.encode() + b" " + WORDS
    return body + b" " + NON_ASCII if utf8 else body


class PageProtocol(asyncio.Protocol):
    """One connection: read a request, answer it after its delay, then read the next."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.timer is None:
            self.next_request()

    def next_request(self) -> None:
        head, sep, rest = self.buffer.partition(b"\r\n\r\n")
        if not sep or self.transport is None:
            return
        self.buffer = rest
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        try:
            _method, target, _version = request_line.split(" ")
        except ValueError:
            self.respond(400, b"bad request line", close=True)
            return
        close = any(line.lower().replace(" ", "") == "connection:close" for line in header_lines)
        delay, status, body, drop = route(target)
        loop = asyncio.get_running_loop()
        self.timer = loop.call_later(delay, self.answer, status, body, drop, close)

    def answer(self, status: int, body: bytes, drop: bool, close: bool) -> None:
        self.timer = None
        if self.transport is None:
            return  # the client gave up (a timeout) and hung up
        if drop:
            self.reset_midway(status, body)
            return
        self.respond(status, body, close)
        if not close:
            self.next_request()

    def respond(self, status: int, body: bytes, close: bool) -> None:
        assert self.transport is not None
        self.transport.write(head(status, len(body), close) + body)
        if close:
            self.transport.close()

    def reset_midway(self, status: int, body: bytes) -> None:
        """Send the headers and half the body, then abort with an RST (SO_LINGER 0)."""
        assert self.transport is not None
        self.transport.write(head(status, len(body), False) + body[: len(body) // 2])
        sock = self.transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


def head(status: int, length: int, close: bool) -> bytes:
    reason = REASONS.get(status, "Unknown")
    connection = "close" if close else "keep-alive"
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {length}\r\nConnection: {connection}\r\n\r\n"
    ).encode()


def route(target: str) -> tuple[float, int, bytes, bool]:
    """(delay, status, body, drop) for a request target; unknown paths get a 404."""
    parts = urlsplit(target)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    path = parts.path
    try:
        if path.startswith("/task/"):
            delay = float(query.get("delay_ms", 0)) / 1000
            status = int(query.get("status", 200))
            body = page(path.removeprefix("/task/"), query.get("page") == "utf8")
            return min(delay, MAX_HOLD_S), status, body, query.get("drop") == "1"
        if path.startswith("/delay/"):
            delay = min(float(path.removeprefix("/delay/")), 10.0)
            return delay, 200, page(query.get("task", "?"), False), False
        if path.startswith("/status/"):
            return 0.0, int(path.removeprefix("/status/")), b"", False
    except ValueError:
        return 0.0, 400, b"malformed fault parameters", False
    return 0.0, 404, b"not found", False


def raise_file_limit() -> None:
    """Thousands of held connections need thousands of descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def start(port: int = 0, host: str = "127.0.0.1") -> asyncio.Server:
    """Listen on `host:port` (0: a free port); a deep backlog so bursts queue, not fail."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(PageProtocol, host, port, backlog=4096, reuse_address=True)


def url_of(server: asyncio.Server) -> str:
    host, port = server.sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


async def serve(port: int, until_stdin_closes: bool) -> None:
    """Serve until cancelled, or until the parent closes our stdin (it exited)."""
    raise_file_limit()
    server = await start(port)
    print(url_of(server), flush=True)
    async with server:
        if until_stdin_closes:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)
        else:
            await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the server's own process (the runner starts it with --until-stdin-closes)."""
    parser = argparse.ArgumentParser(prog="asyncplay-server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--until-stdin-closes", action="store_true")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.until_stdin_closes))


if __name__ == "__main__":
    main()
