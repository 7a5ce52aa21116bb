"""One strategy's live panel: its idea, times, progress, timing bars, counts, fates, errors.

The panel gives its rows to its parts by what carries the lesson (panel_layout.allot), so
the fate tally and the newest error with who saw it show at every size. In the narrow
layout an unfocused panel is one summary line instead.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message

from ...engine.catalogue import is_second_client
from ...engine.fold import TASK_STATUSES, RunState
from ..palette import Palette, palette_of
from .error_list import VIA_SHORT, Entries, entries, fit, task_label
from .fate_tally import FateTally, as_bullets, tally
from .panel_layout import MORE_ERRORS, Needs, Rows, allot, essential
from .progress_line import ProgressLine
from .text_line import TextLine
from .timeline import Timeline

# The summary line's dots, said where they are (and in help).
DOTS_LEGEND = "● raised  ● returned  ● logged  ● lost  ● not run: the fates, in this order"


def times(palette: Palette, state: RunState, now: float) -> Text:
    """`wall 1.31 s  ideal ▲0.20 s  ×6.5`, or what the run is waiting for."""
    if state.skipped:
        return Text(f"not run: {state.skipped}", style=palette.muted)
    if state.status == "idle":
        return Text("not run yet: press r, or enter", style=palette.muted)
    if not state.tasks:
        if state.aborted is not None:
            return Text(f"{state.status} before its worker started", style=palette.muted)
        return Text("starting the worker…", style=palette.muted)
    # A running clock shows tenths: it changes ten times a second, not on every tick.
    wall = f"{state.wall_s:.2f}" if state.over else f"{now:.1f}"
    text = Text(f"wall {wall} s  ideal ")
    text.append("▲", style=palette.accent)
    text.append(f"{state.ideal_s:.2f} s  ")
    if state.aborted:
        text.append(state.status, style=palette.run_style(state.status))
    elif state.ideal_s and state.whole_plan:  # only then does it compare with the ideal
        text.append(f"×{state.wall_s / state.ideal_s:.1f}", style="bold")
    finished = state.finished
    if finished is not None and finished.cpu_system_s is not None:  # logs before it: as they were
        # The CPU alone: its split into user and kernel time is the compare's (c), which has
        # the room; three panels abreast at 155 columns have ten cells left here.
        text.append(f"  cpu {finished.cpu_s:.2f} s", style=palette.muted)
    return text


def counts_lines(palette: Palette, state: RunState, width: int) -> list[Text]:
    """`50 tasks · ok 44 · failed 6`, with the in-between states while it runs; two lines
    when one would not fit."""
    counts = state.counts()
    parts = [Text(f"{len(state.tasks):,} tasks", style=palette.muted)]
    for status in TASK_STATUSES:
        if counts[status] or status in ("ok", "failed"):
            part = Text(f"{status} ", style=palette.muted)
            part.append(f"{counts[status]:,}")
            parts.append(part)
    separator = Text(" · ", style=palette.faint)
    one = separator.join(parts)
    if one.cell_len <= width or len(parts) < 3:
        return [one]
    half = (len(parts) + 1) // 2
    return [separator.join(parts[:half]), separator.join(parts[half:])]


def summary_line(palette: Palette, state: RunState, width: int) -> Text:
    """One line for the narrow list: name, state, progress, the fate tally, and the newest
    error with who saw it; the least needed parts give way first."""
    counts = state.counts()
    name = Text(f"{state.strategy:<11}", style="bold")
    status = Text(f"{state.status:<8}", style=palette.run_style(state.status))
    total = f"{len(state.tasks):,}"
    done = f"{counts['ok'] + counts['failed']:,}/{total}"
    progress = Text(f"{done:<{2 * len(total) + 1}} ")  # the bullets line up down the list
    fates = as_bullets(palette, state.fates()) + " " if state.tasks else Text("")
    rows = state.errors()
    if state.aborted is not None or state.skipped:
        why = state.aborted.detail if state.aborted else f"not run: {state.skipped}"
        error = Text(why, style=palette.run_style(state.status))
        longest = long = short = error
    elif rows:
        newest = rows[0]
        fate = Text(newest.fate or "undecided", style=palette.fate_style(newest.fate)
                    if newest.fate else palette.muted)  # fmt: skip
        via = Text(f" ({VIA_SHORT.get(newest.via, newest.via)})", palette.muted)
        full_via = Text(f" ({newest.via})", palette.muted) if newest.via else via
        short = Text(f"{task_label(newest)} → ") + fate + via
        long = Text(f"{task_label(newest)} {newest.type} → ") + fate + via
        longest = Text(f"{task_label(newest)} {newest.type} → ") + fate + full_via
    else:
        longest = long = short = Text("")
    for parts in (
        [name, status, progress, fates, longest],
        [name, status, progress, fates, long],
        [name, status, progress, fates, short],
        [name, status, fates, short],
        [name, fates, short],
    ):
        line = Text().join(parts)
        if line.cell_len <= width:
            return line
    line.truncate(width, overflow="ellipsis")
    return line


def _needs(idea: list[Text], counts: list[Text], errors: Entries) -> Needs:
    shown = tuple(map(len, errors.errors))
    more = errors.total > len(shown) + bool(errors.ended)
    return Needs(len(idea), len(counts), len(errors.ended), shown, more)


def _shape_of(state: RunState) -> tuple[object, ...]:
    """What the rows a panel needs depend on, besides its width: which counts show, why the
    run ended, and the newest error. It changes a few times a run, not on every event."""
    rows = state.errors()
    counts = state.counts()
    shown = tuple(status for status in TASK_STATUSES if counts[status])
    ended = state.aborted.detail if state.aborted else None
    return (state.strategy, bool(state.tasks), shown, ended, rows[0] if rows else None)


def title_of(strategy: str, state: RunState) -> Text:
    """The panel's title: its strategy (a file's name: text, not markup), and the client
    its run fetched with when that is its style's second."""
    second = is_second_client(strategy, state.client)
    return Text(f"{strategy} · {state.client}" if second else strategy)


