"""A thread per task: the operating system switches between them while they wait.

Threads cannot return a value, so each writes its result into a shared list. An exception
raised in a thread ends that thread: `threading.excepthook` prints it to stderr, the caller
never hears of it, and the task's slot in the results stays None.
"""

import threading

import httpx

from .job import Job
from .pages import handle


def main(job: Job) -> list[int | None]:
    results: list[int | None] = [None] * len(job.urls)
    slots = threading.BoundedSemaphore(job.limit)

    def fetch(client: httpx.Client, index: int, url: str) -> None:
        with slots:
            response = client.get(url)
            response.raise_for_status()
            results[index] = handle(response)

    with job.client() as client:
        threads = [
            threading.Thread(target=fetch, args=(client, index, url))
            for index, url in enumerate(job.urls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results
