"""`asyncplay claims` and `asyncplay lab NAME`: the labs headless, with their verdicts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from ..engine import claims as claims_module
from ..engine.claims import CLAIMS, Claim, Measured
from ..engine.errors import UsageError
from ..engine.labrunner import LabUpdate, measured_from
from ..engine.labs import LABS, Variant, all_variants
from ..engine.session import Session
from .headless import Stopped, open_for_writing, until_stopped
from .measured import in_words
from .usage import EXIT_HARNESS, EXIT_OK

VERDICT_STYLE = {"holds": "bold green", "partly": "bold yellow", "fails": "bold red",
                 "unmeasured": "dim"}  # fmt: skip


def claims(args: argparse.Namespace) -> int:
    needed = {key for claim in CLAIMS for key in claim.needs}
    variants = [variant for variant in all_variants() if variant.key in needed]
    ran = _run(variants, args)
    measured = measured_from(ran.updates)
    if args.json:
        print(
            json.dumps({"claims": [claims_module.to_json(c, measured) for c in CLAIMS]}, indent=2)
        )
    else:
        _print_claims(list(CLAIMS), measured)
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
    measured = measured_from(ran.updates)
    judged = claims_module.claims_of({variant.key for variant in variants})
    if args.json:
        report = {
            "lab": chosen.name,
            "variants": [_variant_json(v, ran.updates) for v in variants],
            "claims": [claims_module.to_json(claim, measured) for claim in judged],
        }
        print(json.dumps(report, indent=2))
    else:
        _print_variants(variants, ran.updates)
        _print_claims(judged, measured)
    return ran.said()


@dataclass
class _Ran:
    """What the labs gave, and what went wrong beside them (a signal, the record file)."""

    updates: list[LabUpdate] = field(default_factory=list)
    problem: str = ""
    code: int = EXIT_OK

    def said(self) -> int:
        """After the results: a line for the problem and for each variant that failed; the
        command's exit status."""
        failed = [update for update in self.updates if update.status == "failed"]
        lines = [self.problem] if self.problem else []
        lines += [f"{update.variant} failed: {update.detail}" for update in failed]
        for line in lines:
            print(f"asyncplay: {line}", file=sys.stderr)
        return max(self.code, EXIT_HARNESS if failed else EXIT_OK)


def _run(variants: list[Variant], args: argparse.Namespace) -> _Ran:
    ran = _Ran()
    progress = _Progress(sys.stderr.isatty() and not args.json, len(variants))
    with contextlib.ExitStack() as stack:
        record: IO[str] | None = None
        if args.record is not None:
            record = open_for_writing(args.record, stack, force=args.force)

        def report(update: LabUpdate) -> None:
            nonlocal record
            ran.updates.append(update)
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
                await session.run_labs(variants, report, most_runs=args.runs)

        try:
            asyncio.run(until_stopped(run_labs()))
        except Stopped as stopped:
            ran.problem, ran.code = str(stopped), stopped.status
        finally:
            progress.clear()
    return ran


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


def _print_claims(chosen: list[Claim], measured: Measured) -> None:
    from rich.text import Text

    console = _console()
    for claim in chosen:
        judgement = claim.judged(measured)
        head = Text.assemble(
            (f"{judgement.verdict:<11}", VERDICT_STYLE[judgement.verdict]),
            (claim.id, "bold"), f"  ({claim.section})",
        )  # fmt: skip
        console.print(head)
        console.print(Text(claim.claim, style="italic"), Text(judgement.evidence), sep="\n")
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
