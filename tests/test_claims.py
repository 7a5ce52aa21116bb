"""Each verdict rule, on measured numbers: a recorded real run, then moved across each line.

`logs/claims.jsonl` is `asyncplay claims --record` from a real run. Each test takes its
numbers and changes the one the rule turns on, so a rule that stopped reading it would fail.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from asyncplay.engine import claims
from asyncplay.engine.catalogue import IDEAS_REST_ON, STRATEGIES
from asyncplay.engine.claims import CLAIMS_BY_ID, HANDLER_BUGS
from asyncplay.engine.labrunner import LabUpdate, measured_from

LOG = Path(__file__).parent / "logs" / "claims.jsonl"
RECORDED = measured_from([LabUpdate.from_json(line) for line in LOG.read_text().splitlines()])


def measured(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The recorded numbers, with some variants' numbers changed (keys use __ for .)."""
    numbers = copy.deepcopy(RECORDED)
    for key, change in changes.items():
        numbers[key.replace("__", ".")].update(change)
    return numbers


def verdict(claim: str, numbers: dict[str, dict[str, Any]]) -> str:
    return CLAIMS_BY_ID[claim].judged(numbers).verdict


def test_a_missing_variant_is_unmeasured_and_named() -> None:
    numbers = measured()
    del numbers["races.threads_call"]
    judgement = CLAIMS_BY_ID["thread-races"].judged(numbers)
    assert judgement.verdict == "unmeasured" and "races.threads_call" in judgement.evidence


@pytest.mark.parametrize(
    "broken", [{"lost_updates": "many"}, {}, {"lost_updates": None}, {"lost_updates": [1]}]
)
def test_numbers_a_rule_cannot_read_are_unmeasured_not_a_crash(broken: dict[str, Any]) -> None:
    """A lab's numbers come from a child process (or a cache file): a word where a count
    goes, or a count missing, makes the claim unmeasured and says so."""
    numbers = measured()
    numbers["races.threads_call"] = broken
    judgement = CLAIMS_BY_ID["thread-races"].judged(numbers)
    assert judgement.verdict == "unmeasured"
    assert judgement.evidence.startswith(claims.CANNOT_READ)


def test_one_at_a_time() -> None:
    key = "fetch__sequential@clean"
    wall = RECORDED["fetch.sequential@clean"]["latency_sum_s"]
    assert verdict("one-at-a-time", measured(**{key: {"wall_s": wall, "cpu_s": 0.1}})) == "holds"
    assert verdict("one-at-a-time", measured(**{key: {"wall_s": wall, "cpu_s": wall}})) == "partly"
    busy_and_quick = {"wall_s": wall / 2, "cpu_s": wall / 2}
    assert verdict("one-at-a-time", measured(**{key: busy_and_quick})) == "fails"


@pytest.mark.parametrize(
    ("fates", "expected"),
    [
        ({"raised": 0, "returned": 0, "logged": 3, "lost": 1}, "holds"),
        ({"raised": 1, "returned": 0, "logged": 3, "lost": 0}, "partly"),
        ({"raised": 2, "returned": 2, "logged": 0, "lost": 0}, "fails"),
        ({"raised": 0, "returned": 0, "logged": 0, "lost": 0}, "unmeasured"),
    ],
)
def test_callbacks_swallow(fates: dict[str, int], expected: str) -> None:
    numbers = measured()
    numbers[f"fetch.callbacks@{HANDLER_BUGS}"]["fates"].update(fates)
    assert verdict("callbacks-swallow", numbers) == expected


ALL_RAISED = {"generators": 3, "asyncio": 3, "taskgroup": 3, "trio": 3}


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (ALL_RAISED, "holds"),
        ({**ALL_RAISED, "generators": 1}, "partly"),
        ({**ALL_RAISED, "generators": 1, "asyncio": 1, "taskgroup": 0}, "fails"),
        # trio's nursery is judged as the others are.
        ({**ALL_RAISED, "trio": 1}, "partly"),
        ({**ALL_RAISED, "trio": 0}, "fails"),
    ],
)
def test_errors_up_the_stack_counts_the_errors_that_happened(
    raised: dict[str, int], expected: str
) -> None:
    """Each coroutine style's handler errors: 3 happened (one more never ran), so many of
    them raised to the caller, the rest lost."""
    assert set(raised) == set(claims.COROUTINE_STYLES)
    numbers = measured()
    for style, count in raised.items():
        numbers[f"fetch.{style}@{HANDLER_BUGS}"]["fates"] = {
            "raised": count, "returned": 0, "logged": 0, "lost": 3 - count, "not_run": 1,
        }  # fmt: skip
    assert verdict("errors-up-the-stack", numbers) == expected


