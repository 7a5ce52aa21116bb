"""Tours: the article as a list of steps, each run for real and captioned from what it measured.

A tour is a TOML file. The built-in one (`article.toml`, beside this module) walks the
article in order; the user's own live in `~/.config/asyncplay/tours/`, each named by its
file's stem (a file named after a built-in is marked, `article′`, as scenarios are):

    title = "Asynchronous Python: Await the Future"

    [[step]]
    chapter = "Threads"                 # steps of one chapter follow each other
    title = "An error dies in its thread"
    say = "Each task runs in a thread of its own."   # the words before the measured part
    scenario = "handler-bug"            # a scenario by name
    panels = ["threads"]                # the panels shown, and run; the first is focused
    focus = "threads"                   # (optional) another of them
    client = "httpx"                    # (optional) the scenario's client
    show = "zoom"                       # panels (default), zoom, or claims
    highlight = "error"                 # panel (default); in a zoom, error, line or xray
    expect = "logged"                   # what the article expects (expectations.py)

    [[step]]
    chapter = "The claims"
    title = "Callbacks swallow exceptions"
    claim = "callbacks-swallow"         # a claims step: its labs run, its verdict judged
    show = "claims"

A step that names what does not exist (a scenario, a panel, an expectation, a claim) or a key
the format does not have is refused with the file, the step's line and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args

from ..catalogue import CLIENTS, STRATEGIES, lesson_module, no_lesson
from ..claims import CLAIMS_BY_ID
from ..errors import TourError, WorkloadError, quoted
from ..expectations import EXPECTATIONS
from ..files import TooLarge, Unreadable, open_regular
from ..scenarios import load as load_scenario
from ..scenarios import named_files
from ..toml_input import parse_toml

Show = Literal["panels", "zoom", "claims"]
Highlight = Literal["panel", "error", "line", "xray"]
SHOWS: tuple[Show, ...] = get_args(Show)
HIGHLIGHTS: tuple[Highlight, ...] = get_args(Highlight)
BUILTIN = "article"
# A tour is a few hundred lines of words; these leave room for a long one, and no more.
MAX_BYTES = 200_000
MAX_STEPS = 200
MAX_TEXT = 600  # the characters of one caption's words: a projector shows a few lines

TOUR_KEYS = {"title", "description", "step"}
STEP_KEYS = {"chapter", "title", "say", "scenario", "panels", "focus", "client", "show",
             "highlight", "expect", "claim"}  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One step of a tour: what it sets up, what it points at, what the article expects."""

    chapter: str
    title: str
    say: str  # the caption's own words, before what the run measured
    line: int  # where the step starts in its file: refusals and `--script` name it
    scenario: str = ""  # a run step's scenario, by name ("" for a claims step)
    panels: tuple[str, ...] = ()
    focus: str = ""
    client: str = ""  # "": the scenario's own
    show: Show = "panels"
    highlight: Highlight = "panel"
    expect: str = ""  # an EXPECTATIONS name (a run step)
    claim: str = ""  # a claim's id (a claims step)

    @property
    def is_claim(self) -> bool:
        return bool(self.claim)


@dataclass(frozen=True)
class Tour:
    name: str
    title: str
    description: str
    steps: tuple[Step, ...]

    def chapters(self) -> list[tuple[str, int]]:
        """Each chapter's title and the index of its first step, in order."""
        firsts: list[tuple[str, int]] = []
        for index, step in enumerate(self.steps):
            if not firsts or firsts[-1][0] != step.chapter:
                firsts.append((step.chapter, index))
        return firsts

    def chapter_of(self, index: int) -> int:
        """The chapter step `index` is in, counted from 1."""
        return sum(1 for _, first in self.chapters() if first <= index)


def own_folder() -> Path:
    """Where the user's tours are kept (looked up each time: tests move HOME)."""
    return Path("~/.config/asyncplay/tours").expanduser()


def builtin_names() -> list[str]:
    files = resources.files(__package__).iterdir()
    return sorted(entry.name.removesuffix(".toml") for entry in files
                  if entry.name.endswith(".toml"))  # fmt: skip


def own_tours() -> dict[str, Path]:
    """The user's tour files by the names they go by, sorted (as scenarios are named)."""
    return named_files(own_folder(), set(builtin_names()))


def names() -> list[str]:
    return [*builtin_names(), *own_tours()]


def load(name: str = BUILTIN) -> Tour:
    """A built-in tour or one of the user's by name. Any problem is a TourError in one line."""
    if name in builtin_names():
        text = resources.files(__package__).joinpath(f"{name}.toml").read_text()
        return parse(text, name)
    path = own_tours().get(name)
    if path is None:
        raise TourError(f"no tour {quoted(name)}; the tours are: {', '.join(names())}")
    try:
        with open_regular(path, MAX_BYTES) as stream:
            content = stream.read(MAX_BYTES + 1)
    except (Unreadable, TooLarge) as why:
        raise TourError(f"cannot read {path}: {why}") from None
    except OSError as error:
        raise TourError(f"cannot read {path}: {error.strerror or error}") from None
    if len(content) > MAX_BYTES:
        raise TourError(f"cannot read {path}: it is over {MAX_BYTES:,} bytes")
    try:
        return parse(content.decode("utf-8"), name)
    except UnicodeDecodeError:
        raise TourError(f"tour {name!r} is not UTF-8 text") from None


