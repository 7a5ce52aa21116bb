"""Opening a file the user names (a log, a scenario): only a regular file, of bounded size.

A path is input like any other. A device may never end (/dev/zero), a FIFO keeps its reader
waiting for a writer that may never come, and a file of gigabytes is not one asyncplay wrote:
each is refused before a byte is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class Unreadable(Exception):
    """Why a file is not read, in a few words (`it is a folder`): the caller says which file,
    and what it was wanted for."""


class TooLarge(Unreadable):
    """A regular file, but larger than anything the caller reads."""


def open_regular(path: Path, max_bytes: int) -> BinaryIO:
    """`path` opened to read in binary, if it is a regular file of at most `max_bytes`."""
    try:  # without blocking: a FIFO opens at once, to be refused below
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        raise Unreadable("there is no such file") from None
    except OSError as error:
        raise Unreadable(error.strerror or type(error).__name__) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("it is not a regular file")
        if info.st_size > max_bytes:
            raise TooLarge(f"it is over {max_bytes:,} bytes")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
