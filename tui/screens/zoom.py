"""Zoom: one strategy's source beside everything its run did.

The source on the left, syntax-highlighted, so the code and its behaviour sit side by side;
on the right every task in a (virtualised) table, every captured error with its traceback,
and what the run printed on stderr.
"""

from __future__ import annotations

from importlib import resources

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from ...engine.fold import RunState
from ..palette import FATE_COLOURS, FATE_LABELS, TASK_COLOURS
from ..widgets.error_list import error_line


def source_of(strategy: str) -> str:
    """The strategy module's own text, as installed."""
    package = resources.files("asyncplay.strategies")
    try:
        return package.joinpath(f"{strategy}.py").read_text()
    except FileNotFoundError:
        return f"# no source for {strategy!r}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


class ZoomScreen(Screen[None]):
    """Everything about one run; escape goes back to the panels."""

    BINDINGS = [
        Binding("escape,z", "app.pop_screen", "Back"),
        Binding("t", "show_tab('tab-tasks')", "Tasks"),
        Binding("e", "show_tab('tab-errors')", "Errors"),
        Binding("o", "show_tab('tab-output')", "Output"),
    ]

    def __init__(self, state: RunState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        state = self.state
        with Horizontal(id="zoom"):
            with VerticalScroll(id="source"):
                yield Static(Syntax(source_of(state.strategy), "python", theme="monokai",
                                    line_numbers=True, word_wrap=False))  # fmt: skip
            with TabbedContent(id="zoom-tabs"):
                with TabPane(f"Tasks {len(state.tasks)}", id="tab-tasks"):
                    yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
                with TabPane(f"Errors {len(state.errors())}", id="tab-errors"):
                    yield DataTable(id="errors", cursor_type="row")
                    with ScrollableContainer(id="traceback-scroll"):
                        yield Static(id="traceback", classes="verbatim")
                with TabPane("Output", id="tab-output"), ScrollableContainer():
                    yield Static(Text("".join(state.output) or "(nothing printed)"), id="output",
                                 classes="verbatim")  # fmt: skip
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#source").border_title = f"strategies/{self.state.strategy}.py"
        state = self.state
        title = f"{state.strategy}: {state.status}, up to {state.concurrency} at a time"
        self.query_one("#zoom-tabs").border_title = title
        self._fill_tasks()
        self._fill_errors()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab} DataTable, #{tab} ScrollableContainer").focus()

    def _fill_tasks(self) -> None:
        table = self.query_one("#tasks", DataTable)
        table.add_columns("task", "fault", "state", "start s", "end s", "took s", "HTTP", "bytes",
                          "error", "fate")  # fmt: skip
        over = self.state.over
        for task in self.state.tasks:
            status = task.status(over)
            fate = task.fate(over)
            took = None
            if task.ended is not None and task.started is not None:
                took = task.ended - task.started
            table.add_row(
                str(task.id),
                str(task.fault or ""),
                Text(
                    status.replace("_", " "),
                    style=TASK_COLOURS[status] if status != "not_run" else "#8a8a8a",
                ),
                _seconds(task.started),
                _seconds(task.ended),
                _seconds(took),
                str(task.status_code or ""),
                str(task.nbytes or ""),
                task.failed.error if task.failed else "",
                Text(FATE_LABELS[fate], style=FATE_COLOURS[fate]) if fate else "",
                key=str(task.id),
            )

    def _fill_errors(self) -> None:
        table = self.query_one("#errors", DataTable)
        table.add_columns("error")
        for index, row in enumerate(self.state.errors()):
            table.add_row(error_line(row), key=str(index))
        self._show_traceback(0)

    def _show_traceback(self, index: int) -> None:
        rows = self.state.errors()
        text = (
            "(no errors)"
            if not rows
            else rows[index].traceback or rows[index].message or "(no traceback)"
        )
        self.query_one("#traceback", Static).update(Text(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "errors" and event.row_key.value is not None:
            self._show_traceback(int(event.row_key.value))
