"""Every strategy, with each of its clients, against every fault, in real workers against
the real fault server.

The expectations are the lessons of the article, observed: a sequential program, a thread
pool's `result()` and every coroutine style raise the error to the caller; raw threads and
greenlets die with it and their framework logs it; Tornado callbacks get network errors as
values and only log an exception raised inside the callback. A trio nursery raises too: a
task's error cancels its siblings, and every error that happened before they ended is raised
together in one ExceptionGroup (strict_exception_groups, trio's default); the tasks it
cancelled never reach their faults. A fate is the style's, not the client's: with requests
or aiohttp each error ends where it does with httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import aiohttp
import pytest
from helpers import run, scenario

from asyncplay.engine import events
from asyncplay.engine.catalogue import STRATEGIES, clients_of
from asyncplay.engine.targets import Target
from asyncplay.engine.worker import aiohttp_session, probe
from asyncplay.engine.workload import Fault

NETWORK = ("http-500", "timeout", "reset", "refused")
RAISED = ("raised", "main() raised")
# Where one fault on task 2 of 6 ends up, per strategy and fault kind.
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "sequential": dict.fromkeys((*NETWORK, "handler-bug"), RAISED),
    "threads": dict.fromkeys((*NETWORK, "handler-bug"), ("logged", "threading.excepthook")),
    "threadpool": dict.fromkeys((*NETWORK, "handler-bug"), RAISED),
    "gevent": dict.fromkeys((*NETWORK, "handler-bug"), ("logged", "gevent hub")),
    "callbacks": {
        **dict.fromkeys(NETWORK, ("returned", "return value")),
        "handler-bug": ("logged", "tornado.application log"),
    },
    "generators": dict.fromkeys((*NETWORK, "handler-bug"), RAISED),
    "asyncio": dict.fromkeys((*NETWORK, "handler-bug"), RAISED),
    "taskgroup": dict.fromkeys((*NETWORK, "handler-bug"), RAISED),
    # Every kind: the failing task ends, its nursery cancels the others and raises the error
    # out of trio.run inside an ExceptionGroup, which the worker flattens into "main() raised".
    "trio": dict.fromkeys((*NETWORK, "handler-bug"), RAISED),
}


# Every built-in lesson: each style with each client it has a lesson for.
LESSONS = [(style, client) for style in STRATEGIES for client in clients_of(style)]
LESSON_IDS = [f"{style}-{client}" for style, client in LESSONS]
# The error each client raises for each network fault: its own, as its users meet it.
CLIENT_ERRORS = {
    "requests": {
        "http-500": "HTTPError",  # raise_for_status()
        "timeout": "ReadTimeout",
        "reset": "ChunkedEncodingError",  # the body broke off: urllib3's IncompleteRead
        "refused": "ConnectionError",
    },
    "aiohttp": {
        "http-500": "ClientResponseError",  # raise_for_status()
        "timeout": "SocketTimeoutError",  # sock_read ran out
        "reset": "ClientPayloadError",  # the body broke off
        "refused": "ClientConnectorError",
    },
}


def test_the_table_covers_every_strategy_and_error_fault() -> None:
    """No strategy or error fault escapes the matrix below."""
    errors = {fault.value for fault in Fault if fault.is_error}
    assert set(EXPECTED) == set(SECOND_ERROR) == set(STRATEGIES)
    assert all(set(row) == errors for row in EXPECTED.values())
    assert {client for _, client in LESSONS} == {"httpx", *CLIENT_ERRORS}


@pytest.mark.parametrize("fault", [*NETWORK, "handler-bug"])
@pytest.mark.parametrize(("strategy", "client"), LESSONS, ids=LESSON_IDS)
def test_one_fault_gets_its_observed_fate(
    strategy: str, client: str, fault: str, target: Target
) -> None:
    """The fault happens, gets exactly one fate, and the right party saw it."""
    state = run(strategy, scenario(f"{fault}@2", client=client), target)
    assert state.status == "done", state.aborted
    assert state.lesson == (strategy if client == "httpx" else f"{strategy}_{client}")
    task = state.tasks[2]
    assert task.failed is not None, "the fault never reached its origin"
    fate, via = EXPECTED[strategy][fault]
    assert state.fate(task) == fate
    if fate != "lost":
        sighting = state.sighting(task)
        assert sighting is not None and sighting.via == via
    assert sum(state.fates().values()) == state.injected == 1
    if strategy == "sequential":  # the error stopped the loop: the later tasks never ran
        statuses = [state.task_status(t) for t in state.tasks]
        assert statuses == ["ok", "ok", "failed", *["unfinished"] * 3]
    if fate == "logged":  # the hooks call through: the user's stderr shows it as usual
        assert "Traceback" in "".join(state.output)
    if fault in CLIENT_ERRORS.get(client, {}):  # the error is the client's own
        # A 500 fails where the status arrives; the exception comes from raise_for_status().
        origin = "HTTP 500" if fault == "http-500" else CLIENT_ERRORS[client][fault]
        assert task.failed.error == origin
        if fate != "lost":
            assert sighting is not None and sighting.error == CLIENT_ERRORS[client][fault]


# What becomes of a second error, a moment after the first, per style.
SECOND_ERROR = {
    "sequential": {1: "raised", 4: "not_run"},  # the loop stops at the first error
    "threads": {1: "logged", 4: "logged"},
    "threadpool": {1: "raised", 4: "lost"},  # nobody asks future 4 for its result
    "gevent": {1: "logged", 4: "logged"},
    "callbacks": {1: "returned", 4: "returned"},
    "generators": {1: "raised", 4: "not_run"},  # the loop stopped with 4 pending
    "asyncio": {1: "raised", 4: "not_run"},  # asyncio.run cancelled it
    "taskgroup": {1: "raised", 4: "not_run"},  # the group cancelled it
    # The refusal comes at once; the nursery cancels task 4 while it waits for its response
    # (100 ms off), at its next checkpoint: trio.Cancelled is no Exception, so no error of
    # task 4's is reported, and its 500 never comes.
    "trio": {1: "raised", 4: "not_run"},
}


@pytest.mark.parametrize(("strategy", "client"), LESSONS, ids=LESSON_IDS)
def test_a_second_error_after_the_first(strategy: str, client: str, target: Target) -> None:
    """A refused connection at once, then a 500 a moment later: what becomes of the second?"""
    expected = SECOND_ERROR[strategy]
    state = run(strategy, scenario("refused@1", "http-500@4", client=client), target)
    assert state.status == "done", state.aborted
    assert {task: state.fate(state.tasks[task]) for task in expected} == expected


# The faults without errors, for each lesson: blocking and CPU-bound pages are the handler's
# work, which no client changes, so a second client is run with a slow page alone.
QUIET = [
    (style, client, fault)
    for style, client in LESSONS
    for fault in (("slow", "blocking", "cpu") if client == "httpx" else ("slow",))
]


@pytest.mark.parametrize(("strategy", "client", "fault"), QUIET,
                         ids=[f"{s}-{c}-{f}" for s, c, f in QUIET])  # fmt: skip
def test_faults_without_errors_leave_every_task_ok(
    strategy: str, client: str, fault: str, target: Target
) -> None:
    """Slow, blocking and CPU-bound pages cost time, not errors: every task still succeeds."""
    state = run(strategy, scenario(f"{fault}@0", count=3, latency_ms=50, client=client), target)
    assert state.status == "done", state.aborted
    assert state.counts() == {"ok": 3}
    assert state.injected == 0 and not state.errors()


def test_tasks_report_their_start_finish_and_bytes(target: Target) -> None:
    """Every task of a clean run started, finished after it started, with a 200 and a body."""
    state = run("asyncio", scenario(count=4), target)
    for task in state.tasks:
        assert task.started is not None and task.ended is not None
        assert task.ended >= task.started
        assert task.status_code == 200 and task.nbytes > 0
    assert state.finished is not None and state.finished.threads_peak >= 1
    finished = state.finished  # its CPU, split into the program's own and the kernel's
    assert finished.cpu_user_s is not None and finished.cpu_system_s is not None
    assert finished.cpu_user_s + finished.cpu_system_s == pytest.approx(finished.cpu_s)


@pytest.mark.parametrize("client", clients_of("threadpool"))
def test_a_pool_is_its_size_not_a_thread_per_task(client: str, target: Target) -> None:
    """A pool runs at most its CONCURRENCY threads however many tasks there are (a pool as
    large as the task count was 10,000 OS threads), and its ideal is counted at that size."""
    from asyncplay.strategies.threadpool import CONCURRENCY

    count = CONCURRENCY * 2 + 50
    state = run("threadpool", scenario(count=count, latency_ms=100, client=client), target)
    assert state.status == "done" and state.counts() == {"ok": count}
    assert state.concurrency == CONCURRENCY
    assert state.ideal_s == pytest.approx(3 * 0.100)  # three rounds of the pool
    assert state.finished is not None
    # The pool's threads (made as work waits for one), the main thread and the harness's
    # few: never one per task.
    assert state.finished.threads_peak <= CONCURRENCY + 5


def _served_after_one_broken_connection(broken: int) -> tuple[list[events.Event], int]:
    """The worker's aiohttp session fetches /task/7 from a server that closes its first
    `broken` connections without a word, then answers: the events the instrumentation
    reported, and how many connections the server took."""
    taken = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal taken
        taken += 1
        await reader.readuntil(b"\r\n\r\n")
        if taken > broken:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            await writer.drain()
        writer.close()

    async def fetch() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, aiohttp_session.reporting_session(4, 5.0) as session:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/task/7") as response:
                    await response.read()

    read_end, write_end = os.pipe()
    reporter = probe.REPORTER = probe.Reporter(write_end)  # its queue is read, not its pipe
    try:
        asyncio.run(fetch())
    finally:
        probe.REPORTER = None
        os.close(read_end)
        os.close(write_end)
    return list(reporter.queue), taken


def test_a_request_aiohttp_retries_fails_only_if_its_retry_does() -> None:
    """aiohttp tries a GET again, once, on a new connection, when its first connection
    breaks: the broken try is not the task's failure. A second break is."""
    reported, taken = _served_after_one_broken_connection(broken=1)
    assert taken == 2  # aiohttp did retry
    assert [type(event).__name__ for event in reported] == ["TaskStarted"]
    reported, taken = _served_after_one_broken_connection(broken=2)
    assert taken == 2  # once only
    assert [type(event).__name__ for event in reported] == ["TaskStarted", "TaskFailed"]
    assert reported[1].error == "ServerDisconnectedError"  # type: ignore[attr-defined]
