"""taskgroup's floor: the TaskGroup lesson with no client library, raw HTTP/1.1 over
asyncio's own streams: a connection per request, the answer read to its end, its words
counted. What is left is the event loop's own cost, and the group's.

    python bench/bare/taskgroup_raw.py -n 10000 --latency 1000
"""

import asyncio

from _measure import CONNECT_TIMEOUT_S, Job, http_get, run, words_of


async def fetch(slots: asyncio.Semaphore, url: str, timeout_s: float) -> int:
    host, port, request = http_get(url)
    async with slots:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            async with asyncio.timeout(timeout_s):
                answer = await reader.read()  # to the end: the server closes after its answer
        finally:
            writer.close()
    return words_of(answer)


async def fetch_all(job: Job) -> list[int]:
    slots = asyncio.Semaphore(job.limit)
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(slots, url, job.timeout_s)) for url in job.urls]
    return [task.result() for task in tasks]


def main(job: Job) -> list[int]:
    return asyncio.run(fetch_all(job))


if __name__ == "__main__":
    run("taskgroup", "raw", main)
