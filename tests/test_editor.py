"""Editing a lesson in the app, through the pilot: the zoom's `E` opens the user's copy, ctrl+r
runs it as a panel of its own beside the original, and a broken edit is a message, never a
crash. Real runs: the app's own fault server and workers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lessons_of_mine import (
    ASYNC_MAIN,
    ASYNC_MAIN_LINE,
    HANGS,
    IMPORT_ERROR,
    MAIN_OF_NOTHING,
    MAIN_OF_NOTHING_LINE,
    NO_MAIN,
    ORIGINAL_THREADS,
    QUEUE_FILLED,
    QUEUE_MADE,
    QUEUE_RERAISED,
    SYNTAX_ERROR,
    SYNTAX_ERROR_LINE,
    THREADS_FIXED,
)
from procs import children
from screen import screen_text
from test_app import SMALL
from test_cli import asyncplay
from textual.pilot import Pilot
from textual.widgets import TextArea
from waiting import until

from asyncplay.engine.eventlog import read
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.zoom import ZoomScreen
from asyncplay.tui.widgets.lesson_editor import LessonEditor
from asyncplay.tui.widgets.strategy_panel import StrategyPanel


def copy_path(home: Path) -> Path:
    return home / ".config" / "asyncplay" / "strategies" / "threads.py"


async def edit_and_run(pilot: Pilot[Any], text: str) -> TextArea:
    """From the panels: open threads' editor, put `text` in it, press ctrl+r."""
    area = await open_editor(pilot)
    area.load_text(text)
    await pilot.press("ctrl+r")
    return area


async def open_editor(pilot: Pilot[Any]) -> TextArea:
    """From the panels: focus threads, zoom, edit."""
    app = pilot.app
    app.query_one("#panel-threads").focus()
    await pilot.press("z", "E")
    await pilot.pause()
    assert isinstance(app.screen, ZoomScreen) and app.screen.editing
    area = app.screen.query_one(LessonEditor).text_area
    assert area.has_focus
    return area


def replace(area: TextArea, old: str, new: str) -> None:
    """Replace `old` in the editor's text by `new`, as an edit the user could undo."""
    text = area.text
    start = text.index(old)
    area.replace(new, _location(text, start), _location(text, start + len(old)))


def _location(text: str, index: int) -> tuple[int, int]:
    row = text.count("\n", 0, index)
    return row, index - (text.rfind("\n", 0, index) + 1)


def problem(app: AsyncPlayApp) -> str:
    return str(app.screen.query_one("#editor-problem").render())


def test_the_queue_fix_runs_beside_threads_and_its_fate_is_raised(
    home_of_its_own: Path,
) -> None:
    """Edit threads so that each thread queues its exception and the caller re-raises it,
    press ctrl+r: a threads′ panel comes next to threads, both run the scenario, and the
    handler bug that threads only logs is raised in threads′."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(160, 48)) as pilot:
            area = await open_editor(pilot)
            assert area.text == ORIGINAL_THREADS  # the copy is made when first saved
            assert not copy_path(home_of_its_own).exists()
            # The first line typed key by key, as a person would; the rest as edits.
            area.move_cursor((ORIGINAL_THREADS.splitlines().index("import threading"), 0))
            await pilot.press(*"import", "space", *"queue", "enter")
            for old, new in (QUEUE_MADE, QUEUE_FILLED, QUEUE_RERAISED):
                replace(area, old, new)
            assert area.text == THREADS_FIXED
            app.simulate_key("ctrl+r")  # twice, as a key held down sends it: one run
            app.simulate_key("ctrl+r")
            await pilot.pause()
            assert app.screen is app.screen_stack[0], "back on the panels"
            assert app.return_code is None
            assert copy_path(home_of_its_own).read_text() == THREADS_FIXED
            names = [panel.strategy for panel in app.query(StrategyPanel)]
            assert names[names.index("threads") + 1] == "threads′"
            await until(lambda: app.focused is app.panels["threads′"],
                        what=lambda: f"the focus on threads′, not {app.focused}")  # fmt: skip
            states = app.playground.states
            await until(lambda: states["threads"].over and states["threads′"].over,
                        what="threads and threads′ to end")  # fmt: skip
            assert states["threads"].fates()["logged"] == 1
            assert states["threads′"].fates()["raised"] == 1
            # The zoom of threads′ shows the source it ran, and marks the error's lines in it.
            await pilot.press("z")
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen) and app.screen.strategy == "threads′"
            assert "raise errors.get()" in app.screen.source
            assert "raised here" in str(app.screen.query_one("#legend").render())
            await pilot.press("escape", "q")

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("text", "said", "line"),
    [
        (SYNTAX_ERROR, f"syntax error, line {SYNTAX_ERROR_LINE}", SYNTAX_ERROR_LINE),
        (NO_MAIN, "no main(job)", None),
        (MAIN_OF_NOTHING, "main() cannot take the job", MAIN_OF_NOTHING_LINE),
        (ASYNC_MAIN, "main(job) is async", ASYNC_MAIN_LINE),
    ],
    ids=["syntax error", "no main", "main()", "async main"],
)
def test_an_edit_that_cannot_be_a_lesson_is_a_message_and_runs_nothing(
    text: str, said: str, line: int | None
) -> None:
    """ctrl+r on a broken edit: the editor stays, says what is wrong (a syntax error's line
    gets the cursor), nothing runs, and the app carries on."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(160, 48)) as pilot:
            area = await edit_and_run(pilot, text)
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen) and app.screen.editing
            assert said in problem(app)
            if line is not None:
                assert area.cursor_location[0] == line - 1
            assert "threads′" not in app.playground.states
            await pilot.press("escape", "escape")  # out of the editor, out of the zoom
            assert app.screen is app.screen_stack[0] and app.return_code is None

    asyncio.run(scenario())


