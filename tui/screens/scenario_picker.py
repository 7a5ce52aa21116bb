"""The scenario picker: the built-in scenarios and the user's own TOML files."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine import scenarios
from ...engine.errors import WorkloadError
from ...engine.workload import Scenario
from ..widgets.app_footer import AppFooter


def user_scenarios() -> Path:
    """The user's own scenario files (looked up each time, as the user's lessons are)."""
    return Path("~/.config/asyncplay/scenarios").expanduser()


def available(folder: Path) -> list[tuple[str, str]]:
    """(name or path, description) of every scenario on offer; broken files say so."""
    offered = [(name, scenarios.load(name).description) for name in scenarios.builtin_names()]
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            offered.append((str(path), scenarios.load(str(path)).description or path.name))
        except WorkloadError as error:
            offered.append((str(path), f"(cannot load: {error})"))
    return offered


class ScenarioPicker(ModalScreen[Scenario | None]):
    """Pick a scenario to load; it replaces the scenario bar's values and faults."""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder or user_scenarios()

    def compose(self) -> ComposeResult:
        options = [
            Option(Text.assemble((Path(name).stem, "bold"), "  ", (description, "dim")), id=name)
            for name, description in available(self.folder)
        ]
        with Vertical(id="scenario-picker"):
            yield OptionList(*options)
            yield Static(f"Your own: TOML files in {self.folder}", id="scenario-hint",
                         markup=False)  # fmt: skip
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#scenario-picker").border_title = "Open a scenario"

    def action_open(self) -> None:
        """Enter opens the highlighted scenario (the option list answers it first)."""
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            options.action_select()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        try:
            self.dismiss(scenarios.load(event.option.id or ""))
        except WorkloadError as error:
            self.notify(str(error), severity="error")
