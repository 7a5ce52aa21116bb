"""What a run reports: small frozen dataclasses, one JSON object per line.

Workers emit them; the runner adds the ones only it can see (a worker's output, a crash, a
kill); the fold turns any sequence of them into a RunState. Times are seconds since the run's
workload started, on the monotonic clock shared by every process of the machine.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, ClassVar, Literal, get_args

from .errors import MalformedEvent

Channel = Literal["raised", "returned", "logged"]
CHANNELS: tuple[Channel, ...] = ("raised", "returned", "logged")
# A line of a lesson an error passed through: (module, line number, function), e.g.
# ("threads", 23, "fetch"). Only lesson frames are kept; tracebacks keep the rest.
Frame = tuple[str, int, str]
# Where one worker was at one look of the X-ray: (worker, task or None, line of the lesson,
# state), e.g. ("Thread-3 (fetch)", 2, 21, "network"). A worker of no task (main, a lab's
# transfer) has None.
SpotState = Literal["running", "network", "lock", "queued", "waiting"]
SPOT_STATES: tuple[SpotState, ...] = ("running", "network", "lock", "queued", "waiting")
Spot = tuple[str, int | None, int, SpotState]
# Why the runner ended a run: its worker crashed (or the server under it died), or it was
# killed (past its deadline, or stopped).
AbortReason = Literal["crashed", "killed"]
# No run lasts longer than this (a sequential run of the most tasks at the longest hold is
# well under it): a later time in a log is a corrupt log, not a long run.
MAX_T = 1e7
# The longest text an event carries (an error's message or traceback, a run's output): a
# screenful and more. A lesson may raise an error of 20 MB; the worker cuts it to this, and
# so does the parent with whatever a child sends it.
TEXT_MAX = 10_000


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
    xray: str = ""  # "on: ...", or "off: why"; empty in logs from before the X-ray
    # The lesson module that ran ("threads_requests" for threads with requests) and the
    # client it fetched with; empty in logs from before the second clients (the style's
    # own module, with httpx or Tornado), and the client of a user's file is not known.
    lesson: str = ""
    client: str = ""
    timeout_s: float = 0.0  # the client's timeout (0 in logs from before it was recorded)


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
    # How late the client's event loop ran in the timeout's window before the failure (0:
    # no loop, or on time): see engine/saturation.py.
    lag_s: float = 0.0


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
class Sampled:
    """Where the lesson's workers were at one look of the X-ray (sent when anything moved)."""

    kind: ClassVar[str] = "sampled"
    t: float
    spots: tuple[Spot, ...]


@dataclass(frozen=True)
class Output:
    """Text the worker printed (stderr and stdout), as the framework's user would see it."""

    kind: ClassVar[str] = "output"
    t: float
    text: str


@dataclass(frozen=True)
class RunWarned:
    """The runner's word on what the run left that the user should know of: a process of
    the lesson's out of the run's process group (a session of its own), ended with it."""

    kind: ClassVar[str] = "run_warned"
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
    xray_cpu_s: float = 0.0  # the X-ray's own CPU time, left out of cpu_s like the reporter's
    # cpu_s split into user and system (kernel) time: ten thousand OS threads spend most of
    # theirs in the kernel. None in logs from before the split.
    cpu_user_s: float | None = None
    cpu_system_s: float | None = None


@dataclass(frozen=True)
class RunAborted:
    """The runner ended a worker that crashed, hung past its deadline, or was stopped."""

    kind: ClassVar[str] = "run_aborted"
    t: float
    reason: AbortReason
    detail: str


Event = (
    RunStarted
    | TaskStarted
    | TaskFinished
    | TaskFailed
    | ErrorSeen
    | Sampled
    | Output
    | RunWarned
    | RunFinished
    | RunAborted
)
# Every kind a log may hold, by its name: what workers send, and what only the runner makes
# (Output, RunWarned, RunAborted), since a recorded log holds those too.
EVENT_TYPES: dict[str, type[Any]] = {cls.kind: cls for cls in get_args(Event)}


def to_dict(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, **asdict(event)}


