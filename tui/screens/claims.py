"""The claims: every claim of the article with its verdict badge; the highlighted one in full.

The view is a function of the lab updates, live, recorded or kept from the last measurement
(which the title then says, with when and on what it ran): for the claim under the cursor,
its verdict and the rule that produced it, the evidence, what its variants ran on, each
variant's numbers as they come (and, for a stuck one, who holds what and who waits where), a
chart where one reads better than numbers, and the lessons' source with the lines that
matter marked. The claims the article does not make are listed apart, under a heading.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style, StyleType
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from ...engine import claims_cache
from ...engine.catalogue import source_of
from ...engine.claims import (
    ARTICLE_CLAIMS,
    BEYOND_THE_ARTICLE,
    CLAIMS_BY_ID,
    Claim,
    Measured,
    median_run,
    runs_of,
)
from ...engine.labrunner import LabUpdate, measured_from
from ...engine.labs import Variant, all_variants
from ...engine.ran_on import ran_on
from ...engine.session import Session
from ..measured import PLACES, in_words
from ..palette import PALETTE_CLASSES, Palette
from ..widgets.app_footer import AppFooter

STATUS_MARK = {"running": "…", "done": "✓", "failed": "✗"}
VARIANTS = {variant.key: variant for variant in all_variants()}
LABS = "labs"  # the worker group the screen runs its labs in
TITLE = ("The article's claims, measured. r runs every lab (two or three minutes); enter, the "
         "highlighted claim's.")  # fmt: skip
BEYOND = "Beyond the article"  # the heading of the claims the article does not make


class ClaimList(OptionList):
    """The claims; enter runs the highlighted one's labs, and the footer says so."""

    BINDINGS = [Binding("enter", "select", "Run its labs")]


