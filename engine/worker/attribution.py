"""Which fetch task a worker works for, read off what it holds: the URL in its lesson frame
(a thread's `url`), or a response, a done future or an error about one (a callback's)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from typing import Any

from ..targets import task_of_url
from . import probe
from .seen import Seen

URLS_KEPT = 100_000  # tasks of URLs remembered (a run has at most MAX_TASKS of them)


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


def task_of_request(url: object) -> int | None:
    """The task of a request's URL (Tornado's request objects carry it as text)."""
    return _task_of_url(str(url))


def _task_of_locals(values: dict[str, Any]) -> int | None:
    url = values.get("url")
    if isinstance(url, str):
        return _task_of_url(url)
    return task_of_values(values.values())


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
