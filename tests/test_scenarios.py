"""Named scenarios: the built-ins load, a user's TOML file loads, bad files say why."""

from __future__ import annotations

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
    path.write_text('count = 7\nlatency_ms = 30\nfaults = ["reset@2"]\n')
    scenario = scenarios.load(str(path))
    assert (scenario.name, scenario.count, str(scenario.faults[0])) == ("mine", 7, "reset@2")
    changed = scenario.with_overrides(count=9, latency_ms=None)
    assert (changed.count, changed.latency_ms) == (9, 30)


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
