"""What aiohttp's trace hooks cost a request: the worker reports aiohttp's requests through
them (engine/worker/aiohttp_session.py), and asyncplay against the bare script came out over
1.10 for aiohttp more often than for any other client (bench/README.md).

    python bench/aiohttp_tracing.py            # N=2,000 at 100 ms, 8 rounds
    python bench/aiohttp_tracing.py -n 500 -r 12

In one process, against the project's fault server: the asyncio lesson's fetch over a
session configured as the worker's (bench/bare/_aiohttp_session.py), with no tracing, with
an empty `TraceConfig`, with the worker's three hooks, and with the hooks and its response
class; each round runs them all, in turn, the order reversed every other round. No probe
reporter is running, so a hook's own report costs only its call. Medians of the process's
CPU per variant, and the microseconds a request each adds to the bare session.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
from _server import fault_server

from asyncplay.engine.worker import aiohttp_session as worker_session
from asyncplay.strategies.pages import handle

sys.path.insert(0, str(Path(__file__).resolve().parent / "bare"))
from _aiohttp_session import new_session
from _measure import Job

Session = Callable[[], aiohttp.ClientSession]


def variants(job: Job) -> dict[str, Session]:
    hooks, response = worker_session._trace, worker_session.ReportingResponse
    return {
        "bare": lambda: new_session(job),
        "empty TraceConfig": lambda: new_session(job, trace_configs=[aiohttp.TraceConfig()]),
        "the worker's hooks": lambda: new_session(job, trace_configs=[hooks()]),
        "hooks + response class": lambda: new_session(
            job, trace_configs=[hooks()], response_class=response
        ),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="requests (2,000)")
    parser.add_argument("--latency", type=int, default=100, help="ms per request (100)")
    parser.add_argument("-r", "--rounds", type=int, default=8, help="rounds (8)")
    args = parser.parse_args()
    with fault_server() as server:
        urls = [f"{server.url}/task/{i}?delay_ms={args.latency}" for i in range(args.count)]
        made = variants(Job(urls, args.count, 5.0))
        spent: dict[str, list[float]] = {name: [] for name in made}
        for turn in range(args.rounds):
            for name in list(made) if turn % 2 == 0 else list(made)[::-1]:
                start = cpu_s()
                asyncio.run(fetch_all(made[name], urls))
                spent[name].append(cpu_s() - start)
    bare = statistics.median(spent["bare"])
    for name, times in spent.items():
        median = statistics.median(times)
        print(f"{name:<24} {median:7.3f} s  {median / bare:5.3f}×  "
              f"{(median - bare) / args.count * 1e6:+5.0f} µs a request")  # fmt: skip


if __name__ == "__main__":
    main()
