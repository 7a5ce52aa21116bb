"""How a panel shares its rows: what carries the lesson shows first, at every size."""

from __future__ import annotations

import pytest

from asyncplay.tui.widgets.panel_grid import Room, choose
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


def test_the_richest_layout_that_fits_is_taken() -> None:
    """The grid of fewest rows whose cells have the rows (four columns, three, two); a list
    when the open panel fits under the others' lines; else a line each."""
    needs = [lambda width: 6 if width >= 40 else 30] * 8  # a narrow cell wraps everything
    assert choose(Room(160, 80, 8), needs) == "columns-4"  # cells of 36x38
    assert choose(Room(160, 44, 8), needs) == "columns-3"  # 36x20 is too short; 49x12 fits
    assert choose(Room(130, 44, 8), needs) == "columns-2"  # under 150; three's 39 too narrow
    assert choose(Room(110, 44, 8), needs) == "columns-2"  # under 112: two at most
    assert choose(Room(120, 20, 8), needs) == "list"  # 36x4 and 56x3 no; the list's 11 rows
    assert choose(Room(80, 44, 8), needs) == "list"  # under 100: no grid
    assert choose(Room(80, 12, 8), needs) == "lines"  # 7 lines leave 3 rows: too few
    assert choose(Room(80, 12, 10), needs) == "lines"


def test_nine_panels_take_three_rows_of_three() -> None:
    """The nine built-in lessons: three columns give three rows, as four columns would, in
    wider cells (and no row of one panel under rows of four). Three columns' cells at 112
    columns are as wide as four's at 150."""
    needs = [lambda width: 6 if width >= 33 else 30] * 9
    assert choose(Room(220, 60, 9), needs) == "columns-3"  # 69x18, where four gives 51x18
    assert choose(Room(160, 44, 9), needs) == "columns-3"  # 49x12
    assert choose(Room(112, 44, 9), needs) == "columns-3"  # 33x12
    assert choose(Room(111, 39, 9), needs) == "list"  # under 112 two: five rows of 5, too short
    assert choose(Room(111, 50, 9), needs) == "columns-2"  # 51x8
    assert choose(Room(160, 23, 9), needs) == "list"  # three rows of 5 are too short
    assert choose(Room(200, 44, 10), needs) == "columns-4"  # ten: three rows of four
    assert choose(Room(140, 44, 10), needs) == "columns-3"  # under 150: four rows of three
