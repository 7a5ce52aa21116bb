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

from . import events
from .events import Event
from .workload import Scenario, WorkloadError

VERSION = 1


class LogError(ValueError):
    """A file that is not an asyncplay event log, with a message fit for one line."""


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
    """Load a log written by LogWriter (`asyncplay run --record`, or the app's save)."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise LogError(f"cannot read {path}: {error}") from None
    if not lines:
        raise LogError(f"{path} is empty")
    header = _json(lines[0], path, 1)
    if header.get("kind") != "scenario" or header.get("version") != VERSION:
        raise LogError(f"{path} is not an asyncplay event log (version {VERSION})")
    try:
        log = EventLog(Scenario.from_dict(header["scenario"]))
    except (KeyError, TypeError, WorkloadError) as error:
        raise LogError(f"{path}: bad scenario on line 1: {error}") from None
    for strategy in header.get("strategies", []):
        log.runs[strategy] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        data = _json(line, path, number)
        strategy = data.pop("run", None)
        try:
            event = events.from_dict(data)
        except events.MalformedEvent as error:
            raise LogError(f"{path}, line {number}: {error}") from None
        log.runs.setdefault(str(strategy), []).append(event)
    return log


def _json(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        raise LogError(f"{path}, line {number}: not JSON") from None
    if not isinstance(data, dict):
        raise LogError(f"{path}, line {number}: not a JSON object")
    return data
