"""Callbacks on Tornado's IOLoop: "when this is done, call that".

`fetch` returns at once; the response arrives later in a callback, after the caller's stack
is gone: errors travel as values the caller must check, and one raised inside a callback is
logged by Tornado and goes no further. The replies are counted by hand, as the article does
(it says callbacks can't be gathered; Tornado 6's `gen.multi` can: see the claims' lab).
"""

from asyncio import Future
from collections.abc import Iterator

from tornado.httpclient import HTTPResponse
from tornado.ioloop import IOLoop

from .job import Job
from .pages import handle


def main(job: Job) -> list[int | BaseException]:
    loop = IOLoop.current()
    client = job.tornado_client()
    results: list[int | BaseException] = []
    urls: Iterator[str] = iter(job.urls)
    pending = len(job.urls)

    def fetch_next() -> None:
        url = next(urls, None)
        if url is not None:
            loop.add_future(client.fetch(url), on_response)

    def on_response(future: "Future[HTTPResponse]") -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            loop.stop()  # takes effect once this callback returns
        fetch_next()
        error = future.exception()
        if error is not None:
            results.append(error)  # the error is a value now: the caller has to look
        else:
            results.append(handle(future.result()))  # a bug here is only logged

    for _ in range(job.limit):
        fetch_next()
    loop.start()
    return results
