"""`asyncplay run`: the engine without the app, for demos, reports and scripts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import signal
import stat
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import IO, Any

from ..engine import lessons
from ..engine.catalogue import STRATEGIES, lesson_module, no_lesson
from ..engine.errors import HarnessError, LessonError, UsageError, quoted
from ..engine.eventlog import LogWriter
from ..engine.events import Event
from ..engine.fold import RunState
from ..engine.result import ResultRow
from ..engine.session import Session
from ..engine.targets import Target, parse_target
from ..engine.workload import Scenario, build_plan
from .usage import EXIT_HARNESS, EXIT_HUNG_UP, EXIT_OK, EXIT_TERMINATED

# How long the --target check waits for the server to answer at all.
TARGET_CHECK_S = 5.0


def run(args: argparse.Namespace, scenario: Scenario) -> int:
    given = [(f"--strategy-file {shlex.quote(path)}", path) for path in args.strategy_files or []]
    files = _own_lessons(_files_named(args.strategies or []) + given)
    builtins = [name for name in args.strategies or [] if name in STRATEGIES]
    for name in builtins:
        if lesson_module(name, scenario.client) is None:
            raise UsageError(f"{name}: {no_lesson(name, scenario.client)}")
    strategies = _strategies(builtins if args.strategies else None, list(files), scenario.client)
    plan = build_plan(scenario)  # refuses an impossible plan before anything starts
    target_url = None
    if args.target is not None:
        target_url = parse_target(args.target)
        Target(target_url, "", httpbin=True).urls(plan)  # faults httpbin cannot act out
        _check_target_answers(target_url)

    states = {name: RunState(strategy=name) for name in strategies}
    problem, code = "", EXIT_OK
    try:
        _run_and_record(args, scenario, strategies, states, target_url, files)
    except HarnessError as error:  # the server would not start, or died: say so, show the rest
        problem, code = str(error), EXIT_HARNESS
    except OSError as error:  # writing the event log failed midway (a full disk, say)
        problem, code = f"cannot write {args.record}: {error.strerror}", EXIT_HARNESS
    except Stopped as stopped:  # the workers are stopped, the log is complete
        problem, code = str(stopped), stopped.status

    rows = [ResultRow.of(state) for state in states.values() if state.status != "idle"]
    if rows:
        _print_results(args, scenario, rows)
    cut_short = [row for row in rows if row.status != "done"]
    if cut_short:
        code = max(code, EXIT_HARNESS)
    # What the runs left behind, then one line for what went wrong: the harness's problem if
    # there was one (it explains the runs it cut short), else each run that did not end by
    # itself.
    lines = [f"warning: {state.strategy}: {text}" for state in states.values()
             for text in state.warnings]  # fmt: skip
    lines += [problem] if problem else [f"{r.strategy} {r.status}: {r.detail}" for r in cut_short]
    for line in lines:
        print(f"asyncplay: {line}", file=sys.stderr)
    return code


def _strategies(named: list[str] | None, own: list[str], client: str) -> list[str]:
    """The built-ins named, in the order given, then the user's lessons; none twice. With
    neither, every built-in that has a lesson with `client`."""
    every = [name for name in STRATEGIES if lesson_module(name, client) is not None]
    strategies = (named or ([] if own else every)) + own
    for index, name in enumerate(strategies):
        if name in strategies[:index]:
            raise UsageError(f"strategy {name!r} is given twice; each runs once per command")
    return strategies


def _files_named(names: list[str]) -> list[tuple[str, str]]:
    """(how it was asked for, the file) of the user's lessons named with -s (`-s threads′`);
    other names are refused with the list of those that exist."""
    own = {lesson.name: lesson.file for lesson in lessons.own_lessons()}
    files = []
    for name in names:
        if name in STRATEGIES:
            continue
        if own.get(name) is None:
            known = ", ".join([*STRATEGIES, *own])
            raise UsageError(f"unknown strategy {name!r} (known: {known})")
        files.append((f"-s {shlex.quote(name)}", str(own[name])))
    return files


def _own_lessons(given: list[tuple[str, str]]) -> dict[str, str]:
    """The user's lesson files (each with how it was asked for), by the names their runs
    get: each checked (it compiles, has a main, and imports in a child process) before
    anything runs."""
    files: dict[str, str] = {}
    for asked, name in given:
        path = Path(name).expanduser()
        try:
            lesson = lessons.from_file(path)
            lessons.check_imports(path)
        except LessonError as error:
            raise UsageError(f"{asked}: {error}") from None
        if lesson.name in files:
            raise UsageError(f"strategy {lesson.name!r} is given twice; each runs once per command")
        files[lesson.name] = str(path.resolve())
    return files


def _check_target_answers(url: str) -> None:
    """A target where nothing answers, or that is not httpbin-like, would fail every task
    and look like a result."""
    import httpx

    try:
        response = httpx.get(f"{url}/status/200", timeout=TARGET_CHECK_S)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        reason = str(error) or type(error).__name__
        raise UsageError(f"nothing answers at {url}: {reason}") from None
    if response.status_code != 200:
        raise UsageError(
            f"{url} does not answer like httpbin: /status/200 gave {response.status_code}"
        )


def _run_and_record(
    args: argparse.Namespace, scenario: Scenario, strategies: list[str],
    states: dict[str, RunState], target_url: str | None, files: dict[str, str],
) -> None:  # fmt: skip
    """Run the strategies, folding their events into `states` and, with --record, a log."""
    with contextlib.ExitStack() as stack:
        record: LogWriter | None = None
        if args.record is not None:
            stream = open_for_writing(args.record, stack, force=args.force)
            record = LogWriter(stream, scenario, strategies)
        progress = _Progress(enabled=not args.json and sys.stderr.isatty())
        stack.callback(progress.clear)

        def sink(strategy: str, event: Event) -> None:
            states[strategy].apply(event)
            if record:
                record.write(strategy, event)
            progress.show(states[strategy])

        async def run_each() -> None:
            async with Session(target_url, deadline_s=args.deadline) as session:
                # The X-ray's looks are shown only by a log's replay: without one, looking
                # would cost the runs CPU (bench/xray_overhead.py) for nothing.
                await session.run_each(scenario, strategies, sink, files, xray=record is not None)

        asyncio.run(until_stopped(run_each()))


class Stopped(Exception):
    """A signal stopped the work: SIGTERM, or SIGHUP (the terminal closed)."""

    STATUS = {signal.SIGTERM: EXIT_TERMINATED, signal.SIGHUP: EXIT_HUNG_UP}

    def __init__(self, number: signal.Signals) -> None:
        super().__init__(f"stopped by {number.name}")
        self.status = self.STATUS[number]


async def until_stopped(work: Coroutine[Any, Any, None]) -> None:
    """Run `work`; SIGTERM or SIGHUP cancels it as ctrl+c does, so every worker is stopped
    and the event log gets its last lines, then raises Stopped. (Either signal's default
    would end the process mid-write, and leave its workers to notice by themselves.)"""
    task = asyncio.ensure_future(work)
    received: list[signal.Signals] = []

    def stop(number: signal.Signals) -> None:
        if number == signal.SIGHUP:
            _leave_the_terminal()
        received.append(number)
        task.cancel()

    loop = asyncio.get_running_loop()
    for number in Stopped.STATUS:
        loop.add_signal_handler(number, stop, number)
    try:
        await task
    except asyncio.CancelledError:
        if received:
            raise Stopped(received[0]) from None
        raise


def _leave_the_terminal() -> None:
    """The terminal is gone: what would have been written to it goes nowhere (a write to a
    terminal that hung up fails); stdout sent to a file still gets the results."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        if os.isatty(fd):
            os.dup2(devnull, fd)
    os.close(devnull)


