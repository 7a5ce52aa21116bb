"""The fate tally: how many injected errors were raised, returned, logged, lost, not run."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ...strategies.fold import FATES, RunState
from ..palette import FATE_COLOURS, FATE_LABELS


def tally(state: RunState) -> Table:
    """The five fates over their counts, in their colours; zero counts dimmed."""
    table = Table.grid(padding=(0, 1))
    fates = state.fates()
    for _ in FATES:
        table.add_column(justify="center")
    table.add_row(*(Text(FATE_LABELS[fate], style=FATE_COLOURS[fate]) for fate in FATES))
    table.add_row(
        *(Text(str(fates[fate]), style=f"bold {FATE_COLOURS[fate]}" if fates[fate] else "#4e4e4e")
          for fate in FATES)
    )  # fmt: skip
    return table


def tally_line(state: RunState) -> Text:
    """The fates on one line, a coloured dot and a count each, for the narrow layout."""
    text = Text()
    fates = state.fates()
    for fate in FATES:
        text.append("● ", style=FATE_COLOURS[fate] if fates[fate] else "#4e4e4e")
        text.append(f"{fates[fate]:<3}", style="bold" if fates[fate] else "#4e4e4e")
    return text


class FateTally(Static):
    """The fates of a run, in two lines."""

    DEFAULT_CSS = "FateTally { height: 2; }"

    def show(self, state: RunState) -> None:
        self.update(tally(state))
