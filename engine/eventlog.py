"""Recorded runs: the scenario on the first line, then every event tagged with its strategy.

    {"kind": "scenario", "version": 1, "scenario": {...}, "strategies": ["threads", ...]}
    {"run": "threads", "kind": "run_started", "t": 0.0, ...}

A log replays to exactly the state the live run showed, because both go through the fold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import events, lessons
from .catalogue import STRATEGIES
from .errors import LogError, MalformedEvent, WorkloadError
from .events import Event
from .workload import Scenario

VERSION = 1


@dataclass
class EventLog:
    """A scenario and, for each strategy that ran, its events in order."""

    scenario: Scenario
    runs: dict[str, list[Event]] = field(default_factory=dict)


class LogWriter:
    """Appends a run's events to an open text file as they arrive."""

    def __init__(self, stream: IO[str], scenario: Scenario, strategies: list[str]) -> None:
        self.stream = stream
        header = {
            "kind": "scenario",
            "version": VERSION,
            "scenario": scenario.to_dict(),
            "strategies": strategies,
        }
        stream.write(json.dumps(header) + "\n")

    def write(self, strategy: str, event: Event) -> None:
        self.stream.write(json.dumps({"run": strategy, **events.to_dict(event)}) + "\n")


def read(path: Path) -> EventLog:
    """Load a log written by LogWriter (`asyncplay run --record`, or the app's save).

    A log is input: each line must be an event this version knows, with sane values, in an
    order a run can produce. A run whose log stops before its end (the recording was stopped
    mid-run) ends, on reading, with a RunAborted that says so.
    """
    try:
        with path.open() as stream:
            first = stream.readline()
            if not first:
                raise LogError(f"{path} is empty")
            header = _json(first, path, 1)
            log = _log_of(header, path)
            checks: dict[str, _RunCheck] = {}
            for number, line in enumerate(stream, start=2):
                if not line.strip():
                    continue
                data = _json(line, path, number)
                strategy = data.pop("run", None)
                if strategy not in STRATEGIES and strategy not in log.runs:
                    raise LogError(f"{path}, line {number}: no strategy named {strategy!r}")
                try:
                    event = events.from_dict(data)
                    checks.setdefault(strategy, _RunCheck(log.scenario.count)).check(event)
                except MalformedEvent as error:
                    raise LogError(f"{path}, line {number}: {error}") from None
                log.runs.setdefault(strategy, []).append(event)
    except (OSError, UnicodeDecodeError) as error:
        raise LogError(f"cannot read {path}: {error}") from None
    for run in log.runs.values():
        if run and not isinstance(run[-1], events.RunFinished | events.RunAborted):
            detail = "the log ends here: it was saved or stopped before this run ended"
            run.append(events.RunAborted(max(event.t for event in run), "killed", detail))
    return log


def _log_of(header: dict[str, Any], path: Path) -> EventLog:
    """The empty log the header line describes."""
    if header.get("kind") != "scenario" or header.get("version") != VERSION:
        raise LogError(f"{path} is not an asyncplay event log (version {VERSION})")
    try:
        log = EventLog(Scenario.from_dict(header["scenario"]))
    except (KeyError, TypeError, WorkloadError) as error:
        raise LogError(f"{path}: bad scenario on line 1: {error}") from None
    strategies = header.get("strategies", [])
    if not isinstance(strategies, list) or not all(_is_run_name(name) for name in strategies):
        raise LogError(f"{path}: line 1: strategies must be a list of strategy names")
    for strategy in strategies:
        log.runs[strategy] = []
    return log


def _is_run_name(name: object) -> bool:
    """A built-in's name, or one a user's lesson could have (`threads′`, `my_pool`): the
    stem of a file in the user's folder, so never a path."""
    return isinstance(name, str) and (name in STRATEGIES or lessons.is_lesson_name(name))


class _RunCheck:
    """The order of one run's events: started first and once, nothing after its end, tasks
    in range, and no task ending before it started (the worker stamps both on one clock)."""

    def __init__(self, count: int) -> None:
        self.count = count  # the header scenario's: every run ran that many tasks
        self.tasks: int | None = None
        self.ended = False
        self.started_at: dict[int, float] = {}

    def check(self, event: events.Event) -> None:
        if self.ended:
            raise MalformedEvent(f"{event.kind} after the run ended")
        if isinstance(event, events.RunStarted):
            if self.tasks is not None:
                raise MalformedEvent("a second run_started in one run")
            if event.tasks != self.count:
                raise MalformedEvent(
                    f"a run of {event.tasks} tasks in a log of a scenario of {self.count}"
                )
            self.tasks = event.tasks
            return
        if self.tasks is None:
            raise MalformedEvent(f"{event.kind} before run_started")
        task = getattr(event, "task", None)
        if task is not None and task >= self.tasks:
            raise MalformedEvent(f"task {task} of a run of {self.tasks} tasks")
        if isinstance(event, events.TaskStarted):
            self.started_at.setdefault(event.task, event.t)
        elif isinstance(event, events.TaskFinished | events.TaskFailed) and event.t < (
            self.started_at.get(event.task, 0.0)
        ):
            raise MalformedEvent(f"task {event.task} ended before it started")
        self.ended = isinstance(event, events.RunFinished | events.RunAborted)


def _json(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        raise LogError(f"{path}, line {number}: not JSON") from None
    if not isinstance(data, dict):
        raise LogError(f"{path}, line {number}: not a JSON object")
    return data
