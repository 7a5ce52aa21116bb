"""The capture hooks: where each framework puts an error its caller never sees.

Each hook tells the probe, then calls through to the original, so what a user of that style
would see on stderr still appears (and the runner captures it).

trio needs none: a task can only be started in a nursery, and a nursery is where its error
goes. The first error cancels the nursery's other tasks; once they have ended, every error
that had happened is raised from the nursery's `async with`, together in an ExceptionGroup,
and out of `trio.run` (the worker flattens the group: "main() raised"). A cancelled task
gets `trio.Cancelled` at its next checkpoint: no Exception, so the clients report no failure
of its own, and its fault is "not run". (A task whose response had already arrived has no
checkpoint left to be cancelled at: it finishes.)
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from ..events import Channel
from . import probe

Saw = Callable[[Channel, BaseException, str], None]
_saw: Saw = probe.saw  # (channel, error, who saw it); a lab passes its own


def install(saw: Saw | None = None) -> None:
    """Install every hook whose framework the strategy has imported."""
    global _saw
    _saw = saw or probe.saw
    _hook_threading()
    if "asyncio" in sys.modules:
        _hook_asyncio()
    if "tornado" in sys.modules:
        _hook_tornado()
    if "gevent" in sys.modules:
        _hook_gevent()


def _hook_threading() -> None:
    original = threading.excepthook

    def excepthook(args: Any) -> None:
        if args.exc_value is not None:
            _saw("logged", args.exc_value, "threading.excepthook")
        original(args)

    threading.excepthook = excepthook


def _hook_asyncio() -> None:
    """Every loop's exception handler: "Task exception was never retrieved" and friends."""
    import asyncio

    original = asyncio.BaseEventLoop.call_exception_handler

    def call_exception_handler(self: asyncio.BaseEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            _saw("logged", error, "asyncio exception handler")
        original(self, context)

    asyncio.BaseEventLoop.call_exception_handler = call_exception_handler  # type: ignore[method-assign]


class _SeeLoggedErrors(logging.Filter):
    """A filter, not a handler: it lets every record through, so logging's own output (the
    last-resort handler when nothing is configured) is exactly what it would have been."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            _saw("logged", record.exc_info[1], f"{record.name} log")
        return True


def _hook_tornado() -> None:
    logging.getLogger("tornado.application").addFilter(_SeeLoggedErrors())


def _hook_gevent() -> None:
    from gevent.hub import Hub

    original = Hub.handle_error

    def handle_error(
        self: Hub, context: Any, kind: type | None, value: Any, tb: TracebackType | None
    ) -> None:
        if isinstance(value, BaseException) and not isinstance(value, Hub.SYSTEM_ERROR):
            _saw("logged", value, "gevent hub")
        original(self, context, kind, value, tb)

    Hub.handle_error = handle_error
