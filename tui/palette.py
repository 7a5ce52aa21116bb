"""Colours by meaning, taken from the theme: fates, task states, run states, muted text.

A fate is coloured by how well the caller was told: the theme's success colour when it was
raised to it, primary when it was handed back as a value, warning when only a log saw it,
error when nobody did. The rules are in app.tcss (`.fate--raised { color: $text-success; }`);
widgets ask for them by name. A fate, a run's state or a verdict whose theme colour is too
faint to read on the theme's backgrounds is moved toward its text colour (contrast.py). The
X-ray colours what a worker does at its line: running like a running task, the network in
primary, a lock in the error colour (it may never be let go), queued in warning, and waiting
for others muted.
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.widget import Widget

from ..engine.events import SPOT_STATES
from ..engine.fold import Fate, RunStatus, TaskStatus
from .contrast import legible

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
# Words that carry the lesson, read in every theme at WCAG AA (contrast.py): the fates,
# the runs' states, the verdicts.
LEGIBLE_PREFIXES = ("fate--", "run--", "verdict--")


class Palette:
    """The theme's colours by meaning, read from one widget's component classes.

    That widget lists PALETTE_CLASSES in its own COMPONENT_CLASSES (Textual gathers them, and
    default CSS, only along a widget's first base class, so a mixin could not bring them).
    Each screen has one such widget; the others ask it (`palette_of`).
    """

    def __init__(self, widget: Widget) -> None:
        self.widget = widget
        # Asked for thousands of times a second in a live run; a style depends only on the
        # theme's styles, and is forgotten when they change: Textual makes a new dict of
        # theme variables each time it applies a theme's CSS. (Keyed by the theme's name,
        # a style asked for between a switch and its CSS was the old theme's, kept.)
        self._styles: dict[str, Style] = {}
        self._variables: dict[str, str] | None = None

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
        variables = self.widget.app.theme_variables
        if variables is not self._variables:  # a theme's styles applied since
            self._styles.clear()
            self._variables = variables
        style = self._styles.get(name)
        if style is None:
            # Not partial: colours with alpha ("$foreground 30%") are blended with the
            # widget's background, which a Rich style cannot do by itself. Only the colour
            # (and boldness) is kept.
            found = self.widget.get_component_rich_style(name)
            color = found.color
            if color is not None and name.startswith(LEGIBLE_PREFIXES):
                color = self._legible(Color.from_rich_color(color)).rich_color
            style = self._styles[name] = Style(color=color, bold=found.bold)
        return style

    def _legible(self, color: Color) -> Color:
        """Legible on the backgrounds the words are drawn on: the screen's (the panels),
        and the surface of dialogs and tables."""
        variables = self.widget.app.theme_variables
        text = Color.parse(variables["foreground"])
        for background in ("background", "surface"):
            color = legible(color, Color.parse(variables[background]), text)
        return color


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