def test_callback_error_breaks_loop_counts_the_other_fetches() -> None:
    key = f"fetch.callbacks@{HANDLER_BUGS}"
    run = RECORDED[key]
    others = [task for task, status in run["statuses"].items() if status == "ok"]
    assert verdict("callback-error-breaks-loop", measured()) == "fails"  # all finished
    numbers = measured()
    numbers[key]["statuses"][others[0]] = "unfinished"
    assert verdict("callback-error-breaks-loop", numbers) == "partly"
    for task in others:
        numbers[key]["statuses"][task] = "unfinished"
    assert verdict("callback-error-breaks-loop", numbers) == "holds"


def test_callbacks_not_gatherable_reads_only_fetches_left_unfinished() -> None:
    """A fetch that failed was waited for and decides nothing; one left without an outcome
    when the gathering resolved says the gathering did not wait."""
    gathered, by_hand = "fetch.labs.callbacks:gathered@clean", "fetch.callbacks@clean"
    assert verdict("callbacks-not-gatherable", measured()) == "fails"
    numbers = measured()
    numbers[gathered]["statuses"]["0"] = "failed"
    assert verdict("callbacks-not-gatherable", numbers) == "fails"
    numbers[gathered]["statuses"]["1"] = "unfinished"
    assert verdict("callbacks-not-gatherable", numbers) == "holds"
    numbers[by_hand]["statuses"]["3"] = "unfinished"
    assert verdict("callbacks-not-gatherable", numbers) == "partly"


@pytest.mark.parametrize(
    ("bare", "call", "lock", "expected"),
    [(0, 5, 0, "holds"), (3, 5, 0, "holds"), (0, 5, 1, "partly"), (3, 0, 0, "partly"),
     (0, 0, 0, "fails")],
)  # fmt: skip
def test_thread_races(bare: int, call: int, lock: int, expected: str) -> None:
    """The race real code hits (a call inside the read-modify-write) decides; the bare form
    losing nothing (CPython 3.10 and later) does not make it partly."""
    numbers = measured(
        races__threads_bare={"lost_updates": bare}, races__threads_call={"lost_updates": call},
        races__threads_lock={"lost_updates": lock},
    )  # fmt: skip
    assert verdict("thread-races", numbers) == expected


def test_thread_races_tells_the_python_the_bare_form_ran_on() -> None:
    evidence = CLAIMS_BY_ID["thread-races"].judged(RECORDED).evidence
    assert f"Python {RECORDED['races.threads_call']['python']}" in evidence


@pytest.mark.parametrize(
    ("bare", "awaited", "expected"), [(0, 0, "holds"), (0, 9, "partly"), (1, 9, "fails")]
)
def test_asyncio_race_free(bare: int, awaited: int, expected: str) -> None:
    numbers = measured(
        races__asyncio_bare={"lost_updates": bare}, races__asyncio_await={"lost_updates": awaited}
    )
    assert verdict("asyncio-race-free", numbers) == expected


def runs(*each: dict[str, Any]) -> dict[str, Any]:
    return {"runs": list(each)}


STUCK, FINISHED = {"outcome": "deadlock"}, {"outcome": "finished"}


@pytest.mark.parametrize(
    ("stuck", "expected"), [(5, "holds"), (3, "holds"), (2, "partly"), (0, "partly")]
)
def test_deadlocks_threads_at_half_their_runs(stuck: int, expected: str) -> None:
    """Five runs: the threads deadlock, as the claim means it, in at least half (2.5)."""
    threads = runs(*[STUCK] * stuck, *[FINISHED] * (5 - stuck))
    assert verdict("deadlocks", measured(deadlocks__threads=threads)) == expected


