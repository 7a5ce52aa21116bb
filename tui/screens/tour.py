"""The tour: the article step by step, each step set up, run for real, and captioned from
what it measured (DESIGN.md, "Captions are measured too").

A title card first (nothing runs until → is pressed), then one step at a time: its runs in
the app's playground, side by side, or its claim's labs. The caption says what the article
expects only once the step's runs have ended, from their events (engine/tour_runs.py). A
step measured once is kept: ← shows it again as it was, r measures it again. A replay
(`asyncplay tour --replay FILE`) shows a recording's runs, and runs nothing.

Escape leaves the tour where it stands: the panels show the step's runs, the bar its
scenario, and `t` comes back to the same step.
"""

from __future__ import annotations

import asyncio
import time

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ...engine.catalogue import is_builtin_lesson, lesson_module, source_of
from ...engine.claims import CLAIMS_BY_ID
from ...engine.fold import RunState
from ...engine.labrunner import LabUpdate
from ...engine.labs import all_variants
from ...engine.scenarios import load as load_scenario
from ...engine.tour_runs import StepRun, TourWalk, printable
from ...engine.tours import Step
from ...engine.workload import Scenario
from ..palette import PALETTE_CLASSES, Palette
from ..widgets.app_footer import AppFooter
from ..widgets.strategy_panel import StrategyPanel
from ..widgets.tour_zoom import TourZoom
from .claims import Look, claim_detail
from .quiet_focus import QuietFocusScreen

MEASURING = "tour-step"  # the worker group of a step's measurement
REFRESH_S = 0.25  # a step's live runs are redrawn this often while they run
CHAPTER_KEYS = "1234567890"  # chapter 10 is 0


def step_scenario(step: Step) -> Scenario:
    """The scenario a run step runs (its client, if it names one)."""
    scenario = load_scenario(step.scenario)
    return scenario.with_overrides(client=step.client) if step.client else scenario


