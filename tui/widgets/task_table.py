"""Every task of a run in a table: its fault, its state, where the X-ray saw it, its fate,
its error and its times. Kept up to date cheaply while a run of thousands goes on: only the
rows whose task changed are redrawn, and only the cells that changed in them.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from ...engine.events import Sampled
from ...engine.fold import FATE_LABELS, RunState, TaskView, by_task
from ..palette import Palette

# What went wrong first (a narrow pane scrolls sideways for the timings).
COLUMNS = ("task", "fault", "state", "where", "fate", "error", "start s", "end s", "took s",
           "HTTP", "bytes")  # fmt: skip
WHERE = COLUMNS.index("where")


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


class TaskTable(DataTable[str | Text]):
    """One row a task, filled from a RunState by `show`, its "where" column from an X-ray
    look by `show_where`."""

    def __init__(self, palette: Palette) -> None:
        super().__init__(id="tasks", cursor_type="row", zebra_stripes=True)
        self.palette = palette
        self._state: RunState | None = None  # the run the rows were filled from
        self._drawn: dict[int, tuple[str, ...]] = {}  # each task's row as drawn
        self._touched_seen = 0  # how much of state.touched the rows have taken in
        self._over = False
        self._where: dict[int, str] = {}  # each task's "where" cell, as the X-ray shows it
        self._where_width = 0  # the widest "where" cell, as last measured

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column, key=column)

    def show(self, state: RunState) -> None:
        """Add the tasks not in the table yet, and redraw the rows whose task changed (all
        of them when the run just ended: unfinished tasks and lost errors are decided then,
        and all of them again for a new run)."""
        if state is not self._state:
            self._state = state
            self._drawn.clear()
            self._touched_seen = 0
            self._over = state.over  # its rows are drawn as it is now
            self._where_width = -1  # the next look measures the column again
            self.clear()
        every = state.over != self._over
        self._over = state.over
        if len(self._drawn) < len(state.tasks):
            for task in state.tasks[len(self._drawn) :]:
                cells = self._row(state, task)
                self.add_row(*cells, key=str(task.id))
                self._drawn[task.id] = tuple(map(str, cells))
            self._touched_seen = len(state.touched)
        changed = state.tasks if every else (state.tasks[i] for i in self._touched(state))
        for task in changed:
            cells = self._row(state, task)
            drawn = tuple(map(str, cells))
            if self._drawn.get(task.id) != drawn:
                for column, old, cell in zip(COLUMNS, self._drawn[task.id], cells, strict=True):
                    if str(cell) != old:
                        self.update_cell(str(task.id), column, cell)
                self._drawn[task.id] = drawn

    def _touched(self, state: RunState) -> list[int]:
        touched = state.touched[self._touched_seen :]
        self._touched_seen = len(state.touched)
        return sorted(set(touched))

    def _row(self, state: RunState, task: TaskView) -> list[str | Text]:
        status = state.task_status(task)
        fate = state.fate(task)
        took = None
        if task.ended is not None and task.started is not None:
            took = task.ended - task.started
        palette = self.palette
        return [
            str(task.id),
            Text(task.fault or ""),
            Text(
                status,
                style=palette.task_style(status) if status != "unfinished" else palette.muted,
            ),
            self._cell(self._where.get(task.id)),
            Text(FATE_LABELS[fate], style=palette.fate_style(fate)) if fate else "",
            Text(task.failed.error) if task.failed else "",  # never markup: the lesson's
            _seconds(task.started),
            _seconds(task.ended),
            _seconds(took),
            str(task.status_code or ""),
            str(task.nbytes or ""),
        ]

    def show_where(self, sample: Sampled | None) -> None:
        """Each task's line in the look `sample` (None: no look shown), in the "where"
        column. Live, the zoom calls it with the rest of the table, a few times a second:
        any cell updated makes the table draw all its rows in view again."""
        where = {task: f"{spot[2]} {spot[3]}" for task, spot in by_task(sample).items()}
        if where == self._where:
            return
        changed = [
            task
            for task in set(where) | set(self._where)
            if task in self._drawn and where.get(task) != self._where.get(task)
        ]
        resize = self._resizing_cell(where, changed)
        for task in changed:
            cell = self._cell(where.get(task))
            self.update_cell(str(task), "where", cell, update_width=task == resize)
            drawn = list(self._drawn[task])
            drawn[WHERE] = where.get(task, "")
            self._drawn[task] = tuple(drawn)
        self._where = where

    def _resizing_cell(self, where: dict[int, str], changed: list[int]) -> int | None:
        """The one moved task whose "where" cell resizes the column, if its width changes.

        The column is as wide as its widest cell. Textual measures every cell of a column
        again for each narrower cell updated with `update_width`: hundreds of tasks moving
        at once cost seconds. So only the widest moved cell asks, and only when the widest
        cell in the table changed: the column then ends as wide as its widest cell still
        (one wider than the column widens it; a narrower one has Textual measure them all).
        """
        widest = max((len(where[task]) for task in where if task in self._drawn), default=0)
        if widest == self._where_width or not changed:
            return None
        self._where_width = widest
        return max(changed, key=lambda task: len(where.get(task, "")))

    def _cell(self, where: str | None) -> Text:
        if not where:
            return Text("")
        line, state = where.split()
        return Text.assemble(f"{line} ", (state, self.palette.xray_style(state)))
