"""Every task of a run as a bar on the run's time axis.

With a row to spare for each task, a task is a bar from its start to its end, coloured by
how it ended. With more tasks than rows, each row folds a band of tasks into a density strip:
the taller the block, the more of the band was in flight at that moment; red where one of
them failed. Rows are built in O(tasks + cells) and drawn with the line API from cached
strips, so eight runs of 2,000 tasks redraw in a few milliseconds.
"""

from __future__ import annotations

import time

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from ...engine.fold import TASK_STATUSES, RunState, TaskStatus, TaskView
from ..palette import Palette, palette_of

DENSITY = " ▁▂▃▄▅▆▇█"
# The bars are the biggest thing on screen; ten repaints a second is smooth enough for them.
MIN_REPAINT_S = 0.1
Cell = tuple[str, Style]


class Timeline(Widget):
    """Timing bars for one run; give it a RunState and the run's clock with `show`."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; }
    """

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.state = RunState()
        self.now = 0.0
        self._strips: list[Strip] = []
        self._drawn_for: tuple[object, ...] = ()
        self._folded = -1
        self._painted = 0.0

    @property
    def palette(self) -> Palette:
        return palette_of(self)

    def show(self, state: RunState, now: float) -> None:
        """Draw `state` as of `now` seconds into the run (running bars end there).

        Skipped when nothing visible changed: no new event, and the clock has not moved a
        whole column since the last drawing.
        """
        same_run = state is self.state
        column = self.size.width and max(state.wall_s, now, state.ideal_s, 1e-3) / self.size.width
        if same_run and state.folded == self._folded and abs(now - self.now) < column:
            return
        if same_run and not state.over and time.monotonic() - self._painted < MIN_REPAINT_S:
            return  # a live run's next tick catches up; its last picture is never skipped
        self._painted = time.monotonic()
        self.state, self.now, self._folded = state, now, state.folded
        self._drawn_for = ()  # stale: rebuilt on the next paint
        self.refresh()

    def forget(self) -> None:
        """Draw again on the next paint (the theme changed the colours)."""
        self._drawn_for = ()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.content_size
        key = (width, height)
        if key != self._drawn_for:
            rows = self._rows(width, height)
            base = self.rich_style  # the widget's own background under the bars, in any theme
            self._strips = [
                Strip(_merge(row)).adjust_cell_length(width).apply_style(base) for row in rows
            ]
            self._drawn_for = key
        return self._strips[y] if y < len(self._strips) else Strip.blank(width, self.rich_style)

    def _rows(self, width: int, height: int) -> list[list[Cell]]:
        state, now = self.state, self.now
        styles = {status: self.palette.task_style(status) for status in TASK_STATUSES}
        styles["queued"] = self.palette.faint
        label_style = self.palette.muted
        if not state.tasks or width < 12:
            note = "no run yet" if state.status == "idle" else ""
            return [[(char, label_style) for char in note]]
        # A finished run's axis ends at its wall time; a live one's at the present.
        span = max(state.wall_s if state.over else max(state.wall_s, now), state.ideal_s, 1e-3)
        label = f" {span:.4g} s"[: width // 3]
        bars = width - len(label)  # the axis label has the right-hand columns to itself
        if height < 2:  # one row: a density strip of every task, no axis
            strip = _density(state, now, span, bars, 1, styles)[0]
            return [strip + [(" ", label_style)] * len(label)]
        rows = height - 1  # the last line is the axis
        if len(state.tasks) <= rows:
            lines = [_bar(task, state, now, span, bars, styles) for task in state.tasks]
        else:
            lines = _density(state, now, span, bars, rows, styles)
        axis = _axis(state, span, bars, self.palette.faint, self.palette.accent)
        lines.append(axis + [(char, label_style) for char in label])
        return lines


def _merge(cells: list[Cell]) -> list[Segment]:
    """Runs of one style become one segment: far fewer for the compositor to handle."""
    segments: list[Segment] = []
    text, style = "", None
    for char, cell_style in cells:
        if cell_style is style:
            text += char
            continue
        if text:
            segments.append(Segment(text, style))
        text, style = char, cell_style
    if text:
        segments.append(Segment(text, style))
    return segments


def _column(t: float, span: float, width: int) -> int:
    return min(width - 1, max(0, int(t / span * width)))


def _bar(
    task: TaskView, state: RunState, now: float, span: float, width: int,
    styles: dict[TaskStatus, Style],
) -> list[Cell]:  # fmt: skip
    status = state.task_status(task)
    if task.started is None:
        return [("·" if status == "queued" else " ", styles[status])] * width
    start = _column(task.started, span, width)
    end = max(start, _column(_end_of(task, state, now), span, width))
    return (
        [("·", styles["queued"])] * start
        + [("█", styles[status])] * (end - start + 1)
        + [(" ", styles["queued"])] * (width - end - 1)
    )


def _density(
    state: RunState, now: float, span: float, width: int, rows: int,
    styles: dict[TaskStatus, Style],
) -> list[list[Cell]]:  # fmt: skip
    band = -(-len(state.tasks) // rows)
    ongoing = styles["running"] if not state.over else styles["ok"]
    failed_style = styles["failed"]
    scale, last = width / span, width - 1
    lines = []
    for first in range(0, len(state.tasks), band):
        tasks = state.tasks[first : first + band]
        active = [0] * (width + 1)
        failed = [False] * width
        for task in tasks:  # the hot loop: plain arithmetic, no calls
            if task.started is None:
                continue
            # Clamped both ways: a time from a hand-made log may lie outside the run.
            start = min(last, max(0, int(task.started * scale)))
            end = min(last, max(start, int(_end_of(task, state, now) * scale)))
            active[start] += 1
            active[end + 1] -= 1
            if task.failed is not None:
                failed[end] = True
        line, level = [], 0
        for column in range(width):
            level += active[column]
            glyph = DENSITY[min(8, -(-level * 8 // len(tasks)))] if level else " "
            line.append((glyph, failed_style if failed[column] else ongoing))
        lines.append(line)
    return lines


def _end_of(task: TaskView, state: RunState, now: float) -> float:
    """Where a task's bar ends: its end, the present while it runs, or (a task that never
    finished in a run that is over) where it started: no end was ever measured."""
    if task.ended is not None:
        return task.ended
    if state.over:
        return task.started if task.started is not None else 0.0
    return now


def _axis(state: RunState, span: float, width: int, line: Style, ideal: Style) -> list[Cell]:
    """The time axis, with ▲ where the ideal time falls."""
    axis = [("─", line)] * width
    if state.ideal_s:
        axis[_column(state.ideal_s, span, width)] = ("▲", ideal)
    return axis
