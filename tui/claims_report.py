"""`asyncplay claims` and `asyncplay lab NAME`: the labs headless, with their verdicts.

Each verdict comes with what its variants ran on (the Python, the load); with `--repeat K`,
with how many of the K runs gave it. The article's claims come first, those it does not make
apart. `claims` keeps its last whole run for the app's claims screen (engine/claims_cache.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ..engine import claims as claims_module
from ..engine import claims_cache
from ..engine.agreement import Agreement, agreement
from ..engine.claims import CLAIMS, Claim, Judgement, Measured
from ..engine.errors import UsageError
from ..engine.labrunner import LabUpdate, measured_from
from ..engine.labs import LABS, Variant, all_variants
from ..engine.ran_on import RanOn, ran_on
from ..engine.session import Session
from .headless import Stopped, open_for_writing, until_stopped
from .measured import in_words
from .usage import EXIT_HARNESS, EXIT_OK

ARTICLE_HEADING, BEYOND_HEADING = "The article's claims", "Beyond the article"
VERDICT_STYLE = {"holds": "bold green", "partly": "bold yellow", "fails": "bold red",
                 "unmeasured": "dim"}  # fmt: skip


def claims(args: argparse.Namespace) -> int:
    needed = {key for claim in CLAIMS for key in claim.needs}
    variants = [variant for variant in all_variants() if variant.key in needed]
    ran = _run(variants, args)
    if args.json:
        print(json.dumps({"claims": claims_json(CLAIMS, ran.runs)}, indent=2))
    else:
        print_claims(CLAIMS, ran.runs)
    if not ran.stopped:
        ran.keep()
    return ran.said()


def lab(args: argparse.Namespace) -> int:
    chosen = LABS.get(args.name)
    if chosen is None:
        raise UsageError(f"no lab {args.name!r}; the labs are: {', '.join(LABS)}")
    unknown = sorted(set(args.styles or []) - set(chosen.styles))
    if unknown:
        has = ", ".join(chosen.styles)
        raise UsageError(f"lab {chosen.name} has no style {', '.join(unknown)}; it has: {has}")
    variants = chosen.of_styles(args.styles)
    ran = _run(variants, args)
    judged = claims_module.claims_of({variant.key for variant in variants})
    if args.json:
        report = {
            "lab": chosen.name,
            "variants": [_variant_json(v, ran.updates) for v in variants],
            "claims": claims_json(judged, ran.runs),
        }
        print(json.dumps(report, indent=2))
    else:
        _print_variants(variants, ran.updates)
        print_claims(judged, ran.runs)
    return ran.said()


@dataclass
class _Ran:
    """What the labs gave, run after run, and what went wrong beside them (a signal, the
    record file, the cache)."""

    runs: list[list[LabUpdate]] = field(default_factory=list)
    problem: str = ""
    code: int = EXIT_OK
    stopped: bool = False  # by a signal: the last run is not whole
    notes: list[str] = field(default_factory=list)  # said, but the command still succeeded

    @property
    def updates(self) -> list[LabUpdate]:
        return [update for run in self.runs for update in run]

    def keep(self) -> None:
        """The last run kept for the app's claims screen, to show until it measures again."""
        try:
            claims_cache.save(self.runs[-1] if self.runs else [])
        except OSError as error:
            where = claims_cache.cache_file()
            self.notes.append(f"note: the results were not kept for the app: cannot write "
                              f"{where}: {error.strerror or error}")  # fmt: skip

    def said(self) -> int:
        """After the results: a line for the problem, for each variant that failed and for
        each note; the command's exit status."""
        failed = [update for update in self.updates if update.status == "failed"]
        lines = [self.problem] if self.problem else []
        lines += [f"{update.variant} failed: {update.detail}" for update in failed]
        for line in lines + self.notes:
            print(f"asyncplay: {line}", file=sys.stderr)
        return max(self.code, EXIT_HARNESS if failed else EXIT_OK)


def _run(variants: list[Variant], args: argparse.Namespace) -> _Ran:
    """Every variant, `args.repeat` times over, on one session's fault server."""
    ran = _Ran()
    progress = _Progress(sys.stderr.isatty() and not args.json, len(variants) * args.repeat)
    with contextlib.ExitStack() as stack:
        record: IO[str] | None = None
        if args.record is not None:
            record = open_for_writing(args.record, stack, force=args.force)

        def report(update: LabUpdate) -> None:
            nonlocal record
            ran.runs[-1].append(update)
            progress.show(update)
            if record is None:
                return
            try:
                record.write(update.to_json() + "\n")
                record.flush()
            except OSError as error:  # a full disk: the labs go on, unrecorded
                ran.problem = f"cannot write {args.record}: {error.strerror}"
                ran.code = EXIT_HARNESS
                with contextlib.suppress(OSError):
                    record.close()  # closed, though its last flush fails again
                record = None

        async def run_labs() -> None:
            async with Session() as session:
                for _ in range(args.repeat):
                    ran.runs.append([])
                    await session.run_labs(variants, report, most_runs=args.runs)

        try:
            asyncio.run(until_stopped(run_labs()))
        except Stopped as stopped:
            ran.problem, ran.code, ran.stopped = str(stopped), stopped.status, True
        finally:
            progress.clear()
    return ran


