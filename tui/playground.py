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

from ..engine import lessons
from ..engine.eventlog import EventLog, LogWriter
from ..engine.events import Event, RunAborted
from ..engine.fold import RunState, fold
from ..engine.lessons import Lesson
from ..engine.runner import FaultServer, fault_server, refused_port, run_strategy
from ..engine.targets import Target
from ..engine.workload import Scenario

# Workers run at a lower CPU priority than the app, so that eight of them racing on a small
# machine cannot starve the UI: keys answer at once, and the workers share what is left.
WORKER_NICE = 19


class Playground:
    """Runs strategies for the app and keeps what they reported."""

    def __init__(
        self, scenario: Scenario, own: list[Lesson] | None = None, deadline_s: float | None = None
    ) -> None:
        """`own`: the user's lessons, shown after the built-ins; `deadline_s`: how long a run
        may take before it is killed (by default, from its scenario: runner.deadline_for)."""
        self.deadline_s = deadline_s
        self.lessons: dict[str, Lesson] = {}  # every panel's, the built-ins first
        self.states: dict[str, RunState] = {}
        self.logs: dict[str, list[Event]] = {}
        # The source each user's lesson ran, as it was then: it may be edited since.
        self.sources: dict[str, str] = {}
        for lesson in [*lessons.builtins(), *(own or [])]:
            self.add(lesson)
        self.scenario_of_runs = scenario  # what the shown runs ran, for saving and comparing
        self.changed: set[str] = set()  # strategies with events the view has not drawn yet
        self.on_run_end: Callable[[str, RunState], None] = lambda strategy, state: None
        self.on_server_restart: Callable[[str], None] = lambda reason: None
        self._runs: dict[str, asyncio.Task[None]] = {}  # each strategy's latest run
        self._all_runs: set[asyncio.Task[None]] = set()  # every run not yet wholly over
        self._server: FaultServer | None = None
        self._target: Target | None = None
        self._server_resources: contextlib.AsyncExitStack | None = None
        self._server_lock = asyncio.Lock()

    def add(self, lesson: Lesson) -> bool:
        """Show this lesson too (or its newer version); True if it is new here."""
        new = lesson.name not in self.lessons
        self.lessons[lesson.name] = lesson
        if new:
            self.states[lesson.name] = RunState(strategy=lesson.name)
            self.logs[lesson.name] = []
        return new

    def source(self, name: str) -> str:
        """The source of a lesson as its last run ran it (or as it is now, before any)."""
        if name in self.sources:
            return self.sources[name]
        return lessons.source_now(self.lessons[name])

    @classmethod
    def replaying(cls, log: EventLog) -> Playground:
        """A playground showing a recorded log exactly as it was (a user's lessons in it get
        panels of their own, with their files if they are still here)."""
        playground = cls(log.scenario)
        for name, events in log.runs.items():
            if name not in playground.lessons:
                playground.add(lessons.named(name))
            playground.logs[name] = list(events)
            playground.states[name] = fold(events)
            playground.states[name].strategy = name
        return playground

    async def start_server(self) -> tuple[Target, FaultServer]:
        """Start the fault server, or a new one if the last one died; where to send work."""
        async with self._server_lock:
            if self._server is not None and self._server.death() is not None:
                status = await self._server.exited  # known to the kernel: here in a moment
                await self._stop_server()
                self.on_server_restart(f"the fault server had died (exit status {status})")
            if self._server is None or self._target is None:
                resources = contextlib.AsyncExitStack()
                try:
                    refused = resources.enter_context(refused_port())
                    server = await resources.enter_async_context(fault_server())
                except BaseException:
                    await resources.aclose()  # a failed start leaves nothing behind
                    raise
                self._server_resources, self._server = resources, server
                self._target = Target(server.url, refused)
            return self._target, self._server

    async def _stop_server(self) -> None:
        resources, self._server_resources = self._server_resources, None
        self._server = self._target = None
        if resources is not None:
            await resources.aclose()

    def running(self) -> list[str]:
        """Strategies whose run has not ended (never those of a replayed log). A run that
        reported its end may still be closing its worker: it is not running any more."""
        return [
            name
            for name, task in self._runs.items()
            if not task.done() and not self.states[name].over
        ]

    def run(self, strategies: list[str], scenario: Scenario) -> list[str]:
        """Start these strategies now, side by side; returns those that started (a strategy
        still running is left to finish)."""
        started = [name for name in strategies if name not in self.running()]
        if started:
            self.scenario_of_runs = scenario
        for name in started:
            self.states[name] = RunState(strategy=name, status="running")
            self.logs[name] = []
            self.changed.add(name)
            self._runs[name] = asyncio.create_task(self._run(name, scenario))
            self._all_runs.add(self._runs[name])
            self._runs[name].add_done_callback(self._all_runs.discard)
        return started

    async def _run(self, name: str, scenario: Scenario) -> None:
        # This run's own state and log: a new run of the same strategy may replace them in
        # the playground while this one is still closing its worker.
        state, log = self.states[name], self.logs[name]

        def sink(event: Event) -> None:
            log.append(event)
            state.apply(event)
            self.changed.add(name)

        lesson = self.lessons[name]
        file = lesson.file
        if lesson.own and file is None:  # a replayed run of a lesson not on this machine
            sink(RunAborted(state.now, "crashed", f"{name}'s file is not here to run"))
            self.on_run_end(name, state)
            return
        try:
            if file is not None:  # what this run runs, whatever the file becomes
                self.sources[name] = lessons.read_source(file)
            target, server = await self.start_server()
            await run_strategy(
                name, scenario, target, sink, self.deadline_s, nice=WORKER_NICE, server=server,
                file=None if file is None else str(file),
            )  # fmt: skip
        except asyncio.CancelledError:
            if not state.over:  # stopped before its worker even started
                sink(RunAborted(state.now, "killed", "stopped"))
            raise
        except Exception as error:  # a failed run is a row, never a crash of the app
            if not state.over:
                sink(RunAborted(state.now, "crashed", f"{type(error).__name__}: {error}"))
        finally:
            self.on_run_end(name, state)

    async def stop(self, strategies: list[str] | None = None) -> None:
        """Stop runs (all that have not ended, by default): their workers are killed, their
        panels say so."""
        names = strategies or self.running()
        await self._cancel([self._runs[name] for name in names if name in self._runs])

    async def close(self) -> None:
        """Stop every run, those closing their workers too, and the server: nothing is left
        running."""
        await self._cancel(list(self._all_runs))
        await self._stop_server()

    async def _cancel(self, tasks: list[asyncio.Task[None]]) -> None:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def save(self, folder: Path) -> Path:
        """Write the shown runs as an event log `asyncplay replay` can open, under a name no
        other save has taken (two saves in one second get two files)."""
        names = [name for name, events in self.logs.items() if events]
        stem = time.strftime("asyncplay-%Y%m%d-%H%M%S")
        for attempt in range(1, 1000):
            path = folder / (f"{stem}.jsonl" if attempt == 1 else f"{stem}-{attempt}.jsonl")
            try:
                stream = path.open("x")  # never over another file, even one made just now
            except FileExistsError:
                continue
            with stream:
                writer = LogWriter(stream, self.scenario_of_runs, names)
                for name in names:
                    for event in self.logs[name]:
                        writer.write(name, event)
            return path
        raise FileExistsError(f"{folder} already holds a thousand logs named {stem}")
