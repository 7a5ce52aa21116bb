"""A race: workers add to one shared balance, each by reading it and writing it back.

If another worker runs between the read and the write, its deposits are written over: lost
updates. Where can a switch fall? For threads, wherever the interpreter lets go of the GIL,
which your code does not decide. For gevent and asyncio, only where a worker waits.
"""

import asyncio
import threading
from collections.abc import Callable

import gevent
import gevent.lock


class Account:
    def __init__(self) -> None:
        self.balance = 0


def plus_one(balance: int) -> int:
    return balance + 1  # any Python call: a place where a thread may be switched out


# Threads: the switch is the interpreter's choice.


def threads_bare(workers: int, deposits: int) -> int:
    account = Account()

    def deposit() -> None:
        for _ in range(deposits):
            account.balance = account.balance + 1

    return _in_threads(deposit, workers, account)


def threads_call(workers: int, deposits: int) -> int:
    account = Account()

    def deposit() -> None:
        for _ in range(deposits):
            account.balance = plus_one(account.balance)

    return _in_threads(deposit, workers, account)


def threads_lock(workers: int, deposits: int) -> int:
    account, lock = Account(), threading.Lock()

    def deposit() -> None:
        for _ in range(deposits):
            with lock:
                account.balance = plus_one(account.balance)

    return _in_threads(deposit, workers, account)


def _in_threads(deposit: Callable[[], None], workers: int, account: Account) -> int:
    # All at once: a thread started alone would finish its deposits before the next one
    # had started, and there would be nothing to race.
    together = threading.Barrier(workers)

    def depositor() -> None:
        together.wait()
        deposit()

    team = [threading.Thread(target=depositor) for _ in range(workers)]
    for thread in team:
        thread.start()
    for thread in team:
        thread.join()
    return account.balance


# gevent: a greenlet runs until it waits.


def gevent_bare(workers: int, deposits: int) -> int:
    account = Account()

    def deposit() -> None:
        for _ in range(deposits):
            account.balance = plus_one(account.balance)

    gevent.joinall([gevent.spawn(deposit) for _ in range(workers)])
    return account.balance


def gevent_io(workers: int, deposits: int) -> int:
    account = Account()

    def deposit() -> None:
        for _ in range(deposits):
            balance = account.balance
            gevent.sleep(0)  # any wait: a socket read, a patched time.sleep
            account.balance = balance + 1

    gevent.joinall([gevent.spawn(deposit) for _ in range(workers)])
    return account.balance


def gevent_lock(workers: int, deposits: int) -> int:
    account, lock = Account(), gevent.lock.Semaphore()

    def deposit() -> None:
        for _ in range(deposits):
            with lock:
                balance = account.balance
                gevent.sleep(0)
                account.balance = balance + 1

    gevent.joinall([gevent.spawn(deposit) for _ in range(workers)])
    return account.balance


# asyncio: a coroutine runs until it awaits.


async def asyncio_bare(workers: int, deposits: int) -> int:
    account = Account()

    async def deposit() -> None:
        for _ in range(deposits):
            account.balance = plus_one(account.balance)

    await asyncio.gather(*(deposit() for _ in range(workers)))
    return account.balance


async def asyncio_await(workers: int, deposits: int) -> int:
    account = Account()

    async def deposit() -> None:
        for _ in range(deposits):
            balance = account.balance
            await asyncio.sleep(0)  # any await that really waits: a read, a query
            account.balance = balance + 1

    await asyncio.gather(*(deposit() for _ in range(workers)))
    return account.balance


async def asyncio_lock(workers: int, deposits: int) -> int:
    account, lock = Account(), asyncio.Lock()

    async def deposit() -> None:
        for _ in range(deposits):
            async with lock:
                balance = account.balance
                await asyncio.sleep(0)
                account.balance = balance + 1

    await asyncio.gather(*(deposit() for _ in range(workers)))
    return account.balance
