"""How the app holds up with every strategy running thousands of tasks at once.

    python bench/tui_load.py                 # 8 strategies x 2,000 tasks, 200 ms latency
    python bench/tui_load.py -n 500 --size 80x24
    python bench/tui_load.py -n 500 --zoom asyncio   # in asyncio's zoom, its X-ray on
    python bench/tui_load.py -r 3            # three runs, their samples pooled
    python bench/tui_load.py --hogs 2 --nice 10      # a busy machine; workers at nice 10

Drives the real app headless (Textual's pilot, real workers, the real fault server) and
measures, while the runs are live:
  - each redraw tick: how long drawing the changed panels took (the budget at 30 Hz is 33 ms);
  - key latency, every quarter second: from a `tab` key event posted to the app until the
    focus has moved to the next panel (the key was handled), and from `?` until the help
    screen is up and `escape` until it is gone (a full-screen repaint each way). Not
    `pilot.press`: it also waits for the app to go idle, which a live run never does.
    With `--zoom NAME` the zoom of that strategy is opened (z on its panel) before the run
    starts and stays open; the keys probed are the zoom's own, `e` then `t`, each until
    the tab it shows is the active one;
  - the garbage collector's full (oldest generation) collections: how many, and the
    longest. One stops the whole app while it walks every object the app holds.
`sequential` needs count x latency seconds (400 s at the defaults), so the measurement stops
(and stops every worker) once the other seven are over. One run gives ~20 key samples, so its
p95 is its second slowest: `-r` pools several runs. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.widgets import TabbedContent

from asyncplay.engine.workload import Scenario
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.help import HelpScreen
from asyncplay.tui.screens.zoom import ZoomScreen


def summary(name: str, samples: list[float]) -> str:
    if not samples:
        return f"{name}: no samples"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"{name}: n={len(samples)} median {statistics.median(samples) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms")  # fmt: skip


async def until(condition: Any, limit_s: float = 30.0) -> None:
    """Poll every millisecond until `condition()`; give up loudly after `limit_s`."""
    deadline = time.perf_counter() + limit_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not answer within the limit")
        await asyncio.sleep(0.001)


async def timed_key(app: AsyncPlayApp, key: str, character: str | None, done: Any) -> float:
    """Post `key` to the app; seconds until `done()` says it was handled."""
    start = time.perf_counter()
    app.post_message(events.Key(key, character))
    await until(done)
    return time.perf_counter() - start


async def tab_key(app: AsyncPlayApp) -> list[float]:
    """From asyncio's panel, `tab` until the focus has moved on."""
    panel = app.query_one("#panel-asyncio")
    panel.focus()  # tab from here lands on another panel
    await until(lambda: app.focused is panel)
    return [await timed_key(app, "tab", None, lambda: app.focused is not panel)]


async def zoom_keys(app: AsyncPlayApp) -> list[float]:
    """In the zoom, `e` until the Errors tab is the active one, then, a quarter second later
    as between the panels' probes, `t` until Tasks is."""
    tabs = app.screen.query_one(TabbedContent)
    errors = await timed_key(app, "e", "e", lambda: tabs.active == "tab-errors")
    await asyncio.sleep(0.25)
    return [errors, await timed_key(app, "t", "t", lambda: tabs.active == "tab-tasks")]


async def help_round_trip(app: AsyncPlayApp) -> float:
    """`?` until help is up, then `escape` until the screen under it is back."""
    screen, start = app.screen, time.perf_counter()
    app.post_message(events.Key("question_mark", "?"))
    await until(lambda: isinstance(app.screen, HelpScreen))
    app.post_message(events.Key("escape", None))
    await until(lambda: app.screen is screen)
    return time.perf_counter() - start


class FullCollections:
    """Times the garbage collector's collections of its oldest generation while on."""

    def __init__(self, took: list[float]) -> None:
        self.took = took
        self._started = 0.0

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.took.append(time.perf_counter() - self._started)


