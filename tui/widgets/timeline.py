"""Every task of a run as a bar on the run's time axis.

With a row to spare for each task, a task is a bar from its start to its end, coloured by
how it ended. With more tasks than rows, each row folds a band of tasks into a density strip:
the taller the block, the more of the band was in flight at that moment; red where one of
them failed. Both are built in O(tasks + cells), so 2,000 tasks redraw in a millisecond or two.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ...strategies.fold import RunState, TaskView
from ..palette import TASK_COLOURS

DENSITY = " ▁▂▃▄▅▆▇█"
IDEAL_COLOUR = "#5fafff"


class Timeline(Widget):
    """Timing bars for one run; give it a RunState with `show`."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; min-height: 3; }
    """

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.state = RunState()
        self.now = 0.0

    def show(self, state: RunState, now: float) -> None:
        """Draw `state` as of `now` seconds into the run (running bars end there)."""
        self.state, self.now = state, now
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size
        state, now = self.state, self.now
        if not state.tasks or width < 8 or height < 2:
            return Text("no run yet" if state.status == "idle" else "", style="#8a8a8a")
        span = max(state.wall_s, now, state.ideal_s, 1e-3)
        label = f" {span:.2f} s"
        bars = width - len(label)  # the axis label has the right-hand columns to itself
        rows = height - 1  # the last line is the axis
        if len(state.tasks) <= rows:
            lines = [_bar(task, state, now, span, bars) for task in state.tasks]
        else:
            lines = _density(state, now, span, bars, rows)
        lines.append(_axis(state, span, bars) + Text(label, style="#8a8a8a"))
        return Text("\n").join(lines)


def _column(t: float, span: float, width: int) -> int:
    return min(width - 1, max(0, int(t / span * width)))


def _bar(task: TaskView, state: RunState, now: float, span: float, width: int) -> Text:
    status = task.status(state.over)
    line = Text()
    if task.started is None:
        return Text("·" * width if status == "queued" else " " * width, TASK_COLOURS[status])
    start = _column(task.started, span, width)
    end = _column(task.ended if task.ended is not None else now, span, width)
    line.append("·" * start, TASK_COLOURS["queued"])
    line.append("█" * (end - start + 1), TASK_COLOURS[status])
    line.append(" " * (width - end - 1))
    return line


def _density(state: RunState, now: float, span: float, width: int, rows: int) -> list[Text]:
    band = -(-len(state.tasks) // rows)
    lines = []
    for first in range(0, len(state.tasks), band):
        tasks = state.tasks[first : first + band]
        active = [0] * (width + 1)
        failed = [False] * width
        for task in tasks:
            if task.started is None:
                continue
            start = _column(task.started, span, width)
            end = _column(task.ended if task.ended is not None else now, span, width)
            active[start] += 1
            active[end + 1] -= 1
            if task.failed is not None:
                failed[end] = True
        line, level = Text(), 0
        for column in range(width):
            level += active[column]
            glyph = DENSITY[min(8, -(-level * 8 // len(tasks)))] if level else " "
            colour = "failed" if failed[column] else "running" if not state.over else "ok"
            line.append(glyph, TASK_COLOURS[colour])
        lines.append(line)
    return lines


def _axis(state: RunState, span: float, width: int) -> Text:
    """The time axis, with ▲ where the ideal time falls."""
    axis = Text("─" * width, style="#585858")
    if state.ideal_s:
        column = _column(state.ideal_s, span, width)
        axis = axis[:column] + Text("▲", style=IDEAL_COLOUR) + axis[column + 1 :]
    return axis
