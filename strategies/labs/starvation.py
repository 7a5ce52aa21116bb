"""Starvation: work that is ready to run, and waits anyway, because something else holds on.

Three ways: blocking calls queued behind a small executor pool; pool tasks that wait for tasks
queued in the same full pool (none can ever start); and a worker that computes without ever
yielding, while a heartbeat waits for its turn.
"""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import gevent

LOOKUP_S = 0.05  # a blocking call: a C driver, a synchronous library
TICK_S = 0.01  # the heartbeat's period
HOG_S = 0.3  # how long the hog computes without a pause


def look_up(key: int) -> float:
    started = time.monotonic()
    time.sleep(LOOKUP_S)
    return started  # when this call got a worker


# asyncio hands blocking calls to its default executor: a pool of min(32, CPUs + 4) threads.


async def asyncio_executor(calls: int) -> list[float]:
    loop = asyncio.get_running_loop()
    return await asyncio.gather(*(loop.run_in_executor(None, look_up, key) for key in range(calls)))


# A pool whose tasks wait on tasks they queued in the same pool, once every worker holds one.


def threadpool_nested(workers: int) -> list[float]:
    every_worker_busy = threading.Barrier(workers)
    with ThreadPoolExecutor(workers) as pool:

        def look_up_twice(key: int) -> float:
            every_worker_busy.wait()  # the pool is full now: no worker is left for what follows
            return pool.submit(look_up, key).result()  # queued behind us: waits for ever

        outer = [pool.submit(look_up_twice, key) for key in range(workers)]
        return [future.result() for future in outer]


# A heartbeat beside a worker that computes for HOG_S without a pause.


def hog() -> None:
    deadline = time.monotonic() + HOG_S
    while time.monotonic() < deadline:
        pass


def threads_hog() -> list[float]:
    beats: list[float] = []
    done = threading.Event()

    def heartbeat() -> None:
        while not done.is_set():
            beats.append(time.monotonic())
            time.sleep(TICK_S)

    beating = threading.Thread(target=heartbeat)
    beating.start()
    time.sleep(TICK_S * 3)
    hog()
    time.sleep(TICK_S * 3)
    done.set()
    beating.join()
    return beats


def gevent_hog() -> list[float]:
    beats: list[float] = []

    def heartbeat() -> None:
        while True:
            beats.append(time.monotonic())
            gevent.sleep(TICK_S)

    beating = gevent.spawn(heartbeat)
    gevent.sleep(TICK_S * 3)
    hog()
    gevent.sleep(TICK_S * 3)
    beating.kill()
    return beats


async def asyncio_hog() -> list[float]:
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            beats.append(time.monotonic())
            await asyncio.sleep(TICK_S)

    beating = asyncio.create_task(heartbeat())
    await asyncio.sleep(TICK_S * 3)
    hog()
    await asyncio.sleep(TICK_S * 3)
    beating.cancel()
    return beats
