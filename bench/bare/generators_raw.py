"""generators' floor: the generator-coroutine lesson with no client library, raw HTTP/1.1
over asyncio's own streams, driven with `yield from`: a connection per request, the answer
read to its end, its words counted. What is left is the event loop's own cost.

    python bench/bare/generators_raw.py -n 10000 --latency 1000
"""

import asyncio
import types
from collections.abc import Generator
from typing import Any

from _measure import CONNECT_TIMEOUT_S, Job, http_get, run, words_of


@types.coroutine
def fetch(slots: asyncio.Semaphore, url: str, timeout_s: float) -> Generator[Any, Any, int]:
    host, port, request = http_get(url)
    yield from slots.acquire()
    try:
        connecting = asyncio.open_connection(host, port)
        reader, writer = yield from asyncio.wait_for(connecting, CONNECT_TIMEOUT_S)
        try:
            writer.write(request)
            # to the end: the server closes after its answer
            answer = yield from asyncio.wait_for(reader.read(), timeout_s)
        finally:
            writer.close()
    finally:
        slots.release()
    return words_of(answer)


@types.coroutine
def fetch_all(job: Job) -> Generator[Any, Any, list[int]]:
    slots = asyncio.Semaphore(job.limit)
    return (yield from asyncio.gather(*(fetch(slots, url, job.timeout_s) for url in job.urls)))


def main(job: Job) -> list[int]:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch_all(job))
    finally:
        loop.close()


if __name__ == "__main__":
    run("generators", "raw", main)
