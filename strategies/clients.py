"""The job a strategy is handed, and the instrumented HTTP clients behind it.

A strategy asks `job.client()` or `job.async_client()` for an httpx client; Tornado's
`AsyncHTTPClient()` is configured by the worker. Each reports a task's start and any failure
to the probe from inside its transport, so the lessons carry no instrumentation.

Fairness: every client is configured from the scenario alone — the same timeout, no pool
timeout (a queued request waits, it does not fail), no connection cap below the scenario's
concurrency, and one SSL context shared by all. httpx's pool scans every connection on every
request, which grows quadratic in the number of open connections, so a client spreads its
connections over several pools of at most POOL_SIZE.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from . import probe
from .targets import task_of_url

POOL_SIZE = 10


@dataclass(frozen=True)
class Job:
    """What a strategy runs: the URLs to fetch, how many at once, and how to make clients."""

    urls: list[str]
    limit: int  # how many tasks may be in flight at once
    timeout_s: float

    def client(self) -> httpx.Client:
        """An httpx.Client for the whole job, safe to share across threads and greenlets."""
        pools = [httpx.HTTPTransport(**self._pool_options()) for _ in range(self._pools())]
        return httpx.Client(transport=ReportingTransport(pools), **self._client_options())

    def async_client(self) -> httpx.AsyncClient:
        """An httpx.AsyncClient for the whole job, shared by its coroutines."""
        pools = [httpx.AsyncHTTPTransport(**self._pool_options()) for _ in range(self._pools())]
        return httpx.AsyncClient(transport=AsyncReportingTransport(pools), **self._client_options())

    def _pools(self) -> int:
        return -(-self.limit // POOL_SIZE)

    def _pool_options(self) -> dict[str, Any]:
        size = min(self.limit, POOL_SIZE)
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=size)
        return {"limits": limits, "verify": shared_ssl_context(), "retries": 0}

    def _client_options(self) -> dict[str, Any]:
        return {"timeout": httpx.Timeout(self.timeout_s, pool=None), "follow_redirects": False}


def warm_up() -> None:
    """Pay the one-off costs before the clock starts: they are not the concurrency model's.

    The CA bundle is loaded once for every pool; httpx imports httpcore when it makes its
    first transport, and its asyncio stack imports a backend on the first request.
    """
    httpx.HTTPTransport(verify=shared_ssl_context()).close()
    "127.0.0.1".encode("idna")
    if "asyncio" in sys.modules:
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._backends.anyio  # noqa: F401


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


def configure_tornado(job: Job) -> None:
    """Make `AsyncHTTPClient()` report like the httpx clients, with the scenario's limits.

    Tornado queues requests beyond `max_clients` (10 by default) and counts the wait against
    the request's timeout; with `max_clients` at the scenario's limit nothing ever queues.
    """
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
    from tornado.simple_httpclient import SimpleAsyncHTTPClient

    class ReportingHTTPClient(SimpleAsyncHTTPClient):
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

    defaults = {"connect_timeout": job.timeout_s, "request_timeout": job.timeout_s}
    AsyncHTTPClient.configure(ReportingHTTPClient, max_clients=job.limit, defaults=defaults)
