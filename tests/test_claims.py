"""Each verdict rule, on measured numbers: a recorded real run, then moved across each line.

`logs/claims.jsonl` is `asyncplay claims --record` from a real run. Each test takes its
numbers and changes the one the rule turns on, so a rule that stopped reading it would fail.
"""

from __future__ import annotations

import copy
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
