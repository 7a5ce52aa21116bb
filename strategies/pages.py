"""The response handler every strategy shares, bug included.

It counts the words on a page. Like a lot of real handlers, it assumes more than it checks:
it decodes the page as ASCII, so the `handler-bug` page (which has a few non-ASCII words)
makes it raise UnicodeDecodeError — a bug in the user's code, not in the network.

Some pages also ask for work the event loop cannot help with: `blocking` pages make a
synchronous call (as a C database driver or a sync library would) and `cpu` pages are costly
to parse. The page's URL says how long.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from . import probe
from .targets import task_of_url, work_of_url

if TYPE_CHECKING:
    from tornado.httpclient import HTTPResponse


def handle(response: httpx.Response | HTTPResponse) -> int:
    """Count the words on a fetched page."""
    url, status, body = _unpack(response)
    with probe.handling(task_of_url(url), status, len(body)):  # tells the worker how it went
        _do_the_pages_work(url)
        return len(body.decode("ascii").split())  # the bug: not every page is ASCII


def _do_the_pages_work(url: str) -> None:
    work = work_of_url(url)
    if work is None:
        return
    kind, seconds = work
    if kind == "block":
        _unpatched_sleep()(seconds)
    elif kind == "cpu":
        # CPU time of this thread, not wall time: other threads holding the GIL don't count.
        deadline = time.thread_time() + seconds
        while time.thread_time() < deadline:
            pass


def _unpatched_sleep() -> Callable[[float], None]:
    """time.sleep, as a blocking call; gevent's monkey patching would make it yield instead."""
    if "gevent.monkey" in sys.modules:
        from gevent import monkey

        sleep: Callable[[float], None] = monkey.get_original("time", "sleep")
        return sleep
    return time.sleep


def _unpack(response: httpx.Response | HTTPResponse) -> tuple[str, int, bytes]:
    """(url, status, body) of an httpx or a Tornado response."""
    if isinstance(response, httpx.Response):
        return str(response.request.url), response.status_code, response.content
    return response.effective_url, response.code, response.body
