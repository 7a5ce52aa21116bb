"""A pool of threads, with requests: submit the work, then ask each future for its result.

As in `threadpool`, `future.result()` re-raises a task's exception in the caller, who asks in
order and stops at the first error; the exceptions of the futures never asked about are
dropped with them.
"""

from concurrent.futures import ThreadPoolExecutor

import requests

from .job import Job
from .pages import handle

# A pool is a few threads that take the tasks in turn, not a thread per task: at most this
# many, whatever the scenario allows. Its ideal time is counted at this size.
CONCURRENCY = 100


def fetch(session: requests.Session, url: str) -> int:
    response = session.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with job.requests_session() as session, ThreadPoolExecutor(max_workers=job.limit) as pool:
        futures = [pool.submit(fetch, session, url) for url in job.urls]
        return [future.result() for future in futures]
