"""An aiohttp ClientSession configured as the lessons' is (engine/worker/aiohttp_session.py),
less the reporting: at most `limit` connections (aiohttp's default of 100 would queue a
larger job behind it), a minute to connect, the scenario's timeout for each read and none
on the whole request, and no timeout rounded up to a whole second.
"""

from typing import Any

import aiohttp
from _measure import CONNECT_TIMEOUT_S, Job


def new_session(job: Job, **options: Any) -> aiohttp.ClientSession:
    """`options`: more of ClientSession's (bench/aiohttp_instrumentation.py adds the worker's
    middleware and response class)."""
    timeout = aiohttp.ClientTimeout(
        sock_connect=CONNECT_TIMEOUT_S, sock_read=job.timeout_s, ceil_threshold=float("inf")
    )
    connector = aiohttp.TCPConnector(limit=job.limit)
    return aiohttp.ClientSession(connector=connector, timeout=timeout, **options)
