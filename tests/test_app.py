"""The app driven through Textual's pilot, against real workers and the real fault server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from procs import alive, children

from asyncplay.engine.eventlog import read
from asyncplay.engine.events import RunStarted
from asyncplay.engine.fold import fold
from asyncplay.engine.workload import FaultSpec, Scenario
from asyncplay.strategies import STRATEGIES
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.widgets.fate_tally import FateTally
from asyncplay.tui.widgets.scenario_bar import ScenarioBar
from asyncplay.tui.widgets.strategy_panel import StrategyPanel

SMALL = Scenario(count=6, latency_ms=50, timeout_s=1.0, faults=(FaultSpec.parse("handler-bug@2"),))


async def until(condition: Any, timeout: float = 60.0) -> None:
    """Wait for a condition the app reaches by itself (a run finishing), bounded."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def test_run_all_reaches_done_and_the_panels_show_the_engines_fates(tmp_path: Path) -> None:
    """Every panel finishes; each panel's tally is the fold of its own events, and those
    fates are the engine's: the handler bug raised, returned, logged per style."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL, save_folder=tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("r")
            await until(lambda: all(s.over for s in app.playground.states.values()))
            await pilot.pause(0.1)
            for name in STRATEGIES:
                panel = app.query_one(f"#panel-{name}", StrategyPanel)
                assert panel.state.status == "done"
                engine = fold(app.playground.logs[name]).fates()
                assert panel.state.fates() == engine
                tally = app.query_one(f"#panel-{name} FateTally", FateTally)
                drawn = str(tally.render()).splitlines()[1].split()  # the counts line
                assert [int(count) for count in drawn] == list(engine.values())
            states = app.playground.states
            fates = {name: states[name].fate(states[name].tasks[2]) for name in STRATEGIES}
            assert fates["threads"] == fates["gevent"] == fates["callbacks"] == "logged"
            assert fates["sequential"] == fates["asyncio"] == fates["taskgroup"] == "raised"
            await pilot.press("ctrl+s")
            await pilot.press("q")
        saved = list(tmp_path.glob("asyncplay-*.jsonl"))
        assert len(saved) == 1 and set(read(saved[0]).runs) == set(STRATEGIES)

    asyncio.run(scenario())
    assert children() == set()


def test_a_fault_picked_in_the_picker_is_in_the_next_run() -> None:
    """f, tick http-500 for task 1, enter: the bar shows it and the next run injects it."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=4, latency_ms=20))
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("f")
            await pilot.click("#on-http-500")
            await pilot.click("#which-http-500")
            await pilot.press("at", "1", "enter")
            assert [str(spec) for spec in app.scenario.faults] == ["http-500@1"]
            assert "http-500@1" in str(app.query_one("#faults").render())
            app.query_one("#panel-asyncio").focus()
            await pilot.press("enter")
            await until(lambda: app.playground.states["asyncio"].over)
            started = next(e for e in app.playground.logs["asyncio"] if isinstance(e, RunStarted))
            assert started.faults == {1: "http-500"}
            assert app.playground.states["asyncio"].fates()["raised"] == 1
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def test_a_bad_value_in_the_bar_keeps_the_last_good_scenario() -> None:
    """A count of 0 is refused in place; the next run still uses the last good value."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=5), start_server=False)
        async with app.run_test() as pilot:
            app.query_one("#field-count").focus()
            await pilot.pause()  # focusing selects the old value; typing replaces it
            await pilot.press("0")
            await pilot.pause()
            assert "count must be 1 to 100,000" in str(app.query_one("#problem").render())
            assert app.scenario.count == 5
            await pilot.press("backspace", "8")
            await pilot.pause()
            assert app.scenario.count == 8
            assert app.query_one(ScenarioBar).scenario.count == 8
            await pilot.press("escape")

    asyncio.run(scenario())


def test_stop_kills_the_running_workers() -> None:
    """s during a long run: every worker is killed at once and its panel says so."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=4, latency_ms=20000, timeout_s=30))
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("r")
            states = app.playground.states
            await until(lambda: all(s.pid is not None for s in states.values()))
            pids = [state.pid for state in states.values()]
            await pilot.press("s")
            await until(lambda: all(state.over for state in states.values()))
            assert {state.status for state in states.values()} == {"killed"}
            assert not any(alive(pid) for pid in pids)
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def test_quit_mid_run_leaves_no_child_process() -> None:
    """q while every strategy is running: workers and the server are all gone after."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=20, latency_ms=5000, timeout_s=10))
        async with app.run_test() as pilot:
            await pilot.press("r")
            await until(lambda: len(children()) >= 2)  # the server and at least one worker
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def test_replay_shows_a_recorded_log_as_it_was() -> None:
    """`asyncplay replay`: the panels hold exactly the fold of the recorded events."""
    log = read(Path(__file__).parent / "logs" / "errors.jsonl")

    async def scenario() -> None:
        app = AsyncPlayApp(replay=log)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            for name, events in log.runs.items():
                panel = app.query_one(f"#panel-{name}", StrategyPanel)
                assert panel.state.fates() == fold(events).fates()
                assert panel.state.counts() == fold(events).counts()
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()
