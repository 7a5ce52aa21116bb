"""How a strategy panel shares its rows among its parts, whatever its size.

What carries the lesson gets its rows first: the run's times, the fate tally, the newest
error with who saw it, the counts, one row of timing bars. Then the style's idea, the
tally's labelled form, the progress bar and more errors; the timing bars take the rest.
A panel too short for the first group says how many rows it needs (its container scrolls).
"""

from __future__ import annotations

from dataclasses import dataclass

# Errors shown beyond the newest, when there is room.
MORE_ERRORS = 3


@dataclass(frozen=True)
class Needs:
    """Rows each part wants at the panel's width, from what it has to show."""

    idea: int  # the idea, wrapped
    counts: int  # the counts line, one row or two
    ended: int  # why a crashed or killed run ended (0 for a run that did not)
    errors: tuple[int, ...]  # the newest errors (up to 1 + MORE_ERRORS), newest first
    more_errors: bool = False  # there are older errors than those


@dataclass(frozen=True)
class Rows:
    """Rows given to each part (0: hidden)."""

    idea: int = 0
    times: int = 0
    progress: int = 0
    timeline: int = 0
    counts: int = 0
    tally: int = 0
    errors: int = 0

    @property
    def total(self) -> int:
        return sum(vars(self).values())


def essential(needs: Needs) -> Rows:
    """The least a panel shows: times, tally, why the run ended and the newest error (or
    "no errors"), the counts and a row of bars."""
    newest = needs.errors[0] if needs.errors else 1
    return Rows(times=1, tally=1, errors=needs.ended + newest, counts=needs.counts, timeline=1)


def allot(height: int, needs: Needs) -> Rows:
    """The rows of each part of a panel with `height` rows inside its border."""
    rows = essential(needs)
    left = height - rows.total
    if left < 0:
        return rows  # too short: the panel asks for rows.total and its container scrolls
    wants = [("idea", needs.idea), ("tally", 1), ("progress", 1)]
    more = needs.errors[1 : 1 + MORE_ERRORS]
    if more:  # and a row for "… and N more" when there are more still
        wants.append(("errors", sum(more) + needs.more_errors))
    given = vars(rows).copy()
    for part, want in wants:
        if want <= left:
            given[part] += want
            left -= want
    given["timeline"] += left
    return Rows(**given)
