"""The captured errors of a run, newest first: task, exception type, fate, who saw it."""

from __future__ import annotations

from rich.text import Text

from ...engine.fold import ErrorRow, RunState
from ..palette import FATE_COLOURS, FATE_LABELS
from .text_line import TextLine


def error_line(row: ErrorRow) -> Text:
    """`#17 HTTPStatusError → raised (main() raised)`, the fate in its colour."""
    task = f"#{row.task}" if row.task is not None else "—"
    line = Text(f"{task:>5} ", style="#8a8a8a", no_wrap=True, overflow="ellipsis")
    line.append(row.type, style="bold")
    if row.fate:
        line.append(" → ")
        line.append(FATE_LABELS[row.fate], style=FATE_COLOURS[row.fate])
    if row.via:
        line.append(f" ({row.via})", style="#8a8a8a")
    return line


class ErrorList(TextLine):
    """As many of the newest errors as fit."""

    DEFAULT_CSS = (
        "ErrorList { height: auto; max-height: 4; text-wrap: nowrap; text-overflow: ellipsis; }"
    )

    def show(self, state: RunState) -> None:
        rows = state.errors()
        room = 4
        lines = [error_line(row) for row in rows[:room]]
        if len(rows) > room:
            lines[-1] = Text(f"      … and {len(rows) - room + 1} more (z to zoom)", "#8a8a8a")
        text = Text("\n").join(lines) if lines else Text("no errors", style="#4e4e4e")
        text.no_wrap, text.overflow = True, "ellipsis"
        self.show_text(text)
