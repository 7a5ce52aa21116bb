"""Snapshot tests: the app drawn from fixed event logs, so every picture is the same each run.

The logs in tests/logs/ were recorded once from real runs (`asyncplay run --record`); the
view is a function of the log, so no worker, server or clock is involved here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from asyncplay.engine.eventlog import EventLog, read
from asyncplay.tui.app import AsyncPlayApp

LOGS = Path(__file__).parent / "logs"
WIDE, NARROW = (160, 48), (80, 24)


def make_app(log: str | None = None, until: float | None = None) -> AsyncPlayApp:
    """The app over a recorded log (cut at `until` seconds to show a run in flight)."""
    if log is None:
        return AsyncPlayApp(start_server=False)
    recorded = read(LOGS / f"{log}.jsonl")
    if until is not None:
        recorded = EventLog(recorded.scenario, {
            name: [event for event in events if event.t <= until]
            for name, events in recorded.runs.items()
        })  # fmt: skip
    return AsyncPlayApp(replay=recorded, start_server=False)


async def no_blink(pilot: Pilot[Any]) -> None:
    for field in pilot.app.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def press_then_settle(*keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await no_blink(pilot)
        await pilot.press(*keys)
        await no_blink(pilot)

    return run_before


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_idle(snap_compare: Any, size: tuple[int, int]) -> None:
    """Before any run: eight idle panels and the default scenario in the bar."""
    assert snap_compare(make_app(), terminal_size=size, run_before=no_blink)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_mid_run(snap_compare: Any, size: tuple[int, int]) -> None:
    """A third of a second in: bars in flight, some tasks done, no fates decided yet."""
    assert snap_compare(make_app("errors", until=0.3), terminal_size=size, run_before=no_blink)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_finished_with_errors(snap_compare: Any, size: tuple[int, int]) -> None:
    """After a run with a handler bug, 500s and a timeout: raised, returned, logged, lost."""
    assert snap_compare(make_app("errors"), terminal_size=size, run_before=no_blink)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_clean_run_bars(snap_compare: Any, size: tuple[int, int]) -> None:
    """A clean run of ten tasks: one bar per task on the run's time axis."""
    assert snap_compare(make_app("clean"), terminal_size=size, run_before=no_blink)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_zoom(snap_compare: Any, size: tuple[int, int]) -> None:
    """Zoomed into threadpool: its source beside every task of its run."""
    app = make_app("errors")
    assert snap_compare(app, terminal_size=size, run_before=press_then_settle("tab", "tab", "z"))


def test_zoom_errors_tab(snap_compare: Any) -> None:
    """The errors of a zoomed run, with the first one's traceback."""
    app = make_app("errors")
    keys = ("tab", "tab", "z", "e")
    assert snap_compare(app, terminal_size=WIDE, run_before=press_then_settle(*keys))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_compare(snap_compare: Any, size: tuple[int, int]) -> None:
    """The comparison table of the recorded runs."""
    assert snap_compare(make_app("errors"), terminal_size=size, run_before=press_then_settle("c"))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_fault_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    """The fault picker over the recorded scenario's faults."""
    assert snap_compare(make_app("errors"), terminal_size=size, run_before=press_then_settle("f"))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    """Help: keys, styles, fates."""
    assert snap_compare(
        make_app(), terminal_size=size, run_before=press_then_settle("question_mark")
    )


def test_a_bad_value_is_refused_in_place(snap_compare: Any) -> None:
    """Typing a count of 0: the field is marked and the bar says why."""

    async def type_zero(pilot: Pilot[Any]) -> None:
        await no_blink(pilot)
        pilot.app.query_one("#field-count", Input).value = "0"
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=type_zero)
