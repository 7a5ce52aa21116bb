"""Helpers the tests share: a small scenario, and running a strategy in a real worker."""

from __future__ import annotations

import asyncio

from asyncplay.engine.fold import RunState
from asyncplay.engine.runner import run_strategy
from asyncplay.engine.targets import Target
from asyncplay.engine.workload import FaultSpec, Scenario


def scenario(*faults: str, **values: object) -> Scenario:
    """A small, quick scenario: six tasks of 100 ms and a one-second timeout."""
    base = {"count": 6, "latency_ms": 100, "timeout_s": 1.0, **values}
    return Scenario(faults=tuple(FaultSpec.parse(spec) for spec in faults), **base)  # type: ignore[arg-type]


def run(strategy: str, scenario: Scenario, target: Target, **options: float) -> RunState:
    """Run one strategy in a real worker and fold its events."""
    state = RunState()
    asyncio.run(run_strategy(strategy, scenario, target, state.apply, **options))  # type: ignore[arg-type]
    return state
