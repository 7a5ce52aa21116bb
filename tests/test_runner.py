"""The runner ends every worker it starts: crashed, past its deadline, or stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time

from helpers import run, scenario
from procs import alive

from asyncplay.engine import events
from asyncplay.engine.fold import RunState
from asyncplay.engine.relay import Relay
from asyncplay.engine.runner import run_strategy
from asyncplay.engine.server_process import fault_server
from asyncplay.engine.targets import Target


def test_a_worker_that_dies_is_reported_crashed(target: Target) -> None:
    """A worker that cannot even load its strategy: crashed, with the reason it printed."""
    state = run("no_such_strategy", scenario(), target)
    assert state.status == "crashed"
    assert state.aborted is not None and "status 1" in state.aborted.detail
    assert "ModuleNotFoundError" in state.aborted.detail


def test_a_worker_past_its_deadline_is_killed(target: Target) -> None:
    """A run that cannot finish in time is killed, and its process is gone. Six tasks of 3 s
    one after another take 18 s; the deadline of 8 s leaves the worker time to start on a
    busy machine, and no time for more than three of them."""
    state = run("sequential", scenario(latency_ms=3000, timeout_s=5.0), target, deadline_s=8)
    assert state.status == "killed"
    assert state.aborted is not None and "no result after 8 s" in state.aborted.detail
    assert state.pid is not None and not alive(state.pid)
    assert state.counts()["unfinished"] >= 3  # they were still waiting


def test_a_stopped_run_is_killed_at_once(target: Target) -> None:
    """Cancelling the runner (the UI's stop) kills the worker and says it was stopped."""
    state = RunState()
    seen_start = asyncio.Event()

    def sink(event: events.Event) -> None:
        state.apply(event)
        if isinstance(event, events.TaskStarted):
            seen_start.set()

    async def start_then_stop() -> None:
        running = asyncio.create_task(
            run_strategy("threads", scenario(latency_ms=5000, timeout_s=10.0), target, sink)
        )
        await seen_start.wait()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    asyncio.run(start_then_stop())
    assert state.status == "killed"
    assert state.aborted is not None and state.aborted.detail == "stopped"
    assert not alive(state.pid)


def test_a_run_that_finishes_on_a_dead_fault_server_is_reported_crashed() -> None:
    """The server's death ends every request at once, so a worker can finish and say so
    before asyncio's child watcher reports the exit. The runner asks the kernel, and a run
    that finished after the server died is crashed, not done."""

    async def kill_then_finish() -> list[events.Event]:
        relayed: list[events.Event] = []
        async with fault_server() as server:
            assert server.death() is None
            os.kill(server.pid, signal.SIGKILL)
            give_up = time.monotonic() + 10
            while server.death() is None and time.monotonic() < give_up:
                time.sleep(0.001)  # the loop does not run here: asyncio cannot hear of it
            assert not server.exited.done()
            Relay(relayed.append, server).send(events.RunFinished(1.0, 1.0, 0.1, 0, 0, 1, 0))
            assert await server.exited == -signal.SIGKILL
        return relayed

    [event] = asyncio.run(kill_then_finish())
    assert isinstance(event, events.RunAborted) and event.reason == "crashed"
    assert event.detail.startswith("the fault server died")


def test_a_run_whose_server_is_found_dead_only_after_its_end_is_crashed() -> None:
    """The end came while the server was not yet known dead (its sockets close before the
    kernel has it exited); the runner's relay holds the end until the worker is gone, and
    asks again then."""

    async def finish_then_kill() -> list[events.Event]:
        relayed: list[events.Event] = []
        async with fault_server() as server:
            relay = Relay(relayed.append, server, until_closed=True)
            relay.send(events.RunFinished(1.0, 1.0, 0.1, 0, 0, 1, 0))
            os.kill(server.pid, signal.SIGKILL)
            await server.exited
            relay.close("the worker exited")
        return relayed

    [event] = asyncio.run(finish_then_kill())
    assert isinstance(event, events.RunAborted) and event.reason == "crashed"
    assert event.detail.startswith("the fault server died")


def test_a_run_on_a_server_dead_before_it_ends_at_once() -> None:
    """No worker is started for a run whose fault server is dead already: the run ends, and
    says why (the runner's relay holds a run's end until it closes it: not this one)."""

    async def kill_then_run() -> list[events.Event]:
        relayed: list[events.Event] = []
        async with fault_server() as server:
            os.kill(server.pid, signal.SIGKILL)
            await server.exited
            await run_strategy("threads", scenario(), Target(server.url, ""), relayed.append,
                               server=server)  # fmt: skip
        return relayed

    [event] = asyncio.run(kill_then_run())
    assert isinstance(event, events.RunAborted) and event.reason == "crashed"
    assert event.detail.endswith("before the run"), event.detail


def test_what_a_worker_prints_before_its_start_arrives_comes_after_it() -> None:
    """Output comes at once, events at the worker's next tick: a line printed early waits
    for the RunStarted, since a run's log starts with its start (a saved log is read back)."""
    relayed: list[events.Event] = []
    relay = Relay(relayed.append)
    relay.printed("early\n")
    assert relayed == []
    relay.send(events.RunStarted(0.0, "threads", os.getpid(), 1, 1, 0.1, {}, time.monotonic()))
    relay.printed("late\n")
    assert [type(event).__name__ for event in relayed] == ["RunStarted", "Output", "Output"]
    assert [event.text for event in relayed[1:]] == ["early\n", "late\n"]  # type: ignore[attr-defined]


def test_nothing_passes_after_a_runs_end() -> None:
    """A run ends once: what a worker prints or sends after its RunFinished (or after the
    runner ended it) is not passed on, so no view sees a run go on after its end."""
    relayed: list[events.Event] = []
    relay = Relay(relayed.append)
    relay.send(events.RunStarted(0.0, "threads", os.getpid(), 1, 1, 0.1, {}, time.monotonic()))
    relay.send(events.RunFinished(1.0, 1.0, 0.1, 0, 0, 1, 0))
    relay.printed("late\n")
    relay.send(events.TaskStarted(1.1, 0))
    relay.abort("crashed", "too late")
    assert [type(event).__name__ for event in relayed] == ["RunStarted", "RunFinished"]


def test_a_crashed_workers_last_line_is_whole_however_the_pipe_cut_it() -> None:
    """A busy machine reads a traceback as it is written, a few bytes at a time: the crash's
    reason is its last line, put back together."""
    relay = Relay(lambda event: None)
    for chunk in ("Traceback:\n  File x\n", "ModuleNotFound", "Error", ": ", "No module\n"):
        relay.printed(chunk)
    assert relay.last_line() == "ModuleNotFoundError: No module"
    assert Relay(lambda event: None).last_line() == ""


def test_the_worker_relays_what_the_strategy_printed(target: Target) -> None:
    """A logged error's traceback reaches the event log as output, stamped on the run clock."""
    state = run("threads", scenario("http-500@0"), target)
    text = "".join(state.output)
    assert "HTTPStatusError" in text and "Exception in thread" in text


def test_the_workers_collection_reports_what_an_exit_would_and_no_more() -> None:
    """The worker collects garbage in place of the interpreter's exit: a task exception
    nobody retrieved is reported (as at exit), a coroutine never awaited is not (as at exit,
    where the interpreter finalises it silently); a bare gc.collect() would warn of it."""
    program = (
        "import asyncio, gc, sys\n"
        "from asyncplay.engine.worker.worker import collect_as_at_exit\n"
        "async def boom(): raise ValueError('never retrieved')\n"
        "async def lesson(): pass\n"
        "class Cycle: pass\n"
        "async def main():\n"
        "    cycle = Cycle(); cycle.me = cycle\n"
        "    cycle.task, cycle.coroutine = asyncio.ensure_future(boom()), lesson()\n"
        "    await asyncio.sleep(0.01)\n"
        "asyncio.run(main())\n"
        "gc.collect() if sys.argv[1] == 'bare' else collect_as_at_exit()\n"
        "print('collected', file=sys.stderr)\n"
    )
    outputs = {
        how: subprocess.run(
            [sys.executable, "-c", program, how], capture_output=True, text=True, check=True
        ).stderr.split("collected")[0]
        for how in ("bare", "worker")
    }
    assert "never awaited" in outputs["bare"]
    assert "never awaited" not in outputs["worker"]
    assert "Task exception was never retrieved" in outputs["worker"]
