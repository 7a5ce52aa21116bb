"""A thread per task, with requests: the classic pairing before asyncio.

As in `threads`, each thread writes its result into a shared list, and an exception raised in
a thread ends that thread: `threading.excepthook` prints it, the caller never hears of it, and
the task's slot stays None. The threads share one requests.Session and its connection pool.
"""

import threading

import requests

from .job import Job
from .pages import handle


def main(job: Job) -> list[int | None]:
    results: list[int | None] = [None] * len(job.urls)
    slots = threading.BoundedSemaphore(job.limit)

    def fetch(session: requests.Session, index: int, url: str) -> None:
        with slots:
            response = session.get(url)
            response.raise_for_status()
            results[index] = handle(response)

    with job.requests_session() as session:
        threads = [
            threading.Thread(target=fetch, args=(session, index, url))
            for index, url in enumerate(job.urls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results
