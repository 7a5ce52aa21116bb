"""One at a time, with requests: the synchronous client most Python code reaches for.

The same lesson as `sequential`, written with requests instead of httpx: each request waits
for the one before it, and an error raises straight to the caller. What differs is only the
client's own cost, which the panel's CPU shows beside httpx's.
"""

import requests

from .job import Job
from .pages import handle

# One request at a time, whatever the scenario allows: its ideal is every latency summed.
CONCURRENCY = 1


def fetch(session: requests.Session, url: str) -> int:
    response = session.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with job.requests_session() as session:
        return [fetch(session, url) for url in job.urls]
