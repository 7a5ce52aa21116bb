"""The worker ends with its parent, whatever the lesson does to it.

Two ties, since a lesson is anyone's code:

- a thread of its own, blocked in a read of stdin: the runner never writes there, so the read
  returns only when the runner closes it or dies. It then kills the worker's process group
  (the worker leads it: what the lesson forked goes too), or the worker alone when it leads
  none (started by hand). Nothing the lesson does to the event pipe or to the harness's other
  threads reaches it; only a lesson that holds the GIL for good, or stops the process, does.
- on Linux, the kernel's: PR_SET_PDEATHSIG, which sends the worker SIGKILL when its parent
  dies, whatever its threads do, even stopped.

Started before the lesson is imported, with `_thread` and `os.read` as they are then (gevent
patches threading on import, and the tie must stay a real thread).
"""

from __future__ import annotations

import _thread
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
EXIT_ORPHANED = 3  # the worker's status when it ends itself for want of a parent


def tie_to(parent: int) -> None:
    """End this process (and its group, if it leads one) when `parent` goes; at once if it
    is gone already."""
    _ask_the_kernel()
    if os.getppid() != parent:  # it died before the kernel was asked
        _end()
    _thread.start_new_thread(_wait_for_stdin_to_close, ())


def _ask_the_kernel() -> None:
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # at worst it fails: one tie left


def _wait_for_stdin_to_close() -> None:
    try:
        while os.read(0, 1):
            pass  # nobody writes: a byte would be a stray, not the cue
    except OSError:
        pass  # no stdin to read: the same as closed
    _end()


def _end() -> None:
    if os.getpgrp() == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os._exit(EXIT_ORPHANED)
