"""httpx clients configured as the lessons' are (engine/worker/clients.py, `WorkerJob`),
less the reporting: the same timeouts, no pool timeout, no retries, and connections spread
over pools of at most POOL_SIZE (one big httpx pool grows quadratic in its connections:
bench/pool_sharding.py). The engine deals requests to pools by task id; here they are dealt
in turn, which for URLs fetched in order is the same spread.

The one-off costs the worker pays before its clock starts (`WorkerJob.warm_up`) are paid
here on import: the CA bundle, loaded once for every pool; httpcore, which httpx imports when
it makes its first transport; and the async backend httpx would import on its first request
(import asyncio or trio before this).
"""

import importlib
import itertools
import sys
from typing import Any

import httpx
from _measure import CONNECT_TIMEOUT_S, Job

POOL_SIZE = 10
SSL_CONTEXT = httpx.create_ssl_context()
httpx.HTTPTransport(verify=SSL_CONTEXT).close()
for _loop in ("asyncio", "trio"):
    if _loop in sys.modules:
        importlib.import_module(f"anyio._backends._{_loop}")
        importlib.import_module("httpcore._backends.anyio")


def client(job: Job) -> httpx.Client:
    return httpx.Client(transport=ShardedTransport(job.limit), **_client_options(job))


def async_client(job: Job) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AsyncShardedTransport(job.limit), **_client_options(job))


def _client_options(job: Job) -> dict[str, Any]:
    timeout = httpx.Timeout(job.timeout_s, connect=CONNECT_TIMEOUT_S, pool=None)
    return {"timeout": timeout, "follow_redirects": False}


def _pool_options(limit: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=min(limit, POOL_SIZE))
    return {"limits": limits, "verify": SSL_CONTEXT, "retries": 0}


def _pool_count(limit: int) -> int:
    return -(-limit // POOL_SIZE)


class ShardedTransport(httpx.BaseTransport):
    def __init__(self, limit: int) -> None:
        count = _pool_count(limit)
        self.pools = [httpx.HTTPTransport(**_pool_options(limit)) for _ in range(count)]
        self.turn = itertools.count()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.pools[next(self.turn) % len(self.pools)].handle_request(request)

    def close(self) -> None:
        for pool in self.pools:
            pool.close()


class AsyncShardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, limit: int) -> None:
        count = _pool_count(limit)
        self.pools = [httpx.AsyncHTTPTransport(**_pool_options(limit)) for _ in range(count)]
        self.turn = itertools.count()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pools[next(self.turn) % len(self.pools)].handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()