# json.dumps with separators builds a new encoder on every call; this one is made once.
_encode_json = json.JSONEncoder(separators=(",", ":")).encode


def encode(event: Event) -> str:
    """One line of JSON, without the newline: the text `json.dumps(to_dict(event),
    separators=(",", ":"))` would give, made faster.

    Every task sends a TaskStarted and a TaskFinished, so those two are written directly when
    their numbers are plain (JSON writes a finite float as its repr and an int as its digits):
    about a microsecond each instead of twenty. The others skip `asdict`'s deep copy (JSON
    writes tuples as lists anyway) and reuse one encoder.
    """
    if type(event) is TaskStarted and _plain(event.t, event.task):
        return f'{{"kind":"task_started","t":{event.t!r},"task":{event.task}}}'
    if type(event) is TaskFinished and _plain(event.t, event.task, event.status, event.nbytes):
        return (
            f'{{"kind":"task_finished","t":{event.t!r},"task":{event.task},'
            f'"status":{event.status},"nbytes":{event.nbytes}}}'
        )
    return _encode_json({"kind": event.kind, **vars(event)})


def _plain(t: object, *counts: object) -> bool:
    """A finite float or an int, then ints: numbers whose JSON is their repr."""
    if not (type(t) is int or (type(t) is float and math.isfinite(t))):
        return False
    return all(type(count) is int for count in counts)


def cut(text: str, limit: int = TEXT_MAX) -> str:
    """`text`, or as much of its start as fits in `limit` characters with a note that says
    it was cut, and from how long (so the worker's cut passes the parent's as it is)."""
    if len(text) <= limit:
        return text
    note = f"… (cut: {len(text):,} characters)"
    return text[: limit - len(note)] + note


# A terminal acts on these characters (ESC starts a sequence that can clear or retitle it,
# and so does C1's CSI); a lesson's texts may hold any of them. Tab and newline are text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown_safe(text: str) -> str:
    """`text` with every character a terminal would act on as a ?."""
    return CONTROL.sub("?", text) if CONTROL.search(text) else text


def cut_texts(event: Event) -> Event:
    """The event with each of its texts cut to TEXT_MAX (see `cut`)."""
    long = {name: cut(value) for name, value in vars(event).items()
            if isinstance(value, str) and len(value) > TEXT_MAX}  # fmt: skip
    # Each name is one of the event's own text fields, which mypy cannot tell of a union.
    return replace(event, **long) if long else event  # type: ignore[arg-type]


def _safe_texts(event: Event) -> Event:
    """The event with every character a terminal acts on in its texts a ? (see `shown_safe`)."""
    unsafe = {name: shown_safe(value) for name, value in vars(event).items()
              if isinstance(value, str) and CONTROL.search(value)}  # fmt: skip
    return replace(event, **unsafe) if unsafe else event  # type: ignore[arg-type]


def from_dict(data: dict[str, Any]) -> Event:
    data = dict(data)
    kind = data.pop("kind", None)
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:  # named, never quoted whole: a kind may be a list nested 900 deep
        named = f"{kind!r:.80}" if isinstance(kind, str) else f"(a {type(kind).__name__}, not text)"
        raise MalformedEvent(f"unknown event kind {named}")
    names = {field.name for field in fields(cls)}
    values = {key: value for key, value in data.items() if key in names}
    try:
        if "frames" in values:  # JSON has lists where the event has tuples
            values["frames"] = _frames(values["frames"])
        if "spots" in values:
            values["spots"] = _spots(values["spots"])
        if cls is RunStarted:  # JSON object keys are strings
            values["faults"] = _faults(values.get("faults"), values.get("tasks"))
        event: Event = cls(**values)
        _check(event)
    except (TypeError, ValueError) as error:
        raise MalformedEvent(f"{cls.kind}: {error}") from None
    return _safe_texts(event)  # from a child, a log or a recording: shown on a terminal


