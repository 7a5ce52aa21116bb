"""Fixed-size text that repaints only when it changed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TextLine(Static):
    """A Static of fixed height (set in CSS) for text redrawn on every tick of a live run.

    Most ticks produce the same text as the last one; comparing is far cheaper than a
    repaint, and a fixed height means a change never needs a layout pass.
    """

    def __init__(self, text: Text | str = "", *, classes: str | None = None) -> None:
        super().__init__(text, classes=classes)
        self._shown: Text | str = text

    def show_text(self, text: Text) -> None:
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)
