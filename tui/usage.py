"""How the command line ends: its exit statuses, bad input, a stdout that is gone, and a
parent that is gone."""

from __future__ import annotations

import codecs
import io
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


def printable_streams() -> None:
    """stdout and stderr able to print what asyncplay prints (×, ′, →, box drawing).

    In the C locale with Python's UTF-8 mode turned off (`LC_ALL=C PYTHONUTF8=0`) both are
    ASCII: the table and a lesson's name end in UnicodeEncodeError, and the app (Textual
    draws on stderr) shows `\\u256d` for each corner. The C locale almost always means no
    locale was set up, not a terminal that cannot show UTF-8, which is why Python itself
    speaks UTF-8 there unless told not to (PEP 538, PEP 540): asyncplay does the same. An
    encoding the user chose (another locale's, or PYTHONIOENCODING) is kept. Whatever the
    encoding, what it cannot encode (a lone surrogate a lesson's error carried, a ′ in
    Latin-1) is replaced with ?, never raised."""
    chosen = "PYTHONIOENCODING" in os.environ
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):  # gone, or replaced (a test's capture)
            continue
        if codecs.lookup(stream.encoding).name == "ascii" and not chosen:
            stream.reconfigure(encoding="utf-8")
        if stream.errors == "strict":
            stream.reconfigure(errors="replace")


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
