"""The app's runs without the app: the priority its workers run at."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from procs import children
from waiting import until

from asyncplay.engine.errors import UsageError
from asyncplay.engine.playground import WORKER_NICE, WORKER_NICE_VARIABLE, Playground
from asyncplay.engine.workload import Scenario


def nice_of(pid: int) -> int:
    """A process's nice value, field 19 of /proc/PID/stat (after the parenthesised name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def test_the_apps_workers_run_at_the_lowest_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    """By default a run's worker is at nice 19, whatever the suite sets for itself."""
    monkeypatch.delenv(WORKER_NICE_VARIABLE)
    seen: list[int] = []

    async def scenario() -> None:
        playground = Playground(Scenario(count=2, latency_ms=20_000, timeout_s=30))
        playground.run(["threads"], playground.scenario_of_runs)
        state = playground.states["threads"]
        await until(lambda: state.pid is not None, what="the worker to start")
        assert state.pid is not None
        seen.append(nice_of(state.pid))
        await playground.close()

    asyncio.run(scenario())
    assert seen == [WORKER_NICE] == [19]
    assert children() == set()


def test_another_priority_is_asked_for_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKER_NICE_VARIABLE, "7")
    assert Playground(Scenario()).session.nice == 7
    for bad in ("20", "-1", "low", "", "²", "1" * 5000):
        monkeypatch.setenv(WORKER_NICE_VARIABLE, bad)
        with pytest.raises(UsageError, match=f"{WORKER_NICE_VARIABLE} must be a whole number"):
            Playground(Scenario())


def test_a_runs_lesson_name_is_read_as_source_only_if_it_is_a_built_in(tmp_path: Path) -> None:
    """A run's `lesson` comes from its worker or a log: a built-in's second-client module is
    shown as it ran, and any other name (a path out of the package) is never read."""
    from asyncplay.engine.catalogue import source_of
    from asyncplay.engine.events import RunStarted

    outside = tmp_path / "secret.py"
    outside.write_text("SECRET = 1\n")
    playground = Playground(Scenario())
    for lesson, shown in ((str(outside.with_suffix("")), source_of("threads")),
                          ("threads_requests", source_of("threads_requests"))):  # fmt: skip
        playground.states["threads"].apply(
            RunStarted(0.0, "threads", 1, 1, 1, 0.1, {}, 0.0, lesson=lesson)
        )
        assert playground.source("threads") == shown
    assert "SECRET" not in playground.source("threads")
