"""The app's keys, once: the bindings, the footer, the help screen and the command palette
are all made from this list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    """A key of the main screen and what it does."""

    key: str  # Textual's key name(s), as in a Binding
    action: str
    label: str  # in the footer and the command palette
    help: str  # a sentence, in help and the command palette
    narrow: bool = True  # still in the footer at 80 columns (the rest are in help, ctrl+p)
    footer: bool = True  # in the footer at all: at 120 columns it holds no more than these


KEYS = (
    Key("r", "run_all", "Run all", "Run every strategy side by side, with the bar's scenario"),
    Key("enter", "run_focused", "Run this", "Run the focused strategy alone", narrow=False),
    Key("s", "stop", "Stop", "Stop: kill the running workers (their panels say killed)"),
    Key("f", "pick_faults", "Faults", "Pick the faults the next run injects, and which tasks"),
    Key("o", "pick_scenario", "Scenario", "Open a scenario: the built-ins, your own TOML files",
        narrow=False),
    Key("k", "next_client", "Client", "Switch the HTTP client of the next runs: httpx, "
        "aiohttp (asyncio, taskgroup), requests (the synchronous styles)", footer=False),
    Key("z", "zoom", "Zoom", "Zoom into the focused strategy: its source, tasks, errors, output"),
    Key("c", "compare", "Compare", "Compare the runs on screen in a sortable table"),
    Key("l", "claims", "Claims", "The article's claims: run the labs, see each verdict and why",
        narrow=False),
    Key("t", "tour", "Tour", "The article as a guided tour: each step runs for real and is "
        "captioned from what it measured"),
    Key("ctrl+s", "save", "Save log", "Save the runs on screen as an event log to replay",
        narrow=False),
    Key("question_mark", "help", "Help", "Help: the keys, the styles and the fates"),
    Key("q", "quit", "Quit", "Quit: every worker and the server stop with the app"),
)  # fmt: skip
