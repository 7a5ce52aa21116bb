"""async/await with gather: coroutines that read like the sequential code.

`await` marks every place the coroutine may pause, and errors pass up the stack like any
exception. `gather` raises the first error to the caller; the other tasks keep running, and
their errors are marked as retrieved and dropped.
"""

import asyncio

import httpx

from .clients import Job
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
