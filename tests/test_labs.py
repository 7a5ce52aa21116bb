"""The labs, from one real `asyncplay claims` run: what each must and must not show.

One run serves every test here (about a minute and a half on two cores, with two runs of each
timing-based variant), so they share an xdist group. Nothing is asserted about how long
anything took, only what the semantics guarantee: a lock never loses an update, a coroutine
that never awaits cannot be cut into, a quick call behind a full pool cannot start before a
worker has finished a slow one.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from procs import marked
from test_cli import asyncplay

from asyncplay.engine import claims, labrunner, tours
from asyncplay.engine.claims import CLAIMS, VERDICTS
from asyncplay.engine.labrunner import LabUpdate, measured_from
from asyncplay.engine.labs import HANG_S, LABS, all_variants
from asyncplay.engine.tour_runs import StepRun
from asyncplay.strategies.labs import forgotten, hog, secretary, starvation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("claims")]


class ClaimsRun:
    def __init__(self, report: dict[str, Any], updates: list[LabUpdate], marker: str) -> None:
        self.report, self.updates, self.marker = report, updates, marker
        self.measured = measured_from(updates)

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.measured[key]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> ClaimsRun:
    log = tmp_path_factory.mktemp("claims") / "claims.jsonl"
    # Module-scoped, so before conftest's HOME of the test's own: the run keeps its last
    # measurement in a cache folder of its own, never the user's.
    cache = tmp_path_factory.mktemp("cache")
    marker = uuid.uuid4().hex
    # Two runs of each timing-based variant: enough to see what several runs give (each lab
    # asks for 3 to 5, which the verdicts need, and these tests do not).
    result = asyncplay(
        "claims", "--json", "--record", str(log), "--runs", "2", timeout=1800,
        env={"ASYNCPLAY_TEST_MARK": marker, "XDG_CACHE_HOME": str(cache)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (cache / "asyncplay" / "claims.jsonl").is_file()
    updates = [LabUpdate.from_json(line) for line in log.read_text().splitlines()]
    return ClaimsRun(json.loads(result.stdout), updates, marker)


def test_every_claim_gets_a_verdict_its_rule_and_its_numbers(run: ClaimsRun) -> None:
    rows = run.report["claims"]
    assert [row["id"] for row in rows] == [claim.id for claim in CLAIMS]
    for row, claim in zip(rows, CLAIMS, strict=True):
        assert set(row) == {"id", "in_article", "section", "claim", "verdict", "rule", "evidence",
                            "measured", "runs", "agreed", "verdicts", "ran_on"}  # fmt: skip
        assert row["in_article"] == claim.in_article
        assert row["verdict"] in VERDICTS[:3], (row["id"], row["evidence"])
        assert row["rule"] == claim.rule and row["evidence"]
        assert set(row["measured"]) == set(claim.needs)


def test_every_variant_ran_and_nothing_is_left_running(run: ClaimsRun) -> None:
    needed = {key for claim in CLAIMS for key in claim.needs}
    ended = {u.variant: u.status for u in run.updates if u.status != "running"}
    assert ended == dict.fromkeys(needed, "done")
    assert marked(run.marker) == set()


def test_the_tours_claims_steps_are_captioned_from_the_labs_numbers(run: ClaimsRun) -> None:
    """Each claims step of the built-in tour, captioned from this run's updates: its claim's
    verdict and evidence, agreeing with the article only where the claim holds."""
    steps = [step for step in tours.load().steps if step.is_claim]
    assert steps
    rows = {row["id"]: row for row in run.report["claims"]}
    for step in steps:
        said = StepRun(step, updates=run.updates).caption()
        row = rows[step.claim]
        assert said.startswith(step.say) and row["evidence"] in said, said
        assert f"{row['verdict']}: " in said
        assert said.endswith("As the article expects.") == (row["verdict"] == "holds"), said
        assert ("Unlike the article" in said) == (row["verdict"] != "holds"), said


def test_lost_updates_only_where_a_switch_can_fall_inside(run: ClaimsRun) -> None:
    # Never: a lock held across the read-modify-write, or a coroutine or greenlet that does
    # not wait inside it (nothing else can run until it does).
    for never in ("threads_lock", "gevent_lock", "asyncio_lock", "gevent_bare", "asyncio_bare"):
        assert run[f"races.{never}"]["lost_updates"] == 0, never
    # Always, and exactly: with a wait inside, every worker reads the same balance before any
    # writes it back, so each round of deposits adds one, not one per worker.
    for wait in ("gevent_io", "asyncio_await"):
        numbers = run[f"races.{wait}"]
        workers = LABS["races"].variants[0].params["workers"]
        total = numbers["updates_per_trial"] * numbers["trials"]
        assert numbers["lost_updates"] == total * (workers - 1) // workers, wait
    # Threads: a call inside lets the interpreter switch there; over 20 trials of 2,000,000
    # deposits some switch lands between a read and its write.
    assert run["races.threads_call"]["lost_updates"] > 0


def test_timing_based_variants_give_a_run_each(run: ClaimsRun) -> None:
    for variant in all_variants():
        if variant.runs > 1:
            assert len(run[variant.key]["runs"]) == 2, variant.key


def test_blocking_runs_take_turns_with_clean_ones(run: ClaimsRun) -> None:
    """In the record, each strategy's clean and blocking runs alternate."""
    for strategy in ("threads", "asyncio"):
        keys = {claims.blocking_key(strategy, False), claims.blocking_key(strategy, True)}
        ticks = [u.variant for u in run.updates if u.variant in keys and "of" in u.numbers]
        assert ticks == [claims.blocking_key(strategy, turn) for turn in (False, True)] * 2


