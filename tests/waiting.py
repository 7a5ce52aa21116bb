"""Waiting in tests: for a condition, never for a deadline a busy machine misses.

Each wait polls its condition until it holds and says what it waited for if it never does.
The bound is generous on purpose: it is there so a broken test ends, not to time anything.
A test on a machine busy with other work waits longer, and passes.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

# Long enough for a run of the app's workers on a two-core machine with two other processes
# busy beside the suite; short enough that a broken test does not hang the suite.
PATIENCE_S = 180.0
# A condition is looked at again soon, then less and less often: most hold within a frame or
# two, and a long wait (a run of real workers) looked at fifty times a second spent the CPU
# its workers and the other tests needed (many a condition draws the whole screen).
FIRST_POLL_S, LONGEST_POLL_S = 0.01, 0.1


def _polls() -> Iterator[float]:
    """The pauses between looks: 10 ms, doubling up to 100 ms."""
    pause = FIRST_POLL_S
    while True:
        yield pause
        pause = min(pause * 2, LONGEST_POLL_S)


Reason = str | Callable[[], str]


def _said(what: Reason) -> str:
    return what() if callable(what) else what


def eventually(condition: Callable[[], T], *, what: Reason, timeout: float = PATIENCE_S) -> T:
    """`condition()` once it is true (polled from this thread); past `timeout`, the test
    fails saying what never happened."""
    give_up = time.monotonic() + timeout
    pauses = _polls()
    while not (value := condition()):
        if time.monotonic() > give_up:
            raise AssertionError(f"waited {timeout:.0f} s for {_said(what)}")
        time.sleep(next(pauses))
    return value


async def until(
    condition: Callable[[], T | Awaitable[T]], *, what: Reason, timeout: float = PATIENCE_S
) -> T:
    """The same for a test on an event loop (a pilot's, a browser's): the loop runs on
    between polls, and an async condition is awaited."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    pauses = _polls()
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if loop.time() > give_up:
            raise AssertionError(f"waited {timeout:.0f} s for {_said(what)}")
        await asyncio.sleep(next(pauses))
