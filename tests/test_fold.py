"""The fold: fates, counts and errors decided from events alone."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from asyncplay.engine import events as ev
from asyncplay.engine.errors import MalformedEvent
from asyncplay.engine.fold import RunState, fold
from asyncplay.engine.result import ResultRow

FINISHED = ev.RunFinished(1.0, 1.0, 0.1, 10, 1, 1, 1000)


def started(faults: dict[int, str], tasks: int = 4) -> ev.RunStarted:
    return ev.RunStarted(0.0, "asyncio", 42, tasks, tasks, 0.1, faults, 100.0)


def failed(task: int, t: float = 0.1, cut_off: bool = False) -> ev.TaskFailed:
    return ev.TaskFailed(t, task, "HTTPStatusError", "500", "", cut_off)


def seen(task: int | None, channel: ev.Channel, t: float = 0.2) -> ev.ErrorSeen:
    return ev.ErrorSeen(t, task, channel, f"via {channel}", "HTTPStatusError")


def test_a_clean_run_counts_every_task_ok() -> None:
    """Started and finished tasks are ok; the run is done; no fate is tallied."""
    log = [started({}, 2), ev.TaskStarted(0.0, 0), ev.TaskStarted(0.0, 1)]
    log += [ev.TaskFinished(0.1, 0, 200, 10), ev.TaskFinished(0.1, 1, 200, 10), FINISHED]
    state = fold(log)
    assert state.status == "done"
    assert state.counts() == {"ok": 2}
    assert sum(state.fates().values()) == 0


def test_the_sighting_nearest_the_caller_decides_the_fate() -> None:
    """Logged and raised for one error: raised wins, whatever order they came in."""
    state = fold(
        [started({1: "http-500"}), failed(1), seen(1, "logged"), seen(1, "raised"), FINISHED]
    )
    assert state.fate(state.tasks[1]) == "raised"
    assert state.fates()["raised"] == 1


@pytest.mark.parametrize(
    ("nearer", "farther"), [("raised", "returned"), ("returned", "logged"), ("raised", "logged")]
)
def test_each_sighting_outranks_the_one_farther_from_the_caller(
    nearer: ev.Channel, farther: ev.Channel
) -> None:
    """raised, then returned, then logged: each pair decided the same in either order."""
    for first, second in ((nearer, farther), (farther, nearer)):
        state = fold([started({1: "http-500"}), failed(1), seen(1, first), seen(1, second),
                      FINISHED])  # fmt: skip
        assert state.fate(state.tasks[1]) == nearer, (first, second)
        assert state.errors()[0].via == f"via {nearer}"


def test_lost_is_only_the_remainder_once_the_run_is_over() -> None:
    """A failure nobody saw is undecided while running, and lost after."""
    state = fold([started({1: "timeout"}), failed(1)])
    assert state.fate(state.tasks[1]) is None
    state.apply(FINISHED)
    assert state.fates() == {"raised": 0, "returned": 0, "logged": 0, "lost": 1, "not_run": 0}


def test_a_fault_that_never_happened_did_not_run() -> None:
    """No failure from the task: its fault was never reached."""
    state = fold([started({2: "reset"}), FINISHED])
    assert state.fates()["not_run"] == 1
    assert state.counts()["unfinished"] == 4


def test_a_task_cut_off_by_its_closing_client_did_not_reach_its_fault() -> None:
    """A failure marked cut off is not the fault happening, even if someone saw it."""
    state = fold([started({3: "http-500"}), failed(3, cut_off=True), seen(3, "logged"), FINISHED])
    assert state.fate(state.tasks[3]) == "not_run"
    assert state.counts()["failed"] == 1


def test_errors_without_a_fault_are_listed_but_not_tallied() -> None:
    """A failure on a task with no injected fault shows in errors() and counts, not fates."""
    state = fold([started({}), failed(0), seen(0, "raised"), seen(None, "logged"), FINISHED])
    assert sum(state.fates().values()) == 0
    rows = state.errors()
    assert [(row.task, row.fate) for row in rows] == [(0, "raised"), (None, "logged")]


def test_errors_are_newest_first() -> None:
    """The error list reads like a log tail."""
    log = [started({0: "http-500", 1: "http-500"}), failed(0, 0.1), failed(1, 0.3), FINISHED]
    assert [row.task for row in fold(log).errors()] == [1, 0]


def test_an_aborted_run_never_calls_an_unseen_error_lost() -> None:
    """Killed before it could hand its errors over: a seen error keeps its fate, a fault that
    never happened did not run, and an error nobody had seen yet stays undecided."""
    log = [started({0: "timeout", 1: "reset", 2: "http-500"}), failed(0), failed(2),
           seen(2, "logged"), ev.RunAborted(2.0, "killed", "stopped")]  # fmt: skip
    state = fold(log)
    assert state.status == "killed" and state.over
    assert state.fates() == {"raised": 0, "returned": 0, "logged": 1, "lost": 0, "not_run": 1}
    assert state.undecided == 1 and state.fate(state.tasks[0]) is None
    # Every view asks the run, so none can call it lost: the errors list agrees.
    assert next(row for row in state.errors() if row.task == 0).fate is None


def test_slow_blocking_and_cpu_get_no_fate() -> None:
    """Faults that end in no error show in the timings, not in the fates."""
    state = fold([started({0: "slow", 1: "blocking", 2: "cpu"}), FINISHED])
    assert state.injected == 0
    assert sum(state.fates().values()) == 0


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_fate_does_not_depend_on_the_order_reports_arrive_in(order: tuple[int, ...]) -> None:
    """The origin's failure, a framework's log line and the caller's exception come from
    different threads and may reach the pipe in any order: the fate is the same."""
    reports = [failed(1), seen(1, "logged"), seen(1, "raised")]
    state = fold([started({1: "http-500"}), *(reports[i] for i in order), FINISHED])
    assert state.fate(state.tasks[1]) == "raised"
    assert state.sighting(state.tasks[1]) == reports[2]


def test_the_live_tallies_agree_with_a_recount_after_every_event() -> None:
    """apply keeps counts and the troubled list up to date incrementally (so a live view
    never rescans thousands of tasks); after every event of a shuffled run of 300 random
    events, they equal what a full recount of the tasks gives."""
    rng = random.Random(7)
    tasks = 40
    state = RunState()
    state.apply(started({task: "http-500" for task in range(0, tasks, 5)}, tasks))
    for step in range(300):
        task = rng.randrange(tasks)
        event = rng.choice([
            ev.TaskStarted(step * 0.01, task),
            ev.TaskFinished(step * 0.01, task, 200, 10),
            failed(task, step * 0.01, cut_off=rng.random() < 0.2),
            seen(task, rng.choice(["raised", "returned", "logged"]), step * 0.01),
        ])  # fmt: skip
        state.apply(event)
        recount = Counter(state.task_status(view) for view in state.tasks)
        assert state.counts() == +recount
        troubled = [view for view in state.tasks if view.failed is not None or view.seen]
        assert sorted(view.id for view in state.troubled) == [view.id for view in troubled]
    state.apply(FINISHED)
    assert state.counts() == +Counter(state.task_status(view) for view in state.tasks)


def test_failures_no_fault_explains_are_counted_by_type() -> None:
    """A timeout on a task with no fault is saturation (or a dead server), not a lesson;
    a task cut off by another's error is explained."""
    timeouts = [ev.TaskFailed(0.2, task, "ReadTimeout", "", "") for task in (1, 2)]
    log = [started({0: "http-500"}), failed(0), *timeouts, failed(3, cut_off=True), FINISHED]
    assert fold(log).unexplained() == {"ReadTimeout": 2}


