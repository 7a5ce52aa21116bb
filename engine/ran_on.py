"""What a claim's variants ran on: which Python, and the machine's load at each one's start.

A verdict is only as good as the machine it was measured on: each variant's updates carry
its RunContext, and the evidence says which Python and what load the claim's variants ran
at (a range where they differ), in the claims' text, their JSON and the app.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from .labrunner import LabUpdate, contexts_from


@dataclass(frozen=True)
class RanOn:
    pythons: tuple[str, ...]  # each version once, in the order they ran
    load_1m: tuple[float, float]  # the lowest and the highest load average at a start
    started_at: tuple[float, float]  # the first start and the last, seconds since the epoch

    def words(self) -> str:
        """`Python 3.11.7, load 1.8`, or `Python 3.11.7 and 3.12.1, load 0.5–2.25`."""
        low, high = self.load_1m
        load = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        return f"Python {' and '.join(self.pythons)}, load {load}"

    def when(self) -> str:
        """When the first of them started, in the local time: `2026-12-03 12:49`."""
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at[0]))

    def to_json(self) -> dict[str, Any]:
        return {"python": list(self.pythons), "load_1m": list(self.load_1m),
                "started_at": list(self.started_at)}  # fmt: skip


def ran_on(runs: Iterable[list[LabUpdate]], keys: Collection[str]) -> RanOn | None:
    """What the variants `keys` ran on, over each run's last measurement of each (the one its
    numbers come from); None when none of them finished."""
    contexts = [
        context for updates in runs for key, context in contexts_from(updates).items()
        if key in keys
    ]  # fmt: skip
    if not contexts:
        return None
    loads = [context.load_1m for context in contexts]
    starts = [context.started_at for context in contexts]
    return RanOn(
        tuple(dict.fromkeys(context.python for context in contexts)),
        (min(loads), max(loads)),
        (min(starts), max(starts)),
    )
