"""The tour in the app: walked with → alone, at every size of the range the app promises, in
every theme, with key bursts; live steps run for real in the app's playground and the panels
keep their runs; a replay runs nothing at all.

The replayed walks use tests/logs/tour.jsonl, one live run of the whole built-in tour kept
with `asyncplay tour --script --record` (README's script is its replay). A caption is on
screen whole when its words, in order, are in the screen's text: wrapped, cut or covered,
they are not.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from procs import children
from screen import screen_text
from test_every_key import press
from test_markup import TYPE, hostile_log
from textual.pilot import Pilot
from waiting import until

from asyncplay.engine import scenarios
from asyncplay.engine.events import encode
from asyncplay.engine.tour_runs import TourWalk, printable, read_recording
from asyncplay.engine.tours import load
from asyncplay.tui.app import AsyncPlayApp, PanelsScreen
from asyncplay.tui.screens.tour import TourScreen
from asyncplay.tui.widgets.strategy_panel import StrategyPanel

ARTICLE = load()
ARTICLE_SCENARIO = scenarios.load("handler-bug")  # the threads step's
RECORDING = Path(__file__).parent / "logs" / "tour.jsonl"
# The sizes the app promises to be usable at: from 80x24 to 200x60. The corners, the sizes
# walked elsewhere, and sizes between them drawn once (seeded: the same each run).
_draw = random.Random(19)
SIZES = sorted({(80, 24), (200, 60), (80, 60), (200, 24), (120, 40), (155, 42),
                *((_draw.randint(80, 200), _draw.randint(24, 60)) for _ in range(6))})  # fmt: skip
WALKED = [(80, 24), (120, 40), (200, 60)]  # the issue's: every step, with → alone
BORDER = "▌▐█▊▎"  # the caption's left border, in the glyphs Textual draws it with


def replay_walk() -> TourWalk:
    return TourWalk(ARTICLE, read_recording(RECORDING.read_text(), ARTICLE, str(RECORDING)))


def words(text: str) -> str:
    """Text as a run of words: wrapping, padding and the caption's border are not words."""
    return " ".join(text.translate({ord(glyph): " " for glyph in BORDER}).split())


def caption_whole(text: str, caption: str) -> bool:
    """`caption` is on the screen whose text is `text`, whole."""
    return words(printable(caption)) in words(text)


def tour_screen(app: Any) -> TourScreen:
    screen = app.screen
    assert isinstance(screen, TourScreen), f"not the tour: {screen}"
    return screen


async def at_step(pilot: Pilot[Any], index: int, what: str) -> None:
    """The tour shows step `index`: its heading says so, its title and caption are whole,
    and the footer has the tour's keys (once the step is drawn: it is laid out after)."""
    app = pilot.app
    step = ARTICLE.steps[index]
    heading = f"step {index + 1} of {len(ARTICLE.steps)}"

    def problems() -> list[str]:
        text = screen_text(app)
        ran = tour_screen(app).walk.ran(index)
        footer = (text.rstrip("\n").splitlines() or [""])[-1]
        # A zoom marks the error its caption tells whole.
        told = re.search(r"the (\S+) in task (\d+)", ran.caption()) if ran else None
        marked = f"{told[1]} of task {told[2]} →" if told and step.show == "zoom" else ""
        return [problem for problem, wrong in [
            (f"no {heading!r}", heading not in text),
            (f"no title {step.title!r}", step.title not in text),
            ("not measured", ran is None),
            (f"the caption not whole: {ran and ran.caption()!r}",
             ran is not None and not caption_whole(text, ran.caption())),
            (f"the footer {footer!r}", "Next" not in footer or "Leave" not in footer),
            (f"the zoom does not mark {marked!r}", marked not in text),
        ] if wrong]  # fmt: skip

    await until(lambda: not problems(),
                what=lambda: f"{what}: {problems()} in\n{screen_text(app)}")  # fmt: skip


async def title_card(pilot: Pilot[Any], start: str) -> None:
    """The title card: the tour's title, every chapter, how to start, and the footer."""
    app = pilot.app
    shows = [ARTICLE.title, *(chapter for chapter, _ in ARTICLE.chapters()), start, "Next"]
    await until(lambda: all(words in screen_text(app) for words in shows),
                what=lambda: f"the title card's {shows} in\n{screen_text(app)}")  # fmt: skip


