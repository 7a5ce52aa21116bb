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
import subprocess
import sys
from pathlib import Path

from asyncplay.engine.eventlog import read
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


def record() -> None:
    script = Path(sys.executable).with_name("asyncplay")
    for name in sorted({log for log, _, _, _ in SHOTS}):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="record the logs again first")
    if parser.parse_args().record:
        record()
    shots = [*SHOTS, *((None, picture, size, keys) for picture, size, keys in CLAIM_SHOTS)]
    for log, picture, size, keys in shots:
        asyncio.run(shoot(log, picture, size, keys))
        print(HERE / f"{picture}.svg")


if __name__ == "__main__":
    main()
