"""threadpool's floor: a pool of threads with no client library, raw HTTP/1.1 over blocking
sockets (bench/bare/_blocking.py).

    python bench/bare/threadpool_raw.py -n 10000 --latency 1000
"""

from concurrent.futures import ThreadPoolExecutor

from _blocking import fetch
from _measure import Job, count_threads, run

# A pool of at most this many threads, as the lesson's, whatever -c allows.
CONCURRENCY = 100


def fetch_counted(url: str, timeout_s: float) -> int:
    count_threads()
    return fetch(url, timeout_s)


def main(job: Job) -> list[int]:
    with ThreadPoolExecutor(max_workers=job.limit) as pool:
        futures = [pool.submit(fetch_counted, url, job.timeout_s) for url in job.urls]
        return [future.result() for future in futures]


if __name__ == "__main__":
    run("threadpool", "raw", main, CONCURRENCY)
