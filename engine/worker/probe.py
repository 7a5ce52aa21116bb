"""The worker's side of the event stream, and how an error is traced back to its task.

Instrumentation anywhere in the worker (the HTTP clients, the response handler, the capture
hooks) calls the functions here; they queue events, and a reporter thread writes them to the
runner's pipe in batches. That thread is a real OS thread even under gevent: this module takes
its sleep, select and lock before the gevent strategy monkey-patches them, and the worker
starts it before importing any strategy.
"""

from __future__ import annotations

import _thread
import os
import resource
import select
import time
import traceback
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ... import strategies
from .. import events
from ..events import Channel, Event, Frame
from ..targets import task_of_url

if TYPE_CHECKING:
    from .loop_lag import LoopLag

# Taken before any monkey patching; see the module docstring.
_sleep = time.sleep
_select = select.select
_start_thread = _thread.start_new_thread
_allocate_lock = _thread.allocate_lock
_python_threads = _thread._count  # threads started through _thread, less the main one
get_ident = _thread.get_ident  # a thread's own id, never a greenlet's
MAIN_THREAD = _thread.get_ident()  # the worker imports this module on its main thread

# Where the lessons live: frames from these files are the lesson's lines an error went through.
LESSONS_DIR = os.path.dirname(strategies.__file__)
# A user's lesson this worker runs: (its file, the name its run goes by). Its lines are the
# lesson's lines, as a built-in's are.
OWN_LESSON: tuple[str, str] | None = None
# The reporter's tick. A tick takes the GIL from the lesson's threads, and on this machine
# that costs the process far more than the tick's own work: with the tick varied alone, the
# instrumentation cost an asyncio gather of 500 requests 8-9 % more CPU at 20 ms, 6-8 % at
# 50 ms, 1-4 % at 100 ms (bench/instrumentation_overhead.py). So events reach the app in
# batches ten times a second; each carries the time it happened, so the bars are exact.
FLUSH_EVERY_S = 0.1
TRACEBACK_LIMIT = 12
CHAIN_DEPTH = 8


class Reporter:
    """Queues events from any thread or greenlet and writes them as JSON lines every tick."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.origin = time.monotonic()
        self.queue: deque[Event] = deque()
        self.threads_peak = 0
        # This reporter, the lifeline's (lifeline.py), and the X-ray's sampler while it looks.
        self.harness_threads = 2
        self.own_usage: resource.struct_rusage | None = None
        self._stop = False
        self._stopped = _allocate_lock()
        self._wake_read, self._wake_write = os.pipe()  # close() ends the tick at once

    def now(self) -> float:
        return time.monotonic() - self.origin

    def emit(self, event: Event) -> None:
        self.queue.append(event)  # deque.append is atomic: no lock on the hot path

    def start(self) -> None:
        self._stopped.acquire()
        _start_thread(self._loop, ())

    def close(self) -> None:
        """Stop the thread after a last flush, and wait for it."""
        self._stop = True
        os.write(self._wake_write, b"!")
        with self._stopped:
            pass
        os.close(self._wake_read)
        os.close(self._wake_write)

    def _loop(self) -> None:
        try:
            while not self._stop:
                self._flush()
                self._sample()
                _select([self._wake_read], [], [], FLUSH_EVERY_S)  # a tick, or until close()
            self._flush()
        finally:
            self._stopped.release()

    def _flush(self) -> None:
        lines = []
        while self.queue:
            lines.append(events.encode(self.queue.popleft()))
        if lines:
            data = ("\n".join(lines) + "\n").encode()
            while data:
                data = data[os.write(self.fd, data) :]

    def _sample(self) -> None:
        self.sample_threads()
        self.own_usage = resource.getrusage(resource.RUSAGE_THREAD)

    def sample_threads(self) -> None:
        """Count OS threads, less this reporter, from /proc (greenlets are not threads)."""
        self.threads_peak = max(self.threads_peak, os_thread_count() - self.harness_threads)

    def count_python_threads(self) -> None:
        """The cheap count for the hot path, at every request's start: threads live at least
        as long as their request, so a thread per task is counted even when tasks are brief.
        Main thread plus the ones `_thread` started, less this reporter."""
        self.threads_peak = max(self.threads_peak, _python_threads() + 1 - self.harness_threads)


def os_thread_count() -> int:
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"Threads:"):
                return int(line.split()[1])
    return 1


REPORTER: Reporter | None = None
# How late the lesson's event loop runs, once a client on one was made (the worker sets it).
LOOP_LAG: LoopLag | None = None
# Errors whose task the instrumentation knew when it saw them, by identity. Holding the error
# keeps its id from being reused while the run lasts.
_TASK_OF_ERROR: dict[int, tuple[BaseException, int]] = {}


def _emit(make: Any, *args: Any) -> None:
    reporter = REPORTER  # one global lookup, and no None between the check and the use
    if reporter is not None:
        reporter.emit(make(reporter.now(), *args))


# The two calls every task makes: written out rather than through _emit.
def task_started(task: int | None) -> None:
    reporter = REPORTER
    if reporter is not None:
        if task is not None:
            reporter.emit(events.TaskStarted(reporter.now(), task))
        reporter.count_python_threads()


def task_finished(task: int | None, status: int, nbytes: int) -> None:
    reporter = REPORTER
    if reporter is not None and task is not None:
        reporter.emit(events.TaskFinished(reporter.now(), task, status, nbytes))


def task_failed(task: int | None, error: BaseException, cut_off: bool = False) -> None:
    """A task failed where the failure starts; remember which task this error belongs to.

    `cut_off`: the client was closed under the request (the strategy was already unwinding
    from another error), so this is not the task's own fault happening.
    """
    if task is None:
        return
    _TASK_OF_ERROR[id(error)] = (error, task)
    lag_s = LOOP_LAG.worst_s() if LOOP_LAG is not None else 0.0
    _emit(
        events.TaskFailed, task, type(error).__name__, events.cut(str(error)),
        format_traceback(error), cut_off, lesson_frames(error), round(lag_s, 4),
    )  # fmt: skip


def task_got_status(task: int | None, status: int, reason: str) -> None:
    """An HTTP error status: a failure whether or not the strategy ever raises it."""
    if task is not None:
        _emit(events.TaskFailed, task, f"HTTP {status}", reason, "")


def saw(channel: Channel, error: BaseException, via: str) -> None:
    """Someone other than the fault's origin saw `error`: the caller, or a framework hook."""
    _emit(
        events.ErrorSeen, task_of(error), channel, via, type(error).__name__,
        format_traceback(error), lesson_frames(error),
    )  # fmt: skip


