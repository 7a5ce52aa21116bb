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


@pytest.mark.parametrize(
    ("raised", "expected"),
    [((3, 3, 3), "holds"), ((1, 3, 3), "partly"), ((1, 1, 0), "fails")],
)
def test_errors_up_the_stack_counts_the_errors_that_happened(
    raised: tuple[int, int, int], expected: str
) -> None:
    numbers = measured()
    for style, count in zip(claims.COROUTINE_STYLES, raised, strict=True):
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


def test_callbacks_not_gatherable_compares_outcomes() -> None:
    assert verdict("callbacks-not-gatherable", measured()) == "fails"
    numbers = measured()
    numbers["fetch.labs.callbacks:gathered@clean"]["statuses"]["0"] = "failed"
    assert verdict("callbacks-not-gatherable", numbers) == "holds"


@pytest.mark.parametrize(
    ("bare", "call", "expected"), [(0, 5, "partly"), (3, 5, "holds"), (0, 0, "fails")]
)
def test_thread_races(bare: int, call: int, expected: str) -> None:
    numbers = measured(
        races__threads_bare={"lost_updates": bare}, races__threads_call={"lost_updates": call}
    )
    assert verdict("thread-races", numbers) == expected


@pytest.mark.parametrize(
    ("bare", "awaited", "expected"), [(0, 0, "holds"), (0, 9, "partly"), (1, 9, "fails")]
)
def test_asyncio_race_free(bare: int, awaited: int, expected: str) -> None:
    numbers = measured(
        races__asyncio_bare={"lost_updates": bare}, races__asyncio_await={"lost_updates": awaited}
    )
    assert verdict("asyncio-race-free", numbers) == expected


def test_deadlocks() -> None:
    finished = {"outcome": "finished"}
    stuck = {"outcome": "deadlock"}
    assert verdict("deadlocks", measured()) == "partly"
    calm = {f"deadlocks__{v}": finished for v in ("asyncio_locks", "asyncio_events")}
    assert verdict("deadlocks", measured(**calm)) == "holds"
    assert verdict("deadlocks", measured(deadlocks__threads=finished)) == "fails"
    every = {f"deadlocks__{v}": stuck for v in claims.ASYNCIO_DEADLOCKS}
    assert verdict("deadlocks", measured(**every)) == "fails"


def test_starvation() -> None:
    tick = RECORDED["starvation.asyncio_hog"]["tick_s"]
    fine = {"max_gap_s": tick}
    assert verdict("starvation", measured()) == "partly"
    assert verdict("starvation", measured(starvation__asyncio_hog=fine,
                                          starvation__gevent_hog=fine)) == "holds"  # fmt: skip
    never_queued = {"queued_min_wait_s": 0.0}
    assert verdict("starvation", measured(starvation__asyncio_executor=never_queued)) == "fails"


@pytest.mark.parametrize(("share", "expected"), [(0.57, "holds"), (0.2, "partly"), (0.03, "fails")])
def test_context_switches(share: float, expected: str) -> None:
    assert (
        verdict("context-switches", measured(secretary__threads={"idle_share": share})) == expected
    )


def test_threads_not_free() -> None:
    task = RECORDED["waiters.asyncio_tasks@10000"]
    assert verdict("threads-not-free", measured()) == "holds"
    as_cheap = {"kb_each": task["kb_each"], "start_us_each": task["start_us_each"]}
    assert verdict("threads-not-free", measured(**{"waiters__threads@10000": as_cheap})) == "fails"
    refused = {"error": "RuntimeError: can't start new thread"}
    assert verdict("threads-not-free", measured(**{"waiters__threads@10000": refused})) == "holds"


def test_blocking_the_loop() -> None:
    assert verdict("blocking-the-loop", measured()) == "holds"
    # A loop style whose blocked run lost nothing beyond its clean one did not freeze.
    clean = RECORDED["fetch.gevent@clean"]
    same = {
        "wall_s": clean["wall_s"] - clean["ideal_s"] + RECORDED["fetch.gevent@blocking"]["ideal_s"]
    }
    assert verdict("blocking-the-loop", measured(**{"fetch__gevent@blocking": same})) == "partly"


def test_forgotten_tasks() -> None:
    assert verdict("forgotten-tasks", measured()) == "holds"
    prompt = {"reported_s": 0.001}
    assert verdict("forgotten-tasks", measured(forgotten__asyncio_kept=prompt)) == "fails"
    late = {"reported_s": 0.3}
    assert verdict("forgotten-tasks", measured(forgotten__threads=late)) == "partly"


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
        "starvation": [claims.QUEUED_SHARE],
        "context-switches": [claims.IDLE_SHARE_HOLDS, claims.IDLE_SHARE_PARTLY],
        "blocking-the-loop": [claims.FROZE_SHARE],
        "forgotten-tasks": [claims.LATE_SHARE, claims.PROMPT_SHARE],
    }
    for claim, shares in written.items():
        for share in shares:
            assert f"{share:.0%}" in CLAIMS_BY_ID[claim].rule, (claim, share)
    assert f"{claims.HEARTBEAT_TICKS} periods" in CLAIMS_BY_ID["starvation"].rule
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
    call = RECORDED["starvation.asyncio_executor"]["call_s"]
    tick = RECORDED["starvation.asyncio_hog"]["tick_s"]
    late = claims.HEARTBEAT_TICKS * tick
    queued = claims.QUEUED_SHARE * call

    def judged(queued_min_wait_s: float, gap: float) -> str:
        return verdict("starvation", measured(
            starvation__asyncio_executor={"queued_min_wait_s": queued_min_wait_s},
            starvation__asyncio_hog={"max_gap_s": gap}, starvation__gevent_hog={"max_gap_s": tick},
        ))  # fmt: skip

    assert judged(queued, late) == "holds"
    assert judged(queued, past(late, ABOVE)) == "partly"
    assert judged(past(queued, BELOW), late) == "fails"


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
    numbers = measured(secretary__threads={"idle_share": share})
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


def test_blocking_the_loop_at_its_line() -> None:
    """Blocking calls of 0.25 s and 0.25 s: 0.25 s more when run one after another, so a
    style that lost half of that froze. Every number here is exact in binary."""
    numbers = measured()
    numbers["fetch.asyncio@blocking"].update(blocking_sum_s=0.5, blocking_max_s=0.25)
    line = 0.25 * claims.FROZE_SHARE
    for style in (*claims.THREAD_STYLES, *claims.LOOP_STYLES):
        numbers[f"fetch.{style}@clean"].update(wall_s=1.0, ideal_s=1.0)
        lost = 0.25 if style in claims.LOOP_STYLES else 0.0
        numbers[f"fetch.{style}@blocking"].update(wall_s=0.5 + lost, ideal_s=0.5)
    assert verdict("blocking-the-loop", numbers) == "holds"
    numbers["fetch.gevent@blocking"]["wall_s"] = 0.5 + line
    assert verdict("blocking-the-loop", numbers) == "holds"
    numbers["fetch.gevent@blocking"]["wall_s"] = past(0.5 + line, BELOW)
    assert verdict("blocking-the-loop", numbers) == "partly"
    numbers["fetch.threads@blocking"]["wall_s"] = 0.5 + line  # a threaded style froze
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
