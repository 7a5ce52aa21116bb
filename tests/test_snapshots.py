"""Snapshot tests: the app drawn from fixed event logs, so every picture is the same each run.

The logs in tests/logs/ were recorded once from real runs (`asyncplay run --record`); the
view is a function of the log, so no worker, server or clock is involved here. A picture is
not enough on its own (a crashed app is a blank picture that passes forever): before each
picture the test asserts what the screen holds, and after it that the app did not crash.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from screen import panel_problems, screen_text
from test_tour_app import caption_whole
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea
from waiting import until

from asyncplay.engine.eventlog import EventLog, read
from asyncplay.engine.labrunner import LabUpdate
from asyncplay.engine.tour_runs import TourWalk, read_recording
from asyncplay.engine.tours import load as load_tour
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.claims import ClaimsScreen
from asyncplay.tui.screens.compare import CompareScreen
from asyncplay.tui.screens.fault_picker import FaultPicker
from asyncplay.tui.screens.help import HelpScreen
from asyncplay.tui.screens.tour import TourScreen
from asyncplay.tui.screens.zoom import ZoomScreen

LOGS = Path(__file__).parent / "logs"
SIZES = [(80, 24), (120, 40), (160, 48)]
IDS = [f"{width}x{height}" for width, height in SIZES]
Check = Callable[[Pilot[Any]], Awaitable[None]]


def make_app(log: str | None = None, until: float | None = None) -> AsyncPlayApp:
    """The app over a recorded log (cut at `until` seconds to show a run in flight); with
    no log, an idle playground whose claims screen holds a recorded claims run."""
    if log is None:
        return AsyncPlayApp(start_server=False, lab_updates=recorded_claims())
    recorded = read(LOGS / f"{log}.jsonl")
    if until is not None:
        recorded = EventLog(recorded.scenario, {
            name: [event for event in events if event.t <= until]
            for name, events in recorded.runs.items()
        })  # fmt: skip
    return AsyncPlayApp(replay=recorded, start_server=False)


def recorded_claims() -> list[LabUpdate]:
    """`asyncplay claims --record`, from a real run (tests/logs/claims.jsonl)."""
    lines = (LOGS / "claims.jsonl").read_text().splitlines()
    return [LabUpdate.from_json(line) for line in lines]


def before(*keys: str, screen: type[Screen[Any]] | None = None, shows: tuple[str, ...] = ()
           ) -> Check:  # fmt: skip
    """Press keys, then assert the screen: the dialog expected and its words, or on the
    panels, every tally and newest error; no blinking cursor in the picture."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await until(lambda: not app.query_one("#panels").has_class("-unfitted"),
                    what="the panels laid out for the terminal's size")  # fmt: skip
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()
        for field in app.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        if screen is None:
            assert app.screen is app.screen_stack[0]
            assert panel_problems(app) == []
        else:
            assert isinstance(app.screen, screen)
        text = screen_text(app)
        for words in shows:
            assert words in text, f"{words!r} not in\n{text}"

    return run_before


def snap(snap_compare: Any, app: AsyncPlayApp, size: tuple[int, int], check: Check) -> None:
    assert snap_compare(app, terminal_size=size, run_before=check)
    assert app.return_code in (None, 0), "the app crashed"


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_idle(snap_compare: Any, size: tuple[int, int]) -> None:
    """Before any run: the nine idle panels and the default scenario in the bar."""
    snap(snap_compare, make_app(), size, before(shows=("idle", "faults: handler-bug")))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_mid_run(snap_compare: Any, size: tuple[int, int]) -> None:
    """A third of a second in: bars in flight, some tasks done, no fates decided yet."""
    snap(snap_compare, make_app("errors", until=0.3), size, before(shows=("running",)))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_finished_with_errors(snap_compare: Any, size: tuple[int, int]) -> None:
    """After a run with a handler bug, 500s and a timeout: raised, returned, logged, lost,
    each panel with its newest error and who saw it."""
    shows = ("threading.excepthook" if size[0] >= 100 else "(excepthook)", "returned")
    snap(snap_compare, make_app("errors"), size, before(shows=shows))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_clean_run_bars(snap_compare: Any, size: tuple[int, int]) -> None:
    """A clean run of ten tasks: bars on the run's time axis, no errors."""
    snap(snap_compare, make_app("clean"), size, before(shows=("done",)))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_zoom(snap_compare: Any, size: tuple[int, int]) -> None:
    """Zoomed into threads: its source, with the line its newest error was raised at and
    left the lesson marked, beside every task of its run."""
    check = before("down" if size[0] < 100 else "right", "z", screen=ZoomScreen,
                   shows=("strategies/threads.py", "raised here", "threads: done"))  # fmt: skip
    snap(snap_compare, make_app("errors"), size, check)


