"""The gevent lesson with requests, without asyncplay: the same code, and a client configured
as the lesson's (bench/bare/_requests_session.py), with no reporting.

    python bench/bare/gevent_requests.py -n 10000 --latency 1000
"""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402 - after patching, as gevent asks
import requests  # noqa: E402
from _measure import Job, run  # noqa: E402
from _requests_session import new_session  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from asyncplay.strategies.pages import handle  # noqa: E402


def fetch(session: requests.Session, url: str) -> int:
    response = session.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int | None]:
    pool = Pool(job.limit)
    with new_session(job) as session:
        greenlets = [pool.spawn(fetch, session, url) for url in job.urls]
        gevent.joinall(greenlets)
    return [greenlet.value for greenlet in greenlets]


if __name__ == "__main__":
    run("gevent", "requests", main)
