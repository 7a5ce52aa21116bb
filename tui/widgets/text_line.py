"""Text of a fixed number of rows that repaints only when it changed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TextLine(Static):
    """A Static whose height its container sets, for text redrawn on every tick of a run.

    Most ticks produce the same text as the last one; comparing is far cheaper than a
    repaint, and a height set from outside means a change never needs a layout pass.
    """

    DEFAULT_CSS = "TextLine { text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__("", classes=classes)
        self._shown: Text | None = None

    def show_text(self, text: Text) -> None:
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)

    def show_lines(self, lines: list[Text]) -> None:
        self.show_text(Text("\n").join(lines))

    def forget(self) -> None:
        """Drop what is shown, so the next show repaints (the theme changed its colours)."""
        self._shown = None
