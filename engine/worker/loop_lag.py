"""How late the lesson's event loop runs: a timer on the loop, every TICK_S, notes how long
after its time it ran. A loop busy with its own work (ten thousand tasks' callbacks) runs
its timers late, and a response waiting in a socket waits as long.

A failure reported on the loop asks for the worst lateness of the window before it (the
client's timeout): see engine/saturation.py. A timer that is overdue when asked counts too,
so a loop that has been busy since its last tick is not taken for an idle one.
"""

from __future__ import annotations

import collections
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the probe before the gevent lesson patches: no asyncio yet
    import asyncio

TICK_S = 0.05


class LoopLag:
    """The lateness of one event loop's timers, over the last `window_s` seconds."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.loop: asyncio.AbstractEventLoop | None = None
        self._samples: collections.deque[tuple[float, float]] = collections.deque()
        self._due = 0.0  # when the pending tick should run, on the monotonic clock

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start timing `loop` (once: a second client on the same loop changes nothing)."""
        if self.loop is loop:
            return
        self.loop = loop
        self._samples.clear()
        self._schedule(loop)

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        self._due = time.monotonic() + TICK_S
        loop.call_later(TICK_S, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        now = time.monotonic()
        self._samples.append((now, max(0.0, now - self._due)))
        while self._samples and self._samples[0][0] < now - self.window_s:
            self._samples.popleft()
        if loop is self.loop and not loop.is_closed():
            self._schedule(loop)

    def worst_s(self) -> float:
        """The worst lateness of the last `window_s` seconds, the pending tick's included."""
        if self.loop is None:
            return 0.0
        now = time.monotonic()
        # A loop that stopped (its run over) has a tick that will never come: not late.
        overdue = max(0.0, now - self._due) if self.loop.is_running() else 0.0
        recent = (late for at, late in self._samples if at >= now - self.window_s)
        return max(overdue, *recent, 0.0)
