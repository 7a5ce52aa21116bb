"""Quitting wins: a key that opens a screen, pressed with q in the same burst, opens
nothing and the app ends cleanly (each of them ended it with NoMatches, 8 times of 8)."""

from __future__ import annotations

import asyncio

import pytest
from procs import children
from waiting import until

from asyncplay.tui.app import AsyncPlayApp


@pytest.mark.parametrize("key", ["o", "f", "z", "c", "l", "question_mark", "ctrl+s", "r"])
def test_a_key_pressed_with_q_opens_nothing_and_the_app_ends(key: str) -> None:
    async def burst() -> None:
        app = AsyncPlayApp()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.simulate_key("q")
            app.simulate_key(key)
            await until(lambda: app.return_code is not None or app.crash is not None,
                        what="the app to end")  # fmt: skip
        assert app.crash is None, app.crash
        assert app.return_code in (None, 0)

    asyncio.run(burst())
    assert children() == set()
