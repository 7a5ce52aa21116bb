"""A run's result as one typed row: what `--json` prints, the CLI table and the compare screen.

The columns every report shows are listed once, here, with the number each sorts by; the
reports only decide how a number looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalogue import is_second_client
from .fold import FATE_LABELS, FATES, ErrorRow, Fate, RunState, RunStatus


@dataclass(frozen=True)
class ResultRow:
    """One strategy's run, measured."""

    strategy: str
    client: str  # the HTTP client it fetched with ("" if not known: a user's file, an old log)
    status: RunStatus
    detail: str | None  # why a crashed or killed run ended
    wall_s: float
    ideal_s: float
    cpu_s: float | None
    cpu_user_s: float | None  # cpu_s in the program's own code and libraries
    cpu_system_s: float | None  # cpu_s in the kernel, on its behalf (None: an old log)
    tasks: int
    ok: int
    failed: int
    unfinished: int
    injected: int
    fates: dict[Fate, int]
    undecided: int  # only for a run killed or crashed before the end
    whole_plan: bool  # every task ran to its own end: wall/ideal compares
    unexplained: dict[str, int]  # failures no fault explains, by error type
    saturated: int  # of those, the client's own saturation (saturation.RULE)
    worst_lag_s: float  # how late its event loop ran, at worst, before one of those
    errors: tuple[ErrorRow, ...]  # by task, then time; errors of no task last
    ctx_voluntary: int | None
    ctx_involuntary: int | None
    threads_peak: int | None
    max_rss_kb: int | None
    # The X-ray's state ("on: ...", "off: why"; "" if the run never started): its looks cost
    # the run's threads a little CPU, so a CPU figure is read beside it.
    xray: str

    @classmethod
    def of(cls, state: RunState) -> ResultRow:
        counts = state.counts()
        finished = state.finished
        saturated, worst_lag_s = state.saturated()
        ordered = sorted(state.errors(), key=lambda row: (row.task is None, row.task, row.t))
        return cls(
            strategy=state.strategy,
            client=state.client,
            status=state.status,
            detail=state.aborted.detail if state.aborted else None,
            wall_s=state.wall_s,
            ideal_s=state.ideal_s,
            cpu_s=finished.cpu_s if finished else None,
            cpu_user_s=finished.cpu_user_s if finished else None,
            cpu_system_s=finished.cpu_system_s if finished else None,
            tasks=len(state.tasks),
            ok=counts["ok"],
            failed=counts["failed"],
            unfinished=counts["unfinished"],
            injected=state.injected,
            fates=state.fates(),
            undecided=state.undecided,
            whole_plan=state.whole_plan,
            unexplained=dict(state.unexplained()),
            saturated=saturated,
            worst_lag_s=worst_lag_s,
            errors=tuple(ordered),
            ctx_voluntary=finished.ctx_voluntary if finished else None,
            ctx_involuntary=finished.ctx_involuntary if finished else None,
            threads_peak=finished.threads_peak if finished else None,
            max_rss_kb=finished.max_rss_kb if finished else None,
            xray=state.xray,
        )

    @property
    def ratio(self) -> float | None:
        """wall / ideal, only for a run that did the whole plan: a run that stopped at its
        first error, or was killed, did less than the ideal assumes, and would look fast."""
        if not self.whole_plan or not self.ideal_s:
            return None
        return self.wall_s / self.ideal_s

    @property
    def cpu_ms_per_task(self) -> float | None:
        """What one request cost the program, on average: its model and its client."""
        if self.cpu_s is None or not self.tasks:
            return None
        return 1000 * self.cpu_s / self.tasks

    @property
    def rss_mb(self) -> float | None:
        return None if self.max_rss_kb is None else self.max_rss_kb / 1024

    @property
    def second_client(self) -> bool:
        """It fetched with its style's second client, not the one it has by default."""
        return is_second_client(self.strategy, self.client)

    @property
    def unexplained_total(self) -> int:
        return sum(self.unexplained.values())

    def to_json(self) -> dict[str, Any]:
        """The row as `asyncplay run --json` prints it."""
        return {
            "strategy": self.strategy,
            "client": self.client or None,
            "status": self.status,
            "detail": self.detail,
            "wall_s": round(self.wall_s, 4),
            "ideal_s": round(self.ideal_s, 4),
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "cpu_s": _rounded(self.cpu_s),
            "cpu_user_s": _rounded(self.cpu_user_s),
            "cpu_system_s": _rounded(self.cpu_system_s),
            "cpu_ms_per_task": _rounded(self.cpu_ms_per_task),
            "tasks": self.tasks,
            "ok": self.ok,
            "failed": self.failed,
            "unfinished": self.unfinished,
            "injected": self.injected,
            "fates": dict(self.fates),
            "undecided": self.undecided,
            "whole_plan": self.whole_plan,
            "unexplained_failures": dict(self.unexplained),
            "saturated_failures": {
                "count": self.saturated,
                "worst_lag_s": round(self.worst_lag_s, 3),
            },
            "errors": [
                {"task": e.task, "fault": e.fault, "type": e.type, "fate": e.fate, "via": e.via}
                for e in self.errors
            ],
            "ctx_switches": {"voluntary": self.ctx_voluntary, "involuntary": self.ctx_involuntary},
            "threads_peak": self.threads_peak,
            "max_rss_kb": self.max_rss_kb,
            "xray": self.xray or None,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Column:
    """A column of every report: its header, the number it shows and sorts by, and how that
    number is written (None is written as a dash)."""

    key: str
    header: str
    value: Callable[[ResultRow], float | None]
    template: str = "{:,.0f}"
    group: str = ""  # columns of one group stay together when a report must split
    fate: Fate | None = None  # coloured as this fate

    def text(self, row: ResultRow) -> str:
        value = self.value(row)
        return "–" if value is None else self.template.format(value)


def _fate_column(fate: Fate) -> Column:
    return Column(f"fate:{fate}", FATE_LABELS[fate], lambda row: row.fates[fate], group="fates",
                  fate=fate)  # fmt: skip


COLUMNS: tuple[Column, ...] = (
    Column("wall", "wall s", lambda row: row.wall_s, "{:.2f}", "time"),
    Column("ideal", "ideal s", lambda row: row.ideal_s, "{:.2f}", "time"),
    Column("ratio", "×ideal", lambda row: row.ratio, "{:.2f}", "time"),
    Column("ok", "ok", lambda row: row.ok, group="tasks"),
    Column("failed", "failed", lambda row: row.failed, group="tasks"),
    Column("unfinished", "unfinished", lambda row: row.unfinished, group="tasks"),
    *(_fate_column(fate) for fate in FATES),
    Column("cpu", "cpu s", lambda row: row.cpu_s, "{:.2f}", "cpu"),
    Column("user", "user s", lambda row: row.cpu_user_s, "{:.2f}", "cpu"),
    Column("system", "sys s", lambda row: row.cpu_system_s, "{:.2f}", "cpu"),
    Column("cpu-task", "cpu ms/task", lambda row: row.cpu_ms_per_task, "{:.2f}", "cpu"),
    Column("ctx-vol", "ctx vol", lambda row: row.ctx_voluntary, group="machine"),
    Column("ctx-invol", "ctx invol", lambda row: row.ctx_involuntary, group="machine"),
    Column("threads", "threads", lambda row: row.threads_peak, group="machine"),
    Column("rss", "RSS MB", lambda row: row.rss_mb, group="machine"),
)
