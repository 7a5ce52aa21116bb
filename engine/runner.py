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
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from . import events
from .events import Event
from .targets import Target
from .workload import Scenario

EventSink = Callable[[Event], None]
SERVER_START_TIMEOUT_S = 20.0
OUTPUT_CHUNK = 4096


class HarnessError(RuntimeError):
    """The machinery failed (not a strategy): the server would not start, say."""


class ServerDied(HarnessError):
    """The fault server exited while a run needed it."""


class _WorkerBroke(Exception):
    """A worker sent what is not an event: its run is reported crashed and it is ended."""


@dataclass(frozen=True)
class FaultServer:
    """A running fault server: where it listens, and its exit status once it has exited."""

    url: str
    pid: int
    exited: asyncio.Future[int]

    def check(self) -> None:
        """Raise ServerDied if the server is gone."""
        if (death := self.death()) is not None:
            raise ServerDied(death)

    def death(self) -> str | None:
        """How the server died, if it has, even before asyncio has heard of it.

        The server's death ends every request at once, so a worker can finish and say so
        before the child watcher reports the exit. Asking the kernel with WNOWAIT answers
        now and leaves the exit for the watcher to collect.
        """
        if self.exited.done():
            return f"the fault server died (exit status {self.exited.result()})"
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # collected already: the watcher's news is on its way
            return "the fault server died"
        if info is None:
            return None
        killed = info.si_code in (os.CLD_KILLED, os.CLD_DUMPED)  # as asyncio would say it
        status = -info.si_status if killed else info.si_status
        return f"the fault server died (exit status {status})"


@contextlib.asynccontextmanager
async def fault_server() -> AsyncIterator[FaultServer]:
    """The fault server in a child process; stops it on the way out.

    The server exits by itself when its stdin closes, so it dies with this process too.
    """
    process = await spawn_python(
        "-m", f"{__package__}.server", "--until-stdin-closes",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), SERVER_START_TIMEOUT_S)
        except TimeoutError:
            raise HarnessError("the fault server did not start in time") from None
        if not line.startswith(b"http://"):
            raise HarnessError("the fault server failed to start")
        exited = asyncio.ensure_future(process.wait())
        try:
            yield FaultServer(line.decode().strip(), process.pid, exited)
        finally:
            exited.cancel()
    finally:
        await end_process(process)


@contextlib.contextmanager
def refused_port() -> Iterator[str]:
    """A local port that is bound but never listens: connecting to it is refused at once.

    Holding the socket keeps anyone else from taking the port for the run.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def deadline_for(scenario: Scenario) -> float:
    """Time enough for the worst honest run (every task one after another at its longest,
    every failure waiting out the client timeout, as Tornado does after a reset), and then
    some. From the scenario alone: the app's loop never builds a plan of 100,000 tasks."""
    return 1.5 * scenario.worst_case_s() + 30.0


async def run_strategy(
    strategy: str, scenario: Scenario, target: Target, sink: EventSink,
    deadline_s: float | None = None, nice: int = 0, server: FaultServer | None = None,
    env: dict[str, str] | None = None, xray: bool = True, file: str | None = None,
) -> None:  # fmt: skip
    """Run one strategy in a worker and pass every event to `sink` as it arrives.

    Ends with the worker's RunFinished, or with a RunAborted the runner makes when the worker
    crashed, ran past its deadline, `server` died under it, or this coroutine was cancelled
    (a stop). `nice` lowers the worker's CPU priority: the app passes it so a machine full of
    workers still answers keys at once. `env` adds to the worker's environment (a lab turns
    on asyncio's debug mode and gevent's monitor thread with it). `xray=False` turns the
    X-ray off whatever the task count. `file` is a user's lesson to run under the name
    `strategy` (see lessons.py).
    """
    relay = _Relay(sink, server)
    if server is not None and (death := server.death()) is not None:
        relay.abort("crashed", f"{death} before the run")
        return
    deadline_s = deadline_for(scenario) if deadline_s is None else deadline_s
    spec = {"strategy": strategy, "scenario": scenario.to_dict(), "target": asdict(target),
            "nice": nice, "xray": xray, "file": file}  # fmt: skip
    process, read_fd = await spawn_with_pipe(
        "-m", f"{__package__}.worker", json.dumps(spec), pipe_flag="--events-fd",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env={**os.environ, **env} if env else None,
    )  # fmt: skip
    watching = [_watch(server, process)] if server is not None else []
    try:
        # Awaited directly, not through wait_for: a cancelled gather then hands its
        # CancelledError to this task instead of logging it as "never retrieved".
        async with asyncio.timeout(deadline_s):
            await asyncio.gather(
                relay.events(read_fd), relay.output(process), process.wait(), *watching
            )
    except TimeoutError:
        relay.abort("killed", f"no result after {deadline_s:.0f} s; killed")
    except ServerDied as died:
        relay.abort("crashed", f"{died}; the run was stopped")
    except _WorkerBroke:
        pass  # the relay said why; the worker is ended below
    except asyncio.CancelledError:
        relay.abort("killed", "stopped")
        raise
    finally:
        await end_process(process, grace_s=0.0)
        os.close(read_fd)
        if not relay.over:
            detail = f"worker exited with status {process.returncode}"
            last = relay.last_line()
            relay.abort("crashed", f"{detail}: {last}" if last else detail)


