"""One lab variant, in its own process: run a lesson function, measure it from outside.

    python -m asyncplay.engine.worker.lab '{"module": ..., "function": ..., ...}' --out-fd 3

Sends JSON lines on the given descriptor: {"progress": {...}} as numbers come in, then one
{"measured": {...}}. Each experiment below is how one kind of lab is measured; the lessons
know nothing of it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import inspect
import itertools
import json
import os
import platform
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .. import xray
from . import hooks
from .finding import Finder
from .lab_positions import positions
from .watchdog import Watchdog, stuck
from .worker import collect_as_at_exit

Send = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Around:
    """What an experiment has around its lesson: where to send its progress, and how to find
    the lesson's workers (the process's one Finder, which the watchdog shares)."""

    send: Send
    finder: Finder


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def main() -> None:
    parser = argparse.ArgumentParser(prog="asyncplay-lab")
    parser.add_argument("spec")
    parser.add_argument("--out-fd", type=int, required=True)
    args = parser.parse_args()
    spec = json.loads(args.spec)

    def send(message: dict[str, Any]) -> None:
        os.write(args.out_fd, (json.dumps(message) + "\n").encode())

    finder = Finder()
    finder.track_loops()
    module = importlib.import_module(spec["module"])
    lesson = getattr(module, spec["function"])
    if spec["can_hang"]:
        Watchdog(finder, module.__file__ or "", send).start()
    measure = EXPERIMENTS[spec["experiment"]]
    send({"measured": measure(lesson, spec["params"], Around(send, finder))})
    os._exit(0)  # threads a lesson left behind must not hold the process up


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A lesson function called the way its style is: a coroutine function runs in asyncio."""
    if inspect.iscoroutinefunction(function):
        return asyncio.run(function(*args, **kwargs))
    return function(*args, **kwargs)


def constant(lesson: Callable[..., Any], name: str) -> Any:
    """A constant of the lesson's module (LOOKUP_S, TICK_S, ...): the numbers it was run with."""
    return getattr(sys.modules[lesson.__module__], name)


