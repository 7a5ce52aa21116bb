"""What the labs measured, in words: on the claims screen, in `asyncplay lab`, never a dict or
JSON. Every lab's numbers come from a recorded real run (logs/claims.jsonl, as test_claims
uses), so no slow lab runs again; one quick lab runs for real through the command line."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType
from test_cli import asyncplay
from textual.widgets import OptionList, Static

from asyncplay.engine.claims import CLAIMS
from asyncplay.engine.labrunner import LabUpdate
from asyncplay.engine.labs import LABS
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.claims_report import variants_table
from asyncplay.tui.measured import LONGEST_TEXT, MOST_PARTS, in_words
from asyncplay.tui.screens.claims import ClaimsScreen

LOG = Path(__file__).parent / "logs" / "claims.jsonl"
UPDATES = [LabUpdate.from_json(line) for line in LOG.read_text().splitlines()]
# A dict, a list or JSON as Python or json.dumps write them; a `key=value` pair.
RAW = re.compile(r"""[{}\[\]"]|\w=\S""")
# The lessons' lines where stuck workers were, which the positions quote (and may hold a
# list comprehension, or a string).
CODE = {
    " ".join(place["code"].split())
    for update in UPDATES
    for name in ("positions", "in_the_longest_gap")
    for place in update.numbers.get(name, [])
}


def raw(text: str) -> list[str]:
    """What looks like a dict or JSON in `text`, less the lessons' code it quotes."""
    flat = " ".join(text.split())
    for code in CODE:
        flat = flat.replace(code, "")
    return RAW.findall(flat)


def text_of(renderable: RenderableType, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_every_labs_numbers_are_words_on_the_claims_screen() -> None:
    """Each claim's detail, over a whole recorded run: every variant it needs is there, done,
    with its numbers in words and its breakdowns (fates, switches) as lines of their own;
    nothing between the verdict and the lessons' source looks like a dict or JSON."""

    async def scenario() -> None:
        app = AsyncPlayApp(start_server=False, lab_updates=list(UPDATES))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("l")
            assert isinstance(app.screen, ClaimsScreen)
            for claim in CLAIMS:
                listing = app.screen.query_one(OptionList)
                listing.highlighted = listing.get_option_index(claim.id)
                await pilot.pause()
                detail = app.screen.query_one("#claim-text", Static)
                shown = text_of(detail.content, detail.content_size.width)  # type: ignore[arg-type]
                measured = shown.split("\nvariants\n", 1)[1].split("\nstrategies/", 1)[0]
                for key in claim.needs:
                    assert f"✓ {key}" in measured, (claim.id, key)
                assert not raw(measured), (claim.id, raw(measured), measured)
                if any(key.startswith("fetch.") for key in claim.needs):
                    assert "fates" in measured and "raised" in measured, measured
            await pilot.press("escape", "q")

    asyncio.run(scenario())


@pytest.mark.parametrize("lab", list(LABS))
def test_every_labs_numbers_are_words_in_asyncplay_lab(lab: str) -> None:
    """The table `asyncplay lab NAME` prints, for every lab's recorded numbers: a row per
    variant, no dict or JSON in it, every number's name and value there."""
    shown = text_of(variants_table(LABS[lab].variants, UPDATES), 100)
    assert not raw(shown), (raw(shown), shown)
    for variant in LABS[lab].variants:
        assert variant.function in shown


def test_asyncplay_lab_prints_words_not_json() -> None:
    """A real `asyncplay lab`: a fetch one at a time, whose fates are a breakdown."""
    result = asyncplay("lab", "fetches", "-s", "sequential")
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("\n\n")[0]  # the claims follow, each after a blank line
    assert "one at a time" in table and "fates:" in table and "raised 0" in table, table
    assert not raw(table), (raw(table), table)


HOSTILE: dict[str, Any] = {
    "deep": {"a": {"b": {"c": {"d": [1, [2, [3]]]}}}},
    "many": {f"part{n}": n for n in range(MOST_PARTS * 3)},
    "long_text": "x" * 100_000,
    "x" * 100_000: 1,
    "listed": list(range(1_000)),
    "nothing": None,
    "flag": True,
    "odd_s": float("nan"),
    "positions": [{"worker": "not a whole position"}, 7, "text", ["a"]],
    "in_the_longest_gap": "not a list",
    "runs": [
        None,
        7,
        {"a_s": 1.0, "b": "x", "c": {"d": 2}},
        {"a_s": float("nan"), "b": 3},
        {"c": {"d": "many"}},
        "text",
        {"y" * 10_000: True},
    ],
}


def test_a_repeated_variant_is_its_medians_with_a_range_only_where_the_runs_differ() -> None:
    """Five runs: the median and the range as written; runs that differ only past what is
    written have no range ("0.279 s (0.279 s to 0.279 s)" says nothing)."""
    runs = [{"wall_s": wall, "outcome": "deadlock"} for wall in (0.2791, 0.2793, 0.5, 0.3, 0.2)]
    assert in_words({"runs": runs}).line() == (
        "runs 5, wall 0.279 s (0.2 s to 0.5 s), outcome deadlock 5 of 5"
    )
    assert in_words({"runs": runs[:2]}).line() == "runs 2, wall 0.279 s, outcome deadlock 2 of 2"
    assert in_words({"runs": [None, *runs[:1]]}).line().startswith("runs 1 of 2, wall 0.279 s")


def test_anything_a_worker_sends_is_words_cut_to_size() -> None:
    """A lab's numbers come from a child process: nested, huge, or not what a position is,
    they are still words, cut to a line's size, and nothing raises."""
    words = in_words(HOSTILE)
    shown = text_of(words.renderable(), 100)
    assert not raw(shown), raw(shown)
    assert max(len(line) for line in shown.splitlines()) <= 100
    assert len(shown) < 10 * LONGEST_TEXT * MOST_PARTS
    assert f"and {MOST_PARTS * 2:,} more" in shown  # of the 36 parts, 12 shown
    assert "flag yes" in shown and "nothing none" in shown
    # Of the runs, the four mappings gave numbers; a key they do not all hold is left out.
    assert "runs 4 of 7" in shown and "b x" not in shown
