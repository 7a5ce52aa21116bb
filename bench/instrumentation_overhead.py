"""What asyncplay's instrumentation costs: the engine's clients and handler vs bare ones.

Every strategy fetches through `clients.WorkerJob`'s clients, whose transport reports each
request to the probe, and counts words with the shared `pages.handle`, which the worker wraps
to report how it went. If that instrumentation were expensive, `wall / ideal` and CPU time
would measure asyncplay, not the concurrency style. So, in one process, against the project's
own fault server, this fetches N URLs with:

  bare          an httpx client configured like the engine's (same sharding over pools of
                clients.POOL_SIZE connections, same limits and timeouts), no probe, and a
                bare word count as the handler;
  instrumented  `clients.WorkerJob(...).client()` / `.async_client()` and the reported
                `pages.handle`, with
                `probe.REPORTER` a started Reporter writing its JSON lines to os.devnull.

Both run with asyncio.gather (N in flight) and with a ThreadPoolExecutor of 50 threads over a
shared httpx.Client (the engine's sync client for a limit of 50). Repetitions are interleaved
(bare, instrumented, then instrumented, bare, ...) and each pair gives a ratio; the medians
are printed. CPU is the whole process's, so it includes the Reporter thread's JSON encoding
(the worker's own `cpu_s` leaves that thread out). A last section times `pages.handle`
alone against the bare word count, on ready-made responses.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
from _server import fault_server, task_urls

from asyncplay.engine.worker import clients, probe
from asyncplay.engine.worker.handler import report_around_handle
from asyncplay.strategies import pages

lesson_handle = pages.handle  # the lesson's handler, before the worker's report wraps it
report_around_handle()  # pages.handle: the handler as a lesson calls it in a worker

TIMEOUT_S = 5.0
THREADS = 50


# The bare clients: what clients.WorkerJob builds, minus the reporting.
def _pool_kwargs(limit: int) -> dict[str, Any]:
    size = min(limit, clients.POOL_SIZE)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=size)
    return {"limits": limits, "verify": clients.shared_ssl_context(), "retries": 0}


def _client_kwargs() -> dict[str, Any]:
    return {"timeout": httpx.Timeout(TIMEOUT_S, pool=None), "follow_redirects": False}


def _pool_count(limit: int) -> int:
    return -(-limit // clients.POOL_SIZE)


class ShardedTransport(httpx.BaseTransport):
    """Requests dealt round-robin over pools (the engine deals by task id: the same spread)."""

    def __init__(self, limit: int) -> None:
        self.pools = [httpx.HTTPTransport(**_pool_kwargs(limit)) for _ in range(_pool_count(limit))]
        self.turn = itertools.count()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.pools[next(self.turn) % len(self.pools)].handle_request(request)

    def close(self) -> None:
        for pool in self.pools:
            pool.close()


class AsyncShardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, limit: int) -> None:
        count = _pool_count(limit)
        self.pools = [httpx.AsyncHTTPTransport(**_pool_kwargs(limit)) for _ in range(count)]
        self.turn = itertools.count()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pools[next(self.turn) % len(self.pools)].handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


def bare_count(response: httpx.Response) -> int:
    return len(response.content.decode("ascii").split())


# The workloads: the asyncio and threadpool strategies' fetch, with either client.
def run_async(urls: list[str], instrumented: bool) -> None:
    handler: Callable[[httpx.Response], int] = pages.handle if instrumented else bare_count

    def make_client() -> httpx.AsyncClient:
        if instrumented:
            return clients.WorkerJob(urls, len(urls), TIMEOUT_S).async_client()
        return httpx.AsyncClient(transport=AsyncShardedTransport(len(urls)), **_client_kwargs())

    async def fetch(client: httpx.AsyncClient, slots: asyncio.Semaphore, url: str) -> int:
        async with slots:
            response = await client.get(url)
            response.raise_for_status()
            return handler(response)

    async def fetch_all() -> list[int]:
        slots = asyncio.Semaphore(len(urls))
        async with make_client() as client:
            return await asyncio.gather(*(fetch(client, slots, url) for url in urls))

    asyncio.run(fetch_all())


def run_threads(urls: list[str], instrumented: bool) -> None:
    handler: Callable[[httpx.Response], int] = pages.handle if instrumented else bare_count

    def fetch(client: httpx.Client, url: str) -> int:
        response = client.get(url)
        response.raise_for_status()
        return handler(response)

    if instrumented:
        client = clients.WorkerJob(urls, THREADS, TIMEOUT_S).client()
    else:
        client = httpx.Client(transport=ShardedTransport(THREADS), **_client_kwargs())
    with client, ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(fetch, client, url) for url in urls]
        for future in futures:
            future.result()


@contextmanager
def reporting(on: bool) -> Iterator[None]:
    """probe.REPORTER set to a running Reporter writing to /dev/null, for the block."""
    if not on:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    reporter = probe.REPORTER = probe.Reporter(devnull)
    reporter.start()
    try:
        yield
    finally:
        probe.REPORTER = None
        reporter.close()
        os.close(devnull)


def timed(work: Callable[[], None]) -> tuple[float, float]:
    """(wall, process CPU) seconds of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(label: str, run: Callable[[list[str], bool], None], urls: list[str], reps: int) -> None:
    """Interleaved repetitions of bare and instrumented; medians, and paired ratios."""
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for rep in range(-1, reps):  # rep -1 warms both up and is not kept
        order = (False, True) if rep % 2 == 0 else (True, False)
        for instrumented in order:
            # The Reporter's last flush (under 20 ms of events) falls outside the timing.
            with reporting(instrumented):
                measured = timed(lambda: run(urls, instrumented))  # noqa: B023
            if rep >= 0:
                times[instrumented].append(measured)
    bare, inst = times[False], times[True]
    wall_ratio = statistics.median(i[0] / b[0] for b, i in zip(bare, inst, strict=True))
    cpu_ratio = statistics.median(i[1] / b[1] for b, i in zip(bare, inst, strict=True))
    (bare_wall, bare_cpu), (inst_wall, inst_cpu) = (
        [statistics.median(column) for column in zip(*rows, strict=True)] for rows in (bare, inst)
    )
    print(
        f"{label:<26} {bare_wall:>7.3f} {inst_wall:>7.3f} {wall_ratio:>6.3f}   "
        f"{bare_cpu:>7.3f} {inst_cpu:>7.3f} {cpu_ratio:>6.3f}",
        flush=True,
    )


