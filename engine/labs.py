"""The labs: which lesson functions each one runs, in which style, and how each is measured.

A lab is a module of `strategies/labs/` and a list of variants: one function of it, run in
one style, measured one way (its experiment), with its own parameters. The fetch runs the
claims also lean on are variants too (experiment "fetch"): a strategy on a small scenario.
Kept as data, so the CLI and the app list the labs without importing any lesson.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .catalogue import LABS_PACKAGE

Experiment = Literal[
    "race", "deadlock", "queue", "heartbeat", "secretary", "waiters", "forgotten", "fetch"
]


@dataclass(frozen=True)
class Variant:
    """One function of a lab, run in one style, measured one way."""

    lab: str
    function: str  # in the lab's module; for a fetch, the strategy ("labs.callbacks:unchecked")
    style: str
    what: str  # what this variant does, in a few words
    experiment: Experiment
    params: dict[str, Any] = field(default_factory=dict)
    can_hang: bool = False  # run it under the watchdog
    # A variant whose outcome a busy machine can move runs several times; its numbers are
    # then {"runs": [each run's, or None]}. Variants with the same `interleave` take turns,
    # run by run (clean, blocking, clean, blocking...), so load hits them alike.
    runs: int = 1
    interleave: str = ""

    @property
    def key(self) -> str:
        """Unique among all variants: `races.threads_call`, `waiters.threads@10000`."""
        if self.experiment == "fetch":  # a fetch run two labs lean on is one run
            faults = self.params.get("faults")
            told = "" if faults is None else "+" + ("+".join(faults) or "none")
            return f"fetch.{self.function}@{self.params['scenario']}{told}"
        suffix = f"@{self.params['count']}" if self.experiment == "waiters" else ""
        return f"{self.lab}.{self.function}{suffix}"

    @property
    def module(self) -> str:
        return f"{LABS_PACKAGE}.{self.lab}"


@dataclass(frozen=True)
class Lab:
    name: str
    title: str
    variants: tuple[Variant, ...]

    @property
    def styles(self) -> list[str]:
        return list(dict.fromkeys(variant.style for variant in self.variants))

    def of_styles(self, styles: list[str] | None) -> list[Variant]:
        return [v for v in self.variants if styles is None or v.style in styles]


def _variants(
    lab: str, experiment: Experiment, *rows: tuple[Any, ...], runs: int = 1, **shared: Any
) -> tuple[Variant, ...]:
    """Rows of (function, style, what[, params][, can_hang]), each run `runs` times."""
    made = []
    for function, style, what, *rest in rows:
        params = {**shared, **(rest[0] if rest else {})}
        can_hang = bool(rest[1]) if len(rest) > 1 else False
        made.append(Variant(lab, function, style, what, experiment, params, can_hang, runs))
    return tuple(made)


def _taking_turns(strategy: str, style: str) -> tuple[Variant, ...]:
    """A strategy's runs with blocking calls, each after a run of the same without them."""
    clean = {**BLOCKING_RUNS, "faults": NO_FAULTS}
    return tuple(
        Variant("blocking", strategy, style, what, "fetch", params, runs=BLOCKING_PAIRS,
                interleave=f"blocking.{strategy}")
        for what, params in (("no blocking call", clean), ("blocking calls", BLOCKING_RUNS))
    )  # fmt: skip


