"""A lab's measured numbers in words: the claims screen and `asyncplay lab` both write them so.

Each number goes with its name and unit ("trials 20", "after 2.09 s", "RSS 1,544 KiB"), laid
out as a small table (rich's Columns: a part is never broken across lines); a breakdown (the
fates, each worker's switches) is a line of its own; who was where when a lab got stuck, a
line each. Never a dict or a list as Python or JSON writes them.

The numbers come from a lab's worker, a child process: any JSON at all. A name or a string
too long is cut, a breakdown of too many parts says how many more, nothing here raises.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.style import StyleType
from rich.table import Table
from rich.text import Text

from ..engine.positions import describe

# Numbers not written out: a task-by-task list the summary numbers stand for.
HIDDEN = ("statuses", "waits_s")
# Lists of positions (from the X-ray's looks), and the heading each goes under.
PLACES = {"positions": "stuck", "in_the_longest_gap": "where everyone was in the longest gap"}
# The names a key is not written as well by its own words, and the unit of its number.
NAMES: dict[str, tuple[str, str]] = {
    "rss_kb": ("RSS", "KiB"),
    "kb_each": ("each", "KiB"),
    "start_us_each": ("start each", "µs"),
    "idle_share": ("idle", "%"),
    "cpu_s": ("CPU", "s"),
    "not_run": ("not run", ""),
}
LONGEST_TEXT = 120  # characters of a string or a name
MOST_PARTS = 12  # of a breakdown, or a list


@dataclass(frozen=True)
class MeasuredWords:
    """What a lab measured, in words."""

    numbers: list[str]  # "trials 20", "updates per trial 2,000,000", "lost updates 0"
    breakdowns: list[tuple[str, list[str]]]  # ("fates", ["raised 0", "returned 0", ...])
    places: list[tuple[str, list[str]]]  # ("stuck", ["Thread-1 in move(): ...", ...])

    def line(self) -> str:
        """The numbers in one line (a progress line's)."""
        return ", ".join(self.numbers)

    def renderable(
        self, place_style: Callable[[str], StyleType] = lambda heading: "", muted: StyleType = "dim"
    ) -> Group:
        """The numbers as a small table, then each breakdown (its name, then its parts),
        then the places in `place_style(heading)` under their headings (in `muted`)."""
        parts: list[RenderableType] = (
            [Columns(self.numbers, padding=(0, 2))] if self.numbers else []
        )
        if self.breakdowns:
            table = Table.grid(padding=(0, 1))
            table.add_column(no_wrap=True)
            table.add_column()
            for name, shares in self.breakdowns:
                table.add_row(f"{name}:", Columns(shares, padding=(0, 2)) if shares else "none")
            parts.append(table)
        for heading, where in self.places:
            parts.append(Text(f"{heading}:", style=muted))
            parts += [Text(f"  {place}", style=place_style(heading)) for place in where]
        return Group(*parts)


def in_words(numbers: Mapping[str, Any]) -> MeasuredWords:
    """A lab's numbers (a running one's so far, or its last) in words."""
    parts: list[str] = []
    breakdowns: list[tuple[str, list[str]]] = []
    places: list[tuple[str, list[str]]] = []
    for key, value in numbers.items():
        if key in HIDDEN:
            continue
        if key == "runs" and isinstance(value, list):
            over_runs = _over_runs(value)
            parts += over_runs.numbers
            breakdowns += over_runs.breakdowns
            places += over_runs.places
            continue
        if key in PLACES and isinstance(value, list):
            if value:
                places.append((PLACES[key], [_place(place) for place in value[:MOST_PARTS]]))
            continue
        name, unit = _name(key)
        if isinstance(value, Mapping):
            breakdowns.append((name, _parts(value, unit)))
        else:
            parts.append(f"{name} {_value(value, unit)}")
    return MeasuredWords(parts, breakdowns, places)


def _over_runs(runs: list[Any]) -> MeasuredWords:
    """A variant that ran several times: how many runs gave numbers, then each number as its
    median and range, each word with how many runs said it ("outcome deadlock 5 of 5"), and
    each breakdown of counts (the fates) added up over the runs."""
    given = [run for run in runs if isinstance(run, Mapping)]
    breakdowns: list[tuple[str, list[str]]] = []
    places: list[tuple[str, list[str]]] = []
    for key, heading in PLACES.items():  # who was where: the first run that saw anything
        seen = next(((number, run[key]) for number, run in enumerate(given, 1)
                     if isinstance(run.get(key), list) and run[key]), None)  # fmt: skip
        if seen is not None:
            number, where = seen
            places.append((f"{heading}, in run {number} of {len(given)}",
                           [_place(place) for place in where[:MOST_PARTS]]))  # fmt: skip
    parts = [f"runs {len(given):,} of {len(runs):,}" if len(given) < len(runs) else
             f"runs {len(runs):,}"]  # fmt: skip
    keys = [key for key in dict.fromkeys(k for run in given for k in run)
            if key not in HIDDEN and key not in PLACES]  # fmt: skip
    for key in keys[:MOST_PARTS]:
        values = [run.get(key) for run in given]
        name, unit = _name(key)
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        words = [v for v in values if isinstance(v, str)]
        counts = [v for v in values if isinstance(v, Mapping)]
        if len(numbers) == len(values):
            low, high = _number(min(numbers), unit), _number(max(numbers), unit)
            spread = f" ({low} to {high})" if low != high else ""  # as written, not as stored
            parts.append(f"{name} {_number(statistics.median(numbers), unit)}{spread}")
        elif len(words) == len(values):
            said = Counter(words)
            parts += [f"{name} {_cut(v)} {n:,} of {len(values):,}" for v, n in said.most_common(3)]
        elif len(counts) == len(values):
            added: Counter[str] = Counter()
            for value in counts:
                added.update({str(k): n for k, n in value.items()
                              if isinstance(n, int) and not isinstance(n, bool)})  # fmt: skip
            if added:
                breakdowns.append((f"{name}, all runs", _parts(dict(added), unit)))
    return MeasuredWords(parts, breakdowns, places)


def _name(key: object) -> tuple[str, str]:
    """The words for a key and the unit its number is in, from its suffix (`after_s`: after,
    in seconds)."""
    text = _cut(str(key))
    if text in NAMES:
        return NAMES[text]
    for suffix, unit in (("_s", "s"), ("_kb", "KiB"), ("_ms", "ms")):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text.removesuffix(suffix).replace("_", " "), unit
    return text.replace("_", " "), ""


def _parts(values: Mapping[Any, Any], unit: str = "", depth: int = 0) -> list[str]:
    """A breakdown's parts: "filing 327", "airline 23"."""
    shown = [f"{_name(key)[0]} {_value(value, unit, depth + 1)}"
             for key, value in list(values.items())[:MOST_PARTS]]  # fmt: skip
    if len(values) > MOST_PARTS:
        shown.append(f"and {len(values) - MOST_PARTS:,} more")
    return shown


def _value(value: Any, unit: str = "", depth: int = 0) -> str:
    """One value in words: a number with its unit, yes or no, a string cut short."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return _number(value, unit)
    if isinstance(value, str):
        return _cut(value)
    if depth >= 2:  # nested past what a line can say
        return "…"
    if isinstance(value, Mapping):
        return f"({', '.join(_parts(value, unit, depth))})" if value else "none"
    if isinstance(value, list | tuple):
        shown = [_value(item, unit, depth + 1) for item in value[:MOST_PARTS]]
        more = [f"and {len(value) - MOST_PARTS:,} more"] if len(value) > MOST_PARTS else []
        return ", ".join(shown + more) if shown else "none"
    return _cut(str(value))


def _number(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.2%}"
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        text = f"{int(value):,}"
    elif abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}" if unit else text


def _place(place: Any) -> str:
    """A position as the X-ray describes it; anything else the worker sent, in words."""
    if isinstance(place, Mapping):
        try:
            return _cut(describe(dict(place)), LONGEST_TEXT * 2)
        except (KeyError, TypeError, AttributeError):  # not a position: its parts
            return ", ".join(_parts(place))
    return _value(place)


def _cut(text: str, longest: int = LONGEST_TEXT) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"
