"""Can the fault server hold C requests at once? Raw connections, no HTTP client library.

Every strategy's wall time includes the server's: if it could not accept and answer
thousands of held requests on time, `wall / ideal` would blame the concurrency style for the
server's limits. This opens C concurrent asyncio connections to the project's fault server,
each asking for /task/{i}?delay_ms=200 with `Connection: close`, reads each response to EOF,
and reports errors (which must be 0) and the wall time against the 200 ms ideal. It splits
that wall time in two: when the last request went out (the client's cost of opening C
connections from one thread) and how long each request then waited for its answer (ideal:
the delay; anything more is the server's, or the machine's, lateness). CPU time is reported
for both processes, the server's read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import resource
import statistics
import time
from dataclasses import dataclass

from _server import fault_server

CONNECT_AND_READ_TIMEOUT_S = 30.0


async def one_request(port: int, task: int, delay_ms: int, origin: float) -> tuple[float, float]:
    """One request on its own connection: (when it was sent, after `origin`; how long the
    answer then took), or raises on any error."""
    async with asyncio.timeout(CONNECT_AND_READ_TIMEOUT_S):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"GET /task/{task}?delay_ms={delay_ms} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
            )
            sent = time.perf_counter()
            response = await reader.read()  # to EOF: the server closes after answering
            answered = time.perf_counter()
        finally:
            writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 ") or not body.startswith(f"page {task} ".encode()):
        raise ValueError(f"bad response: {head[:40]!r}")
    return sent - origin, answered - sent


@dataclass
class Burst:
    wall_s: float
    sent_s: list[float]  # when each good request was sent, after the burst began
    wait_s: list[float]  # how long each then waited for its whole answer (ideal: the delay)
    errors: list[str]


async def burst(port: int, count: int, delay_ms: int) -> Burst:
    """C requests started at once, each on its own connection."""
    origin = time.perf_counter()
    outcomes = await asyncio.gather(
        *(one_request(port, task, delay_ms, origin) for task in range(count)),
        return_exceptions=True,
    )
    wall = time.perf_counter() - origin
    good = [each for each in outcomes if isinstance(each, tuple)]
    errors = [type(each).__name__ for each in outcomes if isinstance(each, BaseException)]
    return Burst(wall, [sent for sent, _ in good], [wait for _, wait in good], errors)


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, needed), hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--connections", type=int, default=2000, help="at once (2000)")
    parser.add_argument("--delay", type=int, default=200, help="server ms per request (200)")
    parser.add_argument("-r", "--repeat", type=int, default=3, help="bursts (3)")
    args = parser.parse_args()
    if not 1 <= args.connections <= 10_000 or not 1 <= args.repeat <= 20:
        parser.error("--connections must be 1..10000 and --repeat 1..20")

    raise_file_limit(args.connections + 100)
    ideal = args.delay / 1000
    print(f"C={args.connections} connections at once, delay {args.delay} ms (ideal {ideal:.3f} s)")
    print(f"{'burst':>5} {'errors':>6} {'wall s':>7} {'wall/ideal':>10} {'last sent s':>11} "
          f"{'wait p50':>8} {'wait max':>8} {'client cpu':>10} {'server cpu':>10}")  # fmt: skip
    with fault_server() as server:
        for run in range(1, args.repeat + 1):
            cpu, server_cpu = time.process_time(), server.cpu_s()
            result = asyncio.run(burst(server.port, args.connections, args.delay))
            cpu, server_cpu = time.process_time() - cpu, server.cpu_s() - server_cpu
            nan = float("nan")
            last_sent = max(result.sent_s, default=nan)
            wait_p50 = statistics.median(result.wait_s) if result.wait_s else nan
            wait_max = max(result.wait_s, default=nan)
            print(f"{run:>5} {len(result.errors):>6} {result.wall_s:>7.3f} "
                  f"{result.wall_s / ideal:>10.2f} {last_sent:>11.3f} {wait_p50:>8.3f} "
                  f"{wait_max:>8.3f} {cpu:>10.3f} {server_cpu:>10.3f}", flush=True)  # fmt: skip
            if result.errors:
                print("       errors:", dict(collections.Counter(result.errors)))


if __name__ == "__main__":
    main()
