"""trio's tasks, kept where another thread can read them: the X-ray's sampler walks them as
it walks asyncio's.

trio keeps its tasks in its runner, which only trio's own thread can reach (`trio.lowlevel.
current_root_task()` answers there alone), and which trio changes as it runs, nurseries and
all. So each run is handed an Instrument, trio's public way to watch its tasks: its
`task_spawned` and `task_exited` keep a set of the run's live tasks, changed only on trio's
thread; a look copies it in one call (`list` of a set holds the GIL throughout: no task is
added or removed halfway). From each task a look then reads what asyncio's give too: its
coroutine's await chain (`Task.coro`), and whether trio has it scheduled to run next.

The instrument is added where trio makes each run's runner (`setup_runner`, which
`trio.run` and a guest run both call), not by wrapping `trio.run`: a wrapper would be a
frame of the harness in every trace of the lesson's errors and on its thread's stack, and a
lesson that bound `from trio import run` at its import would hold the unwrapped one.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

from . import probe


class RunTasks:
    """One trio run's live tasks. An Instrument by duck typing: trio calls the hooks a class
    defines and no other (one call as a task starts, one as it ends; none per step)."""

    def __init__(self, runs: dict[int, RunTasks]) -> None:
        self.tasks: set[Any] = set()
        self.runs, self.thread = runs, 0

    def before_run(self) -> None:  # on the run's own thread, as every hook is
        self.thread = probe.get_ident()
        self.runs[self.thread] = self

    def task_spawned(self, task: Any) -> None:
        self.tasks.add(task)

    def task_exited(self, task: Any) -> None:
        self.tasks.discard(task)

    def after_run(self) -> None:
        if self.runs.get(self.thread) is self:
            del self.runs[self.thread]

    def live(self) -> list[Any]:
        return list(self.tasks)


def track(runs: dict[int, RunTasks]) -> None:
    """From now on every trio run keeps its live tasks in `runs`, under the thread it runs
    on, while it runs. (A trio without `setup_runner` is not tracked: its tasks go unseen.)"""
    module = sys.modules["trio._core._run"]
    original: Callable[..., Any] | None = getattr(module, "setup_runner", None)
    if original is None:
        return

    @functools.wraps(original)
    def setup_runner(clock: Any, instruments: Any, *options: Any, **named: Any) -> Any:
        return original(clock, (*instruments, RunTasks(runs)), *options, **named)

    vars(module)["setup_runner"] = setup_runner  # trio.run looks it up at each call


def running(tasks: list[Any]) -> Any:
    """The task whose step runs now, if one does: its coroutine is executing."""
    return next((task for task in tasks if task.coro.cr_running), None)


def scheduled(task: Any) -> bool:
    """Whether trio has the task in its queue to run next: what it waited for is done."""
    return getattr(task, "_next_send_fn", None) is not None


def name_of(task: Any) -> str:
    """trio names a task by its function's module and qualified name; the function's own name
    is enough in the lesson (`fetch`, `fetch_all`). A name the lesson gave is kept."""
    code = getattr(task.coro, "cr_code", None)
    name = str(task.name)
    if code is not None and name.endswith(code.co_qualname):
        return str(code.co_name)
    return name


@functools.cache
def step_code() -> CodeType:
    """The code of trio's loop that runs a task's step: on a trio thread's stack, what lies
    inside it is the running task's."""
    return sys.modules["trio._core._run"].unrolled_run.__code__  # type: ignore[no-any-return]
