"""The compare screen through the pilot: sorted by keys as by clicks, the sorted column marked
in its header, and split as the CLI's table is when the terminal is narrow, so the fates are
on screen without scrolling sideways. Over a recorded log: no worker, no server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from screen import fully_visible, screen_text
from textual.widgets import DataTable

from asyncplay.engine.eventlog import read
from asyncplay.engine.fold import fold
from asyncplay.engine.result import COLUMNS, ResultRow
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.compare import CompareScreen

LOG = read(Path(__file__).parent / "logs" / "errors.jsonl")
ROWS = {name: ResultRow.of(fold(events)) for name, events in LOG.runs.items()}
HEADERS = {"strategy": "strategy", **{column.key: column.header for column in COLUMNS}}


def tables(app: AsyncPlayApp) -> list[DataTable[object]]:
    assert isinstance(app.screen, CompareScreen)
    return list(app.screen.query(DataTable))


def order(app: AsyncPlayApp) -> list[str]:
    """The strategies top to bottom, the same in every table."""
    orders = [[str(key.value) for key in table.rows] for table in tables(app)]
    assert all(each == orders[0] for each in orders), orders
    return orders[0]


def headers(app: AsyncPlayApp) -> dict[str, str]:
    """Each column's header as shown, by key."""
    return {
        str(key.value): column.label.plain
        for table in tables(app)
        for key, column in table.columns.items()
        if str(key.value) != "strategy" or table is tables(app)[0]
    }


def sorted_by(app: AsyncPlayApp, key: str, reverse: bool = False) -> bool:
    """The rows are in the column's order: names A to Z, numbers from the smallest (or the
    other way), a dash (no number) last either way."""
    if key == "strategy":
        return order(app) == sorted(ROWS, reverse=reverse)
    value = next(column for column in COLUMNS if column.key == key).value
    values = [value(ROWS[name]) for name in order(app)]
    present = [number for number in values if number is not None]
    return values == sorted(present, reverse=reverse) + [None] * (len(values) - len(present))


def test_keys_sort_by_each_column_and_mark_it() -> None:
    """`>` sorts by the next column to the right, `<` by the one to the left (from the
    strategy to RSS and around), `i` reverses; the sorted column's header says ▲ or ▼, and
    no other does; the footer names the keys."""

    async def scenario() -> None:
        app = AsyncPlayApp(replay=LOG, start_server=False)
        async with app.run_test(size=(200, 40)) as pilot:
            await pilot.press("c")
            assert isinstance(app.screen, CompareScreen)
            assert order(app) == list(LOG.runs)  # as on the panels, until sorted
            assert headers(app) == HEADERS  # nothing marked
            footer = screen_text(app).rstrip("\n").splitlines()[-1]
            assert "< > Sort" in footer and "i Reverse" in footer, footer
            keys = list(HEADERS)
            for step, key in enumerate(keys, start=1):
                await pilot.press("greater_than_sign")
                assert sorted_by(app, key), key
                assert headers(app) == {**HEADERS, key: f"{HEADERS[key]} ▲"}
                if step % 5 == 0:  # reversed now and then: the next column starts over
                    await pilot.press("i")
                    assert sorted_by(app, key, reverse=True), key
                    assert headers(app) == {**HEADERS, key: f"{HEADERS[key]} ▼"}
            await pilot.press("greater_than_sign")  # around, to the strategy
            assert headers(app)["strategy"] == "strategy ▲"
            await pilot.press("less_than_sign")  # around, back to RSS
            assert sorted_by(app, "rss")
            await pilot.press("less_than_sign")
            assert sorted_by(app, "threads")
            assert headers(app) == {**HEADERS, "threads": "threads ▲"}
            await pilot.press("i", "escape")
            assert app.screen is app.screen_stack[0]
            await pilot.press("q")

    asyncio.run(scenario())


def test_reverse_before_any_sort_sorts_by_strategy_descending() -> None:
    """`i` with nothing sorted yet reverses the first column, the strategy's name."""

    async def scenario() -> None:
        app = AsyncPlayApp(replay=LOG, start_server=False)
        async with app.run_test(size=(200, 40)) as pilot:
            await pilot.press("c", "i")
            assert sorted_by(app, "strategy", reverse=True)
            assert headers(app)["strategy"] == "strategy ▼"
            await pilot.press("escape", "q")

    asyncio.run(scenario())


@pytest.mark.parametrize("width", [80, 90, 100, 120, 140, 160, 200])
def test_every_column_is_on_screen_without_scrolling_sideways(width: int) -> None:
    """Whatever the width from 80 columns: no table is wider than the screen (no sideways
    scroll), every column is in exactly one table, each table repeats the strategy, and
    the table of the fates is wholly on screen at 24 rows. Sorting keeps the tables' rows
    in line."""

    async def scenario() -> None:
        app = AsyncPlayApp(replay=LOG, start_server=False)
        async with app.run_test(size=(width, 24)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            shown = tables(app)
            for table in shown:
                assert table.max_scroll_x == 0, (width, table.virtual_size, table.size)
                assert str(next(iter(table.columns)).value) == "strategy"
            keys = [str(k.value) for table in shown for k in table.columns if k.value != "strategy"]
            assert keys == [column.key for column in COLUMNS]
            assert len(shown) == 1 if width == 200 else len(shown) > 1 if width == 80 else True
            fates = next(table for table in shown if "fate:raised" in table.columns)
            assert fully_visible(fates), (width, fates.region)
            first_fate = [column.key for column in COLUMNS].index("fate:raised") + 2  # strategy
            await pilot.press(*["greater_than_sign"] * first_fate)  # sorted by the first fate
            assert sorted_by(app, "fate:raised")
            await pilot.press("escape", "q")

    asyncio.run(scenario())


def test_nothing_run_yet_says_so_and_the_keys_do_no_harm() -> None:
    """Before any run: the tables have their headers and no row, a line says how to run,
    and the sort keys change nothing but the mark."""

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c", "greater_than_sign", "i", "less_than_sign")
            assert all(table.row_count == 0 for table in tables(app))
            assert "Nothing has run yet" in screen_text(app)
            await pilot.press("escape", "q")

    asyncio.run(scenario())
