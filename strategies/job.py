"""The job a lesson is handed: the pages to fetch, how many at once, and the clients to use.

Whoever runs a lesson makes the clients from the scenario (timeouts, connection limits), so
every style gets the same network and a lesson only has to use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import aiohttp
    import httpx
    import requests
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

    def requests_session(self) -> requests.Session:
        """A requests.Session for the whole job, shared across threads and greenlets. Its
        connection pool holds `limit` connections (requests keeps 10 and drops the rest), and
        it applies the scenario's timeout to a request given none (requests has no default:
        without one it waits forever)."""

    def aiohttp_session(self) -> aiohttp.ClientSession:
        """An aiohttp.ClientSession for the whole job, made inside the running loop. Its
        connector opens at most `limit` connections (aiohttp's default is 100, which would
        queue a larger job behind it), and its timeout is the scenario's, per read (aiohttp's
        default is five minutes for the whole request)."""
