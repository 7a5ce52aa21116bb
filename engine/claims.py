"""The article's claims, and the verdict on each: a pure function of what the labs measured.

Every claim names the variants it needs and a rule, written out in words beside the code
that applies it. The thresholds are named constants, used by the judge and written into the
rule's words from the same constant, so the two cannot drift apart; they were fixed with the
rules, before any lab had run. The verdict is `holds`, `partly` or `fails`, or `unmeasured`
when a variant it needs gave no numbers (and then it says which).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import labs

Verdict = Literal["holds", "partly", "fails", "unmeasured"]
VERDICTS: tuple[Verdict, ...] = ("holds", "partly", "fails", "unmeasured")
Measured = Mapping[str, Mapping[str, Any]]  # variant key -> its numbers
# What a rule raises when a number is not what its lab sends (a word, a list, a missing key).
UNREADABLE = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)
CANNOT_READ = "numbers the rule cannot read"  # the evidence of a rule that could not read them

# The styles that pass errors up the stack: trio's nursery beside asyncio's, as the article's
# async/await is written today in trio (it raises every error together, as a TaskGroup does).
COROUTINE_STYLES = ("generators", "asyncio", "taskgroup", "trio")
LOOP_STYLES = ("gevent", "callbacks", "generators", "asyncio", "taskgroup")
THREAD_STYLES = ("threads", "threadpool")
HANDLER_BUGS = labs.HANDLER_BUGS["scenario"]  # as in the variant keys


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    evidence: str  # one line, with numbers and units


@dataclass(frozen=True)
class Claim:
    id: str
    section: str  # where the article makes it
    claim: str  # in our words
    rule: str  # how the verdict is decided, shown beside it
    needs: tuple[str, ...]  # variant keys
    judge: Callable[[Measured], Judgement]
    # False for a claim the article does not make, which stands apart ("beyond the article")
    in_article: bool = True

    def judged(self, measured: Measured) -> Judgement:
        missing = [key for key in self.needs if key not in measured]
        if missing:
            return Judgement("unmeasured", f"no numbers from {', '.join(missing)}")
        try:
            return self.judge(measured)
        except UNREADABLE as error:  # a lab's numbers come from a child process, or a file
            return Judgement("unmeasured", f"{CANNOT_READ} ({type(error).__name__})")

    def measured(self, measured: Measured) -> dict[str, Any]:
        return {key: dict(measured[key]) for key in self.needs if key in measured}


def _three(first: bool, second: bool) -> Verdict:
    """holds when both hold, partly when one does, fails when neither."""
    return "holds" if first and second else "partly" if first or second else "fails"


def _pct(share: float) -> str:
    """A threshold as the rules write it: 0.9 is "90%"."""
    return f"{share:.0%}"


def runs_of(numbers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The runs of a variant that runs several times (its numbers hold "runs", one entry per
    run, None for a run that gave no numbers), those that gave numbers."""
    return [run for run in numbers.get("runs", []) if isinstance(run, Mapping)]


