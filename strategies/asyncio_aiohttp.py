"""async/await with gather, with aiohttp: the client written for asyncio.

The same lesson as `asyncio`: `gather` raises the first error to the caller without
cancelling the others; leaving `async with` closes the session under them. aiohttp reads a
body only when awaited, so the page is read before it is handled.
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
    async with job.aiohttp_session() as session:
        return await asyncio.gather(*(fetch(session, slots, url) for url in job.urls))


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))
