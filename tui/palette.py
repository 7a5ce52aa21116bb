"""Colours by meaning, taken from the theme: fates, task states, run states, muted text.

A fate is coloured by how well the caller was told: the theme's success colour when it was
raised to it, primary when it was handed back as a value, warning when only a log saw it,
error when nobody did. The rules are in app.tcss (`.fate--raised { color: $success; }`), so
every built-in theme, light or dark, gives legible colours; widgets ask for them by name. The
X-ray colours what a worker does at its line: running like a running task, the network in
primary, a lock in the error colour (it may never be let go), queued in warning, and waiting
for others muted.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget

from ..engine.events import SPOT_STATES
from ..engine.fold import Fate, RunStatus, TaskStatus

PALETTE_CLASSES = {
    *(f"fate--{fate}" for fate in ("raised", "returned", "logged", "lost", "not_run")),
    *(f"task--{status}" for status in ("queued", "running", "ok", "failed", "unfinished")),
    *(f"run--{status}" for status in ("idle", "running", "done", "crashed", "killed")),
    *(f"verdict--{verdict}" for verdict in ("holds", "partly", "fails", "unmeasured")),
    *(f"xray--{state}" for state in SPOT_STATES),
    "palette--muted",  # labels and quiet text
    "palette--faint",  # what should recede: empty counts, the axis
    "palette--key",  # keys in help
    "palette--accent",  # what is measured against: the ideal time, progress
}


class Palette:
    """The theme's colours by meaning, read from one widget's component classes.

    That widget lists PALETTE_CLASSES in its own COMPONENT_CLASSES (Textual gathers them, and
    default CSS, only along a widget's first base class, so a mixin could not bring them).
    Each screen has one such widget; the others ask it (`palette_of`).
    """

    def __init__(self, widget: Widget) -> None:
        self.widget = widget
        # Asked for thousands of times a second in a live run; a style depends only on the
        # theme (the widget's background is its own).
        self._styles: dict[tuple[str, str], Style] = {}

    def fate_style(self, fate: Fate) -> Style:
        return self._style(f"fate--{fate}")

    def task_style(self, status: TaskStatus) -> Style:
        return self._style(f"task--{status}")

    def run_style(self, status: RunStatus) -> Style:
        return self._style(f"run--{status}")

    def verdict_style(self, verdict: str) -> Style:
        return self._style(f"verdict--{verdict}")

    def xray_style(self, state: str) -> Style:
        return self._style(f"xray--{state}")

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
        key = (name, self.widget.app.theme)
        style = self._styles.get(key)
        if style is None:
            # Not partial: colours with alpha ("$foreground 30%") are blended with the
            # widget's background, which a Rich style cannot do by itself. Only the colour
            # (and boldness) is kept.
            found = self.widget.get_component_rich_style(name)
            style = self._styles[key] = Style(color=found.color, bold=found.bold)
        return style


class PaletteSource(Widget):
    """The main screen's holder of the palette's component classes, for every widget on it.

    Once, not on every widget: Textual computes each component class of a widget whenever it
    restyles it, and two dozen on each of eighty widgets made a focus change cost hundreds
    of milliseconds on a machine busy with eight runs.
    """

    COMPONENT_CLASSES = PALETTE_CLASSES
    DEFAULT_CSS = "PaletteSource { display: none; }"

    def __init__(self) -> None:
        super().__init__()
        self.palette = Palette(self)


def palette_of(widget: Widget) -> Palette:
    """The palette of the app a widget is in."""
    palette: Palette = widget.app.palette  # type: ignore[attr-defined]
    return palette
