"""The project's fault server in a child process, for the bench scripts (not a benchmark).

It is started exactly as the runner starts it, `python -m asyncplay.engine.server
--until-stdin-closes`; its first stdout line is its URL, and closing its stdin stops it.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

START_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class FaultServer:
    url: str  # http://127.0.0.1:PORT
    pid: int

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def cpu_s(self) -> float:
        """The server process's CPU time so far (user + system), from /proc."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def fault_server() -> Iterator[FaultServer]:
    """Start the server, yield its URL and pid; stop it on the way out, whatever happens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asyncplay.engine.server", "--until-stdin-closes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT_S)
        line = process.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the fault server did not start: {line!r}")
        yield FaultServer(line, process.pid)
    finally:
        assert process.stdin is not None
        process.stdin.close()  # its cue to exit
        try:
            process.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def task_urls(base_url: str, count: int, delay_ms: int) -> list[str]:
    """The URLs the engine would make for `count` clean tasks of `delay_ms` each."""
    return [f"{base_url}/task/{i}?delay_ms={delay_ms}" for i in range(count)]
