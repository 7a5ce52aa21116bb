"""The asyncplay app: a live panel per strategy, side by side, and the keys to break things."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Header

from ..engine.eventlog import EventLog
from ..engine.workload import FaultSpec, Scenario
from ..strategies import STRATEGIES
from .playground import Playground
from .screens.compare import CompareScreen
from .screens.fault_picker import FaultPicker
from .screens.help import HelpScreen
from .screens.scenario_picker import ScenarioPicker
from .screens.zoom import ZoomScreen
from .widgets.app_footer import AppFooter
from .widgets.scenario_bar import ScenarioBar
from .widgets.strategy_panel import StrategyPanel

REDRAW_PER_SECOND = 30


class AsyncPlayApp(App[None]):
    """Eight ways to fetch the same pages, racing side by side."""

    CSS_PATH = "app.tcss"
    TITLE = "asyncplay"
    SUB_TITLE = "watch where each concurrency style puts your errors"
    # Wide terminals get the grid, middling ones two columns, narrow ones a list.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (150, "-wide")]

    BINDINGS = [
        Binding("r", "run_all", "Run all"),
        Binding("enter", "run_focused", "Run this"),
        Binding("s", "stop", "Stop"),
        Binding("f", "pick_faults", "Faults"),
        Binding("o", "pick_scenario", "Scenario"),
        Binding("z", "zoom", "Zoom"),
        Binding("c", "compare", "Compare"),
        Binding("ctrl+s", "save", "Save log"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("left,up", "focus_previous", "Previous", show=False),
        Binding("right,down", "focus_next", "Next", show=False),
    ]

    def __init__(
        self,
        scenario: Scenario | None = None,
        replay: EventLog | None = None,
        save_folder: Path | None = None,
        start_server: bool = True,
    ) -> None:
        """`replay` shows a recorded log instead of an idle playground; `start_server=False`
        leaves the fault server to the first run (snapshot tests never start one)."""
        super().__init__()
        self.replay = replay
        self.start_server = start_server and replay is None
        self.playground = (
            Playground.replaying(replay) if replay else Playground(scenario or Scenario())
        )
        self.playground.on_run_end = self._run_ended
        self.save_folder = save_folder or Path.cwd()

    def compose(self) -> ComposeResult:
        yield Header()
        yield ScenarioBar(self.playground.scenario)
        with Container(id="panels"):
            for name, idea in STRATEGIES.items():
                yield StrategyPanel(name, idea)
        yield AppFooter()

    def on_mount(self) -> None:
        self.panels = {panel.strategy: panel for panel in self.query(StrategyPanel)}
        for name, state in self.playground.states.items():
            self.panels[name].show(state, state.now)
        self.query_one(StrategyPanel).focus()
        if self.replay:
            self.sub_title = "replaying a recorded log: r runs it live"
        if self.start_server:
            self.run_worker(self._start_server(), exclusive=True, group="server")
        self.set_interval(1 / REDRAW_PER_SECOND, self._redraw)

    async def _start_server(self) -> None:
        """Bring the fault server up before the first run asks for it; a failure is a
        notice (the next run will try again and say why in its panel), never a crash."""
        try:
            await self.playground.start_server()
        except Exception as error:
            self.notify(f"the fault server did not start: {error}", severity="error")

    def _redraw(self) -> None:
        """Draw the panels whose runs reported something since the last tick, and the running
        ones, whose clocks move on between events."""
        changed, self.playground.changed = self.playground.changed, set()
        now = time.monotonic()
        live = set(self.playground.running())
        with self.batch_update():  # one repaint for the whole tick
            for name in changed | live:
                state = self.playground.states[name]
                clock = state.clock(now) if name in live else state.now
                self.panels[name].show(state, clock)

    def _run_ended(self, strategy: str) -> None:
        state = self.playground.states[strategy]
        # A run the user stopped is announced once, by the stop; this is for the surprises.
        if state.aborted and state.aborted.detail != "stopped":
            self.notify(f"{strategy}: {state.aborted.detail}", severity="warning")

    def _focused_panel(self) -> StrategyPanel | None:
        nodes = self.focused.ancestors_with_self if self.focused else []
        return next((node for node in nodes if isinstance(node, StrategyPanel)), None)

    # Actions

    def action_run_all(self) -> None:
        self.playground.run(list(STRATEGIES))

    def action_run_focused(self) -> None:
        panel = self._focused_panel()
        if panel is not None:
            self.playground.run([panel.strategy])

    async def action_stop(self) -> None:
        running = self.playground.running()
        await self.playground.stop()
        if running:
            self.notify(f"stopped {', '.join(running)}")

    def action_pick_faults(self) -> None:
        def chosen(specs: tuple[FaultSpec, ...] | None) -> None:
            if specs is not None:
                self._use(self.playground.scenario.with_overrides(faults=specs))

        self.push_screen(FaultPicker(self.playground.scenario), chosen)

    def action_pick_scenario(self) -> None:
        def chosen(scenario: Scenario | None) -> None:
            if scenario is not None:
                self._use(scenario)

        self.push_screen(ScenarioPicker(), chosen)

    def _use(self, scenario: Scenario) -> None:
        self.playground.scenario = scenario
        self.query_one(ScenarioBar).show(scenario)

    def on_scenario_bar_changed(self, message: ScenarioBar.Changed) -> None:
        self.playground.scenario = message.scenario

    def action_zoom(self) -> None:
        panel = self._focused_panel()
        if panel is not None:
            self.push_screen(ZoomScreen(self.playground.states[panel.strategy]))

    def action_compare(self) -> None:
        states = list(self.playground.states.values())
        self.push_screen(CompareScreen(self.playground.scenario_of_run, states))

    def action_save(self) -> None:
        if not any(self.playground.logs.values()):
            self.notify("Nothing to save yet: run something first.")
            return
        try:
            path = self.playground.save(self.save_folder)
        except OSError as error:
            self.notify(f"cannot save: {error.strerror}", severity="error")
            return
        self.notify(f"saved {path.name}: asyncplay replay {path}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        await self.playground.close()
        self.exit()

    async def on_unmount(self) -> None:
        """However the app ends, no worker and no server outlives it."""
        await self.playground.close()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.show and binding.action != "quit":
                action = getattr(self, f"action_{binding.action}")
                yield SystemCommand(binding.description, f"key: {binding.key}", action)