def test_events_round_trip_through_json() -> None:
    """Every event kind encodes to one line and decodes to an equal event."""
    samples: list[ev.Event] = [
        started({1: "http-500"}), ev.TaskStarted(0.1, 1), ev.TaskFinished(0.2, 1, 200, 9),
        failed(2), seen(None, "logged"), ev.Output(0.3, "boom\n"), FINISHED,
        ev.RunAborted(0.4, "crashed", "exit 1"),
    ]  # fmt: skip
    for event in samples:
        line = ev.encode(event)
        assert "\n" not in line
        assert ev.decode(line) == event


def test_a_terminals_control_characters_from_a_child_or_a_log_are_shown_as_question_marks() -> None:
    """ESC (it can clear, move or retitle a terminal), C1's CSI, a carriage return and a
    bell, in an error's texts, its frames, what a run printed and an X-ray worker's name:
    each is a ? once decoded (from a worker, a log, a recording), while tab and newline stay
    text. A terminal shown them as they were would act on them."""
    hostile = "a\x1b[2Jb\x9b31mc\rd\x07e\tf\ng"
    safe = "a?[2Jb?31mc?d?e\tf\ng"
    events = [
        ev.TaskFailed(0.1, 1, hostile, hostile, hostile, frames=(("m", 3, hostile),)),
        ev.ErrorSeen(0.1, 1, "logged", hostile, hostile, hostile),
        ev.Output(0.2, hostile),
        ev.Sampled(0.3, ((hostile, 1, 4, "network"),)),
    ]
    failed_, seen_, printed, sampled = (ev.decode(ev.encode(event)) for event in events)
    assert isinstance(failed_, ev.TaskFailed) and isinstance(seen_, ev.ErrorSeen)
    assert failed_.error == failed_.message == failed_.traceback == safe
    assert failed_.frames == (("m", 3, safe),)
    assert seen_.via == seen_.error == seen_.traceback == safe
    assert isinstance(printed, ev.Output) and printed.text == safe
    assert isinstance(sampled, ev.Sampled) and sampled.spots == ((safe, 1, 4, "network"),)
    clean = ev.Output(0.2, "tab\tand\nnewline, ünïcode ✓")
    assert ev.decode(ev.encode(clean)) == clean


