"""The panels' container: it picks the richest layout in which every panel shows what must.

The layouts, richest first: a grid (of four, three or two columns, as wide as the terminal
allows: the one of fewest rows, and of those the one of widest cells, so nine panels take
three rows of three), a list (a line per panel, the open one drawn whole), and lines (a line
per panel, none open). A grid is taken only if each of its cells has the rows its panel
needs for the fate tally, the newest error with who saw it and the rest of its essentials
(panel_layout.essential); the list only if the open panel gets its essentials under the
others' lines. So at whatever size, every
panel's tally and newest error are on screen, whole, and the layout changes only when
the size or what the runs have to show changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil
from typing import Literal

from textual.containers import Container
from textual.events import Resize
from textual.message import Message

from .strategy_panel import StrategyPanel

Layout = Literal["columns-4", "columns-3", "columns-2", "list", "lines"]
LAYOUTS: tuple[Layout, ...] = ("columns-4", "columns-3", "columns-2", "list", "lines")
# The widest grid a width allows: narrow cells wrap every line twice. Three columns' cells
# at 112 are as wide as four's at 150.
COLUMNS_FROM_WIDTH = ((150, 4), (112, 3), (100, 2))
BORDER = 2  # a panel's border, in rows and in columns
PADDING = 2  # a panel's padding, in columns


@dataclass(frozen=True)
class Room:
    """The container's size and the panels in it."""

    width: int
    height: int
    panels: int


def columns_allowed(width: int) -> int:
    return next((columns for least, columns in COLUMNS_FROM_WIDTH if width >= least), 1)


def cell(room: Room, columns: int) -> tuple[int, int]:
    """The width and height inside a panel's border in a grid of `columns`."""
    rows = ceil(room.panels / columns)
    return room.width // columns - BORDER - PADDING, room.height // rows - BORDER


RowsNeeded = Callable[[int], int]
GRIDS: dict[int, Layout] = {4: "columns-4", 3: "columns-3", 2: "columns-2"}


def grids(room: Room) -> list[int]:
    """The grids the width allows, by their columns, richest first: fewest rows (the tallest
    cells), then fewest columns (the widest cells)."""
    allowed = [columns for columns in GRIDS if columns <= columns_allowed(room.width)]
    return sorted(allowed, key=lambda columns: (ceil(room.panels / columns), columns))


def choose(room: Room, rows_needed: Iterable[RowsNeeded]) -> Layout:
    """The richest layout where each panel has the rows it needs; `rows_needed(width)`
    of each panel says how many rows inside its border it needs at that width."""
    needs = list(rows_needed)
    for columns in grids(room):
        width, height = cell(room, columns)
        if width > 0 and all(need(width) <= height for need in needs):
            return GRIDS[columns]
    # The list: a line for each other panel, and the open one (any of them) whole.
    width, height = room.width - BORDER - PADDING, room.height - (room.panels - 1) - BORDER
    if width > 0 and all(need(width) <= height for need in needs):
        return "list"
    return "lines"


class PanelGrid(Container):
    """The strategy panels, laid out as their needs and the container's size allow."""

    class Relaid(Message):
        """The layout changed (the app marks the open panel in a list)."""

        def __init__(self, first: bool) -> None:
            super().__init__()
            self.first = first  # the panels show for the first time

    def __init__(self) -> None:
        # Its panels are unseen (and take no focus) until it has chosen a layout for its
        # size: the first frame drawn is not one of a layout it is about to leave.
        super().__init__(id="panels", classes="-list -unfitted")
        self.layout_name: Layout = "list"

    def on_resize(self, event: Resize) -> None:
        self.fit()

    def on_strategy_panel_needs_changed(self, message: StrategyPanel.NeedsChanged) -> None:
        self.fit()

    def fit(self) -> None:
        """Take the richest layout that fits, if it is not the one taken."""
        panels = list(self.query_children(StrategyPanel))
        size = self.region.size
        if not panels or not size.area:
            return
        layout = choose(Room(size.width, size.height, len(panels)),
                        (panel.rows_needed for panel in panels))  # fmt: skip
        first = self.has_class("-unfitted")
        if layout != self.layout_name or first:
            self.layout_name = layout
            for name in LAYOUTS:
                self.set_class(name == layout, f"-{name}")
            self.remove_class("-unfitted")
            self.post_message(self.Relaid(first))
