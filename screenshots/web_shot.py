"""Make README's picture of the playground in a browser: `asyncplay web` in headless Chromium.

    python screenshots/web_shot.py     # writes screenshots/web.png (needs chromium on PATH)

The page runs the handler-bug scenario for real: `r` is pressed in the page, and Chromium
takes the picture once every panel has finished. The browser is driven as
tests/test_web.py drives it (the DevTools protocol over a websocket).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from test_web import (  # noqa: E402  (tests/ is not a package)
    CHROMIUM,
    IDLE,
    RUN_S,
    START_S,
    Chromium,
    Page,
    until,
    web_server,
)

from asyncplay.engine.catalogue import STRATEGIES  # noqa: E402

PICTURE = HERE / "web.png"
# 16 px text in 1680×960 CSS pixels: about 175×50 cells, the 4×2 grid.
SIZE = (1680, 960)
SCENARIO = ("--scenario", "handler-bug")


async def _screen(page: Page, wanted: str) -> str | None:
    """The screen's text once it is `wanted`: every panel idle, or every panel finished."""
    text = await page.text()
    idle = text.count(IDLE) == len(STRATEGIES)
    finished = IDLE not in text and "running" not in text and "starting" not in text
    finished = finished and text.count("wall ") == len(STRATEGIES)
    return text if (idle if wanted == "idle" else finished) else None


async def shoot() -> None:
    async with (
        web_server(*SCENARIO, marker=uuid.uuid4().hex) as (url, _),
        Chromium.launch() as browser,
    ):
        page = await browser.open(url, SIZE)
        await until(lambda: _screen(page, "idle"), "the idle panels", START_S, page)
        await page.press("r")
        await until(lambda: _screen(page, "finished"), "every panel to finish", RUN_S, page)
        await page.screenshot(PICTURE)


def main() -> None:
    if CHROMIUM is None:
        raise SystemExit("no chromium on PATH: install it (apt-get install chromium)")
    asyncio.run(shoot())
    print(PICTURE)


if __name__ == "__main__":
    main()
