"""The job a lesson is handed: the pages to fetch, how many at once, and the clients to use.

Whoever runs a lesson makes the clients from the scenario (timeouts, connection limits), so
every style gets the same network and a lesson only has to use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx
    from tornado.httpclient import AsyncHTTPClient


class Job(Protocol):
    """The work of one run, as a lesson sees it."""

    @property
    def urls(self) -> Sequence[str]:
        """The pages to fetch, one per task, in task order."""

    @property
    def limit(self) -> int:
        """How many tasks may be in flight at once."""

    def client(self) -> httpx.Client:
        """An httpx.Client for the whole job, safe to share across threads and greenlets."""

    def async_client(self) -> httpx.AsyncClient:
        """An httpx.AsyncClient for the whole job, shared by its coroutines."""

    def tornado_client(self) -> AsyncHTTPClient:
        """Tornado's AsyncHTTPClient for the whole job, on the current IOLoop."""
