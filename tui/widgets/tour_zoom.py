"""The tour's zoom: one run's lesson with its error's lines marked, the run's errors with who
saw each, the X-ray's line, and a line for each other run of the step, all drawn from the
runs' states. What the step points at stands out; the rest steps back (app.tcss)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ...engine.expectations import injected_errors, most_waiting, named_error
from ...engine.fold import ErrorRow, RunState, by_line
from ...engine.tours import Highlight
from ..palette import Palette, palette_of
from .error_list import error_line
from .lesson_source import LessonSource, legend
from .strategy_panel import summary_line
from .xray_stepper import XrayStepper

# The errors listed under the source, the pointed one first: on a short screen (under 30
# rows, as the app's breakpoints have it) the source keeps the rows.
MOST_ERRORS, MOST_ERRORS_SHORT = 4, 1
SHORT_BELOW = 30


def pointed_error(state: RunState) -> ErrorRow | None:
    """The error a step points at: the one of its injected faults its caption tells whole,
    or without one, the newest error of any kind."""
    injected = injected_errors(state)
    if injected:
        return named_error(injected)
    errors = state.errors()
    return errors[0] if errors else None


class TourZoom(Vertical):
    """The focused run of a step, in the room a projector leaves."""

    def __init__(self, module: str, source: str, highlight: Highlight) -> None:
        """`module`: the lesson its run ran; `source`: its text; `highlight`: what to point at."""
        super().__init__(id="tour-zoom", classes=f"-highlight-{highlight}")
        self.module = module
        self.source = source
        self.highlight = highlight
        self._shown: tuple[RunState, list[RunState]] | None = None
        self._pointed: RunState | None = None  # the run whose X-ray look was pointed at

    @property
    def palette(self) -> Palette:
        return palette_of(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="tour-source-pane"):
            yield Static(id="tour-legend")
            with VerticalScroll(id="tour-source") as source:
                source.can_focus = False  # the tour's keys stay the tour's (the screen scrolls it)
                yield LessonSource(self.module, self.palette, self.source)
        yield XrayStepper(self.palette)
        yield Static(id="tour-errors")
        yield Static(id="tour-others")

    def on_mount(self) -> None:
        self.query_one("#tour-source-pane").border_title = Text(f"strategies/{self.module}.py")

    def show(self, focus: RunState, others: list[RunState]) -> None:
        """Draw the focused run and a line for each other run."""
        self._shown = (focus, others)
        palette = self.palette
        error = pointed_error(focus)
        self.query_one(LessonSource).mark(error)
        said = legend(palette, self.module, error) if error else self._no_error(focus)
        self.query_one("#tour-legend", Static).update(said)
        stepper = self.query_one(XrayStepper)
        sample = stepper.show(focus)
        if self.highlight == "xray" and focus.over and self._pointed is not focus:
            # The look the caption tells of: the most tasks waiting at once.
            self._pointed = focus
            _, seen = most_waiting(focus)
            if seen is not None:
                stepper.look = focus.samples.index(seen)
                sample = stepper.show(focus)
        source = self.query_one(LessonSource)
        lines_at = by_line(sample)
        source.show_xray(lines_at, room=bool(focus.samples))
        if self.highlight == "xray" and lines_at:  # the workers in view as the look moves
            source.scroll_to_line(min(lines_at), max(lines_at), only_if_hidden=True)
        # A step about where tasks wait, in a run with no error, has no error to tell of.
        quiet = self.highlight == "xray" and error is None
        self.query_one("#tour-legend").display = not quiet
        self.query_one("#tour-errors").display = not quiet
        self.query_one("#tour-errors", Static).update(self._errors(focus, error))
        lines = [summary_line(palette, state, self.size.width or 80) for state in others]
        self.query_one("#tour-others", Static).update(Text("\n").join(lines))
        self.query_one("#tour-others").display = bool(others)

    def on_resize(self) -> None:
        if self._shown is not None:  # how many errors fit, and the others' lines, change
            self.show(*self._shown)

    def step_xray(self, by: int) -> bool:
        """Show the X-ray's next look (or the one before); False if it has none."""
        if self._shown is None or not self.query_one(XrayStepper).step(by):
            return False
        self.show(*self._shown)
        return True

    def _no_error(self, state: RunState) -> Text:
        words = "no error in this run" if state.over else "no error yet"
        return Text(f"{state.strategy}: {words}", style=self.palette.muted)

    def _errors(self, state: RunState, pointed: ErrorRow | None) -> Text:
        errors = state.errors()
        if not errors:
            return self._no_error(state)
        most = MOST_ERRORS_SHORT if self.app.size.height < SHORT_BELOW else MOST_ERRORS
        if pointed is not None:
            errors = [pointed, *(row for row in errors if row is not pointed)]
        shown = errors[:most]
        lines = []
        for row in shown:
            line = error_line(self.palette, row)
            if row is pointed:
                line.stylize("bold")
            lines.append(line)
        if len(errors) > len(shown):
            more = len(errors) - len(shown)
            lines.append(Text(f"… and {more:,} more", style=self.palette.muted))
        return Text("\n").join(lines)
