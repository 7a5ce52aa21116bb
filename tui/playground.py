"""The app's runs, without the app: the server, the workers, and one RunState per strategy.

The App owns one Playground. Workers' events are folded here the moment they arrive (the
fold is cheap); the App redraws what changed on its own tick, so a burst of events never
turns into a burst of repaints. Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from ..engine.eventlog import EventLog, LogWriter
from ..engine.events import Event, RunAborted
from ..engine.fold import RunState, fold
from ..engine.runner import fault_server, refused_port, run_strategy
from ..engine.targets import Target
from ..engine.workload import Scenario
from ..strategies import STRATEGIES

# Workers run at a lower CPU priority than the app, so that eight of them racing on a small
# machine cannot starve the UI: keys answer at once, and the workers share what is left.
WORKER_NICE = 19


class Playground:
    """Runs strategies for the app and keeps what they reported."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.states: dict[str, RunState] = {name: RunState(strategy=name) for name in STRATEGIES}
        self.logs: dict[str, list[Event]] = {name: [] for name in STRATEGIES}
        self.scenario_of_run: Scenario = scenario  # what the shown runs ran, for saving
        self.changed: set[str] = set()  # strategies with events the view has not drawn yet
        self.on_run_end: Callable[[str], None] = lambda strategy: None
        self._runs: dict[str, asyncio.Task[None]] = {}
        self._target: Target | None = None
        self._resources = contextlib.AsyncExitStack()
        self._server_lock = asyncio.Lock()

    @classmethod
    def replaying(cls, log: EventLog) -> Playground:
        """A playground showing a recorded log exactly as it was."""
        playground = cls(log.scenario)
        for name, events in log.runs.items():
            if name in playground.states:
                playground.logs[name] = list(events)
                playground.states[name] = fold(events)
                playground.states[name].strategy = name
        return playground

    async def start_server(self) -> Target:
        """Start the fault server (once) and return where to send the workload."""
        async with self._server_lock:
            if self._target is None:
                attempt = contextlib.AsyncExitStack()
                try:
                    refused = attempt.enter_context(refused_port())
                    url = await attempt.enter_async_context(fault_server())
                except BaseException:
                    await attempt.aclose()  # a failed start leaves nothing behind
                    raise
                self._resources.push_async_exit(attempt)
                self._target = Target(url, refused)
        return self._target

    def running(self) -> list[str]:
        """Strategies with a live worker right now (never those of a replayed log)."""
        return [name for name, task in self._runs.items() if not task.done()]

    def run(self, strategies: list[str]) -> None:
        """Start these strategies now, side by side, with the current scenario."""
        self.scenario_of_run = self.scenario
        for name in strategies:
            if name in self.running():
                continue
            self.states[name] = RunState(strategy=name, status="running")
            self.logs[name] = []
            self.changed.add(name)
            self._runs[name] = asyncio.create_task(self._run(name, self.scenario))

    async def _run(self, name: str, scenario: Scenario) -> None:
        def sink(event: Event) -> None:
            self.logs[name].append(event)
            self.states[name].apply(event)
            self.changed.add(name)

        state = self.states[name]
        try:
            target = await self.start_server()
            await run_strategy(name, scenario, target, sink, nice=WORKER_NICE)
        except asyncio.CancelledError:
            if not state.over:  # stopped before its worker even started
                sink(RunAborted(state.now, "killed", "stopped"))
            raise
        except Exception as error:  # a failed run is a row, never a crash of the app
            if not state.over:
                sink(RunAborted(state.now, "crashed", f"{type(error).__name__}: {error}"))
        finally:
            self.on_run_end(name)

    async def stop(self, strategies: list[str] | None = None) -> None:
        """Stop runs (all by default): their workers are killed, their panels say so."""
        tasks = [self._runs[name] for name in (strategies or self.running()) if name in self._runs]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """Stop every run and the server: nothing is left running."""
        await self.stop()
        await self._resources.aclose()

    def save(self, folder: Path) -> Path:
        """Write the shown runs as an event log `asyncplay replay` can open."""
        names = [name for name, events in self.logs.items() if events]
        path = folder / time.strftime("asyncplay-%Y%m%d-%H%M%S.jsonl")
        with path.open("w") as stream:
            writer = LogWriter(stream, self.scenario_of_run, names)
            for name in names:
                for event in self.logs[name]:
                    writer.write(name, event)
        return path
