"""wall / ideal per strategy: what each concurrency style (and its libraries) costs.

Runs the installed `asyncplay run --json` (the console script next to this interpreter) and
prints, per strategy, the wall time, the plan's ideal time (its critical path with no
overhead at all), their ratio, and the worker's CPU time. With `--repeat R` it runs the whole
thing R times and reports the median of each column, since a single run on a shared machine
is noisy.

    python bench/ideal_ratio.py                         # -n 200 --latency 200, all strategies
    python bench/ideal_ratio.py -n 2000 -s asyncio -s gevent -s callbacks -s taskgroup -r 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

COLUMNS = ("wall_s", "ideal_s", "ratio", "cpu_s")


def asyncplay_command() -> list[str]:
    """The installed console script, from the same environment as this interpreter."""
    script = Path(sys.executable).with_name("asyncplay")
    if not script.exists():
        sys.exit(f"no asyncplay console script next to {sys.executable}; pip install it first")
    return [str(script)]


def run_once(count: int, latency_ms: float, strategies: list[str]) -> list[dict[str, Any]]:
    """One `asyncplay run --json`; the results list, one entry per strategy."""
    command = [*asyncplay_command(), "run", "--json", "-n", str(count)]
    command += ["--latency", f"{latency_ms:g}"]
    for strategy in strategies:
        command += ["-s", strategy]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"asyncplay run exited {done.returncode}:\n{done.stderr.strip()}")
    results: list[dict[str, Any]] = json.loads(done.stdout)["results"]
    for result in results:
        if result["status"] != "done" or result["ok"] != result["tasks"]:
            print(f"warning: {result['strategy']} {result['status']}, {result['ok']} ok "
                  f"of {result['tasks']}: {result['detail']}", file=sys.stderr)  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=200, help="tasks (default 200)")
    parser.add_argument("--latency", type=float, default=200.0, help="ms per request (200)")
    parser.add_argument(
        "-s", "--strategy", action="append", default=[], help="repeatable; default: all"
    )
    parser.add_argument("-r", "--repeat", type=int, default=1, help="runs; medians reported")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 50:
        parser.error("--repeat must be 1..50")

    rows: dict[str, dict[str, list[float]]] = {}
    for run in range(args.repeat):
        for result in run_once(args.count, args.latency, args.strategy):
            row = rows.setdefault(result["strategy"], {column: [] for column in COLUMNS})
            row["wall_s"].append(result["wall_s"])
            row["ideal_s"].append(result["ideal_s"])
            row["ratio"].append(result["wall_s"] / result["ideal_s"])
            row["cpu_s"].append(result["cpu_s"])
        print(f"run {run + 1}/{args.repeat} done", file=sys.stderr)

    label = "median of " + str(args.repeat) if args.repeat > 1 else "one run"
    print(f"-n {args.count} --latency {args.latency:g} ({label})")
    print(f"{'strategy':<12} {'wall s':>8} {'ideal s':>8} {'wall/ideal':>10} {'cpu s':>8}")
    for strategy, row in rows.items():
        wall, ideal, ratio, cpu = (statistics.median(row[column]) for column in COLUMNS)
        print(f"{strategy:<12} {wall:>8.3f} {ideal:>8.3f} {ratio:>10.3f} {cpu:>8.3f}")


if __name__ == "__main__":
    main()
