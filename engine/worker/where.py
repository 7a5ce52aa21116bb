"""Where every worker is in a lesson: each thread, greenlet, asyncio task and Tornado callback,
at which line, doing what, for which task, holding which locks.

Read from outside, by another thread, without the lesson's help: threads through
`sys._current_frames()`, greenlets through their saved frames, tasks through their
coroutine's await chain (`cr_await`, `gi_yieldfrom`: a suspended coroutine's frame has no
`f_back`), Tornado's requests through its client's queue, and the callbacks the loop is about
to run through the loop's ready queue. The X-ray samples this every few tens of milliseconds;
the labs' watchdog reads it once a lab is stuck, with the locks held read off the source (the
`with` blocks the line sits in, named as the lock was made where a frame still holds it).
"""

from __future__ import annotations

import ast
import asyncio
import dis
import functools
import gc
import sys
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from types import CodeType, CoroutineType, FrameType, FunctionType, GeneratorType
from typing import Any

from ..events import SpotState as State
from ..targets import task_of_url
from . import probe

# What a lesson line waits on, by the first function it called out of the lesson: (part of
# the callee's file, start of its qualified name, state). The first match wins. A semaphore
# is how a lesson caps its concurrency, so a task waiting on one is queued for a slot.
CALLEES: tuple[tuple[str, str, State], ...] = (
    ("/strategies/pages.py", "", "running"),
    ("/threading.py", "Semaphore.", "queued"),
    ("/threading.py", "BoundedSemaphore.", "queued"),
    ("/asyncio/locks.py", "Semaphore.", "queued"),
    ("/asyncio/locks.py", "BoundedSemaphore.", "queued"),
    ("/gevent/pool.py", "", "queued"),
    ("/threading.py", "Thread.", "waiting"),
    ("/threading.py", "", "lock"),
    ("/asyncio/locks.py", "", "lock"),
    ("/gevent/lock.py", "", "lock"),
    ("/gevent/event.py", "", "lock"),
    ("/concurrent/futures/", "", "waiting"),
    ("/asyncio/", "", "waiting"),
    ("/tornado/ioloop.py", "", "waiting"),
    ("/tornado/platform/", "", "waiting"),
    ("/gevent/", "", "waiting"),
    ("/httpx/", "", "network"),
    ("/httpcore/", "", "network"),
    ("/anyio/", "", "network"),
    ("/tornado/", "", "network"),
    ("/socket.py", "", "network"),
    ("/ssl.py", "", "network"),
)
# Instructions that call a function (3.11 to 3.13), or a context manager's __enter__.
CALLS = {"CALL", "PRECALL", "CALL_FUNCTION_EX", "CALL_KW", "BEFORE_WITH", "BEFORE_ASYNC_WITH"}
# C calls that block, by the name a lesson calls them by, and what they wait for.
BLOCKING_CALLS: dict[str, State] = {
    "sleep": "waiting", "join": "waiting", "result": "waiting", "wait": "waiting",
    "acquire": "lock", "recv": "network", "recv_into": "network", "connect": "network",
    "accept": "network", "select": "network",
}  # fmt: skip
LOCAL_DEPTH = 4  # how far through closures and partials a callback's lesson function is sought
URLS_KEPT = 100_000  # tasks of URLs remembered (a run has at most MAX_TASKS of them)

_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
_greenlets: weakref.WeakSet[Any] = weakref.WeakSet()
_greenlets_tracked = False
# Each worker as the last look found it: (a mark of where it was, what was found). A thread
# blocked in a call or a parked greenlet (the same innermost frame at the same instruction),
# or a task still waiting on the same future, has not moved, and is not walked again.
Marks = dict[object, tuple[object, int, list["Seen"]]]
_stacks: Marks = {}
# The lesson's function each callback comes to, kept with the callback (so its id is not
# reused) until there are too many to keep.
_functions: dict[int, tuple[object, FunctionType | None]] = {}
FUNCTIONS_KEPT = 10_000


@dataclass(frozen=True)
class Position:
    """One worker, at one line of the lesson."""

    worker: str  # "transfer-1", "Task-3", "Greenlet-0": the name its style gives it
    function: str  # the lesson function it is in
    line: int
    code: str  # the line's source, stripped
    holds: tuple[str, ...]  # the locks of the `with` blocks around the line
    state: State = "running"
    task: int | None = None  # the fetch task it works for, when it works for one

    def to_json(self) -> dict[str, Any]:
        return {"worker": self.worker, "function": self.function, "line": self.line,
                "code": self.code, "holds": list(self.holds), "state": self.state,
                "task": self.task}  # fmt: skip