def panel_id(strategy: str) -> str:
    """A panel's id: its strategy's name as an id can spell it, one name to one id
    (threads′: panel-threads-2032-; a hyphen is escaped too)."""
    spelled = re.sub(r"[^\w]", lambda found: f"-{ord(found[0]):x}-", strategy, flags=re.ASCII)
    return f"panel-{spelled}"


class StrategyPanel(Vertical, can_focus=True):
    """A strategy's run, drawn from its RunState; focus it to run, stop or zoom it alone."""

    class NeedsChanged(Message):
        """What the panel must show changed how many rows it may need (its container
        looks again at which layout fits)."""

    def __init__(self, strategy: str, idea: str) -> None:
        super().__init__(id=panel_id(strategy), classes="strategy-panel")
        self.strategy = strategy
        self.idea = idea
        self.border_title = Text(strategy)  # a file's name: text, not markup (see title_of)
        self.state = RunState(strategy=strategy)
        self.now = 0.0
        self._needs: Needs | None = None
        self._rows = Rows()
        self._folded = -1  # the state's event count when the parts were last drawn
        self._shape: tuple[object, ...] = ()  # what sets the rows needed (see _shape_of)
        self._idea_wrapped: tuple[int, list[Text]] = (0, [])

    @property
    def palette(self) -> Palette:
        return palette_of(self)

    def compose(self) -> ComposeResult:
        self.summary = TextLine(classes="summary")
        self.summary.tooltip = Text(DOTS_LEGEND)
        self.idea_text = TextLine(classes="idea detail")
        self.times = TextLine(classes="times detail")
        self.progress = ProgressLine(classes="detail")
        self.timeline = Timeline(classes="detail")
        self.counts = TextLine(classes="counts detail")
        self.fates = FateTally(classes="detail")
        self.errors = TextLine(classes="errors detail")
        yield self.summary
        yield from (self.idea_text, self.times, self.progress, self.timeline, self.counts)
        yield from (self.fates, self.errors)

    def on_mount(self) -> None:
        # After the new theme's styles apply (a watch of `theme` runs before they do, and
        # its colours would be the old theme's).
        self.app.theme_changed_signal.subscribe(
            self, lambda _theme: self.show(self.state, self.now, repaint=True)
        )

    def watch_has_focus(self, _has_focus: bool) -> None:
        """Restyle the panel alone. Only its own border shows the focus (app.tcss has no
        rule for a part of a focused panel), but Textual restyles every part with it, and on
        a machine busy with eight runs that was most of what a focus move cost."""
        self.app.stylesheet.update_nodes([self])  # no transition to animate either

    def on_resize(self, event: Resize) -> None:
        self._needs = None  # the rows are shared out again for the new size
        self.show(self.state, self.now)

    def show(self, state: RunState, now: float, repaint: bool = False) -> None:
        """Redraw the parts that changed, from the state as of `now` seconds into the run.

        Between events only the clock moves: then only the times and the bars are looked at.
        Parts are repainted only when their text changed, and the rows are shared out again
        only when what the parts need changed: that keeps a 30 Hz tick cheap with eight runs.
        """
        same = state is self.state and state.folded == self._folded and not repaint
        self.state, self.now, self._folded = state, now, state.folded
        if repaint:
            for part in (self.summary, self.idea_text, self.times, self.counts, self.fates,
                         self.errors):  # fmt: skip
                part.forget()
            self.timeline.forget()
        if same and self._needs is not None and not self.summary.display:
            self.times.show_text(times(self.palette, state, now))
            self.timeline.show(state, now)
            return
        shape = _shape_of(state)
        if shape != self._shape:
            self._shape = shape
            self.post_message(self.NeedsChanged())
        if self.border_subtitle != state.status:  # setting it repaints the whole panel
            self.border_subtitle = state.status
        title = title_of(self.strategy, state)
        if self.border_title != title:
            self.border_title = title
        self.set_class(state.status in ("crashed", "killed"), "-failed")
        self.set_class(state.status == "running", "-running")
        width = self.content_size.width
        if self.summary.display:  # the narrow list's one line; the parts are hidden
            self.summary.show_text(summary_line(self.palette, state, width))
            if self.styles.min_height is not None:
                self.styles.min_height = None
                self._needs = None
            return
        if not width:
            return
        idea = self._idea_lines(width)
        counts = counts_lines(self.palette, state, width)
        errors = entries(self.palette, state, width, newest=1 + MORE_ERRORS)
        needs = _needs(idea, counts, errors)
        if needs != self._needs:
            self._share_rows(needs)
        rows = self._rows
        self.idea_text.show_lines(idea[: rows.idea])
        self.times.show_text(times(self.palette, state, now))
        done = state.counts()
        self.progress.show(done["ok"] + done["failed"], len(state.tasks))
        self.timeline.show(state, now)
        self.counts.show_lines(counts[: rows.counts])
        self.fates.show_lines(tally(self.palette, state.fates(), width, rows.tally))
        self.errors.show_lines(fit(self.palette, errors, rows.errors))

    def rows_needed(self, width: int) -> int:
        """The rows inside its border the panel needs at `width` (the content's) for what
        must show: its times, tally, newest error with who saw it, counts, a row of bars."""
        state = self.state
        counts = counts_lines(self.palette, state, width)
        errors = entries(self.palette, state, width, newest=1)
        return essential(_needs([], counts, errors)).total

    def _idea_lines(self, width: int) -> list[Text]:
        if self._idea_wrapped[0] != width:
            self._idea_wrapped = (width, list(Text(self.idea).wrap(self.app.console, width)))
        return self._idea_wrapped[1]

    def _share_rows(self, needs: Needs) -> None:
        self._needs = needs
        height = self.content_size.height
        rows = self._rows = allot(height, needs)
        parts = {
            "idea": self.idea_text, "times": self.times, "progress": self.progress,
            "timeline": self.timeline, "counts": self.counts, "tally": self.fates,
            "errors": self.errors,
        }  # fmt: skip
        for name, part in parts.items():
            part.styles.height = getattr(rows, name)
        # Too short for what must show: ask for the rows, and the panels' container scrolls.
        # (Textual lays the screen out again for any None given, changed or not.)
        min_height = essential(needs).total + 2 if rows.total > height else None
        if min_height is not None:
            self.styles.min_height = min_height
        elif self.styles.min_height is not None:
            self.styles.min_height = None
