"""bench/bare/: every style's floor and every style x client, written without asyncplay,
fetch the fault server's pages as the lessons do and report what they measured."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asyncplay.engine.catalogue import lesson_module, source_of
from asyncplay.engine.server import page
from asyncplay.engine.targets import Target

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "bench/bare")]
from _styles import CLIENTS, FLOOR, bare_script  # noqa: E402

PAIRS = [
    (style, client)
    for style, clients in CLIENTS.items()
    for client in (FLOOR, *(run for _, run in clients))
]
TASKS = 12


def run_script(style: str, client: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(bare_script(style, client)), "-n", str(TASKS), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_every_style_has_a_floor_and_a_script_for_each_of_its_clients() -> None:
    """No style x client of the catalogue is left without its bare script."""
    scripts = {path.stem for path in (ROOT / "bench/bare").glob("[!_]*.py")}
    assert {f"{style}_{client}" for style, client in PAIRS} <= scripts


def concurrency(source: str) -> str | None:
    """A lesson's (or a script's) CONCURRENCY, as written, or None."""
    found = re.search(r"^CONCURRENCY = (\S+)", source, re.M)
    return found.group(1) if found else None


@pytest.mark.parametrize(("style", "client"), PAIRS)
def test_a_bare_script_runs_at_most_as_many_at_once_as_its_lesson(style: str, client: str) -> None:
    """A lesson's CONCURRENCY caps how many tasks it runs at once, and sizes its client's
    pools (sequential's one, threadpool's pool of threads): its bare script and its floor
    keep to the same."""
    asked = next((asked for asked, ran in CLIENTS[style] if ran == client), "httpx")
    module = lesson_module(style, asked)
    assert module is not None
    assert concurrency(bare_script(style, client).read_text()) == concurrency(source_of(module))


@pytest.mark.parametrize(("style", "client"), PAIRS)
def test_a_bare_script_reads_every_page_and_counts_its_words(
    style: str, client: str, server_url: str
) -> None:
    """Every page fetched, read to its end and its words counted as `pages.handle` counts
    them, at most -c in flight; the window's CPU split into user and system time."""
    done = run_script(style, client, "--latency", "0", "-c", "5", "--url", server_url)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert (report["style"], report["client"]) == (style, client)
    assert (report["tasks"], report["ok"], report["failed"]) == (TASKS, TASKS, 0)
    assert report["words"] == sum(len(page(str(task), False).split()) for task in range(TASKS))
    assert report["cpu_s"] == pytest.approx(
        report["cpu_user_s"] + report["cpu_system_s"],
        abs=2e-4,  # each rounded to 0.1 ms
    )
    assert report["cpu_s"] > 0 and report["wall_s"] > 0
    assert report["threads_peak"] >= 1 and report["max_rss_kb"] > 0


@pytest.mark.parametrize(("style", "client"), PAIRS)
def test_a_bare_script_does_not_count_a_refused_request_as_read(
    style: str, client: str, target: Target
) -> None:
    """A request that fails is not a page read: the script says so in one line and exits 1,
    or reports it failed (a style whose errors do not reach the caller)."""
    done = run_script(style, client, "--url", target.refused_url)
    if done.returncode == 0:
        assert json.loads(done.stdout)["ok"] == 0
    else:
        assert done.returncode == 1
        assert done.stderr.startswith(f"{style} with {client}: ")
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def settings_of(client: Any) -> list[tuple[Any, ...]]:
    """What decides how each of a client's httpx pools behaves (httpcore's pool, under
    httpx's transport), pool by pool."""
    return [
        (pool._pool._max_connections, pool._pool._max_keepalive_connections,
         pool._pool._retries, pool._pool._ssl_context, pool._pool._http1, pool._pool._http2)
        for pool in client._transport.pools
    ]  # fmt: skip


@pytest.mark.parametrize("limit", [1, 10, 25, 10_000])
def test_the_bare_httpx_clients_are_configured_as_the_lessons_are(
    limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bare scripts' httpx clients against the worker's (clients.WorkerJob): the same
    timeouts, as many pools, each with the same limits; so a gap between a bare script and
    asyncplay is the reporting, not a setting."""
    import _httpx_pools
    from _measure import Job

    from asyncplay.engine.worker.clients import WorkerJob, shared_ssl_context

    urls = ["http://127.0.0.1:1/task/0"]
    monkeypatch.setattr(_httpx_pools, "SSL_CONTEXT", shared_ssl_context())  # one to compare
    lesson, bare = WorkerJob(urls, limit, 3.0), Job(urls, limit, 3.0)
    for theirs, ours in ((lesson.client(), _httpx_pools.client(bare)),
                         (lesson.async_client(), _httpx_pools.async_client(bare))):  # fmt: skip
        assert ours.timeout == theirs.timeout
        assert ours.follow_redirects == theirs.follow_redirects
        assert settings_of(ours) == settings_of(theirs)


def test_the_bare_tornado_client_is_configured_as_the_lessons_is() -> None:
    """Tornado's client settings (how many at once, the timeouts) as the worker's."""
    import _tornado_client
    from _measure import Job
    from tornado.httpclient import AsyncHTTPClient

    from asyncplay.engine.worker.clients import WorkerJob

    urls = ["http://127.0.0.1:1/task/0"]
    before = AsyncHTTPClient._save_configuration()
    try:
        WorkerJob(urls, 25, 3.0).tornado_client()
        _, theirs = AsyncHTTPClient._save_configuration()
        _tornado_client.client(Job(urls, 25, 3.0))
        _, ours = AsyncHTTPClient._save_configuration()
    finally:
        AsyncHTTPClient._restore_configuration(before)
    assert ours == theirs


def test_the_bare_requests_session_is_configured_as_the_lessons_is() -> None:
    """The pool's size, the retries and the timeouts a request is given, as the worker's."""
    import _requests_session
    from _measure import Job

    from asyncplay.engine.worker.clients import WorkerJob

    urls = ["http://127.0.0.1:1/task/0"]
    settings = []
    for session in (WorkerJob(urls, 25, 3.0).requests_session(),
                    _requests_session.new_session(Job(urls, 25, 3.0))):  # fmt: skip
        adapter: Any = session.get_adapter("http://127.0.0.1:1/")
        assert session.get_adapter("https://127.0.0.1:1/") is adapter
        settings.append((adapter._pool_connections, adapter._pool_maxsize,
                         adapter.max_retries.total, adapter.timeout))  # fmt: skip
    assert settings[0] == settings[1]


def test_the_bare_aiohttp_session_is_configured_as_the_lessons_is() -> None:
    """The connector's limit and the timeouts, as the worker's."""
    import _aiohttp_session
    from _measure import Job

    from asyncplay.engine.worker.clients import WorkerJob

    urls = ["http://127.0.0.1:1/task/0"]

    async def settings_of(session: Any) -> tuple[Any, ...]:
        async with session:  # a session is made, and closed, inside a running loop
            return (session.connector.limit, session.timeout)

    async def both() -> list[tuple[Any, ...]]:
        return [await settings_of(WorkerJob(urls, 25, 3.0).aiohttp_session()),
                await settings_of(_aiohttp_session.new_session(Job(urls, 25, 3.0)))]  # fmt: skip

    theirs, ours = asyncio.run(both())
    assert ours == theirs
