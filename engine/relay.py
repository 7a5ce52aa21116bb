"""A worker's run as the parent hears it: its event pipe decoded, its output stamped with
the run's clock, and an end made for it when the worker could not say one.

A worker's RunFinished is not passed on if the fault server had died by the time it is
(for the runner's relay, once the worker is gone): the run measured a dead server, and is
reported crashed like one the runner stopped. Asked when the end came, a server killed a
moment before might not be known dead yet: its sockets close, which ends every request, before
the kernel has it as exited, and on a busy machine a worker can finish in between.

Output and events come down two pipes, read in whatever order they come: what the worker
prints before its RunStarted has arrived waits for it, since a run's log starts with its
start. The runner's relay holds the run's end until the runner closes it, once the worker
and all it started are gone: the worker's last output may come after its RunFinished, and
the runner's warnings of what the run left (`warn`) are known only then; a run's log ends
with its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from . import events
from .errors import MalformedEvent, WorkerBroke, one_line
from .events import Event
from .processes import pipe_lines
from .server_process import FaultServer

EventSink = Callable[[Event], None]
OUTPUT_CHUNK = 4096


class Relay:
    """Passes one run's events to its sink, from its worker's pipe and output, in order.
    `until_closed`: the run's end is passed on by `close()`, not as it comes."""

    def __init__(
        self, sink: EventSink, server: FaultServer | None = None, until_closed: bool = False
    ) -> None:
        self.sink = sink
        self.server = server
        self.until_closed = until_closed
        self.origin: float | None = None
        self.over = False  # the run's end came: no event after it
        self.output_text: list[str] = []
        self._early: list[str] = []  # output before the RunStarted came
        self._warnings: list[str] = []
        self._end: events.RunFinished | events.RunAborted | None = None
        self._ended = False  # the end was passed on: nothing more is

    def now(self) -> float:
        return time.monotonic() - self.origin if self.origin is not None else 0.0

    def send(self, event: Event) -> None:
        if self.over:
            return
        if isinstance(event, events.RunStarted):
            self.origin = event.origin
            self.sink(event)
            self._send_early()
            return
        if isinstance(event, events.RunFinished | events.RunAborted):
            self.over, self._end = True, event
            if not self.until_closed:
                self._pass_end()
            return
        self.sink(event)

    def warn(self, text: str) -> None:
        """A warning of what the run left behind, passed on before its end (none after it)."""
        self._warnings.append(text)

    def close(self, unended: str) -> None:
        """The run's end, now that its worker and all it started are gone: the one it came
        to, else crashed with `unended` (and the worker's last line, if it printed one)."""
        if not self.over:
            last = self.last_line()
            self.abort("crashed", f"{unended}: {last}" if last else unended)
        self._pass_end()

    def _pass_end(self) -> None:
        if self._end is None or self._ended:
            return
        self._ended = True
        if isinstance(self._end, events.RunFinished):
            self._end = self._unless_the_server_died(self._end)
        self._send_early()  # a run that ended before it started: its output still shows
        for text in self._warnings:
            self.sink(events.RunWarned(self.now(), text))
        self.sink(self._end)

    def _send_early(self) -> None:
        for text in self._early:
            self.sink(events.Output(self.now(), text))
        self._early.clear()

    def _unless_the_server_died(
        self, finished: events.RunFinished
    ) -> events.RunFinished | events.RunAborted:
        death = self.server.death() if self.server is not None else None
        if death is None:
            return finished
        return events.RunAborted(self.now(), "crashed", f"{death}; the run was stopped")

    def abort(self, reason: events.AbortReason, detail: str) -> None:
        self.send(events.RunAborted(self.now(), reason, detail))

    async def events(self, fd: int) -> None:
        """Every event on the worker's pipe, until it closes. Raises WorkerBroke, once the
        run is ended as crashed, if the worker sends what is not an event: a worker runs a
        lesson, anyone's code, and the lesson may write to the pipe too."""
        try:
            async with contextlib.aclosing(pipe_lines(fd)) as lines:
                async for line in lines:
                    if not line.endswith(b"\n"):
                        break  # the worker died mid-line: the runner reports the crash
                    self.send(events.decode(line))
        except MalformedEvent as error:  # its run is over; the parent and other runs go on
            self.abort("crashed", one_line(f"the worker sent a malformed event: {error}"))
            raise WorkerBroke(str(error)) from None

    async def output(self, process: asyncio.subprocess.Process) -> None:
        """What the worker prints (stdout and stderr, one pipe), as it comes."""
        assert process.stdout is not None
        while chunk := await process.stdout.read(OUTPUT_CHUNK):
            self.printed(events.shown_safe(chunk.decode(errors="replace")))

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
        """What the worker printed, as it comes (up to the run's end)."""
        self.output_text.append(text)
        if self._ended:
            return
        if self.origin is None:
            self._early.append(text)
        else:
            self.sink(events.Output(self.now(), text))
