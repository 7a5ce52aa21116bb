"""Can the fault server hold C requests at once? Raw connections, no HTTP client library.

Every strategy's wall time includes the server's: if it could not accept and answer
thousands of held requests on time, `wall / ideal` would blame the concurrency style for the
server's limits. This opens C concurrent asyncio connections to the project's fault server,
each asking for /task/{i}?delay_ms=200 with `Connection: close`, reads each response to EOF,
and reports errors (which must be 0), the wall time against the 200 ms ideal, the slowest
request, and this client's CPU time. The client is as thin as a client gets, so what is left
over the ideal is the server's (and the machine's) cost.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import resource
import statistics
import time

from _server import fault_server

CONNECT_AND_READ_TIMEOUT_S = 30.0


async def one_request(port: int, task: int, delay_ms: int) -> float:
    """One request on its own connection; its duration, or raises on any error."""
    start = time.perf_counter()
    async with asyncio.timeout(CONNECT_AND_READ_TIMEOUT_S):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"GET /task/{task}?delay_ms={delay_ms} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
            )
            response = await reader.read()  # to EOF: the server closes after answering
        finally:
            writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 ") or not body.startswith(f"page {task} ".encode()):
        raise ValueError(f"bad response: {head[:40]!r}")
    return time.perf_counter() - start


async def burst(port: int, count: int, delay_ms: int) -> tuple[float, list[float], list[str]]:
    """(wall, durations of the good requests, error names) of C requests started at once."""
    start = time.perf_counter()
    outcomes = await asyncio.gather(
        *(one_request(port, task, delay_ms) for task in range(count)), return_exceptions=True
    )
    wall = time.perf_counter() - start
    durations = [each for each in outcomes if isinstance(each, float)]
    errors = [type(each).__name__ for each in outcomes if isinstance(each, BaseException)]
    return wall, durations, errors


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
    print(f"{'burst':>5} {'errors':>6} {'wall s':>7} {'wall/ideal':>10} "
          f"{'p50 s':>6} {'max s':>6} {'client cpu s':>12}")  # fmt: skip
    with fault_server() as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        for run in range(1, args.repeat + 1):
            cpu = time.process_time()
            wall, durations, errors = asyncio.run(burst(port, args.connections, args.delay))
            cpu = time.process_time() - cpu
            p50 = statistics.median(durations) if durations else float("nan")
            slowest = max(durations, default=float("nan"))
            print(f"{run:>5} {len(errors):>6} {wall:>7.3f} {wall / ideal:>10.2f} "
                  f"{p50:>6.3f} {slowest:>6.3f} {cpu:>12.3f}", flush=True)  # fmt: skip
            if errors:
                print("       errors:", dict(collections.Counter(errors)))


if __name__ == "__main__":
    main()
