"""The zoom's editor: the user's copy of a lesson, in a TextArea, checked as it is saved.

The file is the user's own (`~/.config/asyncplay/strategies/`, engine/lessons.py), never the
installed lesson. Saving checks what can be checked without running it (it compiles, it has
a `main`); a syntax error puts the cursor on its line and says what is wrong below.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from ...engine import lessons
from ...engine.errors import LessonError


class PythonTextArea(TextArea):
    """A TextArea with the keys of a Python editor: enter keeps the line's indentation and
    adds a level after a `:`, backspace in an indentation removes a level, ctrl+home and
    ctrl+end go to the ends of the file."""

    BINDINGS = [
        Binding("ctrl+home", "cursor_file_start", "Start of file", show=False),
        Binding("ctrl+end", "cursor_file_end", "End of file", show=False),
    ]

    async def _on_key(self, event: events.Key) -> None:
        if event.key != "enter" or self.read_only:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        start, end = self.selection
        before = self.document[start[0]][: start[1]]  # the line up to the cursor
        indentation = before[: len(before) - len(before.lstrip())]
        if before.rstrip().endswith(":"):  # a block opens: def, for, if, with, ...
            indentation += " " * self.indent_width
        self.replace("\n" + indentation, start, end, maintain_selection_offset=False)

    def action_delete_left(self) -> None:
        row, column = self.cursor_location
        before = self.document[row][:column]
        if self.read_only or not self.selection.is_empty or not before or before.strip(" "):
            super().action_delete_left()
            return
        # Only spaces before the cursor: back to the level below (4 spaces, or what is
        # left over from an odd indentation).
        level = column % self.indent_width or self.indent_width
        self.delete((row, column - level), (row, column), maintain_selection_offset=False)

    def action_cursor_file_start(self) -> None:
        self.move_cursor(self.document.start)

    def action_cursor_file_end(self) -> None:
        self.move_cursor(self.document.end)


class LessonEditor(Vertical):
    """A lesson file being edited, and what is wrong with it, if anything."""

    DEFAULT_CSS = """
    LessonEditor { height: 1fr; }
    LessonEditor TextArea, LessonEditor TextArea:focus { height: 1fr; border: none; padding: 0; }
    LessonEditor #editor-problem { height: auto; color: $text-error; text-style: bold; }
    LessonEditor #editor-problem.-fine { color: $text-muted; text-style: none; }
    """

    def __init__(self) -> None:
        super().__init__(id="editor")
        self.path: Path | None = None
        self.original: str | None = None  # the text a copy not yet made starts from
        self.hint = ""
        self.problem: LessonError | None = None  # why the text cannot be run
        # Kept, not queried: the edit is saved as the zoom closes, its children gone by then.
        self.text_area = PythonTextArea(
            id="editor-text", language="python", show_line_numbers=True, soft_wrap=False,
            tab_behavior="indent",
        )  # fmt: skip
        self._problem_line = Static(id="editor-problem")

    def compose(self) -> ComposeResult:
        yield self.text_area
        yield self._problem_line

    def open(self, path: Path, hint: str, original: str | None = None) -> None:
        """Edit `path`: its text as it is on disk now, or, with `original` (the user's copy
        of a built-in, not made yet), the original's text, written there at the first save
        that changes it. Opening the editor to look makes no lesson."""
        self.path = path
        self.original = original if not path.exists() else None
        text = lessons.read_source(path) if self.original is None else self.original
        self.hint = hint  # what ctrl+r does with it
        self.text_area.load_text(text)
        self._say(None)

    def save(self, make_copy: bool = False) -> bool:
        """Write the text to the file, and check it: False (and the reason shown, the cursor
        on the bad line) if it cannot be a lesson. Saved either way: it is the user's.
        `make_copy`: write it even if it is still the original's text (to run it)."""
        text = self.write(make_copy)
        if text is None:
            return False
        try:
            lessons.check(text, str(self.path))
        except LessonError as problem:
            self._say(problem)
            if problem.line is not None:  # the cursor at its start (the line is lit up);
                area = self.text_area  # not selected: the next key would replace it
                line = min(max(problem.line - 1, 0), area.document.line_count - 1)
                area.move_cursor((line, 0), center=True)
            return False
        self._say(None)
        return True

    def write(self, make_copy: bool = False) -> str | None:
        """Write the text to the file as it is, unchecked; the text written, if any."""
        if self.path is None:
            return None
        text = self.text_area.text
        if self.original is not None and text == self.original and not make_copy:
            return text  # still the original: no copy to make
        try:
            lessons.save_source(self.path, text)
            self.original = None
        except OSError as error:  # a full disk, a folder made read-only: said, not a crash
            self._say(LessonError(f"cannot save {self.path}: {error.strerror}"))
            return None
        return text

    def reset(self, original: str) -> None:
        """Put the original's text back (ctrl+z undoes it; nothing is saved yet)."""
        area = self.text_area
        area.replace(original, area.document.start, area.document.end)
        self._say(None)

    def _say(self, problem: LessonError | None) -> None:
        self.problem = problem
        line = self._problem_line
        fine = problem is None
        line.set_class(fine, "-fine")
        if fine:
            line.update(Text(f"{self.hint} · ctrl+s saves · escape: done"))
        else:
            line.update(Text(f"✗ {problem}"))
