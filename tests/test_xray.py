"""The X-ray: where every task of a real run is, line by line, in every style with each of
its clients.

Three tasks of 3 s each run in a real worker per lesson. The X-ray keeps to its budget of a
core: a look costs a millisecond or two, so the next comes a second or so later, and each
task's wait for its response is long enough for a few looks (a busy machine delays a look,
it does not make one cost more CPU). So at some look all three must be at the line of the
lesson that waits for the response, waiting on the network; and the worker that started
them must be waiting where the lesson waits for them. The lines are found in the lesson's
source by their text, not copied from a run.
"""

from __future__ import annotations

import asyncio

import pytest
from helpers import run, scenario
from waiting import eventually

from asyncplay.engine import events as ev
from asyncplay.engine import xray
from asyncplay.engine.catalogue import STRATEGIES, clients_of, lesson_module, source_of
from asyncplay.engine.errors import MalformedEvent
from asyncplay.engine.fold import RunState, by_line, by_task, fold
from asyncplay.engine.runner import run_strategy
from asyncplay.engine.targets import Target
from asyncplay.engine.worker import sampler as sampler_module
from asyncplay.engine.worker.sampler import Sampler, pause_after

# One worker takes every test here: the runs fixture is module-scoped, and each worker that
# took one of these tests ran all fourteen lessons again for itself.
pytestmark = pytest.mark.xdist_group("xray")

# The text of the line each style's task waits at for its response, and of the line its
# starter waits at for the tasks (None: the starter is the task, one at a time).
WAITS = {
    "sequential": ("client.get(url)", None),
    "threads": ("client.get(url)", "thread.join()"),
    "threadpool": ("client.get(url)", "future.result() for future"),
    "gevent": ("client.get(url)", "gevent.joinall(greenlets)"),
    # The callback style's tasks are nowhere on a stack: each waits in Tornado's client for
    # the callback that will get its response.
    "callbacks": ("def on_response(", "loop.start()"),
    "generators": ("yield from client.get(url)", "asyncio.gather("),
    "asyncio": ("await client.get(url)", "asyncio.gather("),
    "taskgroup": ("await client.get(url)", "asyncio.TaskGroup()"),
    "trio": ("await client.get(url)", "trio.open_nursery()"),
    "sequential_requests": ("session.get(url)", None),
    "threads_requests": ("session.get(url)", "thread.join()"),
    "threadpool_requests": ("session.get(url)", "future.result() for future"),
    "gevent_requests": ("session.get(url)", "gevent.joinall(greenlets)"),
    "asyncio_aiohttp": ("session.get(url) as response", "asyncio.gather("),
    "taskgroup_aiohttp": ("session.get(url) as response", "asyncio.TaskGroup()"),
}
# Every built-in lesson, by its module: (style, client).
LESSONS = {
    lesson_module(style, client) or style: (style, client)
    for style in STRATEGIES
    for client in clients_of(style)
}


def line_of(strategy: str, text: str) -> int:
    lines = [number for number, line in enumerate(source_of(strategy).splitlines(), 1)
             if text in line]  # fmt: skip
    assert len(lines) == 1, f"{text!r} is on lines {lines} of {strategy}"
    return lines[0]


@pytest.fixture(scope="module")
def runs(target: Target) -> dict[str, RunState]:
    """Every lesson's run of three slow tasks, side by side (the X-ray's budget is CPU time:
    runs beside it delay its looks, they do not thin them out)."""
    states = {lesson: RunState() for lesson in LESSONS}

    async def side_by_side(first: bool) -> None:
        await asyncio.gather(*(
            run_strategy(style, scenario(count=3, latency_ms=3000, timeout_s=5.0, client=client),
                         target, states[lesson].apply)
            for lesson, (style, client) in LESSONS.items() if (lesson == style) == first
        ))  # fmt: skip

    # The styles' first clients side by side, then their second ones: fourteen workers at
    # once on a busy machine of two cores start seconds apart, and so do their tasks.
    asyncio.run(side_by_side(first=True))
    asyncio.run(side_by_side(first=False))
    return states


def test_every_lesson_covers_waits() -> None:
    assert set(WAITS) == set(LESSONS)


