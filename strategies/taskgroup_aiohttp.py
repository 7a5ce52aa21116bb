"""async/await with a TaskGroup, with aiohttp: structured concurrency on asyncio's own client.

As in `taskgroup`, no task outlives the `async with` block: the first error cancels the tasks
still running, and every error that had already happened is raised together.
"""

import asyncio

import aiohttp

from .job import Job
from .pages import handle


async def fetch(session: aiohttp.ClientSession, slots: asyncio.Semaphore, url: str) -> int:
    async with slots:
        async with session.get(url) as response:
            response.raise_for_status()
            await response.read()
            return handle(response)


async def fetch_all(job: Job) -> list[int]:
    slots = asyncio.Semaphore(job.limit)
    async with job.aiohttp_session() as session, asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(session, slots, url)) for url in job.urls]
    return [task.result() for task in tasks]


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))
