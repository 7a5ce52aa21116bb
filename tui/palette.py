"""Colours by meaning, taken from the theme: fates, task states, run states, muted text.

A fate is coloured by how well the caller was told: the theme's success colour when it was
raised to it, primary when it was handed back as a value, warning when only a log saw it,
error when nobody did. The rules are in app.tcss (`.fate--raised { color: $success; }`), so
every built-in theme, light or dark, gives legible colours; widgets ask for them by name.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget

from ..engine.fold import Fate, RunStatus, TaskStatus

PALETTE_CLASSES = {
    *(f"fate--{fate}" for fate in ("raised", "returned", "logged", "lost", "not_run")),
    *(f"task--{status}" for status in ("queued", "running", "ok", "failed", "unfinished")),
    *(f"run--{status}" for status in ("idle", "running", "done", "crashed", "killed")),
    "palette--muted",  # labels and quiet text
    "palette--faint",  # what should recede: empty counts, the axis
    "palette--key",  # keys in help
    "palette--accent",  # what is measured against: the ideal time, progress
}


class Palette:
    """The theme's colours by meaning, for a widget that draws Rich text.

    The widget lists PALETTE_CLASSES in its own COMPONENT_CLASSES: Textual gathers component
    classes (and default CSS) only along a widget's first base class, so a mixin could not
    bring them.
    """

    def __init__(self, widget: Widget) -> None:
        self.widget = widget

    def fate_style(self, fate: Fate) -> Style:
        return self._style(f"fate--{fate}")

    def task_style(self, status: TaskStatus) -> Style:
        return self._style(f"task--{status}")

    def run_style(self, status: RunStatus) -> Style:
        return self._style(f"run--{status}")

    @property
    def muted(self) -> Style:
        return self._style("palette--muted")

    @property
    def faint(self) -> Style:
        return self._style("palette--faint")

    @property
    def accent(self) -> Style:
        return self._style("palette--accent")

    @property
    def key_style(self) -> Style:
        return self._style("palette--key")

    def _style(self, name: str) -> Style:
        # Not partial: colours with alpha ("$foreground 30%") are blended with the widget's
        # background, which a Rich style cannot do by itself. Only the colour is kept.
        style = self.widget.get_component_rich_style(name)
        return Style(color=style.color, bold=style.bold)
