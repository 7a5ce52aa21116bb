"""A finished run as plain data: the `--json` shape, shared by the CLI table and the UI."""

from __future__ import annotations

from typing import Any

from .fold import RunState


def summary(state: RunState) -> dict[str, Any]:
    """One strategy's result, as `asyncplay run --json` prints it."""
    counts = state.counts()
    finished = state.finished
    return {
        "strategy": state.strategy,
        "status": state.status,
        "detail": state.aborted.detail if state.aborted else None,
        "wall_s": round(state.wall_s, 4),
        "ideal_s": round(state.ideal_s, 4),
        "cpu_s": round(finished.cpu_s, 4) if finished else None,
        "tasks": len(state.tasks),
        "ok": counts["ok"],
        "failed": counts["failed"],
        "not_run": counts["not_run"],
        "injected": state.injected,
        "fates": state.fates(),
        "undecided": state.undecided,  # only for a run killed or crashed before the end
        "whole_plan": state.whole_plan,  # every task ran to its own end: wall/ideal compares
        "errors": [
            {
                "task": row.task,
                "fault": row.fault,
                "type": row.type,
                "fate": row.fate,
                "via": row.via,
            }
            for row in sorted(state.errors(), key=lambda row: (row.task is None, row.task, row.t))
        ],
        "ctx_switches": {
            "voluntary": finished.ctx_voluntary if finished else None,
            "involuntary": finished.ctx_involuntary if finished else None,
        },
        "threads_peak": finished.threads_peak if finished else None,
        "max_rss_kb": finished.max_rss_kb if finished else None,
    }
