"""What the article expects of a run, and whether a measured run agrees: the words of a tour
step's caption (DESIGN.md, "Captions are measured too").

An expectation is named in a tour file (`expect = "logged"`) and is judged by a pure function
of the run alone: which errors the run had, and the fate the engine decided for each. The
judgement says what happened in words with the run's own numbers (tasks, error types, who
saw each error), so a caption is never a fixed sentence about an outcome. A run that cannot
answer (it has no error, or it did not end) is not measured, and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .claims import Judgement
from .events import Sampled
from .fold import FATE_LABELS, ErrorRow, Fate, RunState

# How the caption says each fate, after "the <error> in task N". A lesson's work starts in its
# `main(job)`: the caller is main(). The numbers are the run's own: when the error happened,
# and for one main() never heard of, how long main() went on.
FATE_WORDS: dict[Fate, str] = {
    "raised": "was raised to main(), {t:.2f} s into the run",
    "returned": "came back to main() as a value it had to check",
    "logged": "was logged by {via}; main() returned {wall:.2f} s into the run and never "
    "heard of it",
    "lost": "was lost: nothing saw it, and main() returned {wall:.2f} s into the run",
}  # no "not run": a task cancelled before its fault had no error to tell of


@dataclass(frozen=True)
class Finding:
    """A run judged against an expectation. `agrees` is None when the run cannot say."""

    agrees: bool | None
    measured: str  # what the run did, in words, with its numbers


@dataclass(frozen=True)
class Expectation:
    name: str
    article: str  # what the article expects, said after "the article expects"
    judge: Callable[[RunState], Finding]


def injected_errors(run: RunState) -> list[ErrorRow]:
    """The errors of the run's injected faults that happened, in the order they did. A
    faulted task cancelled before it reached its fault had no error: nothing saw or lost
    one (the fold calls its fate "not run"), and whether a task got that far is timing."""
    rows = (row for row in run.errors() if row.fault is not None and row.fate != "not_run")
    return sorted(rows, key=lambda row: row.t)


def error_said(row: ErrorRow, run: RunState) -> str:
    """One error and its fate, in the caption's words."""
    what = f"the {row.type} in task {row.task}"
    if row.fate is None:
        return f"{what} had no fate yet"
    words = FATE_WORDS[row.fate]
    return f"{what} {words.format(via=row.via or 'a framework', t=row.t, wall=run.wall_s)}"


def named_error(errors: list[ErrorRow]) -> ErrorRow:
    """Of several errors, the one a caption tells whole: the first to reach main(), if one
    did, else the first to happen."""
    return next((row for row in errors if row.fate == "raised"), errors[0])


def _unmeasured(run: RunState) -> Finding | None:
    """Why the run cannot answer, if it cannot."""
    if not run.over:
        return Finding(None, f"{run.strategy} has not finished its run")
    if run.aborted is not None:
        return Finding(None, f"{run.strategy}'s run was {run.status}: {run.aborted.detail}")
    if not injected_errors(run):
        return Finding(None, f"no injected error happened in {run.strategy}'s run")
    return None


def _every(fate: Fate) -> Callable[[RunState], Finding]:
    def judge(run: RunState) -> Finding:
        if (cannot := _unmeasured(run)) is not None:
            return cannot
        errors = injected_errors(run)
        return Finding(all(row.fate == fate for row in errors), _said(errors, run))

    return judge


def _said(errors: list[ErrorRow], run: RunState) -> str:
    """What the run did with its errors: one told whole; several counted by fate, with the
    one that reached main() (if one did, else the first) told whole; and the faulted tasks
    cancelled before their fault, if any."""
    if len(errors) == 1:
        text = error_said(errors[0], run)
    else:
        counts: dict[str, int] = {}
        for row in errors:
            said = FATE_LABELS[row.fate] if row.fate else "undecided"
            counts[said] = counts.get(said, 0) + 1
        spread = ", ".join(f"{count} {fate}" for fate, count in counts.items())
        text = f"{_errors(len(errors))} ({spread}); {error_said(named_error(errors), run)}"
    cancelled = run.fates()["not_run"]
    if cancelled:
        text += f"; {cancelled} more faulted tasks were cancelled before they failed"
    return f"{run.strategy}: {text}"


def _errors(count: int) -> str:
    return f"{count} error{'s' if count != 1 else ''}"