def median_run(numbers: Mapping[str, Any], field: str) -> Mapping[str, Any] | None:
    """The run whose `field` is the median (the lower of the middle two), to show as typical;
    runs whose `field` is not a number are passed over."""
    runs = [run for run in runs_of(numbers) if isinstance(run.get(field), int | float)]
    runs.sort(key=lambda run: float(run[field]))
    return runs[(len(runs) - 1) // 2] if runs else None


def _spread(seconds: list[float]) -> str:
    """A median and the range it came from: "+0.61 s (+0.55 to +0.70 over 5 runs)"."""
    middle = statistics.median(seconds)
    if len(seconds) == 1:
        return f"{middle:+.2f} s (1 run)"
    return f"{middle:+.2f} s ({min(seconds):+.2f} to {max(seconds):+.2f} over {len(seconds)} runs)"


# one-at-a-time

WAITED_SHARE = 0.9  # one at a time takes at least this share of the summed latencies
BUSY_SHARE = 0.25  # and the CPU is busy at most this share of it


def one_at_a_time(m: Measured) -> Judgement:
    run = m["fetch.sequential@clean"]
    busy = run["cpu_s"] / run["wall_s"]
    waited = run["wall_s"] >= WAITED_SHARE * run["latency_sum_s"]
    return Judgement(
        _three(waited, busy <= BUSY_SHARE),
        f"{run['tasks']} fetches one at a time took {run['wall_s']:.2f} s for "
        f"{run['latency_sum_s']:.2f} s of summed latency; the CPU was busy {busy:.0%} of it",
    )


# callbacks


def callbacks_swallow(m: Measured) -> Judgement:
    fates = m[f"fetch.callbacks@{HANDLER_BUGS}"]["fates"]
    reached = fates["raised"] + fates["returned"]
    hidden = fates["logged"] + fates["lost"]
    if not reached + hidden:
        return Judgement("unmeasured", "no handler error happened")
    verdict: Verdict = "holds" if not reached else "fails" if not hidden else "partly"
    return Judgement(
        verdict,
        f"{reached} of {reached + hidden} errors raised in callbacks reached the caller; "
        f"{fates['logged']} were logged by Tornado, {fates['lost']} lost",
    )


def errors_as_values(m: Measured) -> Judgement:
    checked = m["fetch.callbacks@server-errors"]
    unchecked = m["fetch.labs.callbacks:unchecked@server-errors"]
    returned = checked["fates"]["returned"]
    lost = unchecked["fates"]["lost"]
    return Judgement(
        _three(returned == checked["faults"] > 0, lost > 0),
        f"checking callback: {returned} of {checked['faults']} HTTP 500s came back as values; "
        f"unchecked callback: {lost} of {unchecked['faults']} lost, read as pages",
    )


BROKEN_SHARE = 0.5  # a loop is broken when fewer than this share of the other fetches finish


def callback_error_breaks_loop(m: Measured) -> Judgement:
    run = m[f"fetch.callbacks@{HANDLER_BUGS}"]
    others = run["tasks"] - run["faults"]
    finished = sum(1 for status in run["statuses"].values() if status == "ok")
    verdict: Verdict = (
        "holds" if finished < others * BROKEN_SHARE else "partly" if finished < others else "fails"
    )
    return Judgement(
        verdict,
        f"after {run['faults']} callbacks raised, {finished} of {others} other fetches still "
        f"finished; the loop logged each error and went on",
    )


UNFINISHED = ("unfinished", "queued", "running")  # a fetch with no outcome when the run ended


def callbacks_not_gatherable(m: Measured) -> Judgement:
    def unfinished(key: str) -> int:
        return sum(1 for status in m[key]["statuses"].values() if status in UNFINISHED)

    by_hand = unfinished("fetch.callbacks@clean")
    run = m["fetch.labs.callbacks:gathered@clean"]
    gathered = unfinished("fetch.labs.callbacks:gathered@clean")
    # Only a fetch left without an outcome says the gathering did not wait; a fetch that
    # failed (a timeout on a busy machine) was waited for, and decides nothing.
    verdict: Verdict = "fails" if not gathered else "holds" if not by_hand else "partly"
    return Judgement(
        verdict,
        f"Tornado's futures gathered with gen.multi and add_future, no coroutine: "
        f"{len(run['statuses']) - gathered} of {len(run['statuses'])} fetches had an outcome "
        f"when the gathering resolved ({gathered} unfinished); counting replies by hand: "
        f"{by_hand} unfinished",
    )


# coroutines


def errors_up_the_stack(m: Measured) -> Judgement:
    shares = []
    for style in COROUTINE_STYLES:
        fates = m[f"fetch.{style}@{HANDLER_BUGS}"]["fates"]
        happened = sum(fates.values()) - fates["not_run"]
        shares.append((style, fates["raised"], happened))
    every = all(raised == happened for _, raised, happened in shares)
    some = all(raised > 0 for _, raised, _ in shares)
    verdict: Verdict = "holds" if every else "partly" if some else "fails"
    parts = ", ".join(f"{style} {raised} of {happened}" for style, raised, happened in shares)
    return Judgement(verdict, f"errors raised to the caller: {parts} (the rest logged or lost)")


# races


def _lost(m: Measured, key: str) -> int:
    return int(m[key]["lost_updates"])


def thread_races(m: Measured) -> Judgement:
    bare, call, lock = (_lost(m, f"races.threads_{v}") for v in ("bare", "call", "lock"))
    # The race real code hits is a read-modify-write that calls anything; whether the bare
    # `balance = balance + 1` can be cut is the interpreter's detail (CPython 3.10 and later
    # switch threads only at calls and loop back-edges), told in the evidence, not judged.
    verdict: Verdict = "holds" if call and not lock else "partly" if call or bare else "fails"
    per = m["races.threads_call"]
    python = per.get("python", "this Python")
    return Judgement(
        verdict,
        f"lost updates over {per['trials']} trials: {call:,} with a call inside the "
        f"read-modify-write, {lock:,} with a Lock; the bare `balance = balance + 1` lost "
        f"{bare:,} on Python {python}",
    )


def asyncio_race_free(m: Measured) -> Judgement:
    bare, awaited, lock = (_lost(m, f"races.asyncio_{v}") for v in ("bare", "await", "lock"))
    verdict: Verdict = "fails" if bare else "partly" if awaited else "holds"
    gevent = [_lost(m, f"races.gevent_{v}") for v in ("bare", "io", "lock")]
    return Judgement(
        verdict,
        f"asyncio lost {bare:,} updates with no await inside, {awaited:,} with one, "
        f"{lock:,} with a Lock; gevent {gevent[0]:,}, {gevent[1]:,} and {gevent[2]:,}",
    )


# deadlocks


def _stuck(numbers: Mapping[str, Any]) -> bool:
    return numbers.get("outcome") in ("deadlock", "livelock")


def _stuck_runs(m: Measured, key: str) -> tuple[int, int]:
    """How many of a variant's runs got stuck, of how many gave an outcome."""
    runs = runs_of(m[key]) if "runs" in m[key] else [m[key]]
    return sum(1 for run in runs if _stuck(run)), len(runs)


ASYNCIO_DEADLOCKS = ("asyncio_locks", "asyncio_no_pause", "asyncio_events")
# Where asyncio code makes its coroutines wait on each other, as the article says you would
# almost have to try: each holds a lock across an await that the other's lock waits on, or
# each waits for the other's Event ("require two coroutines to wake each other").
ASYNCIO_TRYING = ("asyncio_locks", "asyncio_events")
# And where it does not: the locks taken with nothing awaited between, and the polite retry.
ASYNCIO_NOT_TRYING = ("asyncio_no_pause", "asyncio_polite")
# Threads deadlock "by timing": both must take their first lock before either asks for its
# second. They deadlock, as the claim means it, when they did in at least half the runs.
THREADS_STUCK_SHARE = 0.5


def deadlocks(m: Measured) -> Judgement:
    stuck, runs = _stuck_runs(m, "deadlocks.threads")
    threads = runs > 0 and stuck >= THREADS_STUCK_SHARE * runs
    # Each asyncio version does the same in every run: one thread, and a switch only at an
    # await, so nothing about its order is left to timing.
    tried = [name for name in ASYNCIO_TRYING if _stuck(m[f"deadlocks.{name}"])]
    untried = [name for name in ASYNCIO_NOT_TRYING if _stuck(m[f"deadlocks.{name}"])]
    polite, polite_runs = _stuck_runs(m, "deadlocks.threads_polite")
    return Judgement(
        _three(threads, not untried),
        f"threads deadlocked in {stuck} of {runs} runs (timing decides); asyncio, the same "
        f"every run: stuck where written to wait on each other in {len(tried)} of "
        f"{len(ASYNCIO_TRYING)} ({', '.join(tried) or 'none'}), elsewhere in {len(untried)} "
        f"of {len(ASYNCIO_NOT_TRYING)} ({', '.join(untried) or 'none'}); gevent: "
        f"{m['deadlocks.gevent_locks'].get('detected_by', 'finished')}; polite threads stuck "
        f"in {polite} of {polite_runs} runs",
    )


# starvation

# A quick call "waited behind" slow ones when it waited at least this share of a slow call:
# half, so that neither a busy machine's delay nor a clock's grain can decide it.
STARVED_SHARE = 0.5


def _starved(numbers: Mapping[str, Any]) -> bool:
    return bool(min(numbers["quick_waits_s"]) >= STARVED_SHARE * numbers["slow_s"])


def _longest_wait(numbers: Mapping[str, Any]) -> str:
    return f"{max(numbers['quick_waits_s']):.2f} s"


def starvation(m: Measured) -> Judgement:
    pool, nested = m["starvation.threadpool_queue"], m["starvation.threadpool_nested"]
    executor, tasks = m["starvation.asyncio_executor"], m["starvation.asyncio_tasks"]
    connections = m["starvation.asyncio_connections"]
    threads = _starved(pool) or _stuck(nested)
    asyncio_fair = _starved(executor) and not _starved(tasks)
    verdict: Verdict = "fails" if not threads else "holds" if asyncio_fair else "partly"
    return Judgement(
        verdict,
        f"quick calls behind slow ones ({pool['slow_s']:.2f} s) waited up to: a pool of "
        f"{pool['workers']} threads {_longest_wait(pool)}, asyncio's executor "
        f"{_longest_wait(executor)}, coroutines with no pool {_longest_wait(tasks)}, "
        f"coroutines sharing {connections['workers']} HTTP connections "
        f"{_longest_wait(connections)}; a pool waiting on itself: "
        f"{nested.get('outcome', 'finished')} (full by construction)",
    )


# context switches


IDLE_SHARE_HOLDS = 0.40  # idle threads took at least this share of the switches: holds
IDLE_SHARE_PARTLY = 0.10  # at least this share: partly


def _idle_share(m: Measured, key: str) -> float:
    """The median, over a secretary variant's runs, of the idle workers' share of switches."""
    return float(statistics.median(run["idle_share"] for run in runs_of(m[key])))


def context_switches(m: Measured) -> Judgement:
    # The article's idle Bob "has nothing to do, so he just goes back to sleep": he wakes to
    # look, which is a thread that polls. A thread that blocks on an Event is never woken,
    # and is shown beside it.
    polling, blocking = (_idle_share(m, f"secretary.{v}") for v in ("threads_polling", "threads"))
    verdict: Verdict = (
        "holds"
        if polling >= IDLE_SHARE_HOLDS
        else "partly"
        if polling >= IDLE_SHARE_PARTLY
        else "fails"
    )
    others = ", ".join(
        f"{style} {_idle_share(m, key):.1%}"
        for style, key in (("greenlets", "secretary.gevent_greenlets"),
                           ("tasks", "secretary.asyncio_tasks"))
    )  # fmt: skip
    return Judgement(
        verdict,
        f"of the five threads' voluntary switches in a steady second, idle threads that poll "
        f"took {polling:.1%} (the article's Bobs; it says about 57%), idle threads that block "
        f"on an Event {blocking:.1%}; idle {others} (medians of "
        f"{len(runs_of(m['secretary.threads_polling']))} runs)",
    )


# threads are not free

COST_FACTOR = 3.0  # a thread costs "more" when at least this many times an asyncio task


def threads_not_free(m: Measured) -> Judgement:
    top = max(int(key.rsplit("@", 1)[1]) for key in m if key.startswith("waiters.threads@"))
    thread, task = m[f"waiters.threads@{top}"], m[f"waiters.asyncio_tasks@{top}"]
    if "error" in thread:
        return Judgement("holds", f"{top:,} threads could not be started: {thread['error']}")
    memory = thread["kb_each"] / max(task["kb_each"], 1e-9)
    start = thread["start_us_each"] / max(task["start_us_each"], 1e-9)
    greenlet = m[f"waiters.gevent_greenlets@{top}"]
    return Judgement(
        _three(memory >= COST_FACTOR, start >= COST_FACTOR),
        f"at {top:,} waiters a thread took {thread['kb_each']:.1f} KiB and "
        f"{thread['start_us_each']:.0f} µs to start, {memory:.0f}× and {start:.0f}× an "
        f"asyncio task's; a greenlet {greenlet['kb_each']:.1f} KiB",
    )


# blocking the loop

BLOCKING_SCENARIO = labs.BLOCKING_RUNS["scenario"]


def blocking_key(strategy: str, blocking: bool) -> str:
    """The runs of a strategy with blocking calls in its handler, or its baseline without."""
    faults = labs.BLOCKING_RUNS["faults"] if blocking else labs.NO_FAULTS
    return f"fetch.{strategy}@{BLOCKING_SCENARIO}+{'+'.join(faults) or 'none'}"


def _lost_s(m: Measured, strategy: str) -> list[float]:
    """Time lost beyond the plan's ideal with blocking calls, less the same without them, for
    each pair of runs (they took turns: clean, blocking, clean, blocking...)."""
    blocked_runs = m[blocking_key(strategy, True)]["runs"]
    pairs = zip(blocked_runs, m[blocking_key(strategy, False)]["runs"], strict=False)
    return [
        (blocked["wall_s"] - blocked["ideal_s"]) - (clean["wall_s"] - clean["ideal_s"])
        for blocked, clean in pairs
        if isinstance(blocked, Mapping) and isinstance(clean, Mapping)
    ]


def _noticed_runs(m: Measured, strategy: str) -> tuple[int, int]:
    """In how many of its blocking runs the loop's own watchdog (asyncio's debug mode,
    gevent's monitor thread) said a callback held the loop, of how many runs."""
    runs = runs_of(m[blocking_key(strategy, True)])
    return sum(1 for run in runs if any(run["noticed_by"].values())), len(runs)


# Blocking calls that overlap cost nothing beyond the ideal; run one after another they cost
# their sum less the longest. A style that lost at least this share of that "froze".
FROZE_SHARE = 0.5
# Or its loop's own watchdog said so in at least this share of its blocking runs: a count
# that a busy machine cannot move, where a time difference can.
NOTICED_SHARE = 0.5


def blocking_the_loop(m: Measured) -> Judgement:
    sample = runs_of(m[blocking_key("asyncio", True)])[0]
    serial_s = sample["blocking_sum_s"] - sample["blocking_max_s"]
    lost = {s: _lost_s(m, s) for s in (*THREAD_STYLES, *LOOP_STYLES)}
    noticed = {s: _noticed_runs(m, s) for s in lost}

    def froze(style: str) -> bool:
        seen, runs = noticed[style]
        by_watchdog = runs > 0 and seen >= NOTICED_SHARE * runs
        by_time = bool(lost[style]) and statistics.median(lost[style]) >= serial_s * FROZE_SHARE
        return by_watchdog or by_time

    loops = [s for s in LOOP_STYLES if froze(s)]
    threads_froze = [s for s in THREAD_STYLES if froze(s)]
    if len(loops) == len(LOOP_STYLES) and not threads_froze:
        verdict: Verdict = "holds"
    else:
        verdict = "partly" if loops else "fails"
    said = ", ".join(
        f"{s} {_spread(lost[s]) if lost[s] else 'no runs'}, noticed in {noticed[s][0]} of "
        f"{noticed[s][1]}"
        for s in lost
    )
    hog = ", ".join(
        f"{style} {m[f'hog.{style}_hog']['max_gap_s']:.2f} s" for style in ("asyncio", "gevent",
                                                                            "threads")
    )  # fmt: skip
    return Judgement(
        verdict,
        f"{sample['blocking_sum_s']:.1f} s of blocking calls ({serial_s:.1f} s one after "
        f"another) cost, as the median of the runs: {said}. A heartbeat beside "
        f"{m['hog.asyncio_hog']['hog_s']:.1f} s of computing waited up to: {hog}",
    )


# forgotten tasks


LATE_SHARE = 0.9  # reported no sooner than this share of the time the program ran on: late
# Reported within this share of it: prompt. Half: a thread's report took 0.019 s on a busy
# machine, past a line of a tenth (0.03 s), and a report that comes while the program is not
# yet half done is what "at once" means to the reader.
PROMPT_SHARE = 0.5


def forgotten_tasks(m: Measured) -> Judgement:
    kept = m["forgotten.asyncio_kept"]
    carry_on = kept["carry_on_s"]

    def late(key: str) -> bool:
        reported = m[key]["reported_s"]
        return reported is None or reported >= LATE_SHARE * carry_on

    def prompt(key: str) -> bool:
        reported = m[key]["reported_s"]
        return reported is not None and reported <= PROMPT_SHARE * carry_on

    others_prompt = prompt("forgotten.threads") and prompt("forgotten.gevent_spawn")
    verdict: Verdict = (
        "fails" if not late("forgotten.asyncio_kept") else ("holds" if others_prompt else "partly")
    )
    said = ", ".join(
        f"{name} {m[key]['reported_s']:.3f} s" if m[key]["reported_s"] is not None
        else f"{name} never"
        for name, key in (("thread", "forgotten.threads"), ("greenlet", "forgotten.gevent_spawn"),
                          ("kept task", "forgotten.asyncio_kept"),
                          ("dropped task", "forgotten.asyncio_dropped"))
    )  # fmt: skip
    return Judgement(verdict, f"error reported after: {said} (the program ran {carry_on} s on)")


def _keys(*groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(key for group in groups for key in group)


_BLOCKING_KEYS = _keys(
    [blocking_key(s, turn) for s in (*THREAD_STYLES, *LOOP_STYLES) for turn in (False, True)],
    [f"hog.{style}_hog" for style in ("threads", "gevent", "asyncio")],
)

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "one-at-a-time", "One at a time",
        "Code that does one thing at a time spends its time waiting, doing nothing.",
        f"holds if the sequential run's wall time is at least {_pct(WAITED_SHARE)} of the "
        f"summed latencies and the CPU was busy at most {_pct(BUSY_SHARE)} of it; partly if one "
        "of the two; fails if neither",
        ("fetch.sequential@clean",), one_at_a_time,
    ),
    Claim(
        "callbacks-swallow", "Callback Style",
        "An exception raised inside a callback never reaches the code that asked for the work.",
        "holds if none of the errors raised in callbacks reached the caller (raised or "
        "returned); fails if every one did; partly in between",
        (f"fetch.callbacks@{HANDLER_BUGS}",), callbacks_swallow,
    ),
    Claim(
        "errors-as-values", "Callback Hell",
        "A callback gets its error as a value and must check for it first, or it is lost.",
        "holds if the checking callback got every HTTP error back as a value and the callback "
        "that does not check lost at least one; partly if one of the two; fails if neither",
        ("fetch.callbacks@server-errors", "fetch.labs.callbacks:unchecked@server-errors"),
        errors_as_values,
    ),
    Claim(
        "callback-error-breaks-loop", "Callback Hell",
        "An exception thrown in a callback breaks the event loop, and the program with it.",
        f"holds if fewer than {_pct(BROKEN_SHARE)} of the other fetches finished after a "
        "callback raised; partly if some did not finish; fails if every one finished",
        (f"fetch.callbacks@{HANDLER_BUGS}",), callback_error_breaks_loop,
    ),
    Claim(
        "callbacks-not-gatherable", "Callback Hell",
        "Callbacks cannot be gathered: to know when all are done, you count replies by hand.",
        "fails if Tornado's futures, gathered with gen.multi and add_future (callbacks, no "
        "coroutine), resolved only once every fetch had an outcome; holds if the gathering "
        "left fetches unfinished that counting by hand did not; partly if both did",
        ("fetch.callbacks@clean", "fetch.labs.callbacks:gathered@clean"),
        callbacks_not_gatherable,
    ),
    Claim(
        "errors-up-the-stack", "How can we improve?",
        "Generator coroutines and async/await pass errors up the stack to the caller.",
        "holds if, in each coroutine style, every handler error that happened was raised to "
        "the caller; partly if each raised at least one; fails if one raised none",
        tuple(f"fetch.{style}@{HANDLER_BUGS}" for style in COROUTINE_STYLES),
        errors_up_the_stack,
    ),
    Claim(
        "thread-races", "Comparisons",
        "Threads bring race conditions: a read-modify-write on shared state loses updates.",
        "holds if the unlocked read-modify-write that calls a function lost updates and the "
        "locked one lost none; partly if only the bare `balance = balance + 1` lost, or the "
        "lock did not help; fails if no unlocked version lost any",
        ("races.threads_bare", "races.threads_call", "races.threads_lock"), thread_races,
    ),
    Claim(
        "asyncio-race-free", "We Have Arrived",
        "asyncio is safe from races, because it switches only where you say.",
        "holds if no unlocked asyncio version lost updates; partly if the one without an await "
        "inside lost none but the one with an await did; fails if the one without lost any",
        tuple(f"races.{style}_{v}" for style, vs in (("asyncio", ("bare", "await", "lock")),
                                                   ("gevent", ("bare", "io", "lock"))) for v in vs),
        asyncio_race_free,
    ),
    Claim(
        "deadlocks", "We Have Arrived",
        "Threads deadlock; in asyncio a deadlock is so rare you would almost have to try.",
        f"holds if the threads deadlocked in at least {_pct(THREADS_STUCK_SHARE)} of their "
        "runs and asyncio got stuck only where its coroutines were written to wait on each "
        "other (locks held across an await, or each waiting for the other's Event), never with "
        "nothing awaited between its locks or in the polite retry; partly if one of the two; "
        "fails if neither",
        tuple(f"deadlocks.{name}" for name in
              ("threads", "gevent_locks", *ASYNCIO_DEADLOCKS, "threads_polite", "asyncio_polite")),
        deadlocks,
    ),
    Claim(
        "starvation", "We Have Arrived",
        "Threads starve for resources; coroutines hardly do, except through asyncio's "
        "executor pool.",
        f"a quick call starved when it waited at least {_pct(STARVED_SHARE)} of a slow call "
        "for a worker; fails unless it did on a full pool of threads (or the pool waiting on "
        "itself never finished); holds if it also did on asyncio's executor and did not among "
        "coroutines with no pool; partly otherwise",
        ("starvation.threadpool_queue", "starvation.threadpool_nested",
         "starvation.asyncio_executor", "starvation.asyncio_tasks",
         "starvation.asyncio_connections"),
        starvation,
    ),
    Claim(
        "context-switches", "The Incredibly Efficient Secretary",
        "With one busy worker and three idle, about 57% of the OS's switches are wasted on "
        "idle threads.",
        f"judged on idle threads that wake to look and sleep again, as the article's are: holds "
        f"if, as the median of the runs, they took at least {_pct(IDLE_SHARE_HOLDS)} of the "
        f"threads' voluntary switches in a steady second; partly if at least "
        f"{_pct(IDLE_SHARE_PARTLY)}; fails below",
        ("secretary.threads_polling", "secretary.threads", "secretary.gevent_greenlets",
         "secretary.asyncio_tasks"),
        context_switches,
    ),
    Claim(
        "threads-not-free", "Context Switching",
        "Threads are resources, and not free: each costs what a coroutine does not.",
        f"holds if, at the most waiters, a thread costs at least {COST_FACTOR:.0f}× an asyncio "
        "task in memory and in start time; partly if in one; fails if in neither",
        tuple(f"waiters.{style}@{count}" for count in (100, 1_000, 10_000)
              for style in ("threads", "gevent_greenlets", "asyncio_tasks", "tornado_callbacks")),
        threads_not_free,
    ),
    Claim(
        "blocking-the-loop", "We Have Arrived",
        "One synchronous call blocks the whole event loop, so everything must be async.",
        "a style froze if its loop's own watchdog (asyncio's debug mode, gevent's monitor) "
        f"said so in at least {_pct(NOTICED_SHARE)} of its runs with blocking calls, or, as "
        f"the median of runs taking turns with a clean one, it lost at least "
        f"{_pct(FROZE_SHARE)} of the time of running those calls one after another; holds if "
        "every event-loop style froze and no threaded style did; partly if some loop styles "
        "did; fails if none did",
        _BLOCKING_KEYS, blocking_the_loop,
    ),
    Claim(
        "forgotten-tasks", "Beyond the article",
        "A fire-and-forget asyncio task's error is reported only when the task is collected.",
        f"holds if a kept, never-awaited task's error was reported no sooner than "
        f"{_pct(LATE_SHARE)} of the time the program ran on, while a thread's and a "
        f"greenlet's came within {_pct(PROMPT_SHARE)} of it; partly if the task was late but "
        "another was not prompt; fails if the task was not late",
        ("forgotten.threads", "forgotten.gevent_spawn", "forgotten.asyncio_kept",
         "forgotten.asyncio_dropped"),
        forgotten_tasks, in_article=False,
    ),
)  # fmt: skip

CLAIMS_BY_ID = {claim.id: claim for claim in CLAIMS}
ARTICLE_CLAIMS = tuple(claim for claim in CLAIMS if claim.in_article)
BEYOND_THE_ARTICLE = tuple(claim for claim in CLAIMS if not claim.in_article)


def to_json(claim: Claim, measured: Measured) -> dict[str, Any]:
    """One claim's row, as `asyncplay claims --json` prints it."""
    judgement = claim.judged(measured)
    return {
        "id": claim.id, "in_article": claim.in_article, "section": claim.section,
        "claim": claim.claim,
        "verdict": judgement.verdict, "rule": claim.rule, "evidence": judgement.evidence,
        "measured": claim.measured(measured),
    }  # fmt: skip


def claims_of(variant_keys: set[str]) -> list[Claim]:
    """The claims that lean on any of these variants."""
    return [claim for claim in CLAIMS if variant_keys & set(claim.needs)]
