"""Shared fixtures: one real fault server for the session, and a way to run a strategy."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from procs import SESSION_CHILDREN

from asyncplay.engine.playground import WORKER_NICE_VARIABLE
from asyncplay.engine.server_process import refused_port
from asyncplay.engine.targets import Target


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers more than there are cores. A test spends a good part of its
    time waiting on its runs' workers and the server (latencies, deadlines, a lab's
    watchdog), and more workers than cores fill those waits. On two idle cores: two workers
    409 s, three 351 s (at 091600b); at the tour's commit, three 397 s, four 360 s."""
    return (os.cpu_count() or 1) + 2


@pytest.fixture(autouse=True)
def home_of_its_own(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test has a home of its own, so the user's lessons it sees (and makes, under
    ~/.config/asyncplay/strategies/) are never those of whoever runs the suite; nor is the
    last claims measurement (kept in ~/.cache/asyncplay/, or under $XDG_CACHE_HOME)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return home


@pytest.fixture(autouse=True)
def workers_at_normal_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app runs its workers at the lowest priority (nice 19), so that keys answer at once
    (bench/tui_load.py measures what that buys). The suite runs on a shared machine, where
    beside a busy process of normal priority such a worker gets a sixty-eighth of the CPU
    and a test's run takes minutes: here they run at normal priority. test_playground
    checks the default."""
    monkeypatch.setenv(WORKER_NICE_VARIABLE, "0")


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The project's fault server, in its own process, as the runner starts it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asyncplay.engine.server", "--until-stdin-closes"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None
    SESSION_CHILDREN.add(process.pid)  # a test that counts leftovers does not count it
    url = process.stdout.readline().decode().strip()
    assert url.startswith("http://127.0.0.1:")
    yield url
    process.stdin.close()  # the server's cue to exit
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def target(server_url: str) -> Iterator[Target]:
    with refused_port() as refused:
        yield Target(server_url, refused)
