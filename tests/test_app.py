"""The app driven through Textual's pilot, against real workers and the real fault server."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
from pathlib import Path
from typing import Any

from procs import alive, children
from textual.widgets import DataTable, Input
from waiting import until

from asyncplay.engine.catalogue import STRATEGIES, source_of
from asyncplay.engine.eventlog import EventLog, read
from asyncplay.engine.events import RunAborted, RunStarted, TaskFailed, TaskStarted
from asyncplay.engine.fold import fold
from asyncplay.engine.workload import FaultSpec, Scenario
from asyncplay.tui.app import YOUNG_OBJECTS_PER_COLLECTION, AsyncPlayApp
from asyncplay.tui.screens.zoom import ZoomScreen
from asyncplay.tui.widgets.fate_tally import FateTally
from asyncplay.tui.widgets.scenario_bar import ScenarioBar
from asyncplay.tui.widgets.strategy_panel import StrategyPanel

SMALL = Scenario(count=6, latency_ms=50, timeout_s=1.0, faults=(FaultSpec.parse("handler-bug@2"),))


def test_run_all_reaches_done_and_the_panels_show_the_engines_fates(tmp_path: Path) -> None:
    """Every panel finishes; each panel's tally is the fold of its own events, and those
    fates are the engine's: the handler bug raised, returned, logged per style."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL, save_folder=tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("r")
            await until(lambda: all(s.over for s in app.playground.states.values()),
                        what="every run to end")  # fmt: skip

            def drawn(name: str) -> list[int]:
                tally = app.query_one(f"#panel-{name} FateTally", FateTally)
                return [int(count) for count in str(tally.render()).splitlines()[1].split()]

            engines = {name: fold(app.playground.logs[name]).fates() for name in STRATEGIES}
            await until(lambda: all(drawn(name) == list(engines[name].values())
                                    for name in STRATEGIES),
                        what=lambda: f"each tally drawn as its run's fates: {engines}")  # fmt: skip
            for name in STRATEGIES:
                panel = app.query_one(f"#panel-{name}", StrategyPanel)
                assert panel.state.status == "done"
                assert panel.state.fates() == engines[name]
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


def test_panels_a_zoom_covers_wait_and_catch_up_when_it_closes() -> None:
    """A zoom covers the panels: their runs go on but they are not drawn (unseen work that
    slowed the zoom's keys). Back on the panels, each shows its run's end at once."""

    def tally(app: AsyncPlayApp, name: str) -> list[int]:
        counts = str(app.query_one(f"#panel-{name} FateTally", FateTally).render())
        return [int(count) for count in counts.splitlines()[1].split()]

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(160, 48)) as pilot:
            app.query_one("#panel-threads").focus()
            await pilot.press("z", "r")
            await until(lambda: all(s.over for s in app.playground.states.values()),
                        what="every run to end")  # fmt: skip
            zoom = app.screen
            assert isinstance(zoom, ZoomScreen)
            # The zoom is drawn on the same tick as the panels: once it shows its run's
            # end, the panels under it have had their chance to be drawn, and were not.
            await until(lambda: "threads: done" in str(zoom.query_one("#zoom-tabs").border_title),
                        what="the zoom to show threads done")  # fmt: skip
            assert all(sum(tally(app, name)) == 0 for name in STRATEGIES)
            await pilot.press("escape")
            engines = {name: list(fold(app.playground.logs[name]).fates().values())
                       for name in STRATEGIES}  # fmt: skip
            await until(lambda: all(tally(app, name) == engines[name] for name in STRATEGIES),
                        what=lambda: f"the panels to catch up with {engines}")  # fmt: skip
            await pilot.press("q")

    asyncio.run(scenario())


def test_the_app_tunes_the_garbage_collector_and_leaves_it_as_it_found_it() -> None:
    """While it runs, what the app holds from the start is out of the collector's walks and
    young objects are looked at less often; after it, both are as they were."""
    threshold = gc.get_threshold()

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL, start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(lambda: gc.get_freeze_count() > 0, what="the first screen drawn")
            assert gc.get_threshold()[0] == YOUNG_OBJECTS_PER_COLLECTION
            await pilot.press("q")

    asyncio.run(scenario())
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


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
            await until(lambda: app.playground.states["asyncio"].over, what="asyncio's run")
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
            await until(lambda: all(s.pid is not None for s in states.values()),
                        what="every worker started")  # fmt: skip
            pids = [state.pid for state in states.values()]
            await pilot.press("s")
            await until(lambda: all(state.over for state in states.values()),
                        what="every run stopped")  # fmt: skip
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
            await until(lambda: len(children()) >= 2, what="the server and a worker started")
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


