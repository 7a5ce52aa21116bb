"""The fate tally: how many injected errors were raised, returned, logged, lost, not run."""

from __future__ import annotations

from rich.text import Text

from ...engine.fold import FATES, RunState
from ..palette import FATE_COLOURS, FATE_LABELS
from .text_line import TextLine


def tally(state: RunState) -> Text:
    """The five fates over their counts, in their colours; zero counts dimmed."""
    fates = state.fates()
    labels, counts = Text(), Text()
    for fate in FATES:
        label = FATE_LABELS[fate]
        labels.append(f"{label} ", style=FATE_COLOURS[fate])
        style = f"bold {FATE_COLOURS[fate]}" if fates[fate] else "#4e4e4e"
        counts.append(f"{fates[fate]:^{len(label)}} ", style=style)
    return Text("\n").join([labels, counts])


def tally_line(state: RunState) -> Text:
    """The fates on one line, a coloured dot and a count each, for the narrow layout."""
    text = Text()
    fates = state.fates()
    for fate in FATES:
        text.append("● ", style=FATE_COLOURS[fate] if fates[fate] else "#4e4e4e")
        text.append(f"{fates[fate]:<3}", style="bold" if fates[fate] else "#4e4e4e")
    return text


class FateTally(TextLine):
    """The fates of a run, in two lines."""

    DEFAULT_CSS = "FateTally { height: 2; }"

    def show(self, state: RunState) -> None:
        self.show_text(tally(state))
