"""What a waiter costs: start N of them, all waiting on one signal, then let them go.

A thread is an OS thread with its own stack; a greenlet is a small stack slice the hub
switches to; an asyncio task is an object holding a suspended coroutine; a pending Tornado
callback is a function stored on a future. Each function starts `count` waiters and returns
how to let them go.
"""

import asyncio
import threading
from collections.abc import Awaitable, Callable

import gevent
import gevent.event
from tornado.ioloop import IOLoop


def threads(count: int) -> Callable[[], None]:
    go = threading.Event()
    waiters = [threading.Thread(target=go.wait) for _ in range(count)]
    for waiter in waiters:
        waiter.start()

    def let_go() -> None:
        go.set()
        for waiter in waiters:
            waiter.join()

    return let_go


def gevent_greenlets(count: int) -> Callable[[], None]:
    go = gevent.event.Event()
    waiters = [gevent.spawn(go.wait) for _ in range(count)]
    gevent.sleep(0)  # a greenlet starts at the hub's next turn: let them all reach their wait

    def let_go() -> None:
        go.set()
        gevent.joinall(waiters)

    return let_go


async def asyncio_tasks(count: int) -> Callable[[], Awaitable[object]]:
    go = asyncio.Event()
    waiters = [asyncio.create_task(go.wait()) for _ in range(count)]
    await asyncio.sleep(0)  # a task starts at the loop's next turn

    def let_go() -> Awaitable[object]:
        go.set()
        return asyncio.gather(*waiters)

    return let_go


async def tornado_callbacks(count: int) -> Callable[[], Awaitable[object]]:
    loop = IOLoop.current()
    replies: list[asyncio.Future[None]] = [asyncio.Future() for _ in range(count)]
    answered = asyncio.Event()
    pending = count

    def on_reply(reply: asyncio.Future[None]) -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            answered.set()

    for reply in replies:
        loop.add_future(reply, on_reply)

    def let_go() -> Awaitable[object]:
        for reply in replies:
            reply.set_result(None)
        return answered.wait()

    return let_go