async def run_scenario(
    scenario: Scenario, strategies: list[str], sink: Callable[[str, Event], None],
    target_url: str | None = None, deadline_s: float | None = None,
    files: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Run strategies one after another, so none competes with another for the CPU.
    `files` gives the user's lessons among them their files, by name.

    Raises ServerDied, after the run it broke, if the fault server exits: the strategies
    after it would only measure a dead server.
    """
    files = files or {}
    with refused_port() as refused:
        if target_url is not None:
            target = Target(target_url, refused, httpbin=True)
            for strategy in strategies:
                await run_strategy(
                    strategy, scenario, target, functools.partial(sink, strategy), deadline_s,
                    file=files.get(strategy),
                )  # fmt: skip
            return
        async with fault_server() as server:
            target = Target(server.url, refused)
            for strategy in strategies:
                await run_strategy(
                    strategy, scenario, target, functools.partial(sink, strategy), deadline_s,
                    server=server, file=files.get(strategy),
                )  # fmt: skip
                server.check()


async def spawn_with_pipe(
    *args: str, pipe_flag: str, **options: Any
) -> tuple[asyncio.subprocess.Process, int]:
    """A Python child handed the write end of a new pipe (`pipe_flag FD` after `args`); returns
    it and the read end, which the caller closes. Failed or cancelled while it starts: no
    child and no pipe are left."""
    read_fd, write_fd = os.pipe()
    try:
        process = await spawn_python(*args, pipe_flag, str(write_fd), pass_fds=(write_fd,),
                                     **options)  # fmt: skip
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return process, read_fd


async def pipe_lines(fd: int) -> AsyncGenerator[bytes, None]:
    """The lines of a pipe's read end as they come; the caller keeps `fd`, and closes it."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24, loop=loop)
    pipe = os.fdopen(os.dup(fd), "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe
    )
    try:
        async for line in reader:
            yield line
    finally:
        transport.close()


async def spawn_python(*args: str, **options: Any) -> asyncio.subprocess.Process:
    """A Python child in its own process group. Cancelled while it starts (a stop or a quit
    at that moment), the child may exist already: it is ended before the cancel goes on,
    so no child is ever left behind unowned."""
    spawning = asyncio.ensure_future(
        asyncio.create_subprocess_exec(sys.executable, *args, process_group=0, **options)
    )
    try:
        return await asyncio.shield(spawning)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await end_process(await spawning, grace_s=0.0)
        raise


async def _watch(server: FaultServer, process: asyncio.subprocess.Process) -> None:
    """Return when the worker exits; raise ServerDied if the fault server exits first."""
    worker_exited = asyncio.ensure_future(process.wait())
    try:
        await asyncio.wait({server.exited, worker_exited}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        worker_exited.cancel()
    if not worker_exited.done() or worker_exited.cancelled():
        server.check()


class _Relay:
    """Decodes a worker's event pipe and output, stamps output with the run's clock.

    A worker's RunFinished that comes after the fault server died is not passed on: the
    run measured a dead server, and is reported crashed like one the runner stopped.

    Output comes at once, events at the worker's next tick: what the worker prints before
    its RunStarted has arrived waits for it, since a run's log starts with its start.
    """

    def __init__(self, sink: EventSink, server: FaultServer | None = None) -> None:
        self.sink = sink
        self.server = server
        self.origin: float | None = None
        self.over = False
        self.output_text: list[str] = []
        self._early: list[str] = []  # output before the RunStarted came

    def now(self) -> float:
        return time.monotonic() - self.origin if self.origin is not None else 0.0

    def send(self, event: Event) -> None:
        if self.over:
            return
        if isinstance(event, events.RunFinished):
            event = self._unless_the_server_died(event)
        if isinstance(event, events.RunStarted):
            self.origin = event.origin
            self.sink(event)
            self._send_early()
            return
        if isinstance(event, events.RunFinished | events.RunAborted):
            self.over = True
            self._send_early()  # a run that ended before it started: its output still shows
        self.sink(event)

    def _send_early(self) -> None:
        for text in self._early:
            self.sink(events.Output(self.now(), text))
        self._early.clear()

    def _unless_the_server_died(self, finished: events.RunFinished) -> Event:
        death = self.server.death() if self.server is not None else None
        if death is None:
            return finished
        return events.RunAborted(self.now(), "crashed", f"{death}; the run was stopped")

    def abort(self, reason: str, detail: str) -> None:
        self.send(events.RunAborted(self.now(), reason, detail))  # type: ignore[arg-type]

    async def events(self, fd: int) -> None:
        async with contextlib.aclosing(pipe_lines(fd)) as lines:
            async for line in lines:
                if not line.endswith(b"\n"):
                    break  # the worker died mid-line: the runner reports the crash
                try:
                    event = events.decode(line)
                except events.MalformedEvent as error:  # a bug in the worker: its run is over
                    self.abort("crashed", f"the worker sent a malformed event: {error}")
                    raise _WorkerBroke from None
                self.send(event)

    async def output(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while chunk := await process.stdout.read(OUTPUT_CHUNK):
            self.printed(chunk.decode(errors="replace"))

    def last_line(self) -> str:
        """The last line the worker printed (a traceback's: the error). Whole, though the
        pipe may have cut it into several chunks (a busy machine reads it as it is written)."""
        tail = ""
        for chunk in reversed(self.output_text):
            tail = chunk + tail
            if "\n" in tail.rstrip():
                break
        lines = tail.strip().splitlines()
        return lines[-1] if lines else ""

    def printed(self, text: str) -> None:
        """What the worker printed, as it comes."""
        self.output_text.append(text)
        if self.origin is None:
            self._early.append(text)
        else:
            self.send(events.Output(self.now(), text))


async def end_process(process: asyncio.subprocess.Process, grace_s: float = 2.0) -> None:
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