@pytest.mark.parametrize("size", WALKED, ids=[f"{w}x{h}" for w, h in WALKED])
def test_a_replay_walks_the_whole_tour_with_right_alone(size: tuple[int, int]) -> None:
    """From the title card, → alone shows every step with its recorded caption whole, at
    the sizes the issue names; the last step says it is the last; and nothing runs: no
    server, no worker."""

    async def walk() -> None:
        app = AsyncPlayApp(tour=replay_walk())
        async with app.run_test(size=size) as pilot:
            await title_card(pilot, "→ plays the recorded steps")
            assert "A recording, recorded 20" in screen_text(app)
            for index in range(len(ARTICLE.steps)):
                await press(pilot, "right")
                await at_step(pilot, index, f"{size}, step {index + 1}")
            await press(pilot, "right")
            await until(lambda: any("last step" in str(n.message) for n in app._notifications),
                        what="the last step says so")  # fmt: skip
            assert tour_screen(app).walk.at == len(ARTICLE.steps) - 1
            assert children() == set(), "a replay started a process"

    asyncio.run(walk())


def _longest_of_each_kind() -> list[int]:
    """Of each kind of step (what it shows and points at), the one of the longest caption:
    the one that needs the most rows."""
    recording = replay_walk()
    longest: dict[tuple[str, str], int] = {}
    for index, step in enumerate(ARTICLE.steps):
        kind, ran = (step.show, step.highlight), recording.ran(index)
        assert ran is not None
        if kind not in longest or len(ran.caption()) > len(
            recording.ran(longest[kind]).caption()  # type: ignore[union-attr]
        ):
            longest[kind] = index
    return sorted(longest.values())


def test_every_kind_of_step_at_every_size_of_the_range() -> None:
    """At every size of the range, the longest caption of each kind of step is whole above
    what the step shows, and the title card lists every chapter: one app, resized."""

    async def sizes() -> None:
        app = AsyncPlayApp(tour=replay_walk())
        async with app.run_test(size=SIZES[0]) as pilot:
            screen = tour_screen(app)
            for width, height in SIZES:
                await pilot.resize_terminal(width, height)
                await until(lambda: app.size == (width, height),  # noqa: B023 - awaited here
                            what=f"the app at {width}x{height}")  # fmt: skip
                await screen._go(-1)
                await title_card(pilot, "→ plays the recorded steps")
                for index in _longest_of_each_kind():
                    await screen._go(index)  # what the keys call: they are walked above
                    await at_step(pilot, index, f"{width}x{height}, step {index + 1}")

    asyncio.run(sizes())


def test_every_theme_shows_the_caption_and_its_mark() -> None:
    """A step's caption and its mark (✓, ✗ or ·) in every theme the app offers, and the
    title card again after the themes changed under it."""

    async def themes() -> None:
        app = AsyncPlayApp(tour=replay_walk())
        async with app.run_test(size=(80, 24)) as pilot:
            chapters = [first for _, first in ARTICLE.chapters()]
            await press(pilot, "2")  # Threads
            await at_step(pilot, chapters[1], "threads")
            for theme in app.available_themes:
                app.theme = theme
                await pilot.pause()
                await at_step(pilot, chapters[1], f"theme {theme}")
            await press(pilot, "left")
            await until(lambda: tour_screen(app).walk.at == chapters[1] - 1, what="one back")

    asyncio.run(themes())


BURST = ["right"] * 25 + ["space"] * 3 + ["left"] * 30 + list("1234567890") + [
    "full_stop", "comma", "r", "right", "9", "0", "left", "full_stop",
]  # fmt: skip


