"""The scenario bar: every number of the scenario, editable in place, and the active faults.

The app owns the scenario; the bar shows it (bound to the app's reactive) and proposes a
new one with `Changed` whenever an edit gives a valid scenario. A bad value is refused in
place, with the reason, and `problem` says so until it is fixed: a run is refused meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from ...engine.errors import WorkloadError
from ...engine.workload import Scenario

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
    """A value as the bar writes it, so that reading it back gives the same value
    (`f"{1234567.0:g}"` would write 1.23457e+06)."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return repr(value)


class ScenarioBar(Vertical):
    """The scenario's numbers as compact inputs, then its faults."""

    BINDINGS = [Binding("escape", "leave", "Back to the panels")]

    scenario: reactive[Scenario] = reactive(Scenario, init=False)
    """The scenario shown: the app's, bound to it."""
    problem: reactive[str] = reactive("", init=False)
    """Why the values typed are not a scenario; empty when they are."""

    @dataclass
    class Changed(Message):
        """The user made a valid change: this is the scenario the next run should use."""

        scenario: Scenario

        def can_replace(self, message: Message) -> bool:
            """Posted on every keystroke: only the newest still queued matters."""
            return isinstance(message, ScenarioBar.Changed)

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(id="scenario-bar")
        self.set_reactive(ScenarioBar.scenario, scenario)

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
        self.watch_scenario(self.scenario)

    def watch_scenario(self, scenario: Scenario) -> None:
        """Show a scenario set elsewhere (a picker, a replayed log, or this bar's own edit
        coming back): fields that already read as its values are left as typed."""
        for field, _, parse in FIELDS:
            field_input = self.query_one(f"#field-{field}", Input)
            if _read(field_input.value, parse) != getattr(scenario, field):
                with field_input.prevent(Input.Changed):
                    field_input.value = shown(getattr(scenario, field))
            field_input.remove_class("-refused")
        faults = ", ".join(str(spec) for spec in scenario.faults) or "none"
        line = Text(f"faults: {faults}   client: {scenario.client}")
        line.append("   f or k to change them, o for another scenario", style="dim")
        self.query_one("#faults", Static).update(line)
        self.problem = ""

    def watch_problem(self, problem: str) -> None:
        shown = self.query_one("#problem", Static)
        shown.update(Text(problem))  # it quotes what was typed
        shown.display = bool(problem)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            scenario = self.read()
        except WorkloadError as error:
            event.input.add_class("-refused")
            self.problem = str(error)
            return
        for field_input in self.query(Input):
            field_input.remove_class("-refused")
        self.problem = ""
        self.post_message(self.Changed(scenario))

    def read(self) -> Scenario:
        """The scenario the inputs describe, or WorkloadError saying what is wrong (a
        Scenario checks itself: faults fit, holds are bounded, the count has a ceiling)."""
        values: dict[str, int | float] = {}
        for field, label, parse in FIELDS:
            text = self.query_one(f"#field-{field}", Input).value.strip()
            value = _read(text, parse)
            if value is None:
                kind = "a whole number" if parse is int else "a number"
                raise WorkloadError(f"{label} must be {kind}, not {text!r}")
            values[field] = value
        return self.scenario.with_overrides(**values)

    def action_leave(self) -> None:
        """Back to the panel that was open (keys typed in a field are the field's)."""
        self.app.action_focus_panels()  # type: ignore[attr-defined]

    def first_invalid(self) -> Input | None:
        """The field marked refused, to take the user back to it. (Not Input's own
        `-invalid`: Input clears that when it loses the focus.)"""
        return next((field for field in self.query(Input) if field.has_class("-refused")), None)


def _read(text: str, parse: type[int] | type[float]) -> int | float | None:
    try:
        return parse(text.strip())
    except ValueError:
        return None
