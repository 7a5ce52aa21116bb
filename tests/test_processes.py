"""The parent's children: started in a group of their own, and ended, whatever happens."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from procs import alive, children

from asyncplay.engine.processes import end_process, spawn_python, through_cancels

LINGERS = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"


def test_a_child_that_lingers_is_killed_after_its_grace() -> None:
    async def scenario() -> int:
        process = await spawn_python("-c", LINGERS, stdin=asyncio.subprocess.PIPE)
        await end_process(process, grace_s=0.1)
        assert process.returncode is not None
        return process.pid

    pid = asyncio.run(scenario())
    assert not alive(pid) and children() == set()


@pytest.mark.parametrize("grace_s", [60.0, 0.0], ids=["in its grace", "once killed"])
def test_an_end_cancelled_midway_still_ends_the_child(grace_s: float) -> None:
    """A quit while a run closes its worker cancels the end, while it waits out the grace or
    once it has killed the child: the child is killed and collected all the same, never
    left dying (or alive) behind its owner."""

    async def scenario() -> int:
        process = await spawn_python("-c", LINGERS, stdin=asyncio.subprocess.PIPE)
        ending = asyncio.ensure_future(end_process(process, grace_s=grace_s))
        await asyncio.sleep(0)  # under way: at its first wait (the grace, or the reaping)
        ending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ending
        assert ending.cancelled() and process.returncode is not None
        return process.pid

    pid = asyncio.run(scenario())
    assert not alive(pid) and children() == set()


def test_cleanup_runs_to_its_end_through_every_cancel() -> None:
    """A stop, then a quit, then the loop's own end: each cancels the task cleaning up, and
    the cleanup (ending a child, collecting it) finishes all the same before the cancel goes
    on."""
    finished: list[str] = []

    async def cleanup(go_on: asyncio.Event) -> None:
        await go_on.wait()
        finished.append("cleaned up")

    async def scenario() -> None:
        go_on = asyncio.Event()
        cleaning = asyncio.ensure_future(through_cancels(cleanup(go_on)))
        for _ in range(3):
            await asyncio.sleep(0)
            cleaning.cancel()
        await asyncio.sleep(0)
        assert not cleaning.done() and finished == []  # still at it, cancels or not
        go_on.set()
        with contextlib.suppress(asyncio.CancelledError):
            await cleaning
        assert cleaning.cancelled()

    asyncio.run(scenario())
    assert finished == ["cleaned up"]
