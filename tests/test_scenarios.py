"""Named scenarios: the built-ins load, a user's TOML file loads, bad files say why."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from asyncplay.engine import scenarios
from asyncplay.engine.errors import WorkloadError
from asyncplay.engine.workload import build_plan


def test_every_builtin_loads_and_plans() -> None:
    """Each shipped file is a valid scenario with a description and a buildable plan."""
    names = scenarios.builtin_names()
    assert {"clean", "handler-bug", "blocking", "mix"} <= set(names)
    for name in names:
        scenario = scenarios.load(name)
        assert scenario.name == name and scenario.description
        build_plan(scenario)


def test_a_users_file_loads_and_flags_override_it(tmp_path: Path) -> None:
    """A TOML file by path; with_overrides replaces only the values given."""
    path = tmp_path / "mine.toml"
    path.write_text('count = 7\nlatency_ms = 30\nfaults = ["reset@2"]\nclient = "requests"\n')
    scenario = scenarios.load(str(path))
    assert (scenario.name, scenario.count, str(scenario.faults[0])) == ("mine", 7, "reset@2")
    assert scenario.client == "requests"
    changed = scenario.with_overrides(count=9, latency_ms=None, client=None)
    assert (changed.count, changed.latency_ms, changed.client) == (9, 30, "requests")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("count = ", "not valid TOML"),
        ("cuont = 3", "unknown keys cuont"),
        ('count = "three"', "count must be a whole number"),
        ("latency_ms = true", "latency_ms must be a number"),
        ("faults = 3", "faults must be a list of strings"),
        ('faults = ["explode"]', "unknown fault"),
        ("count = -1", "count must be 1 to 100,000"),
        ('client = "urllib"', "unknown client 'urllib' \\(known: httpx, aiohttp, requests\\)"),
        ("client = 3", "client must be text"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    """Syntax, unknown keys, wrong types and bad values each get a one-line reason."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(WorkloadError, match=message):
        scenarios.load(str(path))


def test_an_unknown_name_lists_the_builtins() -> None:
    """Neither a built-in nor a file: the message says what does exist."""
    with pytest.raises(WorkloadError, match="handler-bug"):
        scenarios.load("no-such-scenario")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"count = " + b"7" * 5000, "a number of more than"),
        (b"faults = " + b"[" * 100_000, "nested too deeply"),
        (b'description = "caf\xe9"', "not UTF-8"),
        (b"count = 3\n" + b"#" * scenarios.MAX_BYTES, f"it is over {scenarios.MAX_BYTES:,} bytes"),
        (b'description = ["x"]', "description must be text"),
        (b'faults = ["' + b"x" * 100_000 + b'"]', "unknown fault 'xxxx"),
    ],
    ids=["digits", "nesting", "latin-1", "size", "type", "long value"],
)
def test_hostile_files_are_one_short_line(tmp_path: Path, content: bytes, message: str) -> None:
    """Whatever a scenario file holds, loading it raises a WorkloadError (what the app's
    picker and the CLI expect), in one line, with any value of it cut short."""
    path = tmp_path / "hostile.toml"
    path.write_bytes(content)
    with pytest.raises(WorkloadError, match=re.escape(message)) as refused:
        scenarios.load(str(path))
    assert "\n" not in str(refused.value) and len(str(refused.value)) < len(str(path)) + 160


def test_what_is_not_a_file_is_no_scenario(tmp_path: Path) -> None:
    """A folder, a device, a FIFO nobody writes to, a name too long for the system: each a
    WorkloadError, at once (a FIFO is never opened, so nothing waits on it)."""
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for name in (str(tmp_path), "/dev/zero", str(fifo), "x" * 100_000):
        with pytest.raises(WorkloadError, match="no scenario"):
            scenarios.load(name)


def test_the_users_own_load_by_name_and_are_listed_as_theirs(home_of_its_own: Path) -> None:
    """A file in ~/.config/asyncplay/scenarios/ is a scenario by its stem; one named after a
    built-in is marked, and the built-in keeps its name; a broken one is listed saying why."""
    folder = home_of_its_own / ".config" / "asyncplay" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('description = "Mine."\ncount = 7\n')
    (folder / "clean.toml").write_text('description = "My clean."\ncount = 4\n')
    (folder / "broken.toml").write_text("count = \n")
    assert scenarios.own_folder() == folder
    mine = scenarios.load("mine")
    assert (mine.name, mine.count, mine.description) == ("mine", 7, "Mine.")
    assert (scenarios.load("clean′").name, scenarios.load("clean′").count) == ("clean′", 4)
    assert scenarios.load("clean") == scenarios.parse(
        (Path(scenarios.__file__).parent / "clean.toml").read_text(), "clean"
    )
    offered = scenarios.listed()
    assert [entry.name for entry in offered] == [
        *scenarios.builtin_names(), "broken", "clean′", "mine"]  # fmt: skip
    theirs = {entry.name: entry for entry in offered if entry.file is not None}
    assert theirs["mine"] == scenarios.Listed("mine", "Mine.", folder / "mine.toml")
    assert theirs["broken"].description.startswith("(cannot load: scenario 'broken' is not")
    with pytest.raises(WorkloadError, match="broken"):
        scenarios.load("broken")
