"""The scenario picker: the built-in scenarios and the user's own TOML files, by name."""

from __future__ import annotations

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


class ScenarioPicker(ModalScreen[Scenario | None]):
    """Pick a scenario to load; it replaces the scenario bar's values and faults."""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.folder = scenarios.own_folder()

    def compose(self) -> ComposeResult:
        # The user's own are marked, and open by name as `--scenario NAME` does.
        options = [
            Option(
                Text.assemble(
                    (entry.name, "bold"),
                    "  yours" if entry.file else "",
                    "  ",
                    (entry.description, "dim"),
                ),
                id=entry.name,
            )
            for entry in scenarios.listed()
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