@dataclass
class Samples:
    """What the runs measured, pooled."""

    ticks: list[float] = field(default_factory=list)
    keys: list[float] = field(default_factory=list)
    help: list[float] = field(default_factory=list)
    collections: list[float] = field(default_factory=list)


async def measure(
    samples: Samples,
    count: int,
    latency: float,
    size: tuple[int, int],
    probe_keys: bool,
    with_help: bool,
    zoom: str | None = None,
    nice: int | None = None,
) -> None:
    app = AsyncPlayApp(scenario=Scenario(count=count, latency_ms=latency, timeout_s=30))
    if nice is not None:
        app.playground.session.nice = nice
    original = app._redraw

    def timed_redraw() -> None:
        start = time.perf_counter()
        original()
        samples.ticks.append(time.perf_counter() - start)

    app._redraw = timed_redraw  # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await app.playground.start_server()
        if zoom is not None:  # its panel focused, z; the zoom stays open through the run
            app.query_one(f"#panel-{zoom}").focus()
            await pilot.press("z")
            await until(lambda: isinstance(app.screen, ZoomScreen))
        with FullCollections(samples.collections):
            started, cpu_started = time.perf_counter(), time.process_time()
            await pilot.press("r")
            states = app.playground.states
            concurrent = [state for name, state in states.items() if name != "sequential"]
            while not all(state.over for state in concurrent):
                await asyncio.sleep(0.25)
                if not probe_keys:
                    continue
                samples.keys.extend(await (zoom_keys(app) if zoom else tab_key(app)))
                if with_help:
                    await asyncio.sleep(0.25)
                    samples.help.append(await help_round_trip(app))
            elapsed = time.perf_counter() - started
            app_cpu = time.process_time() - cpu_started
        statuses: dict[str, Any] = {name: state.status for name, state in states.items()}
        await pilot.press("q")
    where = f", in {zoom}'s zoom (X-ray {states[zoom].xray or 'not reported'})" if zoom else ""
    print(f"{len(states)} strategies x {count} tasks at {latency:g} ms, {size[0]}x{size[1]}"
          f"{where}: all but sequential over in {elapsed:.1f} s; {statuses}")  # fmt: skip
    print(f"the app's own CPU in that time: {app_cpu:.1f} s ({app_cpu / elapsed:.0%} of one core)")


def report(samples: Samples, zoom: str | None) -> None:
    print(summary("redraw tick", samples.ticks))
    probed = "e, t switch the zoom's tab" if zoom else "tab moves the focus"
    print(summary(f"key handled ({probed})", samples.keys))
    print(summary("help screen round trip (? then escape)", samples.help))
    print(summary("full garbage collection", samples.collections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=200)
    parser.add_argument("--size", default="160x48", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("-r", "--runs", type=int, default=1, help="runs, their samples pooled")
    parser.add_argument(
        "--zoom",
        metavar="NAME",
        help="open this strategy's zoom before the run and probe its keys (e, t) instead of tab",
    )
    parser.add_argument(
        "--no-help-probe",
        action="store_true",
        help="probe with tab only (the help screen repaints everything)",
    )
    parser.add_argument(
        "--nice", type=int, help="the workers' CPU priority (default: the app's WORKER_NICE)"
    )
    parser.add_argument(
        "--hogs", type=int, default=0,
        help="run this many CPU-bound processes beside it, at normal priority (a busy machine)",
    )  # fmt: skip
    parser.add_argument(
        "--no-probes",
        action="store_true",
        help="press no keys: the app's own cost of drawing the runs",
    )
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    probes, help_probe = not args.no_probes, not (args.no_help_probe or args.no_probes)
    samples = Samples()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    try:
        for _ in range(args.runs):
            asyncio.run(
                measure(samples, args.count, args.latency, (width, height), probes, help_probe,
                        args.zoom, args.nice)
            )  # fmt: skip
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    report(samples, args.zoom)


if __name__ == "__main__":
    main()
