"""Compare: the table `asyncplay run` prints, for the runs on screen, sortable by any column.

Too narrow for one table, it is split as the CLI's is (tui/table.py): tables of whole groups
of columns, one under the other, each with the strategy, so no column (the fates above all)
is out of reach sideways.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...engine.fold import RunState
from ...engine.result import COLUMNS, Column, ResultRow
from ...engine.workload import Scenario
from ..palette import PALETTE_CLASSES, Palette
from ..table import describe, split_columns, strategy_cell
from ..widgets.app_footer import AppFooter

STRATEGY = "strategy"
KEYS = [STRATEGY, *(column.key for column in COLUMNS)]  # left to right, as `<` `>` go
MARKS = {False: " ▲", True: " ▼"}  # ascending, descending
SORT = Binding.Group("Sort")
# A DataTable pads each cell by one on each side; the scroll beside the tables takes two.
CELL_PADDING, SCROLLBAR = 2, 2


class CompareScreen(Screen[None]):
    """One row per strategy that has run, sorted by keys or by clicking a header (again to
    reverse). The strategy's name stays in view when a table scrolls sideways."""

    COMPONENT_CLASSES = PALETTE_CLASSES

    # Not `s` and `S` (the app's `s` stops the runs, here too) but htop's keys for the
    # same thing: `<` and `>` move the sort a column, `i` inverts it.
    BINDINGS = [
        Binding("escape,c", "app.pop_screen", "Back"),
        Binding("less_than_sign", "sort_beside(-1)", "Sort by the column to the left",
                group=SORT),
        Binding("greater_than_sign", "sort_beside(1)", "Sort by the column to the right",
                group=SORT),
        Binding("i", "reverse", "Reverse"),
    ]  # fmt: skip

    def __init__(self, scenario: Scenario, states: list[RunState]) -> None:
        super().__init__()
        self.palette = Palette(self)
        self.scenario = scenario
        self.rows = [ResultRow.of(state) for state in states if state.status != "idle"]
        self.sorted_by: tuple[str, bool] | None = None  # column key, descending
        self._split: list[list[Column]] = []  # the columns of each table on screen
        self._tables: list[DataTable[Text]] = []

    def compose(self) -> ComposeResult:
        yield Static(describe(self.scenario), id="compare-title", markup=False)
        yield VerticalScroll(id="compare-tables")
        yield Static(id="compare-empty")
        yield AppFooter()

    def on_mount(self) -> None:
        self._lay_out()
        empty = self.query_one("#compare-empty", Static)
        empty.display = not self.rows  # its padding takes rows the tables need at 24
        empty.update("Nothing has run yet: press escape, then r to run every strategy.")

    def on_resize(self, event: Resize) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        """As many tables as the width needs; made again only when that changes."""
        room = self.app.size.width - SCROLLBAR
        split = split_columns(lambda columns: self._natural_width(columns) <= room)
        if split == self._split:
            return
        self._split = split
        self._tables = [DataTable(cursor_type="row", zebra_stripes=True, fixed_columns=1)
                        for _ in split]  # fmt: skip
        self._fill()
        holder = self.query_one("#compare-tables", VerticalScroll)
        holder.remove_children()
        holder.mount_all(self._tables)

    def _natural_width(self, columns: list[Column]) -> int:
        """How wide a table of these columns is, with room for the sort's mark (on one
        header at a time)."""
        widths = [max([len(STRATEGY), *(strategy_cell(row).cell_len for row in self.rows)])]
        for column in columns:
            cells = (cell_len(column.text(row)) for row in self.rows)
            widths.append(max([cell_len(column.header), *cells]))
        return sum(width + CELL_PADDING for width in widths) + cell_len(MARKS[False])

    def _fill(self) -> None:
        """The rows in their order and the headers with the sort's mark, in every table."""
        for table, columns in zip(self._tables, self._split, strict=True):
            table.clear(columns=True)
            table.add_column(self._header(STRATEGY), key=STRATEGY)
            for column in columns:
                table.add_column(self._header(column.key, column), key=column.key)
            for row in self.rows:
                table.add_row(strategy_cell(row), *(self._cell(c, row) for c in columns),
                              key=row.strategy)  # fmt: skip

    def _header(self, key: str, column: Column | None = None) -> Text:
        label = Text(column.header if column else STRATEGY)
        if column is not None and column.fate is not None:
            label.stylize(self.palette.fate_style(column.fate))
        if self.sorted_by is not None and self.sorted_by[0] == key:
            label.append(MARKS[self.sorted_by[1]])
        return label

    def _cell(self, column: Column, row: ResultRow) -> Text:
        text = Text(column.text(row), justify="right")
        if column.fate is not None:
            fate = column.value(row)
            text.stylize(self.palette.fate_style(column.fate) if fate else self.palette.faint)
        return text

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by its column; again, the other way."""
        key = str(event.column_key.value)
        self._sort(key, descending=self.sorted_by == (key, False))

    def action_sort_beside(self, step: int) -> None:
        """Sort by the next column to the right (1) or left (-1) of the sorted one, around
        the ends; nothing sorted yet, from the strategy (right) or RSS (left)."""
        if self.sorted_by is None:
            index = 0 if step > 0 else len(KEYS) - 1
        else:
            index = (KEYS.index(self.sorted_by[0]) + step) % len(KEYS)
        self._sort(KEYS[index], descending=False)

    def action_reverse(self) -> None:
        """The sorted column the other way (nothing sorted: the strategy, Z to A)."""
        key, descending = self.sorted_by or (STRATEGY, False)
        self._sort(key, descending=not descending)

    def _sort(self, key: str, descending: bool) -> None:
        """Sort by the numbers themselves (a dash, no value, last either way)."""
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