def test_deadlocks_asyncio_stuck_only_where_written_to_wait_on_each_other() -> None:
    assert verdict("deadlocks", measured()) == "holds"
    assert set(claims.ASYNCIO_TRYING) | set(claims.ASYNCIO_NOT_TRYING) >= set(
        claims.ASYNCIO_DEADLOCKS
    )
    calm = {f"deadlocks__{v}": FINISHED for v in claims.ASYNCIO_TRYING}
    assert verdict("deadlocks", measured(**calm)) == "holds"
    for name in claims.ASYNCIO_NOT_TRYING:
        assert verdict("deadlocks", measured(**{f"deadlocks__{name}": STUCK})) == "partly"
    neither = {"deadlocks__threads": runs(FINISHED), "deadlocks__asyncio_no_pause": STUCK}
    assert verdict("deadlocks", measured(**neither)) == "fails"


def test_starvation() -> None:
    assert verdict("starvation", measured()) == "holds"
    slow = RECORDED["starvation.threadpool_queue"]["slow_s"]
    unstarved = {"quick_waits_s": [0.0, slow]}  # one quick call did not wait
    assert verdict("starvation", measured(starvation__asyncio_tasks={"quick_waits_s": [slow]})
                   ) == "partly"  # fmt: skip
    assert verdict("starvation", measured(starvation__asyncio_executor=unstarved)) == "partly"
    assert verdict("starvation", measured(starvation__threadpool_queue=unstarved)) == "holds"
    neither = {"starvation__threadpool_queue": unstarved, "starvation__threadpool_nested": FINISHED}
    assert verdict("starvation", measured(**neither)) == "fails"


def shares(*each: float) -> dict[str, Any]:
    return runs(*({"idle_share": share} for share in each))


@pytest.mark.parametrize(("share", "expected"), [(0.57, "holds"), (0.2, "partly"), (0.03, "fails")])
def test_context_switches_judges_the_polling_threads(share: float, expected: str) -> None:
    """The article's idle Bobs wake to look: the verdict is theirs; the threads that block
    on an Event are shown, and cannot move it."""
    numbers = measured(secretary__threads_polling=shares(share, share, share))
    assert verdict("context-switches", numbers) == expected
    numbers["secretary.threads"] = shares(0.9, 0.9, 0.9)
    assert verdict("context-switches", numbers) == expected


def test_context_switches_takes_the_median_run() -> None:
    low, high = claims.IDLE_SHARE_PARTLY / 2, claims.IDLE_SHARE_HOLDS * 2
    numbers = measured(secretary__threads_polling=shares(low, high, high))
    assert verdict("context-switches", numbers) == "holds"
    numbers = measured(secretary__threads_polling=shares(low, low, high))
    assert verdict("context-switches", numbers) == "fails"


def test_threads_not_free() -> None:
    task = RECORDED["waiters.asyncio_tasks@10000"]
    assert verdict("threads-not-free", measured()) == "holds"
    as_cheap = {"kb_each": task["kb_each"], "start_us_each": task["start_us_each"]}
    assert verdict("threads-not-free", measured(**{"waiters__threads@10000": as_cheap})) == "fails"
    refused = {"error": "RuntimeError: can't start new thread"}
    assert verdict("threads-not-free", measured(**{"waiters__threads@10000": refused})) == "holds"


def test_blocking_the_loop() -> None:
    assert verdict("blocking-the-loop", measured()) == "holds"


def test_forgotten_tasks() -> None:
    assert verdict("forgotten-tasks", measured()) == "holds"
    prompt = {"reported_s": 0.001}
    assert verdict("forgotten-tasks", measured(forgotten__asyncio_kept=prompt)) == "fails"
    late = {"reported_s": 0.3}
    assert verdict("forgotten-tasks", measured(forgotten__threads=late)) == "partly"


def test_each_panels_idea_says_what_was_measured() -> None:
    """A strategy's one-line idea states verdicts (the callbacks gather after all): each is
    the recorded real run's, and the words say it."""
    for strategy, rests_on in IDEAS_REST_ON.items():
        assert strategy in STRATEGIES
        for claim, stated in rests_on:
            assert verdict(claim, RECORDED) == stated, (strategy, claim)
    assert "gather" in STRATEGIES["callbacks"] and "nothing" not in STRATEGIES["callbacks"]


def test_the_recorded_run_is_judged_on_every_claim() -> None:
    for claim in claims.CLAIMS:
        assert claim.judged(RECORDED).verdict != "unmeasured", claim.id


# Each threshold, on both sides: a value at the line and the nearest value past it. The
# judge must read the same named threshold its rule's words are made from.

BELOW, ABOVE = -math.inf, math.inf


