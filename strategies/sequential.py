"""One at a time: each request waits for the one before it.

The baseline. While a request waits for the network the program does nothing else, so the
run takes the sum of every latency. An error raises straight to the caller, and the tasks
after it never run.
"""

import httpx

from .job import Job
from .pages import handle

# One request at a time, whatever the scenario allows: its ideal is every latency summed.
CONCURRENCY = 1


def fetch(client: httpx.Client, url: str) -> int:
    response = client.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with job.client() as client:
        return [fetch(client, url) for url in job.urls]
