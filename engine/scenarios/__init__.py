"""Named scenarios: the built-in TOML files beside this module, the user's own, or a file.

A scenario file holds the fields of `Scenario` (see workload.py); all are optional:

    description = "One response handler raises."
    count = 50
    latency_ms = 200
    jitter_ms = 50
    concurrency = 0      # 0: no limit
    timeout_s = 5.0
    seed = 1
    faults = ["handler-bug", "http-500:0.1", "timeout@7,31"]

The user's own live in `~/.config/asyncplay/scenarios/`, each named by its file's stem, as
the user's lessons are: `mine.toml` is `mine`, and a file named after a built-in is marked
(`clean.toml` is `clean′`), so a name always means one scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

from ..errors import WorkloadError, quoted
from ..files import TooLarge, Unreadable, open_regular
from ..lessons import MARK
from ..toml_input import parse_toml
from ..workload import Scenario

FIELDS = {field.name for field in fields(Scenario)} - {"name"}
# The scenario the app opens with: one response handler raises among fifty, the article's
# first lesson (where does each style put an error?), shown by the first `r`.
FIRST = "handler-bug"
# A scenario is a dozen lines; this leaves room for explicit ids for every task of the
# largest run (`timeout@0,1,2,...`), and no more.
MAX_BYTES = 1_000_000


def builtin_names() -> list[str]:
    """The built-in scenarios' names, sorted."""
    files = resources.files(__package__).iterdir()
    return sorted(
        entry.name.removesuffix(".toml") for entry in files if entry.name.endswith(".toml")
    )


def own_folder() -> Path:
    """Where the user's scenarios are kept (looked up each time: tests move HOME)."""
    return Path("~/.config/asyncplay/scenarios").expanduser()


def own_scenarios() -> dict[str, Path]:
    """The user's scenario files by the names they go by, sorted by name."""
    return named_files(own_folder(), set(builtin_names()))


def named_files(folder: Path, builtins: set[str]) -> dict[str, Path]:
    """The TOML files in one of the user's folders (scenarios, tours) by the names they go by,
    sorted: each file's stem, marked if a built-in has it (`clean.toml` is `clean′`), so a
    name always means one file. A folder that cannot be read holds none."""
    try:
        files = sorted(folder.glob("*.toml"))
    except OSError:
        return {}
    # A name is printed and typed: a line's worth of printable text, not hidden, unmarked.
    usable = [path for path in files if _usable(path.stem)]
    names = {f"{path.stem}{MARK}" if path.stem in builtins else path.stem: path for path in usable}
    return {name: names[name] for name in sorted(names)}


def _usable(stem: str) -> bool:
    return stem.isprintable() and not stem.startswith(".") and MARK not in stem


@dataclass(frozen=True)
class Listed:
    """A scenario as `asyncplay scenarios` and the app's picker offer it."""

    name: str  # what `--scenario` takes
    description: str  # for a file that cannot be loaded, why not
    file: Path | None = None  # the user's own file (None: a built-in)


def listed() -> list[Listed]:
    """Every scenario on offer: the built-ins, then the user's own. A file of the user's
    that cannot be loaded is listed all the same, saying why."""
    offered = [Listed(name, load(name).description) for name in builtin_names()]
    for name, path in own_scenarios().items():
        try:
            description = load(name).description
        except WorkloadError as error:
            description = f"(cannot load: {error})"
        offered.append(Listed(name, description, path))
    return offered


def load(name_or_path: str) -> Scenario:
    """A built-in scenario or one of the user's own by name, or a TOML file by path. Any
    problem is a WorkloadError in one line."""
    if name_or_path in builtin_names():
        text = resources.files(__package__).joinpath(f"{name_or_path}.toml").read_text()
        return parse(text, name_or_path)
    own = own_scenarios()
    path, name = own.get(name_or_path), name_or_path
    if path is None:
        path = Path(name_or_path)
        name = path.stem
    try:
        with open_regular(path, MAX_BYTES) as stream:
            content = stream.read(MAX_BYTES + 1)  # the file may have grown since it was opened
    except Unreadable as why:
        if isinstance(why, TooLarge) or name_or_path in own:
            raise WorkloadError(f"cannot read {path}: {why}") from None
        known = ", ".join([*builtin_names(), *own])
        raise WorkloadError(
            f"no scenario {quoted(name_or_path)} ({why}); the scenarios are: {known}"
        ) from None
    except OSError as error:
        raise WorkloadError(f"cannot read {path}: {error.strerror or error}") from None
    if len(content) > MAX_BYTES:
        raise WorkloadError(f"cannot read {path}: it is over {MAX_BYTES:,} bytes")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkloadError(f"scenario {name!r} is not UTF-8 text") from None
    return parse(text, name)


def parse(text: str, name: str) -> Scenario:
    """A scenario from TOML text; unknown keys and wrong types are errors, not surprises."""
    data = parse_toml(text, f"scenario {name!r}", WorkloadError)
    unknown = set(data) - FIELDS
    if unknown:
        raise WorkloadError(
            f"scenario {name!r}: unknown keys {', '.join(sorted(key[:40] for key in unknown))}"
        )
    try:  # a Scenario checks its own fields
        return Scenario.from_dict({**data, "name": name})
    except WorkloadError as error:
        raise WorkloadError(f"scenario {name!r}: {error}") from None
