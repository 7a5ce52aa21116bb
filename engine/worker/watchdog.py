"""The watchdog: a lab that stops getting anywhere is stopped, and reported, not waited on.

A real thread looks at where every worker of the lesson is, every few tens of milliseconds.
Progress is a worker starting or ending. When none has for `HANG_S`, the lab is stuck: if the
workers still move between lines (in the last half of that time) it is a livelock, busy and
getting nowhere; if they sit still, a deadlock. Either way the watchdog sends who holds what
and who waits where, and ends the process: a detected deadlock is the lab's result, not its
failure.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from ..labs import HANG_S
from ..positions import Position
from .finding import Finder
from .lab_positions import positions

LOOK_EVERY_S = 0.05


class Watchdog(threading.Thread):
    def __init__(
        self, finder: Finder, lesson_file: str, send: Callable[[dict[str, Any]], None]
    ) -> None:
        super().__init__(name="asyncplay-watchdog", daemon=True)
        self.finder = finder
        self.lesson_file = lesson_file
        self.send = send
        self.started_at = time.monotonic()

    def run(self) -> None:
        workers: set[tuple[str, str]] = set()
        places: list[tuple[str, int]] = []
        moves, progress_at = 0, time.monotonic()
        moved_at = progress_at
        while True:
            time.sleep(LOOK_EVERY_S)
            now, seen = time.monotonic(), positions(self.finder, self.lesson_file)
            seen_workers = {(p.worker, p.function) for p in seen}
            seen_places = [(p.worker, p.line) for p in seen]
            if seen_workers != workers:
                workers, moves, progress_at = seen_workers, 0, now
            elif seen_places != places:
                moves, moved_at = moves + 1, now
            places = seen_places
            if now - progress_at >= HANG_S:
                still = now - moved_at >= HANG_S / 2
                found = stuck(seen, moves, now - self.started_at, "the watchdog", still)
                self.send({"measured": found})
                os._exit(0)  # the stuck workers cannot be stopped any other way


def stuck(
    seen: list[Position], moves: int, after_s: float, by: str, still: bool = True
) -> dict[str, Any]:
    return {
        "outcome": "deadlock" if still else "livelock",
        "detected_by": by,
        "after_s": round(after_s, 3),
        "stalled_s": HANG_S,
        "moves": moves,
        "positions": [position.to_json() for position in seen],
    }
