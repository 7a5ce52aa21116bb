"""The X-ray's stepper under the zoom's source: which look is shown, paused or live, and who
is where in it.

"X-ray live, as of 1.25 s: line 22 ↔ 3 network (tasks 0, 1, 2) · line 34 ○ 1 waiting
(MainThread)".
The gutter shows how many workers are at each line; this says what they are, in words.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import Static

from ...engine.events import SPOT_STATES, Sampled, Spot
from ...engine.fold import RunState, by_line
from ..palette import Palette
from .lesson_source import XRAY_GLYPHS

NAMED = 4  # tasks (or workers of no task) named at a line; more are counted


def xray_text(palette: Palette, state: RunState, look: int | None) -> Text:
    """The X-ray's line for `state`, showing look number `look` (None: live)."""
    if state.xray.startswith("off"):
        return Text(f"X-ray {state.xray}.", style=palette.muted)
    if not state.samples:
        if state.status == "idle":
            why = "run this strategy to see where its tasks are, live."
        elif state.status == "running" and not state.xray:
            why = "its worker is starting."
        elif state.xray:
            why = "no look yet." if not state.over else "the run was over before its first look."
        else:
            why = "not in this log (recorded before the X-ray)."
        return Text(f"X-ray: {why}", style=palette.muted)
    if look is None and state.over:
        return Text(
            f"X-ray: {len(state.samples)} look{'' if len(state.samples) == 1 else 's'} "
            f"over {state.samples[-1].t:.2f} s. "
            "Step through them: . next, , back.",
            style=palette.muted,
        )
    index = len(state.samples) - 1 if look is None else look
    sample = state.samples[index]
    # A look is sent when something moved, so live, the newest is how things are since then.
    if look is None:
        heading = f"X-ray live, as of {sample.t:.2f} s: "
    else:
        heading = f"X-ray at {sample.t:.2f} s, look {index + 1} of {len(state.samples)}, paused: "
    text = Text(heading, style=palette.muted)
    lines = by_line(sample)
    if not lines:
        text.append("no worker in the lesson's code.", style=palette.muted)
    for number, (line, spots) in enumerate(sorted(lines.items())):
        if number:
            text.append(" · ", style=palette.faint)
        text.append_text(_at_line(palette, line, spots))
    return text


def _at_line(palette: Palette, line: int, spots: list[Spot]) -> Text:
    text = Text(f"line {line} ")
    counts = Counter(spot[3] for spot in spots)
    for number, each in enumerate(state for state in SPOT_STATES if counts[state]):
        if number:
            text.append(", ")
        style = palette.xray_style(each)
        text.append(f"{XRAY_GLYPHS[each]} {counts[each]} {each}", style=style)
    tasks = sorted(spot[1] for spot in spots if spot[1] is not None)
    workers = sorted({spot[0] for spot in spots if spot[1] is None})
    names = [f"task {tasks[0]}"] if len(tasks) == 1 else []
    if len(tasks) > 1:
        shown = ", ".join(map(str, tasks[:NAMED]))
        names.append(f"tasks {shown}" + (f" +{len(tasks) - NAMED}" if len(tasks) > NAMED else ""))
    names += workers[:NAMED] + ([f"+{len(workers) - NAMED}"] if len(workers) > NAMED else [])
    text.append(f" ({', '.join(names)})", style=palette.muted)
    return text


class XrayStepper(Static):
    """The X-ray's line, and which look it shows: the newest, live (`look` None), or one
    the user paused or stepped to. Redrawn only when the look shown or the run changes."""

    DEFAULT_CSS = "XrayStepper { height: auto; padding: 0 1; }"

    def __init__(self, palette: Palette) -> None:
        super().__init__(id="xray")
        self.palette = palette
        self.look: int | None = None  # the look shown; None: the newest, live
        self._state: RunState | None = None
        self._shown: tuple[object, ...] | None = None

    def show(self, state: RunState) -> Sampled | None:
        """Show `state` at the look in view (a new run goes back to live); returns the
        sample shown, for the gutter and the table (None when no look is shown: before the
        first, or live once the run is over)."""
        if state is not self._state:
            self._state, self.look = state, None
        sample = _sample_shown(state, self.look)
        key = (id(state), state.status, len(state.samples), self.look, self.app.theme)
        if key != self._shown:
            self._shown = key
            self.update(xray_text(self.palette, state, self.look))
        return sample

    def pause(self) -> bool:
        """Pause on the look in view, or go back to live; False (and a notice) when there is
        no look to pause on."""
        samples = self._state.samples if self._state else []
        if self.look is not None:
            self.look = None
        elif samples:
            self.look = len(samples) - 1
        else:
            self.notify("No X-ray look to pause on yet.", timeout=3)
            return False
        return True

    def step(self, by: int) -> bool:
        """Pause, and show the next look (or the one before); False (and a notice) when
        there is none to step through. A finished run steps from its first look, or back
        from its last; a live one from the newest."""
        state = self._state
        samples = state.samples if state else []
        if state is None or not samples:
            self.notify("No X-ray look to step through yet.", timeout=3)
            return False
        if self.look is None and state.over:
            self.look = 0 if by > 0 else len(samples) - 1
        elif self.look is None:  # from the newest look: there is no next one yet
            self.look = max(len(samples) - 1 + min(by, 0), 0)
        else:
            self.look = min(max(self.look + by, 0), len(samples) - 1)
        return True


def _sample_shown(state: RunState, look: int | None) -> Sampled | None:
    if not state.samples or (look is None and state.over):
        return None
    return state.samples[-1 if look is None else look]
