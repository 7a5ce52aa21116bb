"""What a run reports: small frozen dataclasses, one JSON object per line.

Workers emit them; the runner adds the ones only it can see (a worker's output, a crash, a
kill); the fold turns any sequence of them into a RunState. Times are seconds since the run's
workload started, on the monotonic clock shared by every process of the machine.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal

Channel = Literal["raised", "returned", "logged"]
# A line of a lesson an error passed through: (module, line number, function), e.g.
# ("threads", 23, "fetch"). Only lesson frames are kept; tracebacks keep the rest.
Frame = tuple[str, int, str]
# No run lasts longer than this (a sequential run of the most tasks at the longest hold is
# well under it): a later time in a log is a corrupt log, not a long run.
MAX_T = 1e7


@dataclass(frozen=True)
class RunStarted:
    """The worker is up and about to call the strategy's `main`."""

    kind: ClassVar[str] = "run_started"
    t: float
    strategy: str
    pid: int
    tasks: int
    concurrency: int
    ideal_s: float
    faults: dict[int, str]  # task id -> fault kind, for every injected fault
    origin: float  # the worker's monotonic clock at t=0, so the runner can stamp output


@dataclass(frozen=True)
class TaskStarted:
    """A task's request went out."""

    kind: ClassVar[str] = "task_started"
    t: float
    task: int


@dataclass(frozen=True)
class TaskFinished:
    """A task's page was fetched and handled."""

    kind: ClassVar[str] = "task_finished"
    t: float
    task: int
    status: int
    nbytes: int


@dataclass(frozen=True)
class TaskFailed:
    """A task's fault happened: seen where it starts (the HTTP client or the handler)."""

    kind: ClassVar[str] = "task_failed"
    t: float
    task: int
    error: str  # exception type, or "HTTP 500"
    message: str
    traceback: str
    cut_off: bool = False  # the client was closed under it: not the task's own fault
    frames: tuple[Frame, ...] = ()  # the lesson's lines it was raised through, outermost first


@dataclass(frozen=True)
class ErrorSeen:
    """Someone saw an error: the caller (raised or returned) or a framework's hook (logged)."""

    kind: ClassVar[str] = "error_seen"
    t: float
    task: int | None  # None: an error no task can be blamed for
    channel: Channel
    via: str  # who saw it: "main() raised", "threading.excepthook", ...
    error: str
    traceback: str = ""
    frames: tuple[Frame, ...] = ()  # the lesson's lines it was raised through, outermost first


@dataclass(frozen=True)
class Output:
    """Text the worker printed (stderr and stdout), as the framework's user would see it."""

    kind: ClassVar[str] = "output"
    t: float
    text: str


@dataclass(frozen=True)
class RunFinished:
    """The strategy's `main` returned or raised; the worker's measurements of the run."""

    kind: ClassVar[str] = "run_finished"
    t: float
    wall_s: float
    cpu_s: float
    ctx_voluntary: int
    ctx_involuntary: int
    threads_peak: int
    max_rss_kb: int


@dataclass(frozen=True)
class RunAborted:
    """The runner ended a worker that crashed, hung past its deadline, or was stopped."""

    kind: ClassVar[str] = "run_aborted"
    t: float
    reason: Literal["crashed", "killed"]
    detail: str


Event = (
    RunStarted
    | TaskStarted
    | TaskFinished
    | TaskFailed
    | ErrorSeen
    | Output
    | RunFinished
    | RunAborted
)
EVENT_TYPES: dict[str, type[Any]] = {
    cls.kind: cls
    for cls in (RunStarted, TaskStarted, TaskFinished, TaskFailed, ErrorSeen, Output, RunFinished)
}
EVENT_TYPES[RunAborted.kind] = RunAborted


class MalformedEvent(ValueError):
    """A line that is not an event this version understands."""


def to_dict(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, **asdict(event)}


def encode(event: Event) -> str:
    """One line of JSON, without the newline."""
    return json.dumps(to_dict(event), separators=(",", ":"))


def from_dict(data: dict[str, Any]) -> Event:
    data = dict(data)
    cls = EVENT_TYPES.get(data.pop("kind", None))
    if cls is None:
        raise MalformedEvent(f"unknown event kind in {data!r:.80}")
    names = {field.name for field in fields(cls)}
    values = {key: value for key, value in data.items() if key in names}
    try:
        if "frames" in values:  # JSON has lists where the event has tuples
            values["frames"] = _frames(values["frames"])
        if cls is RunStarted:  # JSON object keys are strings
            values["faults"] = _faults(values.get("faults"), values.get("tasks"))
        event: Event = cls(**values)
        _check(event)
    except (TypeError, ValueError) as error:
        raise MalformedEvent(f"{cls.kind}: {error}") from None
    return event


def _check(event: Event) -> None:
    """The fields the fold relies on have the types and ranges it relies on (a log is input,
    and may have been edited by hand)."""
    if not _is_number(event.t) or not 0 <= event.t <= MAX_T:
        raise ValueError(f"t must be a time from 0 to {MAX_T:g} s, not {event.t!r}")
    task = getattr(event, "task", None)
    if task is not None and not (isinstance(task, int) and task >= 0):
        raise TypeError(f"task must be a task id, not {task!r}")
    if isinstance(event, RunStarted):
        from .workload import MAX_TASKS

        if not (isinstance(event.tasks, int) and 0 <= event.tasks <= MAX_TASKS):
            raise ValueError(f"tasks must be a count from 0 to {MAX_TASKS}, not {event.tasks!r}")
        if not (isinstance(event.concurrency, int) and 0 <= event.concurrency <= event.tasks):
            raise ValueError(f"concurrency must be 0 to the task count, not {event.concurrency!r}")
        if not _is_number(event.ideal_s) or not 0 <= event.ideal_s <= MAX_T:
            raise ValueError(f"ideal_s must be a time from 0 to {MAX_T:g} s")


def _faults(faults: object, tasks: object) -> dict[int, str]:
    """The fault plan with integer task ids, each in range and of a known kind."""
    from .workload import Fault  # events stay importable on their own

    if not isinstance(faults, dict):
        raise TypeError("faults must be an object of task id to fault kind")
    plan = {int(task): str(Fault(kind)) for task, kind in faults.items()}
    if not isinstance(tasks, int) or any(not 0 <= task < tasks for task in plan):
        raise ValueError("a fault names a task outside the run")
    return plan


def _frames(frames: object) -> tuple[Frame, ...]:
    if not isinstance(frames, list | tuple):
        raise TypeError("frames must be a list of [module, line, function]")
    checked = []
    for frame in frames:
        module, line, function = frame
        if not (isinstance(module, str) and isinstance(line, int) and isinstance(function, str)):
            raise TypeError(f"a frame must be [module, line, function], not {frame!r}")
        checked.append((module, line, function))
    return tuple(checked)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def decode(line: str | bytes) -> Event:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise MalformedEvent(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise MalformedEvent("not a JSON object")
    return from_dict(data)
