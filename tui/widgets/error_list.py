"""The captured errors of a run, newest first: task, exception type, fate, and who saw it.

Each error is one line when it fits, else two (the type, then its fate and who saw it), so
"who saw it" is never the part cut off. As many whole errors as fit the rows are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ...engine.fold import FATE_LABELS, ErrorRow, RunState
from ..palette import Palette

# Who saw it, in a few letters, for where a full name cannot fit.
VIA_SHORT = {
    "main() raised": "main()",
    "return value": "value",
    "threading.excepthook": "excepthook",
    "gevent hub": "hub",
    "tornado.application log": "tornado log",
    "asyncio exception handler": "asyncio",
    "cut off: its client closed": "cut off",
}
INDENT = "   "


def task_label(row: ErrorRow) -> str:
    return f"#{row.task}" if row.task is not None else "—"


def seen_by(palette: Palette, row: ErrorRow, short: bool = False) -> Text:
    """`→ logged (threading.excepthook)`: the fate in its colour, then who saw it. An error
    with no fate yet says so; one of a task with no fault (cut off) says only what it was."""
    text = Text("→ ")
    via = VIA_SHORT.get(row.via, row.via) if short else row.via
    if row.fate:
        text.append(FATE_LABELS[row.fate], style=palette.fate_style(row.fate))
        if via:
            text.append(f" ({via})", style=palette.muted)
    else:
        text.append(via or "undecided", style=palette.muted)
    return text


def error_line(palette: Palette, row: ErrorRow) -> Text:
    """`#17 HTTPStatusError → raised (main() raised)`, on one line."""
    line = Text(f"{task_label(row)} ", style=palette.muted)
    line.append(row.type, style="bold")
    line.append(" ")
    return line + seen_by(palette, row)


def error_entry(palette: Palette, row: ErrorRow, width: int) -> list[Text]:
    """An error in as few lines as fit `width`: one, or two with who saw it on the second."""
    line = error_line(palette, row)
    if line.cell_len <= width:
        return [line]
    head = Text(f"{task_label(row)} ", style=palette.muted)
    head.append(row.type, style="bold")
    tail = Text(INDENT) + seen_by(palette, row)
    if tail.cell_len > width:
        tail = Text(INDENT) + seen_by(palette, row, short=True)
    return [head, tail]


def run_ended_entry(palette: Palette, state: RunState, width: int) -> list[Text]:
    """Why a crashed or killed run ended, in up to two lines."""
    if state.aborted is None:
        return []
    text = Text(f"{state.status}: {state.aborted.detail}", style=palette.run_style(state.status))
    lines = list(text.wrap(palette.widget.app.console, max(width, 1)))
    return lines[:2]


@dataclass(frozen=True)
class Entries:
    """What the list could show, newest first: why the run ended (if it was cut short), then
    the newest errors, each as its lines; and how many entries there are in all."""

    ended: list[Text]
    errors: list[list[Text]]
    total: int

    @property
    def items(self) -> list[list[Text]]:
        return ([self.ended] if self.ended else []) + self.errors


def entries(palette: Palette, state: RunState, width: int, newest: int) -> Entries:
    """The entries of the `newest` errors (a run may have thousands; they are counted)."""
    ended = run_ended_entry(palette, state, width)
    rows = state.errors()
    shown = [error_entry(palette, row, width) for row in rows[:newest]]
    return Entries(ended, shown, len(rows) + bool(ended))


def fit(palette: Palette, entries: Entries, rows: int) -> list[Text]:
    """As many whole entries as fit `rows`, newest first, with a last line saying how many
    more there are. Why the run ended and the newest error always show (the panel gives
    them the rows they need)."""
    items = entries.items
    if not items:
        return [Text("no errors", style=palette.faint)]
    always = 1 + bool(entries.ended)
    lines: list[Text] = []
    shown = 0
    for item in items:
        more_after = entries.total - shown - 1
        room = rows - len(lines) - (1 if more_after else 0)  # a row for "… and N more"
        if shown >= always and len(item) > room:
            break
        lines += item
        shown += 1
    if shown < entries.total and len(lines) < rows:
        more = entries.total - shown
        lines.append(Text(f"{INDENT}… and {more:,} more (z to zoom)", style=palette.muted))
    return lines[:rows]
