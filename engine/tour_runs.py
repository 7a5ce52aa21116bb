"""A tour walked for real: each step's runs (or its claim's labs), kept, and the caption they
give. A recording (`asyncplay tour --record FILE`) keeps every step's events, and a replay
reads them back with no worker at all; both caption from the same measured runs.

A recording is JSON lines: first what it was made on and when, then one line per step, in
order, holding its runs' events (as the worker sent them) or its labs' updates. It is read
as untrusted input: every event and update is decoded, and each run's events checked for an
order a run can produce, as a log's are.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from . import events
from .claims import CLAIMS_BY_ID
from .errors import LogError, MalformedEvent
from .eventlog import RunCheck
from .events import Event
from .expectations import EXPECTATIONS, Finding, caption, claim_finding
from .fold import RunState, fold
from .labrunner import LabUpdate, measured_from
from .labs import all_variants
from .scenarios import load as load_scenario
from .session import Session
from .tours import Step, Tour

FORMAT = "asyncplay-tour-recording"
VERSION = 1
# A recording holds a whole tour's runs: its few dozen runs of fifty tasks take a few MB.
MAX_LINE = 50_000_000


@dataclass
class StepRun:
    """What one step measured: its panels' events, or its claim's lab updates."""

    step: Step
    runs: dict[str, list[Event]] = field(default_factory=dict)
    updates: list[LabUpdate] = field(default_factory=list)

    def states(self) -> dict[str, RunState]:
        return {panel: fold(events_) for panel, events_ in self.runs.items()}

    def finding(self) -> Finding:
        if self.step.is_claim:
            judgement = CLAIMS_BY_ID[self.step.claim].judged(measured_from(self.updates))
            return claim_finding(judgement)
        focus = self.states().get(self.step.focus)
        if focus is None:
            return Finding(None, f"{self.step.focus} did not run")
        return EXPECTATIONS[self.step.expect].judge(focus)

    def article(self) -> str:
        """What the article expects of this step, said after "the article expects"."""
        if self.step.is_claim:
            return f"“{CLAIMS_BY_ID[self.step.claim].claim.rstrip('.')}” to hold"
        return EXPECTATIONS[self.step.expect].article

    def caption(self) -> str:
        return caption(self.step.say, self.article(), self.finding())


async def run_step(session: Session, step: Step, report: Callable[[str], None]) -> StepRun:
    """Run what `step` needs, one run after another (so none competes for the CPU), on the
    session's fault server. `report` hears what is running."""
    ran = StepRun(step)
    if step.is_claim:
        needed = set(CLAIMS_BY_ID[step.claim].needs)
        variants = [variant for variant in all_variants() if variant.key in needed]
        report(f"the labs of {step.claim}")
        await session.run_labs(variants, ran.updates.append)
        return ran
    scenario = load_scenario(step.scenario)
    if step.client:
        scenario = dataclasses.replace(scenario, client=step.client)
    for panel in step.panels:
        ran.runs[panel] = []
        report(f"{panel} on {step.scenario}")

    def sink(strategy: str, event: Event) -> None:
        ran.runs[strategy].append(event)

    await session.run_each(scenario, list(step.panels), sink)
    return ran


def made_on() -> dict[str, Any]:
    """What a recording says of where and when it was made."""
    return {"format": FORMAT, "version": VERSION, "made_at": time.time(),
            "host": socket.gethostname(), "python": platform.python_version(),
            "load_1m": round(os.getloadavg()[0], 2)}  # fmt: skip


def write_header(stream: IO[str], tour: Tour) -> None:
    stream.write(json.dumps({**made_on(), "tour": tour.name}) + "\n")


def write_step(stream: IO[str], index: int, ran: StepRun) -> None:
    line: dict[str, Any] = {"step": index}
    if ran.step.is_claim:
        line["updates"] = [json.loads(update.to_json()) for update in ran.updates]
    else:
        line["runs"] = {panel: [json.loads(events.encode(event)) for event in events_]
                        for panel, events_ in ran.runs.items()}  # fmt: skip
    stream.write(json.dumps(line, separators=(",", ":")) + "\n")
    stream.flush()


