"""The plan and the fault specs: deterministic, validated, and faithful to the spec."""

from __future__ import annotations

import re

import pytest

from asyncplay.engine.errors import WorkloadError
from asyncplay.engine.workload import (
    MAX_HOLD_S,
    MAX_TASKS,
    Fault,
    FaultSpec,
    Scenario,
    build_plan,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("timeout", FaultSpec(Fault.TIMEOUT)),
        ("http-500:0.1", FaultSpec(Fault.HTTP_500, fraction=0.1)),
        ("reset@3,7", FaultSpec(Fault.RESET, tasks=(3, 7))),
        (" cpu @ 2 ", FaultSpec(Fault.CPU, tasks=(2,))),
    ],
)
def test_fault_specs_parse(text: str, expected: FaultSpec) -> None:
    """Each of the three spec forms parses to the kind and selection it names."""
    assert FaultSpec.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("explode", "unknown fault 'explode'"),
        ("timeout:abc", "is not a number"),
        ("timeout:0", "must be in (0, 1]"),
        ("timeout:1.5", "must be in (0, 1]"),
        ("reset@1,x", "must be integers"),
        ("reset@-1", "must not be negative"),
        ("reset:0.1@2", "is not a number"),
        ("", "malformed fault spec"),
    ],
)
def test_bad_fault_specs_say_why(text: str, message: str) -> None:
    """A malformed spec is refused with a message that names the problem."""
    with pytest.raises(WorkloadError, match=re.escape(message)):
        FaultSpec.parse(text)


def test_spec_round_trips_through_its_text() -> None:
    """str(spec) is a spec that parses back to the same thing (scenario files rely on it)."""
    for text in ("timeout", "http-500:0.25", "reset@3,7"):
        assert str(FaultSpec.parse(text)) == text


def test_same_seed_same_plan_and_a_different_seed_differs() -> None:
    """The plan is a function of the scenario: the seed alone decides latencies and faults."""
    base = Scenario(count=40, jitter_ms=80, faults=(FaultSpec.parse("http-500:0.1"),))
    assert build_plan(base) == build_plan(base)
    other = build_plan(base.with_overrides(seed=2))
    assert other.tasks != build_plan(base).tasks


def test_fraction_picks_that_share_of_tasks_and_at_least_one() -> None:
    """KIND:f marks round(count * f) tasks, but never none."""
    plan = build_plan(Scenario(count=50, faults=(FaultSpec.parse("timeout:0.1"),)))
    assert list(plan.faults.values()).count(Fault.TIMEOUT) == 5
    tiny = build_plan(Scenario(count=3, faults=(FaultSpec.parse("timeout:0.01"),)))
    assert len(tiny.faults) == 1


@pytest.mark.parametrize(
    ("count", "fraction", "expected"),
    [(20, 0.13, 3), (20, 0.12, 2), (10, 0.15, 2), (50, 0.1, 5), (3, 0.01, 1)],
)
def test_a_fraction_is_rounded_to_the_nearest_task(
    count: int, fraction: float, expected: int
) -> None:
    """2.6 tasks is 3, 2.4 is 2 (round, not a cut), and never fewer than one."""
    spec = FaultSpec(Fault.TIMEOUT, fraction=fraction)
    assert spec.wanted(count) == expected
    plan = build_plan(Scenario(count=count, faults=(spec,)))
    assert len(plan.faults) == expected


def test_a_task_as_long_as_the_timeout_is_refused_and_one_shorter_is_not() -> None:
    """Its own latency would time it out with no fault injected: the line is the timeout."""
    with pytest.raises(WorkloadError, match="past the client timeout"):
        Scenario(latency_ms=1000, timeout_s=1.0)
    assert Scenario(latency_ms=999, timeout_s=1.0).timeout_s == 1.0


def test_the_limit_is_never_more_than_the_tasks() -> None:
    assert Scenario(count=3, concurrency=10).limit == 3
    assert Scenario(count=30, concurrency=10).limit == 10
    assert Scenario(count=30, concurrency=0).limit == 30  # no limit: all at once


