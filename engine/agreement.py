"""A claim judged over repeated runs: the verdict most of them gave, and how many agreed.

`asyncplay claims --repeat K` judges each run on its own numbers. The verdict reported is
the one most runs gave; a run that measured nothing (`unmeasured`) gives none, though it is
one of the K. On a tie, the verdict that says the least for the article wins (fails, then
partly, then holds): a claim holds only where the runs said so more often than anything
else, and the tie is said beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .claims import Verdict

LEAST_FOR_THE_CLAIM_FIRST: tuple[Verdict, ...] = ("fails", "partly", "holds")


@dataclass(frozen=True)
class Agreement:
    verdict: Verdict  # the one reported
    agreed: int  # how many runs gave it
    verdicts: tuple[Verdict, ...]  # each run's, in the order they ran
    tied_with: tuple[Verdict, ...] = ()  # the others as many runs gave

    @property
    def runs(self) -> int:
        return len(self.verdicts)

    def words(self) -> str:
        """`2 of 3 runs`, `1 of 2 runs, tied with holds`."""
        runs = f"{self.agreed} of {self.runs} run{'s' if self.runs != 1 else ''}"
        return f"{runs}, tied with {' and '.join(self.tied_with)}" if self.tied_with else runs


def agreement(verdicts: Sequence[Verdict]) -> Agreement:
    counts: Counter[Verdict] = Counter(v for v in verdicts if v != "unmeasured")
    if not counts:
        return Agreement("unmeasured", len(verdicts), tuple(verdicts))
    most = max(counts.values())
    tied = [verdict for verdict in LEAST_FOR_THE_CLAIM_FIRST if counts[verdict] == most]
    return Agreement(tied[0], most, tuple(verdicts), tuple(tied[1:]))