def race(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    workers, deposits, trials = params["workers"], params["deposits"], params["trials"]
    lost: list[int] = []
    for _ in range(trials):
        lost.append(workers * deposits - call(lesson, workers, deposits))
        around.send({"progress": {"trials": len(lost), "lost_updates": sum(lost)}})
    return {
        "python": platform.python_version(),  # whether a bare `x = x + 1` can be cut varies
        "trials": trials,
        "updates_per_trial": workers * deposits,
        "lost_updates": sum(lost),
        "trials_with_losses": sum(1 for each in lost if each),
        "most_lost_in_a_trial": max(lost),
    }


def deadlock(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    started = time.monotonic()
    try:
        call(lesson, **params)
    except Exception as error:  # gevent's hub knows when nothing can ever run again
        # The spawned workers are still parked where they waited: look before leaving.
        seen = positions(around.finder, inspect.getfile(lesson))
        said = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        found = stuck(seen, 0, time.monotonic() - started, said)
        return found if type(error).__name__ == "LoopExit" else {**found, "outcome": "raised"}
    return {"outcome": "finished", "after_s": round(time.monotonic() - started, 3)}


def queue(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    workers = params["workers"]
    if workers == "default":  # the size run_in_executor's default pool is made with
        workers = ThreadPoolExecutor()._max_workers
    waits = call(lesson, **{**params, "workers": workers})
    return {
        "workers": workers,
        "slow_s": constant(lesson, "SLOW_S"),
        "quick_waits_s": [round(wait, 4) for wait in waits],
    }


def heartbeat(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    with _Looks(around.finder, inspect.getfile(lesson)) as looks:
        beats = call(lesson)
    gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
    longest = max(range(len(gaps)), key=gaps.__getitem__)
    return {
        "beats": len(beats),
        "tick_s": constant(lesson, "TICK_S"),
        "hog_s": constant(lesson, "HOG_S"),
        "max_gap_s": round(gaps[longest], 4),
        # Where everyone was while the heartbeat waited longest: the X-ray's look nearest the
        # middle of that gap.
        "in_the_longest_gap": looks.within(beats[longest], beats[longest + 1]),
    }


class _Looks(threading.Thread):
    """The X-ray's looks at a lab's workers, with the time of each, while the lab runs."""

    def __init__(self, finder: Finder, lesson_file: str) -> None:
        super().__init__(name="asyncplay-looks", daemon=True)
        self.finder = finder
        self.lesson_file = lesson_file
        self.looks: list[tuple[float, list[dict[str, Any]]]] = []
        self.done = threading.Event()

    def __enter__(self) -> _Looks:
        self.finder.track_greenlets()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()

    def run(self) -> None:
        while not self.done.wait(xray.EVERY_S):
            found = [position.to_json() for position in positions(self.finder, self.lesson_file)]
            self.looks.append((time.monotonic(), found))

    def within(self, start: float, end: float) -> list[dict[str, Any]]:
        """The positions of the look nearest the middle of `start` to `end`, if one was
        taken in between (a short gap may fall between two looks: then none)."""
        inside = [look for look in self.looks if start <= look[0] <= end]
        middle = (start + end) / 2
        return min(inside, key=lambda look: abs(look[0] - middle))[1] if inside else []


# The secretary's switches are counted in a steady window: from when the five have been
# going a while to well before they are told to stop, so neither their start-up nor their
# ending is counted, only what being busy, on hold and idle costs.
STEADY_FROM_S = 0.3
STEADY_FOR_S = 1.0


def secretary(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    idle: tuple[str, ...] = constant(lesson, "IDLE")
    roles = ("filing", "airline", *idle)
    window = _Window(time.monotonic() + STEADY_FROM_S, STEADY_FOR_S)
    switches: Counter[str] = Counter()
    involuntary: dict[str, int] = {}
    if lesson.__name__.startswith("threads"):  # a lab function's name starts with its style
        watching = _ThreadSwitches(roles, window)
        watching.start()
        call(lesson, params["seconds"])
        watching.join()
        switches.update(watching.voluntary)
        involuntary = dict(watching.involuntary)
    elif lesson.__name__.startswith("gevent"):
        import greenlet  # type: ignore[import-untyped]

        def trace(event: str, args: Any) -> None:
            if event in ("switch", "throw") and window.now():
                switches[getattr(args[1], "name", "")] += 1

        greenlet.settrace(trace)
        call(lesson, params["seconds"])
        greenlet.settrace(None)
    else:
        with _task_steps(switches, window):
            call(lesson, params["seconds"])
    total = sum(switches[role] for role in roles)
    on_idle = sum(switches[role] for role in idle)
    return {
        "window_s": STEADY_FOR_S,
        "switches": {role: switches[role] for role in roles},
        # Preemption, by other processes as much as by the lesson: shown, never counted.
        "involuntary": {role: involuntary.get(role, 0) for role in roles} if involuntary else {},
        "total": total,
        "idle_share": round(on_idle / total, 4) if total else 0.0,
    }


@dataclass(frozen=True)
class _Window:
    """The steady window, in time.monotonic()."""

    start: float
    length_s: float

    @property
    def end(self) -> float:
        return self.start + self.length_s

    def now(self) -> bool:
        return self.start <= time.monotonic() < self.end


class _ThreadSwitches(threading.Thread):
    """Each named thread's context switches within the window, as the kernel counts them:
    read once at its start and once at its end, so the reading itself costs nothing between."""

    def __init__(self, roles: tuple[str, ...], window: _Window) -> None:
        super().__init__(daemon=True)
        self.roles, self.window = roles, window
        self.voluntary: Counter[str] = Counter()
        self.involuntary: Counter[str] = Counter()

    def run(self) -> None:
        time.sleep(max(0.0, self.window.start - time.monotonic()))
        first = self._read()
        time.sleep(max(0.0, self.window.end - time.monotonic()))
        for role, (voluntary, involuntary) in self._read().items():
            if role in first:
                self.voluntary[role] = voluntary - first[role][0]
                self.involuntary[role] = involuntary - first[role][1]

    def _read(self) -> dict[str, tuple[int, int]]:
        counts = {}
        for thread in threading.enumerate():
            if thread.name in self.roles and thread.native_id is not None:
                read = _proc_switches(thread.native_id)
                if read is not None:
                    counts[thread.name] = read
        return counts


def _proc_switches(native_id: int) -> tuple[int, int] | None:
    try:
        with open(f"/proc/self/task/{native_id}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:  # the thread ended between the listing and the read
        return None
    return int(fields["voluntary_ctxt_switches"]), int(fields["nonvoluntary_ctxt_switches"])


@contextlib.contextmanager
def _task_steps(steps: Counter[str], window: _Window) -> Iterator[None]:
    """Counts each asyncio task's steps within the window: every time the loop switches to it."""
    original = asyncio.events.Handle._run

    def run(handle: asyncio.Handle) -> None:
        task = getattr(handle._callback, "__self__", None)  # type: ignore[attr-defined]
        if isinstance(task, asyncio.Task) and window.now():
            steps[task.get_name()] += 1
        original(handle)

    asyncio.events.Handle._run = run  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        asyncio.events.Handle._run = original  # type: ignore[method-assign]


def waiters(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    count = params["count"]
    measured: dict[str, Any] = {"count": count}

    def started(began: float, rss_before: int) -> None:
        start_s, rss_kb = time.perf_counter() - began, _rss_kb() - rss_before
        measured.update(
            start_s=round(start_s, 4),
            start_us_each=round(start_s / count * 1e6, 2),
            rss_kb=rss_kb,
            kb_each=round(rss_kb / count, 3),
        )

    try:
        if inspect.iscoroutinefunction(lesson):

            async def drive() -> None:
                rss, began = _rss_kb(), time.perf_counter()
                let_go = await lesson(count)
                started(began, rss)
                await let_go()

            asyncio.run(drive())
        else:
            rss, began = _rss_kb(), time.perf_counter()
            let_go = lesson(count)
            started(began, rss)
            let_go()
    except (RuntimeError, MemoryError, OSError) as error:  # "can't start new thread"
        measured["error"] = f"{type(error).__name__}: {error}"
    return measured


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_KB


def forgotten(lesson: Callable[..., Any], params: dict[str, Any], around: Around) -> dict[str, Any]:
    reports: list[tuple[float, str]] = []
    began = time.monotonic()
    hooks.install(lambda channel, error, via: reports.append((time.monotonic() - began, via)))
    call(lesson)
    returned_s = time.monotonic() - began
    collect_as_at_exit()  # what the interpreter would still report on its way out
    first = reports[0] if reports else None
    return {
        "carry_on_s": constant(lesson, "CARRY_ON_S"),
        "returned_s": round(returned_s, 4),
        "reported_s": round(first[0], 4) if first else None,
        "reported_by": first[1] if first else None,
        "reports": len(reports),
    }


EXPERIMENTS: dict[str, Callable[[Callable[..., Any], dict[str, Any], Around], dict[str, Any]]] = {
    "race": race,
    "deadlock": deadlock,
    "queue": queue,
    "heartbeat": heartbeat,
    "secretary": secretary,
    "waiters": waiters,
    "forgotten": forgotten,
}

if __name__ == "__main__":
    main()
