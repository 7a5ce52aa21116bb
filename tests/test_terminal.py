"""The app in a real terminal (a pseudo-terminal): how it ends is what the shell sees."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from procs import alive, running
from waiting import PATIENCE_S

ASYNCPLAY = str(Path(sys.executable).with_name("asyncplay"))
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"


def children_of(pid: int) -> set[int]:
    return {process.pid for process in running() if process.parent == pid}


class Terminal:
    """A program on a pseudo-terminal of 100x30, its screen bytes read as they come."""

    def __init__(self, *command: str) -> None:
        self.fd, child = pty.openpty()
        os.set_blocking(self.fd, False)
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(
            command, stdin=child, stdout=child, stderr=child, start_new_session=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )  # fmt: skip
        os.close(child)
        self.output = b""

    def read_until(self, wanted: bytes, timeout: float = PATIENCE_S) -> None:
        deadline = time.monotonic() + timeout
        while wanted not in self.output:
            if time.monotonic() > deadline:
                # A test that fails here leaves nothing behind: its app, left on a terminal
                # that closes with the test, spun at 80% of a core for an hour and more.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                raise AssertionError(f"never saw {wanted!r}: {self.output[-500:]!r}")
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:  # the program closed the terminal
                    break

    def finish(self, timeout: float = PATIENCE_S) -> int:
        status = self.process.wait(timeout=timeout)
        with_all = time.monotonic() + 2
        while time.monotonic() < with_all and select.select([self.fd], [], [], 0.1)[0]:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.output += chunk
        os.close(self.fd)
        return status


def test_sigterm_ends_the_app_and_gives_the_terminal_back() -> None:
    """SIGTERM: status 143, out of the alternate screen, mouse tracking off."""
    terminal = Terminal(ASYNCPLAY)
    terminal.read_until(b"Run all")  # the footer: the app is up
    mark = len(terminal.output)
    terminal.process.send_signal(signal.SIGTERM)
    assert terminal.finish() == 143
    after = terminal.output[mark:]
    assert LEAVE_ALT_SCREEN in after and MOUSE_OFF in after


def test_a_closed_terminal_ends_the_app_and_everything_it_started() -> None:
    """The terminal goes away mid-run (SIGHUP, as when a terminal window closes): the app
    stops its workers and server and exits, without blocking on the terminal it has lost."""
    terminal = Terminal(ASYNCPLAY, "-n", "20", "--latency", "20000", "--timeout", "30")
    terminal.read_until(b"Run all")
    os.write(terminal.fd, b"r")
    terminal.read_until(b"running")
    started = children_of(terminal.process.pid)
    assert started, "no server or worker started"
    os.close(terminal.fd)  # the terminal is gone
    terminal.process.send_signal(signal.SIGHUP)
    assert terminal.process.wait(timeout=PATIENCE_S) == 129
    assert not any(alive(pid) for pid in started)


def test_a_crash_exits_1_with_one_line_and_the_traceback_in_a_file() -> None:
    """A bug in the app (here, help raising on purpose): the terminal is given back, the
    shell sees status 1 and one line naming the error and the file with its traceback."""
    crashing = (
        "import sys\nfrom asyncplay.tui import cli\nfrom asyncplay.tui.app import AsyncPlayApp\n"
        "def broken(self): raise RuntimeError('help is broken')\n"
        "AsyncPlayApp.action_help = broken\ncli.main([])\n"
    )
    terminal = Terminal(sys.executable, "-c", crashing)
    terminal.read_until(b"Run all")
    mark = len(terminal.output)
    os.write(terminal.fd, b"?")
    assert terminal.finish() == 1
    after = terminal.output[mark:]
    assert LEAVE_ALT_SCREEN in after
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", after.split(LEAVE_ALT_SCREEN)[-1].decode())
    lines = [line for line in text.replace("\r", "").splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    assert lines[0].startswith("asyncplay: the app crashed (RuntimeError: help is broken)")
    report = Path(lines[0].rsplit(" ", 1)[1])
    assert "line 4, in broken\nRuntimeError: help is broken" in report.read_text()
    report.unlink()
