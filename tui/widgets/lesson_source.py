"""A lesson's source, wrapped to its pane, with the lines an error went through marked.

For the error in focus it marks, from the frames the worker recorded (nothing is guessed
from the error's type): where it was raised in the lesson (the innermost line of this
module it passed through) and where it left the lesson's code (the outermost): into the
caller for a raised error, into a framework's hands for a logged one.
"""

from __future__ import annotations

from collections import Counter

from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from ...engine.events import SPOT_STATES, Spot
from ...engine.fold import FATE_LABELS, ErrorRow
from ..palette import Palette


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


# The X-ray's mark for what the workers at a line do (the gutter shows the most common).
XRAY_GLYPHS = {"running": "▶", "network": "↔", "lock": "■", "queued": "≡", "waiting": "○"}


def busiest(spots: list[Spot]) -> str:
    """The state most of the workers at one line are in (ties: the first in SPOT_STATES)."""
    counts = Counter(spot[3] for spot in spots)
    return max(SPOT_STATES, key=lambda state: counts[state])


class LessonSource(Static):
    """The source of one lesson, highlighted, wrapped, with an error's lines marked and, with
    the X-ray, how many workers are at each line and what they do there."""

    COMPONENT_CLASSES = {"lesson--raised", "lesson--left"}
    DEFAULT_CSS = "LessonSource { text-wrap: nowrap; }  /* wrapped here, gutter and all */"
    GUTTER = 7  # "  41 ✗ "
    XRAY_GUTTER = 4  # " 12↔"

    def __init__(self, strategy: str, palette: Palette, code: str) -> None:
        """`code`: the lesson's text, as its run ran it (a user's file may have changed)."""
        super().__init__(id="lesson")
        self.palette = palette
        self.strategy = strategy
        self.code = code
        self.error: ErrorRow | None = None
        self.xray = False  # room for the X-ray in the gutter
        self.spots: dict[int, list[Spot]] = {}
        self._width = 0  # the width the code was last wrapped to
        # The code highlighted and wrapped, for a (width, theme, marks): the X-ray redraws
        # only the gutter, several times a second.
        self._wrapped: tuple[object, list[list[Text]]] | None = None
        self.starts: dict[int, int] = {}  # the row each source line starts at
        self._pending_scroll: tuple[int, int | None, bool] | None = None  # until drawn

    def mark(self, error: ErrorRow | None) -> None:
        """Mark the lines of `error` (None: no marks), and bring them into view."""
        if error != self.error:
            self.error = error
            self._draw(scroll=True)

    def show_xray(self, spots: dict[int, list[Spot]], room: bool = True) -> None:
        """Show where the workers are (`spots` by line); `room`: keep the X-ray's gutter."""
        if spots != self.spots or room != self.xray:
            self.spots, self.xray = spots, room
            self._draw()

    def on_resize(self) -> None:
        if self.content_size.width != self._width:
            self._draw(scroll=True)

    def on_mount(self) -> None:
        # After the new theme's styles apply (a watch of `theme` runs before they do).
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._draw(scroll=True))

    def _draw(self, scroll: bool = False) -> None:
        """Draw the code wrapped to this width; with `scroll`, bring its marked lines into
        view."""
        self._width = self.content_size.width
        if not self._width:
            return
        rows = self._rows(self._width)
        self.update(Text("\n").join(rows))
        raised, left = marked_lines(self.strategy, self.error)
        if scroll and raised is not None:
            self.scroll_to_line(min(line for line in (raised, left) if line is not None))
        elif self._pending_scroll is not None:
            self.scroll_to_line(*self._pending_scroll)
        self._pending_scroll = None

    def scroll_to_line(
        self, line: int, last: int | None = None, only_if_hidden: bool = False
    ) -> None:
        """Scroll the pane so `line` is near its top (with `only_if_hidden`, only if it, or
        `last`, is out of view). Before the first draw, once the code is drawn."""
        if line not in self.starts:
            self._pending_scroll = (line, last, only_if_hidden)
            return
        scroll = self.parent
        if not isinstance(scroll, Widget):
            return

        def to_line() -> None:  # after the refresh: the rows of the width drawn last
            top = self.starts.get(line, 0)
            bottom = self.starts.get(last or line, top)
            shown = scroll.scroll_offset.y, scroll.scroll_offset.y + scroll.size.height
            if not (only_if_hidden and shown[0] <= top and bottom < shown[1]):
                scroll.scroll_to(y=max(0, top - 3), animate=False)

        self.call_after_refresh(to_line)

    def _rows(self, width: int) -> list[Text]:
        """The code wrapped to `width`: each line's number, mark and X-ray, then its text,
        continued under itself."""
        gutter_width = self.GUTTER + (self.XRAY_GUTTER if self.xray else 0)
        raised, left = marked_lines(self.strategy, self.error)
        key = (width, gutter_width, self.app.current_theme.name, raised, left)
        if self._wrapped is None or self._wrapped[0] != key:
            self._wrapped = (key, self._wrap(max(width - gutter_width, 10), raised, left))
        marks = {left: "↳", raised: "✗"}
        rows: list[Text] = []
        for number, parts in enumerate(self._wrapped[1], start=1):
            self.starts[number] = len(rows)
            for index, part in enumerate(parts):
                if index == 0:
                    gutter = Text(f"{number:>4} ", style=self.palette.faint)
                    gutter.append(f"{marks.get(number, ' ')} ", style="bold")
                    if self.xray:
                        gutter.append_text(self._xray_cell(self.spots.get(number)))
                else:
                    gutter = Text(" " * gutter_width)
                rows.append(gutter + part)
        return rows

    def _xray_cell(self, spots: list[Spot] | None) -> Text:
        if not spots:
            return Text(" " * self.XRAY_GUTTER)
        state = busiest(spots)
        count = f"{len(spots)}" if len(spots) < 100 else "99+"
        return Text(f"{count:>2}{XRAY_GLYPHS[state]} ", style=self.palette.xray_style(state))

    def _wrap(self, code_width: int, raised: int | None, left: int | None) -> list[list[Text]]:
        """Each line of the code, highlighted and marked, as the rows it wraps to."""
        dark = self.app.current_theme.dark
        syntax = Syntax(self.code, "python", theme="monokai" if dark else "default",
                        background_color="default")  # fmt: skip
        lines = syntax.highlight(self.code).split("\n", allow_blank=True)
        backgrounds = {
            left: Style(bgcolor=self.get_component_rich_style("lesson--left").bgcolor),
            raised: Style(bgcolor=self.get_component_rich_style("lesson--raised").bgcolor),
        }
        wrapped = []
        for number, line in enumerate(lines, start=1):
            style = backgrounds.get(number)
            if style is not None:
                line.stylize(style)
            wrapped.append(list(line.wrap(self.app.console, code_width)) or [Text()])
        return wrapped