@dataclass
class Seen:
    """One worker as found: its frames in the lesson (innermost first), the frame the
    innermost of them called out of the lesson, and, for one that is not running, what it
    waits for."""

    worker: str
    frames: list[FrameType] = field(default_factory=list)
    callee: CodeType | None = None
    parked: bool = False  # a suspended task or a parked greenlet: it is waiting, not running
    ready: bool = False  # what it waited for is done: it only waits for its turn to run
    line: int | None = None  # its line, once known (a callback's: its function's first line)
    state: State | None = None  # what it does there, but for being ready, once known
    task: int | None = None
    task_known: bool = False  # `task` was worked out (None may be the answer)


def track_loops() -> None:
    """Remember every asyncio loop that runs, so another thread can list its tasks."""
    original = asyncio.BaseEventLoop.run_forever
    if getattr(original, "_tracked", False):
        return

    @functools.wraps(original)
    def run_forever(self: asyncio.BaseEventLoop) -> None:
        _loops.add(self)
        original(self)

    run_forever._tracked = True  # type: ignore[attr-defined]
    asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]


def track_greenlets() -> None:
    """Remember every gevent greenlet started in this process, and this thread's own: cheaper
    than a scan of every object at each look, and the same set for the lessons (each starts
    its greenlets through gevent). A spawn callback, not `greenlet.settrace`: a trace runs
    Python code at every switch, which cost a gevent run of 200 tasks some 8 % of its CPU."""
    global _greenlets_tracked
    if "gevent" not in sys.modules or _greenlets_tracked:
        return
    import gevent
    import greenlet  # type: ignore[import-untyped]

    gevent.Greenlet.add_spawn_callback(_greenlets.add)
    _greenlets.add(greenlet.getcurrent())
    _greenlets_tracked = True


# Looking


def look(lesson_file: str) -> list[Seen]:
    """Every worker that is somewhere in `lesson_file` now, unnamed tasks included."""
    found: list[Seen] = []
    current = _running_tasks()
    loop_threads = {getattr(loop, "_thread_id", None): loop for loop in list(_loops)}
    greenlets = _greenlet_list()
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    me = probe.get_ident()
    stacks: Marks = {}
    for ident, frame in sys._current_frames().items():
        if ident == me:
            continue
        name = names.get(ident, f"thread {ident}")
        running_greenlet = _running(greenlets) if ident == probe.MAIN_THREAD else None
        if running_greenlet is not None and running_greenlet.parent is not None:
            name = _greenlet_name(running_greenlet)
        loop = loop_threads.get(ident)
        step = None
        if loop is not None:  # a loop's thread may be running a task's step, or a callback
            task = current.get(loop)
            step = task.get_name() if task else "callback"
        found += _unless_still(stacks, ident, frame, name, lesson_file, step)
    for each in greenlets:
        frame = each.gr_frame
        if frame is not None and not each.dead:
            found += _unless_still(stacks, id(each), frame, each, lesson_file, parked=True)
    for loop in list(_loops):
        running = current.get(loop)
        due = _due(loop)
        for task in _tasks(loop):
            if task is not running and not task.done():
                found += _task_unless_still(stacks, task, lesson_file, due)
        found += _ready_callbacks(loop, lesson_file)
    found += _tornado_requests(lesson_file)
    _stacks.clear()
    _stacks.update(stacks)
    return found


def _unless_still(
    stacks: Marks, key: object, frame: FrameType,
    worker: Any, lesson_file: str, loop_step: str | None = None, parked: bool = False,
) -> list[Seen]:  # fmt: skip
    """What the last look saw of this stack if it has not moved since (the same innermost
    frame, at the same instruction), else what a walk of it finds now. `worker` is its name,
    or the greenlet it is (named only when walked: gevent makes the name each time)."""
    before = _stacks.get(key)
    if before is not None and before[0] is frame and before[1] == frame.f_lasti:
        found = before[2]
    else:
        name = worker if isinstance(worker, str) else _greenlet_name(worker)
        found = _stack_seen(name, frame, lesson_file, loop_step, parked)
    stacks[key] = (frame, frame.f_lasti, found)
    return found


