"""What `asyncplay claims` and `asyncplay lab` report beside each verdict: what its variants
ran on, how many of repeated runs agreed, and the article's claims apart from the rest."""

from __future__ import annotations

import argparse
import json
import platform
from dataclasses import replace
from pathlib import Path

import pytest
from test_claims_cache import MEASURED
from test_cli import asyncplay

from asyncplay.engine import claims_cache
from asyncplay.engine.agreement import agreement
from asyncplay.engine.claims import CLAIMS, CLAIMS_BY_ID
from asyncplay.engine.labrunner import LabUpdate, RunContext, measured_from
from asyncplay.engine.ran_on import ran_on
from asyncplay.tui import claims_report

A = LabUpdate("x", "done", {}, context=RunContext("3.11.7", 0.5, 100.0))
B = LabUpdate("y", "done", {}, context=RunContext("3.12.1", 2.25, 50.0))
C = LabUpdate("z", "done", {}, context=RunContext("3.13.0", 9.0, 10.0))  # not the claim's
STARTED = LabUpdate("x", "running", {}, context=RunContext("3.11.7", 7.0, 0.0))


def test_ran_on_names_the_pythons_and_the_load_range_of_the_claims_variants() -> None:
    ran = ran_on([[STARTED, A, B, C]], {"x", "y"})
    assert ran is not None
    assert ran.words() == "Python 3.11.7 and 3.12.1, load 0.5–2.25"
    assert ran.to_json() == {"python": ["3.11.7", "3.12.1"], "load_1m": [0.5, 2.25],
                             "started_at": [50.0, 100.0]}  # fmt: skip
    assert ran_on([[A]], {"x"}).words() == "Python 3.11.7, load 0.5"  # type: ignore[union-attr]
    assert ran_on([[C, STARTED]], {"x"}) is None  # the claim's variant started, never ended


def test_ran_on_counts_a_variants_last_end_in_a_run_and_every_run() -> None:
    """As its numbers: a variant measured again in one run is its last measurement; over
    repeated runs, each run's counts."""
    again = replace(A, context=RunContext("3.11.7", 4.0, 200.0))
    assert ran_on([[A, again]], {"x"}).load_1m == (4.0, 4.0)  # type: ignore[union-attr]
    assert ran_on([[A], [again]], {"x"}).load_1m == (0.5, 4.0)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("verdicts", "verdict", "agreed", "words"),
    [
        (["holds"] * 3, "holds", 3, "3 of 3 runs"),
        (["holds", "partly", "holds"], "holds", 2, "2 of 3 runs"),
        (["partly", "fails", "fails", "holds"], "fails", 2, "2 of 4 runs"),
        # a tie: the verdict that says the least for the claim, and the tie said
        (["holds", "fails"], "fails", 1, "1 of 2 runs, tied with holds"),
        (["holds", "partly", "partly", "holds"], "partly", 2, "2 of 4 runs, tied with holds"),
        # a run that measured nothing votes for nothing, but it is one of the runs
        (["unmeasured", "holds"], "holds", 1, "1 of 2 runs"),
        (["unmeasured", "unmeasured"], "unmeasured", 2, "2 of 2 runs"),
        (["partly"], "partly", 1, "1 of 1 run"),
    ],
)
def test_the_verdict_most_runs_gave_and_how_many_agreed(
    verdicts: list[str], verdict: str, agreed: int, words: str
) -> None:
    said = agreement(verdicts)  # type: ignore[arg-type]
    assert (said.verdict, said.agreed, said.runs, said.words()) == (
        verdict, agreed, len(verdicts), words
    )  # fmt: skip
    assert said.verdicts == tuple(verdicts)


def _runs() -> list[list[LabUpdate]]:
    """The recorded run twice, the second at a higher load."""
    later = RunContext("3.11.7", 2.5, MEASURED[0].context.started_at + 60)  # type: ignore[union-attr]
    return [MEASURED, [replace(update, context=later) for update in MEASURED]]


