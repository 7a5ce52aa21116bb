"""trio's floor: a nursery with no client library, raw HTTP/1.1 over trio's own streams
(`trio.open_tcp_stream`): a connection per request, the answer read to its end, its words
counted. What is left is trio's own cost.

    python bench/bare/trio_raw.py -n 10000 --latency 1000
"""

import trio
from _measure import CONNECT_TIMEOUT_S, Job, http_get, run, words_of


async def fetch(url: str, timeout_s: float) -> int:
    host, port, request = http_get(url)
    with trio.fail_after(CONNECT_TIMEOUT_S):
        stream = await trio.open_tcp_stream(host, port)
    async with stream:
        await stream.send_all(request)
        chunks = []
        while True:
            with trio.fail_after(timeout_s):  # each wait for the next bytes, as httpx times it
                chunk = await stream.receive_some()
            if not chunk:  # the end: the server closes after its answer
                break
            chunks.append(chunk)
    return words_of(b"".join(chunks))


async def fetch_all(job: Job) -> list[int]:
    results = [0] * len(job.urls)
    slots = trio.CapacityLimiter(job.limit)

    async def fetch_into(index: int, url: str) -> None:
        async with slots:
            results[index] = await fetch(url, job.timeout_s)

    async with trio.open_nursery() as nursery:
        for index, url in enumerate(job.urls):
            nursery.start_soon(fetch_into, index, url)
    return results


def main(job: Job) -> list[int]:
    return trio.run(fetch_all, job)


if __name__ == "__main__":
    run("trio", "raw", main)