# Fixed before any result was seen; see the verdicts for what each number decides.
RACE_WORKERS = 4
RACE_TRIALS = 20
# Enough that each thread deposits for several of the interpreter's switch intervals (5 ms):
# at 50,000 a thread was done in 1.5 ms on a quiet machine, before another could run, and no
# update was lost in 20 trials whatever the code; at 500,000 every trial of four shows losses.
THREAD_DEPOSITS = 500_000
# Threads waiting on one Lock hand it over through the kernel: 500,000 took 2.6 s a trial.
# Fewer show the same, since with the lock no switch can fall inside whatever the timing.
LOCKED_THREAD_DEPOSITS = 50_000
LOCKED_TRIALS = 3  # a lock rules losses out, whatever the timing: a few trials show it
WAITER_COUNTS = (100, 1_000, 10_000)
# A lab that can hang is stuck when no worker has started or ended for this long: its
# watchdog then reports who holds what and ends it.
HANG_S = 2.0
# Long enough for a steady second after the five have started (see the secretary experiment).
SECRETARY_S = 1.6
SECRETARY_RUNS = 3
# Two locks taken in opposite orders by two threads deadlock only if both take their first
# before either asks for its second: timing decides, so the threads' versions run this often.
DEADLOCK_RUNS = 5
# Four blocking calls of 0.2 s in twenty fetches: 0.6 s lost when they run one after
# another, three times what a busy machine moved a clean run's time between runs.
BLOCKING_RUNS: dict[str, Any] = {"scenario": "blocking", "faults": ["blocking:0.2"]}
NO_FAULTS: list[str] = []
BLOCKING_PAIRS = 5
# Several handler bugs, not one: what happens to the second error is half the lesson. They
# land together (the scenario has no jitter), so there is a second error whenever the first
# reaches the caller: with jitter, whether one came before the loop was cancelled was chance,
# and `errors-up-the-stack` went from partly to holds between two runs.
HANDLER_BUGS = {"scenario": "handler-bugs"}