def test_the_bar_reads_back_every_value_it_shows() -> None:
    """A seed of 1234567 and a latency of 12.5 are shown as typed (not 1.23457e+06), so an
    edit of another field is still a valid scenario."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(seed=1234567, latency_ms=12.5), start_server=False)
        async with app.run_test() as pilot:
            assert app.query_one("#field-seed", Input).value == "1234567"
            assert app.query_one("#field-latency_ms", Input).value == "12.5"
            app.query_one("#field-count", Input).value = "7"
            await pilot.pause()
            assert app.query_one(ScenarioBar).problem == ""
            assert (app.scenario.count, app.scenario.seed) == (7, 1234567)

    asyncio.run(scenario())


def test_run_with_a_bad_value_in_the_bar_runs_nothing_and_says_why() -> None:
    """`tasks abc`, tab out of the field, r: no run starts with the last good scenario
    behind the user's back; a notice says what to fix and the focus goes to the field,
    still marked."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=5), start_server=False)
        async with app.run_test() as pilot:
            field = app.query_one("#field-count", Input)
            field.focus()
            await pilot.pause()
            await pilot.press("a", "b", "c", "escape")  # escape: back to the panels
            assert app.focused is app.query_one("#panel-sequential")
            await pilot.press("r")
            assert app.playground.running() == []
            assert {state.status for state in app.playground.states.values()} == {"idle"}
            assert any("Fix the scenario first" in n.message for n in app._notifications)
            assert app.focused is field and field.has_class("-refused")

    asyncio.run(scenario())


def test_two_saves_in_one_second_keep_both_logs(tmp_path: Path) -> None:
    """ctrl+s twice at once: two files, the first one untouched by the second."""
    log = read(Path(__file__).parent / "logs" / "errors.jsonl")

    async def scenario() -> None:
        app = AsyncPlayApp(replay=log, save_folder=tmp_path)
        async with app.run_test() as pilot:
            await pilot.press("ctrl+s")
            first = next(tmp_path.glob("*.jsonl"))
            size = first.stat().st_size
            await pilot.press("ctrl+s")
            saved = sorted(tmp_path.glob("*.jsonl"))
            assert len(saved) == 2 and first.stat().st_size == size
            assert [read(path).runs.keys() for path in saved] == [log.runs.keys()] * 2

    asyncio.run(scenario())


def test_a_zoom_opened_mid_run_follows_it_to_the_end() -> None:
    """z right after r: the zoom's title, task table and errors keep up until the run is
    done (it used to stop where it was opened)."""
    small = Scenario(count=30, latency_ms=300, timeout_s=2, faults=(FaultSpec.parse("http-500@3"),))

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=small)
        async with app.run_test(size=(160, 48)) as pilot:
            app.query_one("#panel-taskgroup").focus()
            await pilot.press("enter", "z")
            zoom = app.screen
            assert isinstance(zoom, ZoomScreen)
            state = app.playground.states["taskgroup"]
            await until(lambda: state.over, what="taskgroup's run")
            await until(lambda: "taskgroup: done" in str(zoom.query_one("#zoom-tabs").border_title),
                        what="the zoom's title to say done")  # fmt: skip
            table = zoom.query_one("#tasks", DataTable)
            assert table.row_count == 30
            drawn = [str(table.get_cell(str(task.id), "state")) for task in state.tasks]
            assert drawn == [state.task_status(task) for task in state.tasks]
            assert zoom.query_one("#errors", DataTable).row_count == len(state.errors())
            await pilot.press("escape", "q")

    asyncio.run(scenario())
    assert children() == set()


def test_a_killed_runs_unseen_error_is_undecided_in_every_view() -> None:
    """A run killed after an error happened but before anyone saw it: not lost, not run;
    undecided, in the panel, the zoom and the comparison alike."""
    killed = [RunStarted(0.0, "threads", 1, 3, 3, 0.1, {0: "timeout"}, 0.0),
              TaskStarted(0.0, 0), TaskFailed(1.0, 0, "ReadTimeout", "", ""),
              RunAborted(1.5, "killed", "stopped")]  # fmt: skip
    log = EventLog(Scenario(count=3, faults=(FaultSpec.parse("timeout@0"),)), {"threads": killed})

    async def scenario() -> None:
        app = AsyncPlayApp(replay=log, start_server=False)
        async with app.run_test(size=(160, 48)) as pilot:
            panel = app.query_one("#panel-threads", StrategyPanel)
            await until(lambda: "undecided" in str(panel.errors.content),
                        what=lambda: f"undecided in {panel.errors.content}")  # fmt: skip
            assert str(panel.fates.content).split("\n")[1].split() == ["0"] * 5
            panel.focus()
            await pilot.press("z")
            table = app.screen.query_one("#tasks", DataTable)
            assert str(table.get_cell("0", "fate")) == ""
            await pilot.press("escape", "c")
            compare = app.screen.query_one(DataTable)
            assert str(compare.get_cell("threads", "fate:lost")) == "0"
            await pilot.press("escape")

    asyncio.run(scenario())


