"""aiohttp, as the worker hands it to a lesson: a ClientSession whose trace hooks report
each request to the probe, as httpx's transport does.

aiohttp's trace hooks see a request start, fail before its body, and end with a status; a
body that breaks off (a reset) fails later, in `read()`, which a response class of the
session's reports.

Fairness, as for httpx (clients.py): the connector opens at most `limit` connections
(aiohttp's default of 100 would queue a larger job behind it); the timeout is the scenario's
for each read (`sock_read`, httpx's read timeout) with no clock on the whole request
(aiohttp's default gives a request five minutes in all) and none on waiting for a connection
of the pool; and no timeout is rounded up to a whole second (aiohttp does so from 5 s on, to
batch its timers).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

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


async def _started(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestStartParams,
) -> None:
    probe.task_started(task_of_url(str(params.url)))


async def _failed(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestExceptionParams,
) -> None:
    # A cancelled request did not fail: it was stopped, and httpx's transport reports no
    # more. A request the session was closed under was cut off; its own fault never came.
    error = params.exception
    if isinstance(error, asyncio.CancelledError):
        return
    probe.task_failed(task_of_url(str(params.url)), error, cut_off=session.closed)


async def _ended(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestEndParams
) -> None:
    response = params.response
    if response.status >= 400:
        probe.task_got_status(task_of_url(str(params.url)), response.status, response.reason or "")


def _trace() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_started)
    trace.on_request_exception.append(_failed)
    trace.on_request_end.append(_ended)
    return trace


def reporting_session(limit: int, timeout_s: float) -> aiohttp.ClientSession:
    timeout = aiohttp.ClientTimeout(
        sock_connect=CONNECT_TIMEOUT_S, sock_read=timeout_s, ceil_threshold=float("inf")
    )
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        timeout=timeout,
        trace_configs=[_trace()],
        response_class=ReportingResponse,
    )
