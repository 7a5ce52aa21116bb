"""gevent's floor: green threads with no client library, raw HTTP/1.1 over gevent's
sockets (the blocking code of bench/bare/_blocking.py, patched to yield to gevent's hub).
What is left is the cost of the greenlets and the hub.

    python bench/bare/gevent_raw.py -n 10000 --latency 1000
"""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402 - after patching, as gevent asks
from _blocking import fetch  # noqa: E402
from _measure import Job, run  # noqa: E402
from gevent.pool import Pool  # noqa: E402


def main(job: Job) -> list[int | None]:
    pool = Pool(job.limit)
    greenlets = [pool.spawn(fetch, url, job.timeout_s) for url in job.urls]
    gevent.joinall(greenlets)
    return [greenlet.value for greenlet in greenlets]


if __name__ == "__main__":
    run("gevent", "raw", main)