def parse(text: str, name: str) -> Tour:
    """A tour from TOML text, every step checked against what exists."""
    data = parse_toml(text, f"tour {name!r}", TourError)
    unknown = set(data) - TOUR_KEYS
    if unknown:
        raise TourError(f"tour {name!r}: unknown keys {', '.join(sorted(k[:40] for k in unknown))}")
    raw_steps = data.get("step", [])
    if not isinstance(raw_steps, list) or not raw_steps:
        raise TourError(f"tour {name!r} has no steps: each is a [[step]] table")
    if len(raw_steps) > MAX_STEPS:
        raise TourError(f"tour {name!r} has {len(raw_steps):,} steps; at most {MAX_STEPS}")
    starts = _step_lines(text)
    steps = []
    for number, raw in enumerate(raw_steps):
        line = starts[number] if number < len(starts) else 0
        try:
            steps.append(_step(raw, line))
        except (TourError, WorkloadError) as error:
            raise TourError(f"tour {name!r}, line {line}: step {number + 1}: {error}") from None
    return Tour(name, _text(data, "title", name), _text(data, "description", ""), tuple(steps))


def _step_lines(text: str) -> list[int]:
    """The line (from 1) of each `[[step]]` header, in order."""
    header = re.compile(r"^\s*\[\[\s*step\s*\]\]")
    return [number for number, line in enumerate(text.splitlines(), 1) if header.match(line)]


def _step(raw: object, line: int) -> Step:
    if not isinstance(raw, dict):
        raise TourError("is not a table")
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise TourError(f"unknown keys {', '.join(sorted(key[:40] for key in unknown))}")
    for key in ("chapter", "title"):
        if not _text(raw, key, ""):
            raise TourError(f"has no {key}")
    show = _choice(raw, "show", SHOWS)
    highlight = _choice(raw, "highlight", HIGHLIGHTS)
    common = {"chapter": _text(raw, "chapter", ""), "title": _text(raw, "title", ""),
              "say": _text(raw, "say", ""), "line": line, "highlight": highlight}  # fmt: skip
    claim = _text(raw, "claim", "")
    if claim or show == "claims":
        if claim not in CLAIMS_BY_ID:
            known = ", ".join(CLAIMS_BY_ID)
            raise TourError(f"names no claim ({quoted(claim)}); the claims are: {known}")
        stray = {"scenario", "panels", "focus", "client", "expect", "highlight"} & set(raw)
        if stray:
            raise TourError(f"a claims step runs its claim's labs: {', '.join(sorted(stray))} "
                            "does not apply")  # fmt: skip
        return Step(**common, show="claims", claim=claim)
    return _run_step(raw, common, show)


def _run_step(raw: dict[str, Any], common: dict[str, Any], show: Show) -> Step:
    scenario = _text(raw, "scenario", "")
    if not scenario:
        raise TourError("has no scenario (or claim)")
    load_scenario(scenario)  # raises WorkloadError, which names the scenarios there are
    panels = raw.get("panels")
    if not isinstance(panels, list) or not panels or not all(isinstance(p, str) for p in panels):
        raise TourError('needs panels: a list of styles, e.g. panels = ["threads"]')
    for panel in panels:
        if panel not in STRATEGIES:
            raise TourError(f"names no style {quoted(panel)}; the styles are: "
                            f"{', '.join(STRATEGIES)}")  # fmt: skip
    if len(set(panels)) != len(panels):
        raise TourError("names a panel twice")
    focus = _text(raw, "focus", panels[0])
    if focus not in panels:
        raise TourError(f"focuses {quoted(focus)}, which is not among its panels")
    client = _text(raw, "client", "")
    if client:
        if client not in CLIENTS:
            raise TourError(f"names no client {quoted(client)}; the clients are: "
                            f"{', '.join(CLIENTS)}")  # fmt: skip
        for panel in panels:
            if lesson_module(panel, client) is None:
                raise TourError(f"{panel}: {no_lesson(panel, client)}")
    expect = _text(raw, "expect", "")
    if expect not in EXPECTATIONS:
        raise TourError(f"expects {quoted(expect) if expect else 'nothing'}; what the article "
                        f"can expect: {', '.join(EXPECTATIONS)}")  # fmt: skip
    if show == "panels" and common["highlight"] != "panel":
        raise TourError(f"highlight = {quoted(common['highlight'])} points into the zoom: it "
                        'needs show = "zoom"')  # fmt: skip
    return Step(**common, scenario=scenario, panels=tuple(panels), focus=focus, client=client,
                show=show, expect=expect)  # fmt: skip


def _text(raw: dict[str, Any], key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise TourError(f"{key} must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise TourError(f"{key} is {len(value):,} characters; at most {MAX_TEXT}")
    if not all(char.isprintable() or char == "\n" for char in value):
        raise TourError(f"{key} holds control characters")  # it reaches a terminal
    return " ".join(value.split())


def _choice(raw: dict[str, Any], key: str, allowed: tuple[str, ...]) -> Any:
    value = _text(raw, key, allowed[0])
    if value not in allowed:
        raise TourError(f"{key} = {quoted(value)}; it is one of {', '.join(allowed)}")
    return cast(Any, value)
