"""A lesson's source, wrapped to its pane, with the lines an error went through marked.

For the error in focus it marks, from the frames the worker recorded (nothing is guessed
from the error's type): where it was raised in the lesson (the innermost line of this
module it passed through) and where it left the lesson's code (the outermost): into the
caller for a raised error, into a framework's hands for a logged one.
"""

from __future__ import annotations

from importlib import resources

from rich.console import RenderableType
from rich.style import Style
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ...engine.fold import FATE_LABELS, ErrorRow
from ..palette import Palette

LESSONS = "asyncplay.strategies"


def source_of(strategy: str) -> str:
    """The lesson module's own text, as installed."""
    try:
        return resources.files(LESSONS).joinpath(f"{strategy}.py").read_text()
    except FileNotFoundError:
        return f"# no source for {strategy!r}"


def marked_lines(strategy: str, error: ErrorRow | None) -> tuple[int | None, int | None]:
    """(line where the error was raised in this lesson, line where it left the lesson)."""
    if error is None:
        return None, None
    lines = [line for module, line, _ in error.frames if module == strategy]
    if not lines:
        return None, None
    return lines[-1], lines[0]


def legend(palette: Palette, strategy: str, error: ErrorRow | None) -> Text:
    """What the marks mean for this error, in words."""
    if error is None:
        return Text("No error to mark: pick one in the Errors tab (e).", style=palette.muted)
    raised, left = marked_lines(strategy, error)
    fate = FATE_LABELS[error.fate] if error.fate else "undecided"
    task = f"task {error.task}" if error.task is not None else "no task"
    text = Text(f"{error.type} of {task} → ")
    text.append(fate, style=palette.fate_style(error.fate) if error.fate else palette.muted)
    if error.via:
        text.append(f" ({error.via})", style=palette.muted)
    if raised is None:
        text.append("\nIt never went through this lesson's code: ", style=palette.muted)
        text.append(_why_no_line(error), style=palette.muted)
        return text
    inner = next((f for f in reversed(error.frames)), None)
    text.append("\n")
    text.append("✗", style=palette.fate_style("lost"))
    where = f" in {inner[0]}.{inner[2]}()" if inner and inner[0] != strategy else ""
    text.append(f" line {raised}: raised here{where}")
    if left is not None:
        text.append("   ")
        text.append("↳", style=palette.fate_style("logged"))
        text.append(f" line {left}: left the lesson's code → {fate}")
    return text


def _why_no_line(error: ErrorRow) -> str:
    if error.fate == "returned":
        return "the framework handed it back as a value."
    if error.fate == "lost":
        return "nobody raised it, and nobody saw it."
    if error.fate == "not_run":
        return "the task never reached its fault."
    return "it was seen outside the lesson."


class LessonSource(Palette, Static):
    """The source of one lesson, highlighted, wrapped, with an error's lines marked."""

    COMPONENT_CLASSES = {"lesson--raised", "lesson--left"}

    def __init__(self, strategy: str) -> None:
        super().__init__(id="lesson")
        self.strategy = strategy
        self.code = source_of(strategy)
        self.error: ErrorRow | None = None

    def mark(self, error: ErrorRow | None) -> None:
        """Mark the lines of `error` (None: no marks)."""
        if error != self.error:
            self.error = error
            self.refresh(layout=True)

    def render(self) -> RenderableType:
        dark = self.app.current_theme.dark
        syntax = Syntax(self.code, "python", theme="monokai" if dark else "default",
                        background_color="default")  # fmt: skip
        lines = syntax.highlight(self.code).split("\n", allow_blank=True)
        raised, left = marked_lines(self.strategy, self.error)
        raised_bg = Style(bgcolor=self.get_component_rich_style("lesson--raised").bgcolor)
        left_bg = Style(bgcolor=self.get_component_rich_style("lesson--left").bgcolor)
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(ratio=1)
        for number, line in enumerate(lines, start=1):
            gutter = Text(f"{number}", style=self.faint)
            mark = " "
            if number == raised:
                line.stylize(raised_bg)
                mark = "✗"
            elif number == left:
                line.stylize(left_bg)
                mark = "↳"
            gutter.append(f" {mark}", style="bold")
            grid.add_row(gutter, line)
        return grid
