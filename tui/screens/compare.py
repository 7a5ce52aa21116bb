"""Compare: the table `asyncplay run` prints, for the runs on screen, sortable by any column."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...engine.fold import RunState
from ...engine.result import COLUMNS, ResultRow
from ...engine.workload import Scenario
from ..palette import PALETTE_CLASSES, Palette
from ..table import describe, strategy_cell
from ..widgets.app_footer import AppFooter

STRATEGY = "strategy"


class CompareScreen(Screen[None]):
    """One row per strategy that has run; click a column's header to sort by it (again to
    reverse). The strategy's name stays in view when the table scrolls sideways."""

    COMPONENT_CLASSES = PALETTE_CLASSES

    BINDINGS = [Binding("escape,c", "app.pop_screen", "Back")]

    def __init__(self, scenario: Scenario, states: list[RunState]) -> None:
        super().__init__()
        self.palette = Palette(self)
        self.scenario = scenario
        self.rows = [ResultRow.of(state) for state in states if state.status != "idle"]
        self.sorted_by: tuple[str, bool] | None = None  # column key, descending

    def compose(self) -> ComposeResult:
        yield Static(describe(self.scenario), id="compare-title", markup=False)
        yield DataTable(id="compare", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        yield Static(id="compare-empty")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(STRATEGY, key=STRATEGY)
        for column in COLUMNS:
            label = Text(
                column.header, style=self.palette.fate_style(column.fate) if column.fate else ""
            )
            table.add_column(label, key=column.key)
        self._fill()
        if not self.rows:
            self.query_one("#compare-empty", Static).update(
                "Nothing has run yet: press escape, then r to run every strategy."
            )

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            cells = [strategy_cell(row)]
            for column in COLUMNS:
                text = Text(column.text(row), justify="right")
                if column.fate is not None:
                    text.stylize(
                        self.palette.fate_style(column.fate)
                        if column.value(row)
                        else self.palette.faint
                    )
                cells.append(text)
            table.add_row(*cells, key=row.strategy)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Sort by the numbers themselves (a dash, no value, last); again to reverse."""
        key = str(event.column_key.value)
        descending = self.sorted_by == (key, False)
        self.sorted_by = (key, descending)
        if key == STRATEGY:
            self.rows.sort(key=lambda row: row.strategy, reverse=descending)
        else:
            column = next(column for column in COLUMNS if column.key == key)
            present = [row for row in self.rows if column.value(row) is not None]
            absent = [row for row in self.rows if column.value(row) is None]
            present.sort(key=lambda row: column.value(row) or 0.0, reverse=descending)
            self.rows = present + absent
        self._fill()
