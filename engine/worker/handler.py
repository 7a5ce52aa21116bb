"""The report around the lessons' shared response handler, kept out of the handler itself.

The worker wraps `asyncplay.strategies.pages.handle` before it loads a lesson, so the
lesson's `from .pages import handle` binds the wrapper: the task finished when the handler
returned, and failed where it raised. The wrapper's own frame is cut from the traceback of
what it re-raises, so stderr, the hooks and the caller see exactly the lesson's traceback.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ...strategies import pages
from ..targets import task_of_url
from . import probe

if TYPE_CHECKING:
    from ...strategies.pages import Response


def report_around_handle() -> None:
    """Replace `pages.handle` with a wrapper that tells the probe how each page went."""
    handle = pages.handle

    @functools.wraps(handle)
    def reporting_handle(response: Response) -> int:
        url, body = pages.url_and_body(response)
        task = task_of_url(url)
        try:
            words = handle(response)
        except Exception as error:
            probe.task_failed(task, error)
            if error.__traceback__ is not None:  # drop this frame: it is not the lesson's
                error.__traceback__ = error.__traceback__.tb_next
            raise
        probe.task_finished(task, pages.status_of(response), len(body))
        return words

    pages.handle = reporting_handle
