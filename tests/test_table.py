"""The comparison `asyncplay run` prints fits the terminal: nothing is cut off at 80 columns."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rich.console import Console

from asyncplay.engine.result import COLUMNS, ResultRow
from asyncplay.engine.workload import Scenario
from asyncplay.tui.table import comparison

ROW = ResultRow(
    strategy="threadpool", client="httpx", status="killed", detail="stopped", wall_s=12.3456,
    ideal_s=1.0, cpu_s=3.21, cpu_user_s=1.2, cpu_system_s=2.01, tasks=10_000, ok=9_000,
    failed=990, unfinished=10, injected=1000,
    fates={"raised": 1, "returned": 0, "logged": 0, "lost": 999, "not_run": 0}, undecided=0,
    whole_plan=False, unexplained={"ReadTimeout": 3}, saturated=2, worst_lag_s=3.4, errors=(),
    ctx_voluntary=123_456,
    ctx_involuntary=7_890, threads_peak=10_001, max_rss_kb=512_000,
    xray="off: 10,000 tasks is over its limit of 500",
)  # fmt: skip


def printed(width: int, row: ResultRow = ROW, scenario: Scenario | None = None) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(comparison(scenario or Scenario(count=10_000), [row], console))
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_second_client_is_named_beside_its_strategy_and_in_the_scenario() -> None:
    """A run with requests says so; one with the style's first client (httpx, or Tornado for
    callbacks) is the default and says nothing more."""
    second = printed(120, replace(ROW, client="requests"), Scenario(client="requests"))
    assert "threadpool · requests killed" in second
    assert "faults: none, client requests" in second
    first = printed(120, replace(ROW, strategy="callbacks", client="tornado"))
    assert "callbacks killed" in first and "· tornado" not in first
    assert "client tornado" not in first


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_every_column_and_its_number_is_shown_within_the_width(width: int) -> None:
    """Each header and each number appears whole, and no line is wider than the terminal."""
    text = printed(width)
    assert max(len(line) for line in text.splitlines()) <= width
    for column in COLUMNS:
        assert column.header in text, column.header
        assert column.text(ROW) in text, column.key
    assert "threadpool killed" in text


def test_one_table_when_it_fits_and_split_by_group_when_not() -> None:
    """Wide: one header row holding every column. At 80: several tables, each repeating the
    strategy, so `logged` and `lost` are on screen."""

    def tables(width: int) -> int:
        return sum(line.split() == ["strategy", *line.split()[1:]] for line in printed(width)
                   .splitlines() if line.strip().startswith("strategy "))  # fmt: skip

    assert tables(240) == 1
    assert tables(80) >= 2


def test_failures_no_fault_explains_are_flagged_under_the_table() -> None:
    """Saturation is said in words, not left for the reader to infer from the counts."""
    assert "3 of 10,000 tasks failed with no fault injected (ReadTimeout ×3)" in printed(200)
    said = " ".join(printed(400).split())  # the note, unwrapped
    assert "2 of them failed while the client's own event loop ran up to 3.4 s late" in said
    assert "client was saturated, not the server" not in " ".join(
        printed(400, replace(ROW, saturated=0)).split()
    )
