"""Which fetch task a worker works for, read off what it holds: the URL in its lesson frame
(a thread's `url`), or a response, a done future or an error about one (a callback's).

A `url` the frame loops over (`for url in job.urls`, a comprehension's) names no task: the
loop hands each URL out, to a pool, a thread, a task, and the worker looping (the starter)
works for none of them. Its `url` is only the one in hand, and the X-ray named the starter
"task 0" at threadpool's `pool.submit` line. (So a lesson that fetches in its own loop,
`for url in job.urls: client.get(url)`, shows that worker by its name, not by its task.)
"""

from __future__ import annotations

import asyncio
import dis
import functools
from collections.abc import Iterable
from types import CodeType, FrameType
from typing import Any

from ..targets import task_of_url
from . import probe
from .seen import Seen

URLS_KEPT = 100_000  # tasks of URLs remembered (a run has at most MAX_TASKS of them)
# The instructions that bind a loop's target, after its FOR_ITER (3.11 to 3.13): unpacking
# and storing, as in `for index, url in enumerate(job.urls)`.
LOOP_TARGET = {"UNPACK_SEQUENCE", "UNPACK_EX", "STORE_FAST", "STORE_DEREF", "STORE_NAME",
               "STORE_GLOBAL", "STORE_FAST_STORE_FAST", "STORE_FAST_LOAD_FAST"}  # fmt: skip


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
        seen.task = _task_of_frame(frame)
        if seen.task is not None:
            break
    return seen.task


def task_of_request(url: object) -> int | None:
    """The task of a request's URL (Tornado's request objects carry it as text)."""
    return _task_of_url(str(url))


def _task_of_frame(frame: FrameType) -> int | None:
    values = frame.f_locals
    url = values.get("url")
    if isinstance(url, str) and "url" not in _loop_targets(frame.f_code):
        return _task_of_url(url)
    return task_of_values(values.values())


@functools.cache
def _loop_targets(code: CodeType) -> frozenset[str]:
    """The names `code` binds as a loop's target (a `for`'s, or a comprehension's)."""
    names: set[str] = set()
    binding = False
    for each in dis.get_instructions(code):
        if each.opname == "FOR_ITER":
            binding = True
        elif binding and each.opname in LOOP_TARGET:
            if each.opname == "STORE_FAST_LOAD_FAST":  # the target, then a load: the body's
                names.add(each.argval[0])
                binding = False
            elif each.opname.startswith("STORE"):
                names.update(each.argval if isinstance(each.argval, tuple) else [each.argval])
        else:
            binding = False
    return frozenset(names)


def task_of_values(values: Iterable[Any]) -> int | None:
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
