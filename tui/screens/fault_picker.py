"""The fault picker: toggle each fault kind, with its fraction or task ids, for the next run."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from ...engine.errors import WorkloadError
from ...engine.workload import Fault, FaultSpec, Scenario
from ..widgets.app_footer import AppFooter


def _which(spec: FaultSpec | None) -> str:
    """The part of a spec after its kind: "", ":0.1" or "@3,7"."""
    return str(spec).removeprefix(str(spec.kind)) if spec else ""


class FaultPicker(ModalScreen[tuple[FaultSpec, ...] | None]):
    """One row per fault kind: a checkbox, and which tasks (blank: one, :0.1, @3,7)."""

    BINDINGS = [
        Binding("enter,ctrl+s", "apply", "Apply", priority=True),
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("up", "row(-1)", "Previous", show=False),
        Binding("down", "row(1)", "Next", show=False),
    ]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario
        self.aim = (0, False)  # the row the keys aim at, and whether at its field of tasks

    def compose(self) -> ComposeResult:
        chosen = {spec.kind: spec for spec in self.scenario.faults}
        with VerticalScroll(id="fault-picker"):
            yield Static(
                "Space ticks a fault. Which tasks get it: blank for one (by the "
                "seed), :0.1 for a tenth of them, @3,7 for those ids.",
                classes="hint",
            )
            for fault in Fault:
                with Horizontal(classes="fault-row", id=f"row-{fault.value}"):
                    yield Checkbox(fault.value, fault in chosen, id=f"on-{fault.value}",
                                   compact=True)  # fmt: skip
                    yield Input(_which(chosen.get(fault)), placeholder="one task",
                                id=f"which-{fault.value}", compact=True)  # fmt: skip
                    yield Label(fault.summary, classes="fault-help")
            yield Static(id="fault-detail")
            yield Static(id="fault-problem")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#fault-picker").border_title = "Inject faults"
        self.query_one(Checkbox).focus()

    def on_descendant_focus(self) -> None:
        """Under the rows, the whole story of the fault in focus."""
        focused = self.focused
        row = focused.parent if focused is not None else None
        faults = list(Fault)
        index = next((i for i, f in enumerate(faults) if row and row.id == f"row-{f.value}"), None)
        if index is not None:
            self.aim = (index, isinstance(focused, Input))
            fault = faults[index]
            self.query_one("#fault-detail", Static).update(f"{fault}: {fault.help}")

    def action_row(self, step: int) -> None:
        """Up and down move to the same kind of field in the row above or below. From the
        row last aimed at, not the focus: keys pressed fast come before the focus moves."""
        index, in_input = self.aim
        index = (index + step) % len(Fault)
        self.aim = (index, in_input)
        row = self.query_one(f"#row-{list(Fault)[index].value}")
        row.query_one(Input if in_input else Checkbox).focus()

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
        self.scenario.with_overrides(faults=tuple(specs))  # a Scenario checks that they fit
        return tuple(specs)

    def action_apply(self) -> None:
        try:
            specs = self.specs()
        except WorkloadError as error:
            self.query_one("#fault-problem", Static).update(Text(str(error)))
            return
        self.dismiss(specs)
