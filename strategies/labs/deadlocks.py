"""A deadlock: two transfers take the same two locks in opposite orders.

Each takes its first lock, pauses (a read, a query), then asks for the other's: both wait
for ever. The polite version backs off when the second lock is taken, and tries again. In
perfect lockstep both would back off for ever, busy and getting nowhere: a livelock. Are they
ever in lockstep? The lab measures it.
"""

import asyncio
import threading
import time
from collections.abc import Callable
from threading import Lock

import gevent
import gevent.lock

PAUSE_S = 0.05  # long enough for the other transfer to take its first lock


# Threads


def both_ways(transfer: Callable[[Lock, Lock], None], checking: Lock, savings: Lock) -> None:
    """One thread moves money from checking to savings, another the other way."""
    one = threading.Thread(target=transfer, args=(checking, savings), name="transfer-1")
    two = threading.Thread(target=transfer, args=(savings, checking), name="transfer-2")
    one.start()
    two.start()
    one.join()
    two.join()


def threads() -> None:
    checking, savings = threading.Lock(), threading.Lock()

    def transfer(source: Lock, target: Lock) -> None:
        with source:
            time.sleep(PAUSE_S)
            with target:
                pass

    both_ways(transfer, checking, savings)


def threads_polite() -> None:
    checking, savings = threading.Lock(), threading.Lock()

    def transfer(source: Lock, target: Lock) -> None:
        while True:
            with source:
                time.sleep(PAUSE_S)
                if target.acquire(blocking=False):
                    target.release()
                    return
            time.sleep(PAUSE_S)  # back off, then try again

    both_ways(transfer, checking, savings)


# gevent


def gevent_locks() -> None:
    checking, savings = gevent.lock.Semaphore(), gevent.lock.Semaphore()

    def transfer(source: gevent.lock.Semaphore, target: gevent.lock.Semaphore) -> None:
        with source:
            gevent.sleep(PAUSE_S)
            with target:
                pass

    gevent.joinall([gevent.spawn(transfer, checking, savings),
                    gevent.spawn(transfer, savings, checking)])  # fmt: skip


# asyncio


async def asyncio_locks() -> None:
    checking, savings = asyncio.Lock(), asyncio.Lock()

    async def transfer(source: asyncio.Lock, target: asyncio.Lock) -> None:
        async with source:
            await asyncio.sleep(PAUSE_S)
            async with target:
                pass

    await asyncio.gather(transfer(checking, savings), transfer(savings, checking))


async def asyncio_no_pause() -> None:
    checking, savings = asyncio.Lock(), asyncio.Lock()

    async def transfer(source: asyncio.Lock, target: asyncio.Lock) -> None:
        async with source, target:  # nothing awaited in between: nobody can cut in
            pass

    await asyncio.gather(transfer(checking, savings), transfer(savings, checking))


async def asyncio_events() -> None:
    """Two coroutines, each waiting for the other to say "go" before it does."""
    ping_ready, pong_ready = asyncio.Event(), asyncio.Event()

    async def ping() -> None:
        await pong_ready.wait()
        ping_ready.set()

    async def pong() -> None:
        await ping_ready.wait()
        pong_ready.set()

    await asyncio.gather(ping(), pong())


async def asyncio_polite() -> None:
    checking, savings = asyncio.Lock(), asyncio.Lock()

    async def transfer(source: asyncio.Lock, target: asyncio.Lock) -> None:
        while True:
            async with source:
                await asyncio.sleep(PAUSE_S)
                if not target.locked():
                    async with target:
                        return
            await asyncio.sleep(PAUSE_S)  # back off, then try again

    await asyncio.gather(transfer(checking, savings), transfer(savings, checking))
