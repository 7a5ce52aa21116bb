"""Named scenarios: the built-in TOML files beside this module, or a user's own file.

A scenario file holds the fields of `Scenario` (see workload.py); all are optional:

    description = "One response handler raises."
    count = 50
    latency_ms = 200
    jitter_ms = 50
    concurrency = 0      # 0: no limit
    timeout_s = 5.0
    seed = 1
    faults = ["handler-bug", "http-500:0.1", "timeout@7,31"]
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import WorkloadError
from ..workload import FaultSpec, Scenario

FIELDS = {field.name for field in fields(Scenario)} - {"name"}
# The scenario the app opens with: one response handler raises among fifty, the article's
# first lesson (where does each style put an error?), shown by the first `r`.
FIRST = "handler-bug"


def builtin_names() -> list[str]:
    """The built-in scenarios' names, sorted."""
    files = resources.files(__package__).iterdir()
    return sorted(
        entry.name.removesuffix(".toml") for entry in files if entry.name.endswith(".toml")
    )


def load(name_or_path: str) -> Scenario:
    """A built-in scenario by name, or a TOML file by path."""
    if name_or_path in builtin_names():
        text = resources.files(__package__).joinpath(f"{name_or_path}.toml").read_text()
        return parse(text, name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(builtin_names())
        raise WorkloadError(f"no scenario {name_or_path!r}: not a file, nor one of {known}")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise WorkloadError(f"cannot read {path}: {error}") from None
    return parse(text, path.stem)


def parse(text: str, name: str) -> Scenario:
    """A scenario from TOML text; unknown keys and wrong types are errors, not surprises."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise WorkloadError(f"scenario {name!r} is not valid TOML: {error}") from None
    unknown = set(data) - FIELDS
    if unknown:
        raise WorkloadError(f"scenario {name!r}: unknown keys {', '.join(sorted(unknown))}")
    faults = data.pop("faults", [])
    if not isinstance(faults, list) or not all(isinstance(spec, str) for spec in faults):
        raise WorkloadError(f"scenario {name!r}: faults must be a list of strings")
    if not isinstance(data.get("description", ""), str):
        raise WorkloadError(f"scenario {name!r}: description must be text")
    try:  # a Scenario checks its own numbers
        return Scenario(name=name, faults=tuple(map(FaultSpec.parse, faults)), **data)
    except WorkloadError as error:
        raise WorkloadError(f"scenario {name!r}: {error}") from None
