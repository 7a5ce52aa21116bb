"""The asyncplay app: a live panel per strategy, side by side, and the keys to break things."""

from __future__ import annotations

import asyncio
import gc
import os
import shlex
import signal
import tempfile
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.geometry import Region
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Header, TextArea

from ..engine import claims_cache, lessons, scenarios
from ..engine.catalogue import CLIENTS, STRATEGIES, lesson_module
from ..engine.eventlog import EventLog
from ..engine.fold import RunState
from ..engine.labrunner import LabUpdate
from ..engine.playground import Playground
from ..engine.tour_runs import TourWalk
from ..engine.tours import load as load_tour
from ..engine.workload import FaultSpec, Scenario, build_plan
from . import settings
from .keys import KEYS
from .palette import PaletteSource
from .screens.claims import ClaimsScreen
from .screens.compare import CompareScreen
from .screens.fault_picker import FaultPicker
from .screens.help import HelpScreen
from .screens.long_run import Choice, LongRunQuestion
from .screens.quiet_focus import QuietFocusScreen
from .screens.scenario_picker import ScenarioPicker
from .screens.tour import TourScreen
from .screens.zoom import ZoomScreen
from .usage import EXIT_HUNG_UP, EXIT_TERMINATED
from .widgets.app_footer import AppFooter
from .widgets.panel_grid import PanelGrid
from .widgets.scenario_bar import ScenarioBar
from .widgets.strategy_panel import StrategyPanel

REDRAW_PER_SECOND = 30
# Run all asks first when the strategy that fetches one at a time would take longer.
ONE_AT_A_TIME = "sequential"
LONG_RUN_S = 600.0
# The garbage collector looks at new objects after this many more were made than freed
# (Python's default: 700). A frame makes thousands that live a frame or a few (strips, their
# caches); looked at every 700, they were old enough for the oldest generation before they
# died, and its collections, which walk every object of the runs, stopped the app for
# 100-200 ms some twenty times a run at 160x48 (bench/tui_load.py). Every 10,000, they die young.
YOUNG_OBJECTS_PER_COLLECTION = 10_000
# Below this width the scenario bar and the zoom stack their parts (HORIZONTAL_BREAKPOINTS'
# "-narrow"); how the panels are laid out is the panel grid's to choose (panel_grid.py).
NARROW_BELOW = 100
# Where the focus goes for each arrow key: (dx, dy).
DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
# The keys of the panels' screen that mean nothing on another screen.
PANELS_ONLY = {key.action for key in KEYS} - {"help", "quit"} | {"move", "focus_panels"}


class PanelsScreen(QuietFocusScreen[object]):
    """The panels' screen. Keys typed while the app starts are keys: nothing but a panel
    takes the focus by itself (Textual's default gives it to the first input, the tasks
    field, where `r` was typed as text)."""

    AUTO_FOCUS = "StrategyPanel"


