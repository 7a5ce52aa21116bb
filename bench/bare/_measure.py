"""What every script in bench/bare/ shares: its arguments, the measured window, its report.

A script here is one style with one client, written by hand without asyncplay: it defines
`main(job)`, as a lesson does, and hands it to `run`. `run` builds the same URLs the engine
makes for a clean scenario (`/task/{i}?delay_ms=L` on the project's fault server), calls
`main` between two readings of the clock and of `getrusage`, and prints one JSON object:

    {"style": ..., "client": ..., "tasks": N, "ok": ..., "failed": ..., "words": ...,
     "wall_s": ..., "cpu_s": ..., "cpu_user_s": ..., "cpu_system_s": ...,
     "threads_peak": ..., "max_rss_kb": ...}

The window is the one the worker measures (engine/worker/worker.py): after the imports and
the client's one-off costs, from just before `main(job)` to just after it, so the numbers
compare with `asyncplay run --json`'s like with like. The fault server runs in a process of
its own (given by --url, or started here), so its CPU is never counted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import re
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A connection may take this long, as in the engine's clients (clients.CONNECT_TIMEOUT_S):
# on loopback a slow connect is waiting for its own busy client, not for the server.
CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Job:
    """What a lesson is handed: the URLs, how many may be in flight, the read timeout."""

    urls: Sequence[str]
    limit: int
    timeout_s: float


_threads_peak = 1


def count_threads() -> None:
    """Called where a thread-style script starts a request, as the worker counts them:
    a thread lives at least as long as its request."""
    global _threads_peak
    _threads_peak = max(_threads_peak, threading.active_count())


def os_threads() -> int:
    """The process's OS threads now (a gevent resolver's or an executor's included)."""
    status = Path("/proc/self/status").read_text()
    found = re.search(r"^Threads:\s+(\d+)", status, re.M)
    return int(found.group(1)) if found else 1


def http_get(url: str) -> tuple[str, int, bytes]:
    """(host, port, request) for a raw HTTP/1.1 GET of `url`: one request per connection,
    so the server closes it after answering and the answer is read to its end."""
    match = re.fullmatch(r"http://([^/:]+):(\d+)(/.*)", url)
    if match is None:
        raise ValueError(f"not a URL of the fault server: {url}")
    host, port, target = match.groups()
    request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    return host, int(port), request.encode()


def words_of(answer: bytes) -> int:
    """The words of a raw HTTP answer's body, counted as the lessons' `pages.handle` counts
    them (ASCII); an error status or a cut-off body raises, as `raise_for_status` would."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1] if head.startswith(b"HTTP/1.1 ") else b""
    if status != b"200":
        raise ValueError(f"HTTP status {status.decode('latin-1') or 'missing'}")
    length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
    if length is None or int(length.group(1)) != len(body):
        raise ValueError("the body was cut off")
    return len(body.decode("ascii").split())


def run(
    style: str, client: str, main: Callable[[Job], Sequence[Any]], concurrency: int | None = None
) -> None:
    """Parse the command line, run `main` in the measured window, print the JSON report.
    `concurrency`: the lesson's CONCURRENCY, the most it runs at once whatever -c allows (as
    the worker caps its job's limit)."""
    parser = argparse.ArgumentParser(description=f"{style} with {client}, without asyncplay")
    parser.add_argument("-n", "--count", type=int, default=200, help="tasks (default 200)")
    parser.add_argument("--latency", type=float, default=200.0, help="ms per request (200)")
    parser.add_argument(
        "-c", "--concurrency", type=int, default=0, help="most in flight (default 0: all)"
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="read timeout, s (5)")
    parser.add_argument("--url", help="the fault server (default: start one)")
    args = parser.parse_args()
    if args.count < 1 or args.concurrency < 0 or args.latency < 0 or args.timeout <= 0:
        parser.error("-n must be 1 or more, -c and --latency 0 or more, --timeout above 0")
    limit = min(args.concurrency, args.count) if args.concurrency else args.count
    limit = min(limit, concurrency or limit)
    with _fault_server(args.url) as url:
        urls = [f"{url}/task/{i}?delay_ms={round(args.latency)}" for i in range(args.count)]
        try:
            measured = measure(main, Job(urls, limit, args.timeout))
        except Exception as error:  # the first failure, raised as the lesson would raise it
            sys.exit(f"{style} with {client}: {type(error).__name__}: {error}"[:300])
    print(json.dumps({"style": style, "client": client, **measured}))


@contextlib.contextmanager
def _fault_server(url: str | None) -> Iterator[str]:
    if url is not None:
        yield url
        return
    sys.path.append(str(Path(__file__).resolve().parent.parent))  # bench/, for _server
    from _server import fault_server

    with fault_server() as server:
        yield server.url


def measure(main: Callable[[Job], Sequence[Any]], job: Job) -> dict[str, Any]:
    """`main(job)`'s results, wall and CPU time, peak threads and largest RSS."""
    # As the worker does before its clock starts: the idna codec a first connect would load
    # is loaded, and what the imports left is collected and set aside, so the run's
    # collections walk only what the run makes.
    "127.0.0.1".encode("idna")
    gc.collect()
    gc.freeze()
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    results = main(job)
    wall, after = time.monotonic() - start, resource.getrusage(resource.RUSAGE_SELF)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    counts = [result for result in results if isinstance(result, int)]
    return {
        "tasks": len(job.urls), "ok": len(counts), "failed": len(job.urls) - len(counts),
        "words": sum(counts), "wall_s": round(wall, 4), "cpu_s": round(user + system, 4),
        "cpu_user_s": round(user, 4), "cpu_system_s": round(system, 4),
        "threads_peak": max(_threads_peak, os_threads()), "max_rss_kb": after.ru_maxrss,
    }  # fmt: skip