def test_malformed_lines_are_refused() -> None:
    """Not JSON, not an object, an unknown kind, missing fields: MalformedEvent each."""
    for line in ("{", "[1]", '{"kind": "nope"}', '{"kind": "task_started"}'):
        with pytest.raises(MalformedEvent):
            ev.decode(line)


def test_hand_edited_logs_are_refused_not_crashed_on() -> None:
    """Bad types or an impossible fault plan in a log line: MalformedEvent, not a traceback."""
    base = '{"kind": "run_started", "t": 0, "strategy": "x", "pid": 1, "tasks": 2, '
    base += '"concurrency": 2, "ideal_s": 0.1, "origin": 0, "faults": '
    for faults in ('{"a": "reset"}', '{"0": "explode"}', '{"5": "reset"}', '["reset"]'):
        with pytest.raises(MalformedEvent):
            ev.decode(base + faults + "}")
    for line in ('{"kind": "task_started", "t": "x", "task": 1}',
                 '{"kind": "task_started", "t": 1e308, "task": 1}',
                 '{"kind": "task_started", "t": -1, "task": 1}',
                 '{"kind": "task_started", "t": NaN, "task": 1}',
                 '{"kind": "task_started", "t": 0, "task": -3}'):  # fmt: skip
        with pytest.raises(MalformedEvent):
            ev.decode(line)
    huge = base.replace('"tasks": 2', '"tasks": 1000000000') + "{}}"
    with pytest.raises(MalformedEvent, match="tasks must be a whole number from 0 to"):
        ev.decode(huge)


def test_a_run_that_left_tasks_unfinished_did_not_do_the_whole_plan() -> None:
    """main() returned at the first error, two tasks never ended: the run is done, but did
    less than the ideal assumes, so it has no ratio to the ideal."""
    log = [started({0: "http-500"}), failed(0), seen(0, "raised")]
    log += [ev.TaskStarted(0.0, 1), ev.TaskFinished(0.1, 1, 200, 10), FINISHED]
    state = fold(log)
    assert state.completed and state.counts()["unfinished"] == 2
    assert not state.whole_plan
    assert ResultRow.of(state).ratio is None
    every = fold([started({}, 1), ev.TaskStarted(0.0, 0), ev.TaskFinished(0.1, 0, 200, 1),
                  FINISHED])  # fmt: skip
    assert every.whole_plan and ResultRow.of(every).ratio == pytest.approx(1.0 / 0.1)


def test_a_status_is_an_http_status() -> None:
    """599 is the last HTTP status a log may carry; 600 is not one."""
    line = '{"kind": "task_finished", "t": 0.1, "task": 0, "status": %d, "nbytes": 1}'
    assert ev.decode(line % 599) == ev.TaskFinished(0.1, 0, 599, 1)
    with pytest.raises(MalformedEvent, match="status must be a whole number from 0 to 599"):
        ev.decode(line % 600)


def test_a_failure_on_a_loop_running_late_is_the_clients_saturation() -> None:
    """Of the failures no fault explains, those on a loop late by at least a quarter of the
    timeout are the client's own saturation (saturation.RULE): counted, with the worst
    lateness; an injected fault's failure, a cut-off one and one on time are not."""
    from dataclasses import replace

    from asyncplay.engine.saturation import SATURATED_LAG_SHARE

    timeout = 4.0
    line = SATURATED_LAG_SHARE * timeout  # 1 s
    log: list[ev.Event] = [replace(started({3: "timeout"}, 5), timeout_s=timeout)]
    timed_out = [
        ev.TaskFailed(5.0, task, "ReadTimeout", "", "", lag_s=lag)
        for task, lag in ((0, line), (1, 2.5), (2, line - 0.01), (3, 3.0))
    ]
    log += [*timed_out, ev.TaskFailed(5.0, 4, "ReadTimeout", "", "", True, lag_s=3.0), FINISHED]
    state = fold(log)
    assert state.saturated() == (2, 2.5)  # tasks 0 and 1; 2 was on time, 3 had its fault
    row = ResultRow.of(state)
    assert (row.saturated, row.worst_lag_s) == (2, 2.5)
    assert row.to_json()["saturated_failures"] == {"count": 2, "worst_lag_s": 2.5}
    unrecorded = fold([started({}, 1), ev.TaskFailed(5.0, 0, "ReadTimeout", "", "", lag_s=9.0)])
    assert unrecorded.saturated() == (0, 0.0)  # no timeout recorded (an old log): no verdict
