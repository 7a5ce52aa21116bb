"""One strategy's live panel: state, progress, timings, timing bars, fates and errors."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...engine.fold import RunState, TaskStatus
from .error_list import ErrorList
from .fate_tally import FateTally, tally_line
from .progress_line import ProgressLine
from .text_line import TextLine
from .timeline import Timeline

STATUS_STYLES = {
    "idle": "#8a8a8a",
    "running": "bold #d7af5f",
    "done": "bold #5fd75f",
    "crashed": "bold #ff5f5f",
    "killed": "bold #ff5f5f",
}


def times(state: RunState, now: float) -> Text:
    """`wall 1.31 s  ideal 0.20 s  ×6.5`, or why the run ended early."""
    if state.status == "idle":
        return Text("not run yet: r runs all, enter this one", style="#8a8a8a")
    if not state.tasks:
        return Text("starting the worker…", style="#8a8a8a")
    # A running clock shows tenths: it changes ten times a second, not on every tick.
    wall = f"{state.wall_s:.2f}" if state.over else f"{now:.1f}"
    text = Text(f"wall {wall} s  ideal ", no_wrap=True, overflow="ellipsis")
    text.append("▲", style="#5fafff")
    text.append(f"{state.ideal_s:.2f} s  ")
    if state.aborted:
        text.append(f"{state.status}: {state.aborted.detail}", style="#ff5f5f")
    elif state.ideal_s and state.whole_plan:  # only then does it compare with the ideal
        text.append(f"×{state.wall_s / state.ideal_s:.1f}", style="bold")
    return text


def counts_line(state: RunState, counts: Counter[TaskStatus]) -> Text:
    """`40 tasks: ok 34  failed 6`, with the in-between states while it runs."""
    text = Text(f"{len(state.tasks)} tasks: ", style="#8a8a8a")
    for status in ("ok", "failed", "running", "queued", "not_run"):
        if counts[status] or status in ("ok", "failed"):
            text.append(f"{status.replace('_', ' ')} {counts[status]}  ")
    return text


class StrategyPanel(Vertical, can_focus=True):
    """A strategy's run, drawn from its RunState; focus it to run, stop or zoom it alone."""

    def __init__(self, strategy: str, idea: str) -> None:
        super().__init__(id=f"panel-{strategy}", classes="strategy-panel")
        self.strategy = strategy
        self.idea = idea
        self.border_title = strategy
        self.state = RunState(strategy=strategy)

    def compose(self) -> ComposeResult:
        self.summary = TextLine(classes="summary")
        self.progress = ProgressLine(classes="detail")
        self.times = TextLine(classes="times detail")
        self.timeline = Timeline(classes="detail")
        self.counts = TextLine(classes="counts detail")
        self.fates = FateTally(classes="detail")
        self.errors = ErrorList(classes="detail")
        yield self.summary
        yield Static(self.idea, classes="idea detail")
        yield from (self.progress, self.times, self.timeline, self.counts, self.fates)
        yield self.errors

    def on_mount(self) -> None:
        self.show(self.state, self.state.now)

    def show(self, state: RunState, now: float) -> None:
        """Redraw the parts that changed, from the state as of `now` seconds into the run.

        Every part has a fixed height (app.tcss) and is repainted only when its text
        changed, without a layout pass: that keeps a 30 Hz tick cheap with eight runs.
        """
        self.state = state
        if self.border_subtitle != state.status:  # setting it repaints the whole panel
            self.border_subtitle = state.status
        self.set_class(state.status in ("crashed", "killed"), "-failed")
        self.set_class(state.status == "running", "-running")
        counts = state.counts()
        done = counts["ok"] + counts["failed"]
        self.progress.show(done, len(state.tasks))
        self.times.show_text(times(state, now))
        self.timeline.show(state, now)
        self.counts.show_text(counts_line(state, counts))
        self.fates.show(state)
        self.errors.show(state)
        summary = Text.assemble(
            (f"{self.strategy:<11}", "bold"),
            (f"{state.status:<8}", STATUS_STYLES[state.status]),
            f"{done:>4}/{len(state.tasks):<4} ",
            tally_line(state) if state.tasks else Text(""),
        )
        self.summary.show_text(summary)
