"""Text from a log, a lesson, a file name or an error is shown as it is, never read as
markup: a run of names, types, messages and output full of brackets, through every screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

from screen import screen_text
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
from asyncplay.tui.screens.compare import CompareScreen
from asyncplay.tui.screens.zoom import ZoomScreen

TYPE = "[/]Unicode[b]"  # a closing tag with nothing open: Rich raises MarkupError
WORDS = "[bold red]not bold[/] [link=x]"


def hostile_log(strategy: str) -> EventLog:
    events = [
        RunStarted(0.0, strategy, 1, 2, 2, 0.1, {0: "handler-bug"}, 0.0),
        TaskStarted(0.0, 0),
        TaskStarted(0.0, 1),
        Output(0.05, f"printed {WORDS}\n"),
        TaskFailed(0.1, 0, TYPE, WORDS, f"Traceback {WORDS}\n{TYPE}: {WORDS}\n"),
        ErrorSeen(0.1, 0, "raised", "main() raised", TYPE, f"Traceback {WORDS}"),
        TaskFailed(0.2, 1, TYPE, WORDS, ""),
        RunFinished(0.3, 0.3, 0.1, 1, 1, 2, 1000),
    ]
    scenario = Scenario(name="[/]", description=WORDS, count=2,
                        faults=(FaultSpec.parse("handler-bug@0"),))  # fmt: skip
    return EventLog(scenario, {strategy: events})


def test_brackets_in_every_text_are_shown_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "[/]saves[b]"  # a folder "[" and in it "]saves[b]"
    folder.mkdir(parents=True)

    async def scenario() -> None:
        app = AsyncPlayApp(replay=hostile_log("threads"), save_folder=folder, start_server=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await until(lambda: TYPE in screen_text(app), what="the error's type, as it is")
            app.query_one("#panel-threads").focus()
            await pilot.press("c")
            await until(lambda: isinstance(app.screen, CompareScreen), what="compare")
            await pilot.press("escape", "z")
            await until(lambda: isinstance(app.screen, ZoomScreen), what="the zoom")
            for tab, shows in (("e", TYPE), ("o", f"printed {WORDS}")):
                await pilot.press(tab)
                await until(lambda: shows in screen_text(app),  # noqa: B023 - awaited here
                            what=f"{shows!r} on the zoom's tab")  # fmt: skip
            await pilot.press("escape", "ctrl+s")
            await until(lambda: any(folder.glob("*.jsonl")), what="a log saved in the folder")
            saved = next(folder.glob("*.jsonl"))
            notices = [notice.message for notice in app._notifications]
            assert f"asyncplay replay '{saved}'" in notices[-1]  # quoted for the shell
            await pilot.press("o")
            await pilot.press("escape", "question_mark", "escape")
            await pilot.pause()
            assert app.return_code is None
            await pilot.press("q")

    asyncio.run(scenario())