def test_a_fault_server_that_dies_is_noticed_and_replaced() -> None:
    """Kill the fault server mid-run: every running panel says the server died; the next
    run starts a new server, says so, and runs normally."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=4, latency_ms=20_000, timeout_s=30))
        notices: list[str] = []  # a notice leaves the screen after a few seconds: keep them
        notify = app.notify

        def keep(message: str, **options: Any) -> None:
            notices.append(message)
            notify(message, **options)

        app.notify = keep  # type: ignore[method-assign]
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("r")
            states = app.playground.states
            await until(lambda: all(state.pid is not None for state in states.values()),
                        what="every worker started")  # fmt: skip
            server = next(pid for pid in children() if is_fault_server(pid))
            os.kill(server, signal.SIGKILL)
            await until(lambda: all(state.over for state in states.values()),
                        what="every run to end with the server")  # fmt: skip
            for state in states.values():
                assert state.status == "crashed"
                assert state.aborted is not None and "fault server died" in state.aborted.detail
            app.scenario = Scenario(count=4, latency_ms=20)
            await pilot.press("r")
            await until(lambda: all(state.status == "done" for state in states.values()),
                        what="every run done on the new server")  # fmt: skip
            assert all(state.counts() == {"ok": 4} for state in states.values())
            assert any("fault server had died" in notice for notice in notices)
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def is_fault_server(pid: int) -> bool:
    try:
        return b"asyncplay.engine.server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_a_run_that_reported_its_end_runs_again_at_once() -> None:
    """enter the moment a panel says done (its worker may still be closing): a new run
    starts, and the old one's last moments do not touch the new panel."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=Scenario(count=4, latency_ms=20))
        async with app.run_test() as pilot:
            app.query_one("#panel-asyncio").focus()
            await pilot.press("enter")
            first = app.playground.states["asyncio"]
            await until(lambda: first.over, what="the first run")
            await pilot.press("enter")
            second = app.playground.states["asyncio"]
            assert second is not first and second.status == "running"
            await until(lambda: second.over, what="the second run")
            assert second.counts() == {"ok": 4} and first.counts() == {"ok": 4}
            await pilot.press("q")

    asyncio.run(scenario())
    assert children() == set()


def test_k_switches_the_client_and_each_panel_says_what_it_ran() -> None:
    """k twice picks aiohttp; r runs the asyncio styles with it (their panels, titles and
    zooms say so, and show the aiohttp lesson) and leaves every other style idle, saying why."""

    async def scenario() -> None:
        app = AsyncPlayApp(scenario=SMALL)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("k")
            assert app.scenario.client == "aiohttp"
            assert "client: aiohttp" in str(app.query_one("#faults").render())
            await pilot.press("r")
            ran = ("asyncio", "taskgroup")
            states = app.playground.states
            await until(lambda: all(states[name].over for name in ran), what="the aiohttp runs")
            for name in ran:
                assert states[name].client == "aiohttp" and states[name].lesson == f"{name}_aiohttp"
                assert states[name].fate(states[name].tasks[2]) == "raised"
                title = f"{name} · aiohttp"
                panel = app.query_one(f"#panel-{name}", StrategyPanel)
                await until(lambda panel=panel, title=title: str(panel.border_title) == title,
                            what=title)  # fmt: skip
            for name in set(STRATEGIES) - set(ran):
                assert states[name].status == "idle" and not app.playground.logs[name]
                assert "aiohttp" in states[name].skipped
            assert "tornado" in states["callbacks"].skipped.lower()
            app.query_one("#panel-taskgroup").focus()
            await pilot.press("z")
            zoom = app.screen
            assert isinstance(zoom, ZoomScreen)
            assert zoom.source == source_of("taskgroup_aiohttp") and "aiohttp" in zoom.source
            assert "taskgroup_aiohttp.py" in str(zoom.query_one("#source-pane").border_title)
            await pilot.press("escape", "q")

    asyncio.run(scenario())
    assert children() == set()
