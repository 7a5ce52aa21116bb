"""Compare: the table `asyncplay run` prints, for the runs on screen, sortable by any column."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...engine.fold import FATES, RunState
from ...engine.result import summary
from ...engine.workload import Scenario
from ..palette import FATE_LABELS
from ..table import cells, describe

COLUMNS = ("strategy", "wall s", "ideal s", "×ideal", "ok", "failed", "not run",
           *(FATE_LABELS[fate] for fate in FATES), "cpu s", "ctx vol", "ctx invol",
           "threads", "RSS MB")  # fmt: skip


def sort_key(cell: Any) -> tuple[int, float | str]:
    """Numbers sort as numbers, dashes last, names as text."""
    text = cell.plain if isinstance(cell, Text) else str(cell)
    try:
        return (0, float(text))
    except ValueError:
        return (1, text)


class CompareScreen(Screen[None]):
    """One row per strategy that has run; click a header (or press its key) to sort."""

    BINDINGS = [Binding("escape,c", "app.pop_screen", "Back")]

    def __init__(self, scenario: Scenario, states: list[RunState]) -> None:
        super().__init__()
        self.scenario = scenario
        self.rows = [summary(state) for state in states if state.status != "idle"]
        self.reverse = False

    def compose(self) -> ComposeResult:
        yield Static(describe(self.scenario), id="compare-title")
        yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        for row in self.rows:
            table.add_row(*cells(row), key=row["strategy"])
        if not self.rows:
            self.notify("Nothing has run yet: press r on the panels first.")

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.reverse = not self.reverse
        event.data_table.sort(event.column_key, key=sort_key, reverse=self.reverse)