@pytest.mark.parametrize("key", ["deadlocks.threads", "deadlocks.asyncio_locks"])
def test_two_locks_in_opposite_orders_deadlock_and_say_who_holds_what(
    run: ClaimsRun, key: str
) -> None:
    found = run[key]["runs"][0] if "runs" in run[key] else run[key]
    assert found["outcome"] == "deadlock" and found["detected_by"] == "the watchdog"
    assert found["after_s"] >= HANG_S  # it waited out the bound before it called it stuck
    transfers = [p for p in found["positions"] if p["function"] == "transfer"]
    assert len(transfers) == 2
    assert {p["code"] for p in transfers} <= {"with target:", "async with target:"}
    held = sorted(hold for p in transfers for hold in p["holds"])
    assert held == ["source (checking)", "source (savings)"]
    assert {p["state"] for p in transfers} == {"lock"}  # the X-ray's word for what they do


def test_gevent_finds_its_own_deadlock_and_the_events_one_is_caught(run: ClaimsRun) -> None:
    gevent = run["deadlocks.gevent_locks"]
    assert gevent["outcome"] == "deadlock" and gevent["detected_by"].startswith("LoopExit")
    assert len([p for p in gevent["positions"] if p["function"] == "transfer"]) == 2
    events = run["deadlocks.asyncio_events"]
    waiting = {p["function"]: p["code"] for p in events["positions"]}
    assert waiting["ping"] == "await pong_ready.wait()"
    assert waiting["pong"] == "await ping_ready.wait()"
    assert run["deadlocks.asyncio_no_pause"]["outcome"] == "finished"


def test_quick_calls_wait_a_whole_slow_call_wherever_a_pool_is_full(run: ClaimsRun) -> None:
    """A full pool frees a worker only when a slow call ends: no quick call can start sooner.
    Coroutines with no pool need no worker, and are never held back by a whole slow call."""
    for key in ("threadpool_queue", "asyncio_executor", "asyncio_connections"):
        numbers = run[f"starvation.{key}"]
        assert len(numbers["quick_waits_s"]) == starvation.QUICK_CALLS
        # From when the work was asked for, so at least a slow call (its numbers are rounded
        # to a tenth of a millisecond).
        assert min(numbers["quick_waits_s"]) >= starvation.SLOW_S - 1e-4, (key, numbers)
    assert max(run["starvation.asyncio_tasks"]["quick_waits_s"]) < starvation.SLOW_S
    assert run["starvation.threadpool_nested"]["outcome"] == "deadlock"


def test_the_slow_page_is_as_slow_as_the_lessons_slow_calls() -> None:
    assert labrunner.SLOW_PAGE_S == starvation.SLOW_S


def test_a_coroutine_that_never_awaits_starves_the_heartbeat(run: ClaimsRun) -> None:
    for style in ("asyncio", "gevent"):
        assert run[f"hog.{style}_hog"]["max_gap_s"] >= hog.HOG_S, style