@dataclass(frozen=True)
class _Said:
    """A claim judged over every run: the verdict most gave, the judgement and numbers of
    the last run that gave it, and what the claim's variants ran on in all of them."""

    agreement: Agreement
    judgement: Judgement
    measured: Measured
    ran_on: RanOn | None


def _said(claim: Claim, runs: list[list[LabUpdate]]) -> _Said:
    measured = [measured_from(updates) for updates in runs or [[]]]
    judgements = [claim.judged(numbers) for numbers in measured]
    said = agreement([judgement.verdict for judgement in judgements])
    last = max(i for i, j in enumerate(judgements) if j.verdict == said.verdict)
    return _Said(said, judgements[last], measured[last], ran_on(runs, claim.needs))


def _grouped(chosen: Sequence[Claim]) -> list[tuple[str, list[Claim]]]:
    """The article's claims, then the ones beyond it, each under its heading (if it has any)."""
    groups = [(ARTICLE_HEADING, [c for c in chosen if c.in_article]),
              (BEYOND_HEADING, [c for c in chosen if not c.in_article])]  # fmt: skip
    return [(heading, claims) for heading, claims in groups if claims]


def claims_json(chosen: Sequence[Claim], runs: list[list[LabUpdate]]) -> list[dict[str, Any]]:
    """Each claim's row (the article's first, each with "in_article"), with what its
    variants ran on and each run's verdict."""
    rows = []
    for _, group in _grouped(chosen):
        for claim in group:
            said = _said(claim, runs)
            rows.append({
                **claims_module.to_json(claim, said.measured),
                "verdict": said.agreement.verdict,
                "runs": said.agreement.runs, "agreed": said.agreement.agreed,
                "verdicts": list(said.agreement.verdicts),
                "ran_on": said.ran_on.to_json() if said.ran_on else None,
            })  # fmt: skip
    return rows


def _variant_json(variant: Variant, updates: list[LabUpdate]) -> dict[str, Any]:
    last = next((u for u in reversed(updates) if u.variant == variant.key), None)
    return {
        "key": variant.key, "style": variant.style, "what": variant.what,
        "status": last.status if last else "not run", "detail": last.detail if last else "",
        "measured": last.numbers if last and last.status == "done" else {},
    }  # fmt: skip


def _console() -> Any:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 100, highlight=False)


def print_claims(chosen: Sequence[Claim], runs: list[list[LabUpdate]]) -> None:
    """Each claim under its heading: its verdict (with how many runs agreed, when there
    were several), the claim, the evidence, what it ran on, and the rule."""
    from rich.text import Text

    console = _console()
    for heading, group in _grouped(chosen):
        console.print(Text(heading, style="bold underline"))
        console.print()
        for claim in group:
            said = _said(claim, runs)
            verdict: str = said.agreement.verdict
            if said.agreement.runs > 1:
                verdict = f"{verdict} ({said.agreement.words()})  "
            head = Text.assemble(
                (f"{verdict:<11}", VERDICT_STYLE[said.agreement.verdict]),
                (claim.id, "bold"), f"  ({claim.section})",
            )  # fmt: skip
            console.print(head)
            console.print(Text(claim.claim, style="italic"), Text(said.judgement.evidence),
                          sep="\n")  # fmt: skip
            if said.ran_on is not None:
                console.print(Text(f"ran on {said.ran_on.words()}", style="dim"))
            if said.agreement.runs > 1:
                console.print(Text(f"runs: {', '.join(said.agreement.verdicts)}", style="dim"))
            console.print(Text(f"rule: {claim.rule}", style="dim"))
            console.print()
    sys.stdout.flush()


def _print_variants(variants: list[Variant], updates: list[LabUpdate]) -> None:
    _console().print(variants_table(variants, updates))


def variants_table(variants: list[Variant], updates: list[LabUpdate]) -> Any:
    """Each variant and what it measured, in words (or why it did not)."""
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for column in ("variant", "style", "what", "measured"):
        table.add_column(column, overflow="fold")
    for variant in variants:
        last = next((u for u in reversed(updates) if u.variant == variant.key), None)
        said: RenderableType = (
            in_words(last.numbers).renderable()
            if last is not None and last.status == "done"
            else Text(f"{last.status}: {last.detail}" if last else "not run")
        )
        table.add_row(variant.function, variant.style, variant.what, said)
    return table


class _Progress:
    """One self-erasing line on a terminal's stderr: which variant, how many done."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self.done, self.shown = enabled, total, 0, False

    def show(self, update: LabUpdate) -> None:
        if update.status != "running":
            self.done += 1
        if self.enabled:
            numbers = in_words(update.numbers).line()
            sys.stderr.write(f"\r\x1b[K[{self.done}/{self.total}] {update.variant} {numbers}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.enabled and self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
