"""The article's claims, and the verdict on each: a pure function of what the labs measured.

Every claim names the variants it needs and a rule, written out in words beside the code
that applies it. The thresholds are named constants, used by the judge and written into the
rule's words from the same constant, so the two cannot drift apart; they were fixed with the
rules, before any lab had run. The verdict is `holds`, `partly` or `fails`, or `unmeasured`
when a variant it needs gave no numbers (and then it says which).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import labs

Verdict = Literal["holds", "partly", "fails", "unmeasured"]
VERDICTS: tuple[Verdict, ...] = ("holds", "partly", "fails", "unmeasured")
Measured = Mapping[str, Mapping[str, Any]]  # variant key -> its numbers

COROUTINE_STYLES = ("generators", "asyncio", "taskgroup")
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
        return self.judge(measured)

    def measured(self, measured: Measured) -> dict[str, Any]:
        return {key: dict(measured[key]) for key in self.needs if key in measured}


def _three(first: bool, second: bool) -> Verdict:
    """holds when both hold, partly when one does, fails when neither."""
    return "holds" if first and second else "partly" if first or second else "fails"


def _pct(share: float) -> str:
    """A threshold as the rules write it: 0.9 is "90%"."""
    return f"{share:.0%}"


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


def callbacks_not_gatherable(m: Measured) -> Judgement:
    by_hand = m["fetch.callbacks@clean"]["statuses"]
    gathered = m["fetch.labs.callbacks:gathered@clean"]["statuses"]
    ok = sum(1 for status in gathered.values() if status == "ok")
    same = by_hand == gathered
    return Judgement(
        "fails" if same else "holds",
        f"Tornado's futures gathered with gen.multi: {ok} of {len(gathered)} fetched, "
        f"{'the same' if same else 'not the same'} outcome as counting callbacks by hand",
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
    unlocked = [bare, call]
    verdict: Verdict = "holds" if all(unlocked) else "partly" if any(unlocked) else "fails"
    per = m["races.threads_call"]
    return Judgement(
        verdict,
        f"lost updates over {per['trials']} trials: {call:,} with a call inside the "
        f"read-modify-write, {bare:,} with none, {lock:,} with a Lock",
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


def _stuck(m: Measured, key: str) -> bool:
    return m[key].get("outcome") in ("deadlock", "livelock")


ASYNCIO_DEADLOCKS = ("asyncio_locks", "asyncio_no_pause", "asyncio_events")


def deadlocks(m: Measured) -> Judgement:
    threads = _stuck(m, "deadlocks.threads")
    stuck = [name for name in ASYNCIO_DEADLOCKS if _stuck(m, f"deadlocks.{name}")]
    if not threads or len(stuck) == len(ASYNCIO_DEADLOCKS):
        verdict: Verdict = "fails"
    else:
        verdict = "partly" if stuck else "holds"
    polite = [m[f"deadlocks.{v}_polite"].get("outcome") for v in ("threads", "asyncio")]
    return Judgement(
        verdict,
        f"threads {'deadlocked' if threads else 'finished'}; asyncio deadlocked in "
        f"{len(stuck)} of {len(ASYNCIO_DEADLOCKS)} ({', '.join(stuck) or 'none'}); "
        f"gevent: {m['deadlocks.gevent_locks'].get('detected_by', 'finished')}; "
        f"polite retries: threads {polite[0]}, asyncio {polite[1]}",
    )


# starvation

QUEUED_SHARE = 0.9  # a call queued behind the pool waited at least this share of a call
HEARTBEAT_TICKS = 5  # a heartbeat later than this many periods was starved


def starvation(m: Measured) -> Judgement:
    pool = m["starvation.asyncio_executor"]
    queued = pool["queued_min_wait_s"] >= QUEUED_SHARE * pool["call_s"]
    gaps = {s: m[f"starvation.{s}_hog"]["max_gap_s"] for s in ("threads", "gevent", "asyncio")}
    tick = m["starvation.asyncio_hog"]["tick_s"]
    coroutines_fine = max(gaps["gevent"], gaps["asyncio"]) <= HEARTBEAT_TICKS * tick
    nested = m["starvation.threadpool_nested"].get("outcome", "finished")
    verdict: Verdict = "fails" if not queued else "holds" if coroutines_fine else "partly"
    return Judgement(
        verdict,
        f"{pool['calls']} blocking calls on the default pool of {pool['pool']} waited up to "
        f"{pool['max_wait_s']:.2f} s; a pool waiting on itself: {nested}; heartbeat's "
        f"longest gap beside a busy worker: asyncio {gaps['asyncio']:.2f} s, gevent "
        f"{gaps['gevent']:.2f} s, threads {gaps['threads']:.3f} s",
    )


# context switches


IDLE_SHARE_HOLDS = 0.40  # idle threads took at least this share of the switches: holds
IDLE_SHARE_PARTLY = 0.10  # at least this share: partly


def context_switches(m: Measured) -> Judgement:
    threads = m["secretary.threads"]
    share = threads["idle_share"]
    verdict: Verdict = (
        "holds"
        if share >= IDLE_SHARE_HOLDS
        else "partly"
        if share >= IDLE_SHARE_PARTLY
        else "fails"
    )
    idle = threads["total"] - threads["switches"]["filing"] - threads["switches"]["airline"]
    others = ", ".join(
        f"{style} {m[key]['idle_share']:.2%}"
        for style, key in (("greenlets", "secretary.gevent_greenlets"),
                           ("tasks", "secretary.asyncio_tasks"))
    )  # fmt: skip
    return Judgement(
        verdict,
        f"idle threads took {share:.1%} of the five threads' switches ({idle} of "
        f"{threads['total']}); the article says about 57%; idle {others}",
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


def _extra_s(m: Measured, strategy: str) -> float:
    """Time lost beyond the plan's ideal with blocking calls, less the same without them."""
    blocked, clean = m[f"fetch.{strategy}@blocking"], m[f"fetch.{strategy}@clean"]
    return float((blocked["wall_s"] - blocked["ideal_s"]) - (clean["wall_s"] - clean["ideal_s"]))


