"""Starvation: quick work, ready to go, waiting for a worker that slow work holds.

Slow calls take every worker of a pool; then quick calls arrive. How long does a quick one
wait for a worker? On a pool of threads, until a slow call ends: the pool is the limited
resource. asyncio's default executor is such a pool. Coroutines with no pool need no worker
(the article: they "dont require extra sockets or memory"); but coroutines sharing a bounded
connection pool wait for a connection as threads wait for a worker. And a pool whose tasks
wait on tasks queued in the same full pool waits for ever.

Each function returns how long each quick call waited, in seconds, from when the work (slow
and quick) was asked for: however late a busy machine runs any of it, a quick call that must
wait for a slow one's end waits at least a slow call.
"""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

SLOW_S = 0.3  # a slow call: a report, a big query, a slow upstream
QUICK_CALLS = 4


def threadpool_queue(workers: int) -> list[float]:
    with ThreadPoolExecutor(workers) as pool:
        asked = time.monotonic()
        for _ in range(workers):
            pool.submit(time.sleep, SLOW_S)  # every worker busy
        quick = [pool.submit(time.monotonic) for _ in range(QUICK_CALLS)]  # when it ran
        return [future.result() - asked for future in quick]


async def asyncio_executor(workers: int) -> list[float]:
    loop = asyncio.get_running_loop()
    # run_in_executor(None, ...) uses the loop's default pool; `workers` is its size.
    asked = time.monotonic()
    slow = [loop.run_in_executor(None, time.sleep, SLOW_S) for _ in range(workers)]
    quick = await asyncio.gather(*(loop.run_in_executor(None, time.monotonic)
                                   for _ in range(QUICK_CALLS)))  # fmt: skip
    await asyncio.gather(*slow)
    return [ran - asked for ran in quick]


async def asyncio_tasks(workers: int) -> list[float]:
    async def quick_one() -> float:
        return time.monotonic()

    asked = time.monotonic()
    slow = [asyncio.create_task(asyncio.sleep(SLOW_S)) for _ in range(workers)]
    quick = await asyncio.gather(*(quick_one() for _ in range(QUICK_CALLS)))
    await asyncio.gather(*slow)
    return [ran - asked for ran in quick]


async def asyncio_connections(workers: int, slow_url: str, quick_url: str) -> list[float]:
    """The slow pages take every connection the client may open; quick pages come after."""
    limits = httpx.Limits(max_connections=workers)
    async with httpx.AsyncClient(limits=limits) as client:

        async def fetch_quick() -> float:
            await client.get(quick_url)
            return time.monotonic()

        asked = time.monotonic()
        slow = [asyncio.create_task(client.get(slow_url)) for _ in range(workers)]
        # The slow requests ask for their connections first: a tenth of a slow call is many
        # times what that takes, and a quick request that still came first would only wait less.
        await asyncio.sleep(SLOW_S / 10)
        quick = await asyncio.gather(*(fetch_quick() for _ in range(QUICK_CALLS)))
        await asyncio.gather(*slow)
    return [answered - asked for answered in quick]


def threadpool_nested(workers: int) -> list[float]:
    """Pool tasks that wait for tasks they queued in the same pool, once every worker holds
    one: none of the queued ones can ever start."""
    every_worker_busy = threading.Barrier(workers)
    with ThreadPoolExecutor(workers) as pool:

        def look_up_twice() -> float:
            every_worker_busy.wait()  # the pool is full now: no worker is left for what follows
            return pool.submit(time.monotonic).result()  # queued behind us: waits for ever

        outer = [pool.submit(look_up_twice) for _ in range(workers)]
        return [future.result() for future in outer]
