"""The zoom's tracebacks and output are wrapped to the pane: the end of a long line is on
screen, not past its right edge."""

from __future__ import annotations

import asyncio

from screen import cells, screen_rows, screen_text
from waiting import until

from asyncplay.engine.eventlog import EventLog
from asyncplay.engine.events import (
    ErrorSeen,
    Output,
    RunFinished,
    RunStarted,
    TaskFailed,
    TaskStarted,
)
from asyncplay.engine.workload import FaultSpec, Scenario
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.zoom import ZoomScreen

LONG_PATH = "/home/someone/" + "very-long-folder-name/" * 8 + "lesson.py"
LONG_WORDS = " ".join(f"word{index}" for index in range(60)) + " THE-END"


def long_lines_log() -> EventLog:
    traceback = (
        f'Traceback (most recent call last):\n  File "{LONG_PATH}", line 9\n'
        f"ValueError: {LONG_WORDS}\n"
    )
    events = [
        RunStarted(0.0, "threads", 1, 1, 1, 0.1, {0: "handler-bug"}, 0.0),
        TaskStarted(0.0, 0),
        Output(0.05, f"{LONG_WORDS}\n"),
        TaskFailed(0.1, 0, "ValueError", LONG_WORDS, traceback),
        ErrorSeen(0.1, 0, "raised", "main() raised", "ValueError", traceback),
        RunFinished(0.3, 0.3, 0.1, 1, 1, 2, 1000),
    ]
    return EventLog(Scenario(count=1, faults=(FaultSpec.parse("handler-bug@0"),)),
                    {"threads": events})  # fmt: skip


def joined(app: AsyncPlayApp, selector: str) -> str:
    """What the widget shows on screen, its rows joined: a folded word is whole again."""
    widget = app.screen.query_one(selector)
    return "".join(row.strip() for row in cells(screen_rows(app), widget.region))


def test_tracebacks_and_output_wrap_to_the_pane() -> None:
    async def zoom() -> None:
        app = AsyncPlayApp(replay=long_lines_log(), start_server=False)
        async with app.run_test(size=(100, 40)) as pilot:
            app.query_one("#panel-threads").focus()
            await pilot.press("z")
            await until(lambda: isinstance(app.screen, ZoomScreen), what="the zoom")
            await pilot.press("e")
            await until(lambda: "THE-END" in screen_text(app),
                        what=lambda: f"the traceback's end in\n{screen_text(app)}")  # fmt: skip
            await until(
                lambda: LONG_PATH in joined(app, "#traceback"),
                what=lambda: f"the whole path in {joined(app, '#traceback')!r}",
            )
            await pilot.press("o")
            await until(lambda: screen_text(app).count("THE-END") >= 1 and "word59" in
                        screen_text(app), what="the output's end")  # fmt: skip
            await pilot.press("escape", "q")

    asyncio.run(zoom())
