"""A pool of threads: submit the work, then ask each future for its result.

`future.result()` re-raises a task's exception in the caller, which is the point of a pool.
But the caller asks in order and stops at the first error; the exceptions of futures it never
asks about are kept on the future and silently dropped with it.
"""

from concurrent.futures import ThreadPoolExecutor

import httpx

from .job import Job
from .pages import handle

# A pool is a few threads that take the tasks in turn, not a thread per task: at most this
# many, whatever the scenario allows. Its ideal time is counted at this size.
CONCURRENCY = 100


def fetch(client: httpx.Client, url: str) -> int:
    response = client.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with job.client() as client, ThreadPoolExecutor(max_workers=job.limit) as pool:
        futures = [pool.submit(fetch, client, url) for url in job.urls]
        return [future.result() for future in futures]
