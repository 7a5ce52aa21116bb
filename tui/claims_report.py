"""`asyncplay claims` and `asyncplay lab NAME`: the labs headless, with their verdicts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import IO, Any

from ..engine import claims as claims_module
from ..engine.claims import CLAIMS, Claim, Measured
from ..engine.errors import UsageError
from ..engine.labrunner import LabUpdate, measured_from
from ..engine.labs import LABS, Variant, all_variants
from ..engine.session import Session
from .headless import open_for_writing, until_terminated
from .measured import in_words
from .usage import EXIT_HARNESS, EXIT_OK, EXIT_TERMINATED

VERDICT_STYLE = {"holds": "bold green", "partly": "bold yellow", "fails": "bold red",
                 "unmeasured": "dim"}  # fmt: skip


def claims(args: argparse.Namespace) -> int:
    needed = {key for claim in CLAIMS for key in claim.needs}
    variants = [variant for variant in all_variants() if variant.key in needed]
    updates, code = _run(variants, args)
    measured = measured_from(updates)
    if args.json:
        print(
            json.dumps({"claims": [claims_module.to_json(c, measured) for c in CLAIMS]}, indent=2)
        )
    else:
        _print_claims(list(CLAIMS), measured)
    return max(code, _failures(updates))


def lab(args: argparse.Namespace) -> int:
    chosen = LABS.get(args.name)
    if chosen is None:
        raise UsageError(f"no lab {args.name!r}; the labs are: {', '.join(LABS)}")
    unknown = sorted(set(args.styles or []) - set(chosen.styles))
    if unknown:
        has = ", ".join(chosen.styles)
        raise UsageError(f"lab {chosen.name} has no style {', '.join(unknown)}; it has: {has}")
    variants = chosen.of_styles(args.styles)
    updates, code = _run(variants, args)
    measured = measured_from(updates)
    judged = claims_module.claims_of({variant.key for variant in variants})
    if args.json:
        report = {
            "lab": chosen.name,
            "variants": [_variant_json(v, updates) for v in variants],
            "claims": [claims_module.to_json(claim, measured) for claim in judged],
        }
        print(json.dumps(report, indent=2))
    else:
        _print_variants(variants, updates)
        _print_claims(judged, measured)
    return max(code, _failures(updates))


def _run(variants: list[Variant], args: argparse.Namespace) -> tuple[list[LabUpdate], int]:
    updates: list[LabUpdate] = []
    progress = _Progress(sys.stderr.isatty() and not args.json, len(variants))
    with contextlib.ExitStack() as stack:
        record: IO[str] | None = None
        if args.record:
            record = open_for_writing(args.record, stack)

        def report(update: LabUpdate) -> None:
            updates.append(update)
            progress.show(update)
            if record is not None:
                record.write(update.to_json() + "\n")
                record.flush()

        async def run_labs() -> None:
            async with Session() as session:
                await session.run_labs(variants, report)

        try:
            asyncio.run(until_terminated(run_labs()))
        except asyncio.CancelledError:
            print("asyncplay: stopped by SIGTERM", file=sys.stderr)
            return updates, EXIT_TERMINATED
        finally:
            progress.clear()
    return updates, EXIT_OK


def _failures(updates: list[LabUpdate]) -> int:
    failed = [update for update in updates if update.status == "failed"]
    for update in failed:
        print(f"asyncplay: {update.variant} failed: {update.detail}", file=sys.stderr)
    return EXIT_HARNESS if failed else EXIT_OK


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
