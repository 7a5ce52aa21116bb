"""Make the README's screenshots from recorded event logs.

    python screenshots/make.py            # SVGs from screenshots/logs/*.jsonl
    python screenshots/make.py --record   # first record the logs again from real runs

The logs come from real runs (`asyncplay run --scenario NAME --record`); the pictures are
the app replaying them, so they change only when the logs or the app do.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from pathlib import Path

from asyncplay.engine.eventlog import read
from asyncplay.tui.app import AsyncPlayApp

HERE = Path(__file__).resolve().parent
SIZE = (160, 48)
# (log, picture, keys pressed before the picture is taken)
SHOTS = [
    ("clean", "clean", ()),
    ("handler-bug", "handler-bug", ()),
    ("handler-bug", "handler-bug-zoom-callbacks", ("tab", "tab", "tab", "tab", "z", "e")),
    ("blocking", "blocking", ()),
]


def record() -> None:
    script = Path(sys.executable).with_name("asyncplay")
    for name in sorted({log for log, _, _ in SHOTS}):
        log = HERE / "logs" / f"{name}.jsonl"
        subprocess.run([script, "run", "--scenario", name, "--record", str(log)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


async def shoot(log: str, picture: str, keys: tuple[str, ...]) -> None:
    app = AsyncPlayApp(replay=read(HERE / "logs" / f"{log}.jsonl"), start_server=False)
    async with app.run_test(size=SIZE) as pilot:
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
    for log, picture, keys in SHOTS:
        asyncio.run(shoot(log, picture, keys))
        print(HERE / f"{picture}.svg")


if __name__ == "__main__":
    main()
