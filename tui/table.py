"""The comparison `asyncplay run` prints: one row per strategy, measured numbers only.

The table has every column of `engine.result.COLUMNS`. When the terminal is too narrow for
it, it is split into several tables along the columns' groups (time, tasks, fates, cpu, machine),
each repeating the strategy, so nothing is cut off at 80 columns.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..engine.catalogue import DEFAULT_CLIENT
from ..engine.result import COLUMNS, Column, ResultRow
from ..engine.saturation import RULE
from ..engine.workload import Scenario

# The terminal's own colours, so any terminal theme keeps them legible.
FATE_STYLES = {
    "raised": "green",
    "returned": "blue",
    "logged": "yellow",
    "lost": "red",
    "not_run": "bright_black",
}
CAPTION = (
    "ideal: the plan's critical path at the strategy's concurrency, with no overhead "
    "(×ideal only for runs that did the whole plan). fates: where each injected error ended up."
)


def comparison(scenario: Scenario, rows: list[ResultRow], console: Console) -> RenderableType:
    """The results as one table, or as several when one would not fit `console`."""

    def fits(columns: list[Column]) -> bool:  # without squeezing, which would cut columns
        return _natural_width(_table(columns, rows), console) <= console.width

    tables = [_table(columns, rows) for columns in split_columns(fits)]
    notes = [note for row in rows if (note := unexplained_note(row))]
    return Group(Text(describe(scenario)), *tables, Text(CAPTION, style="bright_black"), *notes)


def split_columns(fits: Callable[[list[Column]], bool]) -> list[list[Column]]:
    """Every column, in one table if it `fits`, else in tables of as many whole groups
    (time, tasks, fates, cpu, machine) as fit; a group too wide on its own is a table alone.
    The compare screen splits by the same rule."""
    groups = [list(columns) for _, columns in groupby(COLUMNS, key=lambda column: column.group)]
    tables: list[list[Column]] = []
    current: list[Column] = []
    for group in groups:
        if current and not fits(current + group):
            tables.append(current)
            current = []
        current += group
    tables.append(current)
    return tables


def _natural_width(table: Table, console: Console) -> int:
    """How wide the table is when nothing squeezes it (a measure within the console's width
    would be clamped to it)."""
    return console.measure(table, options=console.options.update_width(10_000)).maximum


def _table(columns: list[Column], rows: list[ResultRow]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("strategy", style="bold", no_wrap=True)
    for column in columns:
        header = Text(column.header, style=FATE_STYLES[column.fate] if column.fate else "")
        table.add_column(header, justify="right", no_wrap=True, min_width=len(column.header))
    for row in rows:
        table.add_row(strategy_cell(row), *(cell(column, row) for column in columns))
    return table


def strategy_cell(row: ResultRow) -> Text:
    """The strategy's name, and its client when it is its second; a crashed or killed run
    says so beside it."""
    name = Text(row.strategy)
    if row.second_client:
        name.append(f" · {row.client}", style="not bold")
    if row.status != "done":
        name.append(f" {row.status}", style="bold red")
    return name


def cell(column: Column, row: ResultRow) -> Text:
    """A number of the row as the column writes it; fate counts in their colour, zeros dim."""
    text = Text(column.text(row))
    if column.fate is not None:
        text.stylize(FATE_STYLES[column.fate] if column.value(row) else "bright_black")
    return text


def unexplained_note(row: ResultRow) -> Text | None:
    """A warning under the table for failures no injected fault explains."""
    if not row.unexplained_total:
        return None
    kinds = ", ".join(f"{kind} ×{count:,}" for kind, count in sorted(row.unexplained.items()))
    note = Text.assemble(
        ("⚠ ", "yellow"),
        (row.strategy, "bold"),
        f": {row.unexplained_total:,} of {row.tasks:,} tasks failed with no fault injected "
        f"({kinds}): the client, the machine or the server could not keep up, so these "
        "numbers measure saturation, not the style.",
    )
    if row.saturated:
        note.append(
            f" {row.saturated:,} of them failed while the client's own event loop ran up to "
            f"{row.worst_lag_s:.1f} s late: the client was saturated, not the server ({RULE})."
        )
    return note


def describe(scenario: Scenario) -> str:
    """The scenario in one line."""
    faults = ", ".join(scenario.to_dict()["faults"]) or "none"
    limit = scenario.concurrency or "no limit"
    jitter = f" ±{scenario.jitter_ms:g}" if scenario.jitter_ms else ""
    client = "" if scenario.client == DEFAULT_CLIENT else f", client {scenario.client}"
    return (
        f"{scenario.name}: {scenario.count:,} tasks, {scenario.latency_ms:g}{jitter} ms latency, "
        f"concurrency {limit}, timeout {scenario.timeout_s:g} s, seed {scenario.seed}, "
        f"faults: {faults}{client}"
    )
