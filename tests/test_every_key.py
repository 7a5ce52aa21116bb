"""Every key and every palette command, in every state, at every size, against real workers.

The states are idle, mid-run, killed, done and a replayed log; the sizes 80x24, 120x40,
160x48 and 200x60. After each key the test asserts what the screen holds (the dialog that
opened, its words and its footer), and back on the panels, that every panel shows its fate
tally and its newest error with who saw it. A crash fails the test (the pilot re-raises it).

One app per state walks every size (the terminal resized under it), so each state's real
runs are made once and shared by the four sizes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procs import children
from screen import panel_problems, screen_text
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from waiting import until

from asyncplay.engine.catalogue import STRATEGIES
from asyncplay.engine.eventlog import read
from asyncplay.engine.scenarios import builtin_names
from asyncplay.engine.workload import Fault, FaultSpec, Scenario
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.claims import ClaimsScreen
from asyncplay.tui.screens.compare import CompareScreen
from asyncplay.tui.screens.fault_picker import FaultPicker
from asyncplay.tui.screens.help import HelpScreen
from asyncplay.tui.screens.long_run import LongRunQuestion
from asyncplay.tui.screens.scenario_picker import ScenarioPicker
from asyncplay.tui.screens.tour import TourScreen
from asyncplay.tui.screens.zoom import ZoomScreen
from asyncplay.tui.widgets.panel_grid import PanelGrid

# A size of each layout the nine panels take (the keys' landings depend on the layout, not
# the size; the sizes between are test_every_size's): the list, two columns (48 rows: a
# run's panels need more than 40), three columns.
SIZES = [(80, 24), (100, 48), (155, 42)]
BUG = (FaultSpec.parse("handler-bug@2"),)
# Mid-run for as long as a walk of every size can take on a busy machine: 24 tasks of 30 s,
# one at a time (12 minutes: past the 10 that make run-all ask), and no fault. An error ends
# the styles that stop at the first one: at task 2 it ended four of them 80 s in (a walk took
# 208 s at load 20), and even last it ended trio's 30 s in: trio's scheduler reverses each
# batch of tasks half the time, on purpose, and under a limit of one task 23 went first
# (seen twice under two busy processes). The timeout leaves 14 s past each hold.
LONG = Scenario(count=24, concurrency=1, latency_ms=30_000, timeout_s=44)
SHORT = Scenario(count=6, latency_ms=50, timeout_s=1.0, faults=BUG)  # done in a second
LOG = Path(__file__).parent / "logs" / "errors.jsonl"
# From the first panel (sequential), where each arrow lands in each layout the sizes take.
ARROWS = {
    "list": {"down": "threads", "up": "sequential", "right": "sequential"},
    "columns-2": {"down": "threadpool", "right": "threads", "left": "sequential"},
    "columns-3": {"down": "gevent", "right": "threads", "left": "sequential"},
}


@dataclass(frozen=True)
class Opens:
    """A key that opens a screen, and what that screen must hold."""

    key: str
    label: str  # its command in the palette
    screen: type[Screen[Any]]
    words: Callable[[AsyncPlayApp], list[str]]


def zoom_words(app: AsyncPlayApp) -> list[str]:
    name = app.screen.strategy  # type: ignore[attr-defined]
    return [f"strategies/{name}.py", f"{name}: {app.playground.states[name].status}", "Back"]


def compare_words(app: AsyncPlayApp) -> list[str]:
    ran = [name for name, state in app.playground.states.items() if state.status != "idle"]
    return [*ran, "Back"] if ran else ["Nothing has run yet"]


OPENS = [
    Opens("f", "Faults", FaultPicker, lambda app: ["Inject faults", *Fault, "Apply", "Cancel"]),
    Opens("o", "Scenario", ScenarioPicker, lambda app: ["Open a scenario", *builtin_names()]),
    Opens("z", "Zoom", ZoomScreen, zoom_words),
    Opens("c", "Compare", CompareScreen, compare_words),
    Opens("l", "Claims", ClaimsScreen, lambda app: ["The article's claims", "one-at-a-time"]),
    Opens("question_mark", "Help", HelpScreen, lambda app: ["asyncplay help", "Keys", "Close"]),
    # The title card: nothing runs until →.
    Opens("t", "Tour", TourScreen, lambda app: ["Await the Future", "→ starts", "Leave"]),
]


def layout(app: AsyncPlayApp) -> str:
    return app.query_one(PanelGrid).layout_name


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys as the terminal sends them, each handled before the next. (Pilot.press
    also waits for the process to go idle after each key, up to two seconds: a live run,
    drawn thirty times a second, never lets it.)"""
    for key in keys:
        pilot.app.simulate_key(key)
        await pilot.pause(0)


