"""Before a run that would take hours: say how long, and let the user run it all the same,
leave the one-at-a-time strategy out, or not run at all.

At 100,000 tasks, sequential's ideal (each request after the one before) is hours; run all
used to start it silently beside the others.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.app_footer import AppFooter

Choice = Literal["all", "without", "none"]


def duration(seconds: float) -> str:
    """`5.5 h`, `42 min`: how long, as a person says it."""
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


class LongRunQuestion(ModalScreen[Choice]):
    """Run every strategy, all but the slow one, or none."""

    BINDINGS = [
        Binding("enter", "dismiss('all')", "Run all anyway"),
        Binding("w", "dismiss('without')", "Without it"),
        Binding("escape", "dismiss('none')", "Cancel"),
    ]

    def __init__(self, strategy: str, ideal_s: float, count: int) -> None:
        super().__init__()
        self.strategy, self.ideal_s, self.count = strategy, ideal_s, count

    def compose(self) -> ComposeResult:
        with Vertical(id="long-run"):
            yield Static(
                Text(
                    f"{self.strategy} runs one task at a time: {self.count:,} tasks would take "
                    f"at least {duration(self.ideal_s)} (its ideal time, with no overhead).\n\n"
                    f"enter runs every strategy anyway; w runs all but {self.strategy}; "
                    "escape runs nothing."
                )
            )
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#long-run").border_title = "A long run"