def handler_cost(base_url: str, count: int, loops: int) -> None:
    """pages.handle (with its probe reporting) vs a bare word count, per call."""
    responses = [
        httpx.Response(200, content=b"page " + str(i).encode() + b" " + b"word " * 30,
                       request=httpx.Request("GET", url))
        for i, url in enumerate(task_urls(base_url, count, 0))
    ]  # fmt: skip
    for response in responses:
        response.read()
    cases = [("bare", bare_count, False), ("pages.handle", pages.handle, True)]
    cases.append(("pages.handle, no Reporter", pages.handle, False))
    cases.append(("the lesson's handle, unreported", lesson_handle, False))
    result: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(loops):
        for name, handler, reported in cases:
            start = time.process_time()
            with reporting(reported):  # closing it flushes the last events: timed too
                for response in responses:
                    handler(response)
            result[name].append((time.process_time() - start) / count * 1e6)
    print(f"handler alone, CPU µs per call (median of {loops} loops of {count}):")
    for name, _, _ in cases:
        print(f"  {name:<26} {statistics.median(result[name]):>6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=500, help="URLs per run (500)")
    parser.add_argument(
        "--latency", type=int, action="append", help="server ms (repeatable; default 0 and 50)"
    )
    parser.add_argument("-r", "--repeat", type=int, default=5, help="pairs per case (5)")
    args = parser.parse_args()
    if not 1 <= args.count <= 5000 or not 1 <= args.repeat <= 50:
        parser.error("--count must be 1..5000 and --repeat 1..50")

    # The Reporter's thread treats a readable stdin as its parent gone and exits the process;
    # give it what the runner gives a worker: a pipe nobody writes to.
    read_end, write_end = os.pipe()
    os.dup2(read_end, sys.stdin.fileno())
    os.close(read_end)
    clients.WorkerJob([], 1, TIMEOUT_S).warm_up()
    print(f"N={args.count}, {args.repeat} interleaved pairs each; medians; ratio = inst / bare")
    print("seconds; b: bare, i: instrumented")
    print(f"{'case':<26} {'wall b':>7} {'wall i':>7} {'ratio':>6}   "
          f"{'cpu b':>7} {'cpu i':>7} {'ratio':>6}")  # fmt: skip
    with fault_server() as server:
        base_url = server.url
        for latency in args.latency or [0, 50]:
            urls = task_urls(base_url, args.count, latency)
            compare(f"asyncio gather, {latency} ms", run_async, urls, args.repeat)
            compare(f"{THREADS} threads, {latency} ms", run_threads, urls, args.repeat)
        handler_cost(base_url, 2000, 7)
    os.close(write_end)


if __name__ == "__main__":
    main()
