"""The X-ray's state rules, on workers of this very file: what each is doing at its line.

The workers here block for real (on a semaphore, a lock, a sleep), in threads and in an
asyncio loop or a trio run of this process, and a Finder looks at them from outside as the
sampler does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import trio
import trio.testing
from waiting import eventually

from asyncplay.engine.worker.attribution import task_of
from asyncplay.engine.worker.finding import Finder
from asyncplay.engine.worker.seen import Seen
from asyncplay.engine.worker.states import state_of
from asyncplay.engine.worker.trio_runs import RunTasks

HERE = __file__


def looked_at(finder: Finder, worker: str) -> Callable[[], Seen | None]:
    def find() -> Seen | None:
        return next((seen for seen in finder.look(HERE) if seen.worker == worker), None)

    return find


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of a test, so every worker it started can finish."""
    done = threading.Event()
    yield done
    done.set()


def blocked_in(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("make", "state"),
    [(threading.Semaphore, "queued"), (threading.BoundedSemaphore, "queued"),
     (threading.Lock, "lock"), (threading.RLock, "lock")],
)  # fmt: skip
def test_a_thread_that_acquires_waits_its_turn_or_on_a_lock(
    make: Callable[[], object], state: str
) -> None:
    """A semaphore caps concurrency: who waits for one waits its turn (queued); who waits
    for a lock waits on a lock. Called directly, not in a `with` header."""
    held = make()
    held.acquire()  # type: ignore[attr-defined]

    def take() -> None:
        held.acquire()  # type: ignore[attr-defined]

    thread = blocked_in(take, "taker")
    finder = Finder()
    seen = eventually(looked_at(finder, "taker"), what="the thread blocked in acquire()")
    assert state_of(seen) == state
    held.release()  # type: ignore[attr-defined]
    thread.join()


def test_a_thread_that_waits_for_a_url_works_for_its_task(release: threading.Event) -> None:
    def fetch() -> None:
        url = "http://127.0.0.1:9/task/17?delay_ms=200"  # noqa: F841 - what the X-ray reads
        release.wait()

    blocked_in(fetch, "fetcher")
    seen = eventually(looked_at(Finder(), "fetcher"), what="the thread waiting on its event")
    assert task_of(seen) == 17 and state_of(seen) == "lock"  # an Event waits on a lock


@pytest.mark.parametrize(("make", "state"), [(asyncio.Semaphore, "queued"), (asyncio.Lock, "lock")])
def test_a_task_that_awaits_acquire_waits_its_turn_or_on_a_lock(
    make: Callable[[], object], state: str
) -> None:
    found: list[str] = []

    async def taker(held: object) -> None:
        await held.acquire()  # type: ignore[attr-defined]

    async def main() -> None:
        finder = Finder()
        finder.loops.add(asyncio.get_running_loop())  # as track_loops would have, had it run
        held = make()
        await held.acquire()  # type: ignore[attr-defined]
        task = asyncio.create_task(taker(held), name="taker")
        await asyncio.sleep(0)  # the task's first step: into acquire, and parked there
        seen = await asyncio.to_thread(
            eventually, looked_at(finder, "taker"), what="the task parked in acquire()"
        )
        found.append(state_of(seen))
        held.release()  # type: ignore[attr-defined]
        await task

    asyncio.run(main())
    assert found == [state]


def trio_look(main: Callable[[Finder], Awaitable[None]]) -> None:
    """Run `main` in trio with a Finder that keeps the run's tasks, as the sampler's does."""
    finder = Finder()
    trio.run(main, finder, instruments=[RunTasks(finder.trio_runs)])


def from_another_thread(finder: Finder, worker: str) -> Seen | None:
    """What a look from another thread finds of `worker`, while this thread waits for it
    (a trio task that calls this holds its loop: nothing moves meanwhile)."""
    found: list[Seen | None] = []
    looking = threading.Thread(target=lambda: found.append(looked_at(finder, worker)()))
    looking.start()
    looking.join()
    return found[0]


@pytest.mark.parametrize(
    ("make", "state"),
    [(lambda: trio.CapacityLimiter(1), "queued"), (lambda: trio.Semaphore(1), "queued"),
     (trio.Lock, "lock")],
)  # fmt: skip
def test_a_trio_task_that_awaits_acquire_waits_its_turn_or_on_a_lock(
    make: Callable[[], Any], state: str
) -> None:
    """trio's CapacityLimiter is how its lessons cap concurrency, like a semaphore: who waits
    for one waits its turn; who waits for a Lock waits on a lock."""
    found: list[str] = []

    async def taker(held: Any) -> None:
        await held.acquire()

    async def main(finder: Finder) -> None:
        held = make()
        await held.acquire()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(taker, held, name="taker")
            await trio.testing.wait_all_tasks_blocked()  # the taker is parked in acquire()
            seen = from_another_thread(finder, "taker")
            assert seen is not None, "the parked task was not found"
            found.append(state_of(seen))
            held.release()

    trio_look(main)
    assert found == [state]


def test_a_trio_task_scheduled_to_run_is_queued() -> None:
    """A trio task that trio will run next (started, or woken) waits only for its turn: queued,
    though it is parked like any waiting task."""
    found: list[str] = []

    async def starter() -> None:
        await trio.sleep(0)

    async def main(finder: Finder) -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(starter, name="starter")  # scheduled; runs once this yields
            seen = from_another_thread(finder, "starter")
            assert seen is not None, "the scheduled task was not found"
            found.append(state_of(seen))

    trio_look(main)
    assert found == ["queued"]