def open_for_writing(path: str, stack: contextlib.ExitStack, force: bool) -> IO[str]:
    """`path` opened for --record. Never over a file that is there already, unless `force`:
    as a shell's noclobber, a device or a pipe is written to, only a regular file is kept."""
    try:
        try:
            return stack.enter_context(open(path, "w" if force else "x"))
        except FileExistsError:
            if stat.S_ISREG(os.stat(path).st_mode):
                raise UsageError(f"{path} exists already; --force writes over it") from None
            return stack.enter_context(open(path, "w"))
    except OSError as error:
        raise UsageError(f"cannot write {quoted(path)}: {error.strerror}") from None


def _print_results(args: argparse.Namespace, scenario: Scenario, rows: list[ResultRow]) -> None:
    """The JSON or the table on stdout (cli.main's stdout guard handles a stdout that is
    gone)."""
    if args.json:
        report = {"scenario": scenario.to_dict(), "results": [row.to_json() for row in rows]}
        print(json.dumps(report, indent=2))
    else:
        from rich.console import Console

        from .table import comparison

        # Piped output is not squeezed into 80 columns: one table wants about 170.
        console = Console(width=None if sys.stdout.isatty() else 200)
        console.print(comparison(scenario, rows, console))
    sys.stdout.flush()


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
