"""aiohttp, as the worker hands it to a lesson: a ClientSession whose client middleware
reports each request to the probe, as httpx's transport does.

The middleware sees a request start, fail before its body, and end with a status; a body that
breaks off (a reset) fails later, in `read()`, which a response class of the session's
reports.

Fairness, as for httpx (clients.py): the connector opens at most `limit` connections
(aiohttp's default of 100 would queue a larger job behind it); the timeout is the scenario's
for each read (`sock_read`, httpx's read timeout) with no clock on the whole request
(aiohttp's default gives a request five minutes in all) and none on waiting for a connection
of the pool; and no timeout is rounded up to a whole second (aiohttp does so from 5 s on, to
batch its timers).
"""

from __future__ import annotations

import asyncio

import aiohttp

from ..targets import task_of_url
from . import probe
from .clients import CONNECT_TIMEOUT_S


class ReportingResponse(aiohttp.ClientResponse):
    """A response that reports a failure while its body is read (a reset comes mid-body)."""

    async def read(self) -> bytes:
        try:
            return await super().read()
        except Exception as error:
            session = getattr(self, "_session", None)
            closed = session is not None and session.closed
            probe.task_failed(task_of_url(str(self.url)), error, cut_off=closed)
            raise


# What aiohttp retries once, on a new connection, when an idempotent request (a GET) fails
# on its first try: a connection that broke, not one that could not be made (aiohttp's
# `ClientSession._request`, after RFC 9112's "retrying requests"). Such a failure is not the
# request's: the retry is.
RETRIED = (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)
NOT_RETRIED = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


class Reporting:
    """A client middleware that reports each request's start, its failure before its body,
    and an error status. aiohttp calls it for every try of a request, so a failure that
    aiohttp retries is not reported: the next try's outcome is the request's.

    Cheaper than trace hooks, which the worker used before: a session with a `TraceConfig`
    awaits a dozen signals a request, and made 43 more Python calls a request than a bare
    one (+6 %), where this middleware makes 16 (bench/aiohttp_instrumentation.py)."""

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None
        self.retrying: set[int | None] = set()  # tasks whose first try broke

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        task = task_of_url(str(request.url))
        retry = task in self.retrying
        if retry:
            self.retrying.discard(task)
        else:
            probe.task_started(task)
        try:
            response = await handler(request)
        except asyncio.CancelledError:
            raise  # stopped, not failed: httpx's transport reports no more either
        except Exception as error:
            if not retry and isinstance(error, RETRIED) and not isinstance(error, NOT_RETRIED):
                self.retrying.add(task)
            else:
                # A request the session was closed under was cut off; its own fault never came.
                closed = self.session is not None and self.session.closed
                probe.task_failed(task, error, cut_off=closed)
            raise
        if response.status >= 400:
            probe.task_got_status(task, response.status, response.reason or "")
        return response


def reporting_session(limit: int, timeout_s: float) -> aiohttp.ClientSession:
    timeout = aiohttp.ClientTimeout(
        sock_connect=CONNECT_TIMEOUT_S, sock_read=timeout_s, ceil_threshold=float("inf")
    )
    reporting = Reporting()
    reporting.session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        timeout=timeout,
        middlewares=(reporting,),
        response_class=ReportingResponse,
    )
    return reporting.session