@pytest.mark.parametrize("strategy", list(LESSONS))
def test_the_xray_finds_every_task_where_it_waits(strategy: str, runs: dict[str, RunState]) -> None:
    """At some look, every task is at the line that waits for its response, on the network;
    the starter waits where the lesson waits for them."""
    state = runs[strategy]
    assert state.completed and state.xray.startswith("on"), (state.status, state.xray)
    task_text, starter_text = WAITS[strategy]
    waiting_line = line_of(strategy, task_text)
    at_the_wait = [
        {
            task
            for task, spot in by_task(sample).items()
            if spot[2] == waiting_line and spot[3] == "network"
        }
        for sample in state.samples
    ]
    if strategy.startswith("sequential"):  # one at a time: each in turn
        assert set().union(*at_the_wait) == {0, 1, 2}, at_the_wait
        assert max(map(len, at_the_wait)) == 1
    else:
        assert {0, 1, 2} in at_the_wait, [sample.spots for sample in state.samples]
    if starter_text is not None:
        starter_line = line_of(strategy, starter_text)
        starters = [
            spot for sample in state.samples for spot in by_line(sample).get(starter_line, [])
        ]
        assert any(spot[1] is None and spot[3] == "waiting" for spot in starters), starters


@pytest.mark.parametrize("strategy", list(LESSONS))
def test_a_finished_task_is_nowhere(strategy: str, runs: dict[str, RunState]) -> None:
    """No look after a task's end (and the look's interval) still has the task somewhere, and
    every spot is a line of the lesson."""
    state = runs[strategy]
    lines = len(source_of(strategy).splitlines())
    for sample in state.samples:
        for _, task, line, _ in sample.spots:
            assert 1 <= line <= lines
            ended = state.tasks[task].ended if task is not None else None
            assert ended is None or sample.t <= ended + xray.EVERY_S * 4, (sample, ended)


# The line each style's task waits at for a free slot under a concurrency limit.
SLOTS = {"threads": "with slots:", "asyncio": "async with slots:", "trio": "async with slots:"}


@pytest.mark.parametrize("strategy", list(SLOTS))
def test_a_task_waiting_for_a_slot_is_queued(strategy: str, target: Target) -> None:
    """One slot for three tasks of 1.5 s: while one fetches, the other two wait their turn
    at the line that takes a slot, queued (a semaphore, or trio's CapacityLimiter, is how a
    lesson caps concurrency), not waiting on a lock."""
    one_at_a_time = scenario(count=3, latency_ms=1500, timeout_s=5.0, concurrency=1)
    state = run(strategy, one_at_a_time, target)
    assert state.completed and state.xray.startswith("on"), (state.status, state.xray)
    slot_line = line_of(strategy, SLOTS[strategy])
    states = {spot[3] for sample in state.samples for spot in by_line(sample).get(slot_line, [])}
    assert states == {"queued"}, [sample.spots for sample in state.samples]


# The line each loop's task calls the handler at, and the line its main thread runs the loop.
HANDLER_CALLS = {
    "asyncio": ("return handle(response)", "asyncio.run("),
    "trio": ("results[index] = handle(response)", "trio.run("),
}


@pytest.mark.parametrize("strategy", list(HANDLER_CALLS))
def test_a_blocking_call_is_seen_running_in_the_loop(strategy: str, target: Target) -> None:
    """A handler's blocking call on the loop: the task is seen running at the line that
    calls the handler, for the whole block, while no other task moves; it is seen as its
    task, apart from the main thread below the loop, which waits where it runs the loop."""
    blocked = run(strategy, scenario("blocking@0", count=3, latency_ms=2000, timeout_s=5.0),
                  target)  # fmt: skip
    handler_text, loop_text = HANDLER_CALLS[strategy]
    handler_line, loop_line = line_of(strategy, handler_text), line_of(strategy, loop_text)
    looks = [
        (by_task(sample).get(0), by_line(sample).get(loop_line, [])) for sample in blocked.samples
    ]
    running = [
        (spot, main)
        for spot, main in looks
        if spot
        and spot[2:] == (handler_line, "running")
        and spot[0] != "MainThread"
        and [(each[0], each[3]) for each in main] == [("MainThread", "waiting")]
    ]
    assert running, [sample.spots for sample in blocked.samples]


def test_over_the_limit_the_xray_is_off(target: Target) -> None:
    """Above the task limit the X-ray is off, says why, and sends no look."""
    state = run("asyncio", scenario(count=xray.MAX_TASKS + 1, latency_ms=10), target)
    assert state.completed
    assert state.xray.startswith("off:") and f"{xray.MAX_TASKS:,}" in state.xray
    assert state.samples == []


def test_samples_round_trip_and_bad_ones_are_refused() -> None:
    """A look survives JSON; a spot with an unknown state or no line is a malformed event."""
    sample = ev.Sampled(
        0.5, (("Thread-1 (fetch)", 0, 22, "network"), ("MainThread", None, 34, "waiting"))
    )
    assert ev.decode(ev.encode(sample)) == sample
    for bad in (
        ["w", 0, 22, "sleeping"],
        ["w", 0, 0, "network"],
        ["w", -1, 3, "lock"],
        ["w", 0, 3],
    ):
        line = ev.encode(sample).replace(
            '["MainThread",null,34,"waiting"]', str(bad).replace("'", '"')
        )
        with pytest.raises(MalformedEvent):
            ev.decode(line)


