"""A lesson's source, wrapped to its pane, with the lines an error went through marked.

For the error in focus it marks, from the frames the worker recorded (nothing is guessed
from the error's type): where it was raised in the lesson (the innermost line of this
module it passed through) and where it left the lesson's code (the outermost): into the
caller for a raised error, into a framework's hands for a logged one.
"""

from __future__ import annotations

from importlib import resources

from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import Static

from ...engine.fold import FATE_LABELS, ErrorRow
from ..palette import Palette

LESSONS = "asyncplay.strategies"


def source_of(strategy: str) -> str:
    """The lesson module's own text, as installed ("threads", or a lab's "labs.races").
    Read, not imported: importing the gevent lesson would monkey-patch the app."""
    *package, module = strategy.split(".")
    try:
        return resources.files(LESSONS).joinpath(*package, f"{module}.py").read_text()
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
        text.append(f"\nNo line to mark: {_why_no_line(error)}", style=palette.muted)
        return text
    inner = error.frames[-1]
    where = f", in {inner[0]}.{inner[2]}()" if inner[0] != strategy else ""
    text.append("\n✗", style=palette.fate_style("lost"))
    text.append(f" line {raised}: raised here{where}")
    if left is not None:
        text.append("\n↳", style=palette.fate_style("logged"))
        text.append(f" line {left}: where it left the lesson's code → {fate}")
    return text


def _why_no_line(error: ErrorRow) -> str:
    """Why an error has no lesson line to mark, from what was observed of it."""
    if error.fate == "lost":
        return "nobody saw it, so nothing recorded where it went."
    if error.fate == "not_run":
        return "the task never reached its fault."
    if error.fate == "returned":
        return "it came back as a value, and its traceback holds no line of this lesson."
    return "its traceback holds no line of this lesson."


class LessonSource(Static):
    """The source of one lesson, highlighted, wrapped, with an error's lines marked."""

    COMPONENT_CLASSES = {"lesson--raised", "lesson--left"}
    DEFAULT_CSS = "LessonSource { text-wrap: nowrap; }  /* wrapped here, gutter and all */"
    GUTTER = 7  # "  41 ✗ "

    def __init__(self, strategy: str, palette: Palette) -> None:
        super().__init__(id="lesson")
        self.palette = palette
        self.strategy = strategy
        self.code = source_of(strategy)
        self.error: ErrorRow | None = None
        self._width = 0  # the width the code was last wrapped to

    def mark(self, error: ErrorRow | None) -> None:
        """Mark the lines of `error` (None: no marks), and bring them into view."""
        if error != self.error:
            self.error = error
            self._draw()

    def on_resize(self) -> None:
        if self.content_size.width != self._width:
            self._draw()

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._draw, init=False)

    def _draw(self) -> None:
        """Draw the code wrapped to this width, then scroll its marked lines into view."""
        self._width = self.content_size.width
        if not self._width:
            return
        rows, starts = self._rows(self._width)
        self.update(Text("\n").join(rows))
        raised, left = marked_lines(self.strategy, self.error)
        if raised is not None and self.parent is not None:
            top = min(starts[line] for line in (raised, left) if line is not None)
            scroll = self.parent
            self.call_after_refresh(lambda: scroll.scroll_to(y=max(0, top - 3), animate=False))  # type: ignore[attr-defined]

    def _rows(self, width: int) -> tuple[list[Text], dict[int, int]]:
        """The code wrapped to `width`: each line's number and mark, then its text, continued
        under itself; and the row each source line starts at."""
        dark = self.app.current_theme.dark
        syntax = Syntax(self.code, "python", theme="monokai" if dark else "default",
                        background_color="default")  # fmt: skip
        lines = syntax.highlight(self.code).split("\n", allow_blank=True)
        raised, left = marked_lines(self.strategy, self.error)
        marks = {
            left: ("↳", Style(bgcolor=self.get_component_rich_style("lesson--left").bgcolor)),
            raised: ("✗", Style(bgcolor=self.get_component_rich_style("lesson--raised").bgcolor)),
        }
        code_width = max(width - self.GUTTER, 10)
        rows: list[Text] = []
        starts: dict[int, int] = {}
        for number, line in enumerate(lines, start=1):
            starts[number] = len(rows)
            mark, style = marks.get(number, (" ", None))
            if style is not None:
                line.stylize(style)
            for index, part in enumerate(line.wrap(self.app.console, code_width) or [Text()]):
                if index == 0:
                    gutter = Text(f"{number:>4} ", style=self.palette.faint)
                    gutter.append(f"{mark} ", style="bold")
                else:
                    gutter = Text(" " * self.GUTTER)
                rows.append(gutter + part)
        return rows, starts
