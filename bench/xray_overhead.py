"""What the X-ray costs a run: the same strategy, the same plan, with the X-ray on and off.

    python bench/xray_overhead.py                  # 200 tasks, 200 ms ±50, 5 pairs a strategy
    python bench/xray_overhead.py -n 50 200 500 1000 --latency 1000

Each pair runs one strategy twice through the real runner and worker against the project's
own fault server, X-ray off then on (the next pair on then off). CPU is the worker's: its
`cpu_s` (the lesson's threads, less the reporter's own) plus, with the X-ray on, the
sampler thread's own CPU (`xray_cpu_s`), so a slower lesson (the sampler holds the GIL while
it looks) and the looking itself both count. The ratio is on / off per pair; the median of
the pairs is printed; so is "own", the sampler's own CPU over the run's without it (the part
of the ratio that is not noise: the lesson's CPU varies by more than the X-ray costs), and the
looks a run sent and the sampler's CPU per look and per task.
The X-ray's task limit (`xray.MAX_TASKS`) comes from these numbers: above it the X-ray is off
by default. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys

from _server import fault_server

from asyncplay.engine import xray
from asyncplay.engine.catalogue import STRATEGIES
from asyncplay.engine.fold import RunState
from asyncplay.engine.runner import run_strategy
from asyncplay.engine.server_process import refused_port
from asyncplay.engine.targets import Target
from asyncplay.engine.workload import Scenario


async def one_run(strategy: str, scenario: Scenario, target: Target, on: bool) -> RunState:
    state = RunState()
    await run_strategy(strategy, scenario, target, lambda event: state.apply(event), xray=on)
    if not state.completed:
        raise RuntimeError(f"{strategy} did not finish: {state.status} {state.aborted}")
    return state


def cpu(state: RunState) -> float:
    assert state.finished is not None
    return state.finished.cpu_s + state.finished.xray_cpu_s


async def measure(counts: list[int], latency: float, jitter: float, pairs: int,
                  strategies: list[str]) -> None:  # fmt: skip
    print(f"X-ray limit in this build: {xray.MAX_TASKS} tasks; a look every "
          f"{xray.EVERY_S * 1000:.0f} ms or more, "
          f"at most {xray.BUDGET * 100:g}% of a core")  # fmt: skip
    print(f"latency {latency:g} ms ±{jitter:g}, {pairs} pairs; CPU = cpu_s + xray_cpu_s, "
          "median of per-pair on/off ratios\n")  # fmt: skip
    print(f"{'tasks':>5}  {'strategy':<11} {'cpu off s':>9} {'cpu on s':>9} {'ratio':>6} "
          f"{'own':>6}  {'looks':>5} {'µs/look':>8} {'µs/look/task':>12}")  # fmt: skip
    with fault_server() as server, refused_port() as refused:
        target = Target(server.url, refused)
        for count in counts:
            scenario = Scenario(count=count, latency_ms=latency, jitter_ms=jitter, timeout_s=30)
            worst: list[float] = []
            for strategy in strategies:
                ratios, offs, ons, looks, per_look, own = [], [], [], [], [], []
                for pair in range(pairs):
                    order = (False, True) if pair % 2 == 0 else (True, False)
                    runs = {on: await one_run(strategy, scenario, target, on) for on in order}
                    off, on = runs[False], runs[True]
                    assert on.finished is not None
                    ratios.append(cpu(on) / cpu(off))
                    offs.append(cpu(off))
                    ons.append(cpu(on))
                    looks.append(len(on.samples))
                    own.append(on.finished.xray_cpu_s / cpu(off))
                    if on.samples:
                        per_look.append(on.finished.xray_cpu_s / len(on.samples))
                sampled = on.xray.startswith("on")
                look_us = statistics.median(per_look) * 1e6 if per_look else 0.0
                ratio = statistics.median(ratios)
                worst.append(ratio)
                print(f"{count:>5}  {strategy:<11} {statistics.median(offs):>9.3f} "
                      f"{statistics.median(ons):>9.3f} {ratio:>6.3f} "
                      f"{statistics.median(own):>6.1%}  "
                      f"{statistics.median(looks) if sampled else 0:>5.0f} {look_us:>8.0f} "
                      f"{look_us / count:>12.2f}")  # fmt: skip
            print(f"{count:>5}  worst ratio {max(worst):.3f}\n")
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, nargs="+", default=[200])
    parser.add_argument("--latency", type=float, default=200)
    parser.add_argument("--jitter", type=float, default=50)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("-s", "--strategy", action="append", dest="strategies")
    args = parser.parse_args()
    strategies = args.strategies or [name for name in STRATEGIES if name != "sequential"]
    asyncio.run(measure(args.count, args.latency, args.jitter, args.pairs, strategies))


if __name__ == "__main__":
    main()