def _stack_seen(
    worker: str,
    frame: FrameType | None,
    lesson_file: str,
    loop_step: str | None = None,
    parked: bool = False,
) -> list[Seen]:
    """The worker of a stack, from its innermost frame, if it is in the lesson. A loop's
    thread (`loop_step` names what the loop runs now) is two: what runs in the loop's
    callback, and the thread's own frames below the loop."""
    found: list[Seen] = []
    seen = Seen(worker, parked=parked)
    stop_at = _handle_run() if loop_step is not None else None
    inner: FrameType | None = None
    while frame is not None:
        code = frame.f_code
        if code is stop_at:  # everything inside belongs to the loop's callback
            if seen.frames:
                seen.worker = loop_step or worker
                found.append(seen)
            seen = Seen(worker, parked=parked)
        elif code.co_filename == lesson_file:
            if not seen.frames and inner is not None:
                seen.callee = inner.f_code
            seen.frames.append(frame)
        inner, frame = frame, frame.f_back
    if seen.frames:
        found.append(seen)
    return found


def _task_unless_still(
    stacks: Marks, task: asyncio.Task[Any], lesson_file: str, due: set[int]
) -> list[Seen]:
    """What the last look saw of this task if it still waits on the same future, else what
    its await chain shows now; either way, whether its wait is over by now: the future is
    done, or it is a timer's whose time has come (`due`: a busy loop has not run it yet)."""
    waiter = getattr(task, "_fut_waiter", None)
    before = _stacks.get(id(task))
    if waiter is not None and before is not None and before[0] is waiter:
        found = before[2]
    else:
        found = _task_seen(task, lesson_file)
    if waiter is not None:
        stacks[id(task)] = (waiter, 0, found)
    for seen in found:  # ready: its wait is over, or it was scheduled without one
        seen.ready = waiter is None or waiter.done() or id(waiter) in due
    return found


def _due(loop: asyncio.AbstractEventLoop) -> set[int]:
    """The futures of the loop's timers whose time has come (an `asyncio.sleep` that is over
    while the loop is busy elsewhere): the ids of the futures among their arguments."""
    now = loop.time()
    timers = list(getattr(loop, "_scheduled", ()))
    return {
        id(argument)
        for timer in timers
        if timer.when() <= now
        for argument in getattr(timer, "_args", None) or ()
        if isinstance(argument, asyncio.Future)
    }


def _task_seen(task: asyncio.Task[Any], lesson_file: str) -> list[Seen]:
    """A suspended task of the lesson, through its await chain: from its coroutine down to
    the lesson's innermost frame and the one frame it awaits in, no further (the rest is a
    library's). A task whose coroutine is not the lesson's (a library's own) is not one."""
    step: Any = task.get_coro()
    code = getattr(step, "cr_code", None) or getattr(step, "gi_code", None)
    if code is None or code.co_filename != lesson_file:
        return []
    seen = Seen(task.get_name(), parked=True)
    while True:
        kind = type(step)
        if kind is CoroutineType:
            frame, step = step.cr_frame, step.cr_await
        elif kind is GeneratorType:
            frame, step = step.gi_frame, step.gi_yieldfrom
        else:
            break
        if frame is None:
            break
        if frame.f_code.co_filename == lesson_file:
            seen.frames.append(frame)
        elif seen.frames:
            seen.callee = frame.f_code
            break
    if not seen.frames:
        return []
    seen.frames.reverse()  # innermost first
    return [seen]


def _ready_callbacks(loop: asyncio.AbstractEventLoop, lesson_file: str) -> list[Seen]:
    """The lesson's callbacks in the loop's ready queue: what it runs next (a task's next
    step is its task's, and is shown there)."""
    seen = []
    for handle in list(getattr(loop, "_ready", ())):
        callback = getattr(handle, "_callback", None)
        if isinstance(getattr(callback, "__self__", None), asyncio.Task):
            continue
        function = _function_of(callback, lesson_file)
        if function is not None:
            task = _task_of_values(getattr(handle, "_args", None) or (), LOCAL_DEPTH)
            seen.append(_waiting_callback("callback", function, "queued", task))
    return seen


def _tornado_requests(lesson_file: str) -> list[Seen]:
    """Tornado's requests still out, each at the lesson's callback that will get its response:
    queued past `max_clients`, or waiting on the network."""
    module = sys.modules.get("tornado.httpclient")
    if module is None:
        return []
    seen = []
    for client in list(module.AsyncHTTPClient._async_clients().values()):
        waiting = dict(getattr(client, "waiting", {}))
        active = dict(getattr(client, "active", {}))
        requests: list[tuple[Any, Any, State]] = [
            (entry[0], entry[1], "queued") for entry in waiting.values()
        ]
        requests += [(request, callback, "network") for request, callback in active.values()]
        for request, callback, state in requests:
            function = _function_of(callback, lesson_file)
            if function is not None:
                task = _task_of_url(request.url)
                seen.append(_waiting_callback("request", function, state, task))
    return seen


