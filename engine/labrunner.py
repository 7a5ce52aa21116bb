"""Runs lab variants, one after another, and reports each one's numbers as they come.

A lesson variant runs in its own process (`worker/lab.py`), so a deadlock is killed without
touching anything else, and each has its own memory and context switches to count. A fetch
variant is a fetch run on the fault server, folded like any other. One at a time, so no run
competes with another for the two cores it is measured on.

Every update is a `LabUpdate`; the claims, the CLI and the app are functions of the list of
them, which is also what `--record` writes and the snapshot tests replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import events, scenarios
from .errors import LabFailed
from .fold import RunState
from .labs import HANG_S, Variant
from .processes import end_process, pipe_lines, spawn_with_pipe
from .result import ResultRow
from .workload import Fault, FaultSpec, build_plan

if TYPE_CHECKING:
    from .session import Session

LabStatus = Literal["running", "done", "failed"]
FETCH_COUNT = 20  # tasks in a lab's fetch run: enough for every fault, quick on two cores
# Safety nets, reached only by a lab that is broken: a lab that can hang is ended by its
# watchdog (this is for a stuck watchdog), any other ends by itself. Wide, since a busy
# machine slows a lab down many times over: beside two busy processes and the test suite,
# starting and joining 10,000 threads once took past 90 s (a few seconds on an idle one).
HANG_DEADLINE_S = HANG_S + 60.0
DEADLINE_S = 300.0
# Who noticed a blocked loop, from what the worker printed (the env below turns them on).
NOTICES = {
    "asyncio debug": re.compile(r"Executing <.*> took [\d.]+ seconds"),
    "gevent monitor": re.compile(r"appears to be blocked"),
}
WATCHERS_ENV = {"PYTHONASYNCIODEBUG": "1", "GEVENT_MONITOR_THREAD_ENABLE": "1"}
# The slow page of a lab that fetches on its own (the starvation lab's connection pool): its
# quick pages wait for a connection while this holds one. The same as the lesson's SLOW_S
# (a test says so): the parent does not import a lesson to read it.
SLOW_PAGE_S = 0.3


@dataclass(frozen=True)
class RunContext:
    """What a variant ran on: a verdict is only as good as the machine it was measured on."""

    python: str  # the interpreter's version; the lessons run in the same one
    load_1m: float  # the machine's load average over the last minute, at the variant's start
    started_at: float  # seconds since the epoch

    @classmethod
    def now(cls) -> RunContext:
        return cls(platform.python_version(), round(os.getloadavg()[0], 2), round(time.time(), 1))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunContext | None:
        try:
            return cls(str(data["python"]), float(data["load_1m"]), float(data["started_at"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class LabUpdate:
    """A variant started, sent numbers, finished, or failed to."""

    variant: str  # Variant.key
    status: LabStatus
    numbers: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    context: RunContext | None = None  # on the updates that start and end a variant

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, line: str) -> LabUpdate:
        data = json.loads(line)
        context = data.get("context")
        return cls(
            data["variant"], data["status"], data.get("numbers", {}), data.get("detail", ""),
            RunContext.from_dict(context) if isinstance(context, dict) else None,
        )  # fmt: skip


def measured_from(updates: list[LabUpdate]) -> dict[str, dict[str, Any]]:
    """Each variant's final numbers, from a list of updates (a live run or a recorded one)."""
    return {update.variant: update.numbers for update in updates if update.status == "done"}


def contexts_from(updates: list[LabUpdate]) -> dict[str, RunContext]:
    """What each variant that finished ran on (the Python, the load at its start)."""
    return {
        update.variant: update.context
        for update in updates
        if update.status == "done" and update.context is not None
    }


async def run_variants(
    session: Session,
    variants: list[Variant],
    report: Callable[[LabUpdate], None],
    most_runs: int | None = None,
) -> None:
    """Each variant in turn, its updates to `report`; a fetch variant runs on the session's
    fault server. A variant that gives no numbers is reported failed, and the next goes on.

    A variant that runs several times (`Variant.runs`, at most `most_runs`) reports the
    numbers of each run, and fails only if none gave any; variants that interleave take
    turns, run by run."""
    for group in _turns(variants):
        runs = min(group[0].runs, most_runs) if most_runs else group[0].runs
        contexts = {variant.key: RunContext.now() for variant in group}
        for variant in group:
            report(LabUpdate(variant.key, "running", context=contexts[variant.key]))
        if len(group) == 1 and group[0].runs == 1:
            await _once(session, group[0], report, contexts[group[0].key])
            continue
        each: dict[str, list[dict[str, Any] | None]] = {variant.key: [] for variant in group}
        failures: dict[str, list[str]] = {variant.key: [] for variant in group}
        for _ in range(runs):
            for variant in group:
                try:
                    each[variant.key].append(await _measure(session, variant, report))
                except LabFailed as failed:
                    each[variant.key].append(None)
                    failures[variant.key].append(str(failed))
                done = sum(1 for numbers in each[variant.key] if numbers is not None)
                report(LabUpdate(variant.key, "running", {"runs": done, "of": runs}))
        for variant in group:
            context = contexts[variant.key]
            if any(numbers is not None for numbers in each[variant.key]):
                report(LabUpdate(variant.key, "done", {"runs": each[variant.key]}, context=context))
            else:
                detail = f"no run of {runs} gave numbers: {failures[variant.key][-1]}"
                report(LabUpdate(variant.key, "failed", detail=detail, context=context))