def test_zoom_errors_tab(snap_compare: Any) -> None:
    """The errors of the zoomed callbacks run, with the first one's traceback, and its lines
    marked in the source: raised in the callback, left to Tornado's log."""
    keys = ("down", "right", "z", "e")  # callbacks: the middle of the grid's three by three
    check = before(*keys, screen=ZoomScreen, shows=("strategies/callbacks.py", "Errors 6"))
    snap(snap_compare, make_app("errors"), (160, 48), check)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_xray_live(snap_compare: Any, size: tuple[int, int]) -> None:
    """A second into the slow-motion run, zoomed into threads: the X-ray's gutter counts three
    threads at the line that waits for the response and the main thread at its join, and the
    line under the source says who they are."""
    keys = ("down" if size[0] < 100 else "right", "z")
    shows = ("X-ray live, as of 0.", "↔ 3 network", "(MainThread)")  # wrapped anywhere
    check = before(*keys, screen=ZoomScreen, shows=shows)
    snap(snap_compare, make_app("slow-motion", until=1.0), size, check)


def test_xray_paused_callbacks(snap_compare: Any) -> None:
    """The finished slow-motion run of callbacks, stepped back from its end: two requests
    wait on the network for on_response, the loop waits in start()."""
    keys = ("down", "right", "z", "comma", "comma")
    shows = ("paused", "2 network (tasks 0, 2)", "(MainThread)")
    check = before(*keys, screen=ZoomScreen, shows=shows)
    snap(snap_compare, make_app("slow-motion"), (160, 48), check)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_editor(snap_compare: Any, size: tuple[int, int]) -> None:
    """E in the zoom of threads: the user's copy in an editor, highlighted and numbered,
    where it lives in the title, and the editor's keys in the footer."""

    async def edit(pilot: Pilot[Any]) -> None:
        keys = ("down" if size[0] < 100 else "right", "z", "E")
        shows = ("editing ~/.config/asyncplay/strategies/threads.py", "Run it", "def main(")
        await before(*keys, screen=ZoomScreen, shows=shows)(pilot)
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.pause()

    snap(snap_compare, make_app("errors"), size, edit)


def test_editor_syntax_error(snap_compare: Any) -> None:
    """ctrl+r on an edit with a syntax error: the reason below the editor, the cursor on its
    line, and no run."""

    async def broken(pilot: Pilot[Any]) -> None:
        await before("right", "z", "E", screen=ZoomScreen)(pilot)
        area = pilot.app.screen.query_one(TextArea)
        area.cursor_blink = False
        area.load_text(area.text.replace("def main(job: Job)", "def main(job: Job", 1))
        await pilot.press("ctrl+r")
        await pilot.pause()
        text = screen_text(pilot.app)
        line = area.text.splitlines().index("def main(job: Job -> list[int | None]:") + 1
        assert f"✗ syntax error, line {line}: invalid syntax" in text, text
        assert area.cursor_location[0] == line - 1

    snap(snap_compare, make_app("errors"), (160, 48), broken)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_compare(snap_compare: Any, size: tuple[int, int]) -> None:
    """The comparison table of the recorded runs."""
    check = before("c", screen=CompareScreen, shows=("sequential", "×ideal"))
    snap(snap_compare, make_app("errors"), size, check)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_fault_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    """The fault picker over the recorded scenario's faults: ticked boxes told from empty
    ones, and its own footer."""
    check = before("f", screen=FaultPicker, shows=("Inject faults", "Apply", "Cancel"))
    snap(snap_compare, make_app("errors"), size, check)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    """Help: keys, styles, fates, and its own footer."""
    check = before("question_mark", screen=HelpScreen, shows=("asyncplay help", "Close"))
    snap(snap_compare, make_app(), size, check)


