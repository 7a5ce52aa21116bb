"""The worker's loop-lag timer, on a real asyncio loop: a loop busy with its own work is
measured late by as long as it was busy; an idle one is on time."""

from __future__ import annotations

import asyncio
import time

from asyncplay.engine.worker.loop_lag import TICK_S, LoopLag


def test_a_loop_busy_for_a_second_is_a_second_late_and_an_idle_one_is_on_time() -> None:
    async def measure() -> tuple[float, float, float]:
        lag = LoopLag(window_s=5.0)
        lag.watch(asyncio.get_running_loop())
        await asyncio.sleep(10 * TICK_S)
        idle = lag.worst_s()
        time.sleep(1.0)  # the loop's own work: nothing else runs meanwhile
        during = lag.worst_s()  # asked from inside the busy stretch: the tick is overdue
        await asyncio.sleep(2 * TICK_S)
        after = lag.worst_s()  # the tick ran, a second late, and is remembered
        return idle, during, after

    idle, during, after = asyncio.run(measure())
    assert idle < 0.5  # a busy machine may delay a tick, never by half a second idle
    assert during >= 1.0 - TICK_S
    assert after >= 1.0 - TICK_S


def test_a_stopped_loop_is_not_late() -> None:
    """After its run, a loop's last tick never comes: that is no lateness."""
    lag = LoopLag(window_s=0.5)

    async def briefly() -> None:
        lag.watch(asyncio.get_running_loop())

    asyncio.run(briefly())
    time.sleep(0.6)  # past the window: the samples are old, and the loop is closed
    assert lag.worst_s() == 0.0
