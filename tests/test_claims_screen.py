"""The claims screen driven through the pilot, running real labs in real processes."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from procs import children
from screen import screen_text
from test_app import is_fault_server
from test_claims_cache import ENDED, MEASURED
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from waiting import until

from asyncplay.engine import claims_cache
from asyncplay.engine.claims import CLAIMS, CLAIMS_BY_ID
from asyncplay.engine.labrunner import measured_from
from asyncplay.engine.labs import all_variants
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens import claims as claims_screen
from asyncplay.tui.screens.claims import ClaimsScreen

SWALLOW = "callbacks-swallow"


async def open_claims(pilot: Pilot[None]) -> None:
    await pilot.press("l")
    await until(lambda: isinstance(pilot.app.screen, ClaimsScreen), what="the claims screen")
    await pilot.pause()


def highlight(app: AsyncPlayApp, claim_id: str) -> None:
    listing = app.screen.query_one(OptionList)
    listing.highlighted = listing.get_option_index(claim_id)


def test_enter_runs_the_claims_labs_and_its_verdict_appears_and_stays() -> None:
    """callbacks-swallow needs one fetch run: enter runs it, the badge and the detail show
    the verdict the rule gives, and the screen opened again still has it."""

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(pilot)
            highlight(app, SWALLOW)
            await pilot.pause()
            assert "not measured yet" in screen_text(app)
            await pilot.press("enter")
            await until(lambda: any(u.status == "done" for u in app.lab_updates),
                        what="the claim's lab to finish")  # fmt: skip
            await pilot.pause()
            assert [u.status for u in app.lab_updates] == ["running", "done"]
            last = app.lab_updates[-1]
            verdict = CLAIMS_BY_ID[SWALLOW].judged({last.variant: last.numbers}).verdict
            assert verdict != "unmeasured"
            text = screen_text(app)
            assert f"{verdict:<7}callbacks-swallow" in text and "errors raised in callbacks" in text
            await pilot.press("escape", "l")
            await until(lambda: isinstance(app.screen, ClaimsScreen), what="the claims again")
            highlight(app, SWALLOW)
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
            await open_claims(pilot)
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
        assert not claims_cache.cache_file().exists()  # stopped: no measurement to keep

    asyncio.run(scenario())


@pytest.fixture
def in_utc() -> Iterator[None]:
    """Times shown in UTC, whatever the machine's zone (and its zone again after)."""
    zone = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if zone is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = zone
    time.tzset()


def title(app: AsyncPlayApp) -> str:
    return str(app.screen.query_one("#claims-title", Static).content)


def test_the_screen_opens_with_the_last_measurement_marked_as_such(
    in_utc: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A measurement kept in the cache ($XDG_CACHE_HOME's; 2026-12-03 12:00 UTC, on Python
    3.11.7 at a load of 1.8): each badge is its verdict, the title says when and on what it
    was measured, and the claim's detail what its own variants ran on; the claim the article
    does not make is listed apart, under its heading."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert claims_cache.save(MEASURED).parent == tmp_path / "asyncplay"
    measured = measured_from(ENDED)

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(pilot)
            assert title(app) == (
                "Last measured 2026-12-03 12:00, Python 3.11.7, load 1.8 — r measures again"
            )
            text = screen_text(app)
            for claim in CLAIMS:
                verdict = claim.judged(measured).verdict
                assert f"{verdict:<7}{claim.id}" in text, claim.id
            assert "measured 2026-12-03 12:00, Python 3.11.7, load 1.8" in text
            last_of_the_article = max(text.index(c.id) for c in CLAIMS if c.in_article)
            heading = text.index("Beyond the article")
            assert last_of_the_article < heading < text.index("forgotten-tasks")
            assert not app._notifications
        assert children() == set()

    asyncio.run(scenario())


def test_a_cache_that_is_not_a_measurement_is_said_and_nothing_is_shown() -> None:
    """Markup where the header should be: one notice naming the file, and every claim
    unmeasured, as if nothing had been kept."""
    path = claims_cache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_text("[bold red]not[/] a measurement\n")

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(pilot)
            assert "not measured yet: enter runs its labs" in screen_text(app)
            assert title(app).startswith("The article's claims, measured.")
            (notice,) = [n.message for n in app._notifications]
            assert notice.startswith(f"{path} is not JSON lines") and "ignored" in notice
            assert app.return_code is None

    asyncio.run(scenario())


def test_r_measures_again_and_keeps_it_for_the_next_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over a kept measurement, r runs every lab (here one: the labs are cut to the cheapest
    variant); once done, the screen shows this session's measurement alone, and the cache
    holds it for the next start, which opens with it."""
    claims_cache.save(MEASURED)
    cheapest = [v for v in all_variants() if v.key == "fetch.callbacks@handler-bugs"]
    monkeypatch.setattr(claims_screen, "all_variants", lambda: cheapest)

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(pilot)
            assert title(app).startswith("Last measured")
            await pilot.press("r")
            await until(lambda: title(app).startswith("The article's claims"),
                        what="the labs to finish")  # fmt: skip
            ended = [u for u in app.lab_updates if u.status != "running"]
            assert [u.variant for u in ended] == [cheapest[0].key]
            assert claims_cache.load() == (ended, "")
            await pilot.pause()
            assert "not measured yet" in screen_text(app)  # one-at-a-time: not this time
        again = AsyncPlayApp(start_server=False)
        async with again.run_test(size=(120, 40)) as pilot:
            await pilot.press("l")
            await until(lambda: isinstance(again.screen, ClaimsScreen), what="the claims")
            assert title(again).startswith("Last measured")
            assert "not measured yet" in screen_text(again)
        assert children() == set()

    asyncio.run(scenario())


def test_numbers_kept_that_only_the_charts_and_sources_read_are_drawn_as_they_can_be() -> None:
    """A cache every rule can read, but hand-edited where only the screen looks: a word for
    a waiter's memory (the chart's), a word for a worker's switches, positions that are not
    places. Each claim's detail draws what it can, and the app goes on."""
    rows = [json.loads(update.to_json()) for update in ENDED]
    for row in rows:
        if row["variant"] == "waiters.threads@100":
            row["numbers"]["kb_each"] = "lots"
        elif row["variant"] == "secretary.gevent_greenlets":
            row["numbers"]["switches"] = "many"
        elif row["variant"] == "deadlocks.threads":
            row["numbers"]["positions"] = [1, "x", {"line": "ten"}]
    path = claims_cache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([json.dumps(claims_cache.HEADER), *map(json.dumps, rows)]) + "\n")
    assert claims_cache.load()[1] == ""

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_claims(pilot)
            for claim_id, shows in (("threads-not-free", "threads 1,000"),
                                    ("context-switches", "threads filing"),
                                    ("deadlocks", "deadlocks.threads")):  # fmt: skip
                highlight(app, claim_id)
                await pilot.pause()
                assert shows in screen_text(app), claim_id
            assert app.return_code is None and app.crash is None

    asyncio.run(scenario())
