"""Where a lab's workers are, as the labs report who is stuck where: each at its line of
the lesson, with the locks of the `with` blocks it is inside, named as the lock was made
where a frame still holds it."""

from __future__ import annotations

from collections.abc import Iterable
from types import FrameType

from ..positions import Position
from . import syntax
from .attribution import task_of
from .finding import Finder
from .seen import Seen
from .states import is_lock, state_of


def positions(finder: Finder, lesson_file: str) -> list[Position]:
    """Every worker that is somewhere in `lesson_file` now, with the locks it holds."""
    seen = [each for each in finder.look(lesson_file) if each.frames]
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
            if name not in parameters and is_lock(value):
                names[id(value)] = name
    return names


def _position(seen: Seen, made_as: dict[int, str], task: int | None) -> Position:
    frame = seen.frames[0]
    code, line = frame.f_code, frame.f_lineno
    held = []
    for expression in syntax.held_at(code.co_filename, line):
        value = frame.f_locals.get(expression)  # a plain name; a pool or a file is no lock
        if is_lock(value):
            name = made_as.get(id(value))
            held.append(f"{expression} ({name})" if name and name != expression else expression)
    source = syntax.source_line(code.co_filename, line)
    return Position(seen.worker, code.co_name, line, source, tuple(held), state_of(seen), task)
