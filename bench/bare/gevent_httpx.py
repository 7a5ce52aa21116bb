"""The gevent lesson with httpx, without asyncplay: the same code, and a client configured
as the lesson's (bench/bare/_httpx_pools.py), with no reporting.

    python bench/bare/gevent_httpx.py -n 10000 --latency 1000
"""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402 - after patching, as gevent asks
import httpx  # noqa: E402
from _httpx_pools import client  # noqa: E402
from _measure import Job, run  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from asyncplay.strategies.pages import handle  # noqa: E402


def fetch(http: httpx.Client, url: str) -> int:
    response = http.get(url)
    response.raise_for_status()
    return handle(response)


def main(job: Job) -> list[int | None]:
    pool = Pool(job.limit)
    with client(job) as http:
        greenlets = [pool.spawn(fetch, http, url) for url in job.urls]
        gevent.joinall(greenlets)
    return [greenlet.value for greenlet in greenlets]


if __name__ == "__main__":
    run("gevent", "httpx", main)