def _waiting_callback(worker: str, function: FunctionType, state: State, task: int | None) -> Seen:
    return Seen(worker, parked=True, line=function.__code__.co_firstlineno, state=state, task=task)


# What a look means


def state_of(seen: Seen) -> State:
    """What the worker is doing at its line."""
    if seen.parked and seen.ready:
        return "queued"  # only its turn to run is missing: the loop is busy elsewhere
    if seen.state is None:  # once: a worker that has not moved is seen again
        seen.state = _state(seen)
    return seen.state


def _state(seen: Seen) -> State:
    if seen.callee is not None:
        return _callee_state(seen.callee.co_filename, seen.callee.co_qualname)
    frame = seen.frames[0]
    entering = _entering(frame)
    if entering is not None:
        return entering
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


@cache
def _blocking_call(filename: str, line: int) -> State | None:
    """What a blocking C call on `line` of the source waits for, by the name it is called by."""
    for node in ast.walk(_tree(filename)):
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or line):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
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
    for expression in _entered_at(frame.f_code.co_filename, line):
        value = frame.f_locals.get(expression)
        if _lock(value):
            return "queued" if "Semaphore" in type(value).__name__ else "lock"
    return None


@functools.lru_cache(maxsize=URLS_KEPT)
def _task_of_url(url: str) -> int | None:
    return task_of_url(url)


def task_of(seen: Seen) -> int | None:
    """The fetch task a worker works for: the URL its innermost lesson frame holds (a thread's
    `url`, a callback's future)."""
    if seen.task is not None or seen.task_known or not seen.frames:
        return seen.task
    seen.task_known = True  # a stack that has not moved is not asked again
    for frame in seen.frames:
        seen.task = _task_of_locals(frame.f_locals)
        if seen.task is not None:
            break
    return seen.task


def _task_of_locals(values: dict[str, Any]) -> int | None:
    url = values.get("url")
    if isinstance(url, str):
        return _task_of_url(url)
    return _task_of_values(values.values(), 1)


def _task_of_values(values: Iterable[Any], depth: int) -> int | None:
    """The task of a response, a done future holding one, or an error raised about one."""
    for value in values:
        if isinstance(value, asyncio.Future) and value.done() and not value.cancelled():
            error = value.exception()
            value = error if error is not None else value.result()
        if isinstance(value, BaseException):
            task = probe.task_of(value)
        else:
            request = getattr(value, "request", None)
            url = getattr(request, "url", None)
            task = _task_of_url(str(url)) if url is not None else None
        if task is not None:
            return task
    return None


def _function_of(callback: object, lesson_file: str) -> FunctionType | None:
    """`_lesson_function` of a callback, worked out once."""
    known = _functions.get(id(callback))
    if known is None or known[0] is not callback:
        if len(_functions) > FUNCTIONS_KEPT:
            _functions.clear()
        known = _functions[id(callback)] = (
            callback,
            _lesson_function(callback, lesson_file, LOCAL_DEPTH),
        )
    return known[1]


def _lesson_function(value: Any, lesson_file: str, depth: int) -> FunctionType | None:
    """The lesson's function a callback comes to: itself, or through a partial, a closure,
    or the done-callbacks of a future it sets."""
    if depth < 0 or value is None:
        return None
    if isinstance(value, FunctionType):
        if value.__code__.co_filename == lesson_file:
            return value
        inner: Iterable[Any] = (cell.cell_contents for cell in value.__closure__ or ()
                                if _filled(cell))  # fmt: skip
    elif isinstance(value, functools.partial):
        inner = (value.func, *value.args)
    elif isinstance(value, asyncio.Future):
        inner = (callback for callback, _ in getattr(value, "_callbacks", None) or ())
    else:
        inner = ()
    for each in inner:
        found = _lesson_function(each, lesson_file, depth - 1)
        if found is not None:
            return found
    return None


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


# The frames of each kind of worker


def _running_tasks() -> dict[asyncio.AbstractEventLoop, asyncio.Task[Any]]:
    """Each loop's task whose step runs now (asyncio keeps them in one dict)."""
    return dict(getattr(asyncio.tasks, "_current_tasks", {}))


@cache
def _handle_run() -> CodeType:
    return asyncio.events.Handle._run.__code__


