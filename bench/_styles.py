"""Which clients each style runs with, for the bench scripts that go through them all, as the
engine's catalogue says (httpx, the style's second client, or the one it keeps of its own).

FLOOR is no library at all: the style's floor, raw HTTP/1.1 over its own sockets or streams
(bench/bare/<style>_raw.py).
"""

from __future__ import annotations

from pathlib import Path

from asyncplay.engine.catalogue import STRATEGIES, client_run, clients_of

BARE = Path(__file__).resolve().parent / "bare"
FLOOR = "raw"
# What each style fetches with, by the name a scenario gives the client and the name of the
# client that really runs (callbacks: asked for httpx, it runs Tornado's).
CLIENTS: dict[str, tuple[tuple[str, str], ...]] = {
    style: tuple((client, client_run(style, client)) for client in clients_of(style))
    for style in STRATEGIES
}


def bare_script(style: str, client: str) -> Path:
    """The hand-written script of `style` with `client` (FLOOR: the style's floor)."""
    return BARE / f"{style}_{client}.py"
