"""Where a task's request goes, and how its URL carries its fault.

The fault server is stateless: everything it needs to misbehave is in the URL, so the same URL
means the same thing every time and a recorded run can be replayed. `--target` points the
workload at an httpbin-compatible server instead, which can express fewer faults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlencode, urlsplit

from .errors import WorkloadError
from .workload import Fault, Plan, TaskPlan

# Faults the lessons' handler acts out on the client side: `?work=block:200` asks it for a
# 200 ms blocking call (read back by asyncplay.strategies.pages.work_of_url).
CLIENT_WORK = {Fault.BLOCKING: "block", Fault.CPU: "cpu"}
# httpbin's /delay/{n} refuses anything longer.
HTTPBIN_MAX_DELAY_S = 10.0


@dataclass(frozen=True)
class Target:
    """A server to fetch from, and a local port where nothing listens (for `refused`)."""

    base_url: str
    refused_url: str
    httpbin: bool = False

    def task_url(self, task: TaskPlan, timeout_s: float) -> str:
        """The URL that makes the server act out `task`'s latency and fault."""
        if task.fault is Fault.REFUSED:
            return f"{self.refused_url}/task/{task.id}"
        delay_s = task.server_delay_s(timeout_s)
        query: dict[str, str | int] = {}
        if task.fault in CLIENT_WORK:
            query["work"] = f"{CLIENT_WORK[task.fault]}:{round(task.latency_s * 1000)}"
        if self.httpbin:
            query["task"] = task.id
            path = "/status/500" if task.fault is Fault.HTTP_500 else f"/delay/{delay_s:.3f}"
        else:
            path = f"/task/{task.id}"
            query["delay_ms"] = round(delay_s * 1000)
            if task.fault is Fault.HTTP_500:
                query["status"] = 500
            elif task.fault is Fault.RESET:
                query["drop"] = 1
            elif task.fault is Fault.HANDLER_BUG:
                query["page"] = "utf8"
        return f"{self.base_url}{path}?{urlencode(query)}"

    def page_url(self, task: int, delay_s: float) -> str:
        """A plain page after `delay_s`, for a lab that fetches on its own."""
        if self.httpbin:
            return f"{self.base_url}/delay/{delay_s:.3f}?task={task}"
        return f"{self.base_url}/task/{task}?delay_ms={round(delay_s * 1000)}"

    def urls(self, plan: Plan) -> list[str]:
        """Every task's URL, in task order; refuses faults an httpbin target cannot express."""
        if self.httpbin:
            check_httpbin(plan)
        return [self.task_url(task, plan.scenario.timeout_s) for task in plan.tasks]


def check_httpbin(plan: Plan) -> None:
    """Refuse a plan an httpbin-compatible server cannot act out."""
    faults = set(plan.faults.values())
    for fault in (Fault.RESET, Fault.HANDLER_BUG):
        if fault in faults:
            raise WorkloadError(f"an httpbin target cannot express the {fault} fault")
    timeout = plan.scenario.timeout_s
    longest = max(task.server_delay_s(timeout) for task in plan.tasks)
    if longest > HTTPBIN_MAX_DELAY_S:
        raise WorkloadError(
            f"an httpbin target delays at most {HTTPBIN_MAX_DELAY_S:g} s; "
            f"this plan needs {longest:.1f} s"
        )


# A fault server's task URL, `http://127.0.0.1:PORT/task/17?delay_ms=200`: a plain host and
# port, then a path that is a task id. Matched first because urlsplit costs each new URL some
# 5 µs, once a request; anything else (or anything urlsplit would clean up) takes the long way.
_TASK_PATH = re.compile(r"https?://[A-Za-z0-9.:_-]*/task/([0-9]+)(?:[?#]\S*)?")


@lru_cache(maxsize=8192)  # asked of each URL twice: by its transport, then its handler
def task_of_url(url: str) -> int | None:
    """The task id a request URL belongs to, for either kind of server."""
    match = _TASK_PATH.fullmatch(url)
    if match is not None:  # what the general case below would find, only sooner
        return int(match[1])
    parts = urlsplit(url)
    if parts.path.startswith("/task/"):
        tail = parts.path.removeprefix("/task/")
        return int(tail) if tail.isdigit() else None
    values = parse_qs(parts.query).get("task")
    return int(values[0]) if values and values[0].isdigit() else None


def parse_target(url: str) -> str:
    """Check a `--target` URL and return it without a trailing slash."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise WorkloadError(f"target {url!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WorkloadError(f"target {url!r} is not an http(s) URL with a host")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise WorkloadError(f"target {url!r} has a malformed port") from None
    return url.rstrip("/")
