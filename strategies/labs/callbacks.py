"""Callbacks, twice more: one that never checks for an error, and futures that are gathered.

The article says a callback must look for its error first, because nothing can be raised
to the code that made the request; and that callbacks cannot be gathered, so the caller
counts replies by hand. `unchecked` forgets the check. `gathered` keeps Tornado's futures
instead of attaching callbacks, and waits for them all with `gen.multi`, as Tornado 6 allows.
"""

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
    client = job.tornado_client()

    async def fetch(url: str) -> int:
        return handle(await client.fetch(url))

    async def fetch_all() -> list[int]:
        return await gen.multi([fetch(url) for url in job.urls])

    result: list[int] = IOLoop.current().run_sync(fetch_all)
    return result
