"""Make the README's screenshots from recorded event logs.

    python screenshots/make.py            # SVGs from screenshots/logs/*.jsonl
    python screenshots/make.py --record   # first record the logs again from real runs

The logs come from real runs (`asyncplay run --scenario NAME --record`); the pictures are
the app replaying them, so they change only when the logs or the app do. The claims log is
the run behind README's claims table: `python scripts/claims_table.py` records it.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
from pathlib import Path

from asyncplay.engine.eventlog import EventLog, read
from asyncplay.engine.labrunner import LabUpdate
from asyncplay.tui.app import AsyncPlayApp

HERE = Path(__file__).resolve().parent
WIDE, NARROW = (160, 48), (80, 24)
# (log, picture, size, keys pressed before the picture is taken)
SHOTS = [
    ("clean", "clean", WIDE, ()),
    ("handler-bug", "handler-bug", WIDE, ()),
    ("handler-bug", "handler-bug-80x24", NARROW, ()),
    ("handler-bug", "handler-bug-zoom-callbacks", WIDE, ("down", "z", "e", "end")),
    ("blocking", "blocking", WIDE, ()),
]
# (picture, size, keys) of the claims screen, over logs/claims.jsonl
CLAIM_SHOTS = [("claims-deadlocks", WIDE, ("l", *["down"] * 8))]
# The X-ray of four styles at the same moment of the slow-motion run, side by side: each
# zoom at XRAY_SIZE, the log cut at XRAY_AT seconds (all three tasks wait for responses).
XRAY_STYLES = ("threads", "gevent", "callbacks", "asyncio")
XRAY_SIZE, XRAY_AT = (84, 30), 1.0


def record() -> None:
    script = Path(sys.executable).with_name("asyncplay")
    for name in sorted({log for log, _, _, _ in SHOTS} | {"slow-motion"}):
        log = HERE / "logs" / f"{name}.jsonl"
        subprocess.run([script, "run", "--scenario", name, "--record", str(log)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


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
    if parser.parse_args().record:
        record()
    shots = [*SHOTS, *((None, picture, size, keys) for picture, size, keys in CLAIM_SHOTS)]
    for log, picture, size, keys in shots:
        asyncio.run(shoot(log, picture, size, keys))
        print(HERE / f"{picture}.svg")
    xray = side_by_side([asyncio.run(zoom_svg(strategy)) for strategy in XRAY_STYLES])
    (HERE / "xray-side-by-side.svg").write_text(xray)
    print(HERE / "xray-side-by-side.svg")


if __name__ == "__main__":
    main()
