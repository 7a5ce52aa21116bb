"""A thread per task, as in threads, with the fix: each thread puts its exception on a
queue, and the caller re-raises the first one after joining them all.

(A learner's copy, edited in the app: README's "Your own lesson" screenshots show it.)
"""

import queue
import threading

import httpx

from .job import Job
from .pages import handle


def main(job: Job) -> list[int | None]:
    results: list[int | None] = [None] * len(job.urls)
    slots = threading.BoundedSemaphore(job.limit)
    errors = queue.SimpleQueue()

    def fetch(client: httpx.Client, index: int, url: str) -> None:
        try:
            with slots:
                response = client.get(url)
                response.raise_for_status()
                results[index] = handle(response)
        except Exception as error:
            errors.put(error)

    with job.client() as client:
        threads = [
            threading.Thread(target=fetch, args=(client, index, url))
            for index, url in enumerate(job.urls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if not errors.empty():
        raise errors.get()
    return results