# Blocking calls that overlap cost nothing beyond the ideal; run one after another they cost
# their sum less the longest. A style that lost at least this share of that "froze".
FROZE_SHARE = 0.5


def blocking_the_loop(m: Measured) -> Judgement:
    sample = m["fetch.asyncio@blocking"]
    serial_s = sample["blocking_sum_s"] - sample["blocking_max_s"]
    extra = {s: _extra_s(m, s) for s in (*THREAD_STYLES, *LOOP_STYLES)}
    froze = {s for s, lost in extra.items() if lost >= serial_s * FROZE_SHARE}
    loops = [s for s in LOOP_STYLES if s in froze]
    threads_froze = [s for s in THREAD_STYLES if s in froze]
    if len(loops) == len(LOOP_STYLES) and not threads_froze:
        verdict: Verdict = "holds"
    else:
        verdict = "partly" if loops else "fails"
    lost = ", ".join(f"{s} {extra[s]:+.2f} s" for s in extra)
    return Judgement(
        verdict,
        f"{sample['blocking_sum_s']:.1f} s of blocking calls cost: {lost}; "
        f"noticed: {_who_noticed(m, list(extra))}",
    )


def _who_noticed(m: Measured, strategies: list[str]) -> str:
    """Which watcher (asyncio's debug mode, gevent's monitor thread) said so, in which runs."""
    said = []
    for strategy in strategies:
        noticed = m[f"fetch.{strategy}@blocking"]["noticed_by"]
        by = [f"{who} {count}×" for who, count in noticed.items() if count]
        said.append(f"{strategy} by {' and '.join(by)}" if by else f"{strategy} by nobody")
    return ", ".join(said)


# forgotten tasks


LATE_SHARE = 0.9  # reported no sooner than this share of the time the program ran on: late
PROMPT_SHARE = 0.1  # reported within this share of it: prompt


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
    [f"fetch.{s}@{kind}" for s in (*THREAD_STYLES, *LOOP_STYLES) for kind in ("clean", "blocking")]
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
        "fails if Tornado's futures, gathered with gen.multi, give the same per-fetch outcome "
        "as the callbacks counted by hand; holds if they cannot",
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
        "holds if every unlocked threads version lost updates; partly if some did; fails if "
        "none did",
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
        "holds if the threads deadlocked and no asyncio version did; partly if some asyncio "
        "versions did; fails if the threads did not, or every asyncio version did",
        tuple(f"deadlocks.{name}" for name in
              ("threads", "gevent_locks", *ASYNCIO_DEADLOCKS, "threads_polite", "asyncio_polite")),
        deadlocks,
    ),
    Claim(
        "starvation", "We Have Arrived",
        "Coroutines don't starve for resources, except through asyncio's executor pool.",
        f"fails unless every call queued behind the executor's full pool waited at least "
        f"{_pct(QUEUED_SHARE)} of a call; holds if they did and no coroutine's heartbeat was "
        f"late by more than {HEARTBEAT_TICKS} periods; partly if one was",
        ("starvation.asyncio_executor", "starvation.threadpool_nested",
         "starvation.threads_hog", "starvation.gevent_hog", "starvation.asyncio_hog"),
        starvation,
    ),
    Claim(
        "context-switches", "The Incredibly Efficient Secretary",
        "With one busy worker and three idle, about 57% of the OS's switches are wasted on "
        "idle threads.",
        f"holds if idle threads took at least {_pct(IDLE_SHARE_HOLDS)} of the threads' "
        f"switches; partly if at least {_pct(IDLE_SHARE_PARTLY)}; fails below",
        ("secretary.threads", "secretary.gevent_greenlets", "secretary.asyncio_tasks"),
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
        f"holds if every event-loop style lost at least {_pct(FROZE_SHARE)} of the time of "
        "running its blocking calls one after another, and no threaded style did; partly if "
        "some loop styles did; fails if none did",
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
