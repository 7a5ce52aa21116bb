"""Recorded runs: the scenario on the first line, then every event tagged with its strategy.

    {"kind": "scenario", "version": 1, "scenario": {...}, "strategies": ["threads", ...]}
    {"run": "threads", "kind": "run_started", "t": 0.0, ...}

A log replays to exactly the state the live run showed, because both go through the fold.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from . import events, lessons
from .catalogue import STRATEGIES
from .errors import LogError, MalformedEvent, WorkloadError, quoted
from .events import Event
from .files import Unreadable, open_regular
from .workload import Scenario

VERSION = 1


# A line is one event a worker sent (processes.PIPE_LINE_LIMIT at most) and its run's name.
LINE_MAX = 2**24 + 2**10
# Every event of a log is kept in memory to be folded, a few times its size on disk: a log
# past this is not one asyncplay wrote (ten runs of 100,000 tasks are a few hundred MB).
LOG_MAX = 2**30


@dataclass
class EventLog:
    """A scenario and, for each strategy that ran, its events in order."""

    scenario: Scenario
    runs: dict[str, list[Event]] = field(default_factory=dict)
    note: str = ""  # what the reader should know, though nothing is wrong: where it was cut


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


def save(folder: Path, stem: str, scenario: Scenario, runs: dict[str, list[Event]]) -> Path:
    """Write `runs` as a new log in `folder`, named `stem.jsonl` (or `stem-2.jsonl`, and so
    on, when that is taken: never over another file), whole or not at all. It is written to
    a hidden file beside it first, so a save that fails (a full disk) leaves nothing behind,
    and a reader never meets half a log."""
    temporary = folder / f".{stem}.{secrets.token_hex(4)}.part"
    try:
        with temporary.open("x", encoding="utf-8") as stream:
            writer = LogWriter(stream, scenario, list(runs))
            for name, run in runs.items():
                for event in run:
                    writer.write(name, event)
            stream.flush()
            os.fsync(stream.fileno())  # on the disk before it has a name: "saved" means saved
        return _rename_to_new(temporary, folder, stem)
    finally:
        temporary.unlink(missing_ok=True)


def _rename_to_new(temporary: Path, folder: Path, stem: str) -> Path:
    """Give `temporary` the first free name `stem`, `stem-2`, ... in `folder`: the name is
    taken with an exclusive create (no other save, even one at this instant, can have it),
    then the file replaces that empty claim at once."""
    for attempt in range(1, 1000):
        path = folder / (f"{stem}.jsonl" if attempt == 1 else f"{stem}-{attempt}.jsonl")
        try:
            path.open("x").close()
        except FileExistsError:
            continue
        try:
            os.replace(temporary, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(f"{folder} already holds a thousand logs named {stem}")


def read(path: Path) -> EventLog:
    """Load a log written by LogWriter (`asyncplay run --record`, or the app's save).

    A log is input: a regular file of bounded size, each line an event this version knows,
    with sane values, in an order a run can produce. A log whose last line was cut short (a
    recording stopped by a full disk) is read up to its last whole line, and its `note` says
    so. A run whose log stops before its end (the recording was stopped mid-run) ends, on
    reading, with a RunAborted that says so.
    """
    log: EventLog | None = None
    checks: dict[str, RunCheck] = {}
    try:
        with open_regular(path, LOG_MAX) as stream:
            for number, line in _lines(stream, path):
                try:
                    data = _json(line, path, number)
                except LogError:
                    if line.endswith(b"\n"):
                        raise
                    if log is None:
                        raise LogError(f"{path} was cut short in line 1: nothing to read") from None
                    log.note = (
                        f"{path} was cut short in line {number}: read up to line {number - 1}"
                    )
                    break
                if log is None:
                    log = _log_of(data, path)
                    continue
                _read_event(log, checks, data, path, number)
    except Unreadable as why:
        raise LogError(f"cannot read {path}: {why}") from None
    except OSError as error:
        raise LogError(f"cannot read {path}: {error.strerror or error}") from None
    if log is None:
        raise LogError(f"{path} is empty")
    for run in log.runs.values():
        if run and not isinstance(run[-1], events.RunFinished | events.RunAborted):
            detail = "the log ends here: it was saved or stopped before this run ended"
            run.append(events.RunAborted(max(event.t for event in run), "killed", detail))
    return log


def _lines(stream: BinaryIO, path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines with their numbers, none past LINE_MAX and no more than LOG_MAX in
    all (the file may grow while it is read); blank lines are skipped."""
    total = 0
    for number in itertools.count(1):
        line = stream.readline(LINE_MAX + 1)
        if not line:
            return
        total += len(line)
        if len(line) > LINE_MAX:
            raise LogError(f"{path}, line {number} is over {LINE_MAX:,} bytes: not an event")
        if total > LOG_MAX:
            raise LogError(f"{path} is over {LOG_MAX:,} bytes: not an asyncplay event log")
        if line.strip():
            yield number, line


def _read_event(
    log: EventLog, checks: dict[str, RunCheck], data: dict[str, Any], path: Path, number: int
) -> None:
    """Add one line's event to its run, if it is one that run could have sent next."""
    strategy = data.pop("run", None)
    if not isinstance(strategy, str):
        raise LogError(
            f"{path}, line {number}: run must be a strategy's name, not {quoted(strategy)}"
        )
    if strategy not in STRATEGIES and strategy not in log.runs:
        raise LogError(f"{path}, line {number}: no strategy named {quoted(strategy)}")
    try:
        event = events.from_dict(data)
        checks.setdefault(strategy, RunCheck(log.scenario.count)).check(event)
    except MalformedEvent as error:
        raise LogError(f"{path}, line {number}: {error}") from None
    log.runs.setdefault(strategy, []).append(event)


def _log_of(header: dict[str, Any], path: Path) -> EventLog:
    """The empty log the header line describes."""
    if header.get("kind") != "scenario" or header.get("version") != VERSION:
        raise LogError(f"{path} is not an asyncplay event log (version {VERSION})")
    try:
        log = EventLog(Scenario.from_dict(header.get("scenario")))
    except WorkloadError as error:
        raise LogError(f"{path}, line 1: bad scenario: {error}") from None
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


class RunCheck:
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


def _json(line: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise LogError(f"{path}, line {number}: not UTF-8 text") from None
    except json.JSONDecodeError:
        raise LogError(f"{path}, line {number}: not JSON") from None
    except ValueError:  # int()'s own refusal, let through by json
        digits = sys.get_int_max_str_digits()
        raise LogError(f"{path}, line {number}: a number of more than {digits:,} digits") from None
    except RecursionError:
        raise LogError(f"{path}, line {number}: nested too deeply to be an event") from None
    if not isinstance(data, dict):
        raise LogError(f"{path}, line {number}: not a JSON object")
    return data
