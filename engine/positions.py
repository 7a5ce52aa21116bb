"""Where a lab's workers were when it got stuck: each at one line of its lesson, holding
which locks, doing what. The worker's watchdog finds them; the claims screen and
`asyncplay lab` write each as one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .events import SpotState


@dataclass(frozen=True)
class Position:
    """One worker, at one line of the lesson."""

    worker: str  # "transfer-1", "Task-3", "Greenlet-0": the name its style gives it
    function: str  # the lesson function it is in
    line: int
    code: str  # the line's source, stripped
    holds: tuple[str, ...]  # the locks of the `with` blocks around the line
    state: SpotState = "running"
    task: int | None = None  # the fetch task it works for, when it works for one

    def to_json(self) -> dict[str, Any]:
        return {"worker": self.worker, "function": self.function, "line": self.line,
                "code": self.code, "holds": list(self.holds), "state": self.state,
                "task": self.task}  # fmt: skip


STATE_WORDS: dict[str, str] = {
    "running": "runs",
    "network": "waits on the network",
    "lock": "waits on a lock",
    "queued": "waits its turn",
    "waiting": "waits for others",
}


def describe(position: dict[str, Any]) -> str:
    """A position as one line, from its JSON form (the form a report and a log carry; logs
    from before the X-ray have no state)."""
    holds = position["holds"]
    holding = f"holds {', '.join(holds)}; " if holds else ""
    doing = f"{STATE_WORDS[position['state']]}; " if position.get("state") in STATE_WORDS else ""
    return (
        f"{position['worker']} in {position['function']}(): {doing}{holding}"
        f"line {position['line']}: {position['code']}"
    )
