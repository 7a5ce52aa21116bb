"""The trio lesson with httpx (on trio through anyio), without asyncplay: the same code, and
a client configured as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/trio_httpx.py -n 10000 --latency 1000
"""

import httpx
import trio
from _httpx_pools import async_client
from _measure import Job, run

from asyncplay.strategies.pages import handle


async def fetch_all(job: Job) -> list[int]:
    results = [0] * len(job.urls)
    slots = trio.CapacityLimiter(job.limit)

    async def fetch(http: httpx.AsyncClient, index: int, url: str) -> None:
        async with slots:
            response = await http.get(url)
            response.raise_for_status()
            results[index] = handle(response)

    async with async_client(job) as http, trio.open_nursery() as nursery:
        for index, url in enumerate(job.urls):
            nursery.start_soon(fetch, http, index, url)
    return results


def main(job: Job) -> list[int]:
    return trio.run(fetch_all, job)


if __name__ == "__main__":
    run("trio", "httpx", main)
