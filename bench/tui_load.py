"""How the app holds up with every strategy running thousands of tasks at once.

    python bench/tui_load.py                 # 8 strategies x 2,000 tasks, 200 ms latency
    python bench/tui_load.py -n 500 --size 80x24

Drives the real app headless (Textual's pilot, real workers, the real fault server) and
measures, while the runs are live:
  - each redraw tick: how long drawing the changed panels took (the budget at 30 Hz is 33 ms);
  - key latency, every quarter second: from a `tab` key event posted to the app until the
    focus has moved to the next panel (the key was handled), and from `?` until the help
    screen is up and `escape` until it is gone (a full-screen repaint each way). Not
    `pilot.press`: it also waits for the app to go idle, which a live run never does.
`sequential` needs count x latency seconds (400 s at the defaults), so the measurement stops
(and stops every worker) once the other seven are over. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from textual import events

from asyncplay.engine.workload import Scenario
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.screens.help import HelpScreen


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


async def measure(
    count: int, latency: float, size: tuple[int, int], probe_keys: bool, with_help: bool
) -> None:
    app = AsyncPlayApp(scenario=Scenario(count=count, latency_ms=latency, timeout_s=30))
    ticks: list[float] = []
    original = app._redraw

    def timed_redraw() -> None:
        start = time.perf_counter()
        original()
        ticks.append(time.perf_counter() - start)

    app._redraw = timed_redraw  # type: ignore[method-assign]
    keys: list[float] = []
    focus_keys: list[float] = []
    async with app.run_test(size=size) as pilot:
        await app.playground.start_server()
        started, cpu_started = time.perf_counter(), time.process_time()
        await pilot.press("r")
        states = app.playground.states
        concurrent = [state for name, state in states.items() if name != "sequential"]
        while not all(state.over for state in concurrent):
            await asyncio.sleep(0.25)
            if not probe_keys:
                continue
            app.query_one("#panel-asyncio").focus()  # tab from here lands on another panel
            await until(lambda: app.focused is app.query_one("#panel-asyncio"))
            focused, start = app.focused, time.perf_counter()
            app.post_message(events.Key("tab", None))
            await until(lambda was=focused: app.focused is not was)  # type: ignore[misc]
            focus_keys.append(time.perf_counter() - start)
            if not with_help:
                continue
            await asyncio.sleep(0.25)
            start = time.perf_counter()
            app.post_message(events.Key("question_mark", "?"))
            await until(lambda: isinstance(app.screen, HelpScreen))
            app.post_message(events.Key("escape", None))
            await until(lambda: not isinstance(app.screen, HelpScreen))
            keys.append(time.perf_counter() - start)
        elapsed = time.perf_counter() - started
        app_cpu = time.process_time() - cpu_started
        statuses: dict[str, Any] = {name: state.status for name, state in states.items()}
        await pilot.press("q")
    print(f"{len(states)} strategies x {count} tasks at {latency:g} ms, {size[0]}x{size[1]}: "
          f"all but sequential over in {elapsed:.1f} s; {statuses}")  # fmt: skip
    print(f"the app's own CPU in that time: {app_cpu:.1f} s ({app_cpu / elapsed:.0%} of one core)")
    print(summary("redraw tick", ticks))
    print(summary("key handled (tab moves the focus)", focus_keys))
    print(summary("help screen round trip (? then escape)", keys))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=200)
    parser.add_argument("--size", default="160x48", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument(
        "--no-help-probe",
        action="store_true",
        help="probe with tab only (the help screen repaints everything)",
    )
    parser.add_argument(
        "--no-probes",
        action="store_true",
        help="press no keys: the app's own cost of drawing the runs",
    )
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    probes, help_probe = not args.no_probes, not (args.no_help_probe or args.no_probes)
    asyncio.run(measure(args.count, args.latency, (width, height), probes, help_probe))


if __name__ == "__main__":
    main()
