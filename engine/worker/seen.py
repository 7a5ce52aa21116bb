"""One worker of a lesson as a look found it: the raw facts the X-ray, the watchdog and the
labs then read (its state, its task, its line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import CodeType, FrameType

from ..events import SpotState


@dataclass
class Seen:
    """One worker as found: its frames in the lesson (innermost first), the frame the
    innermost of them called out of the lesson, and, for one that is not running, what it
    waits for."""

    worker: str
    frames: list[FrameType] = field(default_factory=list)
    callee: CodeType | None = None
    parked: bool = False  # a suspended task or a parked greenlet: it is waiting, not running
    ready: bool = False  # what it waited for is done: it only waits for its turn to run
    line: int | None = None  # its line, once known (a callback's: its function's first line)
    state: SpotState | None = None  # what it does there, but for being ready, once known
    task: int | None = None
    task_known: bool = False  # `task` was worked out (None may be the answer)
