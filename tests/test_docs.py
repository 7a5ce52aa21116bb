"""The README keeps its promises: two quick-start commands, generated fate and claims tables."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from asyncplay.engine.catalogue import STRATEGIES, client_run, clients_of
from asyncplay.engine.tours import load as load_tour

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_quick_start_has_the_launch_and_the_test_command() -> None:
    """CI runs the command under <!-- test-command -->; the launch command comes before it."""
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert commands == [
        "python -m pip install . && asyncplay",
        'python -m pip install ".[test]" && python -m pytest',
    ]
    assert "<!-- test-command -->" in quick_start


def test_the_fate_tables_were_generated_for_every_strategy() -> None:
    """scripts/fates_table.py filled the block: a row per strategy and client it has, in
    both tables."""
    block = README.split("<!-- fates:begin -->", 1)[1].split("<!-- fates:end -->", 1)[0]
    for name in STRATEGIES:
        for client in clients_of(name):
            assert block.count(f"| `{name}` | {client_run(name, client)} |") == 2, (name, client)


def test_the_claims_table_was_generated_for_every_claim() -> None:
    """scripts/claims_table.py filled the block: a row per claim, each with a verdict."""
    from asyncplay.engine.claims import CLAIMS

    block = README.split("<!-- claims:begin -->", 1)[1].split("<!-- claims:end -->", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [claim.id for claim in CLAIMS]
    assert all(re.search(r"\| \S+ (holds|partly|fails) \|", row) for row in rows)


def test_the_claims_table_puts_the_claims_beyond_the_article_in_a_table_of_their_own() -> None:
    """scripts/claims_table.py writes the article's claims in one table and, under a heading
    of its own, those the article does not make in another."""
    from asyncplay.engine.claims import CLAIMS, to_json
    from asyncplay.engine.labrunner import LabUpdate, measured_from

    spec = importlib.util.spec_from_file_location("claims_table", ROOT / "scripts/claims_table.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    log = (ROOT / "tests/logs/claims.jsonl").read_text().splitlines()
    measured = measured_from([LabUpdate.from_json(line) for line in log])
    block = script.tables([to_json(claim, measured) for claim in reversed(CLAIMS)])
    article, beyond = re.split(r"\n.*Beyond the article.*\n", block)
    for part, in_article in ((article, True), (beyond, False)):
        rows = [line.split("`")[1] for line in part.splitlines() if line.startswith("| `")]
        assert rows == [c.id for c in reversed(CLAIMS) if c.in_article is in_article]
        assert part.count("| claim | verdict | what was measured |") == 1


def test_what_to_take_from_the_model_table_is_what_bench_measured() -> None:
    """The two sentences help and README give a learner quote bench/model.json's numbers
    (the run the README's table was made from), as they are written there."""
    from asyncplay.tui.screens.help import MODEL_CPU_S, THREADS_RAW_KERNEL_S, model_or_library

    report = json.loads((ROOT / "bench" / "model.json").read_text())
    measured = {(style, "raw"): floor["cpu_s"] for style, floor in report["floors"].items()}
    measured |= {(run["style"], run["client"]): run["cpu_s"] for run in report["runs"]}
    for key, cpu_s in MODEL_CPU_S.items():
        assert cpu_s == pytest.approx(measured[key], rel=0.005), key  # three figures
    kernel = report["floors"]["threads"]["cpu_system_s"]
    assert pytest.approx(kernel, abs=0.01) == THREADS_RAW_KERNEL_S
    assert " ".join(model_or_library().split()) in " ".join(README.split())


def test_the_tours_script_in_the_readme_is_its_replay_of_the_kept_run() -> None:
    """README shows the whole tour as `--script` prints it from the live run kept in
    tests/logs/tour.jsonl; replayed now with no worker, the built-in tour gives every caption
    as shown (a changed step or caption rule must be shown again: rerun the command)."""
    command = [str(Path(sys.executable).with_name("asyncplay")), "tour", "--script", "--replay",
               "tests/logs/tour.jsonl"]  # fmt: skip
    replay = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert replay.returncode == 0, replay.stderr
    summary = "from one live run kept in tests/logs/tour.jsonl</summary>"
    block = README.split(summary, 1)[1].split("```\n", 1)[1].split("\n```\n", 1)[0]
    assert block == replay.stdout.rstrip()
    flat = " ".join(block.split())  # the captions are wrapped
    steps = len(re.findall(r"^\d+\. ", block, re.M))
    said = flat.count("As the article expects.") + flat.count("Unlike the article")
    assert steps == len(load_tour().steps) and said == steps, "a step not measured"
