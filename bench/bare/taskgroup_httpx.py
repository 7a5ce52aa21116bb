"""The TaskGroup lesson with httpx, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/taskgroup_httpx.py -n 10000 --latency 1000
"""

import asyncio

import httpx
from _httpx_pools import async_client
from _measure import Job, run

from asyncplay.strategies.pages import handle


async def fetch(http: httpx.AsyncClient, slots: asyncio.Semaphore, url: str) -> int:
    async with slots:
        response = await http.get(url)
        response.raise_for_status()
        return handle(response)


async def fetch_all(job: Job) -> list[int]:
    slots = asyncio.Semaphore(job.limit)
    async with async_client(job) as http, asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(http, slots, url)) for url in job.urls]
    return [task.result() for task in tasks]


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))


if __name__ == "__main__":
    run("taskgroup", "httpx", main)
