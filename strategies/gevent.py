"""Green threads: gevent patches the standard library so blocking calls yield to its hub.

It looks like threading, but every greenlet runs on one OS thread and switches only where it
would have blocked. An exception kills its greenlet: gevent's hub prints it, `joinall` does
not raise, and the caller finds only `None` in the greenlet's `value`.
"""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402 - after patching, as gevent asks
import httpx  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from .job import Job  # noqa: E402
from .pages import handle  # noqa: E402


def fetch(client: httpx.Client, url: str) -> int:
    response = client.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int | None]:
    pool = Pool(job.limit)
    with job.client() as client:
        greenlets = [pool.spawn(fetch, client, url) for url in job.urls]
        gevent.joinall(greenlets)
    return [greenlet.value for greenlet in greenlets]