def test_light_theme(snap_compare: Any) -> None:
    """textual-light: borders, fates and bars legible on a light background."""

    async def light(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await before(shows=("threading.excepthook",))(pilot)

    snap(snap_compare, make_app("errors"), (160, 48), light)


def test_a_bad_value_is_refused_in_place(snap_compare: Any) -> None:
    """Typing a count of 0: the field is marked and the bar says why."""

    async def type_zero(pilot: Pilot[Any]) -> None:
        pilot.app.query_one("#field-count", Input).value = "0"
        await before(shows=("count must be 1 to 100,000, not 0",))(pilot)

    snap(snap_compare, make_app(), (160, 48), type_zero)


# For each size, a claim to highlight (presses of down from the first) and what it must show.
CLAIM_VIEWS = {
    (80, 24): (11, ("threads-not-free", "memory per waiter, KiB", "threads 10,000")),
    (120, 40): (10, ("context-switches", "share of each worker's switches", "threads filing")),
    (160, 48): (
        8,
        ("transfer-1 in transfer(): waits on a lock; holds source (checking)", "LoopExit"),
    ),
}


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_claims(snap_compare: Any, size: tuple[int, int]) -> None:
    """The claims from a recorded lab run: every badge (the claim the article does not make
    under its own heading), and one claim in full (a chart at two sizes, the deadlocked
    workers' positions at the third)."""
    downs, words = CLAIM_VIEWS[size]
    shows = ("The article's claims, measured", "one-at-a-time", "Beyond the article",
             "forgotten-tasks", *words)  # fmt: skip
    check = before("l", *["down"] * downs, screen=ClaimsScreen, shows=shows)
    snap(snap_compare, make_app(), size, check)


def test_claims_before_any_lab_ran(snap_compare: Any) -> None:
    """Nothing measured yet: every badge a dot, and the claim says how to measure it."""
    check = before("l", screen=ClaimsScreen, shows=("not measured yet: enter runs its labs",))
    snap(snap_compare, AsyncPlayApp(start_server=False), (120, 40), check)


def test_claims_light_theme(snap_compare: Any) -> None:
    """textual-light: the verdict badges and the source legible on a light background."""

    async def light(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await before("l", *["down"] * 8, screen=ClaimsScreen, shows=("LoopExit",))(pilot)

    snap(snap_compare, make_app(), (160, 48), light)


def tour_app(at: int) -> AsyncPlayApp:
    """The app on the built-in tour, replayed from tests/logs/tour.jsonl, at step `at`
    (-1: its title card)."""
    recording = read_recording((LOGS / "tour.jsonl").read_text(), ARTICLE, "tour.jsonl")
    return AsyncPlayApp(tour=TourWalk(ARTICLE, recording, at=at))


def _first(**kind: str) -> int:
    return next(index for index, step in enumerate(ARTICLE.steps)
                if all(getattr(step, key) == value for key, value in kind.items()))  # fmt: skip


ARTICLE = load_tour()
# A step of each kind the tour shows, the first of its kind in the built-in tour.
TOUR_STEPS = {
    "title-card": -1,
    "panels": _first(show="panels", claim=""),
    "zoom-error": _first(show="zoom", highlight="error"),
    "zoom-line": _first(show="zoom", highlight="line"),
    "zoom-xray": _first(show="zoom", highlight="xray"),
    "claims": _first(show="claims"),
}
TOUR_SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", TOUR_SIZES, ids=[f"{w}x{h}" for w, h in TOUR_SIZES])
@pytest.mark.parametrize("kind", TOUR_STEPS)
def test_tour(snap_compare: Any, kind: str, size: tuple[int, int]) -> None:
    """A step of each kind from a recorded tour, in the presenter's view: the caption whole
    (the recorded runs' own) above what the step points at; the title card lists the
    chapters and says the steps are a recording's."""
    at = TOUR_STEPS[kind]

    async def check(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await until(lambda: isinstance(app.screen, TourScreen), what="the tour")
        await pilot.pause()
        text = screen_text(app)
        if at < 0:
            assert ARTICLE.title in text and "→ plays the recorded steps" in text, text
            assert all(chapter in text for chapter, _ in ARTICLE.chapters()), text
            return
        step = ARTICLE.steps[at]
        ran = app.screen.walk.ran(at)
        assert step.title in text and caption_whole(text, ran.caption()), text
        if step.highlight == "xray":  # the look the caption tells of, paused on
            assert "paused" in text, text

    snap(snap_compare, tour_app(at), size, check)
