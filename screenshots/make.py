"""Make the README's screenshots from recorded event logs.

    python screenshots/make.py            # SVGs from screenshots/logs/*.jsonl
    python screenshots/make.py --record   # first record the logs again from real runs

The logs come from real runs (`asyncplay run --scenario NAME --record`); the pictures are
the app replaying them, so they change only when the logs or the app do. The claims log is
the run behind README's claims table: `python scripts/claims_table.py` records it. The
"your own lesson" pictures use a home of their own, holding the learner's fix of threads
(`lessons/threads.py`); `edit-run.jsonl` is that fix run beside threads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from asyncplay.engine import lessons
from asyncplay.engine.eventlog import EventLog, read
from asyncplay.engine.labrunner import LabUpdate
from asyncplay.engine.tour_runs import TourWalk, read_recording
from asyncplay.engine.tours import load as load_tour
from asyncplay.tui.app import AsyncPlayApp

HERE = Path(__file__).resolve().parent
WIDE, NARROW = (160, 48), (80, 24)
# (log, picture, size, keys pressed before the picture is taken)
SHOTS = [
    ("clean", "clean", WIDE, ()),
    ("handler-bug", "handler-bug", WIDE, ()),
    ("handler-bug", "handler-bug-80x24", NARROW, ()),
    ("handler-bug", "handler-bug-zoom-callbacks", WIDE, ("down", "right", "z", "e", "end")),
    ("blocking", "blocking", WIDE, ()),
    # Your own lesson: the fix in the editor, then threads′ run beside threads.
    ("handler-bug", "edit-threads", WIDE, ("right", "z", "E")),
    ("edit-run", "edit-run", WIDE, ("down", "down", "right")),  # threads′, after trio
]
# The learner's edit the two shots above show: the app's copy of threads, fixed.
FIXED_THREADS = HERE / "lessons" / "threads.py"
# (picture, size, keys) of the claims screen, over logs/claims.jsonl
CLAIM_SHOTS = [("claims-deadlocks", WIDE, ("l", *["down"] * 8))]
# (picture, size, the step's title) of the tour, replayed from the live run README's
# script is printed from.
TOUR_SHOTS = [("tour-threads-80x24", NARROW, "An error in a thread"),
              ("tour-gather", (120, 40), "Ten errors, gathered")]  # fmt: skip
TOUR_RECORDING = HERE.parent / "tests" / "logs" / "tour.jsonl"
# The X-ray of four styles at the same moment of the slow-motion run, side by side: each
# zoom at XRAY_SIZE, the log cut at XRAY_AT seconds (all three tasks wait for responses).
XRAY_STYLES = ("threads", "gevent", "callbacks", "asyncio")
XRAY_SIZE, XRAY_AT = (84, 30), 1.0


def record() -> None:
    script = Path(sys.executable).with_name("asyncplay")
    for name in sorted({log for log, _, _, _ in SHOTS} - {"edit-run"} | {"slow-motion"}):
        log = HERE / "logs" / f"{name}.jsonl"
        subprocess.run([script, "run", "--scenario", name, "--record", str(log), "--force"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([script, "run", "--scenario", "handler-bug", "-s", "threads",
                    "--strategy-file", str(own_copy()), "--force", "--record",
                    str(HERE / "logs" / "edit-run.jsonl")],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def own_copy() -> Path:
    """The user's copy of threads, as the app keeps it, in the home these pictures use."""
    return lessons.own_folder() / "threads.py"


def a_home_of_their_own(home: str) -> None:
    """A home holding only the learner's fixed copy of threads: the pictures never show the
    lessons of whoever makes them."""
    os.environ["HOME"] = home
    own_copy().parent.mkdir(parents=True)
    shutil.copyfile(FIXED_THREADS, own_copy())


async def shoot(
    log: str | None, picture: str, size: tuple[int, int], keys: tuple[str, ...]
) -> None:
    if log is None:  # the claims screen, over the claims run
        lines = (HERE / "logs" / "claims.jsonl").read_text().splitlines()
        app = AsyncPlayApp(start_server=False, lab_updates=[LabUpdate.from_json(x) for x in lines])
    else:
        app = AsyncPlayApp(replay=read(HERE / "logs" / f"{log}.jsonl"), start_server=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()
        app.save_screenshot(f"{picture}.svg", str(HERE))


async def shoot_tour(picture: str, size: tuple[int, int], title: str) -> None:
    tour = load_tour()
    at = next(index for index, step in enumerate(tour.steps) if step.title == title)
    recording = read_recording(TOUR_RECORDING.read_text(), tour, str(TOUR_RECORDING))
    app = AsyncPlayApp(tour=TourWalk(tour, recording, at=at))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)  # the step is laid out after it is shown
        app.save_screenshot(f"{picture}.svg", str(HERE))


async def zoom_svg(strategy: str) -> str:
    """The zoom of one style, as an SVG, at XRAY_AT seconds into the slow-motion run."""
    recorded = read(HERE / "logs" / "slow-motion.jsonl")
    cut = {name: [event for event in events if event.t <= XRAY_AT]
           for name, events in recorded.runs.items()}  # fmt: skip
    app = AsyncPlayApp(replay=EventLog(recorded.scenario, cut), start_server=False)
    async with app.run_test(size=XRAY_SIZE) as pilot:
        await pilot.pause()
        app.query_one(f"#panel-{strategy}").focus()
        await pilot.press("z")
        await pilot.pause(0.2)
        return app.export_screenshot(title=f"asyncplay: {strategy}")


def side_by_side(svgs: list[str], columns: int = 2) -> str:
    """SVG pictures of one size in a grid, as one SVG (each keeps its own styles: Rich names
    them after the picture's content)."""
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svgs[0])
    assert found is not None, "not an SVG of Rich's"
    width, height = (float(number) for number in found.groups())
    placed = [
        svg.replace("<svg ", f'<svg x="{(i % columns) * width}" y="{(i // columns) * height}" '
                    f'width="{width}" height="{height}" ', 1)
        for i, svg in enumerate(svgs)
    ]  # fmt: skip
    rows = -(-len(svgs) // columns)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width * columns} '
            f'{height * rows}">{"".join(placed)}</svg>')  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="record the logs again first")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asyncplay-screenshots-") as home:
        a_home_of_their_own(home)
        if arguments.record:
            record()
        shoot_all()


def shoot_all() -> None:
    shots = [*SHOTS, *((None, picture, size, keys) for picture, size, keys in CLAIM_SHOTS)]
    for log, picture, size, keys in shots:
        asyncio.run(shoot(log, picture, size, keys))
        print(HERE / f"{picture}.svg")
    for picture, size, title in TOUR_SHOTS:
        asyncio.run(shoot_tour(picture, size, title))
        print(HERE / f"{picture}.svg")
    xray = side_by_side([asyncio.run(zoom_svg(strategy)) for strategy in XRAY_STYLES])
    (HERE / "xray-side-by-side.svg").write_text(xray)
    print(HERE / "xray-side-by-side.svg")


if __name__ == "__main__":
    main()