@dataclass(frozen=True)
class Recording:
    """A tour's recorded runs, read back: what it was made on, and each step's runs."""

    tour: str
    made: dict[str, Any]
    steps: dict[int, StepRun]

    def said(self) -> str:
        """When and where it was recorded, in words fit for a terminal (a recording is
        untrusted input: its header may say anything)."""
        python, load = self.made.get("python") or "?", self.made.get("load_1m", "?")
        return printable(f"recorded {self.when_where()}, Python {python}, load {load}")[:200]

    def when_where(self, longest_host: int = 60) -> str:
        """When and on which host, short: "2026-12-03 19:31 UTC on vm"."""
        when = self.made.get("made_at")
        stamp = "at a time unknown"
        if isinstance(when, int | float) and 0 < when < 1e11:
            stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))
        host = printable(self.made.get("host") or "an unknown host")
        if len(host) > longest_host:
            host = host[: longest_host - 1] + "…"
        return f"{stamp} on {host}"


@dataclass
class TourWalk:
    """Where a tour stands in the app, kept across visits: the step shown (-1: the title
    card), every step measured so far, and for a replay the recording (nothing runs)."""

    tour: Tour
    recording: Recording | None = None
    at: int = -1
    kept: dict[int, StepRun] = field(default_factory=dict)

    def ran(self, index: int) -> StepRun | None:
        """What step `index` measured, if it has been (or was recorded)."""
        if self.recording is not None:
            return self.recording.steps.get(index)
        return self.kept.get(index)


def printable(text: object) -> str:
    """`text` fit for a terminal: a caption and a recording's header come from a recording,
    and a lesson's error text, which may hold escape sequences; each such character is a ?."""
    return "".join(char if char.isprintable() else "?" for char in str(text))


def read_recording(text: str, tour: Tour, where: str) -> Recording:
    """A recording of `tour`, checked line by line. Raises LogError in one line."""
    lines = text.splitlines()
    if not lines:
        raise LogError(f"{where} is empty: not a tour recording")
    header = _object(lines[0], where, 1)
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise LogError(f"{where} is not an asyncplay tour recording (version {VERSION})")
    if header.get("tour") != tour.name:
        raise LogError(f"{where} is a recording of the tour {header.get('tour')!r}, "
                       f"not {tour.name!r}")  # fmt: skip
    steps: dict[int, StepRun] = {}
    for number, line in enumerate(lines[1:], 2):
        data = _object(line, where, number)
        index = data.get("step")
        if type(index) is not int or not 0 <= index < len(tour.steps):
            raise LogError(f"{where}, line {number}: no step {index!r} in {tour.name!r}")
        step = tour.steps[index]
        try:
            steps[index] = _step_run(step, data)
        except (MalformedEvent, LogError, ValueError, TypeError, KeyError) as error:
            raise LogError(f"{where}, line {number}: {error}") from None
    made = {key: header.get(key) for key in ("made_at", "host", "python", "load_1m")}
    return Recording(tour.name, made, steps)


def _object(line: str, where: str, number: int) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        raise LogError(f"{where}, line {number}: over {MAX_LINE:,} characters")
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        raise LogError(f"{where}, line {number}: not JSON") from None
    if not isinstance(data, dict):
        raise LogError(f"{where}, line {number}: not a JSON object")
    return data


def _step_run(step: Step, data: dict[str, Any]) -> StepRun:
    ran = StepRun(step)
    if step.is_claim:
        updates = data.get("updates")
        if not isinstance(updates, list):
            raise LogError("a claims step without its updates")
        ran.updates = [LabUpdate.from_json(json.dumps(update)) for update in updates]
        return ran
    runs = data.get("runs")
    if not isinstance(runs, dict) or set(runs) != set(step.panels):
        raise LogError(f"the runs are not those of the step's panels ({', '.join(step.panels)})")
    count = load_scenario(step.scenario).count
    for panel, lines in runs.items():
        if not isinstance(lines, list):
            raise LogError(f"{panel}'s run is not a list of events")
        order = RunCheck(count)  # in an order a run of the step's scenario can produce
        ran.runs[panel] = []
        for line in lines:
            event = events.decode(json.dumps(line))
            order.check(event)
            ran.runs[panel].append(event)
    return ran