def test_a_burst_of_every_tour_key_in_a_replay() -> None:
    """Every key of the tour, in a burst typed as the app starts, no one waiting between:
    the app stays up, and the tour lands where the keys say. The burst ends with escape: back
    on the panels, every key before it was handled; t shows that step again, whole."""

    async def burst() -> None:
        app = AsyncPlayApp(tour=replay_walk())
        async with app.run_test(size=(120, 40)) as pilot:
            for key in [*BURST, "escape"]:
                app.simulate_key(key)
            await until(lambda: isinstance(app.screen, PanelsScreen), what="escape handled")
            chapters = [first for _, first in ARTICLE.chapters()]
            # ... 9 then 0 (the tenth chapter), then left: the step before the tenth chapter.
            assert app.tour is not None and app.tour.at == chapters[9] - 1
            await press(pilot, "t")
            await at_step(pilot, chapters[9] - 1, "after the burst")
            assert app.return_code is None

    asyncio.run(burst())


def test_a_chapters_number_past_the_tours_chapters_says_how_many_there_are(
    home_of_its_own: Path,
) -> None:
    folder = home_of_its_own / ".config" / "asyncplay" / "tours"
    folder.mkdir(parents=True)
    (folder / "short.toml").write_text(
        'title = "Short"\n[[step]]\nchapter = "Races"\ntitle = "Races"\nclaim = "thread-races"\n'
    )

    async def short() -> None:
        app = AsyncPlayApp(tour=TourWalk(load("short")), start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "3")
            await until(
                lambda: any(n.message == "This tour has 1 chapter." for n in app._notifications),
                what="how many chapters",
            )
            assert tour_screen(app).walk.at == -1

    asyncio.run(short())


def notices(app: Any) -> list[str]:
    return [str(notice.message) for notice in app._notifications]


def test_a_live_step_runs_for_real_and_the_panels_keep_its_runs() -> None:
    """t opens the tour on its title card; a chapter's number runs its first step in real
    workers, and its caption is the measured runs' (threads: the error logged by
    threading.excepthook). Escape leaves it: the panels show the step's runs, the bar its
    scenario, the focus its panel; t comes back to the step as it was, run once. Quitting
    leaves no process behind."""

    async def live() -> None:
        app = AsyncPlayApp()
        async with app.run_test(size=(120, 40)) as pilot:
            await press(pilot, "t")
            await title_card(pilot, "→ starts: each step runs for real")
            walk = tour_screen(app).walk
            threads = [first for _, first in ARTICLE.chapters()][1]
            await press(pilot, "2")
            await until(lambda: threads in walk.kept, what="the threads step measured")
            await at_step(pilot, threads, "threads, live")
            ran = walk.kept[threads]
            assert set(ran.runs) == {"threads", "sequential"}
            logged = [row for row in ran.states()["threads"].errors() if row.fate == "logged"]
            assert logged and logged[0].via == "threading.excepthook"
            assert "logged by threading.excepthook" in ran.caption()

            await press(pilot, "escape")
            await until(lambda: isinstance(app.screen, PanelsScreen), what="back on the panels")
            assert app.playground.logs["threads"] == ran.runs["threads"]
            assert app.scenario.faults == ARTICLE_SCENARIO.faults
            focused = app.focused
            assert isinstance(focused, StrategyPanel) and focused.strategy == "threads"

            await press(pilot, "t")
            await until(lambda: isinstance(app.screen, TourScreen), what="the tour again")
            await at_step(pilot, threads, "threads, come back to")
            assert (
                walk.kept[threads] is ran and app.playground.logs["threads"] == ran.runs["threads"]
            )

            await press(pilot, "right")  # the next step measures; left leaves it, run or not
            await press(pilot, "left")
            await at_step(pilot, threads, "threads, after a step left")
            await until(lambda: not app.playground.running(), what="nothing left running")
            await press(pilot, "q")
        assert children() == set(), "a process outlived the app"

    asyncio.run(live())


def test_right_while_a_step_measures_stays_and_a_chapter_stops_it() -> None:
    """→ pressed again and again while a claim's labs run does not move on, nor start a
    second measurement; it says why. A chapter's number leaves the step: its labs stop, and
    it is not kept half measured."""

    async def measuring() -> None:
        app = AsyncPlayApp()
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "t")
            await title_card(pilot, "→ starts")
            screen = tour_screen(app)
            await press(pilot, "right")
            assert ARTICLE.steps[0].is_claim
            await until(lambda: any(update.status == "running" for update in app.lab_updates),
                        what="the first step's labs running")  # fmt: skip
            await press(pilot, *["right"] * 5)
            assert screen.walk.at == 0 and screen.measuring
            assert sum(1 for worker in screen.workers if not worker.is_finished) == 1
            assert any(n.startswith("Still measuring") for n in notices(app))
            await press(pilot, "3")
            await until(lambda: screen.walk.at == [f for _, f in ARTICLE.chapters()][2],
                        what="chapter 3")  # fmt: skip
            assert 0 not in screen.walk.kept
            await press(pilot, "q")
        assert children() == set(), "a lab outlived the app"

    asyncio.run(measuring())