# A run's deadline in the test of a lesson that hangs: the hang is killed at it, and the
# original's run of six 50 ms tasks, under the same deadline, must end long before it on
# a busy machine too (it takes about a second there; 3 s was once too short).
HANG_DEADLINE_S = 15


@pytest.mark.parametrize(
    ("text", "status", "detail", "shown_on_screen"),
    [
        (IMPORT_ERROR, "crashed", "ModuleNotFoundError: No module named", "ModuleNotFoundError"),
        (HANGS, "killed", f"no result after {HANG_DEADLINE_S} s; killed",
         f"no result after {HANG_DEADLINE_S} s"),
    ],
    ids=["import error", "hangs"],
)  # fmt: skip
def test_an_edit_that_fails_when_run_ends_its_own_panel_only(
    text: str, status: str, detail: str, shown_on_screen: str
) -> None:
    """An import that fails and a main that never returns both run, and end as a run does:
    crashed with the import's error, killed at the deadline. The original's run is done,
    the app carries on, and no worker is left."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL, deadline_s=HANG_DEADLINE_S)
        async with app.run_test(size=(160, 48)) as pilot:
            await edit_and_run(pilot, text)
            states = app.playground.states
            await until(lambda: "threads′" in states and states["threads′"].over,
                        what="threads′ to end")  # fmt: skip
            edited = states["threads′"]
            assert edited.status == status and edited.aborted is not None
            assert detail in edited.aborted.detail
            await until(lambda: states["threads"].over, what="threads to end")
            assert states["threads"].status == "done"
            await until(lambda: shown_on_screen in screen_text(app),
                        what=f"{shown_on_screen!r} on screen")  # fmt: skip
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def test_escape_keeps_the_edit_and_ctrl_o_brings_the_original_back(home_of_its_own: Path) -> None:
    """Looking makes no copy; escape leaves the editor with an edit saved; E opens it again
    as it was left; ctrl+o puts the original back, and ctrl+z undoes that; ctrl+c copies
    in the editor, it does not quit."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL, start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            area = await open_editor(pilot)
            await pilot.press("ctrl+s", "escape")
            assert not copy_path(home_of_its_own).exists(), "opened to look: no copy made"
            assert [notice.message for notice in app._notifications][-1:] == [
                "unchanged: no copy made yet"
            ]
            await pilot.press("E", "ctrl+c")
            assert app.return_code is None and isinstance(app.screen, ZoomScreen)
            area.load_text(THREADS_FIXED)
            await pilot.press("escape")
            assert isinstance(app.screen, ZoomScreen) and not app.screen.editing
            assert copy_path(home_of_its_own).read_text() == THREADS_FIXED
            await pilot.press("E")
            assert area.text == THREADS_FIXED
            await pilot.press("ctrl+o")
            assert area.text == ORIGINAL_THREADS
            await pilot.press("ctrl+z")
            assert area.text == THREADS_FIXED
            await pilot.press("t")  # a letter is typed while editing, not a tab switch
            assert area.text != THREADS_FIXED and app.screen.editing

    asyncio.run(scenario())