def test_specs_combine_without_sharing_a_task() -> None:
    """Several specs mark distinct tasks; explicit ids land exactly where asked."""
    specs = ("reset@0,1", "http-500:0.5", "timeout")
    plan = build_plan(Scenario(count=10, faults=tuple(map(FaultSpec.parse, specs))))
    assert plan.faults[0] == plan.faults[1] == Fault.RESET
    kinds = list(plan.faults.values())
    assert kinds.count(Fault.HTTP_500) == 5 and kinds.count(Fault.TIMEOUT) == 1
    assert len(plan.faults) == 8


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (("reset@10",), "task 10 does not exist"),
        (("reset@2", "timeout@2"), "already has the fault reset"),
        (("reset:1.0", "timeout"), "only 0 have no fault"),
        (("timeout@1,2", "reset:0.9"), "wants 9 tasks but only 8 have no fault"),
    ],
)
def test_impossible_fault_plans_are_refused(specs: tuple[str, ...], message: str) -> None:
    """Ids out of range, two faults on one task, or more faults than tasks: refused when the
    scenario is made, before any plan."""
    with pytest.raises(WorkloadError, match=message):
        Scenario(count=10, faults=tuple(map(FaultSpec.parse, specs)))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"count": 0}, "count must be 1 to 100,000, not 0"),
        ({"count": 10_000_000}, "count must be 1 to 100,000, not 10,000,000"),
        ({"count": 2.5}, "count must be a whole number"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"latency_ms": -1}, "must not be negative"),
        ({"concurrency": -2}, "concurrency must be"),
        ({"timeout_s": 0}, "timeout must be above 0"),
        ({"timeout_s": MAX_HOLD_S}, "at most"),
    ],
)
def test_bad_scenarios_are_refused(values: dict[str, float], message: str) -> None:
    """Out-of-range numbers are caught when the scenario is made, not mid-run."""
    with pytest.raises(WorkloadError, match=message):
        Scenario(**values)  # type: ignore[arg-type]


def test_scenarios_that_would_time_out_by_accident_are_refused() -> None:
    """A page held past the client timeout would fail as a timeout nobody injected; the rule
    is the longest a task may take (latency + jitter, ten times that when slow), not which
    latencies the seed happens to draw."""
    with pytest.raises(WorkloadError, match="past the client timeout"):
        Scenario(latency_ms=600, timeout_s=5, faults=(FaultSpec.parse("slow"),))
    with pytest.raises(WorkloadError, match="past the client timeout"):
        Scenario(latency_ms=900, jitter_ms=200, timeout_s=1)
    with pytest.raises(WorkloadError, match="holds a request at most"):
        Scenario(latency_ms=5000, timeout_s=44, faults=(FaultSpec.parse("slow"),))
    Scenario(latency_ms=900, jitter_ms=99, timeout_s=1)  # 0.999 s: allowed


def test_explicit_task_ids_are_placed_first_so_no_seed_can_collide_with_them() -> None:
    """`http-500:0.5` listed before `timeout@3`: task 3 is a timeout whatever the seed picks
    for the 500s, so whether a scenario is valid never depends on its seed."""
    specs = tuple(map(FaultSpec.parse, ("http-500:0.5", "timeout@3")))
    for seed in range(20):
        plan = build_plan(Scenario(count=10, seed=seed, faults=specs))
        assert plan.faults[3] == Fault.TIMEOUT
        assert list(plan.faults.values()).count(Fault.HTTP_500) == 5


def test_ideal_is_the_critical_path_at_the_strategys_concurrency() -> None:
    """Sequential: the sum. No limit: the longest task. K slots: tasks packed in order."""
    plan = build_plan(Scenario(count=4, latency_ms=100))
    assert plan.ideal_s(1) == pytest.approx(0.4)
    assert plan.ideal_s(4) == pytest.approx(0.1)
    assert plan.ideal_s(2) == pytest.approx(0.2)
    slow = build_plan(Scenario(count=4, latency_ms=100, faults=(FaultSpec.parse("slow@0"),)))
    assert slow.ideal_s(4) == pytest.approx(1.0)  # ten times the latency
    assert slow.ideal_s(2) == pytest.approx(1.0)  # tasks 1-3 share the other slot
    staggered = build_plan(Scenario(count=6, latency_ms=100, faults=(FaultSpec.parse("slow@1"),)))
    # Two slots: 0 on A (0.1), 1 on B (1.0), then 2-5 all on A as it frees first: 0.5.
    assert staggered.ideal_s(2) == pytest.approx(1.0)
    assert staggered.ideal_s(1) == pytest.approx(1.5)


def test_the_largest_plan_is_built_and_its_ideal_known() -> None:
    """The most tasks a run may have: a plan of them is built and its ideal computed (the
    time it takes is measured in bench/scale.py; it was quadratic in the task count)."""
    plan = build_plan(Scenario(count=MAX_TASKS, latency_ms=100, timeout_s=1.0))
    assert len(plan.tasks) == MAX_TASKS
    assert plan.ideal_s(1000) == pytest.approx(MAX_TASKS / 1000 * 0.1)
    assert plan.ideal_s(MAX_TASKS) == pytest.approx(0.1)


def test_fault_durations_in_the_ideal() -> None:
    """A timeout costs the client timeout, a refused connection nothing, handler work twice."""
    faults = tuple(map(FaultSpec.parse, ("timeout@0", "refused@1", "cpu@2", "blocking@3")))
    plan = build_plan(Scenario(count=4, latency_ms=100, timeout_s=2.0, faults=faults))
    durations = [task.duration_s(2.0) for task in plan.tasks]
    assert durations == pytest.approx([2.0, 0.0, 0.2, 0.2])
