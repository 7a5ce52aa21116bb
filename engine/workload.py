"""The workload: a scenario, the faults it injects, and the plan every strategy runs.

A scenario is a handful of numbers and a list of fault specs. From it, `build_plan` makes the
same list of tasks every time for the same seed: each task's latency and its fault. Strategies
never see the plan, only URLs; the fault server reads each task's fate from its URL.
"""

from __future__ import annotations

import heapq
import math
import random
import re
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from .catalogue import CLIENTS, DEFAULT_CLIENT
from .errors import WorkloadError, quoted


class Fault(StrEnum):
    """What can go wrong with one task."""

    HTTP_500 = "http-500"
    TIMEOUT = "timeout"
    RESET = "reset"
    REFUSED = "refused"
    SLOW = "slow"
    HANDLER_BUG = "handler-bug"
    BLOCKING = "blocking"
    CPU = "cpu"

    @property
    def is_error(self) -> bool:
        """Whether the fault ends in an exception, and so gets a fate."""
        return self not in (Fault.SLOW, Fault.BLOCKING, Fault.CPU)

    @property
    def summary(self) -> str:
        """A few words on what the fault does."""
        return FAULT_SUMMARY[self]

    @property
    def help(self) -> str:
        """A sentence on what the fault does, and how."""
        return FAULT_HELP[self]


FAULT_SUMMARY = {
    Fault.HTTP_500: "the server answers 500",
    Fault.TIMEOUT: "held past the client timeout",
    Fault.RESET: "half the body, then a reset",
    Fault.REFUSED: "a port where nothing listens",
    Fault.SLOW: "ten times the latency, no error",
    Fault.HANDLER_BUG: "the shared handler raises",
    Fault.BLOCKING: "a blocking call in the handler",
    Fault.CPU: "the handler burns CPU",
}
FAULT_HELP = {
    Fault.HTTP_500: "the server answers 500 Internal Server Error",
    Fault.TIMEOUT: "the server holds the response past the client timeout",
    Fault.RESET: "the server drops the connection halfway through the body",
    Fault.REFUSED: "the request goes to a port where nothing listens",
    Fault.SLOW: "ten times the latency, no error",
    Fault.HANDLER_BUG: "the shared response handler raises (it assumes every page is ASCII)",
    Fault.BLOCKING: (
        "the handler makes a synchronous sleep of about the latency (unpatched under gevent, "
        "so it blocks the hub as a C driver would)"
    ),
    Fault.CPU: "the handler burns CPU for about the latency",
}

SLOW_FACTOR = 10
# The most tasks a run may have. Every part is linear in it (the plan, the fold, the server),
# but a worker keeps every task's state and a run of this size already takes its seconds
# (`bench/scale.py`); beyond it a typo (10000000) would take minutes and gigabytes.
MAX_TASKS = 100_000
# The fault server holds no request longer than this, so no "hang" outlives a minute.
MAX_HOLD_S = 45.0
# A `timeout` task is held this long past the client's timeout.
TIMEOUT_MARGIN_S = 1.0


@dataclass(frozen=True)
class FaultSpec:
    """One `--fault` option: a kind and which tasks get it.

    `KIND` picks one task by the seed, `KIND:0.1` that fraction of the tasks (at least one),
    `KIND@3,7` exactly those task ids.
    """

    kind: Fault
    fraction: float | None = None
    tasks: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        match = re.fullmatch(r"\s*([a-z0-9-]+)\s*(?::\s*(\S+)|@\s*(\S+))?\s*", text)
        if not match:
            raise WorkloadError(
                f"malformed fault spec {quoted(text)} (try KIND, KIND:0.1 or KIND@3,7)"
            )
        name, fraction, ids = match.groups()
        try:
            kind = Fault(name)
        except ValueError:
            known = ", ".join(fault.value for fault in Fault)
            raise WorkloadError(f"unknown fault {quoted(name)} (known: {known})") from None
        if fraction is not None:
            try:
                value = float(fraction)
            except ValueError:
                raise WorkloadError(f"fault fraction {quoted(fraction)} is not a number") from None
            if not 0 < value <= 1:
                raise WorkloadError(f"fault fraction {fraction} must be in (0, 1]")
            return cls(kind, fraction=value)
        if ids is not None:
            try:
                tasks = tuple(int(part) for part in ids.split(","))
            except ValueError:
                raise WorkloadError(f"task ids {quoted(ids)} must be integers like 3,7") from None
            if any(task < 0 for task in tasks):
                raise WorkloadError(f"task ids {quoted(ids)} must not be negative")
            return cls(kind, tasks=tasks)
        return cls(kind)

    def wanted(self, count: int) -> int:
        """How many of `count` tasks this spec gives its fault."""
        if self.tasks:
            return len(self.tasks)
        return 1 if self.fraction is None else max(1, round(count * self.fraction))

    def __str__(self) -> str:
        if self.fraction is not None:
            return f"{self.kind}:{self.fraction:g}"
        if self.tasks:
            return f"{self.kind}@{','.join(map(str, self.tasks))}"
        return str(self.kind)


