"""`asyncplay tour --script` and `--record`: the tour walked headless, each step's caption
printed as text once its runs are over (speaker notes, the README's section), from live runs
or from a recording (`--replay FILE`, no worker at all).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import textwrap
import time
from typing import IO

from ..engine.errors import LogError, UsageError
from ..engine.session import Session
from ..engine.tour_runs import read_recording, run_step, write_header, write_step
from ..engine.tours import Step, Tour
from ..engine.tours import load as load_tour
from .headless import Stopped, open_for_writing, until_stopped
from .usage import EXIT_HARNESS, EXIT_OK

# The most a recording may be: a whole tour's runs, with room to spare.
MAX_RECORDING_BYTES = 200_000_000
WIDTH = 88  # the script is read as notes and pasted into READMEs
INDENT = "   "


def tour(args: argparse.Namespace) -> int:
    chosen = load_tour(args.name)
    if args.replay is not None and args.record is not None:
        raise UsageError("--replay plays a recording back; it cannot --record one too")
    if not (args.script or args.record is not None):
        raise UsageError(
            "the tour in the app is still to come: --script prints it, --record FILE keeps its runs"
        )
    if args.replay is not None:
        recording = read_recording(_read(args.replay), chosen, args.replay)
        print(_heading(chosen, f"replayed from {args.replay}, {_made(recording.made)}"))
        for index, step in enumerate(chosen.steps):
            ran = recording.steps.get(index)
            print(_step_text(chosen, index, step, ran.caption() if ran else "Not recorded."))
        return EXIT_OK
    return _live(chosen, args)


def _live(chosen: Tour, args: argparse.Namespace) -> int:
    print(_heading(chosen, "measured live, step by step"), flush=True)
    with contextlib.ExitStack() as stack:
        record: IO[str] | None = None
        if args.record is not None:
            record = open_for_writing(args.record, stack, force=args.force)
            write_header(record, chosen)

        def running(what: str) -> None:
            if sys.stderr.isatty():
                print(f"\r\x1b[Krunning {what}…", end="", file=sys.stderr, flush=True)

        async def walk() -> None:
            async with Session() as session:
                for index, step in enumerate(chosen.steps):
                    ran = await run_step(session, step, running)
                    if record is not None:
                        write_step(record, index, ran)
                    if sys.stderr.isatty():
                        print("\r\x1b[K", end="", file=sys.stderr, flush=True)
                    print(_step_text(chosen, index, step, ran.caption()), flush=True)

        try:
            asyncio.run(until_stopped(walk()))
        except Stopped as stopped:
            print(f"asyncplay: {stopped}", file=sys.stderr)
            return stopped.status
        except OSError as error:
            print(f"asyncplay: cannot write {args.record}: {error.strerror}", file=sys.stderr)
            return EXIT_HARNESS
    return EXIT_OK


def _read(path: str) -> str:
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_RECORDING_BYTES + 1)
    except OSError as error:
        raise LogError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_RECORDING_BYTES:
        raise LogError(f"{path} is over {MAX_RECORDING_BYTES:,} bytes: not a tour recording")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise LogError(f"{path} is not UTF-8 text: not a tour recording") from None


def printable(text: object) -> str:
    """`text` fit for a terminal: a caption and a recording's header come from a recording,
    and a lesson's error text, which may hold escape sequences; each such character is a ?."""
    return "".join(char if char.isprintable() else "?" for char in str(text))


def _heading(chosen: Tour, how: str) -> str:
    return f"{chosen.title}\n({how})\n"


def _made(made: dict[str, object]) -> str:
    when = made.get("made_at")
    stamp = "at a time unknown"
    if isinstance(when, int | float) and 0 < when < 1e11:  # a recording is untrusted input
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))
    host, python = made.get("host") or "an unknown host", made.get("python") or "?"
    said = f"recorded {stamp} on {host}, Python {python}, load {made.get('load_1m', '?')}"
    return printable(said)[:200]


def _step_text(chosen: Tour, index: int, step: Step, caption: str) -> str:
    chapter = sum(1 for _, first in chosen.chapters() if first <= index)
    setup = (f"claim {step.claim}" if step.is_claim
             else f"{step.scenario}: {', '.join(step.panels)}")  # fmt: skip
    head = f"{chapter}. {step.chapter} — {step.title}  [{setup}]"
    said = textwrap.fill(printable(caption), WIDTH, initial_indent=INDENT, subsequent_indent=INDENT)
    return f"{head}\n{said}\n"
