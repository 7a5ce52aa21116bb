"""Why clients.POOL_SIZE exists: one big httpx pool costs CPU quadratic in its connections.

httpcore's connection pool, on every request it queues or releases, runs
`_assign_requests_to_connections`, which scans every connection in the pool. With N requests
in flight on one pool that is O(N) per event and O(N²) per run; spread over pools of
clients.POOL_SIZE (10), each scan sees at most 10 connections. (An earlier measurement at
N=2000: about 78 s of client CPU on one pool, 3.7 s on pools of ten.)

This runs the asyncio strategy's own `fetch` (gather, N in flight) through the engine's
AsyncReportingTransport (probe off), once over a single pool that may hold all N
connections and once over the engine's pools of POOL_SIZE, against the project's fault
server, and prints process CPU and wall time for each.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time

import httpx
from _server import fault_server, task_urls

from asyncplay.engine.worker import clients
from asyncplay.strategies import asyncio as asyncio_strategy

TIMEOUT_S = 30.0  # generous: one big pool is slow, and a timeout would cut the run short


def make_client(count: int, pool_size: int) -> httpx.AsyncClient:
    """The engine's async client for `count` tasks, with pools of `pool_size` connections."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=pool_size)
    options = {"limits": limits, "verify": clients.shared_ssl_context(), "retries": 0}
    pools = [httpx.AsyncHTTPTransport(**options) for _ in range(-(-count // pool_size))]
    return httpx.AsyncClient(
        transport=clients.AsyncReportingTransport(pools),
        timeout=httpx.Timeout(TIMEOUT_S, pool=None),
        follow_redirects=False,
    )


async def fetch_all(urls: list[str], pool_size: int) -> list[int]:
    """strategies/asyncio.py's fetch_all, with the pool size as a knob."""
    slots = asyncio.Semaphore(len(urls))
    async with make_client(len(urls), pool_size) as client:
        return await asyncio.gather(*(asyncio_strategy.fetch(client, slots, url) for url in urls))


def measure(urls: list[str], pool_size: int) -> tuple[float, float]:
    """(wall, process CPU) seconds of one run."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(fetch_all(urls, pool_size))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", "--count", type=int, action="append", help="tasks (repeatable; default 200, 1000)"
    )
    parser.add_argument("--latency", type=int, default=200, help="server ms per request (200)")
    args = parser.parse_args()
    counts = args.count or [200, 1000]
    if not all(1 <= count <= 2000 for count in counts):
        parser.error("--count must be 1..2000 (one pool of 2000 takes over a minute of CPU)")

    clients.WorkerJob([], 1, TIMEOUT_S).warm_up()
    print(f"asyncio gather, every task in flight, --latency {args.latency}; seconds")
    print(f"{'N':>5}  {'pools':<16} {'cpu':>7} {'wall':>7}")
    with fault_server() as server:
        base_url = server.url
        measure(task_urls(base_url, 20, 0), clients.POOL_SIZE)  # warm-up, not kept
        for count in counts:
            urls = task_urls(base_url, count, args.latency)
            for label, size in (
                ("1 pool of N", count),
                (f"pools of {clients.POOL_SIZE}", clients.POOL_SIZE),
            ):
                wall, cpu = measure(urls, size)
                print(f"{count:>5}  {label:<16} {cpu:>7.2f} {wall:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
