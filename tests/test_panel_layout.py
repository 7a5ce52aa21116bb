"""How a panel shares its rows: what carries the lesson shows first, at every size."""

from __future__ import annotations

import pytest

from asyncplay.tui.widgets.panel_layout import MORE_ERRORS, Needs, Rows, allot, essential

# A panel at 120x40 (7 rows inside the border) and at 160x48 (19), with a two-line idea,
# one-line counts, and errors of one line (wide) or two (narrow).
WIDE_NEEDS = Needs(idea=2, counts=1, ended=0, errors=(1, 1, 1, 1, 1), more_errors=True)
NARROW_NEEDS = Needs(idea=3, counts=2, ended=0, errors=(2, 2, 2, 2), more_errors=True)


@pytest.mark.parametrize("height", range(0, 40))
@pytest.mark.parametrize(
    "needs", [WIDE_NEEDS, NARROW_NEEDS, Needs(1, 1, 2, (2,)), Needs(2, 1, 0, ())]
)
def test_the_tally_and_the_newest_error_always_get_their_rows(height: int, needs: Needs) -> None:
    """Whatever the height, the times, the tally, the newest error (whole, and why the run
    ended) and the counts have rows; the rows never exceed the height unless even those do
    not fit, and then exactly those are asked for."""
    rows = allot(height, needs)
    assert rows.times == 1 and rows.tally >= 1 and rows.counts == needs.counts
    assert rows.errors >= needs.ended + (needs.errors[0] if needs.errors else 1)
    if height >= essential(needs).total:
        assert rows.total == height
    else:
        assert rows == essential(needs)


def test_at_120x40_the_idea_fits_beside_the_essentials() -> None:
    """Seven rows: times, a row of bars, counts, a one-row tally, the newest error, and the
    idea's two lines."""
    assert allot(7, WIDE_NEEDS) == Rows(idea=2, times=1, timeline=1, counts=1, tally=1, errors=1)


def test_room_goes_to_the_idea_then_the_tally_and_progress_then_errors_then_bars() -> None:
    """At 160x48 a narrow panel shows its idea, the labelled tally, progress, the newest
    errors up to the limit with a line for the rest, and gives what is left to the bars."""
    rows = allot(19, NARROW_NEEDS)
    assert (rows.idea, rows.tally, rows.progress) == (3, 2, 1)
    assert rows.errors == 2 + 2 * MORE_ERRORS + 1  # the newest, three more, "… and N more"
    assert rows.timeline == 1 and rows.total == 19
    assert allot(30, NARROW_NEEDS).timeline == 12  # the rest goes to the bars
    tall = allot(40, Needs(1, 1, 0, (1,) * (1 + MORE_ERRORS), more_errors=True))
    assert tall.errors == 1 + MORE_ERRORS + 1  # and "… and N more"
