"""async/await with gather: coroutines that read like the sequential code.

`await` marks every place the coroutine may pause, and errors pass up the stack like any
exception. `gather` raises the first error to the caller but does not cancel the others:
here `async with` closes the client under them and `asyncio.run` cancels what is left. An
error that lands in the same moment as the first is marked retrieved by `gather`, and dropped.
"""

import asyncio

import httpx

from .job import Job
from .pages import handle


async def fetch(client: httpx.AsyncClient, slots: asyncio.Semaphore, url: str) -> int:
    async with slots:
        response = await client.get(url)
        response.raise_for_status()
        return handle(response)


async def fetch_all(job: Job) -> list[int]:
    slots = asyncio.Semaphore(job.limit)
    async with job.async_client() as client:
        return await asyncio.gather(*(fetch(client, slots, url) for url in job.urls))


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))
