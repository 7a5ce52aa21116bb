"""A requests Session configured as the lessons' is (engine/worker/requests_session.py),
less the reporting: its pool keeps `limit` connections (requests keeps 10 and drops the
rest), no retries, and a request given no timeout gets the scenario's, with httpx's meaning
(a minute to connect; each read may wait `timeout_s` for the next bytes).
"""

from typing import Any

import requests
from _measure import CONNECT_TIMEOUT_S, Job
from requests.adapters import HTTPAdapter


class TimeoutAdapter(HTTPAdapter):
    def __init__(self, limit: int, timeout_s: float) -> None:
        super().__init__(pool_connections=1, pool_maxsize=limit, max_retries=0)
        self.timeout = (CONNECT_TIMEOUT_S, timeout_s)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
        **options: Any,
    ) -> requests.Response:  # fmt: skip
        return super().send(request, stream, timeout or self.timeout, **options)


def new_session(job: Job) -> requests.Session:
    made = requests.Session()
    adapter = TimeoutAdapter(job.limit, job.timeout_s)
    made.mount("http://", adapter)
    made.mount("https://", adapter)
    return made
