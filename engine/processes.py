"""The child processes the parent starts: how each is started, read and ended.

Every child is a Python process in a process group of its own, killed as a group when it is
done, stopped or past its deadline, so nothing outlives whoever started it. (A process group,
not a new session: Linux schedules each session as one "autogroup", which would give eight
workers eight times the CPU share of the app and make their `nice` meaningless.) What a child
started that left its group (a session of its own) is found by the mark each child carries,
and ended too (runaways.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import weakref
from collections.abc import AsyncGenerator, Awaitable
from typing import Any

from . import runaways
from .errors import MalformedEvent

# The longest line a child may send on its pipe: an event or a lab's message. (A longer one
# is refused by the reader.)
PIPE_LINE_LIMIT = 2**24
# How often `exited` asks whether a child is gone, where the kernel cannot say.
EXIT_POLL_S = 0.05
# Each child's mark, for as long as the parent holds the child.
_marks: weakref.WeakKeyDictionary[asyncio.subprocess.Process, str] = weakref.WeakKeyDictionary()


async def spawn_python(*args: str, **options: Any) -> asyncio.subprocess.Process:
    """A Python child in its own process group, with a mark of its own in its environment
    (this process's, or `env` if given). Cancelled while it starts (a stop or a quit at that
    moment), the child may exist already: it is ended before the cancel goes on, so no child
    is ever left behind unowned."""
    mark = runaways.new_mark()
    env = {**(options.pop("env", None) or os.environ), runaways.MARK_VARIABLE: mark}
    spawning = asyncio.ensure_future(
        asyncio.create_subprocess_exec(sys.executable, *args, process_group=0, env=env, **options)
    )
    try:
        process = await asyncio.shield(spawning)
    except asyncio.CancelledError:
        await through_cancels(_end_spawned(spawning))
        raise
    _marks[process] = mark
    return process


async def _end_spawned(spawning: asyncio.Future[asyncio.subprocess.Process]) -> None:
    with contextlib.suppress(Exception):  # a child that failed to start is no child
        await end_process(await spawning, grace_s=0.0)


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
    """The lines of a pipe's read end as they come; the caller keeps `fd`, and closes it.
    Raises MalformedEvent at a line longer than PIPE_LINE_LIMIT (a child is not to be
    trusted with the parent's memory)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=PIPE_LINE_LIMIT, loop=loop)
    pipe = os.fdopen(os.dup(fd), "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe
    )
    try:
        async for line in reader:
            yield line
    except ValueError:  # the reader's word for a line past its limit
        raise MalformedEvent(f"a line of over {PIPE_LINE_LIMIT:,} bytes") from None
    finally:
        transport.close()


async def exited(process: asyncio.subprocess.Process) -> None:
    """Return once the child has exited, whoever holds its pipes: `process.wait()` waits for
    its pipes to close too, and what the child forked holds them as long as it lives."""
    if process.returncode is not None:
        return
    try:
        pidfd = os.pidfd_open(process.pid)  # readable once the process has exited
    except ProcessLookupError:  # gone, and collected already
        return
    except OSError:  # no pidfd here (Linux before 5.3): ask until it is gone
        await _asked_until_gone(process)
        return
    loop = asyncio.get_running_loop()
    gone: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not gone.done():
            gone.set_result(None)

    loop.add_reader(pidfd, readable)
    try:
        await gone
    finally:
        loop.remove_reader(pidfd)
        os.close(pidfd)


async def _asked_until_gone(process: asyncio.subprocess.Process) -> None:
    while process.returncode is None:
        await asyncio.sleep(EXIT_POLL_S)


def end_group(process: asyncio.subprocess.Process) -> list[runaways.Runaway]:
    """Kill the child's process group, the child or not (what it forked may live on, and
    keeps the group's id, the child's pid, from being reused while it does), and what the
    child started that left the group: the runaways found."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    mark = _marks.get(process)
    return runaways.end(mark, group=process.pid) if mark is not None else []


async def end_process(
    process: asyncio.subprocess.Process, grace_s: float = 2.0
) -> list[runaways.Runaway]:
    """Close the child's stdin (its cue to exit), then kill its whole group (`end_group`) if
    it lingers past `grace_s` (at once for 0), or once it is gone. Returns once the child is
    gone, with the runaways it left: cancelled meanwhile (a quit while a run was closing its
    worker), it kills them at once and waits for the child all the same, then lets the
    cancel go on."""
    if process.stdin is not None:
        process.stdin.close()
    try:
        if process.returncode is None and grace_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), grace_s)
    finally:
        left = end_group(process)
        if process.returncode is None:
            # Collected even through cancels (SIGKILL makes it quick): a child still dying
            # when its owner moves on looks like one left behind.
            await through_cancels(process.wait())
    return left


async def through_cancels(work: Awaitable[object]) -> None:
    """Await `work` to its end, however many times the caller is cancelled meanwhile (a stop,
    then a quit); then pass the cancel on. For the cleanup that must not be cut short."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    task.result()
    if cancelled:
        raise asyncio.CancelledError
