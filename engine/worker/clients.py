"""The job a lesson is handed, and the instrumented HTTP clients behind it.

A lesson asks `job.client()`, `job.async_client()` or `job.tornado_client()` for its client
(or `job.requests_session()`, `job.aiohttp_session()`: requests_session.py, aiohttp_session.py).
Each reports a task's start and any failure to the probe from inside its transport, so the
lessons carry no instrumentation.

Fairness: every client is configured from the scenario alone — the same timeout with the same
meaning, no pool timeout (a queued request waits, it does not fail), no connection cap below
the scenario's concurrency, and one SSL context shared by all. The timeout is httpx's: how long
a request may wait on one step (connecting, or the next bytes of its response), not how long
the whole request may take. Tornado counts its `request_timeout` from the moment a request is
queued, so at thousands of tasks a busy loop failed requests the server had long answered; its
connections here time each read like httpx does. httpx's pool scans every connection on every
request, which grows quadratic in the number of open connections, so a client spreads its
connections over several pools of at most POOL_SIZE.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import httpx

from ..targets import task_of_url
from . import probe

if TYPE_CHECKING:
    import aiohttp
    import requests
    from tornado.httpclient import AsyncHTTPClient

POOL_SIZE = 10
# How long a connection may take to be made. Not the scenario's timeout: on loopback a
# connection is accepted or refused at once, so a connect that waits is waiting for its own
# client's CPU (ten thousand tasks started at once on one event loop), not for the server.
# A minute still ends a connect to a target that drops packets.
CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class WorkerJob:
    """The `asyncplay.strategies.job.Job` a worker hands its lesson."""

    urls: Sequence[str]
    limit: int  # how many tasks may be in flight at once
    timeout_s: float

    def watch_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Time the event loop a client is made on (the running one, by default), so that
        a failure on it says how late the loop was running (see loop_lag.py)."""
        if probe.LOOP_LAG is None:
            return
        with contextlib.suppress(RuntimeError):  # made outside a loop: nothing to time
            probe.LOOP_LAG.watch(loop or asyncio.get_running_loop())

    def client(self) -> httpx.Client:
        pools = [httpx.HTTPTransport(**self._pool_options()) for _ in range(self._pools())]
        return httpx.Client(transport=ReportingTransport(pools), **self._client_options())

    def async_client(self) -> httpx.AsyncClient:
        pools = [httpx.AsyncHTTPTransport(**self._pool_options()) for _ in range(self._pools())]
        self.watch_loop()
        return httpx.AsyncClient(transport=AsyncReportingTransport(pools), **self._client_options())

    def tornado_client(self) -> AsyncHTTPClient:
        from tornado.httpclient import AsyncHTTPClient
        from tornado.ioloop import IOLoop

        self.watch_loop(IOLoop.current().asyncio_loop)  # type: ignore[attr-defined]
        # request_timeout 0: no clock on the whole request; the connections time each read.
        defaults = {"connect_timeout": CONNECT_TIMEOUT_S, "request_timeout": 0}
        AsyncHTTPClient.configure(
            _tornado_client_class(self.timeout_s), max_clients=self.limit, defaults=defaults
        )
        return AsyncHTTPClient()

    def requests_session(self) -> requests.Session:
        from .requests_session import reporting_session  # imports requests: only if asked

        return reporting_session(self.limit, self.timeout_s)

    def aiohttp_session(self) -> aiohttp.ClientSession:
        from .aiohttp_session import reporting_session  # imports aiohttp: only if asked

        self.watch_loop()
        return reporting_session(self.limit, self.timeout_s)

    def warm_up(self) -> None:
        """Pay the one-off costs before the clock starts: they are not the concurrency model's.

        The CA bundle is loaded once for every pool; httpx imports httpcore when it makes its
        first transport, and its asyncio stack imports a backend on the first request; the
        Tornado client class is made once; the modules that instrument requests and aiohttp
        are imported, when the lesson uses them.
        """
        httpx.HTTPTransport(verify=shared_ssl_context()).close()
        "127.0.0.1".encode("idna")
        if "asyncio" in sys.modules:
            import anyio._backends._asyncio  # noqa: F401
            import httpcore._backends.anyio  # noqa: F401
        if "tornado" in sys.modules:
            _tornado_client_class(self.timeout_s)
        if "requests" in sys.modules:
            from . import requests_session  # noqa: F401
        if "aiohttp" in sys.modules:
            from . import aiohttp_session  # noqa: F401

    def _pools(self) -> int:
        return -(-self.limit // POOL_SIZE)

    def _pool_options(self) -> dict[str, Any]:
        size = min(self.limit, POOL_SIZE)
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=size)
        return {"limits": limits, "verify": shared_ssl_context(), "retries": 0}

    def _client_options(self) -> dict[str, Any]:
        timeout = httpx.Timeout(self.timeout_s, connect=CONNECT_TIMEOUT_S, pool=None)
        return {"timeout": timeout, "follow_redirects": False}


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs milliseconds; pay it once, not once per pool."""
    return httpx.create_ssl_context()


class ReportingTransport(httpx.BaseTransport):
    """Reports each request's start and failure, and spreads requests over several pools."""

    def __init__(self, pools: list[httpx.HTTPTransport]) -> None:
        self.pools = pools
        self.closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        task = task_of_url(str(request.url))
        probe.task_started(task)
        pool = self.pools[(task or 0) % len(self.pools)]
        try:
            response = pool.handle_request(request)
        except Exception as error:
            self.failed(task, error)
            raise
        _report_status(task, response)
        response.stream = ReportingStream(response.stream, lambda error: self.failed(task, error))
        return response

    def failed(self, task: int | None, error: Exception) -> None:
        # A request the client was closed under was cut off; its own fault never came.
        probe.task_failed(task, error, cut_off=self.closed)

    def close(self) -> None:
        self.closed = True
        for pool in self.pools:
            pool.close()


