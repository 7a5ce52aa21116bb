"""What asyncplay's instrumentation costs: the engine's clients and handler vs bare ones.

Every strategy fetches through `clients.WorkerJob`'s clients, whose transport reports each
request to the probe, and counts words with the shared `pages.handle`, which the worker wraps
to report how it went. If that instrumentation were expensive, `wall / ideal` and CPU time
would measure asyncplay, not the concurrency style. So, in one process, against the project's
own fault server, this fetches N URLs with:

  bare          an httpx client configured like the engine's (same sharding over pools of
                clients.POOL_SIZE connections, same limits and timeouts), no probe, and the
                lesson's own `pages.handle` as it is before the worker wraps it: what a bare
                script of the lesson would run;
  instrumented  `clients.WorkerJob(...).client()` / `.async_client()` and the reported
                `pages.handle`, with
                `probe.REPORTER` a started Reporter writing its JSON lines to os.devnull.

The bare side used to count words with a plain `split` instead of the lesson's handler; that
charged the lesson's own work (reading its page's URL for the work it asks, decoding) to the
instrumentation, though a bare run of the lesson does it too. `--bare-handler count` still
measures that way.

Both run with asyncio.gather (N in flight) and with a ThreadPoolExecutor of 50 threads over a
shared httpx.Client (the engine's sync client for a limit of 50). Repetitions are interleaved
(bare, instrumented, then instrumented, bare, ...) and each pair gives a ratio; the medians
are printed, with the quartiles of the pairs' CPU ratios. On a shared machine a single pair
can be off by 20 % and a median of 5 by 10 %: `--null` runs bare against bare to show how
far, and `-r` asks for more pairs. CPU is the whole process's, so it includes the Reporter
thread's JSON encoding and its ticks (the worker's own `cpu_s` leaves that thread out), from
its start to its last flush.

A last section times the instrumentation's parts alone, per request and without the network,
where a microsecond can be seen: the handler (the lesson's, the reported one, a bare word
count) on ready-made responses, and the reporting transports (sync and async) against a
bare pool on canned ones, each with a live Reporter whose last flush is timed. Their sum
against the bare CPU per request above is what the end-to-end ratio should be without the
noise, less the Reporter thread's ticks (every probe.FLUSH_EVERY_S: the GIL taken from the
lesson's threads, and a `/proc` read).
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

from asyncplay.engine.targets import task_of_url
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
    timeout = httpx.Timeout(TIMEOUT_S, connect=clients.CONNECT_TIMEOUT_S, pool=None)
    return {"timeout": timeout, "follow_redirects": False}


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
    """The bare side's handler before this change: a word count and nothing else."""
    return len(response.content.decode("ascii").split())


BARE_HANDLERS: dict[str, Callable[[httpx.Response], int]] = {
    "lesson": lesson_handle,
    "count": bare_count,
}
Run = Callable[[list[str], bool, Callable[[httpx.Response], int]], None]


# The workloads: the asyncio and threadpool strategies' fetch, with either client.
def run_async(urls: list[str], instrumented: bool, bare: Callable[[httpx.Response], int]) -> None:
    handler = pages.handle if instrumented else bare

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


def run_threads(urls: list[str], instrumented: bool, bare: Callable[[httpx.Response], int]) -> None:
    handler = pages.handle if instrumented else bare

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


def reported_run(
    run: Run, urls: list[str], instrumented: bool, bare: Callable[[httpx.Response], int]
) -> None:
    """One run, and with the instrumentation its Reporter from start to stop: the events
    still queued at the end are encoded and written in its last flush, which is part of
    the cost (a longer tick would otherwise push more of it out of the timing)."""
    with reporting(instrumented):
        run(urls, instrumented, bare)


def timed(work: Callable[[], None]) -> tuple[float, float]:
    """(wall, process CPU) seconds of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(
    label: str,
    run: Run,
    bare: Callable[[httpx.Response], int],
    urls: list[str],
    reps: int,
    null: bool = False,
) -> float:
    """Interleaved repetitions of bare and instrumented; medians, and paired ratios.

    `null`: the instrumented side is bare too, so the ratios show the machine's noise.
    Returns the bare side's median CPU seconds per URL."""
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for rep in range(-1, reps):  # rep -1 warms both up and is not kept
        order = (False, True) if rep % 2 == 0 else (True, False)
        for instrumented in order:
            on = instrumented and not null
            measured = timed(lambda: reported_run(run, urls, on, bare))  # noqa: B023
            if rep >= 0:
                times[instrumented].append(measured)
    pairs = list(zip(times[False], times[True], strict=True))
    wall_ratio = statistics.median(i[0] / b[0] for b, i in pairs)
    cpu_ratios = [i[1] / b[1] for b, i in pairs]
    q1, _, q3 = statistics.quantiles(cpu_ratios, n=4) if reps > 1 else cpu_ratios * 3
    (bare_wall, bare_cpu), (inst_wall, inst_cpu) = (
        [statistics.median(column) for column in zip(*rows, strict=True)]
        for rows in (times[False], times[True])
    )
    print(
        f"{label:<26} {bare_wall:>7.3f} {inst_wall:>7.3f} {wall_ratio:>6.3f}   "
        f"{bare_cpu:>7.3f} {inst_cpu:>7.3f} {statistics.median(cpu_ratios):>6.3f}"
        f"   {q1:.3f}-{q3:.3f}",
        flush=True,
    )
    return bare_cpu / len(urls)


BODY = b"page 1 " + b"word " * 30  # about the fault server's page, in size and words


