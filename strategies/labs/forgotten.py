"""Fire and forget: start a worker whose job fails, never look at it, and carry on.

When does anybody hear of the error? A thread's error is printed as the thread dies, and a
greenlet's as the hub sees it. An asyncio task's error waits inside the task until the task
is garbage-collected: only then "Task exception was never retrieved". Keep a reference (as
the asyncio docs tell you to, so the task is not collected mid-flight) and that is when the
reference goes.
"""

import asyncio
import threading
import time

import gevent

CARRY_ON_S = 0.3  # the rest of the program's work, after the fire-and-forget


def send_receipt() -> None:
    raise ConnectionError("the mail server refused the receipt")


def threads() -> None:
    threading.Thread(target=send_receipt).start()
    time.sleep(CARRY_ON_S)


def gevent_spawn() -> None:
    gevent.spawn(send_receipt)
    gevent.sleep(CARRY_ON_S)


async def send_receipt_async() -> None:
    send_receipt()


async def asyncio_kept() -> None:
    receipt = asyncio.create_task(send_receipt_async())  # a reference, so it is not collected
    await asyncio.sleep(CARRY_ON_S)
    if not receipt.done():
        receipt.cancel()  # tidy up: but whether it failed, nobody asks


async def asyncio_dropped() -> None:
    asyncio.create_task(send_receipt_async())  # noqa: RUF006 (ruff warns of exactly this)
    await asyncio.sleep(CARRY_ON_S)
