"""The asyncplay engine: the workload, the fault server, the workers, and one module per style.

Nothing here imports Textual; `asyncplay run` and the tests use it headless.
"""

# The styles, in the article's order, each with the one-line idea the UI shows beside it.
# Kept as data so listing them imports none of them (importing `gevent` monkey-patches).
STRATEGIES: dict[str, str] = {
    "sequential": "One at a time: each request waits for the one before it.",
    "threads": "A thread per task; an exception dies in its thread and the caller never hears.",
    "threadpool": "A pool of threads; result() re-raises in the caller, unread errors vanish.",
    "gevent": "Green threads under monkey patching: threading's look, an event loop inside.",
    "callbacks": "Tornado callbacks: errors come as values, and nothing can be gathered.",
    "generators": "Generator coroutines with yield from, the Python 3.4 way of asyncio.",
    "asyncio": "async/await with gather: the first error is raised, the run torn down.",
    "taskgroup": "async/await with a TaskGroup: the first error cancels the rest; raised together.",
}
