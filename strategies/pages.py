"""The response handler every strategy shares, bug included.

It counts the words on a page. Like a lot of real handlers, it assumes more than it checks:
it decodes the page as ASCII, so the `handler-bug` page (which has a few non-ASCII words)
makes it raise UnicodeDecodeError — a bug in the user's code, not in the network.

Some pages also ask for work the event loop cannot help with: `blocking` pages make a
synchronous call (as a C database driver or a sync library would) and `cpu` pages are costly
to parse. The page's URL says which, and for how long: `?work=block:200` (milliseconds).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    import httpx
    from tornado.httpclient import HTTPResponse
    from typing_extensions import TypeIs


def handle(response: httpx.Response | HTTPResponse) -> int:
    """Count the words on a fetched page."""
    url, body = url_and_body(response)
    _do_the_pages_work(url)
    return len(body.decode("ascii").split())  # the bug: not every page is ASCII


def url_and_body(response: httpx.Response | HTTPResponse) -> tuple[str, bytes]:
    """The URL and body of an httpx or a Tornado response."""
    if is_tornado(response):
        return response.effective_url, response.body
    return str(response.url), response.content


def is_tornado(response: httpx.Response | HTTPResponse) -> TypeIs[HTTPResponse]:
    # Told apart by an attribute: importing httpx or Tornado here would load ssl before the
    # gevent lesson has patched it.
    return hasattr(response, "effective_url")


def work_of_url(url: str) -> tuple[str, float] | None:
    """The work a page asks of its handler: ("block" or "cpu", seconds), or None."""
    if "work=" not in url:  # most pages ask for none: no need to parse their URL
        return None
    values = parse_qs(urlsplit(url).query).get("work")
    if not values:
        return None
    kind, _, ms = values[0].partition(":")
    return kind, float(ms) / 1000


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