@dataclass(frozen=True)
class Scenario:
    """Everything that decides a run, before any strategy is chosen."""

    name: str = "custom"
    description: str = ""
    count: int = 50
    latency_ms: float = 200.0
    jitter_ms: float = 0.0
    concurrency: int = 0  # 0: no limit
    timeout_s: float = 5.0
    seed: int = 1
    faults: tuple[FaultSpec, ...] = field(default_factory=tuple)
    client: str = DEFAULT_CLIENT  # the HTTP client each style fetches with (catalogue.CLIENTS)

    def __post_init__(self) -> None:
        for name in ("name", "description", "client"):
            if not isinstance(value := getattr(self, name), str):
                raise WorkloadError(f"{name} must be text, not {quoted(value)}")
        for name in ("count", "concurrency", "seed"):
            if not _is_int(value := getattr(self, name)):
                raise WorkloadError(f"{name} must be a whole number, not {quoted(value)}")
        for name in ("latency_ms", "jitter_ms", "timeout_s"):
            if not (_is_int(value := getattr(self, name)) or isinstance(value, float)):
                raise WorkloadError(f"{name} must be a number, not {quoted(value)}")
        numbers = (self.latency_ms, self.jitter_ms, self.timeout_s)
        if not all(math.isfinite(value) for value in numbers):
            raise WorkloadError("latency, jitter and timeout must be finite numbers")
        if self.client not in CLIENTS:
            raise WorkloadError(
                f"unknown client {quoted(self.client)} (known: {', '.join(CLIENTS)})"
            )
        if not 1 <= self.count <= MAX_TASKS:
            raise WorkloadError(f"count must be 1 to {MAX_TASKS:,}, not {self.count:,}")
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise WorkloadError("latency and jitter must not be negative")
        if self.concurrency < 0:
            raise WorkloadError(f"concurrency must be 0 (no limit) or more, not {self.concurrency}")
        if not 0 < self.timeout_s <= MAX_HOLD_S - TIMEOUT_MARGIN_S:
            raise WorkloadError(
                f"timeout must be above 0 and at most {MAX_HOLD_S - TIMEOUT_MARGIN_S:g} s"
            )
        self._check_faults_fit()
        self._check_holds()

    def _check_faults_fit(self) -> None:
        """Explicit task ids exist and are not shared; the others find enough free tasks.
        (build_plan places the explicit ids first, so this is arithmetic, not a plan.)"""
        explicit: dict[int, FaultSpec] = {}
        for spec in self.faults:
            for task in spec.tasks:
                if task >= self.count:
                    raise WorkloadError(
                        f"{spec}: task {task} does not exist (tasks are 0..{self.count - 1})"
                    )
                if task in explicit:
                    raise WorkloadError(
                        f"{spec}: task {task} already has the fault {explicit[task].kind}"
                    )
                explicit[task] = spec
        free = self.count - len(explicit)
        for spec in self.faults:
            if not spec.tasks:
                wanted = spec.wanted(self.count)
                if wanted > free:
                    raise WorkloadError(
                        f"{spec}: wants {_tasks(wanted)} but only {free} have no fault"
                    )
                free -= wanted

    def _check_holds(self) -> None:
        """No request is held past what the server allows, and none that has no timeout
        fault takes as long as the timeout (it would time out with no fault injected)."""
        longest = (self.latency_ms + self.jitter_ms) / 1000
        if any(spec.kind is Fault.SLOW for spec in self.faults):
            longest *= SLOW_FACTOR
        if longest > MAX_HOLD_S:
            raise WorkloadError(
                f"a task would be held {longest:.3g} s; the fault server holds a request at most "
                f"{MAX_HOLD_S:g} s (lower --latency)"
            )
        if longest >= self.timeout_s:
            raise WorkloadError(
                f"a task may take {longest:.3g} s, past the client timeout of {self.timeout_s:g} s,"
                " and would time out without a timeout fault (raise --timeout or lower --latency)"
            )

    def worst_case_s(self) -> float:
        """Every task at its longest, one after another, every error waiting out the timeout:
        an upper bound on any honest run, from the scenario alone (no plan needed)."""
        longest = (self.latency_ms + self.jitter_ms) / 1000
        per_task = max(longest * SLOW_FACTOR, 2 * longest, self.timeout_s + TIMEOUT_MARGIN_S)
        faulted = sum(spec.wanted(self.count) for spec in self.faults)
        return self.count * longest + faulted * (per_task + self.timeout_s)

    @property
    def limit(self) -> int:
        """How many tasks may be in flight at once (never more than there are tasks)."""
        return min(self.concurrency, self.count) if self.concurrency else self.count

    def with_overrides(self, **values: Any) -> Scenario:
        """A copy with the values that are not None replaced (command-line flags win)."""
        return replace(self, **{key: value for key, value in values.items() if value is not None})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["faults"] = [str(spec) for spec in self.faults]
        return data

    @classmethod
    def from_dict(cls, data: object) -> Scenario:
        """The scenario `to_dict` wrote (a log's header, a scenario file's fields): it is
        input, so anything else is a WorkloadError, never a TypeError."""
        if not isinstance(data, dict):
            raise WorkloadError(f"a scenario is an object of its fields, not {quoted(data)}")
        unknown = set(data) - {field.name for field in fields(cls)}
        if unknown:
            raise WorkloadError(
                f"unknown keys {', '.join(sorted(str(key)[:40] for key in unknown))}"
            )
        faults = data.get("faults", [])
        if not isinstance(faults, list | tuple) or not all(
            isinstance(spec, str) for spec in faults
        ):
            raise WorkloadError("faults must be a list of strings")
        return cls(**{**data, "faults": tuple(FaultSpec.parse(spec) for spec in faults)})


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class TaskPlan:
    """One task: how long its server takes, and what goes wrong with it."""

    id: int
    latency_s: float
    fault: Fault | None = None

    def server_delay_s(self, timeout_s: float) -> float:
        """How long the server holds this task's response."""
        if self.fault is Fault.SLOW:
            return self.latency_s * SLOW_FACTOR
        if self.fault is Fault.TIMEOUT:
            return timeout_s + TIMEOUT_MARGIN_S
        return self.latency_s

    def duration_s(self, timeout_s: float) -> float:
        """The task's time when nothing else gets in its way: its share of the ideal."""
        if self.fault is Fault.REFUSED:
            return 0.0
        if self.fault is Fault.TIMEOUT:
            return timeout_s
        if self.fault in (Fault.BLOCKING, Fault.CPU):
            return self.latency_s * 2  # the fetch, then the handler's work
        return self.server_delay_s(timeout_s)