def test_the_fold_keeps_every_look_in_order() -> None:
    """Looks are kept as they came, and by_line / by_task read one of them."""
    start = ev.RunStarted(0.0, "threads", 1, 2, 2, 0.1, {}, 0.0, "on: a look every 50 ms")
    first = ev.Sampled(
        0.1, (("T1", 0, 22, "network"), ("T2", 1, 22, "network"), ("M", None, 34, "waiting"))
    )
    second = ev.Sampled(0.2, (("T2", 1, 24, "running"),))
    state = fold([start, first, second])
    assert state.samples == [first, second] and state.xray.startswith("on")
    assert {line: len(spots) for line, spots in by_line(first).items()} == {22: 2, 34: 1}
    assert by_task(first) == {0: first.spots[0], 1: first.spots[1]}
    assert by_task(second) == {1: ("T2", 1, 24, "running")} and by_line(None) == {}


def test_closing_the_sampler_does_not_wait_for_its_next_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sampler waits cost / BUDGET between looks (a second and more at 200 tasks); the
    run's end must not wait that long for it: close() wakes it. Here the wait would be an
    hour."""
    import threading

    monkeypatch.setattr(sampler_module, "EVERY_S", 3600.0)

    class Reporter:
        harness_threads = 0

        def emit(self, event: object) -> None:
            pass

        def now(self) -> float:
            return 0.0

    looked = threading.Event()
    sampler = Sampler(Reporter(), __file__)  # type: ignore[arg-type]
    monkeypatch.setattr(sampler, "look", looked.set)
    sampler.start()
    assert looked.wait(10), "the first look is taken at once"
    closing = threading.Thread(target=sampler.close, daemon=True)  # fails, not hangs
    closing.start()
    closing.join(10)
    assert not closing.is_alive(), "close() waited for the next look"


def test_a_runs_first_look_is_not_paced_by_its_cold_cost() -> None:
    """A run's first look walks everything cold (1.2-2 ms of CPU where the later ones take
    0.15-0.4 ms); paced by that, the X-ray missed a 3 s task's whole wait on a busy machine.
    The next look comes as soon as looks may; every later look keeps to the budget."""
    cold = 0.002
    assert pause_after(cold, first=True) == xray.EVERY_S
    assert pause_after(cold, first=False) == pytest.approx(cold / xray.BUDGET)
    assert pause_after(0.0, first=False) == xray.EVERY_S


def test_the_threadpool_starter_handing_out_a_task_is_not_that_tasks(target: Target) -> None:
    """The real threadpool lesson, its main run on a thread of this process and looked at as
    the sampler looks: held in its submitting loop after handing out task 0 (the job's URLs
    wait there until told to go on), its thread is at the submit line, as no task's, though
    the comprehension's `url` is task 0's; the pool's thread that fetches task 0 is task 0's.
    (The X-ray named the starter "task 0" at the submit line, where the live view had it
    as MainThread.)"""
    import threading

    import httpx

    from asyncplay.engine.worker.attribution import task_of
    from asyncplay.engine.worker.finding import Finder
    from asyncplay.engine.workload import build_plan
    from asyncplay.strategies import threadpool

    urls = target.urls(build_plan(scenario(count=2, latency_ms=3000, timeout_s=10.0)))
    go_on = threading.Event()

    class HeldJob:
        limit = 2

        @property
        def urls(self):  # type: ignore[no-untyped-def]
            yield urls[0]
            go_on.wait()  # the starter's loop waits here, task 0 handed out
            yield from urls[1:]

        def client(self) -> httpx.Client:
            return httpx.Client(timeout=10.0)

    starter = threading.Thread(target=threadpool.main, args=(HeldJob(),), name="starter")
    starter.start()
    submit_line, fetch_line = (
        line_of("threadpool", "pool.submit("),
        line_of("threadpool", "client.get(url)"),
    )
    finder = Finder()

    def both_seen() -> dict[str, tuple[int | None, int]] | None:
        seen = {each.worker: (task_of(each), each.frames[0].f_lineno)
                for each in finder.look(threadpool.__file__)}  # fmt: skip
        fetching = [name for name, (_, line) in seen.items() if line == fetch_line]
        return seen if "starter" in seen and fetching else None

    try:
        seen = eventually(both_seen, what="the starter held at the submit, task 0 fetched")
    finally:
        go_on.set()
        starter.join()
    assert seen["starter"] == (None, submit_line), seen
    assert [task for task, line in seen.values() if line == fetch_line] == [0], seen
