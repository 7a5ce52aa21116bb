"""The threadpool lesson with httpx, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/threadpool_httpx.py -n 10000 --latency 1000
"""

from concurrent.futures import ThreadPoolExecutor

import httpx
from _httpx_pools import client
from _measure import Job, count_threads, run

from asyncplay.strategies.pages import handle

# A pool of at most this many threads, as the lesson's, whatever -c allows.
CONCURRENCY = 100


def fetch(http: httpx.Client, url: str) -> int:
    count_threads()
    response = http.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with client(job) as http, ThreadPoolExecutor(max_workers=job.limit) as pool:
        futures = [pool.submit(fetch, http, url) for url in job.urls]
        return [future.result() for future in futures]


if __name__ == "__main__":
    run("threadpool", "httpx", main, CONCURRENCY)
