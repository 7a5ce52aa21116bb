"""Where every worker is in a lesson: each thread, greenlet and asyncio task, at which line,
holding which locks.

Read from outside, by another thread, without the lesson's help: threads through
`sys._current_frames()`, greenlets through their saved frames, tasks through their
coroutine's await chain. Locks held are read off the source: the `with` blocks the line sits
in, with the name the lock was made under where a frame still holds it.
"""

from __future__ import annotations

import ast
import asyncio
import gc
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from types import CodeType, FrameType
from typing import Any

_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


@dataclass(frozen=True)
class Position:
    """One worker, at one line of the lesson."""

    worker: str  # "transfer-1", "Task-3", "Greenlet-0": the name its style gives it
    function: str  # the lesson function it is in
    line: int
    code: str  # the line's source, stripped
    holds: tuple[str, ...]  # the locks of the `with` blocks around the line

    def to_json(self) -> dict[str, Any]:
        return {"worker": self.worker, "function": self.function, "line": self.line,
                "code": self.code, "holds": list(self.holds)}  # fmt: skip


def track_loops() -> None:
    """Remember every asyncio loop that runs, so another thread can list its tasks."""
    original = asyncio.BaseEventLoop.run_forever

    def run_forever(self: asyncio.BaseEventLoop) -> None:
        _loops.add(self)
        original(self)

    asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]


def positions(lesson_file: str) -> list[Position]:
    """Every worker that is somewhere in `lesson_file` now."""
    me = threading.get_ident()
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    stacks: list[tuple[str, list[FrameType]]] = [
        (names.get(ident, f"thread {ident}"), list(_chain(frame)))
        for ident, frame in sys._current_frames().items()
        if ident != me
    ]
    stacks += _greenlets()
    for loop in list(_loops):
        stacks += [(task.get_name(), _awaiting(task)) for task in _tasks(loop)]
    in_lesson = [
        (worker, [frame for frame in stack if frame.f_code.co_filename == lesson_file])
        for worker, stack in stacks
    ]
    in_lesson = [(worker, frames) for worker, frames in in_lesson if frames]
    made_as = _names_of_objects(frame for _, frames in in_lesson for frame in frames)
    return sorted(
        (_position(worker, frames[0], made_as) for worker, frames in in_lesson),
        key=lambda position: (position.function, position.worker),
    )


def _greenlets() -> list[tuple[str, list[FrameType]]]:
    if "greenlet" not in sys.modules:
        return []
    from greenlet import greenlet  # type: ignore[import-untyped]

    return [
        (getattr(each, "name", None) or "greenlet", list(_chain(each.gr_frame)))
        for each in gc.get_objects()
        if isinstance(each, greenlet) and not each.dead and each.gr_frame is not None
    ]


def _tasks(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task[Any]]:
    try:
        return list(asyncio.all_tasks(loop))
    except RuntimeError:  # the set changed while it was read: the next look will do
        return []


def _awaiting(task: asyncio.Task[Any]) -> list[FrameType]:
    """The task's await chain, innermost first. A suspended coroutine's frame has no f_back,
    so the chain is followed through cr_await and gi_yieldfrom instead."""
    frames = []
    step: Any = task.get_coro()
    while step is not None:
        frame = getattr(step, "cr_frame", None) or getattr(step, "gi_frame", None)
        if frame is None:
            break
        frames.append(frame)
        step = getattr(step, "cr_await", None) or getattr(step, "gi_yieldfrom", None)
    return frames[::-1]


def _chain(frame: FrameType | None) -> Iterator[FrameType]:
    while frame is not None:
        yield frame
        frame = frame.f_back


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


def _position(worker: str, frame: FrameType, made_as: dict[int, str]) -> Position:
    code, line = frame.f_code, frame.f_lineno
    held = []
    for expression in _held_at(code, line):
        value = frame.f_locals.get(expression)  # a plain name; a pool or a file is no lock
        if _lock(value):
            name = made_as.get(id(value))
            held.append(f"{expression} ({name})" if name and name != expression else expression)
    return Position(worker, code.co_name, line, _source_line(code.co_filename, line), tuple(held))


def _held_at(code: CodeType, line: int) -> list[str]:
    """The context expressions of the `with` blocks whose body holds `line`."""
    held = []
    for node in ast.walk(_tree(code.co_filename)):
        if isinstance(node, ast.With | ast.AsyncWith) and node.body[0].lineno <= line <= (
            node.end_lineno or node.lineno
        ):
            held += [ast.unparse(item.context_expr) for item in node.items]
    return held


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


def describe(position: dict[str, Any]) -> str:
    """A position as one line, from its JSON form (the form a report and a log carry)."""
    holds = position["holds"]
    holding = f"holds {', '.join(holds)}; " if holds else ""
    return (
        f"{position['worker']} in {position['function']}(): {holding}"
        f"line {position['line']}: {position['code']}"
    )