def test_brackets_and_escapes_in_a_recording_are_shown_as_they_are(
    home_of_its_own: Path, tmp_path: Path
) -> None:
    """A recording is untrusted: an error type of brackets (Rich's markup would raise on
    it) and a message with an escape sequence, in a tour whose words hold brackets too, are
    shown as they are; the escape is a ? (it would clear the terminal)."""
    folder = home_of_its_own / ".config" / "asyncplay" / "tours"
    folder.mkdir(parents=True)
    (folder / "hostile.toml").write_text(
        'title = "[/]Tour[b]"\n[[step]]\nchapter = "[bold]Threads[/]"\ntitle = "[/]step"\n'
        'say = "[link=x]said"\nscenario = "handler-bug"\npanels = ["threads"]\nshow = "zoom"\n'
        'highlight = "error"\nexpect = "logged"\n'
    )
    hostile = [json.loads(encode(event)) for event in hostile_log("threads").runs["threads"]]
    for event in hostile:  # the handler-bug scenario's fifty tasks; the error logged
        if event["kind"] == "run_started":
            event["tasks"] = ARTICLE_SCENARIO.count
        if event["kind"] == "error_seen":
            event.update(channel="logged", via="threading.excepthook\x1b[2J")
    header = {"format": "asyncplay-tour-recording", "version": 1, "tour": "hostile",
              "made_at": 1e10, "host": "[/]host\x1b[2J", "python": "3.11"}  # fmt: skip
    recording = tmp_path / "hostile.jsonl"
    recording.write_text(json.dumps(header) + "\n" +
                         json.dumps({"step": 0, "runs": {"threads": hostile}}) + "\n")  # fmt: skip
    tour = load("hostile")
    walk = TourWalk(tour, read_recording(recording.read_text(), tour, str(recording)))

    async def shown() -> None:
        app = AsyncPlayApp(tour=walk)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(lambda: "[/]Tour[b]" in screen_text(app), what="the tour's title")
            await press(pilot, "right")
            await until(lambda: f"the {TYPE} in task 0 was logged by" in words(screen_text(app)),
                        what=lambda: f"the caption, as it is, in\n{screen_text(app)}")  # fmt: skip
            text = screen_text(app)
            assert "\x1b" not in text and "threading.excepthook?[2J" in words(text)
            assert "[bold]Threads[/]" in text and "[/]step" in text
            assert "[/]host?[2J" in text
            assert app.return_code is None

    asyncio.run(shown())


def test_a_step_that_cannot_run_says_why_and_the_app_goes_on(home_of_its_own: Path) -> None:
    """A step's own scenario file, removed after the tour was read: → says the step did not
    run and why, in one line; the app stays up, and the step is not kept."""
    config = home_of_its_own / ".config" / "asyncplay"
    (config / "scenarios").mkdir(parents=True)
    mine = config / "scenarios" / "mine.toml"
    mine.write_text("count = 3\nlatency_ms = 10\n")
    (config / "tours").mkdir()
    (config / "tours" / "gone.toml").write_text(
        'title = "Gone"\n[[step]]\nchapter = "Threads"\ntitle = "Mine"\nscenario = "mine"\n'
        'panels = ["threads"]\nexpect = "logged"\n'
    )
    walk = TourWalk(load("gone"))
    mine.unlink()

    async def gone() -> None:
        app = AsyncPlayApp(tour=walk, start_server=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, "right")
            await until(lambda: any(n.startswith("The step did not run: no scenario 'mine'")
                                    for n in notices(app)),
                        what=lambda: f"why, in {notices(app)}")  # fmt: skip
            await until(lambda: "not measured" in screen_text(app), what="the caption says so")
            assert app.return_code is None and walk.kept == {}

    asyncio.run(gone())
