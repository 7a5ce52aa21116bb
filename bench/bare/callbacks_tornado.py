"""The callbacks lesson with Tornado's client, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_tornado_client.py), with no reporting.

    python bench/bare/callbacks_tornado.py -n 10000 --latency 1000
"""

from asyncio import Future
from collections.abc import Iterator

from _measure import Job, run
from _tornado_client import client
from tornado.httpclient import HTTPResponse
from tornado.ioloop import IOLoop

from asyncplay.strategies.pages import handle


def main(job: Job) -> list[int | BaseException]:
    loop = IOLoop.current()
    http = client(job)
    results: list[int | BaseException] = []
    urls: Iterator[str] = iter(job.urls)
    pending = len(job.urls)

    def fetch_next() -> None:
        url = next(urls, None)
        if url is not None:
            loop.add_future(http.fetch(url), on_response)

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


if __name__ == "__main__":
    run("callbacks", "tornado", main)
