"""The fault server as the parent sees it: started in a child process, watched, stopped.

The server itself is `server.py`, run as `python -m asyncplay.engine.server`. It exits by
itself when its stdin closes, so it dies with whoever started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from .errors import HarnessError, ServerDied
from .processes import end_process, spawn_python

START_TIMEOUT_S = 20.0


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
    """The fault server in a child process; stops it on the way out."""
    process = await spawn_python(
        "-m", f"{__package__}.server", "--until-stdin-closes",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_S)
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
