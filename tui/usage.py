"""How the command line ends: its exit statuses, bad input, a stdout that is gone, and a
parent that is gone."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..engine.errors import OutputLost

EXIT_OK, EXIT_HARNESS, EXIT_USAGE = 0, 1, 2
EXIT_TERMINATED = 128 + 15  # SIGTERM, as a shell reports it
EXIT_HUNG_UP = 128 + 1  # SIGHUP: the terminal closed


@contextmanager
def stdout_guard() -> Iterator[None]:
    """Around what a command prints: a reader that went away (`| head`) ends it quietly, a
    stdout that cannot take it (`> /dev/full`) is one line on stderr and status 1; never a
    traceback, not even the interpreter's own when it flushes stdout at exit."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
        raise OutputLost(EXIT_OK) from None
    except OSError as error:
        if error.filename is not None:  # a file's error, not stdout's
            raise
        _drop_stdout()
        print(f"asyncplay: cannot write the output: {error.strerror}", file=sys.stderr)
        raise OutputLost(EXIT_HARNESS) from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush has nothing to complain of."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def end_with_parent(poll_s: float = 0.5) -> None:
    """SIGTERM this process (the app takes it as a quit, and stops its runs and server)
    once its parent is gone. An app `asyncplay web` started reads its input from the
    server and does not notice a server that was killed: it would run on, alone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
