"""The fault picker: toggle each fault kind, with its fraction or task ids, for the next run."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from ...engine.workload import Fault, FaultSpec, Scenario, WorkloadError, build_plan


def _which(spec: FaultSpec | None) -> str:
    """The part of a spec after its kind: "", ":0.1" or "@3,7"."""
    return str(spec).removeprefix(str(spec.kind)) if spec else ""


class FaultPicker(ModalScreen[tuple[FaultSpec, ...] | None]):
    """One row per fault kind: a checkbox, and which tasks (blank: one, :0.1, @3,7)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s,enter", "apply", "Apply", priority=True),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        chosen = {spec.kind: spec for spec in self.scenario.faults}
        with Vertical(id="fault-picker"):
            yield Static("Which tasks: blank for one task (by the seed), :0.1 for a tenth of "
                         "them, @3,7 for those ids. Enter applies, escape cancels.",
                         classes="hint")  # fmt: skip
            for fault in Fault:
                with Horizontal(classes="fault-row"):
                    yield Checkbox(fault.value, fault in chosen, id=f"on-{fault.value}",
                                   compact=True)  # fmt: skip
                    yield Input(_which(chosen.get(fault)), placeholder="one task",
                                id=f"which-{fault.value}", compact=True)  # fmt: skip
                    yield Label(fault.help, classes="fault-help")
            yield Static(id="fault-problem")

    def on_mount(self) -> None:
        self.query_one("#fault-picker").border_title = "Inject faults"

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing which tasks turns the fault on."""
        fault = (event.input.id or "").removeprefix("which-")
        if event.value.strip():
            self.query_one(f"#on-{fault}", Checkbox).value = True

    def specs(self) -> tuple[FaultSpec, ...]:
        """The checked faults as specs; WorkloadError if one is malformed or cannot fit."""
        specs = []
        for fault in Fault:
            if self.query_one(f"#on-{fault.value}", Checkbox).value:
                which = self.query_one(f"#which-{fault.value}", Input).value.strip()
                specs.append(FaultSpec.parse(f"{fault.value}{which}"))
        build_plan(self.scenario.with_overrides(faults=tuple(specs)))
        return tuple(specs)

    def action_apply(self) -> None:
        try:
            specs = self.specs()
        except WorkloadError as error:
            self.query_one("#fault-problem", Static).update(str(error))
            return
        self.dismiss(specs)
