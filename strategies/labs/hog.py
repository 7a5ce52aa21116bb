"""A worker that computes without a pause, beside a heartbeat: who else gets to run?

Threads: the interpreter takes the GIL from the busy thread every few milliseconds, so the
heartbeat keeps time. A greenlet or a coroutine runs until it yields, and this one never does
until it is done: the heartbeat waits the whole stretch, as every other task on the loop would.
"""

import asyncio
import threading
import time

import gevent

TICK_S = 0.01  # the heartbeat's period
HOG_S = 0.3  # how long the hog computes without a pause


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
