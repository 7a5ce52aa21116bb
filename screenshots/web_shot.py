"""Make README's picture of the playground in a browser: `asyncplay web` in headless Chromium.

    python screenshots/web_shot.py     # writes screenshots/web.png (needs chromium on PATH)

The page runs the handler-bug scenario for real: `r` is pressed in the page, and Chromium
takes the picture once every panel has finished. The browser is driven by
browser.py, as tests/test_web.py drives it.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from browser import CHROMIUM, Chromium, web_server

from asyncplay.engine.catalogue import STRATEGIES

HERE = Path(__file__).resolve().parent
PICTURE = HERE / "web.png"
# 16 px text in 1680×960 CSS pixels: about 175×50 cells, the 4×2 grid.
SIZE = (1680, 960)
SCENARIO = ("--scenario", "handler-bug")


IDLE = "not run yet"


def idle(text: str) -> bool:
    return text.count(IDLE) == len(STRATEGIES)


def finished(text: str) -> bool:
    over = IDLE not in text and "running" not in text and "starting" not in text
    return over and text.count("wall ") == len(STRATEGIES)


async def shoot() -> None:
    mark = uuid.uuid4().hex
    async with web_server(*SCENARIO, mark=mark) as (url, _), Chromium.launch(mark) as browser:
        page = await browser.open(url, SIZE)
        await page.shows(idle, "the idle panels")
        await page.press("r")
        await page.shows(finished, "every panel finished")
        await page.screenshot(PICTURE)


def main() -> None:
    if CHROMIUM is None:
        raise SystemExit("no chromium on PATH: install it (apt-get install chromium)")
    asyncio.run(shoot())
    print(PICTURE)


if __name__ == "__main__":
    main()