class TourScreen(QuietFocusScreen[None]):
    """One step of a tour, its caption above what it points at."""

    COMPONENT_CLASSES = PALETTE_CLASSES

    BINDINGS = [
        Binding("right", "next", "Next"),
        Binding("space", "next", "Next", show=False),
        Binding("left", "previous", "Back"),
        Binding("1", "chapter(1)", "Chapter", key_display="0-9"),
        *(Binding(key, f"chapter({number})", show=False)
          for number, key in enumerate(CHAPTER_KEYS, 1) if number > 1),
        Binding("r", "again", "Measure again"),
        Binding("full_stop", "xray_step(1)", "X-ray step", show=False),
        Binding("comma", "xray_step(-1)", "X-ray back", show=False),
        Binding("escape", "leave", "Leave"),
        Binding("up", "scroll_body(-1)", "Scroll up", show=False),
        Binding("down", "scroll_body(1)", "Scroll down", show=False),
    ]  # fmt: skip
    # Nothing takes the focus: a scrolling pane that had it took → and ← for its own.
    AUTO_FOCUS = None

    def __init__(self, walk: TourWalk) -> None:
        super().__init__()
        self.palette = Palette(self)
        self.walk = walk
        self.states: dict[str, RunState] = {}  # the shown step's runs, folded once
        self.updates: list[LabUpdate] = []  # the shown claims step's lab updates
        self._ready = False  # mounted: a step can be drawn
        self._moving = asyncio.Lock()

    def compose(self) -> ComposeResult:
        with Horizontal(id="tour-heading"):
            yield Static(id="tour-where")
            yield Static(id="tour-how")
        yield Static(id="tour-caption")
        yield Vertical(id="tour-body")
        yield AppFooter()

    async def on_mount(self) -> None:
        self.set_interval(REFRESH_S, self._follow)
        # After the new theme's styles apply (a watch of `theme` runs before they do).
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._draw())
        self._ready = self.app.screen is self  # not if escape was typed before the mount
        await self._go(self.walk.at)

    @property
    def measuring(self) -> bool:
        """A step's runs are under way (a worker just started is not running yet, but will:
        a burst of keys must not start a second)."""
        return any(worker.group == MEASURING and not worker.is_finished for worker in self.workers)

    @property
    def step(self) -> Step | None:
        at = self.walk.at
        return self.walk.tour.steps[at] if at >= 0 else None

    # Moving through the tour

    async def action_next(self) -> None:
        if self.measuring:
            self.notify("Still measuring: the caption comes when the runs end. "
                        "← or a chapter's number leaves this step.", timeout=4)  # fmt: skip
            return
        if self.walk.at + 1 >= len(self.walk.tour.steps):
            self.notify("That was the last step: escape leaves the tour, ← goes back.")
            return
        await self._go(self.walk.at + 1)

    async def action_previous(self) -> None:
        if self.walk.at >= 0:
            await self._go(self.walk.at - 1)

    async def action_chapter(self, number: int) -> None:
        chapters = self.walk.tour.chapters()
        if number > len(chapters):
            plural = "s" if len(chapters) != 1 else ""
            self.notify(f"This tour has {len(chapters)} chapter{plural}.", timeout=3)
            return
        await self._go(chapters[number - 1][1])

    async def action_again(self) -> None:
        step = self.step
        if step is None:
            self.notify("Nothing to measure here: → starts the tour.", timeout=3)
            return
        self.walk.kept.pop(self.walk.at, None)
        await self._go(self.walk.at)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A replay measures nothing: r is not offered."""
        return not (action == "again" and self.walk.recording is not None)

    def action_scroll_body(self, by: int) -> None:
        """The claim's detail, or the lesson's source, a line up or down."""
        for pane in self.query("#tour-claim-pane, #tour-source").results(VerticalScroll):
            pane.scroll_relative(y=by, animate=False)

    def action_xray_step(self, by: int) -> None:
        for zoom in self.query(TourZoom):
            zoom.step_xray(by)

    async def action_leave(self) -> None:
        """Back to the panels, showing this step's runs and its scenario."""
        self._ready = False  # taken down now: a step drawn after would find no widgets
        step, ran = self.step, self.walk.ran(self.walk.at)
        app = self.app
        playground = app.playground  # type: ignore[attr-defined]
        if step is not None and not step.is_claim:
            scenario = step_scenario(step)
            if ran is not None:
                playground.show_runs(ran.runs, scenario)
            app.scenario = scenario  # type: ignore[attr-defined]
            # The panels' screen gives the focus back to what it had when it resumes.
            panels = app.screen_stack[0]
            panels.set_focus(app.panels[step.focus])  # type: ignore[attr-defined]
        await app.pop_screen()

    async def _go(self, index: int) -> None:
        """Show step `index` (-1: the title card): as kept, or measured now.

        Keys typed as the tour opens are keys: before the screen is mounted, a key only moves
        where the tour stands, and the mount shows it. The app runs a key's action beside
        the screen's own handlers, so one step is drawn at a time (`_moving`)."""
        self.walk.at = index
        if not self._ready:
            return
        async with self._moving:
            await self._show(self.walk.at)

    async def _show(self, index: int) -> None:
        if self.measuring:
            await self._stop_measuring()
        if not self._ready:  # left while the runs stopped
            return
        step = self.step
        ran = self.walk.ran(index)
        self.states = ran.states() if ran is not None else {}
        self.updates = list(ran.updates) if ran is not None else []
        body = self.query_one("#tour-body")
        await body.remove_children()
        if step is not None:
            await body.mount(*self._body(step))
            if ran is None and self.walk.recording is None:
                self._measure(index, step)
        self._draw()

    def _body(self, step: Step) -> list[Static | Horizontal | TourZoom | VerticalScroll]:
        if step.is_claim:
            pane = VerticalScroll(Static(id="tour-claim"), id="tour-claim-pane")
            pane.can_focus = False
            return [pane]
        if step.show == "zoom":
            module = lesson_module(step.focus, step_scenario(step).client) or step.focus
            source = source_of(module) if is_builtin_lesson(module) else ""
            return [TourZoom(module, source, step.highlight)]
        lessons = self.app.playground.lessons  # type: ignore[attr-defined]
        panels = []
        for name in step.panels:
            panel = StrategyPanel(name, lessons[name].idea)
            panel.can_focus = False  # the tour's keys stay the tour's
            pointed = name == step.focus if step.highlight == "panel" else False
            panel.set_class(pointed, "-pointed")
            panel.set_class(not pointed and step.highlight == "panel", "-back")
            panels.append(panel)
        return [Horizontal(*panels, id="tour-panels")]

    # Measuring a step

    # A step that cannot run (its scenario file gone since the tour was read) says why; it
    # never takes the app down.
    @work(group=MEASURING, exclusive=True, exit_on_error=False)
    async def _measure(self, index: int, step: Step) -> None:
        """Run what `step` needs for real; keep it once it has ended."""
        app = self.app
        playground = app.playground  # type: ignore[attr-defined]
        ran = StepRun(step)
        await playground.stop()  # nothing else competes with the step for the CPU
        if step.is_claim:
            needed = set(CLAIMS_BY_ID[step.claim].needs)
            variants = [variant for variant in all_variants() if variant.key in needed]

            def update(update: LabUpdate) -> None:
                ran.updates.append(update)
                app.lab_updates.append(update)  # type: ignore[attr-defined]
                self.updates = list(ran.updates)
                self._draw()

            await playground.session.run_labs(variants, update)
        else:
            scenario = step_scenario(step)
            app.scenario = scenario  # type: ignore[attr-defined]
            playground.run(list(step.panels), scenario)
            self.states = {name: playground.states[name] for name in step.panels}
            self._draw()
            await playground.ended(list(step.panels))
            ran.runs = {name: list(playground.logs[name]) for name in step.panels}
        self.walk.kept[index] = ran
        if self.walk.at == index:
            self.states = ran.states()
            self._draw()

    async def _stop_measuring(self) -> None:
        """The step is left before its runs ended: they stop, and it is not kept."""
        self.workers.cancel_group(self, MEASURING)
        await self.app.playground.stop()  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == MEASURING and event.worker.is_finished:
            if event.state is WorkerState.ERROR:
                self.notify(f"The step did not run: {event.worker.error}", severity="error")
            self._draw()

    # Drawing

    def _follow(self) -> None:
        """While a step's runs run, their panels keep up with them."""
        if self.measuring and self.step is not None and not self.step.is_claim:
            self._draw_body()

    def _draw(self) -> None:
        if not self._ready or self not in self.app.screen_stack:  # left, or the app ending
            return
        try:
            self.query_one("#tour-where", Static).update(self._where())
            self.query_one("#tour-how", Static).update(self._how())
            self.query_one("#tour-caption", Static).update(self._caption())
            self.query_one("#tour-caption").set_class(self.step is None, "-title-card")
            self._draw_body()
        except NoMatches:  # the app is ending: a screen's widgets are taken down before it
            return

    def _where(self) -> Text:
        """Which step and chapter: the chapter's name is cut on a narrow screen, not `_how`."""
        walk, step = self.walk, self.step
        if step is None:
            return Text(walk.tour.title, style="bold")
        return Text.assemble(
            (f"step {walk.at + 1} of {len(walk.tour.steps)}  ·  ", self.palette.muted),
            (f"{walk.tour.chapter_of(walk.at)}/{len(walk.tour.chapters())} {step.chapter}", "bold"),
        )

    def _how(self) -> Text:
        """Live, or a replay and when and where it was recorded (whole, at every width)."""
        recording = self.walk.recording
        if recording is None:
            return Text("measured live", style=self.palette.muted)
        return Text(f"replay of {recording.when_where(longest_host=16)}", style="bold")

    def _caption(self) -> RenderableType:
        step = self.step
        if step is None:
            return self._title_card()
        title = Text(step.title, style="bold")
        ran = self.walk.ran(self.walk.at)
        if ran is None and self.walk.recording is not None:
            return Text.assemble(title, "\n", step.say, "\n",
                                 ("Not in this recording.", self.palette.muted))  # fmt: skip
        if ran is None:
            doing = (f"the labs of {step.claim}" if step.is_claim
                     else f"{', '.join(step.panels)} on {step.scenario}")  # fmt: skip
            state = "measuring" if self.measuring else "not measured"
            return Text.assemble(title, "\n", step.say, "\n",
                                 (f"{state}: {doing}…", self.palette.muted))  # fmt: skip
        finding = ran.finding()
        mark, verdict = {True: ("✓", "holds"), False: ("✗", "fails"), None: ("·", "unmeasured")}[
            finding.agrees
        ]
        return Text.assemble(
            title, "\n", (f"{mark} ", self.palette.verdict_style(verdict)), printable(ran.caption())
        )

    def _title_card(self) -> Text:
        tour = self.walk.tour
        text = Text.assemble((tour.title, "bold"), "\n", tour.description, "\n\n")
        for number, (chapter, _) in enumerate(tour.chapters(), 1):
            key = CHAPTER_KEYS[number - 1] if number <= len(CHAPTER_KEYS) else " "
            text.append(f"{key} ", style=self.palette.key_style)
            text.append(f"{chapter}\n")
        recording = self.walk.recording
        if recording is not None:
            text.append(f"A recording, {recording.said()}.\n")
            text.append("→ plays the recorded steps; nothing runs.", style=self.palette.muted)
        else:
            text.append("→ starts: each step runs for real, then says what it measured.",
                        style=self.palette.muted)  # fmt: skip
        return text

    def _draw_body(self) -> None:
        step = self.step
        if step is None:
            return
        if step.is_claim:
            for detail in self.query("#tour-claim").results(Static):
                width = detail.content_size.width or 60
                look = Look(self.palette, width, self.app.current_theme.dark)
                detail.update(claim_detail(step.claim, self.updates, look))
            return
        now = time.monotonic()
        states = [self.states[name] for name in step.panels if name in self.states]
        for zoom in self.query(TourZoom):
            focus = self.states.get(step.focus)
            if focus is not None:
                zoom.show(focus, [state for state in states if state is not focus])
        for panel in self.query(StrategyPanel):
            state = self.states.get(panel.strategy)
            if state is not None:
                panel.show(state, state.clock(now) if not state.over else state.now)