def past(value: float, direction: float) -> float:
    """The nearest float to `value` in that direction."""
    return math.nextafter(value, direction)


def test_every_threshold_is_written_into_its_rule() -> None:
    """The rule's words carry each number its judge reads (made from the same constant)."""
    written = {
        "one-at-a-time": [claims.WAITED_SHARE, claims.BUSY_SHARE],
        "callback-error-breaks-loop": [claims.BROKEN_SHARE],
        "starvation": [claims.STARVED_SHARE],
        "deadlocks": [claims.THREADS_STUCK_SHARE],
        "context-switches": [claims.IDLE_SHARE_HOLDS, claims.IDLE_SHARE_PARTLY],
        "blocking-the-loop": [claims.FROZE_SHARE, claims.NOTICED_SHARE],
        "forgotten-tasks": [claims.LATE_SHARE, claims.PROMPT_SHARE],
    }
    for claim, shares in written.items():
        for share in shares:
            assert f"{share:.0%}" in CLAIMS_BY_ID[claim].rule, (claim, share)
    assert f"{claims.COST_FACTOR:.0f}×" in CLAIMS_BY_ID["threads-not-free"].rule


def test_one_at_a_time_at_each_line() -> None:
    key = "fetch.sequential@clean"
    latency = RECORDED[key]["latency_sum_s"]
    waited = claims.WAITED_SHARE * latency

    def judged(wall: float, cpu: float) -> str:
        return verdict("one-at-a-time", measured(**{key.replace(".", "__"): {
            "wall_s": wall, "cpu_s": cpu}}))  # fmt: skip

    assert judged(waited, 0.0) == "holds"
    assert judged(past(waited, BELOW), 0.0) == "partly"
    busy = claims.BUSY_SHARE * latency  # busy / latency is the share exactly (a power of 2)
    assert judged(latency, busy) == "holds"
    assert judged(latency, past(busy, ABOVE)) == "partly"


def test_callback_error_breaks_loop_at_its_line() -> None:
    key = f"fetch.callbacks@{HANDLER_BUGS}"
    run = RECORDED[key]
    others = [task for task, status in run["statuses"].items() if status == "ok"]
    line = (run["tasks"] - run["faults"]) * claims.BROKEN_SHARE
    assert line == int(line) and len(others) > line  # the recorded run allows both sides

    def finishing(count: int) -> str:
        numbers = measured()
        for task in others[count:]:
            numbers[key]["statuses"][task] = "unfinished"
        return verdict("callback-error-breaks-loop", numbers)

    assert finishing(int(line)) == "partly"
    assert finishing(int(line) - 1) == "holds"


def test_starvation_at_each_line() -> None:
    """Slow calls of 0.25 s (exact in binary): a quick call that waited half of one starved."""
    line = claims.STARVED_SHARE * 0.25

    def judged(pool: float, executor: float, tasks: float) -> str:
        return verdict("starvation", measured(
            starvation__threadpool_queue={"slow_s": 0.25, "quick_waits_s": [pool, 0.25]},
            starvation__threadpool_nested=FINISHED,
            starvation__asyncio_executor={"slow_s": 0.25, "quick_waits_s": [executor]},
            starvation__asyncio_tasks={"slow_s": 0.25, "quick_waits_s": [tasks, 0.25]},
        ))  # fmt: skip

    assert judged(line, line, past(line, BELOW)) == "holds"
    assert judged(line, line, line) == "partly"
    assert judged(line, past(line, BELOW), 0.0) == "partly"
    assert judged(past(line, BELOW), line, 0.0) == "fails"


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (claims.IDLE_SHARE_HOLDS, "holds"),
        (past(claims.IDLE_SHARE_HOLDS, BELOW), "partly"),
        (claims.IDLE_SHARE_PARTLY, "partly"),
        (past(claims.IDLE_SHARE_PARTLY, BELOW), "fails"),
    ],
)
def test_context_switches_at_each_line(share: float, expected: str) -> None:
    numbers = measured(secretary__threads_polling=shares(share))
    assert verdict("context-switches", numbers) == expected


