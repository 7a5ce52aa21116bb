"""The threads lesson with httpx, without asyncplay: the same code, and a client configured
as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/threads_httpx.py -n 10000 --latency 1000
"""

import threading

import httpx
from _httpx_pools import client
from _measure import Job, count_threads, run

from asyncplay.strategies.pages import handle


def main(job: Job) -> list[int | None]:
    results: list[int | None] = [None] * len(job.urls)
    slots = threading.BoundedSemaphore(job.limit)

    def fetch(http: httpx.Client, index: int, url: str) -> None:
        with slots:
            count_threads()
            response = http.get(url)
            response.raise_for_status()
            results[index] = handle(response)

    with client(job) as http:
        threads = [
            threading.Thread(target=fetch, args=(http, index, url))
            for index, url in enumerate(job.urls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


if __name__ == "__main__":
    run("threads", "httpx", main)
