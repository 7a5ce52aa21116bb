"""Help: the keys, the X-ray's marks, the styles in a sentence each, and the five fates
explained."""

from __future__ import annotations

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine import xray
from ...engine.catalogue import (
    CLIENTS,
    DEFAULT_CLIENT,
    OWN_CLIENT,
    STRATEGIES,
    lesson_module,
)
from ...engine.fold import FATE_LABELS, FATES
from ..keys import KEYS
from ..palette import PALETTE_CLASSES, Palette
from ..widgets.app_footer import AppFooter
from ..widgets.lesson_source import XRAY_GLYPHS

MORE_KEYS = (
    ("tab, arrows", "Move between panels: the arrows go up, down, left and right on screen"),
    ("ctrl+p", "The command palette: every action above, and the theme"),
)
IN_THE_ZOOM = (
    ("t, e, o", "The run's tasks, its errors (each marks its lines in the source), its output"),
    ("space", "Pause the X-ray on the look in view, or go back to live"),
    (". ,", "Step the X-ray to the next look, or back one (a finished run: from its start)"),
    ("E", "Edit the lesson: your copy, in ~/.config/asyncplay/strategies/"),
    ("ctrl+r", "In the editor: save, and run it beside the original (threads′ by threads)"),
    ("ctrl+s, ctrl+o", "In the editor: save; put the original's text back (ctrl+z undoes)"),
    ("escape", "Out of the editor (saved), then back to the panels"),
)
XRAY_EXPLAINED = {
    "running": "running Python at that line: it holds the interpreter, or the loop",
    "network": "waiting for a response: a request out, or a callback that will get one",
    "lock": "waiting for a lock, an event or a condition",
    "queued": "waiting its turn: a free slot, or the loop to get to it (its wait is over)",
    "waiting": "waiting for other work or for time: a join, a gather, a result, a sleep",
}
IN_THE_CLAIMS = (
    ("up, down", "Highlight a claim: its verdict, rule, evidence, numbers and lab source"),
    ("enter", "Run the highlighted claim's labs (seconds for most, a minute for blocking)"),
    ("r", "Run every lab again (two or three minutes); the claims open with it next time"),
    ("escape", "Back to the panels; labs still running are stopped, their results kept"),
)
IN_THE_TOUR = (
    ("right, space", "The next step: it runs for real, then its caption says what it measured"),
    ("left", "The step before, as it was measured"),
    ("1-9, 0", "The first step of a chapter (0: the tenth)"),
    ("r", "Measure this step again"),
    (". ,", "On an X-ray step: the next look, or the one before"),
    ("escape", "Leave the tour where it stands: the panels show the step's runs; t comes back"),
)
IN_THE_COMPARE = (
    ("< >", "Sort by the column to the left or right (a click on a header does too)"),
    ("i", "Reverse the order"),
)
FATES_EXPLAINED = {
    "raised": "the exception reached the code that started the work",
    "returned": "it came back as a value the caller has to check",
    "logged": "the caller never saw it; the framework printed or logged it",
    "lost": "it happened, and nobody saw it at all",
    "not_run": "the task never reached its fault (aborted, cancelled, or cut off)",
}


# The CPU seconds of 10,000 requests of 1 s, by style and client ("raw": no client library,
# the style's own sockets), as `bench/scale.py --model` measured them for README's "The model
# or the library?". A test holds each to bench/model.json: the words cannot drift from it.
MODEL_CPU_S = {
    ("threads", "raw"): 6.44,
    ("asyncio", "raw"): 3.25,
    ("gevent", "raw"): 2.43,
    ("threads", "httpx"): 11.6,
    ("asyncio", "httpx"): 23.4,
    ("asyncio", "aiohttp"): 7.50,
}
THREADS_RAW_KERNEL_S = 3.78  # of the threads' floor, the kernel's share
MODEL_MEASURED = "bench/scale.py --model, 2026-12-03, Python 3.11, 2 cores"


