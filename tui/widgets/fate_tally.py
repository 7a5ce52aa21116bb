"""The fate tally: how many injected errors were raised, returned, logged, lost, not run.

In the room it is given: the five labels over their counts (two rows), the labels and counts
on one row, or, when even that is too wide, a coloured bullet and a count per fate.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from ...engine.fold import FATE_LABELS, FATES, Fate
from ..palette import Palette
from .text_line import TextLine

BOLD = Style(bold=True)


def over_two_rows(palette: Palette, fates: dict[Fate, int]) -> list[Text]:
    """Each label over its count, in its colour; zero counts faint."""
    labels, counts = Text(), Text()
    for fate in FATES:
        label, count = FATE_LABELS[fate], f"{fates[fate]:,}"
        wide = max(len(label), len(count))
        labels.append(f"{label:<{wide}} ", style=palette.fate_style(fate))
        style = palette.fate_style(fate) + BOLD if fates[fate] else palette.faint
        counts.append(f"{count:^{wide}} ", style=style)
    # Trailing spaces would count against the width: a line one cell too wide is cut
    # with an ellipsis ("not ru…"), the last count with it.
    labels.rstrip()
    counts.rstrip()
    return [labels, counts]


def on_one_row(palette: Palette, fates: dict[Fate, int]) -> Text:
    """`raised 1  returned 0  logged 0  lost 0  not run 0`."""
    text = Text()
    for fate in FATES:
        style = palette.fate_style(fate) if fates[fate] else palette.faint
        text.append(f"{FATE_LABELS[fate]} ", style=style)
        text.append(f"{fates[fate]:,}  ", style="bold" if fates[fate] else palette.faint)
    text.rstrip()
    return text


def as_bullets(palette: Palette, fates: dict[Fate, int]) -> Text:
    """`●1 ●0 ●0 ●0 ●0`: a bullet in each fate's colour (the legend is in help)."""
    text = Text()
    for fate in FATES:
        text.append("●", style=palette.fate_style(fate) if fates[fate] else palette.faint)
        text.append(f"{fates[fate]:,} ", style="bold" if fates[fate] else palette.faint)
    text.rstrip()
    return text


def tally(palette: Palette, fates: dict[Fate, int], width: int, rows: int) -> list[Text]:
    """The widest form of the tally that fits `width` and `rows`."""
    two = over_two_rows(palette, fates)
    if rows >= 2 and max(line.cell_len for line in two) <= width:
        return two
    one = on_one_row(palette, fates)
    return [one] if one.cell_len <= width else [as_bullets(palette, fates)]


class FateTally(TextLine):
    """The fates of a run, in the rows its panel gives it."""
