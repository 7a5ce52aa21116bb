"""asyncplay against a bare script: what the harness costs a run, style by style and client by
client.

    python bench/pairs.py                          # all but sequential, N=200 and 2,000
    python bench/pairs.py -s sequential --latency 10     # sequential's runs take N x latency
    python bench/pairs.py -s asyncio -n 2000 -r 9 --json pairs.json
    python bench/pairs.py --null                  # bare against bare: the protocol's noise

For each style x client and each N: `asyncplay run --json -s STYLE --client C` (the installed
console script, as a user runs it) and the bare script of the same style with the same client
(bench/bare/<style>_<client>.py: the lesson's code and its client's settings, no asyncplay),
one after the other, R times (a, b, a, b, ...; never two at once). Each pair gives a CPU ratio,
asyncplay / bare; printed are the median of the ratios and their range, and the medians of
each side's CPU. `--null` puts the bare script on both sides: how far from 1.00 the same run
twice lands under this protocol, the noise a ratio must clear. Both sides count the same
window: the worker's `cpu_s` is its lesson's
`main(job)` alone (engine/worker/worker.py), less the reporter's own thread; the bare script
measures from just before its `main(job)` to just after. The issue's bar is BAR.

asyncplay runs as `asyncplay run --json` always does: with its reporter's tick and every
instrumented request, and without the X-ray, which a run looks with only when it records a
log (bench/xray_overhead.py measures what the X-ray adds in the app, at 500 tasks or fewer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path
from typing import Any

from _runs import asyncplay_run, bare_run
from _styles import CLIENTS

BAR = 1.10
Run = dict[str, Any]


def summary(pairs: list[tuple[Run, Run]]) -> dict[str, Any]:
    """The median CPU ratio of the pairs that both ran whole, its range, each side's median."""
    whole = [(ours, bare) for ours, bare in pairs
             if not ours["problem"] and not bare["problem"] and bare["cpu_s"]]  # fmt: skip
    if not whole:
        return {"ratio": None, "failed_pairs": len(pairs), "within_bar": False}
    ratios = [ours["cpu_s"] / bare["cpu_s"] for ours, bare in whole]
    ratio = statistics.median(ratios)
    return {
        "ratio": ratio, "low": min(ratios), "high": max(ratios),
        "asyncplay_cpu_s": statistics.median(ours["cpu_s"] for ours, _ in whole),
        "bare_cpu_s": statistics.median(bare["cpu_s"] for _, bare in whole),
        "failed_pairs": len(pairs) - len(whole), "within_bar": ratio <= BAR,
    }  # fmt: skip


def measure(style: str, asked: str, client: str, count: int, latency_ms: float,
            repeat: int, null: bool = False) -> list[tuple[Run, Run]]:  # fmt: skip
    """`repeat` pairs; with `null`, the bare script against itself: what the same side
    twice gives under this protocol, on this machine (the noise a ratio must clear)."""
    pairs = []
    for _ in range(repeat):
        if null:
            ours = bare_run(style, client, count, latency_ms)
        else:
            ours = asyncplay_run(style, asked, count, latency_ms)
        pairs.append((ours, bare_run(style, client, count, latency_ms)))
    return pairs


def header(null: bool) -> str:
    first = "bare cpu s" if null else "asyncplay cpu s"
    return (f"{'style':<11} {'client':<8} {'N':>6} {first:>15} {'bare cpu s':>10} "
            f"{'ratio':>6} {'range':>11}")  # fmt: skip


def line(case: dict[str, Any]) -> str:
    head = f"{case['style']:<11} {case['client']:<8} {case['count']:>6}"
    if case["ratio"] is None:
        problems = {side["problem"] for pair in case["pairs"] for side in pair} - {None}
        return f"{head}  every pair failed: {'; '.join(sorted(problems))}"
    spread = f"{case['low']:.2f}–{case['high']:.2f}"
    text = (f"{head} {case['asyncplay_cpu_s']:>15.3f} {case['bare_cpu_s']:>10.3f} "
            f"{case['ratio']:>6.3f} {spread:>11}")  # fmt: skip
    if not case["within_bar"]:
        text += f"  over {BAR:.2f}"
    if case["failed_pairs"]:
        text += f"  ({case['failed_pairs']} pairs failed)"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-s", "--style", action="append", choices=list(CLIENTS),
                        help="a style, repeatable (default: all but sequential)")  # fmt: skip
    parser.add_argument("-n", "--count", type=int, action="append",
                        help="tasks, repeatable (default: 200 and 2,000)")  # fmt: skip
    parser.add_argument("-r", "--repeat", type=int, default=5, help="pairs (default 5)")
    parser.add_argument("--latency", type=float, default=200.0, help="ms per request (200)")
    parser.add_argument("--json", metavar="FILE", help="write every run and ratio here too")
    parser.add_argument(
        "--null", action="store_true", help="the bare script against itself: its own noise"
    )
    args = parser.parse_args()
    counts = args.count or [200, 2000]
    if not 1 <= args.repeat <= 50 or min(counts) < 1 or args.latency < 0:
        parser.error("-r must be 1..50, -n 1 or more, --latency 0 or more")
    styles = args.style or [style for style in CLIENTS if style != "sequential"]

    load_before = [round(load, 2) for load in os.getloadavg()]
    sides = "bare against bare (--null)" if args.null else "asyncplay against bare"
    print(f"{args.repeat} pairs each, {sides}, {args.latency:g} ms; load average {load_before}")
    print(header(args.null))
    cases = []
    for style in styles:
        for asked, client in CLIENTS[style]:
            for count in counts:
                pairs = measure(style, asked, client, count, args.latency, args.repeat,
                                args.null)  # fmt: skip
                cases.append({"style": style, "client": client, "count": count,
                              "pairs": pairs, **summary(pairs)})  # fmt: skip
                print(line(cases[-1]), flush=True)
    load_after = [round(load, 2) for load in os.getloadavg()]
    print(f"load average after: {load_after}")
    if args.json:
        report = {"latency_ms": args.latency, "repeat": args.repeat, "bar": BAR,
                  "load_before": load_before, "load_after": load_after, "cases": cases}  # fmt: skip
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
