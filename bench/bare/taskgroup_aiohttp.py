"""The TaskGroup lesson with aiohttp, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_aiohttp_session.py), with no reporting.

    python bench/bare/taskgroup_aiohttp.py -n 10000 --latency 1000
"""

import asyncio

import aiohttp
from _aiohttp_session import new_session
from _measure import Job, run

from asyncplay.strategies.pages import handle


async def fetch(session: aiohttp.ClientSession, slots: asyncio.Semaphore, url: str) -> int:
    async with slots, session.get(url) as response:
        response.raise_for_status()
        await response.read()
        return handle(response)


async def fetch_all(job: Job) -> list[int]:
    slots = asyncio.Semaphore(job.limit)
    async with new_session(job) as session, asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(session, slots, url)) for url in job.urls]
    return [task.result() for task in tasks]


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))


if __name__ == "__main__":
    run("taskgroup", "aiohttp", main)
