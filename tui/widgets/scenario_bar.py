"""The scenario bar: every number of the scenario, editable in place, and the active faults.

A value is checked as it is typed. A good one becomes the scenario the next run uses; a bad
one is refused in place with the reason, and the last good scenario stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from ...engine.workload import Scenario, WorkloadError, build_plan

# (field, label, parse) for each editable number.
FIELDS: tuple[tuple[str, str, type[int] | type[float]], ...] = (
    ("count", "tasks", int),
    ("latency_ms", "latency ms", float),
    ("jitter_ms", "jitter ms", float),
    ("concurrency", "limit", int),
    ("timeout_s", "timeout s", float),
    ("seed", "seed", int),
)


def shown(value: float) -> str:
    return f"{value:g}"


class ScenarioBar(Vertical):
    """The scenario's numbers as compact inputs, then its faults."""

    @dataclass
    class Changed(Message):
        """The user made a valid change: this is the scenario the next run will use."""

        scenario: Scenario

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(id="scenario-bar")
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        with Container(id="fields"):
            for field, label, _ in FIELDS:
                with Horizontal(classes="field-box"):
                    yield Label(label, classes="field-label")
                    yield Input(shown(getattr(self.scenario, field)), id=f"field-{field}",
                                compact=True, classes="field", select_on_focus=True)  # fmt: skip
        with Horizontal(id="bar-status"):
            yield Static(id="faults")
            yield Static(id="problem")

    def on_mount(self) -> None:
        self.show(self.scenario)

    def show(self, scenario: Scenario) -> None:
        """Show a scenario that came from elsewhere (a picker, a replayed log)."""
        self.scenario = scenario
        for field, _, _ in FIELDS:
            field_input = self.query_one(f"#field-{field}", Input)
            with field_input.prevent(Input.Changed):
                field_input.value = shown(getattr(scenario, field))
            field_input.remove_class("-invalid")
        faults = ", ".join(str(spec) for spec in scenario.faults) or "none"
        self.query_one("#faults", Static).update(f"faults: {faults}")
        self.query_one("#problem", Static).update("")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        problem = self.query_one("#problem", Static)
        try:
            scenario = self.read()
        except WorkloadError as error:
            event.input.add_class("-invalid")
            problem.update(str(error))
            return
        for field_input in self.query(Input):
            field_input.remove_class("-invalid")
        problem.update("")
        self.scenario = scenario
        self.post_message(self.Changed(scenario))

    def read(self) -> Scenario:
        """The scenario the inputs describe, or WorkloadError saying what is wrong."""
        values: dict[str, int | float] = {}
        for field, label, parse in FIELDS:
            text = self.query_one(f"#field-{field}", Input).value.strip()
            try:
                values[field] = parse(text)
            except ValueError:
                kind = "a whole number" if parse is int else "a number"
                raise WorkloadError(f"{label} must be {kind}, not {text!r}") from None
        scenario = self.scenario.with_overrides(**values)
        build_plan(scenario)  # the plan's own checks: faults fit, holds are bounded
        return scenario
