"""Where every worker is in a lesson: each thread, greenlet, asyncio or trio task and Tornado
callback, at which frames of the lesson.

Read from outside, by another thread, without the lesson's help: threads through
`sys._current_frames()`, greenlets through their saved frames, tasks through their
coroutine's await chain (`cr_await`, `gi_yieldfrom`: a suspended coroutine's frame has no
`f_back`; trio's tasks as trio_runs.py keeps them), Tornado's requests through its client's
queue, and the callbacks the loop is about to run through the loop's ready queue. The
X-ray's sampler looks this way every few tens of milliseconds, the labs' watchdog once a lab
is stuck.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import sys
import threading
import weakref
from collections.abc import Iterable
from functools import cache
from types import CodeType, CoroutineType, FrameType, FunctionType, GeneratorType
from typing import Any

from ..events import SpotState
from . import probe, trio_runs
from .attribution import task_of_request, task_of_values
from .seen import Seen

LOCAL_DEPTH = 4  # how far through closures and partials a callback's lesson function is sought
FUNCTIONS_KEPT = 10_000  # callbacks whose lesson function is remembered
# Each worker as the last look found it: (a mark of where it was, what was found). A thread
# blocked in a call or a parked greenlet (the same innermost frame at the same instruction),
# or a task still waiting on the same future, has not moved, and is not walked again.
Marks = dict[object, tuple[object, int, list[Seen]]]
# What a loop's thread runs now, and the code of the loop that runs it: on the thread's
# stack, the frames inside that code are the step's.
Step = tuple[str, CodeType]


class Finder:
    """Looks for a lesson's workers in this process. One per process: it remembers the
    loops and greenlets started since it began tracking them, and what its last look saw."""

    def __init__(self) -> None:
        self.loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self.greenlets: weakref.WeakSet[Any] = weakref.WeakSet()
        self.trio_runs: dict[int, trio_runs.RunTasks] = {}  # by the thread each runs on
        self.loops_tracked = self.greenlets_tracked = self.trio_tracked = False
        self.marks: Marks = {}
        # The lesson's function each callback comes to, kept with the callback (so its id is
        # not reused) until there are too many to keep.
        self.functions: dict[int, tuple[object, FunctionType | None]] = {}

    def track_loops(self) -> None:
        """Remember every asyncio loop that runs from now on, so another thread can list its
        tasks."""
        if self.loops_tracked:
            return
        self.loops_tracked = True
        original = asyncio.BaseEventLoop.run_forever
        loops = self.loops

        @functools.wraps(original)
        def run_forever(self: asyncio.BaseEventLoop) -> None:
            loops.add(self)
            original(self)

        asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]

    def track_trio(self) -> None:
        """Keep the live tasks of every trio run from now on, so another thread can list
        them (see trio_runs.py)."""
        if "trio" not in sys.modules or self.trio_tracked:
            return
        self.trio_tracked = True
        trio_runs.track(self.trio_runs)

    def track_greenlets(self) -> None:
        """Remember every gevent greenlet started in this process, and this thread's own:
        cheaper than a scan of every object at each look, and the same set for the lessons
        (each starts its greenlets through gevent). A spawn callback, not
        `greenlet.settrace`: a trace runs Python code at every switch, which cost a gevent
        run of 200 tasks some 8 % of its CPU."""
        if "gevent" not in sys.modules or self.greenlets_tracked:
            return
        import gevent
        import greenlet  # type: ignore[import-untyped]

        gevent.Greenlet.add_spawn_callback(self.greenlets.add)
        self.greenlets.add(greenlet.getcurrent())
        self.greenlets_tracked = True

    def look(self, lesson_file: str) -> list[Seen]:
        """Every worker that is somewhere in `lesson_file` now, unnamed tasks included."""
        found: list[Seen] = []
        current = _running_tasks()
        loops = list(self.loops)
        loop_threads = {getattr(loop, "_thread_id", None): loop for loop in loops}
        greenlets = self._greenlet_list()
        trio_tasks = {thread: run.live() for thread, run in dict(self.trio_runs).items()}
        names = {thread.ident: thread.name for thread in threading.enumerate()}
        me = probe.get_ident()
        marks: Marks = {}
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            name = names.get(ident, f"thread {ident}")
            running_greenlet = _running(greenlets) if ident == probe.MAIN_THREAD else None
            if running_greenlet is not None and running_greenlet.parent is not None:
                name = _greenlet_name(running_greenlet)
            loop = loop_threads.get(ident)
            step: Step | None = None
            if loop is not None:  # a loop's thread may be running a task's step, or a callback
                task = current.get(loop)
                step = (task.get_name() if task else "callback", _handle_run())
            elif ident in trio_tasks:  # trio's thread may be running a task's step
                running = trio_runs.running(trio_tasks[ident])
                step = (trio_runs.name_of(running) if running else "trio", trio_runs.step_code())
            found += self._unless_still(marks, ident, frame, name, lesson_file, step)
        for each in greenlets:
            frame = each.gr_frame
            if frame is not None and not each.dead:
                found += self._unless_still(marks, id(each), frame, each, lesson_file, parked=True)
        for loop in loops:
            running = current.get(loop)
            due = _due(loop)
            for task in _tasks(loop):
                if task is not running and not task.done():
                    found += self._task_unless_still(marks, task, lesson_file, due)
            found += self._ready_callbacks(loop, lesson_file)
        for tasks in trio_tasks.values():
            for task in tasks:
                if not task.coro.cr_running:  # the running one is on its thread's stack
                    found += self._trio_task_unless_still(marks, task, lesson_file)
        found += self._tornado_requests(lesson_file)
        self.marks = marks
        return found

    def _unless_still(
        self, marks: Marks, key: object, frame: FrameType,
        worker: Any, lesson_file: str, step: Step | None = None, parked: bool = False,
    ) -> list[Seen]:  # fmt: skip
        """What the last look saw of this stack if it has not moved since (the same innermost
        frame, at the same instruction), else what a walk of it finds now. `worker` is its
        name, or the greenlet it is (named only when walked: gevent makes the name each time)."""
        before = self.marks.get(key)
        if before is not None and before[0] is frame and before[1] == frame.f_lasti:
            found = before[2]
        else:
            name = worker if isinstance(worker, str) else _greenlet_name(worker)
            found = _stack_seen(name, frame, lesson_file, step, parked)
        marks[key] = (frame, frame.f_lasti, found)
        return found

    def _task_unless_still(
        self, marks: Marks, task: asyncio.Task[Any], lesson_file: str, due: set[int]
    ) -> list[Seen]:
        """What the last look saw of this task if it still waits on the same future, else
        what its await chain shows now; either way, whether its wait is over by now: the
        future is done, or it is a timer's whose time has come (`due`: a busy loop has not
        run it yet)."""
        waiter = getattr(task, "_fut_waiter", None)
        before = self.marks.get(id(task))
        if waiter is not None and before is not None and before[0] is waiter:
            found = before[2]
        else:
            found = _coroutine_seen(task.get_name(), task.get_coro(), lesson_file)
        if waiter is not None:
            marks[id(task)] = (waiter, 0, found)
        for seen in found:  # ready: its wait is over, or it was scheduled without one
            seen.ready = waiter is None or waiter.done() or id(waiter) in due
        return found

    def _trio_task_unless_still(self, marks: Marks, task: Any, lesson_file: str) -> list[Seen]:
        """What a suspended trio task's await chain shows (what the last look saw, if its
        innermost lesson frame has not moved since); ready if trio has it scheduled to run
        next. (A trio task shows no future it waits on, so its chain is walked each look;
        the walk stops one frame past the lesson.)"""
        found = _coroutine_seen(trio_runs.name_of(task), task.coro, lesson_file)
        if found:
            frame = found[0].frames[0]
            before = self.marks.get(id(task))
            if before is not None and before[0] is frame and before[1] == frame.f_lasti:
                found = before[2]
            marks[id(task)] = (frame, frame.f_lasti, found)
        for seen in found:
            seen.ready = trio_runs.scheduled(task)
        return found

    def _ready_callbacks(self, loop: asyncio.AbstractEventLoop, lesson_file: str) -> list[Seen]:
        """The lesson's callbacks in the loop's ready queue: what it runs next (a task's next
        step is its task's, and is shown there)."""
        seen = []
        for handle in list(getattr(loop, "_ready", ())):
            callback = getattr(handle, "_callback", None)
            if isinstance(getattr(callback, "__self__", None), asyncio.Task):
                continue
            function = self._function_of(callback, lesson_file)
            if function is not None:
                task = task_of_values(getattr(handle, "_args", None) or ())
                seen.append(_waiting_callback("callback", function, "queued", task))
        return seen

    def _tornado_requests(self, lesson_file: str) -> list[Seen]:
        """Tornado's requests still out, each at the lesson's callback that will get its
        response: queued past `max_clients`, or waiting on the network."""
        module = sys.modules.get("tornado.httpclient")
        if module is None:
            return []
        seen = []
        for client in list(module.AsyncHTTPClient._async_clients().values()):
            waiting = dict(getattr(client, "waiting", {}))
            active = dict(getattr(client, "active", {}))
            requests: list[tuple[Any, Any, SpotState]] = [
                (entry[0], entry[1], "queued") for entry in waiting.values()
            ]
            requests += [(request, callback, "network") for request, callback in active.values()]
            for request, callback, state in requests:
                function = self._function_of(callback, lesson_file)
                if function is not None:
                    task = task_of_request(request.url)
                    seen.append(_waiting_callback("request", function, state, task))
        return seen

    def _function_of(self, callback: object, lesson_file: str) -> FunctionType | None:
        """`_lesson_function` of a callback, worked out once."""
        known = self.functions.get(id(callback))
        if known is None or known[0] is not callback:
            if len(self.functions) > FUNCTIONS_KEPT:
                self.functions.clear()
            known = self.functions[id(callback)] = (
                callback,
                _lesson_function(callback, lesson_file, LOCAL_DEPTH),
            )
        return known[1]

    def _greenlet_list(self) -> list[Any]:
        if not self.greenlets_tracked:
            return _all_greenlets()
        return [each for each in list(self.greenlets) if not each.dead]


def _stack_seen(
    worker: str,
    frame: FrameType | None,
    lesson_file: str,
    step: Step | None = None,
    parked: bool = False,
) -> list[Seen]:
    """The worker of a stack, from its innermost frame, if it is in the lesson. A loop's
    thread (`step`: what the loop runs now, and the loop's code that runs it) is two: what
    runs in the loop's step, and the thread's own frames below the loop."""
    found: list[Seen] = []
    seen = Seen(worker, parked=parked)
    stop_at = step[1] if step is not None else None
    inner: FrameType | None = None
    while frame is not None:
        code = frame.f_code
        if code is stop_at:  # everything inside belongs to the loop's step
            if seen.frames and step is not None:
                seen.worker = step[0]
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


def _coroutine_seen(name: str, coroutine: object, lesson_file: str) -> list[Seen]:
    """A suspended task of the lesson, through its await chain: from its coroutine down to
    the lesson's innermost frame and the one frame it awaits in, no further (the rest is a
    library's). A task whose coroutine is not the lesson's (a library's own) is not one."""
    step: Any = coroutine
    code = getattr(step, "cr_code", None) or getattr(step, "gi_code", None)
    if code is None or code.co_filename != lesson_file:
        return []
    seen = Seen(name, parked=True)
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


def _waiting_callback(
    worker: str, function: FunctionType, state: SpotState, task: int | None
) -> Seen:
    return Seen(worker, parked=True, line=function.__code__.co_firstlineno, state=state, task=task)


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


def _running_tasks() -> dict[asyncio.AbstractEventLoop, asyncio.Task[Any]]:
    """Each loop's task whose step runs now (asyncio keeps them in one dict)."""
    return dict(getattr(asyncio.tasks, "_current_tasks", {}))


@cache
def _handle_run() -> CodeType:
    return asyncio.events.Handle._run.__code__


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
