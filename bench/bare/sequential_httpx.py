"""The sequential lesson with httpx, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/sequential_httpx.py -n 200 --latency 10
"""

import httpx
from _httpx_pools import client
from _measure import Job, run

from asyncplay.strategies.pages import handle

# One request at a time, as the lesson: its client's pool is sized for one.
CONCURRENCY = 1


def fetch(http: httpx.Client, url: str) -> int:
    response = http.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with client(job) as http:
        return [fetch(http, url) for url in job.urls]


if __name__ == "__main__":
    run("sequential", "httpx", main, CONCURRENCY)
