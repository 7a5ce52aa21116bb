"""RunState = fold(events): one strategy run, as the CLI and the UI show it.

The fold is the only place where a run's questions are answered (a task's status, a fault's
fate, who saw an error, the counts), so a live run, a recorded log and a test all agree. For
every injected fault that ends in an error:

    raised    the caller got it as an exception: it escaped the strategy's main()
    returned  the caller got it as a value it has to check
    logged    the caller never saw it; a framework printed or logged it
    lost      it happened (its origin reported it) and nobody above saw it
    not_run   it never happened: the task never reached its fault, or was cut off on the
              way (cancelled, or its client closed under it after another task's error)

When several saw an error, the one nearest the caller wins (raised, then returned, then
logged). `lost` is only ever the remainder, decided once the run is done. A run that was
killed or crashed never got to hand its errors over, so an error nobody had seen yet stays
undecided rather than being called lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from . import events
from .events import Event, Frame, Spot
from .saturation import client_saturated
from .workload import Fault

Fate = Literal["raised", "returned", "logged", "lost", "not_run"]
FATES: tuple[Fate, ...] = ("raised", "returned", "logged", "lost", "not_run")
FATE_LABELS: dict[Fate, str] = {fate: fate.replace("_", " ") for fate in FATES}
# A task that never reached its end in a run that is over is "unfinished": it never started,
# or was still waiting when the run stopped. (Not "not run": that is a fault's fate.)
TaskStatus = Literal["queued", "running", "ok", "failed", "unfinished"]
TASK_STATUSES: tuple[TaskStatus, ...] = ("ok", "failed", "running", "queued", "unfinished")
RunStatus = Literal["idle", "running", "done", "crashed", "killed"]
# Nearest the caller first.
CHANNEL_RANK = {"raised": 0, "returned": 1, "logged": 2}


@dataclass
class TaskView:
    """One task's facts as its events reported them; RunState answers questions about it."""

    id: int
    fault: Fault | None = None
    started: float | None = None
    ended: float | None = None
    failed: events.TaskFailed | None = None
    status_code: int | None = None
    nbytes: int = 0
    seen: list[events.ErrorSeen] = field(default_factory=list)


@dataclass(frozen=True)
class ErrorRow:
    """One error as the reports list it."""

    task: int | None
    fault: str | None
    type: str
    fate: Fate | None
    via: str
    t: float
    message: str = ""
    traceback: str = ""
    frames: tuple[Frame, ...] = ()  # the lesson lines it passed through, outermost first