def _greenlet_list() -> list[Any]:
    if not _greenlets_tracked:
        return _all_greenlets()
    return [each for each in list(_greenlets) if not each.dead]


def _all_greenlets() -> list[Any]:
    if "greenlet" not in sys.modules:
        return []
    from greenlet import greenlet

    return [each for each in gc.get_objects() if isinstance(each, greenlet) and not each.dead]


def _running(greenlets: list[Any]) -> Any:
    """The greenlet that runs now: begun, not dead, and with no frame saved."""
    return next((each for each in greenlets if each and each.gr_frame is None), None)


def _greenlet_name(each: Any) -> str:
    name = getattr(each, "name", None)
    if name:
        return str(name)
    # The main greenlet is the main thread's own code, parked while others run.
    return "MainThread" if each.parent is None else "greenlet"


def _tasks(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task[Any]]:
    try:
        return list(asyncio.all_tasks(loop))
    except RuntimeError:  # the set changed while it was read: the next look will do
        return []


# Positions, as the labs report who is stuck where


def positions(lesson_file: str) -> list[Position]:
    """Every worker that is somewhere in `lesson_file` now, with the locks it holds."""
    seen = [each for each in look(lesson_file) if each.frames]
    made_as = _names_of_objects(frame for each in seen for frame in each.frames)
    return sorted(
        (_position(each, made_as, task_of(each)) for each in seen),
        key=lambda position: (position.function, position.worker),
    )


def _names_of_objects(frames: Iterable[FrameType]) -> dict[int, str]:
    """id(object) -> the local name a lesson frame made it under (`checking`, where the lock
    was made, says more than `source`, what a transfer calls it). Parameters name nothing."""
    names: dict[int, str] = {}
    for frame in frames:
        code = frame.f_code
        parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        for name, value in frame.f_locals.items():
            if name not in parameters and _lock(value):
                names[id(value)] = name
    return names


def _lock(value: object) -> bool:
    return callable(getattr(value, "acquire", None)) and callable(getattr(value, "release", None))


def _position(seen: Seen, made_as: dict[int, str], task: int | None) -> Position:
    frame = seen.frames[0]
    code, line = frame.f_code, frame.f_lineno
    held = []
    for expression in _held_at(code.co_filename, line):
        value = frame.f_locals.get(expression)  # a plain name; a pool or a file is no lock
        if _lock(value):
            name = made_as.get(id(value))
            held.append(f"{expression} ({name})" if name and name != expression else expression)
    source = _source_line(code.co_filename, line)
    return Position(seen.worker, code.co_name, line, source, tuple(held), state_of(seen), task)


def _withs(filename: str) -> list[ast.With | ast.AsyncWith]:
    return [
        node for node in ast.walk(_tree(filename)) if isinstance(node, ast.With | ast.AsyncWith)
    ]


@cache
def _held_at(filename: str, line: int) -> list[str]:
    """The context expressions of the `with` blocks whose body holds `line`."""
    return [
        ast.unparse(item.context_expr)
        for node in _withs(filename)
        if node.body[0].lineno <= line <= (node.end_lineno or node.lineno)
        for item in node.items
    ]


@cache
def _entered_at(filename: str, line: int) -> list[str]:
    """The context expressions of the `with` blocks whose header is `line`."""
    return [
        ast.unparse(item.context_expr)
        for node in _withs(filename)
        if node.lineno <= line < node.body[0].lineno
        for item in node.items
    ]


@cache
def _tree(filename: str) -> ast.Module:
    with open(filename, encoding="utf-8") as source:
        return ast.parse(source.read())


@cache
def _lines(filename: str) -> list[str]:
    with open(filename, encoding="utf-8") as source:
        return source.read().splitlines()


def _source_line(filename: str, line: int) -> str:
    lines = _lines(filename)
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


STATE_WORDS: dict[str, str] = {
    "running": "runs",
    "network": "waits on the network",
    "lock": "waits on a lock",
    "queued": "waits its turn",
    "waiting": "waits for others",
}


def describe(position: dict[str, Any]) -> str:
    """A position as one line, from its JSON form (the form a report and a log carry; logs
    from before the X-ray have no state)."""
    holds = position["holds"]
    holding = f"holds {', '.join(holds)}; " if holds else ""
    doing = f"{STATE_WORDS[position['state']]}; " if position.get("state") in STATE_WORDS else ""
    return (
        f"{position['worker']} in {position['function']}(): {doing}{holding}"
        f"line {position['line']}: {position['code']}"
    )
