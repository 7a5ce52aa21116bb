"""Green threads with requests: the classic pairing, blocking code made concurrent.

requests knows nothing of gevent: monkey patching makes its sockets yield to the hub, so
blocking code runs concurrently unchanged. An exception kills its greenlet: the hub prints
it, `joinall` does not raise, and the caller finds only `None` in the greenlet's `value`.
"""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402 - after patching, as gevent asks
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from .job import Job  # noqa: E402
from .pages import handle  # noqa: E402


def fetch(session: requests.Session, url: str) -> int:
    response = session.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int | None]:
    pool = Pool(job.limit)
    with job.requests_session() as session:
        greenlets = [pool.spawn(fetch, session, url) for url in job.urls]
        gevent.joinall(greenlets)
    return [greenlet.value for greenlet in greenlets]
