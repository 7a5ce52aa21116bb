"""sequential's floor: one request at a time with no client library, raw HTTP/1.1 over a
blocking socket (bench/bare/_blocking.py).

    python bench/bare/sequential_raw.py -n 200 --latency 10
"""

from _blocking import fetch
from _measure import Job, run

# One request at a time, as the lesson: its client's pool is sized for one.
CONCURRENCY = 1


def main(job: Job) -> list[int]:
    return [fetch(url, job.timeout_s) for url in job.urls]


if __name__ == "__main__":
    run("sequential", "raw", main, CONCURRENCY)
