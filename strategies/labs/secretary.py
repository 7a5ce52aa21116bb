"""The article's secretary: five jobs, one worker each, and most of them with nothing to do.

Filing papers keeps one worker busy; the airline keeps another on hold, answering now and
then; the phone, the visitors and the meetings never come. The article says the OS spends
about 57% of its switches on workers like those three, only to find them idle: "Phone-Call-Bob
has nothing to do, so he just goes back to sleep". That Bob wakes to look (`threads_polling`).
An idle thread can also block until it is told (`threads`): then nobody wakes it at all.
"""

import asyncio
import threading
import time
from collections.abc import Callable

import gevent
import gevent.event

ON_HOLD_S = 0.1  # the airline answers this often
LOOK_S = 0.01  # how often a polling Bob wakes to see whether anything came
IDLE = ("phone", "visitors", "meetings")


def file_papers() -> None:
    sum(range(2_000))  # a little CPU work, then look up again


def threads(seconds: float) -> None:
    done = threading.Event()

    def idle() -> None:
        done.wait()  # blocks until told: the kernel has no reason to wake it

    _five_threads(seconds, done, idle)


def threads_polling(seconds: float) -> None:
    done = threading.Event()

    def idle() -> None:
        while not done.is_set():
            time.sleep(LOOK_S)  # wake, look, nothing: back to sleep

    _five_threads(seconds, done, idle)


def _five_threads(seconds: float, done: threading.Event, idle: Callable[[], None]) -> None:
    def filing() -> None:
        while not done.is_set():
            file_papers()

    def airline() -> None:
        while not done.wait(ON_HOLD_S):
            pass

    staff = [threading.Thread(target=filing, name="filing"),
             threading.Thread(target=airline, name="airline")]  # fmt: skip
    staff += [threading.Thread(target=idle, name=job) for job in IDLE]
    for bob in staff:
        bob.start()
    time.sleep(seconds)
    done.set()
    for bob in staff:
        bob.join()


def gevent_greenlets(seconds: float) -> None:
    done = gevent.event.Event()

    def filing() -> None:
        while not done.is_set():
            file_papers()
            gevent.sleep(0)  # a greenlet runs until it yields: let the others look up

    def airline() -> None:
        while not done.wait(ON_HOLD_S):
            pass

    def idle() -> None:
        done.wait()

    staff = [gevent.spawn(filing), gevent.spawn(airline)]
    staff += [gevent.spawn(idle) for _ in IDLE]
    for bob, job in zip(staff, ("filing", "airline", *IDLE), strict=True):
        bob.name = job
    gevent.sleep(seconds)
    done.set()
    gevent.joinall(staff)


async def asyncio_tasks(seconds: float) -> None:
    done = asyncio.Event()

    async def filing() -> None:
        while not done.is_set():
            file_papers()
            await asyncio.sleep(0)  # a coroutine runs until it awaits: let the others look up

    async def airline() -> None:
        while not done.is_set():
            await asyncio.sleep(ON_HOLD_S)

    async def idle() -> None:
        await done.wait()

    staff = [asyncio.create_task(filing(), name="filing"),
             asyncio.create_task(airline(), name="airline")]  # fmt: skip
    staff += [asyncio.create_task(idle(), name=job) for job in IDLE]
    await asyncio.sleep(seconds)
    done.set()
    await asyncio.gather(*staff)
