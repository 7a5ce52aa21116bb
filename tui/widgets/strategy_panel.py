"""One strategy's live panel: state, progress, timings, timing bars, fates and errors."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from ...strategies.fold import RunState
from .error_list import ErrorList
from .fate_tally import FateTally, tally_line
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
    wall = state.wall_s if state.over else now
    text = Text(f"wall {wall:.2f} s  ideal ")
    text.append("▲", style="#5fafff")
    text.append(f"{state.ideal_s:.2f} s")
    if state.ideal_s and state.over:
        text.append("  ")
        text.append(f"×{state.wall_s / state.ideal_s:.1f}", style="bold")
    if state.aborted:
        text.append(f"\n{state.aborted.detail}", style="#ff5f5f")
    return text


def counts_line(state: RunState) -> Text:
    """`40 tasks: ok 34  failed 6`, with the in-between states while it runs."""
    counts = state.counts()
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
        yield Static(classes="summary")
        yield Static(self.idea, classes="idea detail")
        yield ProgressBar(show_eta=False, show_percentage=False, classes="detail")
        yield Static(classes="times detail")
        yield Timeline(classes="detail")
        yield Static(classes="counts detail")
        yield FateTally(classes="detail")
        yield ErrorList(classes="detail")

    def on_mount(self) -> None:
        self.show(self.state, self.state.now)

    def show(self, state: RunState, now: float) -> None:
        """Redraw every part from the state as of `now` seconds into the run; cheap enough
        for every tick of a live run."""
        self.state = state
        self.border_subtitle = state.status
        self.set_class(state.status in ("crashed", "killed"), "-failed")
        self.set_class(state.status == "running", "-running")
        done = sum(1 for task in state.tasks if task.ended is not None)
        self.query_one(ProgressBar).update(total=len(state.tasks) or None, progress=done)
        self.query_one(".times", Static).update(times(state, now))
        self.query_one(Timeline).show(state, now)
        self.query_one(".counts", Static).update(counts_line(state))
        self.query_one(FateTally).show(state)
        self.query_one(ErrorList).show(state)
        summary = Text.assemble(
            (f"{self.strategy:<11}", "bold"),
            (f"{state.status:<8}", STATUS_STYLES[state.status]),
            f"{done:>4}/{len(state.tasks):<4} ",
            tally_line(state) if state.tasks else Text(""),
        )
        self.query_one(".summary", Static).update(summary)
