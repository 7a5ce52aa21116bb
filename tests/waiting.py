"""Waiting in tests: for a condition, never for a deadline a busy machine misses.

Each wait polls its condition until it holds and says what it waited for if it never does.
The bound is generous on purpose: it is there so a broken test ends, not to time anything.
A test on a machine busy with other work waits longer, and passes.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Long enough for a run of the app's workers on a two-core machine with two other processes
# busy beside the suite; short enough that a broken test does not hang the suite.
PATIENCE_S = 180.0
POLL_S = 0.02

Reason = str | Callable[[], str]


def _said(what: Reason) -> str:
    return what() if callable(what) else what


def eventually(condition: Callable[[], T], *, what: Reason, timeout: float = PATIENCE_S) -> T:
    """`condition()` once it is true (polled from this thread); past `timeout`, the test
    fails saying what never happened."""
    give_up = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > give_up:
            raise AssertionError(f"waited {timeout:.0f} s for {_said(what)}")
        time.sleep(POLL_S)
    return value


async def until(
    condition: Callable[[], T | Awaitable[T]], *, what: Reason, timeout: float = PATIENCE_S
) -> T:
    """The same for a test on an event loop (a pilot's, a browser's): the loop runs on
    between polls, and an async condition is awaited."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if loop.time() > give_up:
            raise AssertionError(f"waited {timeout:.0f} s for {_said(what)}")
        await asyncio.sleep(POLL_S)