async def on_panels(pilot: Pilot[Any], state: str) -> None:
    """Back on the panels: every panel shows its tally and its newest error."""
    app = pilot.app
    await until(lambda: app.screen is app.screen_stack[0], what=lambda: f"{state}: {app.screen}")

    def problems() -> list[str]:
        app._redraw()  # the tick's drawing, now: a live run may have moved on since the last
        return panel_problems(app)

    await until(lambda: not problems(), what=lambda: f"{state}: {problems()}")

    def footer() -> str:
        return screen_text(app).rstrip("\n").splitlines()[-1]

    await until(lambda: "Help" in footer() and "Quit" in footer(),
                what=lambda: f"{state}: the footer {footer()!r}")  # fmt: skip


async def through_palette(pilot: Pilot[Any], label: str) -> None:
    """ctrl+p, the command's name in the search (set at once: typing it a key at a time
    only tests Textual's input), enter the first command found."""
    app = pilot.app
    await press(pilot, "ctrl+p")
    await until(lambda: isinstance(app.screen, CommandPalette), what="the command palette")
    app.screen.query_one(CommandInput).value = label

    def found() -> bool:
        commands = app.screen.query_one(CommandList)
        first = commands.get_option_at_index(0) if commands.option_count else None
        return first is not None and str(first.prompt).startswith(label)

    await until(found, what=f"{label!r} first in the palette")
    await press(pilot, "enter")
    await until(lambda: not isinstance(app.screen, CommandPalette), what="the palette closed")


# The layouts each state's walk takes: the idle app every one; a live run the list (its
# one-line panels redraw thirty times a second) and three columns; each layout in two states
# at least. (Every layout in every state took a third of the suite's time on two cores.)
WALKS = {
    "idle": ["list", "columns-2", "columns-3"],
    "mid-run": ["list", "columns-3"],
    "stopped": ["columns-2"],
    "done": ["columns-2", "columns-3"],
    "replay": ["list"],
}


async def every_size(pilot: Pilot[Any], state: str) -> None:
    """The terminal at the size of each layout the state walks, and every key at each."""
    walked = []
    for width, height in (SIZES[list(ARROWS).index(name)] for name in WALKS[state]):
        await pilot.resize_terminal(width, height)
        await until(lambda: pilot.app.size == (width, height),  # noqa: B023 - awaited here
                    what=f"the app at {width}x{height}")  # fmt: skip
        walked.append(layout(pilot.app))  # type: ignore[arg-type]
        await every_key(pilot, f"{state} at {width}x{height}")
    assert walked == WALKS[state], f"{state}: the sizes took the layouts {walked}"


def test_each_layout_is_walked_in_two_states_at_least() -> None:
    walks = [name for names in WALKS.values() for name in names]
    assert all(walks.count(name) >= 2 for name in ARROWS), WALKS


async def every_key(pilot: Pilot[Any], state: str) -> None:
    """The keys that leave the runs as they are, and their palette commands."""
    app = pilot.app
    assert isinstance(app, AsyncPlayApp)
    app.query_one("#panel-sequential").focus()
    await on_panels(pilot, state)
    for opens in OPENS:
        for how in ("key", "palette"):
            await open_and_close(pilot, opens, how, state)
    for arrow, target in ARROWS[layout(app)].items():
        await move(pilot, arrow, target, state)
    app.query_one("#panel-sequential").focus()
    for how in ("key", "palette"):
        await save(pilot, how, state)


