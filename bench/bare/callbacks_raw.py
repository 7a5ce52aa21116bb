"""callbacks' floor: callbacks on Tornado's IOLoop with no client library, raw HTTP/1.1 over
Tornado's own `IOStream`: a connection per request, the answer read to its end, its words
counted. As in the lesson, `fetch_next` returns at once, a callback takes the answer, and
the replies are counted by hand; `limit` requests are kept in flight.

    python bench/bare/callbacks_raw.py -n 10000 --latency 1000
"""

import socket
from asyncio import Future
from collections.abc import Iterator

from _measure import CONNECT_TIMEOUT_S, Job, http_get, run, words_of
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream


def main(job: Job) -> list[int | BaseException]:
    loop = IOLoop.current()
    results: list[int | BaseException] = []
    urls: Iterator[str] = iter(job.urls)
    pending = len(job.urls)

    def fetch_next() -> None:
        url = next(urls, None)
        if url is None:
            return
        host, port, request = http_get(url)
        stream = IOStream(socket.socket())
        # One clock at a time on the stream: closing it ends whatever it waits for.
        timer = loop.call_later(CONNECT_TIMEOUT_S, stream.close)

        def on_connected(future: "Future[IOStream]") -> None:
            nonlocal timer
            loop.remove_timeout(timer)
            if future.exception() is not None:
                on_answer(future)
                return
            stream.write(request)
            timer = loop.call_later(job.timeout_s, stream.close)
            reading = stream.read_until_close()  # a Future, typed as any awaitable
            loop.add_future(reading, on_answer)  # type: ignore[arg-type]

        def on_answer(future: "Future[bytes] | Future[IOStream]") -> None:
            nonlocal pending
            loop.remove_timeout(timer)
            stream.close()
            pending -= 1
            if pending == 0:
                loop.stop()  # takes effect once this callback returns
            fetch_next()
            error = future.exception()
            if error is not None:
                results.append(error)  # the error is a value now: the caller has to look
            else:
                answer = future.result()
                assert isinstance(answer, bytes)
                results.append(words_of(answer))

        loop.add_future(stream.connect((host, port)), on_connected)

    for _ in range(job.limit):
        fetch_next()
    loop.start()
    return results


if __name__ == "__main__":
    run("callbacks", "raw", main)