def test_running_again_replaces_the_run_still_going() -> None:
    """A copy that hangs is run; edited again (from its own zoom) and run again, its stuck
    run is stopped and the new one runs to its end: the fix, raised."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(160, 48)) as pilot:
            await edit_and_run(pilot, HANGS)
            states = app.playground.states
            await until(lambda: "threads′" in states and states["threads′"].pid is not None,
                        what="threads′'s worker started")  # fmt: skip
            stuck = states["threads′"]
            await pilot.press("z", "E")  # the focus is on threads′: its own zoom
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen) and app.screen.strategy == "threads′"
            app.screen.editor.text_area.load_text(THREADS_FIXED)
            await pilot.press("ctrl+r")
            await until(lambda: stuck.over, what="the stuck run stopped")
            assert stuck.status == "killed" and stuck.aborted is not None
            assert stuck.aborted.detail == "stopped"
            await until(lambda: states["threads′"] is not stuck and states["threads′"].over,
                        what="the new run of threads′ to end")  # fmt: skip
            assert states["threads′"].status == "done"
            assert states["threads′"].fates()["raised"] == 1
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def test_a_replayed_lesson_whose_file_is_gone_says_so_when_run(tmp_path: Path) -> None:
    """A log of a user's lesson opened where its file is not: its panel is there, and
    running it ends that run as crashed, saying why, without running anything else."""
    lesson = tmp_path / "mine.py"
    lesson.write_text(THREADS_FIXED)
    log = tmp_path / "mine.jsonl"
    recorded = asyncplay("run", "--strategy-file", str(lesson), "-n", "3", "--latency", "20",
                         "--record", str(log))  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr

    async def scenario() -> None:
        app = AsyncPlayApp(replay=read(log), start_server=False)
        async with app.run_test(size=(160, 48)) as pilot:
            assert app.playground.states["mine"].status == "done"
            app.panels["mine"].focus()
            await pilot.press("enter")
            state = app.playground.states
            await until(lambda: state["mine"].over and state["mine"].status != "done",
                        what="the replayed lesson's new run to end")  # fmt: skip
            assert state["mine"].status == "crashed" and state["mine"].aborted is not None
            assert "file is not here" in state["mine"].aborted.detail
            await pilot.press("q")

    asyncio.run(scenario())


def test_running_the_copy_unchanged_makes_it_and_runs_it(home_of_its_own: Path) -> None:
    """ctrl+r at once, nothing edited: the copy is made to be run, and runs as the original
    does (the handler bug logged in both)."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_editor(pilot)
            await pilot.press("ctrl+r")
            states = app.playground.states
            await until(lambda: "threads′" in states and states["threads′"].over,
                        what="threads′ to end")  # fmt: skip
            assert copy_path(home_of_its_own).read_text() == ORIGINAL_THREADS
            assert states["threads′"].status == "done"
            assert states["threads′"].fates()["logged"] == 1
            await pilot.press("q")

    asyncio.run(scenario())


EDITED = "def main(job):\n    for url in job.urls:\n        fetch(url)\n"


@pytest.mark.parametrize(
    ("at", "keys", "text", "cursor"),
    [
        # enter keeps the line's indentation...
        ((2, 18), ["enter", "x"], EDITED + "        x\n", (3, 9)),
        # ...adds a level after a colon...
        ((1, 24), ["enter", "x"], EDITED.replace(":\n        f", ":\n        x\n        f"),
         (2, 9)),
        ((0, 14), ["enter"], EDITED.replace(":\n", ":\n    \n", 1), (1, 4)),
        # ...and keeps none when the cursor is before the line's text (the line moves down).
        ((1, 0), ["enter"], EDITED.replace("\n", "\n\n", 1), (2, 0)),
        # backspace in an indentation removes one level, to the level below...
        ((2, 8), ["backspace"], EDITED.replace("        f", "    f"), (2, 4)),
        ((2, 8), ["backspace", "backspace"], EDITED.replace("        f", "f"), (2, 0)),
        # (from 6 of 8 spaces: the 2 past the level go, the 2 after the cursor stay)
        ((2, 6), ["backspace"], EDITED.replace("        f", "      f"), (2, 4)),
        # ...and one character elsewhere.
        ((2, 9), ["backspace"], EDITED.replace("fetch", "etch"), (2, 8)),
        ((2, 18), ["ctrl+home"], EDITED, (0, 0)),
        ((0, 3), ["ctrl+end"], EDITED, (3, 0)),
    ],
    ids=["enter keeps", "enter after a colon", "enter after def", "enter at column 0",
         "backspace a level", "backspace two levels", "backspace to the level",
         "backspace a character", "ctrl+home", "ctrl+end"],
)  # fmt: skip
def test_the_editor_indents_as_python_is_written(
    at: tuple[int, int], keys: list[str], text: str, cursor: tuple[int, int]
) -> None:
    """The keys a Python editor has: enter keeps the line's indentation and indents one
    level (4 spaces) after a `:`; backspace with only spaces before the cursor removes one
    level; ctrl+home and ctrl+end go to the ends of the file."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(120, 40)) as pilot:
            area = await open_editor(pilot)
            area.load_text(EDITED)
            area.move_cursor(at)
            await pilot.press(*keys)
            assert (area.text, area.cursor_location) == (text, cursor)
            assert isinstance(app.screen, ZoomScreen) and app.screen.editing
            await pilot.press("escape", "escape", "q")

    asyncio.run(scenario())