# fmt: off
LABS: dict[str, Lab] = {
    lab.name: lab
    for lab in (
        Lab("races", "A shared balance, read and written back by many workers", (
            *_variants("races", "race",
                ("threads_bare", "threads", "balance = balance + 1"),
                ("threads_call", "threads", "a function call inside"),
                ("threads_lock", "threads", "inside a Lock",
                 {"trials": LOCKED_TRIALS, "deposits": LOCKED_THREAD_DEPOSITS}),
                workers=RACE_WORKERS, deposits=THREAD_DEPOSITS, trials=RACE_TRIALS),
            *_variants("races", "race",
                ("gevent_bare", "gevent", "no wait inside"),
                ("gevent_io", "gevent", "a wait inside"),
                ("gevent_lock", "gevent", "a wait inside a Semaphore", {"trials": LOCKED_TRIALS}),
                ("asyncio_bare", "asyncio", "no await inside"),
                ("asyncio_await", "asyncio", "an await inside"),
                ("asyncio_lock", "asyncio", "an await inside a Lock", {"trials": LOCKED_TRIALS}),
                workers=RACE_WORKERS, deposits=2_000, trials=RACE_TRIALS),
        )),
        Lab("deadlocks", "Two transfers, two locks, taken in opposite orders", (
            *_variants("deadlocks", "deadlock",
                ("threads", "threads", "two Locks", {}, True),
                ("threads_polite", "threads", "try-lock and back off (livelock?)", {}, True),
                runs=DEADLOCK_RUNS),
            *_variants("deadlocks", "deadlock",
                ("gevent_locks", "gevent", "two Semaphores", {}, True),
                ("asyncio_locks", "asyncio", "two Locks, an await between", {}, True),
                ("asyncio_no_pause", "asyncio", "two Locks, nothing awaited between", {}, True),
                ("asyncio_events", "asyncio", "each waits for the other's Event", {}, True),
                ("asyncio_polite", "asyncio", "try-lock and back off (livelock?)", {}, True)),
        )),
        Lab("starvation", "Quick calls behind slow ones, on a bounded pool", (
            *_variants("starvation", "queue",
                ("threadpool_queue", "threadpool", "a pool of 2 threads", {"workers": 2}),
                ("asyncio_executor", "asyncio", "asyncio's default executor",
                 {"workers": "default"}),
                ("asyncio_tasks", "asyncio", "coroutines, no pool", {"workers": "default"}),
                ("asyncio_connections", "asyncio", "coroutines sharing 2 HTTP connections",
                 {"workers": 2, "fetches": True})),
            *_variants("starvation", "deadlock",
                ("threadpool_nested", "threadpool", "pool tasks waiting on their own pool",
                 {"workers": 2}, True)),
        )),
        Lab("hog", "A heartbeat beside a worker that computes without a pause", _variants(
            "hog", "heartbeat",
            ("threads_hog", "threads", "a heartbeat thread beside a busy one"),
            ("gevent_hog", "gevent", "a heartbeat greenlet beside a busy one"),
            ("asyncio_hog", "asyncio", "a heartbeat task beside a busy one"),
        )),
        Lab("secretary", "Five workers: one busy, one on hold, three idle", _variants(
            "secretary", "secretary",
            ("threads_polling", "threads", "five threads; the idle ones wake to look"),
            ("threads", "threads", "five threads; the idle ones block until told"),
            ("gevent_greenlets", "gevent", "five greenlets"),
            ("asyncio_tasks", "asyncio", "five tasks"),
            seconds=SECRETARY_S, runs=SECRETARY_RUNS,
        )),
        Lab("waiters", "N idle waiters, and what each costs", tuple(
            variant
            for count in WAITER_COUNTS
            for variant in _variants(
                "waiters", "waiters",
                ("threads", "threads", f"{count:,} threads"),
                ("gevent_greenlets", "gevent", f"{count:,} greenlets"),
                ("asyncio_tasks", "asyncio", f"{count:,} tasks"),
                ("tornado_callbacks", "tornado", f"{count:,} pending callbacks"),
                count=count,
            )
        )),
        Lab("forgotten", "Fire and forget a worker that fails", _variants(
            "forgotten", "forgotten",
            ("threads", "threads", "a bare Thread"),
            ("gevent_spawn", "gevent", "gevent.spawn"),
            ("asyncio_kept", "asyncio", "create_task, reference kept"),
            ("asyncio_dropped", "asyncio", "create_task, no reference"),
        )),
        Lab("callbacks", "Callbacks and their errors, against the fetch strategies", (
            *_variants("callbacks", "fetch",
                ("callbacks", "tornado", "callbacks, handler bugs", HANDLER_BUGS),
                ("callbacks", "tornado", "callbacks, 500s", {"scenario": "server-errors"}),
                ("labs.callbacks:unchecked", "tornado", "a callback that never checks",
                 {"scenario": "server-errors"}),
                ("callbacks", "tornado", "callbacks counted by hand", {"scenario": "clean"}),
                ("labs.callbacks:gathered", "tornado", "futures gathered with gen.multi",
                 {"scenario": "clean"})),
        )),
        Lab("fetches", "The fetch strategies, on small scenarios", (
            *_variants("fetches", "fetch",
                ("sequential", "sequential", "one at a time", {"scenario": "clean"}),
                ("generators", "generators", "handler bugs", HANDLER_BUGS),
                ("asyncio", "asyncio", "handler bugs", HANDLER_BUGS),
                ("taskgroup", "taskgroup", "handler bugs", HANDLER_BUGS),
                ("trio", "trio", "handler bugs", HANDLER_BUGS)),
        )),
        Lab("blocking", "A blocking call in the handler, against runs without one", tuple(
            variant
            for strategy, style in (
                ("threads", "threads"), ("threadpool", "threadpool"), ("gevent", "gevent"),
                ("callbacks", "tornado"), ("generators", "generators"),
                ("asyncio", "asyncio"), ("taskgroup", "taskgroup"),
            )
            for variant in _taking_turns(strategy, style)
        )),
    )
}
# fmt: on


def all_variants() -> list[Variant]:
    """Every variant once (a fetch two labs share is run once)."""
    unique: dict[str, Variant] = {}
    for lab in LABS.values():
        for variant in lab.variants:
            unique.setdefault(variant.key, variant)
    return list(unique.values())
