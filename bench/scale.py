"""What the harness costs at scale, before a single request: the plan, its ideal time, and
how soon the first request of a 100,000-task run goes out. With --model: what each style
costs at 10,000 tasks with each of its clients, beside its floor.

    python bench/scale.py              # 10,000 and 100,000 tasks
    python bench/scale.py --no-run     # only the in-process numbers
    python bench/scale.py --model --json model.json    # 10,000 x 1 s, every style x client
    python bench/scale.py --model -n 2000 --latency 200 -s asyncio -s threads

In one process: building the plan, and its ideal time at a limit of 1,000 and with no limit,
against the slot scan the ideal used before (a `min` over every slot per task, O(N x K)),
medians of three. Then `asyncplay run -n 100000 -c 1000 -s asyncio`, as a user starts it:
the seconds from the command's start to its worker's clock, and to the first request (read
from the event log; every process shares the monotonic clock). The run is stopped by its
--deadline once the first requests are out; the whole run is not what is measured here.

--model: for each style, its floor (bench/bare/<style>_raw.py: raw HTTP/1.1 over the style's
own sockets or streams, no client library), then `asyncplay run --json -s STYLE --client C`
for each client the catalogue gives it, one after another, never two at once. A row per
style x client: wall, CPU, user / system, CPU per request, peak threads, RSS, and the floor's
wall and CPU beside them, with the CPU as a multiple of the floor's: what the library costs
on top of the model. sequential is left out unless named (10,000 x 1 s is 2.8 hours).
--json FILE keeps the report that scripts/model_table.py writes into the README.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _runs import asyncplay_run, bare_run
from _styles import CLIENTS, FLOOR

from asyncplay.engine.eventlog import read
from asyncplay.engine.events import RunStarted, TaskStarted
from asyncplay.engine.workload import Plan, Scenario, build_plan


def scan_ideal(plan: Plan, limit: int) -> float:
    """The ideal as it was computed before: the emptiest slot found by scanning them all."""
    timeout = plan.scenario.timeout_s
    slots = [0.0] * max(1, min(limit, len(plan.tasks)))
    for task in plan.tasks:
        earliest = min(range(len(slots)), key=slots.__getitem__)
        slots[earliest] += task.duration_s(timeout)
    return max(slots)


def median_s(work: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(count: int, scan: bool) -> None:
    scenario = Scenario(count=count, latency_ms=200, jitter_ms=50)
    plan = build_plan(scenario)
    cells = [f"{count:>7,}", f"{median_s(lambda: build_plan(scenario)):8.3f}"]
    for limit in (1000, count):
        cells.append(f"{median_s(lambda limit=limit: plan.ideal_s(limit)):8.3f}")  # type: ignore[misc]
        if scan:
            cells.append(f"{median_s(lambda limit=limit: scan_ideal(plan, limit), 1):8.3f}")  # type: ignore[misc]
        else:
            cells.append(f"{'–':>8}")
    print("  ".join(cells), flush=True)


def first_request(count: int, limit: int) -> None:
    script = Path(sys.executable).with_name("asyncplay")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "run.jsonl"
        start = time.monotonic()
        subprocess.run(
            [script, "run", "-n", str(count), "-c", str(limit), "-s", "asyncio",
             "--deadline", "15", "--json", "--record", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        run = read(log).runs["asyncio"]
    started = next(event for event in run if isinstance(event, RunStarted))
    first = min(event.t for event in run if isinstance(event, TaskStarted))
    clock, request = started.origin - start, started.origin + first - start
    print(f"asyncplay run -n {count:,} -c {limit:,} -s asyncio: the worker's clock started "
          f"{clock:.2f} s after the command, the first request {request:.2f} s after it "
          f"({first:.2f} s into the run)")  # fmt: skip


def model(
    count: int, latency_ms: float, styles: list[str], deadline_s: float | None
) -> dict[str, Any]:
    """Each style's floor, then each of its clients through asyncplay; the report."""
    report: dict[str, Any] = {
        "count": count, "latency_ms": latency_ms, "date": datetime.date.today().isoformat(),
        "python": platform.python_version(), "cores": os.cpu_count(),
        "load_before": [round(load, 2) for load in os.getloadavg()], "floors": {}, "runs": [],
    }  # fmt: skip
    print(f"{count:,} tasks x {latency_ms:g} ms; load average {report['load_before']}")
    print(MODEL_HEADER)
    for style in styles:
        floor = report["floors"][style] = bare_run(style, FLOOR, count, latency_ms)
        print(model_line({"style": style, "client": f"({FLOOR})", **floor}, None), flush=True)
        for asked, client in CLIENTS[style]:
            run = asyncplay_run(style, asked, count, latency_ms, deadline_s)
            report["runs"].append({"style": style, "client": client} | run)
            print(model_line(report["runs"][-1], floor), flush=True)
    report["load_after"] = [round(load, 2) for load in os.getloadavg()]
    print(f"load average after: {report['load_after']}")
    return report


