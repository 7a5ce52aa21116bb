"""Whatever the terminal's size, every panel shows its whole fate tally and its newest error
with who saw it: a property of the sizes from 60x20 to 220x60, read from the screen's cells.

Real runs of the handler-bug scenario (its one error is logged, raised or lost, by a hook
whose name is as long as "tornado.application log") with the nine built-in lessons, and
with eleven (two lessons of the user's own). The walk steps through the widths and heights a
few cells at a time, from both edges, and through the breakpoints and the sizes that broke
before: 100x30, 120x30, 120x40, and 153 to 159 columns (where the tally lost "not run").
"""

from __future__ import annotations

import asyncio

import pytest
from procs import children
from screen import problems_on_screen
from waiting import until

from asyncplay.engine.catalogue import STRATEGIES, source_of
from asyncplay.engine.lessons import own_folder
from asyncplay.engine.scenarios import load
from asyncplay.tui.app import AsyncPlayApp

NAMED = [(100, 30), (120, 30), (120, 40), (155, 42), *((width, 30) for width in range(153, 160))]
EDGES = [(60, 20), (60, 60), (220, 20), (220, 60)]
# Each size settles in a frame or two; this is how long a busy machine may take for that.
SETTLE_S = 30.0
# A broken layout is usually broken at many sizes: these are enough to say which.
FAILURES_SHOWN = 4


def walk(offset: int) -> list[tuple[int, int]]:
    """Every eleventh width and seventh height, from `offset`, with the edges and the named
    sizes (two walks with different offsets cover different cells between them)."""
    widths = range(60 + offset, 221, 11)
    heights = range(20 + offset % 7, 61, 7)
    grid = [(width, height) for width in widths for height in heights]
    return sorted(set(grid + EDGES + NAMED))


def own_lessons() -> None:
    """Two lessons of the user's own: a copy of callbacks (the longest "who saw it") and a
    pool of threads under a name of its own."""
    folder = own_folder()
    folder.mkdir(parents=True)
    (folder / "callbacks′.py").write_text(source_of("callbacks"))
    (folder / "my_pool.py").write_text(source_of("threadpool"))


@pytest.mark.slow
@pytest.mark.parametrize("own", [0, 2])
def test_every_panel_shows_its_tally_and_newest_error_at_every_size(own: int) -> None:
    if own:
        own_lessons()
    panels = len(STRATEGIES) + own
    failures: list[str] = []

    async def sizes() -> None:
        app = AsyncPlayApp(scenario=load("handler-bug"))
        async with app.run_test(size=(160, 48)) as pilot:
            assert len(app.panels) == panels
            await pilot.press("r")
            states = app.playground.states
            await until(lambda: all(state.over for state in states.values()),
                        what="every run over")  # fmt: skip
            assert all(state.errors() for state in states.values()), "a run with no error"
            for width, height in walk(offset=own * 5):
                await pilot.resize_terminal(width, height)
                await until(lambda: app.size == (width, height),  # noqa: B023 - awaited here
                            what=f"the app at {width}x{height}")  # fmt: skip
                try:
                    await until(lambda: not problems_on_screen(app), timeout=SETTLE_S,
                                what=lambda: "\n".join(problems_on_screen(app)))  # fmt: skip
                except AssertionError as problem:
                    failures.append(f"at {width}x{height}: {problem}")
                    if len(failures) == FAILURES_SHOWN:
                        break
            await pilot.press("q")

    asyncio.run(sizes())
    assert not failures, "\n\n".join(failures)
    assert children() == set()
