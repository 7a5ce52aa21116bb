"""What a worker is doing at its line of the lesson: the state rules the X-ray and the
watchdog read a look with.

    running   running Python at that line
    network   waiting for a response
    lock      waiting for a lock, an event or a condition
    queued    waiting its turn: a free slot (a semaphore), or the loop to get to it
    waiting   waiting for other work or for time: a join, a gather, a result, a sleep
"""

from __future__ import annotations

import dis
from functools import cache
from types import CodeType, FrameType

from ..events import SpotState as State
from . import syntax
from .seen import Seen

# What a lesson line waits on, by the first function it called out of the lesson: (part of
# the callee's file, start of its qualified name, state). The first match wins. A semaphore
# (trio's CapacityLimiter too) is how a lesson caps its concurrency, so a task waiting on one
# is queued for a slot.
CALLEES: tuple[tuple[str, str, State], ...] = (
    ("/strategies/pages.py", "", "running"),
    ("/threading.py", "Semaphore.", "queued"),
    ("/threading.py", "BoundedSemaphore.", "queued"),
    ("/asyncio/locks.py", "Semaphore.", "queued"),
    ("/asyncio/locks.py", "BoundedSemaphore.", "queued"),
    ("/gevent/pool.py", "", "queued"),
    ("/trio/_sync.py", "CapacityLimiter.", "queued"),
    ("/trio/_sync.py", "Semaphore.", "queued"),
    ("/threading.py", "Thread.", "waiting"),
    ("/threading.py", "", "lock"),
    ("/asyncio/locks.py", "", "lock"),
    ("/gevent/lock.py", "", "lock"),
    ("/gevent/event.py", "", "lock"),
    ("/trio/_sync.py", "", "lock"),
    ("/concurrent/futures/", "", "waiting"),
    ("/asyncio/", "", "waiting"),
    ("/tornado/ioloop.py", "", "waiting"),
    ("/tornado/platform/", "", "waiting"),
    ("/gevent/", "", "waiting"),
    ("/trio/", "", "waiting"),
    ("/httpx/", "", "network"),
    ("/requests/", "", "network"),
    ("/urllib3/", "", "network"),
    ("/http/client.py", "", "network"),
    ("/aiohttp/", "", "network"),
    ("/httpcore/", "", "network"),
    ("/anyio/", "", "network"),
    ("/tornado/", "", "network"),
    ("/socket.py", "", "network"),
    ("/ssl.py", "", "network"),
)
# The kinds of lock that hand out slots, by a part of their class's name (gevent's, asyncio's
# and threading's semaphores, bounded or not): a worker waiting to enter one is queued.
SLOTS = ("Semaphore", "CapacityLimiter")
# Instructions that call a function (3.11 to 3.13), or a context manager's __enter__.
CALLS = {"CALL", "PRECALL", "CALL_FUNCTION_EX", "CALL_KW", "BEFORE_WITH", "BEFORE_ASYNC_WITH"}
# C calls that block, by the name a lesson calls them by, and what they wait for.
BLOCKING_CALLS: dict[str, State] = {
    "sleep": "waiting", "join": "waiting", "result": "waiting", "wait": "waiting",
    "acquire": "lock", "recv": "network", "recv_into": "network", "connect": "network",
    "accept": "network", "select": "network",
}  # fmt: skip


def state_of(seen: Seen) -> State:
    """What the worker is doing at its line."""
    if seen.parked and seen.ready:
        return "queued"  # only its turn to run is missing: the loop is busy elsewhere
    if seen.state is None:  # once: a worker that has not moved is seen again
        seen.state = _state(seen)
    return seen.state


def _state(seen: Seen) -> State:
    frame = seen.frames[0]
    # A `with` header first: what is entered says more than the function entering it (an
    # asyncio Semaphore is entered through a mixin's __aenter__, which names no semaphore).
    entering = _entering(frame)
    if entering is not None:
        return entering
    if seen.callee is not None:
        return _callee_state(seen.callee.co_filename, seen.callee.co_qualname)
    if seen.parked:
        return "waiting"
    if frame.f_lasti in _calls(frame.f_code):
        # At a call of C code, which has no frame of its own: a thread paused just after a
        # quick call looks the same as one blocked inside a slow one, so the call is named
        # from the source (a sleep, a C lock's acquire, a socket's recv).
        blocking = _blocking_call(frame.f_code.co_filename, frame.f_lineno)
        if blocking is not None:
            return blocking
    return "running"


def _blocking_call(filename: str, line: int) -> State | None:
    """What a blocking C call on `line` of the source waits for, by the name it is called by."""
    for name in syntax.called_at(filename, line):
        if name in BLOCKING_CALLS:
            return BLOCKING_CALLS[name]
    return None


@cache
def _calls(code: CodeType) -> frozenset[int]:
    """The offsets of the instructions of `code` that call something."""
    return frozenset(each.offset for each in dis.get_instructions(code) if each.opname in CALLS)


@cache
def _callee_state(filename: str, qualname: str) -> State:
    path = filename.replace("\\", "/")
    for part, name, state in CALLEES:
        if part in path and qualname.startswith(name):
            return state
    return "running"


def _entering(frame: FrameType) -> State | None:
    """At a `with` header whose lock is not taken yet (a C lock's acquire has no frame)."""
    line = frame.f_lineno
    for expression in syntax.entered_at(frame.f_code.co_filename, line):
        value = frame.f_locals.get(expression)
        if is_lock(value):
            return "queued" if any(kind in type(value).__name__ for kind in SLOTS) else "lock"
    return None


def is_lock(value: object) -> bool:
    """Anything a worker can hold and another wait for: it acquires and releases."""
    return callable(getattr(value, "acquire", None)) and callable(getattr(value, "release", None))