@dataclass
class RunState:
    """Everything known about one strategy's run, from its events alone."""

    strategy: str = ""
    status: RunStatus = "idle"
    pid: int | None = None
    tasks: list[TaskView] = field(default_factory=list)
    concurrency: int = 0  # tasks in flight at once for this strategy (1 for sequential)
    ideal_s: float = 0.0
    now: float = 0.0  # the latest event's time
    origin: float | None = None  # the worker's monotonic clock at t=0, for a live clock
    finished: events.RunFinished | None = None
    aborted: events.RunAborted | None = None
    output: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the runner's, on what the run left
    stray: list[events.ErrorSeen] = field(default_factory=list)  # errors of no task
    folded: int = 0  # events folded in so far: a cheap "has anything changed?"
    xray: str = ""  # the X-ray's state as the worker reported it: "on: ...", "off: why"
    lesson: str = ""  # the module that ran: the strategy's own, or one with a second client
    client: str = ""  # the HTTP client it fetched with ("" if not known: see RunStarted)
    skipped: str = ""  # why it was not run: no lesson of its style for the scenario's client
    timeout_s: float = 0.0  # the client's timeout (0: not recorded, in older logs)
    samples: list[events.Sampled] = field(default_factory=list)  # the X-ray's looks
    # Kept up to date by apply, so that a live view of thousands of tasks never rescans
    # them all on every frame: tasks by live status, tasks with an error fault, and tasks
    # that failed or whose error someone saw (in the order that first happened).
    live: Counter[TaskStatus] = field(default_factory=Counter)
    faulted: list[TaskView] = field(default_factory=list)
    troubled: list[TaskView] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)  # ids of tasks as they changed
    # errors() of the state as of `folded` events: several views ask on the same tick.
    _errors: tuple[int, list[ErrorRow]] = field(default=(-1, []), compare=False, repr=False)

    @property
    def over(self) -> bool:
        return self.status in ("done", "crashed", "killed")

    @property
    def completed(self) -> bool:
        """The run ended by itself: its worker reported the end, nobody killed it."""
        return self.status == "done"

    @property
    def wall_s(self) -> float:
        return self.finished.wall_s if self.finished else self.now

    def clock(self, monotonic_now: float) -> float:
        """Seconds into a live run at `monotonic_now`: it moves on between events."""
        if self.status != "running" or self.origin is None:
            return self.now
        return max(self.now, monotonic_now - self.origin)

    # What the run says about one task.

    def task_status(self, task: TaskView) -> TaskStatus:
        """ok, failed, or (once the run is over) unfinished; queued or running before."""
        status = _live_status(task)
        if self.over and status in ("queued", "running"):
            return "unfinished"
        return status

    def sighting(self, task: TaskView) -> events.ErrorSeen | None:
        """Who saw this task's error nearest the caller, if anyone did."""
        return min(task.seen, key=lambda seen: CHANNEL_RANK[seen.channel], default=None)

    def fate(self, task: TaskView) -> Fate | None:
        """Where the task's injected error ended up; None for no error fault, or while it is
        undecided (the run goes on, or was cut short before anyone saw the error)."""
        if task.fault is None or not task.fault.is_error:
            return None
        if task.failed is not None and task.failed.cut_off:
            return "not_run"  # whoever saw the error saw the cut, not this fault
        sighting = self.sighting(task)
        if sighting is not None:
            return sighting.channel
        if not self.over:
            return None
        if task.failed is None:
            return "not_run"
        return "lost" if self.completed else None

    # What the run says as a whole.

    def counts(self) -> Counter[TaskStatus]:
        """Tasks by status; once the run is over, the unfinished ones are counted so."""
        counts = Counter(self.live)
        if self.over:
            counts["unfinished"] = counts.pop("queued", 0) + counts.pop("running", 0)
        return +counts  # without the zeros

    def fates(self) -> dict[Fate, int]:
        tally = Counter(self.fate(task) for task in self.faulted)
        return {fate: tally[fate] for fate in FATES}

    @property
    def injected(self) -> int:
        """How many tasks carry a fault that ends in an error (each gets one fate)."""
        return len(self.faulted)

    @property
    def undecided(self) -> int:
        """Faults whose fate is not known: the run is still going, or was cut short."""
        return self.injected - sum(self.fates().values())

    @property
    def whole_plan(self) -> bool:
        """Every task ran to its own end: none skipped, none cut off by another's error.

        Only such a run compares with the ideal time; a run that stopped at its first
        error did less work than the ideal assumes, and its ratio would flatter it.
        """
        cut_off = any(task.failed is not None and task.failed.cut_off for task in self.troubled)
        return self.completed and not self.counts()["unfinished"] and not cut_off

    def unexplained(self) -> Counter[str]:
        """Failures no injected fault explains, by error type: the client, the machine or the
        server could not keep up (or died). Cut-off tasks are explained: another error cut
        them off."""
        return Counter(
            task.failed.error
            for task in self.troubled
            if task.failed is not None and task.fault is None and not task.failed.cut_off
        )

    def saturated(self) -> tuple[int, float]:
        """Of the failures no fault explains, how many were the client's own saturation (its
        event loop running late: saturation.RULE), and the worst lateness among them."""
        lags = [
            task.failed.lag_s
            for task in self.troubled
            if task.failed is not None and task.fault is None and not task.failed.cut_off
            and client_saturated(task.failed.lag_s, self.timeout_s)
        ]  # fmt: skip
        return len(lags), max(lags, default=0.0)

    def errors(self) -> list[ErrorRow]:
        """Every failed task and every error of no task, newest first."""
        if self._errors[0] != self.folded:
            self._errors = (self.folded, self._error_rows())
        return self._errors[1]

    def _error_rows(self) -> list[ErrorRow]:
        rows = []
        for task in self.troubled:
            sighting = self.sighting(task)
            origin = task.failed
            rows.append(
                ErrorRow(
                    task=task.id,
                    fault=str(task.fault) if task.fault else None,
                    type=sighting.error if sighting else origin.error if origin else "?",
                    fate=self.fate(task) or (sighting.channel if sighting else None),
                    via=sighting.via if sighting else _unseen(origin),
                    t=sighting.t if sighting else origin.t if origin else 0.0,
                    message=origin.message if origin else "",
                    traceback=(sighting.traceback if sighting else "")
                    or (origin.traceback if origin else ""),
                    frames=(sighting.frames if sighting else ())
                    or (origin.frames if origin else ()),
                )
            )
        for seen in self.stray:
            rows.append(ErrorRow(None, None, seen.error, seen.channel, seen.via, seen.t,
                                 traceback=seen.traceback, frames=seen.frames))  # fmt: skip
        return sorted(rows, key=lambda row: row.t, reverse=True)

    # Folding.

    def apply(self, event: Event) -> None:
        """Fold one event in."""
        self.folded += 1
        self.now = max(self.now, event.t)
        match event:
            case events.RunStarted():
                self.strategy, self.status, self.pid = event.strategy, "running", event.pid
                self.concurrency, self.ideal_s = event.concurrency, event.ideal_s
                self.origin, self.xray = event.origin, event.xray
                self.lesson, self.client = event.lesson or event.strategy, event.client
                self.timeout_s = event.timeout_s
                self.tasks = [TaskView(i) for i in range(event.tasks)]
                self.live = Counter({"queued": event.tasks})
                for task_id, fault in event.faults.items():
                    self.tasks[task_id].fault = Fault(fault)
                self.faulted = [task for task in self.tasks if task.fault and task.fault.is_error]
            case events.TaskStarted():
                task = self._task(event.task)
                if task and task.started is None:
                    with self._tracking(task):
                        task.started = event.t
            case events.TaskFinished():
                task = self._task(event.task)
                if task and task.ended is None:
                    with self._tracking(task):
                        task.ended, task.status_code = event.t, event.status
                        task.nbytes = event.nbytes
            case events.TaskFailed():
                task = self._task(event.task)
                if task and task.failed is None:
                    with self._tracking(task):
                        task.failed = event
                        task.ended = task.ended if task.ended is not None else event.t
            case events.ErrorSeen():
                task = self._task(event.task)
                if task:
                    with self._tracking(task):
                        task.seen.append(event)
                else:
                    self.stray.append(event)
            case events.Sampled():
                self.samples.append(event)
            case events.Output():
                self.output.append(event.text)
            case events.RunWarned():
                self.warnings.append(event.text)
            case events.RunFinished():
                self.finished, self.status = event, "done"
            case events.RunAborted():
                self.aborted, self.status = event, event.reason

    def _task(self, task: int | None) -> TaskView | None:
        return self.tasks[task] if task is not None and 0 <= task < len(self.tasks) else None

    @contextmanager
    def _tracking(self, task: TaskView) -> Iterator[None]:
        """Around a change to one task: keep the live tallies in step with it."""
        before, was_troubled = _live_status(task), task.failed is not None or bool(task.seen)
        yield
        self.touched.append(task.id)
        self.live[before] -= 1
        self.live[_live_status(task)] += 1
        if not was_troubled and (task.failed is not None or task.seen):
            self.troubled.append(task)


def by_line(sample: events.Sampled | None) -> dict[int, list[Spot]]:
    """The spots of one X-ray look, by the line of the lesson they are at."""
    lines: dict[int, list[Spot]] = {}
    for spot in sample.spots if sample else ():
        lines.setdefault(spot[2], []).append(spot)
    return lines


def by_task(sample: events.Sampled | None) -> dict[int, Spot]:
    """Where each task was at one X-ray look (a task two workers serve: the first found)."""
    tasks: dict[int, Spot] = {}
    for spot in sample.spots if sample else ():
        if spot[1] is not None:
            tasks.setdefault(spot[1], spot)
    return tasks


def _live_status(task: TaskView) -> TaskStatus:
    if task.failed is not None:
        return "failed"
    if task.ended is not None:
        return "ok"
    return "running" if task.started is not None else "queued"


def _unseen(origin: events.TaskFailed | None) -> str:
    return "cut off: its client closed" if origin is not None and origin.cut_off else ""


def fold(run_events: Iterable[Event]) -> RunState:
    """The state a sequence of events describes; the same events always give the same state."""
    state = RunState()
    for event in run_events:
        state.apply(event)
    return state