class AsyncReportingTransport(httpx.AsyncBaseTransport):
    """The asynchronous twin of ReportingTransport."""

    def __init__(self, pools: list[httpx.AsyncHTTPTransport]) -> None:
        self.pools = pools
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        task = task_of_url(str(request.url))
        probe.task_started(task)
        pool = self.pools[(task or 0) % len(self.pools)]
        try:
            response = await pool.handle_async_request(request)
        except Exception as error:
            self.failed(task, error)
            raise
        _report_status(task, response)
        response.stream = AsyncReportingStream(
            response.stream, lambda error: self.failed(task, error)
        )
        return response

    def failed(self, task: int | None, error: Exception) -> None:
        probe.task_failed(task, error, cut_off=self.closed)

    async def aclose(self) -> None:
        self.closed = True
        for pool in self.pools:
            await pool.aclose()


def _report_status(task: int | None, response: httpx.Response) -> None:
    if response.status_code >= 400:
        probe.task_got_status(task, response.status_code, response.reason_phrase)


class ReportingStream(httpx.SyncByteStream):
    """A response body that reports a failure while it is read (a reset comes mid-body)."""

    def __init__(self, inner: Any, on_error: Callable[[Exception], None]) -> None:
        self.inner, self.on_error = inner, on_error

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.inner
        except Exception as error:
            self.on_error(error)
            raise

    def close(self) -> None:
        self.inner.close()


class AsyncReportingStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, on_error: Callable[[Exception], None]) -> None:
        self.inner, self.on_error = inner, on_error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.inner:
                yield chunk
        except Exception as error:
            self.on_error(error)
            raise

    async def aclose(self) -> None:
        await self.inner.aclose()


@cache
def _tornado_client_class(timeout_s: float) -> type:
    """Tornado's simple client, reporting like the httpx clients, timing reads like them."""
    from tornado.httpclient import HTTPRequest, HTTPResponse
    from tornado.simple_httpclient import SimpleAsyncHTTPClient, _HTTPConnection

    class ReadTimingConnection(_HTTPConnection):
        """A connection whose timeout restarts whenever the response makes progress.

        Armed once the request is written, rearmed by the headers and by every chunk of
        the body: the same clock as httpx's read timeout. (`_HTTPConnection` is Tornado's
        own, replaced through the documented-for-subclasses `_connection_class`.)
        """

        async def _write_body(self, start_read: bool) -> None:
            if start_read:
                self._rearm()
            await super()._write_body(start_read)

        async def headers_received(self, first_line: Any, headers: Any) -> None:
            self._rearm()
            await super().headers_received(first_line, headers)

        def data_received(self, chunk: bytes) -> Any:
            self._rearm()
            return super().data_received(chunk)

        def _rearm(self) -> None:
            self._remove_timeout()
            if self.final_callback is not None:
                self._timeout = self.io_loop.add_timeout(
                    self.io_loop.time() + timeout_s,
                    functools.partial(self._on_timeout, "while reading"),
                )

    class ReportingHTTPClient(SimpleAsyncHTTPClient):
        def _connection_class(self) -> type:
            return ReadTimingConnection

        def fetch_impl(
            self, request: HTTPRequest, callback: Callable[[HTTPResponse], None]
        ) -> None:
            task = task_of_url(request.url)
            probe.task_started(task)

            def report(response: HTTPResponse) -> None:
                if response.error is not None:
                    probe.task_failed(task, response.error)
                callback(response)

            super().fetch_impl(request, report)

    return ReportingHTTPClient
