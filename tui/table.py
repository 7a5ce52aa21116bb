"""The comparison table `asyncplay run` prints: one row per strategy, measured numbers only."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from ..engine.fold import FATES
from ..engine.workload import Scenario
from .palette import FATE_COLOURS, FATE_LABELS

COLUMNS = ("wall s", "ideal s", "×ideal", "ok", "failed", "not run")
MEASURES = ("cpu s", "ctx vol", "ctx invol", "threads", "RSS MB")


def comparison(scenario: Scenario, results: list[dict[str, Any]]) -> Table:
    """The table for a scenario's results (the `--json` rows)."""
    table = Table(
        title=describe(scenario),
        title_justify="left",
        caption="ideal: the plan's critical path at the strategy's concurrency, with no "
        "overhead. fates: where each injected error ended up.",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("strategy", style="bold", no_wrap=True)
    for name in COLUMNS:
        table.add_column(name, justify="right", min_width=len(name))
    for fate in FATES:
        label = FATE_LABELS[fate]
        table.add_column(
            Text(label, style=FATE_COLOURS[fate]), justify="right", min_width=len(label)
        )
    for name in MEASURES:
        table.add_column(name, justify="right", min_width=len(name))
    for row in results:
        table.add_row(*cells(row))
    return table


def describe(scenario: Scenario) -> str:
    """The scenario in one line."""
    faults = ", ".join(scenario.to_dict()["faults"]) or "none"
    limit = scenario.concurrency or "no limit"
    jitter = f" ±{scenario.jitter_ms:g}" if scenario.jitter_ms else ""
    return (
        f"{scenario.name}: {scenario.count} tasks, {scenario.latency_ms:g}{jitter} ms latency, "
        f"concurrency {limit}, timeout {scenario.timeout_s:g} s, seed {scenario.seed}, "
        f"faults: {faults}"
    )


def cells(row: dict[str, Any]) -> list[str | Text]:
    """One result row as table cells; a crashed or killed run says so beside its name."""
    ratio = comparable_ratio(row)
    name = Text(row["strategy"])
    if row["status"] != "done":
        name.append(f" {row['status']}", style="bold red")
    fates = [
        Text(str(row["fates"][fate]), style=FATE_COLOURS[fate] if row["fates"][fate] else "dim")
        for fate in FATES
    ]
    ctx = row["ctx_switches"]
    rss = row["max_rss_kb"] / 1024 if row["max_rss_kb"] is not None else None
    return [
        name,
        f"{row['wall_s']:.2f}",
        f"{row['ideal_s']:.2f}",
        "–" if ratio is None else f"{ratio:.2f}",
        str(row["ok"]),
        str(row["failed"]),
        str(row["not_run"]),
        *fates,
        _or_dash(row["cpu_s"], "{:.2f}"),
        _or_dash(ctx["voluntary"], "{}"),
        _or_dash(ctx["involuntary"], "{}"),
        _or_dash(row["threads_peak"], "{}"),
        _or_dash(rss, "{:.0f}"),
    ]


def comparable_ratio(row: dict[str, Any]) -> float | None:
    """wall / ideal, only for a run that did the whole plan: a run that stopped at its first
    error, or was killed, did less than the ideal assumes, and its ratio would flatter it."""
    if not row["whole_plan"] or not row["ideal_s"]:
        return None
    return float(row["wall_s"] / row["ideal_s"])


def _or_dash(value: Any, template: str) -> str:
    return "–" if value is None else template.format(value)