@pytest.mark.parametrize(
    ("memory", "start", "expected"),
    [
        (claims.COST_FACTOR, claims.COST_FACTOR, "holds"),
        (past(claims.COST_FACTOR, BELOW), claims.COST_FACTOR, "partly"),
        (claims.COST_FACTOR, past(claims.COST_FACTOR, BELOW), "partly"),
        (past(claims.COST_FACTOR, BELOW), past(claims.COST_FACTOR, BELOW), "fails"),
    ],
)
def test_threads_not_free_at_its_line(memory: float, start: float, expected: str) -> None:
    """A task that costs 1 KiB and 1 µs: a thread's cost is then the ratio itself."""
    numbers = measured(**{
        "waiters__asyncio_tasks@10000": {"kb_each": 1.0, "start_us_each": 1.0},
        "waiters__threads@10000": {"kb_each": memory, "start_us_each": start},
    })  # fmt: skip
    assert verdict("threads-not-free", numbers) == expected


def blocking_runs(
    lost: dict[str, float], noticed: dict[str, int], count: int = 4
) -> dict[str, dict[str, Any]]:
    """Every style's runs: `count` pairs, clean ones on their ideal, blocking ones with four
    calls of 0.25 s (0.75 s more one after another; exact in binary), `lost` seconds past
    their ideal and noticed by the watchdog in the first `noticed[style]` of them."""
    numbers = measured()
    for style in (*claims.THREAD_STYLES, *claims.LOOP_STYLES):
        clean = {"wall_s": 0.0, "ideal_s": 0.0, "noticed_by": {"asyncio debug": 0}}
        numbers[claims.blocking_key(style, False)] = runs(*[clean] * count)
        numbers[claims.blocking_key(style, True)] = runs(*(
            {"wall_s": lost.get(style, 0.0), "ideal_s": 0.0, "blocking_sum_s": 1.0,
             "blocking_max_s": 0.25,
             "noticed_by": {"asyncio debug": int(run < noticed.get(style, 0))}}
            for run in range(count)
        ))  # fmt: skip
    return numbers


def test_blocking_the_loop_at_its_time_line() -> None:
    line = 0.75 * claims.FROZE_SHARE
    loops = dict.fromkeys(claims.LOOP_STYLES, line)
    assert verdict("blocking-the-loop", blocking_runs(loops, {})) == "holds"
    assert verdict("blocking-the-loop", blocking_runs(loops | {"gevent": past(line, BELOW)}, {})
                   ) == "partly"  # fmt: skip
    assert verdict("blocking-the-loop", blocking_runs(loops | {"threads": line}, {})) == "partly"
    assert verdict("blocking-the-loop", blocking_runs({}, {})) == "fails"


def test_blocking_the_loop_at_its_watchdog_line() -> None:
    """Four blocking runs each: the watchdog must have spoken in at least two."""
    noticed = dict.fromkeys(claims.LOOP_STYLES, 2)
    assert verdict("blocking-the-loop", blocking_runs({}, noticed)) == "holds"
    assert verdict("blocking-the-loop", blocking_runs({}, noticed | {"asyncio": 1})) == "partly"
    assert verdict("blocking-the-loop", blocking_runs({}, {"asyncio": 1})) == "fails"


def test_blocking_the_loop_takes_the_median_pair() -> None:
    """One pair that lost much (a noisy run) does not make a threaded style freeze."""
    numbers = blocking_runs(dict.fromkeys(claims.LOOP_STYLES, 0.75), {})
    assert verdict("blocking-the-loop", numbers) == "holds"
    blocked = numbers[claims.blocking_key("threads", True)]["runs"]
    blocked[0] = {**blocked[0], "wall_s": 5.0}
    assert verdict("blocking-the-loop", numbers) == "holds"
    blocked[1] = {**blocked[1], "wall_s": 5.0}
    blocked[2] = {**blocked[2], "wall_s": 5.0}
    assert verdict("blocking-the-loop", numbers) == "partly"


def test_forgotten_tasks_at_each_line() -> None:
    carry_on = RECORDED["forgotten.asyncio_kept"]["carry_on_s"]
    late, prompt = claims.LATE_SHARE * carry_on, claims.PROMPT_SHARE * carry_on

    def judged(kept: float, thread: float) -> str:
        return verdict("forgotten-tasks", measured(
            forgotten__asyncio_kept={"reported_s": kept}, forgotten__threads={"reported_s": thread},
            forgotten__gevent_spawn={"reported_s": 0.0},
        ))  # fmt: skip

    assert judged(late, prompt) == "holds"
    assert judged(late, past(prompt, ABOVE)) == "partly"
    assert judged(past(late, BELOW), prompt) == "fails"