def _check(event: Event) -> None:
    """Every field has the type and range the fold and the views rely on: a log is input,
    and may have been edited by hand."""
    _time(event, "t")
    task = getattr(event, "task", None)
    if task is not None and not (_is_int(task) and task >= 0):
        raise TypeError(f"task must be a task id, not {task!r}")
    match event:
        case RunStarted():
            from .workload import MAX_TASKS

            _text(event, "strategy")
            _count(event, "pid")
            _count(event, "tasks", MAX_TASKS)
            _count(event, "concurrency", event.tasks)
            _time(event, "ideal_s")
            if not _is_number(event.origin) or not math.isfinite(event.origin):
                raise ValueError(f"origin must be a finite time, not {event.origin!r}")
            _text(event, "xray", "lesson", "client")
            _time(event, "timeout_s")
        case TaskFinished():
            _count(event, "status", 599)
            _count(event, "nbytes")
        case TaskFailed():
            _text(event, "error", "message", "traceback")
            _time(event, "lag_s")
            if not isinstance(event.cut_off, bool):
                raise TypeError(f"cut_off must be true or false, not {event.cut_off!r}")
        case ErrorSeen():
            if event.channel not in CHANNELS:
                raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
            _text(event, "via", "error", "traceback")
        case Output() | RunWarned():
            _text(event, "text")
        case RunFinished():
            _time(event, "wall_s", "cpu_s", "xray_cpu_s")
            if event.cpu_user_s is not None or event.cpu_system_s is not None:
                _time(event, "cpu_user_s", "cpu_system_s")
            _count(event, "ctx_voluntary", "ctx_involuntary", "threads_peak", "max_rss_kb")
        case RunAborted():
            if event.reason not in ("crashed", "killed"):
                raise ValueError(f"reason must be crashed or killed, not {event.reason!r}")
            _text(event, "detail")


def _time(event: Event, *names: str) -> None:
    for name in names:
        value = getattr(event, name)
        if not _is_number(value) or not 0 <= value <= MAX_T:
            raise ValueError(f"{name} must be a time from 0 to {MAX_T:g} s, not {value!r}")


def _count(event: Event, *names: str | int) -> None:
    """Whole numbers from 0 (to a bound, when the last argument is one)."""
    bound = names[-1] if isinstance(names[-1], int) else None
    for name in names:
        if isinstance(name, int):
            continue
        value = getattr(event, name)
        if not (_is_int(value) and value >= 0 and (bound is None or value <= bound)):
            upto = f" to {bound}" if bound is not None else " or more"
            raise ValueError(f"{name} must be a whole number from 0{upto}, not {value!r}")


def _text(event: Event, *names: str) -> None:
    for name in names:
        if not isinstance(getattr(event, name), str):
            raise TypeError(f"{name} must be text, not {getattr(event, name)!r}")


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
        checked.append((shown_safe(module), line, shown_safe(function)))
    return tuple(checked)


def _spots(spots: object) -> tuple[Spot, ...]:
    if not isinstance(spots, list | tuple):
        raise TypeError("spots must be a list of [worker, task, line, state]")
    checked = []
    for spot in spots:
        worker, task, line, state = spot
        if not (
            isinstance(worker, str)
            and (task is None or (_is_int(task) and task >= 0))
            and _is_int(line)
            and line > 0
            and state in SPOT_STATES
        ):
            raise TypeError(f"a spot must be [worker, task, line, state], not {spot!r}")
        checked.append((shown_safe(worker), task, line, state))
    return tuple(checked)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode(line: str | bytes) -> Event:
    """The event a line from a child holds, its texts cut to TEXT_MAX and safe to show (no
    character a terminal acts on). A child runs a lesson, which is anyone's code: whatever
    else the line is raises MalformedEvent, never more."""
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise MalformedEvent("not a JSON object")
        return cut_texts(from_dict(data))
    except MalformedEvent:
        raise
    except json.JSONDecodeError as error:
        raise MalformedEvent(f"not JSON: {error}") from None
    except UnicodeDecodeError:
        raise MalformedEvent("not UTF-8 text") from None
    except ValueError as error:  # a number of more digits than Python reads (4,300)
        raise MalformedEvent(f"cannot be read: {error}") from None
    except RecursionError:  # 100,000 `[`: the reader, or a message quoting it, went too deep
        raise MalformedEvent("nested too deep") from None