async def open_and_close(pilot: Pilot[Any], opens: Opens, how: str, state: str) -> None:
    """Open a screen by its key or its command; it shows its words; escape closes it."""
    app = pilot.app
    assert isinstance(app, AsyncPlayApp)
    if how == "key":
        await press(pilot, opens.key)
    else:
        await through_palette(pilot, opens.label)
    await until(lambda: isinstance(app.screen, opens.screen),
                what=lambda: f"{state}: {opens.label} by {how}, not {app.screen}")  # fmt: skip
    words = opens.words(app)
    await until(
        lambda: all(word in screen_text(app) for word in words),
        what=lambda: (
            f"{state}: {opens.label} by {how} to show {words}; it shows\n{screen_text(app)}"
        ),
    )
    if opens.screen is ZoomScreen:
        await xray_keys(pilot, f"{state}: {opens.label} by {how}")
        await editor_keys(pilot, f"{state}: {opens.label} by {how}")
    await press(pilot, "escape")
    await on_panels(pilot, f"{state}, after {opens.label} by {how}")


async def xray_keys(pilot: Pilot[Any], state: str) -> None:
    """The zoom's X-ray keys: step, step back, pause and back to live. With looks to show,
    a step pauses on one; without, a notice says there is none."""
    app = pilot.app
    zoom = app.screen
    assert isinstance(zoom, ZoomScreen)
    looks = len(zoom.state.samples)
    for key in ("full_stop", "full_stop", "comma"):
        await press(pilot, key)
        await until(
            lambda: ("paused" in screen_text(app)) == bool(looks),
            what=lambda key=key: (  # type: ignore[misc]
                f"{state}: {key} with {looks} looks; the zoom shows\n{screen_text(app)}"
            ),
        )
    await press(pilot, "space")  # back to live
    await until(lambda: "paused" not in screen_text(app), what=f"{state}: space back to live")


async def editor_keys(pilot: Pilot[Any], state: str) -> None:
    """The zoom's editor keys that run nothing: E opens the user's copy, a letter is typed
    into it and ctrl+s saves it there, ctrl+o puts the original back and escape leaves the
    editor with that saved; q is typed, not a quit."""
    app = pilot.app
    zoom = app.screen
    assert isinstance(zoom, ZoomScreen)
    area = zoom.editor.text_area
    await press(pilot, "E")
    await until(lambda: zoom.editing and area.has_focus, what=f"{state}: E opens the editor")
    path, original = zoom.editor.path, area.text
    assert path is not None
    await press(pilot, "q")
    await until(lambda: area.text == "q" + original, what=f"{state}: q typed")
    await press(pilot, "ctrl+s")
    await until(lambda: path.is_file() and path.read_text() == "q" + original,
                what=f"{state}: ctrl+s saves the copy")  # fmt: skip
    await press(pilot, "ctrl+o")
    await until(lambda: area.text == original, what=f"{state}: ctrl+o brings the original")
    await press(pilot, "escape")
    await until(lambda: not zoom.editing, what=f"{state}: escape leaves the editor")
    assert path.read_text() == original and app.return_code is None


async def move(pilot: Pilot[Any], arrow: str, target: str, state: str) -> None:
    """From the first panel, an arrow moves the focus to the panel on screen that way."""
    app = pilot.app
    first, panel = app.query_one("#panel-sequential"), app.query_one(f"#panel-{target}")
    first.focus()
    await until(lambda: app.focused is first, what=f"{state}: the focus on sequential")
    await press(pilot, arrow)
    await until(lambda: app.focused is panel, what=f"{state}: {arrow} to {target}")
    await on_panels(pilot, f"{state}, after {arrow}")


async def save(pilot: Pilot[Any], how: str, state: str) -> None:
    """ctrl+s, or its command: a log saved, or why not."""
    app = pilot.app
    assert isinstance(app, AsyncPlayApp)
    before = {id(notice) for notice in app._notifications}

    def new_notices() -> list[str]:
        return [notice.message for notice in app._notifications if id(notice) not in before]

    await (press(pilot, "ctrl+s") if how == "key" else through_palette(pilot, "Save log"))
    await until(lambda: bool(new_notices()), what=f"{state}: a notice after a save by {how}")
    ran = any(app.playground.logs.values())
    message = new_notices()[-1]
    assert message.startswith("saved asyncplay-" if ran else "Nothing to save yet"), message
    await on_panels(pilot, f"{state}, after save by {how}")


def ended(app: AsyncPlayApp) -> dict[str, object]:
    """Each run that is not running any more: how it ended, its newest error, its output's
    last lines (what a walk that finds a run ended too soon needs to say why)."""
    return {
        name: (state.status, state.aborted, state.errors()[:1], state.output[-3:])
        for name, state in app.playground.states.items()
        if name not in app.playground.running()
    }


