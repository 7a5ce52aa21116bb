"""What a new user meets: the first screen makes the point, each screen's footer shows its
own keys (help and quit at every width), a key says why it did nothing, and a run of hours
is asked about first."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from procs import children
from screen import screen_text
from textual.pilot import Pilot
from waiting import until

from asyncplay.engine.catalogue import STRATEGIES
from asyncplay.engine.workload import Scenario
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.claims import ClaimsScreen
from asyncplay.tui.screens.fault_picker import FaultPicker
from asyncplay.tui.screens.help import HelpScreen
from asyncplay.tui.screens.long_run import LongRunQuestion
from asyncplay.tui.widgets.strategy_panel import DOTS_LEGEND


def footer(app: AsyncPlayApp) -> str:
    lines = screen_text(app).rstrip("\n").splitlines()
    return lines[-1] if lines else ""  # nothing drawn yet


def notices(app: AsyncPlayApp) -> list[str]:
    return [notice.message for notice in app._notifications]


def test_the_first_screen_injects_a_handler_bug_and_says_how_to_change_it() -> None:
    async def first() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: "faults: handler-bug" in screen_text(app), what="the faults")
            assert "client: httpx" in screen_text(app)
            assert "f or k to change them, o for another scenario" in screen_text(app)
            assert app.scenario.count == 50 and len(app.scenario.faults) == 1
            await pilot.press("q")

    asyncio.run(first())


@pytest.mark.parametrize("width", [60, 70, 80, 100, 110, 130, 160, 220])
def test_every_footer_keeps_help_and_quit_whole(width: int) -> None:
    """The panels', the claims' and the help's footers at each width: `? Help` and `q Quit`
    (or the screen's own way out) whole; the claims' shows enter, and not the panels' keys."""

    async def footers() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(width, 24)) as pilot:
            await until(lambda: "? Help" in footer(app) and "q Quit" in footer(app),
                        what=lambda: f"help and quit whole in {footer(app)!r}")  # fmt: skip
            if width >= 130:
                assert "l Claims" in footer(app)
            await pilot.press("l")
            await until(lambda: isinstance(app.screen, ClaimsScreen), what="the claims")
            await until(lambda: all(key in footer(app) for key in
                                    ("⏎ Run its labs", "esc Back", "? Help", "q Quit")),
                        what=lambda: f"the claims' own keys in {footer(app)!r}")  # fmt: skip
            for key in ("f Faults", "z Zoom", "c Compare", "o Scenario"):
                assert key not in footer(app), footer(app)
            await press(pilot, "f")  # the panels' key: nothing opens over the claims
            await pilot.pause()
            assert not isinstance(app.screen, FaultPicker)
            await press(pilot, "escape", "question_mark")
            await until(lambda: isinstance(app.screen, HelpScreen), what="help")
            await until(lambda: "Close" in footer(app), what=lambda: footer(app))
            await press(pilot, "escape", "q")

    asyncio.run(footers())


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        pilot.app.simulate_key(key)
        await pilot.pause(0)


def test_help_and_the_summary_lines_say_what_the_dots_are() -> None:
    async def legend() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            panel = app.query_one("#panel-threads")
            assert str(panel.summary.tooltip) == DOTS_LEGEND  # type: ignore[attr-defined]
            await pilot.press("question_mark")
            await until(lambda: isinstance(app.screen, HelpScreen), what="help")
            await pilot.press("end")  # the fates are help's last part
            await until(
                lambda: "●●●●●" in screen_text(app),
                what=lambda: f"the dots' legend in help:\n{screen_text(app)}",
            )
            await pilot.press("escape", "q")

    asyncio.run(legend())


@pytest.mark.slow
def test_r_on_a_running_strategy_says_it_runs_and_how_to_stop_it() -> None:
    long = Scenario(count=2, concurrency=1, latency_ms=30_000, timeout_s=40)

    async def again() -> None:
        app = AsyncPlayApp(scenario=long)
        async with app.run_test(size=(120, 40)) as pilot:
            app.query_one("#panel-threads").focus()
            await pilot.press("enter")
            state = app.playground.states["threads"]
            await until(lambda: state.pid is not None, what="threads' worker")
            await pilot.press("enter")
            await until(lambda: any("still running" in n for n in notices(app)),
                        what=lambda: f"a notice, not {notices(app)}")  # fmt: skip
            said = [n for n in notices(app) if "still running" in n][-1]
            assert said == "threads is still running: s stops it, then enter runs again."
            assert app.playground.states["threads"] is state  # the same run goes on
            await pilot.press("s", "q")

    asyncio.run(again())
    assert children() == set()


@pytest.mark.slow
def test_a_run_of_hours_is_asked_about_and_can_leave_sequential_out() -> None:
    hours = Scenario(count=4000, latency_ms=1000, timeout_s=5)  # sequential: 4,000 s at best

    async def ask() -> None:
        app = AsyncPlayApp(scenario=hours)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: app.focused is not None, what="the panels")
            await pilot.press("r")
            await until(lambda: isinstance(app.screen, LongRunQuestion), what="the question")
            assert "4,000 tasks would take at least 1.1 h" in screen_text(app)
            await pilot.press("escape")  # nothing runs
            await until(lambda: not isinstance(app.screen, LongRunQuestion), what="closed")
            assert not app.playground.running()
            await pilot.press("r")
            await until(lambda: isinstance(app.screen, LongRunQuestion), what="asked again")
            await pilot.press("w")  # all but sequential
            others = set(STRATEGIES) - {"sequential"}
            await until(lambda: set(app.playground.running()) == others,
                        what=lambda: f"all but sequential: {app.playground.running()}")  # fmt: skip
            await pilot.press("s")
            await until(lambda: not app.playground.running(), what="every run stopped")
            await pilot.press("q")

    asyncio.run(ask())
    assert children() == set()


def test_help_lists_each_client_with_the_styles_that_have_it() -> None:
    """Help's clients part says which styles each client runs, as the catalogue has them."""

    async def clients() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("question_mark")
            await until(lambda: isinstance(app.screen, HelpScreen), what="help")
            await pilot.press("end")  # the clients are near help's end, before the fates
            await until(
                lambda: "Clients (k)" in screen_text(app),
                what=lambda: f"the clients part of help:\n{screen_text(app)}",
            )
            text = " ".join(screen_text(app).split())
            assert "aiohttp asyncio, taskgroup" in text
            assert "requests sequential, threads, threadpool, gevent" in text
            assert "tornado callbacks: its framework's own, when httpx is picked" in text
            assert "At 10,000 requests with no client library" in text  # what to take from it
            await pilot.press("escape", "q")

    asyncio.run(clients())
