"""Recorded logs are input: a bad one is refused in one line, a cut one is closed honestly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asyncplay.engine import events as ev
from asyncplay.engine.errors import LogError
from asyncplay.engine.eventlog import LogWriter, read
from asyncplay.engine.fold import fold
from asyncplay.engine.workload import Scenario

SCENARIO = Scenario(count=3, latency_ms=10)


def write(path: Path, lines: list[dict[str, object]], strategies: tuple[str, ...] = ("asyncio",)
          ) -> Path:  # fmt: skip
    with path.open("w") as stream:
        LogWriter(stream, SCENARIO, list(strategies))
        for line in lines:
            stream.write(json.dumps(line) + "\n")
    return path


def event(kind: type[ev.Event], *values: object, run: str = "asyncio") -> dict[str, object]:
    return {"run": run, **ev.to_dict(kind(*values))}  # type: ignore[arg-type]


STARTED = event(ev.RunStarted, 0.0, "asyncio", 1, 3, 3, 0.01, {}, 0.0)
FINISHED = event(ev.RunFinished, 0.5, 0.5, 0.1, 1, 1, 1, 1000)


def test_a_log_round_trips(tmp_path: Path) -> None:
    """What the writer wrote, the reader reads: the scenario and each run's events."""
    lines = [STARTED, event(ev.TaskStarted, 0.1, 0), event(ev.TaskFinished, 0.2, 0, 200, 9),
             FINISHED]  # fmt: skip
    log = read(write(tmp_path / "ok.jsonl", lines))
    assert log.scenario == SCENARIO
    assert [e.kind for e in log.runs["asyncio"]] == [line["kind"] for line in lines]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([STARTED, event(ev.TaskStarted, 1e308, 0)], "t must be a time from 0"),
        ([STARTED, event(ev.TaskStarted, -0.5, 0)], "t must be a time from 0"),
        ([event(ev.TaskStarted, 0.1, 0), STARTED], "task_started before run_started"),
        ([STARTED, FINISHED, event(ev.TaskStarted, 0.6, 0)], "task_started after the run ended"),
        ([STARTED, STARTED], "a second run_started"),
        ([STARTED, event(ev.TaskStarted, 0.1, 7)], "task 7 of a run of 3 tasks"),
        ([STARTED, event(ev.TaskStarted, 0.1, 3)], "task 3 of a run of 3 tasks"),  # ids 0..2
        ([STARTED, event(ev.TaskStarted, 0.3, 1), event(ev.TaskFinished, 0.2, 1, 200, 9)],
         "task 1 ended before it started"),
        ([{**STARTED, "run": "fibers"}], "no strategy named 'fibers'"),
        ([{**STARTED, "tasks": 10**9}], "tasks must be a whole number from 0 to 100000"),
        ([{**STARTED, "tasks": 40}], "a run of 40 tasks in a log of a scenario of 3"),
        ([STARTED, event(ev.ErrorSeen, 0.1, 0, "bogus", "x", "E")], "channel must be one of"),
        ([STARTED, {**FINISHED, "wall_s": 1e308}], "wall_s must be a time"),
        ([STARTED, {**FINISHED, "wall_s": float("nan")}], "wall_s must be a time"),
        ([STARTED, {**FINISHED, "max_rss_kb": "lots"}], "max_rss_kb must be a whole number"),
        ([STARTED, event(ev.RunAborted, 0.2, "exploded", "x")], "reason must be crashed or"),
        ([STARTED, event(ev.Output, 0.2, 12)], "text must be text"),
    ],
)  # fmt: skip
def test_a_bad_log_is_refused_with_its_line(
    tmp_path: Path, lines: list[dict[str, object]], message: str
) -> None:
    """Times out of range, events out of order, unknown runs: a LogError naming the line."""
    path = write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(LogError, match=message) as refused:
        read(path)
    assert str(refused.value).startswith(f"{path}, line ")
    assert "\n" not in str(refused.value)


def test_a_task_may_end_at_the_moment_it_started(tmp_path: Path) -> None:
    """A refused connection fails within the clock's resolution: the same time is in order."""
    lines = [STARTED, event(ev.TaskStarted, 0.1, 0), event(ev.TaskFailed, 0.1, 0, "E", "", ""),
             FINISHED]  # fmt: skip
    assert len(read(write(tmp_path / "quick.jsonl", lines)).runs["asyncio"]) == 4


def test_a_log_that_stops_mid_run_ends_that_run(tmp_path: Path) -> None:
    """Saved or stopped before the run ended: the run is shown killed, at its last time, with
    an error nobody had seen yet undecided (not running forever, not lost)."""
    started = event(ev.RunStarted, 0.0, "asyncio", 1, 3, 3, 0.01, {1: "http-500"}, 0.0)
    lines = [
        started,
        event(ev.TaskStarted, 0.1, 1),
        event(ev.TaskFailed, 0.4, 1, "HTTP 500", "", ""),
    ]
    state = fold(read(write(tmp_path / "cut.jsonl", lines)).runs["asyncio"])
    assert state.status == "killed" and state.now == 0.4
    assert state.aborted is not None and "the log ends here" in state.aborted.detail
    assert state.fate(state.tasks[1]) is None and state.undecided == 1


def test_not_a_log_at_all(tmp_path: Path) -> None:
    """An empty file, another JSON file, a folder: one line each."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}\n')
    for path, message in ((empty, "is empty"), (other, "is not an asyncplay event log"),
                          (tmp_path, "cannot read")):  # fmt: skip
        with pytest.raises(LogError, match=message):
            read(path)
