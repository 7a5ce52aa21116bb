"""URLs carry the faults: what the server acts out, and what the handler reads back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from asyncplay.engine.errors import WorkloadError
from asyncplay.engine.targets import Target, parse_target, task_of_url
from asyncplay.engine.workload import FaultSpec, Scenario, build_plan
from asyncplay.strategies.pages import work_of_url

TARGET = Target("http://127.0.0.1:8000", "http://127.0.0.1:9")
HTTPBIN = Target("http://bin.test", "http://127.0.0.1:9", httpbin=True)


def plan_with(*specs: str, **values: float) -> list[str]:
    scenario = Scenario(
        count=3, latency_ms=200, faults=tuple(map(FaultSpec.parse, specs)), **values
    )  # type: ignore[arg-type]
    return TARGET.urls(build_plan(scenario))


def test_each_fault_is_spelled_in_its_url() -> None:
    """Status, drop, page, held delay and the refused port: one parameter per fault."""
    urls = plan_with("http-500@0", "reset@1", "handler-bug@2")
    assert urls[0].endswith("/task/0?delay_ms=200&status=500")
    assert urls[1].endswith("/task/1?delay_ms=200&drop=1")
    assert urls[2].endswith("/task/2?delay_ms=200&page=utf8")
    timeout, refused, slow = plan_with("timeout@0", "refused@1", "slow@2", timeout_s=3.0)
    assert "delay_ms=4000" in timeout  # the client timeout plus a second
    assert refused == "http://127.0.0.1:9/task/1"
    assert "delay_ms=2000" in slow


def test_client_side_work_rides_along_in_the_url() -> None:
    """Blocking and CPU pages tell the lessons' handler what to do and for how long: the
    engine writes the request, the handler reads it back."""
    blocking, cpu, plain = plan_with("blocking@0", "cpu@1")
    assert work_of_url(blocking) == ("block", 0.2)
    assert work_of_url(cpu) == ("cpu", 0.2)
    assert work_of_url(plain) is None


def test_task_ids_come_back_out_of_either_kind_of_url() -> None:
    """The worker tells tasks apart by URL, on the built-in server and on httpbin."""
    assert task_of_url("http://127.0.0.1:1/task/17?delay_ms=5") == 17
    assert task_of_url("http://bin.test/delay/0.2?task=4") == 4
    assert task_of_url("http://bin.test/status/500") is None


def test_the_quick_read_of_a_task_url_agrees_with_the_long_one() -> None:
    """Fault-server URLs are read by a pattern before urlsplit: both find the same task, on
    the URLs a run makes and on ones that must take the long way."""
    urls = [*plan_with("http-500@0", "reset@1", "refused@2"), *plan_with("blocking@0")]
    urls += [*HTTPBIN.urls(build_plan(Scenario(count=3, latency_ms=200)))]
    urls += [
        "http://127.0.0.1:1/task/17", "https://h/task/017#x", "http://h/task/3/x",
        "http://h/task/", "http://h/task/3a", "http://h/x/task/3", "HTTP://h/task/3",
        " http://h/task/3", "http://h/task/3?q=\tz", "http://u@h/task/3", "http://h/ta%73k/3",
        "http://[::1]:80/task/9?x", "http://h/task/3?task=5", "http://h/delay/1?task=x",
    ]  # fmt: skip
    for url in urls:
        assert task_of_url.__wrapped__(url) == _task_of_url_the_long_way(url), url


def _task_of_url_the_long_way(url: str) -> int | None:
    parts = urlsplit(url)
    if parts.path.startswith("/task/"):
        tail = parts.path.removeprefix("/task/")
        return int(tail) if tail.isdigit() else None
    values = parse_qs(parts.query).get("task")
    return int(values[0]) if values and values[0].isdigit() else None


def test_httpbin_targets_use_its_routes_and_refuse_what_it_cannot_do() -> None:
    """Latency is /delay, a 500 is /status/500; resets and handler bugs are refused."""
    plan = build_plan(Scenario(count=2, latency_ms=200, faults=(FaultSpec.parse("http-500@1"),)))
    delayed, failing = HTTPBIN.urls(plan)
    assert delayed.startswith("http://bin.test/delay/0.200?") and "task=0" in delayed
    assert failing.startswith("http://bin.test/status/500?")
    for spec in ("reset", "handler-bug"):
        with pytest.raises(WorkloadError, match=f"cannot express the {spec} fault"):
            HTTPBIN.urls(build_plan(Scenario(count=2, faults=(FaultSpec.parse(spec),))))
    long = build_plan(
        Scenario(count=2, latency_ms=2000, timeout_s=30, faults=(FaultSpec.parse("slow"),))
    )
    with pytest.raises(WorkloadError, match="delays at most 10 s"):
        HTTPBIN.urls(long)


@pytest.mark.parametrize("url", ["ftp://x", "localhost:80", "http://", "http://host:port"])
def test_unusable_target_urls_are_refused(url: str) -> None:
    """Only http(s) URLs with a host (and a numeric port) are targets."""
    with pytest.raises(WorkloadError):
        parse_target(url)
