"""What the worker's instrumentation of aiohttp costs a request: asyncplay against the bare
script came out over 1.10 for aiohttp more often than for any other client (bench/README.md).

    python bench/aiohttp_instrumentation.py            # N=2,000 at 100 ms, 8 rounds
    python bench/aiohttp_instrumentation.py -n 500 -r 12

In one process, against the project's fault server: the asyncio lesson's fetch over a
session configured as the worker's (bench/bare/_aiohttp_session.py), bare; with trace hooks
that report as the worker's did until it moved to a client middleware; with the worker's
middleware; and with the middleware and its response class (what the worker runs now).

Two measures, each over the same variants:
- Python calls a request (cProfile, one run of N each): the same every time, so it tells
  a few per cent apart where CPU time cannot on a shared machine;
- CPU: each round runs every variant in turn, the order reversed every other round, and the
  medians are printed with the microseconds a request each adds to the bare session. "bare
  again" is the bare session a second time: how far two of the same differ here.

No probe reporter is running, so a report costs only its call.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import resource
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import aiohttp
from _server import fault_server

from asyncplay.engine.targets import task_of_url
from asyncplay.engine.worker import aiohttp_session as worker_session
from asyncplay.engine.worker import probe
from asyncplay.strategies.pages import handle

sys.path.insert(0, str(Path(__file__).resolve().parent / "bare"))
from _aiohttp_session import new_session
from _measure import Job

Session = Callable[[], aiohttp.ClientSession]


async def _started(session: object, context: SimpleNamespace, params: object) -> None:
    probe.task_started(task_of_url(str(params.url)))  # type: ignore[attr-defined]


async def _failed(session: object, context: SimpleNamespace, params: object) -> None:
    error = params.exception  # type: ignore[attr-defined]
    if not isinstance(error, asyncio.CancelledError):
        probe.task_failed(task_of_url(str(params.url)), error)  # type: ignore[attr-defined]


async def _ended(session: object, context: SimpleNamespace, params: object) -> None:
    response = params.response  # type: ignore[attr-defined]
    if response.status >= 400:
        probe.task_got_status(task_of_url(str(params.url)), response.status, "")  # type: ignore[attr-defined]


def trace_hooks() -> aiohttp.TraceConfig:
    """The three hooks the worker reported through before its middleware."""
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_started)
    trace.on_request_exception.append(_failed)
    trace.on_request_end.append(_ended)
    return trace


def variants(job: Job) -> dict[str, Session]:
    response = worker_session.ReportingResponse

    def middleware(**options: object) -> aiohttp.ClientSession:
        return new_session(job, middlewares=(worker_session.Reporting(),), **options)

    return {
        "bare": lambda: new_session(job),
        "trace hooks (before)": lambda: new_session(job, trace_configs=[trace_hooks()]),
        "middleware": middleware,
        "middleware + response (now)": lambda: middleware(response_class=response),
        "bare again": lambda: new_session(job),
    }


async def fetch_all(make: Session, urls: list[str]) -> list[int]:
    slots = asyncio.Semaphore(len(urls))

    async def fetch(session: aiohttp.ClientSession, url: str) -> int:
        async with slots, session.get(url) as response:
            response.raise_for_status()
            await response.read()
            return handle(response)

    async with make() as session:
        return await asyncio.gather(*(fetch(session, url) for url in urls))


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def calls_a_request(make: Session, urls: list[str]) -> float:
    profile = cProfile.Profile()
    profile.enable()
    asyncio.run(fetch_all(make, urls))
    profile.disable()
    return pstats.Stats(profile).total_calls / len(urls)  # type: ignore[attr-defined,no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="requests (2,000)")
    parser.add_argument("--latency", type=int, default=100, help="ms per request (100)")
    parser.add_argument("-r", "--rounds", type=int, default=8, help="rounds (8)")
    args = parser.parse_args()
    with fault_server() as server:
        urls = [f"{server.url}/task/{i}?delay_ms={args.latency}" for i in range(args.count)]
        made = variants(Job(urls, args.count, 5.0))
        for make in made.values():
            asyncio.run(fetch_all(make, urls))  # every import and first-use cost paid
        calls = {name: calls_a_request(make, urls) for name, make in made.items()}
        spent: dict[str, list[float]] = {name: [] for name in made}
        for turn in range(args.rounds):
            for name in list(made) if turn % 2 == 0 else list(made)[::-1]:
                start = cpu_s()
                asyncio.run(fetch_all(made[name], urls))
                spent[name].append(cpu_s() - start)
    bare = statistics.median(spent["bare"])
    print(f"{'':<28} {'calls/request':>13} {'CPU s':>7} {'× bare':>7} {'µs/request':>11}")
    for name, times in spent.items():
        median = statistics.median(times)
        extra = (calls[name] - calls["bare"]) / calls["bare"]
        print(f"{name:<28} {calls[name]:8.1f} {extra:+4.0%} {median:7.3f} {median / bare:7.3f} "
              f"{(median - bare) / args.count * 1e6:+11.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
