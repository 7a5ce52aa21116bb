"""The X-ray in the zoom, over a recorded slow-motion run: each style shows, look by look,
where its three tasks are, and the step keys move through the looks.

The recorded log is `asyncplay run --scenario slow-motion --record`: three tasks of one to
three seconds. The lines are found in each lesson by their text.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from screen import screen_text
from test_xray import WAITS, line_of
from textual.pilot import Pilot

from asyncplay.engine.catalogue import STRATEGIES
from asyncplay.engine.eventlog import read
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.zoom import ZoomScreen
from asyncplay.tui.widgets.lesson_source import LessonSource

LOGS = Path(__file__).parent / "logs"


def zoom_app(log: str = "slow-motion") -> AsyncPlayApp:
    return AsyncPlayApp(replay=read(LOGS / f"{log}.jsonl"), start_server=False)


async def zoom_into(pilot: Pilot[Any], strategy: str) -> ZoomScreen:
    pilot.app.query_one(f"#panel-{strategy}").focus()
    await pilot.press("z")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ZoomScreen)
    return pilot.app.screen


def xray_line(app: Any) -> str:
    return str(app.screen.query_one("#xray").render())


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_stepping_shows_each_task_where_it_waits(strategy: str) -> None:
    """Step through every look: in some look the gutter counts every task in flight at the
    line that waits for the response, and the X-ray line names them; the task table says
    where each one is."""
    wait_line = line_of(strategy, WAITS[strategy][0])
    expected = {0, 1, 2} if strategy != "sequential" else None

    async def walk() -> None:
        app = zoom_app()
        async with app.run_test(size=(160, 48)) as pilot:
            zoom = await zoom_into(pilot, strategy)
            looks = len(zoom.state.samples)
            assert looks >= 3 and f"{looks} looks over" in xray_line(app)
            seen_tasks: set[int] = set()
            for number in range(1, looks + 1):
                await pilot.press("full_stop")
                assert f"look {number} of {looks}, paused" in xray_line(app)
                spots = app.screen.query_one(LessonSource).spots.get(wait_line, [])
                tasks = {spot[1] for spot in spots if spot[3] == "network"}
                if expected is not None and tasks == expected:
                    assert f"line {wait_line} ↔ 3 network (tasks 0, 1, 2)" in xray_line(app)
                    assert f"{wait_line} network" in screen_text(app)  # the "where" column
                seen_tasks |= {task for task in tasks if task is not None}
                if expected is None:  # one at a time: never two at once
                    assert len(tasks) <= 1
            assert seen_tasks == {0, 1, 2}
            await pilot.press("full_stop")  # past the last look: it stays there
            assert f"look {looks} of {looks}" in xray_line(app)
            await pilot.press("comma")
            assert f"look {looks - 1} of {looks}" in xray_line(app)
            await pilot.press("space")  # back to live: the run is over, no look is shown
            assert "looks over" in xray_line(app)
            assert app.screen.query_one(LessonSource).spots == {}

    asyncio.run(walk())


def test_a_log_from_before_the_xray_says_so() -> None:
    """An old log has no looks: the X-ray line says so, and the step keys only tell why."""

    async def walk() -> None:
        app = zoom_app("errors")
        async with app.run_test(size=(120, 40)) as pilot:
            await zoom_into(pilot, "threads")
            assert "not in this log" in xray_line(app)
            for key in ("full_stop", "comma", "space"):
                await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ZoomScreen)
            messages = [notice.message for notice in app._notifications]
            assert any("No X-ray look" in message for message in messages), messages

    asyncio.run(walk())
