"""What the app's screen holds, for pilot tests that assert on it rather than on pixels."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

from rich.console import Console
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from asyncplay.engine.fold import FATE_LABELS, FATES, ErrorRow, Fate
from asyncplay.tui.widgets.error_list import VIA_SHORT, task_label
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


def screen_rows(app: Any) -> list[Strip]:
    """The top screen as the terminal gets it, a strip per row."""
    return list(app.screen._compositor.render_strips())


def cells(rows: list[Strip], region: Region) -> list[str]:
    """The text drawn in `region` of the screen, a string per row (cropped by cells)."""
    region = region.intersection(Region(0, 0, rows[0].cell_length if rows else 0, len(rows)))
    return [rows[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]


TALLY_ON_ONE_ROW = re.compile(
    r"raised ([\d,]+)\s+returned ([\d,]+)\s+logged ([\d,]+)\s+lost ([\d,]+)\s+not run ([\d,]+)"
)
LABELS = [FATE_LABELS[fate] for fate in FATES]
TALLY_LABELS = re.compile(r"raised\s+returned\s+logged\s+lost\s+not run")


def tally_shown(lines: list[str], fates: dict[Fate, int]) -> bool:
    """Every fate's count is on screen in one of the tally's three forms: the labels over
    their counts, labels and counts on a row, or a bullet and a count per fate."""
    want = [f"{fates[fate]:,}" for fate in FATES]
    text = " ".join(lines)
    if re.findall(r"●([\d,]+)", text) == want:
        return True
    if any(found.groups() == tuple(want) for found in TALLY_ON_ONE_ROW.finditer(text)):
        return True
    for above, below in itertools.pairwise(lines):
        found = TALLY_LABELS.search(above)
        if found is None:
            continue
        # Each count is centred under its label, in the wider of the two.
        starts = [above.index(FATE_LABELS[fate], found.start()) for fate in FATES]
        wide = [max(len(label), len(count)) for label, count in zip(LABELS, want, strict=True)]
        if [below[at : at + room].strip() for at, room in zip(starts, wide, strict=True)] == want:
            return True
    return False


def newest_error_shown(text: str, row: ErrorRow) -> bool:
    """The newest error's task and who saw it (whole, in full or in short) in `text`."""
    words = " ".join(text.split())
    if f"{task_label(row)} " not in words + " ":
        return False
    if row.via:
        return f"({row.via})" in words or f"({VIA_SHORT.get(row.via, row.via)})" in words
    return f"→ {FATE_LABELS[row.fate] if row.fate else 'undecided'}" in words


def problems_on_screen(app: Any) -> list[str]:
    """Why some panel does not show, on the screen as drawn, its whole fate tally and its
    newest error with who saw it; empty when every panel does. Read from the terminal's
    cells, not from what the widgets were given: text cut by a border or a row too few is
    not shown."""
    rows = screen_rows(app)
    problems = []
    for panel in app.query(StrategyPanel):
        state, name = panel.state, panel.strategy
        lines = cells(rows, panel.content_region)
        text = "\n".join(lines)
        if not lines or not panel.display:
            problems.append(f"{name}: not on screen")
            continue
        if state.tasks and not tally_shown(lines, state.fates()):
            problems.append(f"{name}: no whole fate tally in\n{text}")
        errors = state.errors()
        if errors and state.aborted is None and not newest_error_shown(text, errors[0]):
            problems.append(f"{name}: no newest error #{errors[0].task} with who saw it in\n{text}")
    return problems