def model_or_library() -> str:
    """What a learner should take from the model-or-library table, in two sentences."""
    cpu = MODEL_CPU_S
    return (
        f"At 10,000 requests with no client library, asyncio used {cpu['asyncio', 'raw']:.2f} s "
        f"of CPU and gevent {cpu['gevent', 'raw']:.2f} s, where ten thousand OS threads used "
        f"{cpu['threads', 'raw']:.2f} s, {THREADS_RAW_KERNEL_S:.2f} s of it in the kernel. "
        f"With httpx, asyncio used {cpu['asyncio', 'httpx']:.1f} s, "
        f"{cpu['asyncio', 'httpx'] / cpu['threads', 'httpx']:.1f}× the threads' "
        f"{cpu['threads', 'httpx']:.1f} s, and with aiohttp {cpu['asyncio', 'aiohttp']:.1f} s: "
        f"at scale, the client you pick costs more than the model ({MODEL_MEASURED})."
    )


class HelpScreen(ModalScreen[None]):
    """Keys, styles and fates; any of escape, q or ? closes it."""

    COMPONENT_CLASSES = PALETTE_CLASSES

    def __init__(self) -> None:
        super().__init__()
        self.palette = Palette(self)

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(id="help-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "asyncplay help"
        self.query_one("#help-text", Static).update(self.help_text())

    def help_text(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style=self.palette.key_style, no_wrap=True)
        table.add_column()
        heading = self.palette.key_style + Style(bold=True, underline=True)
        table.add_row(Text("Keys", style=heading), "")
        for key in KEYS:
            table.add_row(self.app.get_key_display(Binding(key.key, key.action)), key.help)
        for keys, meaning in MORE_KEYS:
            table.add_row(keys, meaning)
        table.add_row("", "")
        table.add_row(Text("In the zoom", style=heading), "")
        for keys, meaning in IN_THE_ZOOM:
            table.add_row(keys, meaning)
        table.add_row("", "")
        table.add_row(Text("X-ray", style=heading), "in the zoom, how many workers are at each "
                      "line of the lesson, doing what:")  # fmt: skip
        for state, meaning in XRAY_EXPLAINED.items():
            label = Text(f"{XRAY_GLYPHS[state]} {state}", style=self.palette.xray_style(state))
            table.add_row(label, meaning)
        budget = f"{xray.BUDGET * 100:g}%"
        table.add_row("", Text(f"A look every {xray.EVERY_S * 1000:.0f} ms or more, at most "
                               f"{budget} of a core; off above {xray.MAX_TASKS:,} tasks.",
                               style=self.palette.muted))  # fmt: skip
        table.add_row("", "")
        table.add_row(Text("In the compare (c)", style=heading), "")
        for keys, meaning in IN_THE_COMPARE:
            table.add_row(keys, meaning)
        table.add_row("", "")
        table.add_row(Text("In the claims (l)", style=heading), "")
        for keys, meaning in IN_THE_CLAIMS:
            table.add_row(keys, meaning)
        table.add_row("", "")
        table.add_row(Text("In the tour (t)", style=heading), "")
        for keys, meaning in IN_THE_TOUR:
            table.add_row(keys, meaning)
        table.add_row("", "")
        table.add_row(Text("Styles", style=heading), "")
        for name, idea in STRATEGIES.items():
            table.add_row(name, idea)
        table.add_row("", "")
        table.add_row(Text("Clients (k)", style=heading), "the HTTP client the next runs fetch "
                      "with, each style's own way of writing it:")  # fmt: skip
        for client in CLIENTS:
            styles = [
                style
                for style in STRATEGIES
                if style not in OWN_CLIENT and lesson_module(style, client) is not None
            ]
            table.add_row(client, ", ".join(styles))  # fmt: skip
        for style, own in OWN_CLIENT.items():
            table.add_row(own, f"{style}: its framework's own, when {DEFAULT_CLIENT} is picked")
        table.add_row("", Text(model_or_library(), style=self.palette.muted))
        table.add_row("", "")
        table.add_row(Text("Fates", style=heading), "where each injected error ended up")
        for fate in FATES:
            label = Text(f"● {FATE_LABELS[fate]}", style=self.palette.fate_style(fate))
            table.add_row(label, FATES_EXPLAINED[fate])
        dots = Text("A strategy on one line counts these in its dots, in order: ")
        for fate in FATES:
            dots.append("●", style=self.palette.fate_style(fate))
        table.add_row("", dots)
        table.add_row("", "")
        table.add_row("", Text("The ideal time (▲) is the plan's critical path at the strategy's "
                               "concurrency, with no overhead. Run all races the workers on the "
                               "same cores; for measurements, `asyncplay run` runs them one at a "
                               "time.", style=self.palette.muted))  # fmt: skip
        return table
