"""The claims screen driven through the pilot, running real labs in real processes."""

from __future__ import annotations

import asyncio

from procs import children
from screen import screen_text
from test_app import is_fault_server
from textual.widgets import OptionList
from waiting import until

from asyncplay.engine.claims import CLAIMS
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.claims import ClaimsScreen

SWALLOW = next(index for index, claim in enumerate(CLAIMS) if claim.id == "callbacks-swallow")


def test_enter_runs_the_claims_labs_and_its_verdict_appears_and_stays() -> None:
    """callbacks-swallow needs one fetch run: enter runs it, the badge and the detail show
    the verdict the rule gives, and the screen opened again still has it."""

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("l")
            await until(lambda: isinstance(app.screen, ClaimsScreen), what="the claims screen")
            app.screen.query_one(OptionList).highlighted = SWALLOW
            await pilot.pause()
            assert "not measured yet" in screen_text(app)
            await pilot.press("enter")
            await until(lambda: any(u.status == "done" for u in app.lab_updates),
                        what="the claim's lab to finish")  # fmt: skip
            await pilot.pause()
            assert [u.status for u in app.lab_updates] == ["running", "done"]
            verdict = CLAIMS[SWALLOW].judged({app.lab_updates[-1].variant:
                                              app.lab_updates[-1].numbers}).verdict  # fmt: skip
            assert verdict != "unmeasured"
            text = screen_text(app)
            assert f"{verdict:<7}callbacks-swallow" in text and "errors raised in callbacks" in text
            await pilot.press("escape", "l")
            await until(lambda: isinstance(app.screen, ClaimsScreen), what="the claims again")
            app.screen.query_one(OptionList).highlighted = SWALLOW
            await pilot.pause()
            assert "errors raised in callbacks" in screen_text(app)
        assert children() == set()

    asyncio.run(scenario())


def test_escape_stops_the_labs_and_leaves_no_process() -> None:
    """r starts every lab; a second r says they are running; escape ends them all (the
    app's fault server, which serves the labs' fetches, stays for the app's runs)."""

    def labs() -> set[int]:
        return {pid for pid in children() if not is_fault_server(pid)}

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("l")
            await until(lambda: isinstance(app.screen, ClaimsScreen), what="the claims screen")
            await pilot.press("r")
            await until(lambda: bool(labs()), what="a lab's process")
            await pilot.press("r")
            await until(lambda: any("running already" in n.message for n in app._notifications),
                        what="a notice that the labs are running")  # fmt: skip
            await pilot.press("escape")
            await until(lambda: app.screen is app.screen_stack[0], what="the panels again")
            # The labs' worker ends (cancelled with its screen), and only then can no lab
            # start: between two labs there is a moment with no process at all.
            await until(lambda: all(w.is_finished for w in app.workers if w.group == "labs"),
                        what="the labs' worker to end")  # fmt: skip
            assert labs() == set()  # the worker ended its lab before it ended
            assert app.return_code is None  # still running, nothing crashed
        assert children() == set()

    asyncio.run(scenario())