def test_the_text_puts_the_articles_claims_and_the_rest_under_their_headings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each claim under its heading, with what its variants ran on and, over repeated runs,
    how many agreed and each run's verdict."""
    claims_report.print_claims(list(reversed(CLAIMS)), _runs())
    text = capsys.readouterr().out
    article, beyond = text.index("The article's claims"), text.index("Beyond the article")
    measured = measured_from(MEASURED)
    for claim in CLAIMS:
        verdict = claim.judged(measured).verdict
        at = text.index(f"{verdict} (2 of 2 runs)  {claim.id}  ")
        assert article < at < beyond if claim.in_article else beyond < at, claim.id
        block = text[at:].split("\n\n", 1)[0]
        assert "ran on Python 3.11.7, load 1.8–2.5" in block, block
        assert f"runs: {verdict}, {verdict}" in block, block


def test_one_run_is_one_verdict_with_no_count(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --repeat: no count and no list of runs; only the headings that have claims."""
    claims_report.print_claims([CLAIMS_BY_ID["forgotten-tasks"]], [MEASURED])
    text = capsys.readouterr().out
    assert text.startswith("Beyond the article\n") and "The article's claims" not in text
    assert "of 1 run" not in text and "runs:" not in text
    assert "ran on Python 3.11.7, load 1.8\n" in text


def test_the_json_has_the_articles_claims_first_and_for_each_its_runs() -> None:
    rows = claims_report.claims_json(list(reversed(CLAIMS)), _runs())
    assert [row["in_article"] for row in rows] == sorted(
        (claim.in_article for claim in CLAIMS), reverse=True
    )
    measured = measured_from(MEASURED)
    for row in rows:
        verdict = CLAIMS_BY_ID[row["id"]].judged(measured).verdict
        assert (row["verdict"], row["runs"], row["agreed"]) == (verdict, 2, 2)
        assert row["verdicts"] == [verdict, verdict]
        assert row["ran_on"]["python"] == ["3.11.7"] and row["ran_on"]["load_1m"] == [1.8, 2.5]


def test_claims_repeated_records_every_run_and_keeps_the_last_for_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`claims --repeat 2 --json --record FILE` on two cheap claims (one of the article's, one
    beyond it), run in this process: each claim's verdict is the one most runs gave, with
    the count; the record holds both runs; the cache, the last one."""
    chosen = (CLAIMS_BY_ID["callbacks-swallow"], CLAIMS_BY_ID["forgotten-tasks"])
    monkeypatch.setattr(claims_report, "CLAIMS", chosen[::-1])
    record = tmp_path / "claims.jsonl"
    args = argparse.Namespace(json=True, record=str(record), force=False, repeat=2, runs=None)
    assert claims_report.claims(args) == 0
    rows = json.loads(capsys.readouterr().out)["claims"]
    assert [row["id"] for row in rows] == [claim.id for claim in chosen]
    for row in rows:
        assert row["runs"] == 2 and len(row["verdicts"]) == 2
        said = agreement(row["verdicts"])
        assert (row["verdict"], row["agreed"]) == (said.verdict, said.agreed)
        assert row["ran_on"]["python"] == [platform.python_version()]
    updates = [LabUpdate.from_json(line) for line in record.read_text().splitlines()]
    needed = [key for claim in chosen[::-1] for key in claim.needs]
    ends = [update for update in updates if update.status != "running"]
    assert [update.variant for update in ends] == needed * 2
    assert claims_cache.load() == (ends[len(needed) :], "")


def test_lab_repeated_counts_its_runs_and_keeps_nothing() -> None:
    """`asyncplay lab forgotten --repeat 2 --json`, as a user runs it: its claim judged over
    both runs; a lab is not the whole measurement, so the app's is left as it was."""
    result = asyncplay("lab", "forgotten", "--repeat", "2", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)["claims"]
    assert row["id"] == "forgotten-tasks" and row["in_article"] is False
    assert row["runs"] == 2 and row["agreed"] == agreement(row["verdicts"]).agreed
    assert row["ran_on"]["python"] == [platform.python_version()]
    assert claims_cache.load() == ([], "")