@pytest.mark.parametrize("style", ["gevent", "asyncio"])
def test_the_xray_shows_where_everyone_was_in_the_longest_gap(run: ClaimsRun, style: str) -> None:
    """In the middle of the heartbeat's longest wait (the hog's whole run, several looks
    long), the hog runs its loop; an asyncio heartbeat whose sleep is over only waits for its
    turn. (A thread's longest gap is shorter than the time between two looks.)"""
    during = {p["function"]: p for p in run[f"hog.{style}_hog"]["in_the_longest_gap"]}
    assert during["hog"]["state"] == "running"
    assert during["hog"]["code"] == "while time.monotonic() < deadline:"
    if style == "asyncio":
        assert during["heartbeat"]["state"] == "queued"


def test_in_a_steady_window_only_polling_idle_workers_are_switched_to(run: ClaimsRun) -> None:
    """Start-up and ending are outside the window: an idle worker that blocks until told is
    never woken in it, one that polls wakes about once a look."""
    for key in ("secretary.asyncio_tasks", "secretary.gevent_greenlets", "secretary.threads"):
        for numbers in run[key]["runs"]:
            switches = numbers["switches"]
            assert all(switches[idle] == 0 for idle in secretary.IDLE), (key, switches)
            assert switches["airline"] > 0, (key, switches)
    for numbers in run["secretary.threads_polling"]["runs"]:
        # Each look is a sleep, so a switch at least; a busy machine may make the sleeps
        # longer and the looks fewer, though not four times fewer.
        looks = numbers["window_s"] / secretary.LOOK_S
        for idle in secretary.IDLE:
            assert numbers["switches"][idle] >= looks / 4, numbers


def test_a_forgotten_task_reports_its_error_only_when_collected(run: ClaimsRun) -> None:
    thread, kept = run["forgotten.threads"], run["forgotten.asyncio_kept"]
    assert thread["reported_by"] == "threading.excepthook"
    assert thread["reported_s"] < thread["returned_s"]
    assert kept["reported_by"] == "asyncio exception handler"
    assert kept["reported_s"] >= forgotten.CARRY_ON_S  # held by main's frame until it ended
    assert run["forgotten.asyncio_dropped"]["reported_s"] < forgotten.CARRY_ON_S


def test_waiters_report_their_cost_in_every_style(run: ClaimsRun) -> None:
    for variant in LABS["waiters"].variants:
        numbers = run[variant.key]
        assert "error" not in numbers, (variant.key, numbers)
        assert numbers["count"] == variant.params["count"] and numbers["start_s"] > 0


def test_the_callback_labs_errors(run: ClaimsRun) -> None:
    unchecked = run["fetch.labs.callbacks:unchecked@server-errors"]
    assert unchecked["faults"] > 0 and unchecked["fates"]["lost"] == unchecked["faults"]
    gathered = run["fetch.labs.callbacks:gathered@clean"]["statuses"]
    assert set(gathered.values()) == {"ok"}  # gen.multi resolved once every fetch had


def test_handler_errors_that_land_together_reach_the_caller_as_each_style_allows(
    run: ClaimsRun,
) -> None:
    """gather raises the first error and no other (with `yield from` too); a TaskGroup and a
    trio nursery raise every error that happened before they cancelled the rest; callbacks
    raise none."""
    for style in ("generators", "asyncio"):
        fates = run[f"fetch.{style}@handler-bugs"]["fates"]
        assert fates["raised"] == 1, (style, fates)
    for style in ("taskgroup", "trio"):
        fates = run[f"fetch.{style}@handler-bugs"]["fates"]
        assert fates["raised"] >= 1 and fates["logged"] == fates["lost"] == 0, (style, fates)
    fates = run["fetch.callbacks@handler-bugs"]["fates"]
    assert fates["raised"] == 0 and fates["logged"] > 0, fates


def test_every_lab_variant_is_needed_by_a_claim() -> None:
    needed = {key for claim in CLAIMS for key in claim.needs}
    assert {variant.key for variant in all_variants()} == needed


def test_lab_cli_bad_input_is_one_line_and_status_2() -> None:
    for args, message in (
        (["lab", "nope"], "no lab 'nope'"),
        (["lab", "races", "-s", "fortran"], "lab races has no style fortran"),
    ):
        result = asyncplay(*args)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and message in result.stderr


def test_one_lab_one_style_as_json(tmp_path: Path) -> None:
    result = asyncplay("lab", "deadlocks", "-s", "gevent", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["lab"] == "deadlocks"
    assert [v["key"] for v in report["variants"]] == ["deadlocks.gevent_locks"]
    assert report["variants"][0]["measured"]["outcome"] == "deadlock"  # the same every run
    # The claim needs the other styles too: it says so, it does not guess.
    assert [(c["id"], c["verdict"]) for c in report["claims"]] == [("deadlocks", "unmeasured")]
