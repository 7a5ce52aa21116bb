"""The parent side: start the fault server, run a strategy in a worker, relay its events.

Everything here is asyncio and never blocks, so the UI can drive several runs while it keeps
drawing. Every child is started in its own process group and killed as a group when it is
done, stopped or past its deadline; nothing outlives the runner. (A process group, not a new
session: Linux schedules each session as one "autogroup", which would give eight workers
eight times the CPU share of the app and make their `nice` meaningless.)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict

from . import events
from .events import Event
from .targets import Target
from .workload import Plan, Scenario, build_plan

EventSink = Callable[[Event], None]
SERVER_START_TIMEOUT_S = 20.0
OUTPUT_CHUNK = 4096


class HarnessError(RuntimeError):
    """The machinery failed (not a strategy): the server would not start, say."""


@contextlib.asynccontextmanager
async def fault_server() -> AsyncIterator[str]:
    """The fault server in a child process; yields its base URL, stops it on the way out.

    The server exits by itself when its stdin closes, so it dies with this process too.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"{__package__}.server", "--until-stdin-closes",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, process_group=0,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), SERVER_START_TIMEOUT_S)
        except TimeoutError:
            raise HarnessError("the fault server did not start in time") from None
        if not line.startswith(b"http://"):
            raise HarnessError("the fault server failed to start")
        yield line.decode().strip()
    finally:
        await _end(process)


@contextlib.contextmanager
def refused_port() -> Iterator[str]:
    """A local port that is bound but never listens: connecting to it is refused at once.

    Holding the socket keeps anyone else from taking the port for the run.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def deadline_for(plan: Plan) -> float:
    """Time enough for the worst honest run (every task one after another, every failure
    waiting out the client timeout, as Tornado does after a reset), and then some."""
    waits = plan.scenario.timeout_s * len(plan.faults)
    return 1.5 * plan.ideal_s(1) + waits + 30.0


async def run_strategy(
    strategy: str, scenario: Scenario, target: Target, sink: EventSink,
    deadline_s: float | None = None, nice: int = 0,
) -> None:  # fmt: skip
    """Run one strategy in a worker and pass every event to `sink` as it arrives.

    Ends with the worker's RunFinished, or with a RunAborted the runner makes when the worker
    crashed, ran past its deadline, or this coroutine was cancelled (a stop). `nice` lowers
    the worker's CPU priority: the app passes it so a machine full of workers still answers
    keys at once.
    """
    plan = build_plan(scenario)
    deadline_s = deadline_for(plan) if deadline_s is None else deadline_s
    spec = {"strategy": strategy, "scenario": scenario.to_dict(), "target": asdict(target),
            "nice": nice}  # fmt: skip
    read_fd, write_fd = os.pipe()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"{__package__}.worker", json.dumps(spec),
            "--events-fd", str(write_fd), pass_fds=(write_fd,),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, process_group=0,
        )  # fmt: skip
    except BaseException:  # cancelled (or failed) while spawning: no worker, no pipe
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    relay = _Relay(sink)
    try:
        # Awaited directly, not through wait_for: a cancelled gather then hands its
        # CancelledError to this task instead of logging it as "never retrieved".
        async with asyncio.timeout(deadline_s):
            await asyncio.gather(relay.events(read_fd), relay.output(process), process.wait())
    except TimeoutError:
        relay.abort("killed", f"no result after {deadline_s:.0f} s; killed")
    except asyncio.CancelledError:
        relay.abort("killed", "stopped")
        raise
    finally:
        await _end(process, grace_s=0.0)
        os.close(read_fd)
        if not relay.over:
            tail = "".join(relay.output_text[-3:]).strip().splitlines()
            detail = f"worker exited with status {process.returncode}"
            relay.abort("crashed", f"{detail}: {tail[-1]}" if tail else detail)


async def run_scenario(
    scenario: Scenario, strategies: list[str], sink: Callable[[str, Event], None],
    target_url: str | None = None, deadline_s: float | None = None,
) -> None:  # fmt: skip
    """Run strategies one after another, so none competes with another for the CPU."""
    with refused_port() as refused:
        server = fault_server() if target_url is None else contextlib.nullcontext(target_url)
        async with server as base_url:
            target = Target(base_url, refused, httpbin=target_url is not None)
            for strategy in strategies:
                await run_strategy(
                    strategy, scenario, target, functools.partial(sink, strategy), deadline_s
                )


class _Relay:
    """Decodes a worker's event pipe and output, stamps output with the run's clock."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.origin: float | None = None
        self.over = False
        self.output_text: list[str] = []

    def now(self) -> float:
        return time.monotonic() - self.origin if self.origin is not None else 0.0

    def send(self, event: Event) -> None:
        if self.over:
            return
        if isinstance(event, events.RunStarted):
            self.origin = event.origin
        elif isinstance(event, events.RunFinished | events.RunAborted):
            self.over = True
        self.sink(event)

    def abort(self, reason: str, detail: str) -> None:
        self.send(events.RunAborted(self.now(), reason, detail))  # type: ignore[arg-type]

    async def events(self, fd: int) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2**24, loop=loop)
        pipe = os.fdopen(os.dup(fd), "rb", buffering=0)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe
        )
        try:
            async for line in reader:
                if not line.endswith(b"\n"):
                    break  # the worker died mid-line: the runner reports the crash
                self.send(events.decode(line))
        finally:
            transport.close()

    async def output(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while chunk := await process.stdout.read(OUTPUT_CHUNK):
            text = chunk.decode(errors="replace")
            self.output_text.append(text)
            self.send(events.Output(self.now(), text))


async def _end(process: asyncio.subprocess.Process, grace_s: float = 2.0) -> None:
    """Close the child's stdin (its cue to exit), then kill its whole group if it lingers."""
    if process.stdin is not None:
        process.stdin.close()
    if process.returncode is None and grace_s:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace_s)
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
