"""requests, as the worker hands it to a lesson: a Session whose transport adapter reports
each request to the probe, as httpx's transport does.

Fairness, as for httpx (clients.py): requests has no timeout unless a request is given one,
so the adapter applies the scenario's to a request that has none, with the same meaning (a
connect gets CONNECT_TIMEOUT_S; each read may wait the scenario's timeout for its next
bytes). Its pool keeps `limit` connections: requests keeps 10 by default and closes the rest
after each request, so a run of 200 threads would connect anew for most of its requests. No
retries, as httpx makes none.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from ..targets import task_of_url
from . import probe
from .clients import CONNECT_TIMEOUT_S


class ReportingAdapter(HTTPAdapter):
    """Reports each request's start, failure and error status; reads the body here."""

    def __init__(self, limit: int, timeout_s: float) -> None:
        super().__init__(pool_connections=1, pool_maxsize=limit, max_retries=0)
        self.timeout = (CONNECT_TIMEOUT_S, timeout_s)
        self.closed = False

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
        **options: Any,
    ) -> requests.Response:  # fmt: skip
        task = task_of_url(request.url or "")
        probe.task_started(task)
        try:
            response = super().send(request, stream, timeout or self.timeout, **options)
            if not stream:
                # The Session would read it next: read here, so a reset mid-body is this
                # request's failure, reported like httpx's.
                response.content  # noqa: B018 - reading is the point
        except Exception as error:
            # A request the session was closed under was cut off; its own fault never came.
            probe.task_failed(task, error, cut_off=self.closed)
            raise
        if response.status_code >= 400:
            probe.task_got_status(task, response.status_code, response.reason or "")
        return response

    def close(self) -> None:
        self.closed = True
        super().close()


def reporting_session(limit: int, timeout_s: float) -> requests.Session:
    session = requests.Session()
    adapter = ReportingAdapter(limit, timeout_s)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
