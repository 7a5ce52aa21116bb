"""The threadpool lesson with requests, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_requests_session.py), with no reporting.

    python bench/bare/threadpool_requests.py -n 10000 --latency 1000
"""

from concurrent.futures import ThreadPoolExecutor

import requests
from _measure import Job, count_threads, run
from _requests_session import new_session

from asyncplay.strategies.pages import handle

# A pool of at most this many threads, as the lesson's, whatever -c allows.
CONCURRENCY = 100


def fetch(session: requests.Session, url: str) -> int:
    count_threads()
    response = session.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with new_session(job) as session, ThreadPoolExecutor(max_workers=job.limit) as pool:
        futures = [pool.submit(fetch, session, url) for url in job.urls]
        return [future.result() for future in futures]


if __name__ == "__main__":
    run("threadpool", "requests", main, CONCURRENCY)
