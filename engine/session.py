"""The parent's side of every run: one Session starts the fault server, runs lessons and labs
in their workers, relays what they report, stops them, and replaces a server that died.

The app, `asyncplay run`, `asyncplay claims` and `lab`, and the apps `asyncplay web` serves
all go through one of these; nothing else starts a worker. Closing the session (leaving its
`async with`) stops every run and the server: nothing it started outlives it.

    async with Session() as session:
        await session.run("threads", scenario, state.apply)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from . import labrunner
from .events import Event, RunAborted, RunFinished
from .labrunner import LabUpdate
from .labs import Variant
from .relay import EventSink
from .runner import run_strategy
from .server_process import FaultServer, fault_server, refused_port
from .targets import Target
from .workload import Scenario


class Session:
    """Runs lessons and labs against one fault server (or `target_url`, an httpbin-like
    server of the user's), and keeps track of every run it started until it ends."""

    def __init__(
        self, target_url: str | None = None, nice: int = 0, deadline_s: float | None = None
    ) -> None:
        """`target_url`: fetch from there instead of a fault server of our own; `nice`: the
        CPU priority of runs' workers (labs always run at 0: they measure); `deadline_s`: how
        long a run may take before it is killed (by default, from its scenario)."""
        self.target_url = target_url
        self.nice = nice
        self.deadline_s = deadline_s
        self.on_server_restart: Callable[[str], None] = lambda reason: None
        self._server: FaultServer | None = None
        self._target: Target | None = None
        self._resources: contextlib.AsyncExitStack | None = None
        self._lock = asyncio.Lock()
        self._runs: dict[str, _Run] = {}  # each name's latest run
        self._every_run: set[asyncio.Task[None]] = set()  # every run not yet wholly over

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # The server

    async def target(self) -> tuple[Target, FaultServer | None]:
        """Where runs send their requests: the fault server, started now (or again, if the
        last one died: `on_server_restart` says why), or the user's `target_url`."""
        async with self._lock:
            if self._server is not None and self._server.death() is not None:
                status = await self._server.exited  # known to the kernel: here in a moment
                await self._stop_server()
                self.on_server_restart(f"the fault server had died (exit status {status})")
            if self._target is None:
                resources = contextlib.AsyncExitStack()
                try:
                    refused = resources.enter_context(refused_port())
                    if self.target_url is None:
                        self._server = await resources.enter_async_context(fault_server())
                        self._target = Target(self._server.url, refused)
                    else:
                        self._target = Target(self.target_url, refused, httpbin=True)
                except BaseException:
                    await resources.aclose()  # a failed start leaves nothing behind
                    self._server = None
                    raise
                self._resources = resources
            return self._target, self._server

    async def _stop_server(self) -> None:
        resources, self._resources = self._resources, None
        self._server = self._target = None
        if resources is not None:
            await resources.aclose()

    # Runs

    async def run(
        self, strategy: str, scenario: Scenario, sink: EventSink, *, file: str | None = None,
        env: dict[str, str] | None = None, nice: int | None = None, xray: bool = True,
    ) -> None:  # fmt: skip
        """One run, to its end: every event to `sink` as it comes (see runner.run_strategy).
        Raises HarnessError if the fault server cannot be started."""
        target, server = await self.target()
        await run_strategy(
            strategy, scenario, target, sink, self.deadline_s, self.nice if nice is None else nice,
            server, env, xray=xray, file=file,
        )  # fmt: skip

    async def run_each(
        self, scenario: Scenario, strategies: list[str], sink: Callable[[str, Event], None],
        files: dict[str, str] | None = None, xray: bool = True,
    ) -> None:  # fmt: skip
        """Run strategies one after another, so none competes with another for the CPU
        (`files`: the user's lessons among them, by name; `xray`: whether their workers
        look). Raises ServerDied, after the run it broke, if the fault server exits: the runs
        after it would only measure a dead server."""
        files = files or {}
        for strategy in strategies:
            await self.run(
                strategy, scenario, _tagged(sink, strategy), file=files.get(strategy), xray=xray
            )
            if self._server is not None:
                self._server.check()

    def start(
        self, name: str, scenario: Scenario, sink: EventSink, file: str | None = None
    ) -> asyncio.Task[None]:
        """Start a run now, beside any others, under `name` (a panel's). It never raises:
        a run that cannot start, or is stopped before its worker did, ends with a
        RunAborted that says so."""
        run = _Run()

        def relay(event: Event) -> None:
            run.over |= isinstance(event, RunFinished | RunAborted)
            run.now = event.t
            sink(event)

        async def side_by_side() -> None:
            try:
                await self.run(name, scenario, relay, file=file)
            except asyncio.CancelledError:
                if not run.over:  # stopped before its worker even started
                    relay(RunAborted(run.now, "killed", "stopped"))
                raise
            except Exception as error:  # a failed run is a row, never a crash of the caller
                if not run.over:
                    relay(RunAborted(run.now, "crashed", f"{type(error).__name__}: {error}"))

        run.task = asyncio.create_task(side_by_side())
        self._runs[name] = run
        self._every_run.add(run.task)
        run.task.add_done_callback(self._every_run.discard)
        return run.task

    def running(self) -> list[str]:
        """The names whose latest run has not ended. A run that reported its end may still
        be closing its worker: it is not running any more."""
        return [name for name, run in self._runs.items() if not run.over and not run.task.done()]

    async def stop(self, names: list[str] | None = None) -> list[str]:
        """Stop runs (every one that has not ended, by default): their workers are killed,
        and each ends with a RunAborted "stopped". Returns the names that were running."""
        stopping = [name for name in (names or self.running()) if name in self.running()]
        await _cancel([self._runs[name].task for name in stopping])
        return stopping

    # Labs

    async def run_labs(
        self,
        variants: list[Variant],
        report: Callable[[LabUpdate], None],
        most_runs: int | None = None,
    ) -> None:
        """Lab variants one after another (see labrunner.run_variants)."""
        await labrunner.run_variants(self, variants, report, most_runs)

    async def close(self) -> None:
        """Stop every run, those closing their workers too, and the server."""
        await _cancel(list(self._every_run))
        async with self._lock:
            await self._stop_server()


@dataclass
class _Run:
    """One run started side by side: its task, and whether it has reported its end (its
    worker may still be closing) and when it last said anything."""

    task: asyncio.Task[None] = field(init=False)
    over: bool = False
    now: float = 0.0


def _tagged(sink: Callable[[str, Event], None], name: str) -> EventSink:
    return lambda event: sink(name, event)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the tasks and wait for each to end. (gather, not a suppressed await of each:
    a cancel of the caller itself must not be taken for one of theirs, and swallowed.)"""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
