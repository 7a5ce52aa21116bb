"""Generator coroutines: asyncio as Python 3.4 wrote it, with `yield from`.

Before `async` and `await`, a coroutine was a generator: `yield from` suspends it until
another coroutine finishes, keeps its stack, and passes exceptions up that stack. The
`@asyncio.coroutine` decorator is gone since 3.11; `types.coroutine` is what remains of it.
`gather` raises the first error; the loop then stops with the other tasks still pending.
"""

import asyncio
import types
from collections.abc import Generator
from typing import Any

import httpx

from .job import Job
from .pages import handle


@types.coroutine
def fetch(
    client: httpx.AsyncClient, slots: asyncio.Semaphore, url: str
) -> Generator[Any, Any, int]:
    yield from slots.acquire()
    try:
        response = yield from client.get(url)
        response.raise_for_status()
        return handle(response)
    finally:
        slots.release()


@types.coroutine
def fetch_all(job: Job) -> Generator[Any, Any, list[int]]:
    slots = asyncio.Semaphore(job.limit)
    client = job.async_client()
    try:
        return (yield from asyncio.gather(*(fetch(client, slots, url) for url in job.urls)))
    finally:
        yield from client.aclose()


def main(job: Job) -> list[int]:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch_all(job))
    finally:
        loop.close()
