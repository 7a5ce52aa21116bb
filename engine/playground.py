"""The app's runs, without the app: a panel per lesson, each with its latest run's state.

The app owns one Playground, and the Playground one Session, which starts the runs and the
fault server. Workers' events are folded here the moment they arrive (the fold is cheap);
the app redraws what changed on its own tick, so a burst of events never turns into a burst
of repaints. Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

from . import eventlog, lessons
from .catalogue import is_builtin_lesson, lesson_module, no_lesson, source_of
from .errors import LessonError, UsageError
from .eventlog import EventLog
from .events import Event, RunAborted
from .fold import RunState, fold
from .lessons import Lesson
from .session import Session
from .workload import Scenario

# Workers run at the lowest CPU priority, so that eight of them racing on a small machine
# cannot starve the UI: keys answer at once, and the workers share what is left. Measured
# with eight runs of 2,000 tasks (bench/tui_load.py, 160x48, tab's p95): 14 ms at 19, 106 ms
# at 10, 360 ms at 5, 667 ms at 0.
WORKER_NICE = 19
# Another priority, for a machine busy with other work: at 19 the runs get almost none of it
# (a process of normal priority weighs 68 times as much), and take minutes.
WORKER_NICE_VARIABLE = "ASYNCPLAY_WORKER_NICE"


def worker_nice() -> int:
    """WORKER_NICE, or the priority ASYNCPLAY_WORKER_NICE asks for (0 to 19)."""
    asked = os.environ.get(WORKER_NICE_VARIABLE)
    if asked is None:
        return WORKER_NICE
    # ASCII digits, at most two: int() would take "²" for a digit and refuse, and a number
    # of thousands of digits is past what it reads.
    if not (asked.isascii() and asked.isdigit() and len(asked) <= 2 and int(asked) <= 19):
        raise UsageError(f"{WORKER_NICE_VARIABLE} must be a whole number from 0 to 19, "
                         f"not {asked[:20]!r}")  # fmt: skip
    return int(asked)


class Playground:
    """Runs lessons side by side for the app and keeps what they reported."""

    def __init__(
        self, scenario: Scenario, own: list[Lesson] | None = None, deadline_s: float | None = None
    ) -> None:
        """`own`: the user's lessons, shown after the built-ins; `deadline_s`: how long a run
        may take before it is killed (by default, from its scenario: runner.deadline_for)."""
        self.session = Session(nice=worker_nice(), deadline_s=deadline_s)
        self.lessons: dict[str, Lesson] = {}  # every panel's, the built-ins first
        self.states: dict[str, RunState] = {}
        self.logs: dict[str, list[Event]] = {}
        # The source each user's lesson ran, as it was then: it may be edited since.
        self.sources: dict[str, str] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}  # each lesson's latest run
        for lesson in [*lessons.builtins(), *(own or [])]:
            self.add(lesson)
        self.scenario_of_runs = scenario  # what the shown runs ran, for saving and comparing
        self.changed: set[str] = set()  # strategies with events the view has not drawn yet
        self.on_run_end: Callable[[str, RunState], None] = lambda strategy, state: None

    def add(self, lesson: Lesson) -> bool:
        """Show this lesson too (or its newer version); True if it is new here."""
        new = lesson.name not in self.lessons
        self.lessons[lesson.name] = lesson
        if new:
            self.states[lesson.name] = RunState(strategy=lesson.name)
            self.logs[lesson.name] = []
        return new

    def source(self, name: str) -> str:
        """The source of a lesson as its last run ran it (or as it is now, before any): a
        built-in's module with the client its run fetched with."""
        if name in self.sources:
            return self.sources[name]
        lesson = self.lessons[name]
        ran = self.states[name].lesson  # from the child, or a log: a known lesson's name only
        if lesson.file is None and is_builtin_lesson(ran):
            return source_of(ran)
        return lessons.source_now(lesson)

    @classmethod
    def replaying(cls, log: EventLog) -> Playground:
        """A playground showing a recorded log exactly as it was (a user's lessons in it get
        panels of their own, with their files if they are still here)."""
        playground = cls(log.scenario)
        for name, events in log.runs.items():
            if name not in playground.lessons:
                playground.add(lessons.named(name))
            playground._show(name, events)
        return playground

    async def start_server(self) -> None:
        """Start the fault server before the first run asks for it."""
        await self.session.target()

    def running(self) -> list[str]:
        """Lessons whose run has not ended (never those of a replayed log)."""
        return self.session.running()

    def run(self, strategies: list[str], scenario: Scenario) -> list[str]:
        """Start these lessons now, side by side; returns those that started (one still
        running is left to finish)."""
        running = self.running()
        started = [name for name in strategies if name not in running]
        if started:
            self.scenario_of_runs = scenario
        for name in started:
            self._start(name, scenario)
        return started

    def _start(self, name: str, scenario: Scenario) -> None:
        # This run's own state and log: a new run of the same lesson may replace them in
        # the playground while this one is still closing its worker.
        state = self.states[name] = RunState(strategy=name, status="running")
        log = self.logs[name] = []
        self.changed.add(name)

        def sink(event: Event) -> None:
            log.append(event)
            state.apply(event)
            self.changed.add(name)

        lesson = self.lessons[name]
        if not lesson.own and lesson_module(name, scenario.client) is None:
            state.status, state.skipped = "idle", no_lesson(name, scenario.client)
            return
        if lesson.own and lesson.file is None:  # a replayed run of a lesson not on this machine
            sink(RunAborted(state.now, "crashed", f"{name}'s file is not here to run"))
            self.on_run_end(name, state)
            return
        file = None
        if lesson.file is not None:  # what this run runs, whatever the file becomes
            try:
                self.sources[name] = lessons.read_source(lesson.file)
            except LessonError as error:
                sink(RunAborted(state.now, "crashed", str(error)))
                self.on_run_end(name, state)
                return
            file = str(lesson.file)
        task = self._tasks[name] = self.session.start(name, scenario, sink, file)
        task.add_done_callback(lambda _: self.on_run_end(name, state))

    async def ended(self, strategies: list[str]) -> None:
        """Wait until the latest runs of these lessons have ended (stopped ones too)."""
        tasks = [self._tasks[name] for name in strategies if name in self._tasks]
        if tasks:
            await asyncio.wait(tasks)

    def show_runs(self, runs: dict[str, list[Event]], scenario: Scenario) -> None:
        """Show these recorded runs in their panels (a tour's step, when the tour is left),
        but for a lesson running now, whose panel keeps its run."""
        running = self.running()
        for name, events in runs.items():
            if name in self.lessons and name not in running:
                self._show(name, events)
                self.scenario_of_runs = scenario

    def _show(self, name: str, events: list[Event]) -> None:
        self.logs[name] = list(events)
        self.states[name] = fold(events)
        self.states[name].strategy = name
        self.changed.add(name)

    async def stop(self, strategies: list[str] | None = None) -> list[str]:
        """Stop runs (all that have not ended, by default): their workers are killed, their
        panels say so. Returns those that were running."""
        return await self.session.stop(strategies)

    async def close(self) -> None:
        """Stop every run, those closing their workers too, and the server: nothing is left
        running."""
        await self.session.close()

    def save(self, folder: Path) -> Path:
        """Write the shown runs as an event log `asyncplay replay` can open, under a name no
        other save has taken (two saves in one second get two files), whole or not at all."""
        runs = {name: events for name, events in self.logs.items() if events}
        return eventlog.save(
            folder, time.strftime("asyncplay-%Y%m%d-%H%M%S"), self.scenario_of_runs, runs
        )
