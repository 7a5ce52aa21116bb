"""The claims: every claim of the article with its verdict badge; the highlighted one in full.

The view is a function of the lab updates, live or recorded: for the claim under the cursor,
its verdict and the rule that produced it, the evidence, each variant's numbers as they come
(and, for a stuck one, who holds what and who waits where), a chart where one reads better
than numbers, and the lab's source with the lines that matter marked.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.claims import CLAIMS, CLAIMS_BY_ID, Claim
from ...engine.labrunner import LabUpdate, measured_from, run_variants
from ...engine.labs import Variant, all_variants
from ...engine.worker.where import describe
from ..widgets.app_footer import AppFooter

BADGE = {"holds": ("holds", "bold green"), "partly": ("partly", "bold yellow"),
         "fails": ("fails", "bold red"), "unmeasured": ("  ·  ", "dim")}  # fmt: skip
STATUS_MARK = {"running": "…", "done": "✓", "failed": "✗"}
BAR_WIDTH = 30
VARIANTS = {variant.key: variant for variant in all_variants()}


class ClaimsScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "run_labs", "Run every lab"),
        Binding("enter", "run_claim_labs", "Run this claim's labs"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, updates: list[LabUpdate] | None = None) -> None:
        super().__init__()
        self.updates: list[LabUpdate] = list(updates or [])
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(
            "The article's claims, measured: r runs every lab (about two minutes), "
            "enter the highlighted claim's",
            id="claims-title",
        )
        with Horizontal():
            yield OptionList(*self._options(), id="claims-list")
            with VerticalScroll(id="claim-detail"):
                yield Static(id="claim-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self._show()

    @property
    def claim(self) -> Claim:
        index = self.query_one(OptionList).highlighted or 0
        return CLAIMS[index]

    def _options(self) -> list[Option]:
        measured = measured_from(self.updates)
        options = []
        for claim in CLAIMS:
            label, style = BADGE[claim.judged(measured).verdict]
            options.append(Option(Text.assemble((f"{label:<7}", style), claim.id), id=claim.id))
        return options

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._show()

    def on_option_list_option_selected(self, _: OptionList.OptionSelected) -> None:
        self.action_run_claim_labs()  # enter on the list: the list's own binding has it

    def action_run_labs(self) -> None:
        self._run(list(VARIANTS.values()))

    def action_run_claim_labs(self) -> None:
        self._run([VARIANTS[key] for key in self.claim.needs])

    def _run(self, variants: list[Variant]) -> None:
        if self.running:
            self.notify("The labs are running already: wait, or press escape to stop them")
            return
        self.running = True
        self._labs(variants)

    @work(exclusive=True, group="labs")
    async def _labs(self, variants: list[Variant]) -> None:
        try:
            await run_variants(variants, self._update)
        finally:
            self.running = False

    def _update(self, update: LabUpdate) -> None:
        self.updates.append(update)
        if update.status != "running":
            listing = self.query_one(OptionList)
            highlighted = listing.highlighted
            listing.clear_options()
            listing.add_options(self._options())
            listing.highlighted = highlighted
        if update.variant in self.claim.needs:
            self._show()

    def _show(self) -> None:
        self.query_one("#claim-text", Static).update(claim_detail(self.claim.id, self.updates))


def claim_detail(claim_id: str, updates: list[LabUpdate]) -> RenderableType:
    """Everything about one claim, from the updates so far."""
    claim = CLAIMS_BY_ID[claim_id]
    measured = measured_from(updates)
    judgement = claim.judged(measured)
    label, style = BADGE[judgement.verdict]
    latest = {update.variant: update for update in updates}
    parts: list[RenderableType] = [
        Text.assemble((claim.id, "bold"), f"  ·  {claim.section}"),
        Text(claim.claim, style="italic"),
        Text(),
        Text.assemble(
            (f" {label.strip() or 'not run'} ", f"reverse {style}"),
            " ",
            judgement.evidence
            if judgement.verdict != "unmeasured"
            else "not measured yet: press enter to run its labs",
        ),
        Text(f"rule: {claim.rule}", style="dim"),
        Text(),
    ]
    chart = _chart(claim.id, measured)
    if chart is not None:
        parts += [chart, Text()]
    parts.append(Text("variants", style="bold"))
    for key in claim.needs:
        parts.append(_variant_line(key, latest.get(key)))
    parts += _sources(claim, measured)
    return Group(*parts)


def _variant_line(key: str, update: LabUpdate | None) -> RenderableType:
    if update is None:
        return Text(f"  · {key}", style="dim")
    shown = {
        k: v for k, v in update.numbers.items() if k not in ("positions", "waits_s", "statuses")
    }
    numbers = ", ".join(f"{k} {_short(v)}" for k, v in shown.items())
    line = Text.assemble(f"  {STATUS_MARK[update.status]} ", (key, "bold"), f"  {numbers}")
    if update.detail:
        line.append(f"  {update.detail}", style="red")
    where = [
        Text(f"      {describe(p)}", style="yellow") for p in update.numbers.get("positions", [])
    ]
    return Group(line, *where)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_short(v)}" for k, v in value.items()) + "}"
    return str(value)


def _chart(claim_id: str, measured: Any) -> RenderableType | None:
    """Bars where bars read better than numbers: the waiters' cost curve, the switch shares."""
    rows: list[tuple[str, float, str]] = []
    if claim_id == "threads-not-free":
        for style in ("threads", "gevent_greenlets", "asyncio_tasks", "tornado_callbacks"):
            for count in (100, 1_000, 10_000):
                numbers = measured.get(f"waiters.{style}@{count}")
                if numbers and "kb_each" in numbers:
                    rows.append((f"{style} ×{count:,}", numbers["kb_each"], "KiB each"))
    elif claim_id == "context-switches":
        for key in ("secretary.threads", "secretary.gevent_greenlets", "secretary.asyncio_tasks"):
            numbers = measured.get(key)
            if numbers:
                total = numbers["total"] or 1
                for role, count in numbers["switches"].items():
                    rows.append(
                        (f"{key.split('.')[1]} {role}", 100 * count / total, "% of switches")
                    )
    if not rows:
        return None
    top = max(value for _, value, _ in rows) or 1.0
    lines = [Text("chart", style="bold")]
    for name, value, unit in rows:
        bar = "█" * max(1, round(BAR_WIDTH * value / top)) if value else ""
        lines.append(Text.assemble(f"  {name:<28}", (f"{bar:<{BAR_WIDTH}}", "cyan"),
                                   f" {value:.3g} {unit}"))  # fmt: skip
    return Group(*lines)


def _sources(claim: Claim, measured: Any) -> list[RenderableType]:
    """Each lab module the claim runs, its variants' lines marked, and where stuck workers
    waited."""
    by_module: dict[str, list[Variant]] = {}
    for key in claim.needs:
        variant = VARIANTS[key]
        if variant.experiment != "fetch":
            by_module.setdefault(variant.module, []).append(variant)
    parts: list[RenderableType] = []
    for module_name, variants in by_module.items():
        module = import_module(module_name)
        source = inspect.getsource(module)
        marked: set[int] = set()
        for variant in variants:
            _, first = inspect.getsourcelines(getattr(module, variant.function))
            marked.add(first)
            marked.update(p["line"] for p in measured.get(variant.key, {}).get("positions", []))
        parts += [
            Text(),
            Text(f"strategies/labs/{module_name.rsplit('.', 1)[1]}.py", style="bold"),
            Syntax(source, "python", line_numbers=True, highlight_lines=marked, word_wrap=True,
                   theme="ansi_dark"),
        ]  # fmt: skip
    return parts
