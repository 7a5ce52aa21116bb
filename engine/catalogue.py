"""The built-in lessons as the engine and the UI list them: their package, their names in the
article's order with each one's idea in a line, and their source.

Kept as data, apart from the lessons themselves: listing them imports none of them
(importing `gevent` monkey-patches), and a child process may import this before any lesson.
"""

from __future__ import annotations

# The learner's package: every lesson, the labs, the job and the page handler.
LESSONS_PACKAGE = "asyncplay.strategies"
LABS_PACKAGE = f"{LESSONS_PACKAGE}.labs"
# What a lesson's main is, as a refusal says it: lessons.check of a `def main` it reads, the
# worker of a main it imported.
MAIN_IS = "a lesson's main is a plain def main(job), called with the job"

# The styles, in the article's order, each with the one-line idea the UI shows beside it.
STRATEGIES: dict[str, str] = {
    "sequential": "One at a time: each request waits for the one before it.",
    "threads": "A thread per task; an exception dies in its thread and the caller never hears.",
    "threadpool": "A pool of 100 threads; result() re-raises in the caller, unread errors vanish.",
    "gevent": "Green threads under monkey patching: threading's look, an event loop inside.",
    "callbacks": "Tornado callbacks: errors come as values; gen.multi can gather them.",
    "generators": "Generator coroutines with yield from, the Python 3.4 way of asyncio.",
    "asyncio": "async/await with gather: the first error is raised, the run torn down.",
    "taskgroup": "async/await with a TaskGroup: the first error cancels the rest; raised together.",
    "trio": "trio's nurseries: the first error cancels the rest; every error raised together.",
}


# The HTTP clients a scenario can ask for. httpx is every style's first client; the second is
# the one that style's users reach for, taught as a lesson of its own (`threads_requests`), so
# a learner can tell what the model costs from what its client costs. Tornado's callbacks keep
# Tornado's own client, whatever is asked.
DEFAULT_CLIENT = "httpx"
SECOND_CLIENT: dict[str, str] = {
    "sequential": "requests",
    "threads": "requests",
    "threadpool": "requests",
    "gevent": "requests",  # the classic pairing: requests under monkey patching
    "asyncio": "aiohttp",
    "taskgroup": "aiohttp",
}
OWN_CLIENT: dict[str, str] = {"callbacks": "tornado"}
CLIENTS: tuple[str, ...] = (DEFAULT_CLIENT, *sorted(set(SECOND_CLIENT.values())))


def lesson_module(style: str, client: str) -> str | None:
    """The lesson module that fetches with `client` in `style`, or None if there is none. A
    style with a client of its own runs it when the default is asked."""
    if client == DEFAULT_CLIENT:
        return style
    if SECOND_CLIENT.get(style) == client:
        return f"{style}_{client}"
    return None


def client_run(style: str, client: str) -> str:
    """The client a run of `style` asked for `client` really fetches with."""
    return OWN_CLIENT.get(style, client)


def is_second_client(style: str, client: str) -> bool:
    """Whether a run of `style` that fetched with `client` used its second client (a user's
    lesson, whose client is not known, did not)."""
    return bool(client) and client != client_run(style, DEFAULT_CLIENT)


def clients_of(style: str) -> tuple[str, ...]:
    """The clients `style` has a lesson for, as a scenario names them."""
    return (DEFAULT_CLIENT, *([SECOND_CLIENT[style]] if style in SECOND_CLIENT else []))


def is_builtin_lesson(module: str) -> bool:
    """Whether `module` names one of the built-in lessons (a style with one of its clients):
    a run's `lesson` comes from a child or a log, and only such a name may be read as source."""
    return any(lesson_module(style, client) == module
               for style in STRATEGIES for client in clients_of(style))  # fmt: skip


def no_lesson(style: str, client: str) -> str:
    """Why `style` cannot run with `client`, in a few words (its panel is titled `style`)."""
    if style in OWN_CLIENT:
        return f"it keeps {OWN_CLIENT[style].capitalize()}'s own client, not {client}"
    return f"no {client} lesson; its clients: {', '.join(clients_of(style))}"


# The claims an idea above speaks to, and the verdict its words state: a test holds each to
# the recorded run's verdicts, so a line on a panel cannot say what the labs did not measure
# (the callbacks' line said "nothing can be gathered" while the lab showed Tornado 6 does).
IDEAS_REST_ON: dict[str, tuple[tuple[str, str], ...]] = {
    "sequential": (("one-at-a-time", "holds"),),
    "callbacks": (("errors-as-values", "holds"), ("callbacks-not-gatherable", "fails")),
    "asyncio": (("errors-up-the-stack", "partly"),),  # the first error, not every one
    "generators": (("errors-up-the-stack", "partly"),),
}


def source_of(module: str) -> str:
    """A lesson module's own text, as installed ("threads", or a lab's "labs.races"). Read,
    not imported: importing the gevent lesson would monkey-patch whoever asked."""
    from importlib import resources  # here: a worker imports this module before its lesson

    *package, name = module.split(".")
    try:
        return resources.files(LESSONS_PACKAGE).joinpath(*package, f"{name}.py").read_text()
    except OSError:
        return f"# no source for {module!r}"