class ClaimsScreen(Screen[None]):
    """The claim list on the left, the highlighted claim on the right. The labs run while
    the screen is open; escape stops them. What they measured stays with the app."""

    COMPONENT_CLASSES = PALETTE_CLASSES

    BINDINGS = [
        Binding("r", "run_labs", "Run every lab"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(
        self, updates: list[LabUpdate], session: Session, last: list[LabUpdate] | None = None
    ) -> None:
        super().__init__()
        self.palette = Palette(self)
        self.updates = updates  # the app's list: what ran before is shown again
        self.session = session  # the app's: its fault server serves the labs' fetches
        # The app's: the last measurement kept, shown under this session's until r has
        # measured every lab again.
        self.last = last if last is not None else []

    @property
    def shown(self) -> list[LabUpdate]:
        return self.last + self.updates

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="claims-title")
        with Horizontal():
            yield ClaimList(*self._options(), id="claims-list")
            with VerticalScroll(id="claim-detail"):
                yield Static(id="claim-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        # After the new theme's styles apply (a watch of `theme` runs before they do).
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._refresh())

    def on_resize(self) -> None:
        self._show()  # the charts' bars are as long as the pane is wide

    @property
    def claim(self) -> Claim:
        option = self.query_one(OptionList).highlighted_option
        return CLAIMS_BY_ID.get(option.id or "" if option else "", ARTICLE_CLAIMS[0])

    @property
    def running(self) -> bool:
        """Labs started and not ended (a worker just started is not running yet, but will)."""
        return any(worker.group == LABS and not worker.is_finished for worker in self.workers)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == LABS:
            self._show_title()  # "measuring…" no longer

    def _title(self) -> Text:
        """What the screen shows: this session's measurements, or the last one kept."""
        ran = ran_on([self.last], {update.variant for update in self.last})
        if ran is None:
            return Text(TITLE)
        again = "measuring…" if self.running else "r measures again"
        return Text(f"Last measured {ran.when()}, {ran.words()} — {again}")

    def _options(self) -> list[Option | None]:
        """The article's claims, then a rule and the heading of those beyond it."""
        measured = measured_from(self.shown)

        def option(claim: Claim) -> Option:
            badged = Text.assemble(badge(claim.judged(measured).verdict, self.palette), claim.id)
            return Option(badged, id=claim.id)

        options: list[Option | None] = [option(claim) for claim in ARTICLE_CLAIMS]
        if BEYOND_THE_ARTICLE:
            options += [None, Option(Text(BEYOND, style="italic"), disabled=True)]
        return options + [option(claim) for claim in BEYOND_THE_ARTICLE]

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._show()

    def on_option_list_option_selected(self, _: OptionList.OptionSelected) -> None:
        """enter: the list's own binding has the key, so the screen hears it as a selection."""
        self.action_run_claim()

    def action_run_claim(self) -> None:
        self._run([VARIANTS[key] for key in self.claim.needs])

    def action_run_labs(self) -> None:
        self._run(all_variants(), every_lab=True)

    def _run(self, variants: list[Variant], every_lab: bool = False) -> None:
        if self.running:
            self.notify("The labs are running already: wait, or escape to stop them.")
            return
        self._labs(variants, every_lab)
        self._show_title()

    @work(group=LABS)
    async def _labs(self, variants: list[Variant], every_lab: bool) -> None:
        ran: list[LabUpdate] = []

        def update(update: LabUpdate) -> None:
            ran.append(update)
            self._update(update)

        await self.session.run_labs(variants, update)
        if every_lab:  # a whole measurement: it replaces the last one, here and in the cache
            self.last.clear()
            self._keep(ran)
            self._refresh()

    def _keep(self, updates: list[LabUpdate]) -> None:
        try:
            claims_cache.save(updates)
        except OSError as error:
            self.notify(f"the results were not kept for the next start: cannot write "
                        f"{claims_cache.cache_file()}: {error.strerror or error}",
                        severity="warning")  # fmt: skip

    def _update(self, update: LabUpdate) -> None:
        self.updates.append(update)
        if update.status != "running":
            self._refresh()
        elif update.variant in self.claim.needs:
            self._show()

    def _refresh(self) -> None:
        """The badges and the detail, after a verdict may have changed (or the theme)."""
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(self._options())
        listing.highlighted = highlighted
        self._show_title()
        self._show()

    def _show_title(self) -> None:
        self.query_one("#claims-title", Static).update(self._title())

    def _show(self) -> None:
        text = self.query_one("#claim-text", Static)
        look = Look(self.palette, text.content_size.width or 60, self.app.current_theme.dark)
        text.update(claim_detail(self.claim.id, self.shown, look))


@dataclass(frozen=True)
class Look:
    """How the detail is drawn: the theme's colours, the pane's width, dark or light."""

    palette: Palette
    width: int
    dark: bool


def badge(verdict: str, palette: Palette) -> Text:
    label = "·" if verdict == "unmeasured" else verdict
    return Text(f"{label:<7}", style=palette.verdict_style(verdict))


def claim_detail(claim_id: str, updates: list[LabUpdate], look: Look) -> RenderableType:
    """Everything about one claim, from the updates so far."""
    claim = CLAIMS_BY_ID[claim_id]
    measured = measured_from(updates)
    judgement = claim.judged(measured)
    verdict_style = look.palette.verdict_style(judgement.verdict)
    latest = {update.variant: update for update in updates}
    measuring = any(latest.get(key) and latest[key].status == "running" for key in claim.needs)
    evidence = judgement.evidence
    if judgement.verdict == "unmeasured" and not any(key in latest for key in claim.needs):
        evidence = "not measured yet: enter runs its labs"
    parts: list[RenderableType] = [
        Text.assemble((claim.id, "bold"), ("  ·  " + claim.section, look.palette.muted)),
        Text(claim.claim, style="italic"),
        Text(),
        Text.assemble((f" {judgement.verdict} ", verdict_style + Style(reverse=True)),
                      " ", evidence, (" (measuring…)" if measuring else "", look.palette.muted)),
        Text(f"rule: {claim.rule}", style=look.palette.muted),
    ]  # fmt: skip
    ran = ran_on([updates], claim.needs)
    if ran is not None:
        parts.append(Text(f"measured {ran.when()}, {ran.words()}", style=look.palette.muted))
    chart = _chart(claim.id, measured, look)
    if chart is not None:
        parts += [Text(), chart]
    parts += [Text(), Text("variants", style="bold")]
    parts += [_variant_line(key, latest.get(key), look) for key in claim.needs]
    parts += _sources(claim, measured, look)
    return Group(*parts)


def _variant_line(key: str, update: LabUpdate | None, look: Look) -> RenderableType:
    if update is None:
        return Text(f"  · {key}", style=look.palette.faint)
    line = Text.assemble(f"  {STATUS_MARK[update.status]} ", (key, "bold"))
    if update.detail:
        line.append(f"  {update.detail}", style=look.palette.fate_style("lost"))

    def place_style(heading: str) -> StyleType:  # stuck: where the lesson went wrong
        stuck = heading.startswith(PLACES["positions"])
        return look.palette.fate_style("logged") if stuck else look.palette.muted

    measured = in_words(update.numbers).renderable(place_style, look.palette.muted)
    return Group(line, Padding(measured, (0, 0, 0, 4)))


# The charts: (variant key, its label) and how to read a bar from the numbers.
WAITERS = [(f"waiters.{style}@{count}", f"{label} {count:,}")
           for style, label in (("threads", "threads"), ("gevent_greenlets", "greenlets"),
                                ("asyncio_tasks", "tasks"), ("tornado_callbacks", "callbacks"))
           for count in (100, 1_000, 10_000)]  # fmt: skip
SECRETARIES = [("secretary.threads_polling", "polling threads"),
               ("secretary.threads", "blocking threads"),
               ("secretary.gevent_greenlets", "greenlets"),
               ("secretary.asyncio_tasks", "tasks")]  # fmt: skip


def _chart(claim_id: str, measured: Measured, look: Look) -> RenderableType | None:
    """Bars where bars read better than numbers: the waiters' cost curve, the switch shares."""
    rows: list[tuple[str, float]] = []
    if claim_id == "threads-not-free":
        title = "memory per waiter, KiB"
        rows = [(label, kb) for key, label in WAITERS
                if (kb := _number(measured.get(key, {}).get("kb_each"))) is not None]  # fmt: skip
    elif claim_id == "context-switches":
        title = "share of each worker's switches in the median run, %"
        for key, label in SECRETARIES:
            numbers = median_run(measured.get(key, {}), "idle_share") or {}
            total, switches = _number(numbers.get("total")) or 1, numbers.get("switches")
            if isinstance(switches, Mapping):
                rows += [(f"{label} {role}", 100 * count / total) for role, value in
                         switches.items() if (count := _number(value)) is not None]  # fmt: skip
    if not rows:
        return None
    name_width = max(len(name) for name, _ in rows) + 1
    bar_width = max(4, look.width - name_width - 10)
    top = max(value for _, value in rows) or 1.0
    lines = [Text(title, style="bold")]
    for name, value in rows:
        bar = "█" * max(1, round(bar_width * value / top)) if value else ""
        lines.append(Text.assemble(f"  {name:<{name_width}}", (bar, look.palette.accent),
                                   f" {value:.3g}"))  # fmt: skip
    return Group(*lines)


def _sources(claim: Claim, measured: Measured, look: Look) -> list[RenderableType]:
    """Each lesson the claim runs, its functions' first lines marked, and the lines where
    stuck workers waited."""
    marked: dict[str, set[int]] = {}
    for key in claim.needs:
        variant = VARIANTS[key]
        lesson, function = _lesson_of(variant)
        lines = marked.setdefault(lesson, set())
        lines.add(_function_line(lesson, function))
        numbers = measured.get(key, {})
        for run in runs_of(numbers) if "runs" in numbers else [numbers]:
            positions = run.get("positions")
            if isinstance(positions, list):
                lines.update(p["line"] for p in positions
                             if isinstance(p, Mapping) and type(p.get("line")) is int)  # fmt: skip
    parts: list[RenderableType] = []
    for lesson, lines in marked.items():
        parts += [
            Text(),
            Text(f"strategies/{lesson.replace('.', '/')}.py", style="bold"),
            Syntax(source_of(lesson), "python", line_numbers=True, highlight_lines=lines,
                   word_wrap=True, theme="monokai" if look.dark else "default",
                   background_color="default"),
        ]  # fmt: skip
    return parts


def _number(value: object) -> float | None:
    """`value`, if it is a number to draw: numbers kept in the cache are anyone's to edit,
    and the rules (which the cache is checked against) do not read every one the screen does."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _lesson_of(variant: Variant) -> tuple[str, str]:
    """(lesson module under strategies/, function): `labs.races`, or a fetch's `callbacks`."""
    if variant.experiment == "fetch":
        module, _, function = variant.function.partition(":")
        return module, function or "main"
    return f"labs.{variant.lab}", variant.function


@cache
def _function_line(lesson: str, function: str) -> int:
    for node in ast.walk(ast.parse(source_of(lesson))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            return node.lineno
    return 0