def statuses(app: AsyncPlayApp) -> set[str]:
    return {state.status for state in app.playground.states.values()}


def test_every_key_idle(tmp_path: Path) -> None:
    """Nothing run yet: every key at every size; s has nothing to stop."""

    async def walk() -> None:
        app = AsyncPlayApp(scenario=LONG, save_folder=tmp_path, start_server=False)
        async with app.run_test(size=SIZES[0]) as pilot:
            await every_size(pilot, "idle")
            await press(pilot, "s")  # nothing to stop: a notice, still idle
            await on_panels(pilot, "idle, after s")
            assert statuses(app) == {"idle"}
            await press(pilot, "q")
        assert app.return_code in (None, 0)

    asyncio.run(walk())
    assert children() == set()


def test_every_key_mid_run_then_stopped(tmp_path: Path) -> None:
    """One strategy run from the palette, the others joining with r; every key at every
    size while all of them run; the Stop command, and every key at every size again."""

    async def walk() -> None:
        app = AsyncPlayApp(scenario=LONG, save_folder=tmp_path)
        async with app.run_test(size=SIZES[0]) as pilot:
            states = app.playground.states
            app.query_one("#panel-threads").focus()
            await through_palette(pilot, "Run this")  # one strategy, from the palette
            await until(lambda: states["threads"].pid is not None, what="threads' worker")
            await press(pilot, "r")  # the others join it; threads keeps running
            # Sequential would take 720 s: run all asks first, and enter runs them all.
            await until(lambda: isinstance(app.screen, LongRunQuestion), what="the question")
            await press(pilot, "enter")
            await until(lambda: all(state.pid is not None for state in states.values()),
                        what="every worker started")  # fmt: skip
            pids = {state.pid for state in states.values()}
            await every_size(pilot, "mid-run")
            assert len(app.playground.running()) == len(pids) == len(STRATEGIES), (
                f"the runs ended too soon: {ended(app)}"
            )
            await press(pilot, "enter", "r")  # already running: nothing new starts
            assert {state.pid for state in states.values()} == pids

            await through_palette(pilot, "Stop")
            await until(lambda: statuses(app) == {"killed"}, what="every run stopped")
            await every_size(pilot, "stopped")
            await press(pilot, "q")
        assert app.return_code in (None, 0)

    asyncio.run(walk())
    assert children() == set()


def test_every_key_done(tmp_path: Path) -> None:
    """Every run done: every key at every size; one strategy again alone with enter, then
    all again from the palette, each a new run."""

    async def walk() -> None:
        app = AsyncPlayApp(scenario=SHORT, save_folder=tmp_path)
        async with app.run_test(size=SIZES[0]) as pilot:
            await press(pilot, "r")
            await until(lambda: statuses(app) == {"done"}, what="every run done")
            await every_size(pilot, "done")
            app.query_one("#panel-asyncio").focus()
            await press(pilot, "enter")  # again, alone
            await until(lambda: app.playground.states["asyncio"].over, what="asyncio again")
            before = dict(app.playground.states)
            await through_palette(pilot, "Run all")  # new runs: new states, each done in turn
            await until(
                lambda: all(
                    state is not before[name] and state.status == "done"
                    for name, state in app.playground.states.items()
                ),
                what="every run done again",
            )
            await on_panels(pilot, "done again")
            await press(pilot, "q")
        assert app.return_code in (None, 0)

    asyncio.run(walk())
    assert children() == set()


def test_every_key_on_a_replayed_log(tmp_path: Path) -> None:
    """A recorded log at every size, then run live from it, stopped, and left with ctrl+c."""

    async def walk() -> None:
        app = AsyncPlayApp(replay=read(LOG), save_folder=tmp_path)
        async with app.run_test(size=SIZES[0]) as pilot:
            await every_size(pilot, "replay")
            await press(pilot, "r")  # the log's scenario, live
            await until(lambda: app.playground.states["sequential"].pid is not None,
                        what="sequential's worker")  # fmt: skip
            await press(pilot, "s")
            await until(lambda: not app.playground.running(), what="every run stopped")
            assert "killed" in statuses(app)
            await on_panels(pilot, "replay, run then stopped")
            await press(pilot, "ctrl+c")
        assert app.return_code in (None, 0)

    asyncio.run(walk())
    assert children() == set()
