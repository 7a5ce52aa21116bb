"""Help: the keys, the eight styles in a sentence each, and the five fates explained."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...strategies import STRATEGIES
from ..palette import FATE_COLOURS, FATE_LABELS

KEYS = (
    ("r", "run every strategy, side by side"),
    ("enter", "run the focused strategy alone"),
    ("s", "stop: kill the running workers"),
    ("f", "fault picker: which faults the next run injects"),
    ("o", "open a scenario: the built-ins and your TOML files"),
    ("z", "zoom into the focused strategy: every task, error, its stderr and its source"),
    ("c", "compare the last runs in a sortable table"),
    ("ctrl+s", "save the shown runs as an event log (asyncplay replay FILE)"),
    ("tab / arrows", "move between panels; the mouse works too"),
    ("?", "this help"),
    ("q", "quit: stops every worker and the server"),
)
FATES_EXPLAINED = {
    "raised": "the exception reached the code that started the work",
    "returned": "it came back as a value the caller has to check",
    "logged": "the caller never saw it; the framework printed or logged it",
    "lost": "it happened, and nobody saw it at all",
    "not_run": "the task never reached its fault (aborted, cancelled, or cut off)",
}


def help_text() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold #d7af5f", no_wrap=True)
    table.add_column()
    table.add_row(Text("Keys", style="bold underline"), "")
    for key, meaning in KEYS:
        table.add_row(key, meaning)
    table.add_row("", "")
    table.add_row(Text("Styles", style="bold underline"), "")
    for name, idea in STRATEGIES.items():
        table.add_row(name, idea)
    table.add_row("", "")
    table.add_row(Text("Fates", style="bold underline"), "where each injected error ended up")
    for fate, meaning in FATES_EXPLAINED.items():
        table.add_row(Text(FATE_LABELS[fate], style=FATE_COLOURS[fate]), meaning)
    table.add_row("", "")
    table.add_row("", Text("The ideal time (▲) is the plan's critical path at the strategy's "
                           "concurrency, with no overhead. Run all races the workers on the same "
                           "cores; for measurements, `asyncplay run` runs them one at a time.",
                           style="#8a8a8a"))  # fmt: skip
    return table


class HelpScreen(ModalScreen[None]):
    """Keys, styles and fates; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text())

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "asyncplay help"
