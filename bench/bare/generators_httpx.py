"""The generator-coroutine lesson with httpx, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/generators_httpx.py -n 10000 --latency 1000
"""

import asyncio
import types
from collections.abc import Generator
from typing import Any

import httpx
from _httpx_pools import async_client
from _measure import Job, run

from asyncplay.strategies.pages import handle


@types.coroutine
def fetch(http: httpx.AsyncClient, slots: asyncio.Semaphore, url: str) -> Generator[Any, Any, int]:
    yield from slots.acquire()
    try:
        response = yield from http.get(url)
        response.raise_for_status()
        return handle(response)
    finally:
        slots.release()


@types.coroutine
def fetch_all(job: Job) -> Generator[Any, Any, list[int]]:
    slots = asyncio.Semaphore(job.limit)
    http = async_client(job)
    try:
        return (yield from asyncio.gather(*(fetch(http, slots, url) for url in job.urls)))
    finally:
        yield from http.aclose()


def main(job: Job) -> list[int]:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch_all(job))
    finally:
        loop.close()


if __name__ == "__main__":
    run("generators", "httpx", main)
