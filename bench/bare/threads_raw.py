"""threads' floor: a thread per task with no client library, raw HTTP/1.1 over blocking
sockets (bench/bare/_blocking.py). What is left is the cost of the OS threads themselves.

    python bench/bare/threads_raw.py -n 10000 --latency 1000
"""

import threading

from _blocking import fetch
from _measure import Job, count_threads, run


def main(job: Job) -> list[int | None]:
    results: list[int | None] = [None] * len(job.urls)
    slots = threading.BoundedSemaphore(job.limit)

    def fetch_into(index: int, url: str) -> None:
        with slots:
            count_threads()
            results[index] = fetch(url, job.timeout_s)

    threads = [threading.Thread(target=fetch_into, args=item) for item in enumerate(job.urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


if __name__ == "__main__":
    run("threads", "raw", main)
