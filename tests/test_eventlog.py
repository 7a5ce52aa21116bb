"""Recorded logs are input: a bad one is refused in one line, a cut one is closed honestly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import PATIENCE_S

from asyncplay.engine import eventlog
from asyncplay.engine import events as ev
from asyncplay.engine.errors import LogError
from asyncplay.engine.eventlog import LogWriter, read
from asyncplay.engine.fold import fold
from asyncplay.engine.workload import Scenario

LOGS = Path(__file__).parent / "logs"
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


HEADER = {"kind": "scenario", "version": 1, "scenario": SCENARIO.to_dict(),
          "strategies": ["asyncio"]}  # fmt: skip


def raw(path: Path, *lines: str | bytes) -> Path:
    """A file of exactly these lines, each ended by a newline."""
    path.write_bytes(b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n"
                              for line in lines))  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([json.dumps(HEADER)[:-1] + ', "seed": ' + "7" * 5000 + "}"],
         "line 1: a number of more than"),
        ([json.dumps(HEADER), '{"run": "asyncio", "kind": "run_started", "t": ' + "1" * 5000 + "}"],
         "line 2: a number of more than"),
        ([json.dumps(HEADER), '{"run": ["a"], "kind": "run_started"}'], "line 2: run must be"),
        ([json.dumps(HEADER), '{"run": "asyncio", "kind": ["x"]}'], "line 2: unknown event kind"),
        ([json.dumps(HEADER), "[" * 100_000], "line 2: nested too deeply"),
        ([json.dumps({**HEADER, "scenario": "ab"})], "line 1: bad scenario"),
        ([json.dumps({**HEADER, "scenario": {"count": 3, "bogus": 1}})], "unknown keys bogus"),
        ([json.dumps({**HEADER, "scenario": {"name": ["x"]}})], "name must be text"),
        ([json.dumps({**HEADER, "scenario": {"faults": [["x"]]}})], "faults must be a list of"),
        ([json.dumps(HEADER), json.dumps({**STARTED, "run": "a" * 100_000})],
         "line 2: no strategy named 'aaaa"),
        ([json.dumps(HEADER), b'{"run": "asyncio", "kind": "\xff"}'], "line 2: not UTF-8"),
    ],
)  # fmt: skip
def test_hostile_lines_are_refused_in_one_short_line(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    """Numbers past the interpreter's digit limit, unhashable names, deep nesting, a header
    that is not an object, a value of 100,000 characters: each a LogError naming its line,
    short enough to read (the value is cut, not echoed whole)."""
    path = raw(tmp_path / "hostile.jsonl", *lines)
    with pytest.raises(LogError, match=re.escape(message)) as refused:
        read(path)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < len(str(path)) + 160


def test_a_line_past_the_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    """A line longer than any event a worker can send is refused as too long."""
    path = tmp_path / "long.jsonl"
    with path.open("wb") as stream:
        stream.write(json.dumps(HEADER).encode() + b"\n")
        stream.write(b" " * (eventlog.LINE_MAX + 1) + b"\n")
    with pytest.raises(LogError, match=r"line 2 is over [\d,]+ bytes"):
        read(path)


def test_a_log_past_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    """A (sparse) file larger than any log: refused by its size, not read."""
    path = raw(tmp_path / "huge.jsonl", json.dumps(HEADER))
    with path.open("r+b") as stream:
        stream.truncate(eventlog.LOG_MAX + 1)
    with pytest.raises(LogError, match=r"is over [\d,]+ bytes"):
        read(path)


def test_a_log_cut_mid_line_replays_up_to_its_last_whole_line(tmp_path: Path) -> None:
    """A recording cut short by a full disk ends mid-line: the whole lines are read, the
    run ends where they do, and the log says where it was cut."""
    lines = [STARTED, event(ev.TaskStarted, 0.1, 0), event(ev.TaskFinished, 0.2, 0, 200, 9)]
    path = write(tmp_path / "cut.jsonl", lines)
    whole = path.read_bytes()
    path.write_bytes(whole + json.dumps(event(ev.TaskStarted, 0.3, 1)).encode()[:20])
    log = read(path)
    assert [e.kind for e in log.runs["asyncio"]] == [
        "run_started", "task_started", "task_finished", "run_aborted"]  # fmt: skip
    assert log.note == f"{path} was cut short in line 5: read up to line 4"
    assert read(write(tmp_path / "whole.jsonl", lines)).note == ""


def test_a_log_cut_in_its_first_line_is_refused(tmp_path: Path) -> None:
    """Cut within the header: there is nothing to replay."""
    path = tmp_path / "cut.jsonl"
    path.write_text(json.dumps(HEADER)[:30])
    with pytest.raises(LogError, match="cut short in line 1"):
        read(path)


def test_a_save_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    """The app's save on a disk that fills up (here, a file-size limit of 4 KB stands for
    it): an OSError for the app to report, and nothing left in the folder, neither a cut
    log nor the temporary file it was written to."""
    saving = (
        "import resource, signal\nfrom pathlib import Path\n"
        "from asyncplay.engine.eventlog import read\n"
        "from asyncplay.engine.playground import Playground\n"
        f"playground = Playground.replaying(read(Path({str(LOGS / 'errors.jsonl')!r})))\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        f"    playground.save(Path({str(tmp_path)!r}))\n"
        "except OSError as error:\n"
        "    print(error.strerror)\n"
    )
    result = subprocess.run([sys.executable, "-c", saving], capture_output=True, text=True,
                            timeout=PATIENCE_S)  # fmt: skip
    assert result.stdout.strip() == "File too large", result.stderr
    assert list(tmp_path.iterdir()) == []


def test_saves_take_new_names_and_are_whole(tmp_path: Path) -> None:
    """Each save is a new file, never over another (a log there already keeps its bytes),
    and holds the whole log; no temporary file is left."""
    log = read(LOGS / "errors.jsonl")
    taken = tmp_path / "asyncplay-x.jsonl"
    taken.write_text("precious\n")
    saved = [eventlog.save(tmp_path, "asyncplay-x", log.scenario, log.runs) for _ in range(2)]
    assert [path.name for path in saved] == ["asyncplay-x-2.jsonl", "asyncplay-x-3.jsonl"]
    assert taken.read_text() == "precious\n"
    assert all(read(path).runs == log.runs for path in saved)
    assert set(tmp_path.iterdir()) == {taken, *saved}
