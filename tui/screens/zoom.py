"""Zoom: one strategy's source beside everything its run did, live while it runs.

The source on the left, wrapped to the pane, with the lines of the error in focus marked
(where it was raised, where it left the lesson) and the X-ray's stepper under it; on the
right every task in a table, every captured error with its traceback, and what the run
printed. The app hands the zoom the run's state on every tick (`follow`), so a zoom opened
mid-run keeps up with it. E turns the source into an editor of the user's copy.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from ...engine import lessons
from ...engine.catalogue import source_of
from ...engine.errors import LessonError
from ...engine.events import Sampled
from ...engine.fold import ErrorRow, RunState, by_line
from ...engine.lessons import Lesson
from ..palette import PALETTE_CLASSES, Palette
from ..widgets.app_footer import AppFooter
from ..widgets.error_list import error_line
from ..widgets.lesson_editor import LessonEditor
from ..widgets.lesson_source import LessonSource, legend
from ..widgets.task_table import TaskTable
from ..widgets.xray_stepper import XrayStepper
from .quiet_focus import QuietFocusScreen

# The tables are the costly part of a live zoom; four refreshes a second keep up with a run.
REFRESH_S = 0.25


def _same(row: ErrorRow, other: ErrorRow) -> bool:
    """The same error, though its fate or who saw it may have been decided since."""
    return (row.task, row.type, row.message) == (other.task, other.type, other.message)


class ZoomScreen(QuietFocusScreen[None]):
    """Everything about one run; escape goes back to the panels."""

    COMPONENT_CLASSES = PALETTE_CLASSES
    # The panels' keys that mean something here too: run every strategy, or stop them, and
    # watch this one live.
    PANEL_KEYS = frozenset({"run_all", "stop"})

    BINDINGS = [
        # escape before the editor sees it: the TextArea would move the focus on with it.
        Binding("escape", "back", "Back", priority=True),
        Binding("z", "back", "Back", show=False),
        Binding("t", "show_tab('tab-tasks')", "Tasks"),
        Binding("e", "show_tab('tab-errors')", "Errors"),
        Binding("o", "show_tab('tab-output')", "Output"),
        Binding("space", "xray_pause", "Pause"),
        Binding("full_stop", "xray_step(1)", "Step"),
        Binding("comma", "xray_step(-1)", "Step back", show=False),
        Binding("E", "edit", "Edit"),
        # While editing: the TextArea takes every key it knows, so these are ctrl keys.
        Binding("ctrl+r", "run_edit", "Run it"),
        Binding("ctrl+s", "save_edit", "Save"),
        Binding("ctrl+o", "original", "Original"),
    ]
    EDITING_ACTIONS = {"run_edit", "save_edit", "original"}
    WIDE_ONLY_ACTIONS = {"show_tab"}  # the narrow footer's room goes to ? and q
    VIEWING_ACTIONS = {"edit", "xray_pause", "xray_step", "show_tab"}

    @dataclass
    class RunEdited(Message):
        """The lesson in the editor is saved and sound: run it beside its original."""

        zoom: ZoomScreen  # the zoom it was edited in, which closes to show the panels
        path: Path

    def __init__(self, state: RunState, now: float, lesson: Lesson, source: str) -> None:
        super().__init__()
        self.palette = Palette(self)
        self.strategy = state.strategy
        # The module its run ran: the style's own, or its lesson with a second client.
        self.module = state.lesson or state.strategy
        self.lesson = lesson
        self.source = source  # the lesson as its run ran it
        self.state = state
        self.editing = False
        self.editor = LessonEditor()
        self._run_asked = False  # ctrl+r posted its run: the zoom is about to close
        self._drawn_state: RunState | None = None  # the run the tables were filled from
        self._errors: list[ErrorRow] = []
        self._output_len = -1
        self._refreshed = 0.0
        self._over = False
        self._now = now
        # The parts a tick needs, once mounted: the app's tick may come before the screen has
        # its widgets, or while they are taken down (the app quitting).
        self._parts: tuple[Widget, ...] = ()
        self._lines: Collection[int] = ()  # the lines the X-ray shown has workers at

    def compose(self) -> ComposeResult:
        with Horizontal(id="zoom"):
            with Vertical(id="source-pane"):
                yield Static(id="legend")
                with VerticalScroll(id="source"):
                    yield LessonSource(self.module, self.palette, self.source)
                yield self.editor
                yield XrayStepper(self.palette)
            with TabbedContent(id="zoom-tabs"):
                with TabPane("Tasks", id="tab-tasks"):
                    yield TaskTable(self.palette)
                with TabPane("Errors", id="tab-errors"):
                    yield DataTable(id="errors", cursor_type="row")
                    with ScrollableContainer(id="traceback-scroll"):
                        yield Static(id="traceback", classes="verbatim")
                with TabPane("Output", id="tab-output"), ScrollableContainer():
                    yield Static(id="output", classes="verbatim")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#source-pane").border_title = Text(self._title())
        self.query_one("#errors", DataTable).add_column("error", key="error")
        self._parts = (self.query_one("#zoom-tabs"), self.query_one(XrayStepper))
        self._focus_error(None)  # until the run has an error to focus on
        self.follow(self.state, self._now, force=True)

    # Following the run

    def follow(self, state: RunState, now: float, force: bool = False) -> None:
        """Show `state` (the app's, each tick): the title at once, the rest a few times a
        second, and everything when a new run replaced the old one or this one ended."""
        self.state, self._now = state, now
        if not self._parts or not all(part.is_attached for part in self._parts):
            return  # not composed yet, or being taken down (a query here walked the screen)
        title = f"{state.strategy}: {state.status}"
        if state.concurrency:
            title += f", up to {state.concurrency:,} at a time"
        tabs = self.query_one("#zoom-tabs")
        if str(tabs.border_title) != title:
            tabs.border_title = Text(title)  # a lesson's name is text, not markup
        sample = self._show_xray()  # a new run goes back to live
        stale = state is not self._drawn_state or state.over != self._over
        if not (force or stale) and time.monotonic() - self._refreshed < REFRESH_S:
            return
        self._refreshed = time.monotonic()
        self._drawn_state, self._over = state, state.over
        table = self.query_one(TaskTable)
        table.show(state)
        table.show_where(sample)
        self._label("tab-tasks", f"Tasks {len(state.tasks):,}")
        self._fill_errors(state)
        self._fill_output(state)

    def _fill_errors(self, state: RunState) -> None:
        errors = state.errors()
        if errors == self._errors:
            return
        table = self.query_one("#errors", DataTable)
        was = self._errors[table.cursor_row] if self._errors else None
        table.clear()
        for index, row in enumerate(errors):
            table.add_row(error_line(self.palette, row), key=str(index))
        self._errors = errors
        self._label("tab-errors", f"Errors {len(errors):,}")
        # The same error stays in focus as newer ones arrive above it (by task and type).
        index = next((i for i, row in enumerate(errors) if was and _same(row, was)), 0)
        if errors:
            table.move_cursor(row=index)
        self._focus_error(index if errors else None)

    def _label(self, pane: str, label: str) -> None:
        tab = self.query_one(TabbedContent).get_tab(pane)
        if tab.label_text != label:  # relabelling posts a message and relayouts the tabs
            tab.label = label

    def _fill_output(self, state: RunState) -> None:
        if len(state.output) != self._output_len:
            self._output_len = len(state.output)
            text = "".join(state.output) or "(nothing printed)"
            self.query_one("#output", Static).update(Text(text))

    # The X-ray

    def _show_xray(self) -> Sampled | None:
        """Show the look in view: its line under the source and its counts in the gutter;
        returns it (None: no look is shown), for the table's "where" column."""
        state = self.state
        stepper = self.query_one(XrayStepper)
        sample = stepper.show(state)
        source = self.query_one(LessonSource)
        lines = by_line(sample)
        source.show_xray(lines, room=bool(state.samples) or state.xray.startswith("on"))
        moved = lines.keys() != self._lines
        self._lines = lines.keys()
        if lines and moved and (stepper.look is not None or source.error is None):
            # The workers stay in view as they move, unless an error's lines are marked and
            # the X-ray is live: then the error's lines keep the view.
            source.scroll_to_line(min(lines), max(lines), only_if_hidden=True)
        return sample

    def action_xray_pause(self) -> None:
        """Pause the X-ray on the look in view, or go back to live."""
        if self.query_one(XrayStepper).pause():
            self.query_one(TaskTable).show_where(self._show_xray())

    def action_xray_step(self, by: int) -> None:
        """Pause, and show the next look (or the one before)."""
        if self.query_one(XrayStepper).step(by):
            self.query_one(TaskTable).show_where(self._show_xray())

    # The error in focus

    def _focus_error(self, index: int | None) -> None:
        """Show this error's traceback, and mark its lines in the source."""
        error = self._errors[index] if index is not None and index < len(self._errors) else None
        if error is None:
            text = "(no errors)"
        else:
            text = error.traceback or error.message or "(no traceback)"
        self.query_one("#traceback", Static).update(Text(text))
        self.query_one(LessonSource).mark(error)
        self.query_one("#legend", Static).update(legend(self.palette, self.module, error))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "errors" and event.row_key.value is not None:
            self._focus_error(int(event.row_key.value))

    # Editing: the user's copy of the lesson, run beside it

    def _title(self) -> str:
        editing = self.editor.path if self.editing else None
        if editing is not None:
            return f"editing {lessons.shown(editing)}"
        path = self.lesson.file
        return f"strategies/{self.module}.py" if path is None else lessons.shown(path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The editor's keys while editing; the viewer's otherwise (hidden, not greyed)."""
        if action in self.EDITING_ACTIONS:
            return self.editing
        if action in self.VIEWING_ACTIONS:
            return not self.editing
        return True

    def action_edit(self) -> None:
        """Turn the source into an editor of the user's copy (the original's text until a
        save that changes it makes the copy), or of the user's own lesson."""
        if self.lesson.own and self.lesson.file is None:
            self.notify(f"{self.strategy}'s file is not here to edit.", severity="warning")
            return
        try:
            beside = "ctrl+r runs it beside the original"
            if self.lesson.file is not None:
                hint = beside if self.lesson.original else "ctrl+r runs it"
                self.editor.open(self.lesson.file, hint)
            else:  # the user's copy, or the original's text until a save makes the copy
                copy = lessons.own_folder() / f"{self.module}.py"
                self.editor.open(copy, beside, original=source_of(self.module))
        except (LessonError, OSError) as error:
            self.notify(f"cannot edit: {error}", severity="error")
            return
        self._set_editing(True)
        self.editor.text_area.focus()

    def action_back(self) -> None:
        """Out of the editor (saved), or back to the panels."""
        if not self.editing:
            self.app.pop_screen()
            return
        text = self.editor.write()
        if text is None and self.editor.problem is not None:
            return  # it could not be saved: the reason is below, the text still here
        try:
            lessons.check(text or "", str(self.editor.path))
        except LessonError as problem:
            self.notify(f"saved, but it cannot run yet: {problem}", severity="warning")
        self._set_editing(False)

    def action_save_edit(self) -> None:
        if self.editor.save():
            unmade = self.editor.original is not None  # still the original's text
            self.notify("unchanged: no copy made yet" if unmade else "saved", timeout=2)

    def action_run_edit(self) -> None:
        """Save, and if it can be a lesson, run it beside the original (once: a second
        ctrl+r before the zoom has closed asks for nothing more)."""
        editor = self.editor
        if not self._run_asked and editor.save(make_copy=True) and editor.path is not None:
            self._run_asked = True
            self.post_message(self.RunEdited(self, editor.path))

    def action_original(self) -> None:
        """Put the original lesson's text back into the editor (ctrl+z undoes it)."""
        if self.lesson.original is not None:
            original = lessons.source_now(lessons.named(self.lesson.original))
        elif not self.lesson.own:
            original = source_of(self.module)
        else:
            self.notify(f"{self.strategy} is your own lesson: it has no original.", timeout=3)
            return
        self.editor.reset(original)
        self.notify("the original is back: ctrl+z undoes that, ctrl+s keeps it", timeout=4)

    def _set_editing(self, editing: bool) -> None:
        self.editing = editing
        self.query_one("#zoom").set_class(editing, "-editing")
        self.query_one("#source-pane").border_title = Text(self._title())
        self.refresh_bindings()
        if not editing:
            self.query_one("#tasks").focus()

    def on_unmount(self) -> None:
        """An edit is never lost, whichever way the zoom closes."""
        if self.editing:
            self.editor.write()

    # Actions

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab} DataTable, #{tab} ScrollableContainer").focus()
