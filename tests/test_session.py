"""The Session: the one parent-side path every run and lab goes through."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import pytest
from helpers import scenario
from procs import alive, children

from asyncplay.engine.errors import ServerDied
from asyncplay.engine.events import Event, RunAborted, RunFinished, TaskStarted
from asyncplay.engine.fold import RunState
from asyncplay.engine.session import Session

SLOW = scenario(count=2, latency_ms=20_000, timeout_s=30)


def test_a_run_that_reported_its_end_is_not_running_while_its_worker_closes() -> None:
    """At the moment its RunFinished arrives, the run's task still has its worker to end:
    it is not running any more all the same (a new run of it may start)."""
    running_at_the_end: list[list[str]] = []

    async def scenario_() -> None:
        async with Session() as session:

            def sink(event: Event) -> None:
                if isinstance(event, RunFinished):
                    running_at_the_end.append(session.running())

            task = session.start("asyncio", scenario(count=2, latency_ms=20), sink)
            await task

    asyncio.run(scenario_())
    assert running_at_the_end == [[]]
    assert children() == set()


def test_stop_ends_only_the_runs_named_and_says_which_were_running() -> None:
    started: dict[str, asyncio.Event] = {}
    states = {name: RunState() for name in ("threads", "asyncio")}

    def sink_for(name: str) -> object:
        def sink(event: Event) -> None:
            states[name].apply(event)
            if isinstance(event, TaskStarted):
                started[name].set()

        return sink

    async def scenario_() -> None:
        async with Session() as session:
            for name in states:
                started[name] = asyncio.Event()
                session.start(name, SLOW, sink_for(name))  # type: ignore[arg-type]
            await asyncio.gather(*(event.wait() for event in started.values()))
            assert sorted(session.running()) == ["asyncio", "threads"]
            assert await session.stop(["threads"]) == ["threads"]
            assert session.running() == ["asyncio"]
            assert await session.stop(["threads"]) == []  # not running: nothing to stop
        # Leaving the session stopped the other one, and the server.

    asyncio.run(scenario_())
    assert [states[name].status for name in ("threads", "asyncio")] == ["killed", "killed"]
    assert all(isinstance(state.aborted, RunAborted) for state in states.values())
    assert not any(alive(state.pid) for state in states.values())
    assert children() == set()


def test_a_dead_server_is_replaced_for_the_next_run_and_said_so() -> None:
    said: list[str] = []

    async def scenario_() -> tuple[int, int]:
        async with Session() as session:
            session.on_server_restart = said.append
            _, first = await session.target()
            assert first is not None
            os.kill(first.pid, signal.SIGKILL)
            await first.exited
            _, second = await session.target()
            assert second is not None and second.pid != first.pid
            state = RunState()
            await session.run("asyncio", scenario(count=2, latency_ms=20), state.apply)
            assert state.completed
            return first.pid, second.pid

    first, second = asyncio.run(scenario_())
    assert said == ["the fault server had died (exit status -9)"]
    assert not alive(first) and not alive(second) and children() == set()


def test_one_after_another_stops_at_a_server_that_died() -> None:
    """The runs after a dead server would only measure it: run_each raises after the run
    the death broke, and the rest never start."""
    states: dict[str, RunState] = {}

    def sink(name: str, event: Event) -> None:
        state = states.setdefault(name, RunState())
        state.apply(event)
        if isinstance(event, TaskStarted) and name == "threads":
            os.kill(server_pid[0], signal.SIGKILL)

    server_pid: list[int] = []

    async def scenario_() -> None:
        async with Session() as session:
            _, server = await session.target()
            assert server is not None
            server_pid.append(server.pid)
            with pytest.raises(ServerDied):
                await session.run_each(SLOW, ["threads", "asyncio"], sink)

    asyncio.run(scenario_())
    assert list(states) == ["threads"] and states["threads"].status == "crashed"
    assert children() == set()


def test_a_run_closing_its_worker_is_not_ended_again_by_a_new_run_of_its_name() -> None:
    """A run reported its end; while its worker closes, the same name runs again and the
    session closes: the first run's log still ends with its own end, once."""
    first: list[Event] = []

    async def scenario_() -> None:
        async with Session() as session:

            def sink(event: Event) -> None:
                first.append(event)
                if isinstance(event, RunFinished):  # its worker is still to be ended
                    session.start("asyncio", SLOW, lambda event: None)
                    asyncio.get_running_loop().create_task(session.close())

            with contextlib.suppress(asyncio.CancelledError):  # the close cancels it
                await session.start("asyncio", scenario(count=2, latency_ms=20), sink)

    asyncio.run(scenario_())
    assert isinstance(first[-1], RunFinished)
    assert not any(isinstance(event, RunAborted) for event in first)
    assert children() == set()
