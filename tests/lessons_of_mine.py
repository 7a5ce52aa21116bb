"""Lessons a learner might write, as text: the fix the article points to for threads, and the
ways an edit goes wrong. Each is what a person would type into the editor or a file."""

from __future__ import annotations

from pathlib import Path

from asyncplay.engine.catalogue import source_of

ORIGINAL_THREADS = source_of("threads")

# The three-line fix: each thread puts its exception on a queue; the caller re-raises it.
QUEUE_IMPORT = ("import threading\n", "import queue\nimport threading\n")
QUEUE_MADE = (
    "    slots = threading.BoundedSemaphore(job.limit)\n",
    "    slots = threading.BoundedSemaphore(job.limit)\n    errors = queue.SimpleQueue()\n",
)
QUEUE_FILLED = (
    "    def fetch(client: httpx.Client, index: int, url: str) -> None:\n"
    "        with slots:\n"
    "            response = client.get(url)\n"
    "            response.raise_for_status()\n"
    "            results[index] = handle(response)\n",
    "    def fetch(client: httpx.Client, index: int, url: str) -> None:\n"
    "        try:\n"
    "            with slots:\n"
    "                response = client.get(url)\n"
    "                response.raise_for_status()\n"
    "                results[index] = handle(response)\n"
    "        except Exception as error:\n"
    "            errors.put(error)\n",
)
QUEUE_RERAISED = (
    "    return results\n",
    "    if not errors.empty():\n        raise errors.get()\n    return results\n",
)
THREADS_FIXED = ORIGINAL_THREADS
for _old, _new in (QUEUE_IMPORT, QUEUE_MADE, QUEUE_FILLED, QUEUE_RERAISED):
    assert _old in THREADS_FIXED, _old
    THREADS_FIXED = THREADS_FIXED.replace(_old, _new, 1)

SYNTAX_ERROR = ORIGINAL_THREADS.replace("def main(job: Job)", "def main(job: Job", 1)
SYNTAX_ERROR_LINE = ORIGINAL_THREADS[: ORIGINAL_THREADS.index("def main(job: Job)")].count("\n") + 1
NO_MAIN = ORIGINAL_THREADS.replace("def main(job: Job)", "def run(job: Job)", 1)
# A main that cannot take the job, or that only makes a coroutine: run, they would leave every
# task unfinished and exit 0.
MAIN_OF_NOTHING = ORIGINAL_THREADS.replace("def main(job: Job)", "def main()", 1)
ASYNC_MAIN = source_of("asyncio").replace("def main(job: Job)", "async def main(job: Job)", 1)
MAIN_OF_NOTHING_LINE = MAIN_OF_NOTHING[: MAIN_OF_NOTHING.index("def main()")].count("\n") + 1
ASYNC_MAIN_LINE = ASYNC_MAIN[: ASYNC_MAIN.index("async def main")].count("\n") + 1
# One no reading of the source can see: main is bound to a lambda of no argument.
MAIN_BOUND_TO_NOTHING = "main = lambda: None\n"
IMPORT_ERROR = "import no_such_module_anywhere\n\n\ndef main(job):\n    return []\n"
HANGS = '"""A lesson that never returns."""\n\n\ndef main(job):\n    while True:\n        pass\n'


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path