def one_raised_rest_lost(run: RunState) -> Finding:
    """gather: the error it was handed first reaches the caller, every other is lost."""
    if (cannot := _unmeasured(run)) is not None:
        return cannot
    errors = injected_errors(run)
    if len(errors) < 2:
        return Finding(None, f"{_said(errors, run)}: there is no second error to follow")
    raised = [row for row in errors if row.fate == "raised"]
    agrees = len(raised) == 1 and all(row.fate == "lost" for row in errors if row not in raised)
    return Finding(agrees, _said(errors, run))


def all_raised(run: RunState) -> Finding:
    """Every error that happened reached the caller."""
    if (cannot := _unmeasured(run)) is not None:
        return cannot
    errors = injected_errors(run)
    return Finding(all(row.fate == "raised" for row in errors), _said(errors, run))


def most_waiting(run: RunState) -> tuple[int, Sampled | None]:
    """The most tasks the X-ray saw waiting for a response at one look, and the first look
    that saw that many (None: no look saw a task waiting)."""
    most, seen = 0, None
    for sample in run.samples:
        waiting = {spot[1] for spot in sample.spots if spot[3] == "network" and spot[1] is not None}
        if len(waiting) > most:
            most, seen = len(waiting), sample
    return most, seen


def _not_watched(run: RunState) -> Finding | None:
    """Why the X-ray cannot say how the run's tasks waited, if it cannot."""
    if not run.over:
        return Finding(None, f"{run.strategy} has not finished its run")
    if run.aborted is not None:
        return Finding(None, f"{run.strategy}'s run was {run.status}: {run.aborted.detail}")
    if most_waiting(run)[1] is None:
        looks = f"{len(run.samples)} X-ray looks" if run.samples else "no X-ray look"
        return Finding(None, f"{looks} saw a task of {run.strategy} waiting for a response")
    return None


def _waiting_said(run: RunState) -> str:
    most, seen = most_waiting(run)
    assert seen is not None  # _not_watched said so otherwise
    lines = sorted({spot[2] for spot in seen.spots if spot[3] == "network"})
    at = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"
    looks = f"{len(run.samples)} X-ray look{'s' if len(run.samples) != 1 else ''}"
    return (f"{run.strategy}: at most {most} of its {len(run.tasks)} tasks waited for a "
            f"response at once, in {looks} (at {at}, {seen.t:.2f} s in)")  # fmt: skip


def waiting_together(run: RunState) -> Finding:
    """Coroutines, threads, greenlets: every task waits for its response at the same time."""
    if (cannot := _not_watched(run)) is not None:
        return cannot
    return Finding(most_waiting(run)[0] == len(run.tasks) > 1, _waiting_said(run))


def waiting_in_turn(run: RunState) -> Finding:
    """One at a time: no two tasks ever wait for their responses together."""
    if (cannot := _not_watched(run)) is not None:
        return cannot
    return Finding(most_waiting(run)[0] == 1, _waiting_said(run))


EXPECTATIONS: dict[str, Expectation] = {
    expectation.name: expectation
    for expectation in (
        Expectation("raised", "the error to reach the code that started the work",
                    _every("raised")),
        Expectation("returned", "the error to come back as a value", _every("returned")),
        Expectation("logged", "the error to be logged, and the caller never to hear of it",
                    _every("logged")),
        Expectation("lost", "the error to be lost", _every("lost")),
        Expectation("one-raised-rest-lost",
                    "one error to reach the caller, and the others to be lost",
                    one_raised_rest_lost),
        Expectation("all-raised", "every error to reach the caller, together", all_raised),
        Expectation("waiting-together",
                    "every task to wait for its response at the same time", waiting_together),
        Expectation("waiting-in-turn",
                    "each request to wait for the one before it to be answered",
                    waiting_in_turn),
    )
}  # fmt: skip


def claim_finding(judgement: Judgement) -> Finding:
    """A claim's verdict as a finding: the article says the claim holds; its lab's verdict,
    a pure function of the numbers (claims.py), says whether it did, and its evidence how."""
    if judgement.verdict == "unmeasured":
        return Finding(None, judgement.evidence)
    return Finding(judgement.verdict == "holds", f"{judgement.verdict}: {judgement.evidence}")


def caption(say: str, article: str, finding: Finding) -> str:
    """A step's caption: its own words, then what the run measured and how that stands
    against what the article expects (`article`, said after "the article expects")."""
    lead = f"{say.rstrip()} " if say.strip() else ""
    if finding.agrees is None:
        return f"{lead}Not measured: {_sentence(finding.measured)}"
    if finding.agrees:
        return f"{lead}{_sentence(finding.measured)} As the article expects."
    return f"{lead}Unlike the article, which expects {article}: {_sentence(finding.measured)}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