def saw_response(channel: Channel, url: str, status: int, via: str) -> None:
    """An error response (not an exception) reached someone."""
    _emit(events.ErrorSeen, task_of_url(url), channel, via, f"HTTP {status}", "")


def task_of(error: BaseException, depth: int = 0) -> int | None:
    """The task an error belongs to: tagged where it started, read off its request, or else
    the task of the error it was raised from (a wrapper raised `from` the original)."""
    tagged = _TASK_OF_ERROR.get(id(error))
    if tagged is not None and tagged[0] is error:
        return tagged[1]
    for url in _urls_of(error):
        task = task_of_url(url)
        if task is not None:
            return task
    for linked in (error.__cause__, error.__context__):
        if linked is not None and depth < CHAIN_DEPTH:
            task = task_of(linked, depth + 1)
            if task is not None:
                return task
    return None


def _urls_of(error: BaseException) -> Iterator[str]:
    """URLs of the requests an error was raised about.

    httpx and requests errors carry `.request`, Tornado's HTTP errors `.response.request`,
    aiohttp's `.request_info`. Anything else (a socket error Tornado logs from deep inside
    its connection) is read off the frames it was raised through: the first with a
    `request`, or a `self.request`, that has a URL.
    """
    holders = [_request_of(error), _request_of(getattr(error, "response", None)),
               getattr(error, "request_info", None)]  # fmt: skip
    tb = error.__traceback__
    while tb is not None:
        frame_locals = tb.tb_frame.f_locals
        holders += [frame_locals.get("request"), _request_of(frame_locals.get("self"))]
        tb = tb.tb_next
    for holder in holders:
        url = getattr(holder, "url", None)
        if url is not None and urlsplit(str(url)).scheme:
            yield str(url)


def _request_of(holder: object) -> object:
    try:
        return getattr(holder, "request", None)
    except RuntimeError:  # httpx raises when an error's request was never set
        return None


def lesson_frames(error: BaseException) -> tuple[Frame, ...]:
    """The lines of the lessons an error was raised through, outermost first."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if OWN_LESSON is not None and code.co_filename == OWN_LESSON[0]:
            frames.append((OWN_LESSON[1], tb.tb_lineno, code.co_name))
        elif os.path.dirname(code.co_filename) == LESSONS_DIR:
            module = os.path.basename(code.co_filename).removesuffix(".py")
            frames.append((module, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return tuple(frames)


def format_traceback(error: BaseException) -> str:
    """The error's traceback, its last frames, cut to what an event carries (a lesson's
    error may say 20 MB)."""
    text = "".join(traceback.format_exception(error, limit=-TRACEBACK_LIMIT, chain=False))
    return events.cut(text)
