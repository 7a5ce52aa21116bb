"""`asyncplay tour --script` and `--record`: the tour walked headless, each step's caption
printed as text once its runs are over (speaker notes, the README's section), from live runs
or from a recording (`--replay FILE`, no worker at all). Without either, the app opens on
the tour (`opened`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import textwrap
from typing import IO

from ..engine.errors import LogError, UsageError
from ..engine.session import Session
from ..engine.tour_runs import (
    TourWalk,
    printable,
    read_recording,
    run_step,
    write_header,
    write_step,
)
from ..engine.tours import Step, Tour
from ..engine.tours import load as load_tour
from .headless import Stopped, open_for_writing, until_stopped
from .usage import EXIT_HARNESS, EXIT_OK

# The most a recording may be: a whole tour's runs, with room to spare.
MAX_RECORDING_BYTES = 200_000_000
WIDTH = 88  # the script is read as notes and pasted into READMEs
INDENT = "   "


def opened(args: argparse.Namespace) -> TourWalk:
    """The tour the app opens on, and its recording if it is a replay (read, and checked,
    before the app takes the terminal: a bad file is one line and status 2)."""
    if args.force:
        raise UsageError("--force lets --record write over a file; the app records nothing")
    chosen = load_tour(args.name)
    recording = None
    if args.replay is not None:
        recording = read_recording(_read(args.replay), chosen, args.replay)
    return TourWalk(chosen, recording)


def tour(args: argparse.Namespace) -> int:
    chosen = load_tour(args.name)
    if args.replay is not None and args.record is not None:
        raise UsageError("--replay plays a recording back; it cannot --record one too")
    if args.replay is not None:
        recording = read_recording(_read(args.replay), chosen, args.replay)
        print(_heading(chosen, f"replayed from {args.replay}, {recording.said()}"))
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


def _heading(chosen: Tour, how: str) -> str:
    return f"{chosen.title}\n({how})\n"


def _step_text(chosen: Tour, index: int, step: Step, caption: str) -> str:
    chapter = chosen.chapter_of(index)
    setup = (f"claim {step.claim}" if step.is_claim
             else f"{step.scenario}: {', '.join(step.panels)}")  # fmt: skip
    head = f"{chapter}. {step.chapter} — {step.title}  [{setup}]"
    said = textwrap.fill(printable(caption), WIDTH, initial_indent=INDENT, subsequent_indent=INDENT)
    return f"{head}\n{said}\n"
