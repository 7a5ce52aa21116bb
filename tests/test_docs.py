"""The README keeps its promises: two quick-start commands, generated fate and claims tables."""

from __future__ import annotations

import re
from pathlib import Path

from asyncplay.engine.catalogue import STRATEGIES

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_quick_start_has_the_launch_and_the_test_command() -> None:
    """CI runs the command under <!-- test-command -->; the launch command comes before it."""
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert commands == [
        "python -m pip install . && asyncplay",
        'python -m pip install ".[test]" && python -m pytest',
    ]
    assert "<!-- test-command -->" in quick_start


def test_the_fate_tables_were_generated_for_every_strategy() -> None:
    """scripts/fates_table.py filled the block: a row per strategy in both tables."""
    block = README.split("<!-- fates:begin -->", 1)[1].split("<!-- fates:end -->", 1)[0]
    for name in STRATEGIES:
        assert block.count(f"| `{name}` |") == 2, name


def test_the_claims_table_was_generated_for_every_claim() -> None:
    """scripts/claims_table.py filled the block: a row per claim, each with a verdict."""
    from asyncplay.engine.claims import CLAIMS

    block = README.split("<!-- claims:begin -->", 1)[1].split("<!-- claims:end -->", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [claim.id for claim in CLAIMS]
    assert all(re.search(r"\| \S+ (holds|partly|fails) \|", row) for row in rows)
