"""What the app's screen holds, for pilot tests that assert on it rather than on pixels."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.widget import Widget

from asyncplay.engine.fold import FATE_LABELS, ErrorRow
from asyncplay.tui.widgets.error_list import VIA_SHORT
from asyncplay.tui.widgets.strategy_panel import StrategyPanel


def screen_text(app: Any) -> str:
    """The screen as plain text, the screens under a dialog included: what a user sees.
    (As App.export_screenshot renders it, but to text: Textual has no public call for it.)"""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, color_system=None, legacy_windows=False)  # fmt: skip
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def shown(widget: Widget) -> str:
    """The text a Static-based widget shows now."""
    return str(widget.content)


def fully_visible(widget: Widget) -> bool:
    """On screen, and not cut: its region on the screen is its whole size."""
    region = widget.region
    screen = widget.screen.region
    return (
        widget.display
        and region.size == widget.outer_size
        and region.height > 0
        and screen.contains_region(region)
    )


def panel_problems(app: Any) -> list[str]:
    """Why some panel does not show its fate tally and newest error with who saw it, in
    words; empty when every panel does. In the narrow list an unfocused panel's one summary
    line carries both."""
    problems = []
    for panel in app.query(StrategyPanel):
        state, name = panel.state, panel.strategy
        if not fully_visible(panel):
            problems.append(f"{name}: the panel is not wholly on screen")
            continue
        errors = state.errors()
        newest = errors[0] if errors else None
        if panel.summary.display:
            line = shown(panel.summary)
            if state.tasks and line.count("●") != 5:
                problems.append(f"{name}: the summary has no fate tally: {line!r}")
            if newest and state.aborted is None and not (f"#{newest.task} " in line
                                                          and who_saw(newest, line)):  # fmt: skip
                problems.append(f"{name}: the summary lacks its newest error: {line!r}")
            continue
        parts = {"times": panel.times, "fate tally": panel.fates, "errors": panel.errors,
                 "counts": panel.counts}  # fmt: skip
        for what, part in parts.items():
            if not fully_visible(part):
                problems.append(f"{name}: its {what} are not wholly on screen")
        tally = shown(panel.fates)
        if not (all(label in tally for label in ("raised", "logged", "lost")) or
                tally.count("●") == 5):  # fmt: skip
            problems.append(f"{name}: no fate tally in {tally!r}")
        listed = shown(panel.errors)
        if newest is None:
            if "no errors" not in listed and state.aborted is None:
                problems.append(f"{name}: says nothing of its errors: {listed!r}")
        elif f"#{newest.task} " not in listed or not who_saw(newest, listed):
            problems.append(f"{name}: the newest error, with who saw it, is not in {listed!r}")
    return problems


def who_saw(row: ErrorRow, text: str) -> bool:
    """The text says who saw the error (in full or in short), or its fate if nobody did."""
    if row.via:
        return row.via in text or VIA_SHORT.get(row.via, row.via) in text
    return FATE_LABELS[row.fate] in text if row.fate else "undecided" in text