@dataclass(frozen=True)
class Plan:
    """The scenario made concrete: one TaskPlan per task, the same for the same seed."""

    scenario: Scenario
    tasks: tuple[TaskPlan, ...]

    @property
    def faults(self) -> dict[int, Fault]:
        return {task.id: task.fault for task in self.tasks if task.fault is not None}

    def ideal_s(self, limit: int) -> float:
        """The critical path: tasks started in order on `limit` slots, with no overhead at all.

        It assumes every wait overlaps perfectly, including blocking calls and CPU work, so the
        gap between a strategy's wall time and this number is what the strategy cost.
        """
        timeout = self.scenario.timeout_s
        slots = [0.0] * max(1, min(limit, len(self.tasks)))  # when each slot is next free
        for task in self.tasks:  # each task takes the slot that frees first: O(N log K)
            heapq.heapreplace(slots, slots[0] + task.duration_s(timeout))
        return max(slots)


def build_plan(scenario: Scenario) -> Plan:
    """Latencies and faults for every task, from the scenario's seed alone (a Scenario has
    already checked that its faults fit: explicit ids first, then the picks by the seed)."""
    rng = random.Random(scenario.seed)
    base, jitter = scenario.latency_ms / 1000, scenario.jitter_ms / 1000
    latencies = [max(0.0, base + rng.uniform(-jitter, jitter)) for _ in range(scenario.count)]
    faults: dict[int, Fault] = {}
    for spec in scenario.faults:
        faults.update(dict.fromkeys(spec.tasks, spec.kind))
    picked = [spec for spec in scenario.faults if not spec.tasks]
    if picked:
        free = [task for task in range(scenario.count) if task not in faults]
        for spec in picked:
            chosen = rng.sample(free, spec.wanted(scenario.count))
            faults.update(dict.fromkeys(chosen, spec.kind))
            taken = set(chosen)
            free = [task for task in free if task not in taken]
    tasks = tuple(TaskPlan(i, latencies[i], faults.get(i)) for i in range(scenario.count))
    return Plan(scenario, tasks)