def _turns(variants: list[Variant]) -> list[list[Variant]]:
    """The variants in order, those that interleave together as one group."""
    groups: dict[str, list[Variant]] = {}
    for variant in variants:
        groups.setdefault(variant.interleave or variant.key, []).append(variant)
    return list(groups.values())


async def _once(
    session: Session, variant: Variant, report: Callable[[LabUpdate], None], context: RunContext
) -> None:
    try:
        numbers = await _measure(session, variant, report)
    except LabFailed as failed:
        report(LabUpdate(variant.key, "failed", detail=str(failed), context=context))
    else:
        report(LabUpdate(variant.key, "done", numbers, context=context))


async def _measure(
    session: Session, variant: Variant, report: Callable[[LabUpdate], None]
) -> dict[str, Any]:
    if variant.experiment == "fetch":
        return await _fetch(session, variant)
    params = variant.params
    if params.get("fetches"):  # a lab that fetches on its own, from the session's server
        target, _ = await session.target()
        params = {key: value for key, value in params.items() if key != "fetches"}
        params |= {"slow_url": target.page_url(0, SLOW_PAGE_S), "quick_url": target.page_url(1, 0)}
    return await _in_a_process(variant, params, report)


async def _in_a_process(
    variant: Variant, params: dict[str, Any], report: Callable[[LabUpdate], None]
) -> dict[str, Any]:
    spec = {"module": variant.module, "function": variant.function,
            "experiment": variant.experiment, "params": params,
            "can_hang": variant.can_hang}  # fmt: skip
    process, read_fd = await spawn_with_pipe(
        "-m", f"{__package__}.worker.lab", json.dumps(spec), pipe_flag="--out-fd",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    measured: dict[str, Any] | None = None
    errors: list[bytes] = []

    async def read_messages() -> None:
        nonlocal measured
        async with contextlib.aclosing(pipe_lines(read_fd)) as lines:
            async for line in lines:
                message = json.loads(line)
                if "progress" in message:
                    report(LabUpdate(variant.key, "running", message["progress"]))
                else:
                    measured = message["measured"]

    async def read_errors() -> None:
        assert process.stderr is not None
        errors.append(await process.stderr.read())

    deadline_s = HANG_DEADLINE_S if variant.can_hang else DEADLINE_S
    try:
        async with asyncio.timeout(deadline_s):
            await asyncio.gather(read_messages(), read_errors(), process.wait())
    except TimeoutError:
        raise LabFailed(f"no result after {deadline_s:.0f} s; killed") from None
    finally:
        await end_process(process, grace_s=0.0)
        os.close(read_fd)
    if measured is None:
        tail = events.shown_safe(b"".join(errors).decode(errors="replace")).strip().splitlines()
        raise LabFailed(f"exit status {process.returncode}" + (f": {tail[-1]}" if tail else ""))
    return measured


async def _fetch(session: Session, variant: Variant) -> dict[str, Any]:
    faults = variant.params.get("faults")  # None: the scenario's own
    scenario = scenarios.load(variant.params["scenario"]).with_overrides(
        count=FETCH_COUNT,
        faults=None if faults is None else tuple(FaultSpec.parse(spec) for spec in faults),
    )
    state = RunState()
    await session.run(variant.function, scenario, state.apply, env=WATCHERS_ENV, nice=0)
    if not state.completed:
        raise LabFailed(state.aborted.detail if state.aborted else "the run did not finish")
    row, plan = ResultRow.of(state), build_plan(scenario)
    output = "".join(state.output)
    blocking = [task.latency_s for task in plan.tasks if task.fault is Fault.BLOCKING]
    return {
        "tasks": scenario.count,
        "wall_s": round(state.wall_s, 4),
        "ideal_s": round(row.ideal_s, 4),
        "latency_sum_s": round(sum(task.latency_s for task in plan.tasks), 4),
        "blocking_sum_s": round(sum(blocking), 4),
        "blocking_max_s": round(max(blocking, default=0.0), 4),
        "cpu_s": round(row.cpu_s or 0.0, 4),
        "faults": row.injected,
        "fates": dict(row.fates),
        "statuses": {str(task.id): state.task_status(task) for task in state.tasks},
        "noticed_by": {who: len(pattern.findall(output)) for who, pattern in NOTICES.items()},
    }
