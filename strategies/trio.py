"""trio: structured concurrency's own library, where every task is started in a nursery.

No task outlives its nursery's `async with` block. When a task raises, the nursery cancels
the others, waits for them to end, and raises every error that had happened together in an
ExceptionGroup (trio's `strict_exception_groups`, the default since 0.25). httpx's
AsyncClient runs on trio as it does on asyncio.
"""

import httpx
import trio

from .job import Job
from .pages import handle


async def fetch_all(job: Job) -> list[int]:
    results = [0] * len(job.urls)
    slots = trio.CapacityLimiter(job.limit)

    async def fetch(client: httpx.AsyncClient, index: int, url: str) -> None:
        async with slots:
            response = await client.get(url)
            response.raise_for_status()
            results[index] = handle(response)

    async with job.async_client() as client, trio.open_nursery() as nursery:
        for index, url in enumerate(job.urls):
            nursery.start_soon(fetch, client, index, url)
    return results


def main(job: Job) -> list[int]:
    return trio.run(fetch_all, job)