MODEL_HEADER = (f"{'style':<11} {'client':<9} {'ok':>6} {'wall s':>7} {'cpu s':>7} "
                f"{'user/sys s':>12} {'ms/req':>6} {'threads':>7} {'RSS MB':>6}  "
                f"{'floor wall':>10} {'floor cpu':>9} {'x floor':>7}")  # fmt: skip


def model_line(run: dict[str, Any], floor: dict[str, Any] | None) -> str:
    """A row of the printed table; the floor's columns when there is a floor beside it."""
    head = f"{run['style']:<11} {run['client']:<9} {run['ok']:>6,}"
    if run["cpu_s"] is None:
        return f"{head}  {run['problem']}"
    split = "–"
    if run["cpu_user_s"] is not None:
        split = f"{run['cpu_user_s']:.2f}/{run['cpu_system_s']:.2f}"
    line = (f"{head} {run['wall_s']:>7.2f} {run['cpu_s']:>7.2f} {split:>12} "
            f"{run['cpu_s'] / run['tasks'] * 1000:>6.2f} {run['threads_peak']:>7,} "
            f"{run['max_rss_kb'] / 1024:>6.0f}")  # fmt: skip
    if floor is not None and floor["cpu_s"]:
        line += (f"  {floor['wall_s']:>10.2f} {floor['cpu_s']:>9.2f} "
                 f"{run['cpu_s'] / floor['cpu_s']:>6.1f}×")  # fmt: skip
    if run.get("problem"):
        line += f"  ({run['problem']})"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="skip the 100,000-task command")
    parser.add_argument("--model", action="store_true", help="each style x client beside its floor")
    parser.add_argument("-n", "--count", type=int, default=10_000, help="--model: tasks (10,000)")
    parser.add_argument("--latency", type=float, default=1000.0, help="--model: ms (1000)")
    parser.add_argument(
        "-s", "--style", action="append", choices=list(CLIENTS),
        help="--model: a style, repeatable (default: all but sequential)",
    )  # fmt: skip
    parser.add_argument("--deadline", type=float, help="--model: kill an asyncplay run after S s")
    parser.add_argument("--json", metavar="FILE", help="--model: write the report here too")
    args = parser.parse_args()
    if args.model:
        if args.count < 1 or args.latency < 0:
            parser.error("-n must be 1 or more and --latency 0 or more")
        styles = args.style or [style for style in CLIENTS if style != "sequential"]
        report = model(args.count, args.latency, styles, args.deadline)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        return
    print("seconds, medians of 3 (the old scan: one try, it is slow)")
    print(f"{'tasks':>7}  {'plan':>8}  {'ideal@1k':>8}  {'scan@1k':>8}  {'ideal@N':>8}  "
          f"{'scan@N':>8}")  # fmt: skip
    in_process(10_000, scan=True)
    in_process(100_000, scan=False)  # the scan at N slots would take many minutes
    if not args.no_run:
        first_request(100_000, 1000)


if __name__ == "__main__":
    main()