class AsyncPlayApp(App[None]):
    """Eight ways to fetch the same pages, racing side by side."""

    CSS_PATH = "app.tcss"
    TITLE = "asyncplay"
    SUB_TITLE = "watch where each concurrency style puts your errors"
    # Short terminals give the header's row to the panels.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-medium"), (150, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    BINDINGS = [
        *(Binding(key.key, key.action, key.label, show=key.footer) for key in KEYS),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        *(Binding(name, f"move('{name}')", show=False) for name in DIRECTIONS),
    ]

    scenario: reactive[Scenario] = reactive(Scenario, init=False)
    """The scenario the next run uses: the bar shows it, the pickers replace it."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        replay: EventLog | None = None,
        save_folder: Path | None = None,
        start_server: bool = True,
        lab_updates: list[LabUpdate] | None = None,
        deadline_s: float | None = None,
        theme: str | None = None,
        tour: TourWalk | None = None,
    ) -> None:
        """`replay` shows a recorded log instead of an idle playground; `start_server=False`
        leaves the fault server to the first run (snapshot tests never start one);
        `lab_updates` is what the claims screen shows before it runs a lab (a recorded run);
        `deadline_s` kills a run that takes longer (by default, from its scenario);
        `theme` is this start's, in place of the one the user chose last; `tour` opens the
        app on a tour (a replay of one runs nothing: no server starts)."""
        super().__init__()
        saved, self.settings_problem = (None, "") if theme else settings.saved_theme()
        self.started_theme = theme or saved or self.theme
        self.theme = self.started_theme
        self.replay = replay
        self.tour = tour  # where the tour stands, kept while the panels are shown (t)
        replaying = replay is not None or (tour is not None and tour.recording is not None)
        self.start_server = start_server and not replaying
        first = replay.scenario if replay else scenario or scenarios.load(scenarios.FIRST)
        self.set_reactive(AsyncPlayApp.scenario, first)
        self.playground = (
            Playground.replaying(replay)
            if replay
            else Playground(first, lessons.own_lessons(), deadline_s)
        )
        self.playground.on_run_end = self._run_ended
        self.playground.session.on_server_restart = self._server_restarted
        self.save_folder = save_folder or Path.cwd()
        self.lab_updates = list(lab_updates or [])  # every lab run's updates, kept across visits
        # The last measurement kept in the cache, read at the first visit to the claims if
        # this session has none of its own; emptied once r has measured every lab again.
        self.last_lab_updates: list[LabUpdate] | None = None
        self.open_panel: StrategyPanel | None = None  # the narrow list's open one
        self._undrawn: set[str] = set()  # panels with news they have not drawn yet
        self.closing = False  # q was pressed: the app is stopping its runs to end
        self.crash: Exception | None = None  # the bug that ended the app, if one did
        self.crash_report: Path | None = None  # where its traceback was written
        self._gc_threshold: tuple[int, int, int] | None = None  # the collector's, as it was

    def get_default_screen(self) -> Screen[object]:
        """The panels' screen: a focus move there repaints two panels, not every one."""
        return PanelsScreen(id="_default")

    def compose(self) -> ComposeResult:
        source = PaletteSource()
        self.palette = source.palette
        yield source
        yield Header()
        yield ScenarioBar(self.scenario).data_bind(AsyncPlayApp.scenario)
        with PanelGrid():
            for lesson in self.playground.lessons.values():
                yield StrategyPanel(lesson.name, lesson.idea)
        yield AppFooter()

    def on_mount(self) -> None:
        self.panels = {panel.strategy: panel for panel in self.query(StrategyPanel)}
        for name, state in self.playground.states.items():
            self.panels[name].show(state, state.now)
        self.open_panel = self.query_one(StrategyPanel)
        self.watch(self.screen, "focused", self._focus_moved)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.settings_problem:
            self.notify(self.settings_problem, severity="warning")
        if self.replay:
            self.sub_title = "replaying a recorded log: r runs it live"
            if self.replay.note:  # read up to where it was cut, say
                self.notify(self.replay.note, severity="warning")
        if self.start_server:
            self.run_worker(self._start_server(), exclusive=True, group="server")
        if self.tour is not None:
            self.push_screen(TourScreen(self.tour))
        self.set_interval(1 / REDRAW_PER_SECOND, self._redraw)
        self.call_after_refresh(self._tune_garbage_collector)
        loop = asyncio.get_running_loop()
        # SIGTERM's default would end the process with the terminal in the app's screen mode.
        loop.add_signal_handler(signal.SIGTERM, self.exit, None, EXIT_TERMINATED)
        loop.add_signal_handler(signal.SIGHUP, lambda: self.run_worker(self._hung_up()))

    async def on_unmount(self) -> None:
        """However the app ends, no worker and no server outlives it."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(number)
        if self._gc_threshold is not None:  # as it was before the app (tests run many apps)
            gc.unfreeze()
            gc.set_threshold(*self._gc_threshold)
        await self.playground.close()

    def _remember_theme(self, theme: Theme) -> None:
        """A theme the user picked is the next start's too (one given by --theme is not)."""
        if theme.name != self.started_theme:
            self.started_theme = theme.name
            try:
                settings.save_theme(theme.name)
            except OSError as error:
                self.notify(f"the theme is not remembered: {error.strerror or error}",
                            severity="warning")  # fmt: skip

    def _tune_garbage_collector(self) -> None:
        """Once the first screen is drawn: what exists now lives as long as the app (Textual,
        the widgets, ~90,000 objects), so the collector stops walking it (`gc.freeze`), and
        it looks at young objects less often (YOUNG_OBJECTS_PER_COLLECTION)."""
        if self._gc_threshold is None:
            self._gc_threshold = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *self._gc_threshold[1:])

    async def _hung_up(self) -> None:
        """The terminal is gone: stop every run and the server, then leave at once. A normal
        exit would restore a terminal that no longer exists, and block writing to it."""
        await self.playground.close()
        os._exit(EXIT_HUNG_UP)

    async def _start_server(self) -> None:
        """Bring the fault server up before the first run asks for it; a failure is a
        notice (the next run will try again and say why in its panel), never a crash."""
        try:
            await self.playground.start_server()
        except Exception as error:
            self.notify(f"the fault server did not start: {error}", severity="error")

    def _redraw(self) -> None:
        """Draw the panels whose runs reported something since they were last drawn, and the
        running ones, whose clocks move on between events; and a zoom, if one is open.

        Panels a full screen covers (a zoom, the claims) are not drawn until they show again:
        drawing them cost a zoom of a big run a third of its time, unseen.
        """
        self._undrawn |= self.playground.changed
        self.playground.changed = set()
        now = time.monotonic()
        live = set(self.playground.running())
        covered = any(not isinstance(above, ModalScreen) for above in self.screen_stack[1:])
        with self.batch_update():  # one repaint for the whole tick
            if not covered:
                for name in self._undrawn | live:
                    state = self.playground.states[name]
                    clock = state.clock(now) if name in live else state.now
                    self.panels[name].show(state, clock)
                self._undrawn.clear()
            screen = self.screen_stack[-1] if self.screen_stack else None  # none: quitting
            if isinstance(screen, ZoomScreen):
                screen.follow(self.playground.states[screen.strategy], now)

    def _run_ended(self, strategy: str, state: RunState) -> None:
        # A run the user stopped is announced once, by the stop; this is for the surprises.
        if state.aborted and state.aborted.detail != "stopped":
            self.notify(f"{strategy}: {state.aborted.detail}", severity="warning")
        for warning in state.warnings:  # what the run left behind, ended with it
            self.notify(f"{strategy}: {warning}", severity="warning")

    def _server_restarted(self, reason: str) -> None:
        self.notify(f"{reason}; a new one was started for this run", severity="warning")

    def _focus_moved(self, focused: object) -> None:
        """The panel last focused stays open (in the narrow list) while the bar has focus."""
        if isinstance(focused, StrategyPanel):
            self.open_panel = focused
            self._mark_open()

    def _mark_open(self) -> None:
        # Only in the list, where it shows: a class change restyles a whole panel,
        # and on a machine busy with eight runs that is most of what a key press costs.
        # Restyled without CSS transitions (the panels have none): Textual's default path
        # builds and compares a second set of styles for every part, to animate them.
        if self.open_panel is not None and self.query_one(PanelGrid).layout_name == "list":
            for panel in self.panels.values():
                if panel.has_class("-open") != (panel is self.open_panel):
                    panel.set_class(panel is self.open_panel, "-open", update=False)
                    self.update_styles(panel, animate=False)

    def on_panel_grid_relaid(self, message: PanelGrid.Relaid) -> None:
        self._mark_open()
        if message.first and self.screen.focused is None:
            self.action_focus_panels()  # they could take no focus while unseen

    def action_focus_panels(self) -> None:
        """Back to the open panel."""
        (self.open_panel or self.query_one(StrategyPanel)).focus()

    def _focused_panel(self) -> StrategyPanel | None:
        nodes = self.focused.ancestors_with_self if self.focused else []
        return next((node for node in nodes if isinstance(node, StrategyPanel)), None)

    # Actions

    def action_run_all(self) -> None:
        """Every strategy; if the one-at-a-time one would take longer than LONG_RUN_S at
        the bar's scenario, ask first."""
        names = list(self.playground.lessons)
        idle = ONE_AT_A_TIME in names and ONE_AT_A_TIME not in self.playground.running()
        slow = ONE_AT_A_TIME if idle else None  # one running already is not asked about
        estimate = self.scenario.count * self.scenario.latency_ms / 1000  # cheap, a bound below
        if slow is None or estimate <= LONG_RUN_S or self.query_one(ScenarioBar).problem:
            self._run(names)
            return
        ideal_s = build_plan(self.scenario).ideal_s(1)
        if ideal_s <= LONG_RUN_S:
            self._run(names)
            return

        def answered(choice: Choice | None) -> None:
            if choice == "all":
                self._run(names)
            elif choice == "without":
                self._run([name for name in names if name != slow])

        self.push_screen(LongRunQuestion(slow, ideal_s, self.scenario.count), answered)

    def action_run_focused(self) -> None:
        panel = self._focused_panel()
        if panel is not None:
            self._run([panel.strategy])

    def _run(self, strategies: list[str]) -> None:
        """Run with the scenario in the bar, or say why not: a value typed there that is not
        valid is not silently replaced by the last good one."""
        bar = self.query_one(ScenarioBar)
        if bar.problem:
            self.notify(f"Fix the scenario first: {bar.problem}", severity="error")
            field = bar.first_invalid()
            if field is not None:
                field.focus()
            return
        started = self.playground.run(strategies, self.scenario)
        skipped = [self.playground.states[name].skipped for name in started]
        if len(strategies) == 1 and skipped and skipped[0]:  # its panel says it too
            self.notify(f"{strategies[0]} not run: {skipped[0]}. k changes the client.",
                        severity="warning")  # fmt: skip
        busy = [name for name in strategies if name not in started]
        if busy:  # left to finish: say so, and how to start again
            who, them = (f"{busy[0]} is", "it") if len(busy) == 1 else (
                f"{len(busy)} strategies are", "them")  # fmt: skip
            again = "enter" if len(strategies) == 1 else "r"
            self.notify(f"{who} still running: s stops {them}, then {again} runs again.")

    async def action_stop(self) -> None:
        stopped = await self.playground.stop()
        if stopped:
            self.notify(f"stopped {', '.join(stopped)}")
        else:
            self.notify("Nothing is running.")

    def action_pick_faults(self) -> None:
        def chosen(specs: tuple[FaultSpec, ...] | None) -> None:
            if specs is not None:
                self.scenario = self.scenario.with_overrides(faults=specs)

        self.push_screen(FaultPicker(self.scenario), chosen)

    def action_next_client(self) -> None:
        """The next HTTP client for the runs to come (the bar shows it)."""
        following = CLIENTS[(CLIENTS.index(self.scenario.client) + 1) % len(CLIENTS)]
        self.scenario = self.scenario.with_overrides(client=following)
        styles = [style for style in STRATEGIES if lesson_module(style, following) is not None]
        self.notify(f"client {following}: {', '.join(styles)}", timeout=3)

    def action_pick_scenario(self) -> None:
        def chosen(scenario: Scenario | None) -> None:
            if scenario is not None:
                self.scenario = scenario

        self.push_screen(ScenarioPicker(), chosen)

    def on_scenario_bar_changed(self, message: ScenarioBar.Changed) -> None:
        self.scenario = message.scenario

    def action_zoom(self) -> None:
        panel = self._focused_panel() or self.open_panel or self.query_one(StrategyPanel)
        name = panel.strategy
        playground = self.playground
        self.push_screen(ZoomScreen(playground.states[name], time.monotonic(),
                                    playground.lessons[name], playground.source(name)))  # fmt: skip

    async def on_zoom_screen_run_edited(self, message: ZoomScreen.RunEdited) -> None:
        """Run the user's edited lesson beside its original, both on the bar's scenario: its
        panel comes next to the original's the first time, and its run replaces the last."""
        lesson = lessons.from_path_unchecked(message.path)
        if self.playground.add(lesson):
            panel = StrategyPanel(lesson.name, lesson.idea)
            after = self.panels.get(lesson.original or "")
            await self.query_one("#panels").mount(panel, after=after)
            self.panels[lesson.name] = panel
            self._mark_open()
        if self.screen is message.zoom:
            self.pop_screen()
        names = [name for name in (lesson.original, lesson.name) if name is not None]
        running = [name for name in names if name in self.playground.running()]
        if running and not self.query_one(ScenarioBar).problem:
            await self.playground.stop(running)  # the new edit's run replaces the old one's
        self._run(names)
        self.panels[lesson.name].focus()

    def action_compare(self) -> None:
        states = list(self.playground.states.values())
        self.push_screen(CompareScreen(self.playground.scenario_of_runs, states))

    def action_claims(self) -> None:
        if self.last_lab_updates is None:
            self.last_lab_updates = []
            if not self.lab_updates:
                kept, problem = claims_cache.load()
                self.last_lab_updates += kept
                if problem:
                    self.notify(problem, severity="warning")
        self.push_screen(
            ClaimsScreen(self.lab_updates, self.playground.session, self.last_lab_updates)
        )

    def action_tour(self) -> None:
        """The tour, where it was left (the article's, from its title card, the first time)."""
        if self.tour is None:
            self.tour = TourWalk(load_tour())
        self.push_screen(TourScreen(self.tour))

    def action_save(self) -> None:
        if not any(self.playground.logs.values()):
            self.notify("Nothing to save yet: run something first.")
            return
        try:
            path = self.playground.save(self.save_folder)
        except OSError as error:
            self.notify(f"cannot save: {error.strerror or error}", severity="error")
            return
        self.notify(f"saved {path.name}: asyncplay replay {shlex.quote(str(path))}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_move(self, direction: str) -> None:
        """Focus the panel next to the focused one in that direction, as the layout draws
        them: a grid's row or column, the list's next or previous panel."""
        current = self._focused_panel()
        if current is None:
            self.query_one(StrategyPanel).focus()
            return
        dx, dy = DIRECTIONS[direction]
        here = current.virtual_region
        best: tuple[tuple[int, float], StrategyPanel] | None = None
        for panel in self.panels.values():
            there = panel.virtual_region
            ahead = _distance_ahead(here, there, dx, dy)
            if panel is current or ahead is None:
                continue
            aside = (
                abs(there.center[1] - here.center[1])
                if dx
                else abs(there.center[0] - here.center[0])
            )
            if best is None or (ahead, aside) < best[0]:
                best = ((ahead, aside), panel)
        if best is not None:
            best[1].focus()

    async def action_quit(self) -> None:
        self.closing = True
        await self.playground.close()
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The panels' keys act on the panels' screen alone, but for those another screen
        keeps (its PANEL_KEYS): on the claims, `f` opened the fault picker over them, and
        their footer offered keys of a screen not shown. Help and quit act everywhere.
        Once q is pressed, nothing acts.

        While the editor has the keys, ctrl+c copies (the TextArea's) instead of quitting,
        and the footer leaves out the keys that only type there (q, ?, enter)."""
        if self.closing:  # a key after q: a screen opened now would be taken down mid-mount
            return False
        screen = self.screen if self.screen_stack else None
        if action in PANELS_ONLY and screen is not None and screen is not self.screen_stack[0]:
            # A screen may keep some (the zoom: run all, and stop, to watch a run live).
            return action in getattr(screen, "PANEL_KEYS", ())
        typed = action in ("quit", "help", "run_focused")
        return not (typed and isinstance(self.focused, TextArea))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notice, never read as markup (whatever `markup` says): its words come from
        errors, lessons, logs and file names, and one `[/]` in them ended the app."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key in KEYS:
            if key.action != "quit":  # Textual's own palette has Quit
                display = self.get_key_display(Binding(key.key, key.action))
                action = getattr(self, f"action_{key.action}")
                yield SystemCommand(key.label, f"{key.help} ({display})", action)

    def _handle_exception(self, error: Exception) -> None:
        """A bug in the app ends it with status 1 and one line (cli.py prints it); the full
        traceback goes to a file, not over the user's terminal. (Textual's own handler,
        which this extends, would print a page of traceback with locals.)

        The app's own output failing is no bug: its web page was closed (or its terminal
        went) while a frame was being written. No one is left to read a report; it ends."""
        if _output_gone(error):
            self.exit()
            return
        with tempfile.NamedTemporaryFile(
            "w", prefix="asyncplay-crash-", suffix=".txt", delete=False
        ) as report:
            report.write("".join(traceback.format_exception(error)))
        self.crash_report = Path(report.name)
        self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()


def _output_gone(error: Exception) -> bool:
    """`error` is a write to the app's terminal or page failing because the other end has
    closed: raised from inside Textual's driver."""
    if not isinstance(error, BrokenPipeError | ConnectionResetError):
        return False
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    return bool(frames) and frames[-1].f_globals.get("__name__", "").startswith("textual.drivers")


def _distance_ahead(here: Region, there: Region, dx: int, dy: int) -> int | None:
    """How far `there` lies beyond `here` in the direction (dx, dy); None if it does not."""
    if dx > 0 and there.x >= here.right:
        return there.x - here.x
    if dx < 0 and there.right <= here.x:
        return here.x - there.x
    if dy > 0 and there.y >= here.bottom:
        return there.y - here.y
    if dy < 0 and there.bottom <= here.y:
        return here.y - there.y
    return None