class CannedPool(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A pool that answers at once: what is left is the transport's own work."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(BODY))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(BODY))


def parts_cost(
    base_url: str, count: int, loops: int, bare_name: str, cpu_per_url: dict[str, float]
) -> None:
    """The instrumentation's parts alone, per request: the handler and the transports."""
    urls = task_urls(base_url, count, 0)
    responses = [
        httpx.Response(200, content=b"page " + str(i).encode() + b" " + b"word " * 30,
                       request=httpx.Request("GET", url))
        for i, url in enumerate(urls)
    ]  # fmt: skip
    for response in responses:
        response.read()
    requests = [httpx.Request("GET", url) for url in urls]
    pool = CannedPool()

    def handling(handler: Callable[[httpx.Response], int]) -> Callable[[], None]:
        def loop() -> None:
            for response in responses:
                handler(response)

        return loop

    def transporting(transport: httpx.BaseTransport) -> Callable[[], None]:
        def loop() -> None:
            task_of_url.cache_clear()  # a run's transport sees each URL first
            for request in requests:
                response = transport.handle_request(request)
                response.read()
                response.close()

        return loop

    def transporting_async(transport: httpx.AsyncBaseTransport) -> Callable[[], None]:
        async def requesting() -> None:
            for request in requests:
                response = await transport.handle_async_request(request)
                await response.aread()
                await response.aclose()

        def loop() -> None:
            task_of_url.cache_clear()
            asyncio.run(requesting())

        return loop

    sync_reporting = clients.ReportingTransport([pool])  # type: ignore[list-item]
    async_reporting = clients.AsyncReportingTransport([pool])  # type: ignore[list-item]
    cases = [
        ("handler: bare word count", handling(bare_count), False),
        ("handler: the lesson's handle", handling(lesson_handle), False),
        ("handler: reported, Reporter", handling(pages.handle), True),
        ("handler: reported, no Reporter", handling(pages.handle), False),
        ("transport: bare pool", transporting(pool), False),
        ("transport: reporting, Reporter", transporting(sync_reporting), True),
        ("async transport: bare pool", transporting_async(pool), False),
        ("async transport: reporting", transporting_async(async_reporting), True),
    ]
    result: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(loops):
        for name, loop, reported in cases:
            start = time.process_time()
            with reporting(reported):  # closing it flushes the last events: timed too
                loop()
            result[name].append((time.process_time() - start) / count * 1e6)
    print(f"per request, no network: CPU µs (median of {loops} loops of {count}):")
    cost = {name: statistics.median(values) for name, values in result.items()}
    for name, _, _ in cases:
        print(f"  {name:<32} {cost[name]:>6.2f}")
    bare = "handler: the lesson's handle" if bare_name == "lesson" else "handler: bare word count"
    handler = cost["handler: reported, Reporter"] - cost[bare]
    added = {
        "threads": handler + cost["transport: reporting, Reporter"] - cost["transport: bare pool"],
        "asyncio": handler
        + cost["async transport: reporting"]
        - cost["async transport: bare pool"],
    }
    print(f"instrumentation per request, against the bare side's handler ({bare_name}):")
    for label, seconds in cpu_per_url.items():
        added_us = added["asyncio" if label.startswith("asyncio") else "threads"]
        share = added_us / (seconds * 1e6) * 100
        print(f"  {label:<26} {added_us:>6.2f} µs = {share:.1f} % of a bare request's CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=500, help="URLs per run (500)")
    parser.add_argument(
        "--latency", type=int, action="append", help="server ms (repeatable; default 0 and 50)"
    )
    parser.add_argument("-r", "--repeat", type=int, default=5, help="pairs per case (5)")
    parser.add_argument(
        "--bare-handler", choices=sorted(BARE_HANDLERS), default="lesson",
        help="the bare side's handler: the lesson's own handle, unreported (default), or "
        "a plain word count (how this was measured before)",
    )  # fmt: skip
    parser.add_argument(
        "--null", action="store_true",
        help="both sides bare: the ratios' noise on this machine (no parts section)",
    )  # fmt: skip
    args = parser.parse_args()
    if not 1 <= args.count <= 5000 or not 1 <= args.repeat <= 50:
        parser.error("--count must be 1..5000 and --repeat 1..50")
    bare = BARE_HANDLERS[args.bare_handler]

    # The Reporter's thread treats a readable stdin as its parent gone and exits the process;
    # give it what the runner gives a worker: a pipe nobody writes to.
    read_end, write_end = os.pipe()
    os.dup2(read_end, sys.stdin.fileno())
    os.close(read_end)
    clients.WorkerJob([], 1, TIMEOUT_S).warm_up()
    print(f"N={args.count}, {args.repeat} interleaved pairs each; medians; ratio = inst / bare")
    second = "bare again (--null)" if args.null else "instrumented"
    print(f"seconds; b: bare (handler: {args.bare_handler}), i: {second}")
    print(f"{'case':<26} {'wall b':>7} {'wall i':>7} {'ratio':>6}   "
          f"{'cpu b':>7} {'cpu i':>7} {'ratio':>6}   quartiles")  # fmt: skip
    cpu_per_url: dict[str, float] = {}
    with fault_server() as server:
        base_url = server.url
        for latency in args.latency or [0, 50]:
            urls = task_urls(base_url, args.count, latency)
            for label, run in ((f"asyncio gather, {latency} ms", run_async),
                               (f"{THREADS} threads, {latency} ms", run_threads)):  # fmt: skip
                cpu_per_url[label] = compare(label, run, bare, urls, args.repeat, args.null)
        if not args.null:
            parts_cost(base_url, 2000, 7, args.bare_handler, cpu_per_url)
    os.close(write_end)


if __name__ == "__main__":
    main()
