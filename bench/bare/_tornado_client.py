"""Tornado's client configured as the callbacks lesson's is (engine/worker/clients.py,
`WorkerJob.tornado_client`), less the reporting: at most `limit` requests at once, a
minute to connect, and no clock on the whole request (Tornado would start it when a
request is queued) but a read timeout restarted by every part of the answer, as httpx's.
"""

import functools
from typing import Any

from _measure import CONNECT_TIMEOUT_S, Job
from tornado.httpclient import AsyncHTTPClient
from tornado.simple_httpclient import SimpleAsyncHTTPClient, _HTTPConnection


def client(job: Job) -> AsyncHTTPClient:
    defaults = {"connect_timeout": CONNECT_TIMEOUT_S, "request_timeout": 0}
    AsyncHTTPClient.configure(
        _read_timing_client(job.timeout_s), max_clients=job.limit, defaults=defaults
    )
    return AsyncHTTPClient()


@functools.cache
def _read_timing_client(timeout_s: float) -> type:
    class ReadTimingConnection(_HTTPConnection):
        """Armed once the request is written, rearmed by the headers and every chunk."""

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

    class ReadTimingClient(SimpleAsyncHTTPClient):
        def _connection_class(self) -> type:
            return ReadTimingConnection

    return ReadTimingClient
