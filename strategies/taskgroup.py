"""async/await with a TaskGroup: structured concurrency (Python 3.11).

No task outlives the `async with` block. The first error cancels the tasks still running,
and every error that had already happened is raised together in an ExceptionGroup.
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
    async with job.async_client() as client, asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(client, slots, url)) for url in job.urls]
    return [task.result() for task in tasks]


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))
