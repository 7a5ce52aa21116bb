"""The threads lesson with requests, without asyncplay: the same code, and a client configured
as the lesson's (bench/bare/_requests_session.py), with no reporting.

    python bench/bare/threads_requests.py -n 10000 --latency 1000
"""

import threading

import requests
from _measure import Job, count_threads, run
from _requests_session import new_session

from asyncplay.strategies.pages import handle


def main(job: Job) -> list[int | None]:
    results: list[int | None] = [None] * len(job.urls)
    slots = threading.BoundedSemaphore(job.limit)

    def fetch(session: requests.Session, index: int, url: str) -> None:
        with slots:
            count_threads()
            response = session.get(url)
            response.raise_for_status()
            results[index] = handle(response)

    with new_session(job) as session:
        threads = [
            threading.Thread(target=fetch, args=(session, index, url))
            for index, url in enumerate(job.urls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


if __name__ == "__main__":
    run("threads", "requests", main)
