"""Callbacks, twice more: one that never checks for an error, and futures that are gathered.

The article says a callback must look for its error first, because nothing can be raised
to the code that made the request; and that callbacks cannot be gathered, so the caller
counts replies by hand. `unchecked` forgets the check. `gathered` attaches its callbacks to
Tornado's futures and gathers those futures with `gen.multi`, as Tornado 6 allows, with no
coroutine in sight.
"""

from asyncio import Future

from tornado import gen
from tornado.httpclient import HTTPResponse
from tornado.ioloop import IOLoop

from ..job import Job
from ..pages import handle


def unchecked(job: Job) -> list[int]:
    loop = IOLoop.current()
    client = job.tornado_client()
    pages: list[int] = []
    pending = len(job.urls)

    def on_response(response: HTTPResponse) -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            loop.stop()
        pages.append(len(response.body or b""))  # an error page is read as a page

    for url in job.urls:  # raise_error=False: an HTTP error comes as a response, not raised
        loop.add_future(client.fetch(url, raise_error=False), lambda f: on_response(f.result()))
    loop.start()
    return pages


def gathered(job: Job) -> list[int]:
    """Callbacks, as `unchecked` attaches them, and one more future: all of them, gathered.

    No coroutine anywhere: `gen.multi` takes the fetches' futures and gives one future that
    resolves when every fetch has, and a callback on it stops the loop.
    """
    loop = IOLoop.current()
    client = job.tornado_client()
    pages: list[int] = []

    def on_response(fetched: Future[HTTPResponse]) -> None:
        pages.append(handle(fetched.result()))  # a failed fetch raises here: Tornado logs it

    fetches = [client.fetch(url) for url in job.urls]
    for fetch in fetches:
        loop.add_future(fetch, on_response)
    loop.add_future(gen.multi(fetches), lambda _: loop.stop())
    loop.start()
    return pages
