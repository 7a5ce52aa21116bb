"""The sequential lesson with requests, without asyncplay: the same code, and a client
configured as the lesson's (bench/bare/_requests_session.py), with no reporting.

    python bench/bare/sequential_requests.py -n 200 --latency 10
"""

import requests
from _measure import Job, run
from _requests_session import new_session

from asyncplay.strategies.pages import handle

# One request at a time, as the lesson: its client's pool is sized for one.
CONCURRENCY = 1


def fetch(session: requests.Session, url: str) -> int:
    response = session.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int]:
    with new_session(job) as session:
        return [fetch(session, url) for url in job.urls]


if __name__ == "__main__":
    run("sequential", "requests", main, CONCURRENCY)
