"""What the harness costs at scale, before a single request: the plan, its ideal time, and
how soon the first request of a 100,000-task run goes out.

    python bench/scale.py              # 10,000 and 100,000 tasks
    python bench/scale.py --no-run     # only the in-process numbers

In one process: building the plan, and its ideal time at a limit of 1,000 and with no limit,
against the slot scan the ideal used before (a `min` over every slot per task, O(N x K)),
medians of three. Then `asyncplay run -n 100000 -c 1000 -s asyncio`, as a user starts it:
the seconds from the command's start to its worker's clock, and to the first request (read
from the event log; every process shares the monotonic clock). The run is stopped by its
--deadline once the first requests are out; the whole run is not what is measured here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="skip the 100,000-task command")
    args = parser.parse_args()
    print("seconds, medians of 3 (the old scan: one try, it is slow)")
    print(f"{'tasks':>7}  {'plan':>8}  {'ideal@1k':>8}  {'scan@1k':>8}  {'ideal@N':>8}  "
          f"{'scan@N':>8}")  # fmt: skip
    in_process(10_000, scan=True)
    in_process(100_000, scan=False)  # the scan at N slots would take many minutes
    if not args.no_run:
        first_request(100_000, 1000)


if __name__ == "__main__":
    main()
