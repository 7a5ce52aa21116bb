"""A run's progress as one line: finished tasks of all, with no animation to pay for.

It repaints only when the filled part grows by a cell, a few dozen times in a whole run;
the exact counts are on the counts line below it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ..palette import Palette, palette_of


class ProgressLine(Widget):
    """`━━━━━━━━━━━━━━━━━━━━━━━━━━━━`, finished tasks in colour; give it counts with `show`."""

    DEFAULT_CSS = "ProgressLine { height: 1; }"

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.done, self.total = 0, 0

    @property
    def palette(self) -> Palette:
        return palette_of(self)

    def show(self, done: int, total: int) -> None:
        width = self.content_size.width
        if total != self.total or _filled(done, total, width) != _filled(self.done, total, width):
            self.refresh()
        self.done, self.total = done, total

    def render(self) -> Text:
        width = self.content_size.width
        filled = _filled(self.done, self.total, width)
        bar = Text("━" * filled, style=self.palette.accent)
        bar.append("━" * (width - filled), style=self.palette.faint)
        return bar


def _filled(done: int, total: int, width: int) -> int:
    return width * done // total if total else 0
