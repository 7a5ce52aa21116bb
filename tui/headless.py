"""`asyncplay run`: the engine without the app, for demos, reports and scripts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import IO

from ..engine.eventlog import LogWriter
from ..engine.events import Event
from ..engine.fold import RunState
from ..engine.result import summary
from ..engine.runner import HarnessError, run_scenario
from ..engine.targets import Target, parse_target
from ..engine.workload import Scenario, build_plan
from ..strategies import STRATEGIES
from .usage import EXIT_HARNESS, EXIT_OK, UsageError


def run(args: argparse.Namespace, scenario: Scenario) -> int:
    strategies = args.strategies or list(STRATEGIES)
    unknown = [name for name in strategies if name not in STRATEGIES]
    if unknown:
        raise UsageError(f"unknown strategy {unknown[0]!r} (known: {', '.join(STRATEGIES)})")
    plan = build_plan(scenario)  # refuses an impossible plan before anything starts
    target_url = parse_target(args.target) if args.target else None
    if target_url:
        Target(target_url, "", httpbin=True).urls(plan)

    states = {name: RunState() for name in strategies}
    try:
        _run_and_record(args, scenario, strategies, states, target_url)
    except HarnessError as error:
        print(f"asyncplay: {error}", file=sys.stderr)
        return EXIT_HARNESS
    except OSError as error:  # writing the event log failed midway (a full disk, say)
        print(f"asyncplay: cannot write {args.record}: {error.strerror}", file=sys.stderr)
        return EXIT_HARNESS

    results = [summary(states[name]) for name in strategies]
    if args.json:
        print(json.dumps({"scenario": scenario.to_dict(), "results": results}, indent=2))
    else:
        from rich.console import Console

        from .table import comparison

        # Piped output is not squeezed into 80 columns: the table wants about 160.
        Console(width=None if sys.stdout.isatty() else 180).print(comparison(scenario, results))
    failed = [state for state in states.values() if state.status != "done"]
    return EXIT_HARNESS if failed else EXIT_OK


def _run_and_record(
    args: argparse.Namespace, scenario: Scenario, strategies: list[str],
    states: dict[str, RunState], target_url: str | None,
) -> None:  # fmt: skip
    """Run the strategies, folding their events into `states` and, with --record, a log."""
    with contextlib.ExitStack() as stack:
        record: LogWriter | None = None
        if args.record:
            record = LogWriter(_open_for_writing(args.record, stack), scenario, strategies)
        progress = _Progress(enabled=not args.json and sys.stderr.isatty())
        stack.callback(progress.clear)

        def sink(strategy: str, event: Event) -> None:
            states[strategy].apply(event)
            if record:
                record.write(strategy, event)
            progress.show(states[strategy])

        asyncio.run(run_scenario(scenario, strategies, sink, target_url, args.deadline))


def _open_for_writing(path: str, stack: contextlib.ExitStack) -> IO[str]:
    try:
        return stack.enter_context(open(path, "w"))
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


class _Progress:
    """One self-erasing line on a terminal's stderr: which strategy, how far along."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = ""

    def show(self, state: RunState) -> None:
        if not self.enabled:
            return
        counts = state.counts()
        done = counts["ok"] + counts["failed"]
        line = f"{state.strategy}: {done}/{len(state.tasks)} tasks, {state.now:.1f} s"
        if line != self.last:
            self.last = line
            sys.stderr.write(f"\r\x1b[K{line}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled and self.last:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
