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
    import aiohttp
    import httpx
    import requests
    from tornado.httpclient import HTTPResponse
    from typing_extensions import TypeIs

    Response = httpx.Response | HTTPResponse | requests.Response | aiohttp.ClientResponse


def handle(response: Response) -> int:
    """Count the words on a fetched page (an aiohttp page once its body is read)."""
    url, body = url_and_body(response)
    _do_the_pages_work(url)
    return len(body.decode("ascii").split())  # the bug: not every page is ASCII


def url_and_body(response: Response) -> tuple[str, bytes]:
    """The URL and body of a response of any of the lessons' clients."""
    if is_tornado(response):
        return response.effective_url, response.body
    if is_aiohttp(response):
        # aiohttp reads a body only when awaited, and keeps what `await response.read()`
        # read; handle() is a plain function, so the lesson reads it first.
        body = response._body
        if body is None:
            raise RuntimeError("read the body before handling it: await response.read()")
        return str(response.url), body
    return str(response.url), response.content


def status_of(response: Response) -> int:
    """The HTTP status of a response of any of the lessons' clients."""
    if is_tornado(response):
        return response.code
    if is_aiohttp(response):
        return response.status
    return response.status_code


# Each client's response is told apart by an attribute of its own: importing the clients
# here would load ssl before the gevent lesson has patched it.


def is_tornado(response: Response) -> TypeIs[HTTPResponse]:
    return hasattr(response, "effective_url")


def is_aiohttp(response: Response) -> TypeIs[aiohttp.ClientResponse]:
    return hasattr(response, "request_info")


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
