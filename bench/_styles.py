"""Which clients each style runs with, for the bench scripts that go through them all.

httpx is every style's but callbacks', whose lesson keeps Tornado's own client; the second
client is the one each style's users reach for (issue 18). `raw` is no library at all: the
style's floor, raw HTTP/1.1 over its own sockets or streams (bench/bare/<style>_raw.py).
"""

from __future__ import annotations

from pathlib import Path

BARE = Path(__file__).resolve().parent / "bare"

CLIENTS: dict[str, tuple[str, ...]] = {
    "sequential": ("httpx", "requests"),
    "threads": ("httpx", "requests"),
    "threadpool": ("httpx", "requests"),
    "gevent": ("httpx", "requests"),
    "callbacks": ("tornado",),
    "generators": ("httpx",),
    "asyncio": ("httpx", "aiohttp"),
    "taskgroup": ("httpx", "aiohttp"),
    "trio": ("httpx",),
}
FLOOR = "raw"


def bare_script(style: str, client: str) -> Path:
    """The hand-written script of `style` with `client` (FLOOR: the style's floor)."""
    return BARE / f"{style}_{client}.py"
