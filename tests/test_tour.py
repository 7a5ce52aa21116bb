"""The tour: its files, its captions from measured runs, and its recordings.

The built-in tour's run steps are walked once, each on its focused panel, in real workers,
with `asyncplay tour --record`; every caption must state what its run measured, and a
replay of the recording must give the same captions with no worker. A step whose run
contradicts the article says so. Bad tour files and recordings are refused in one line
(exit status 2).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_cli import asyncplay

from asyncplay.engine.errors import TourError
from asyncplay.engine.eventlog import read
from asyncplay.engine.events import decode
from asyncplay.engine.expectations import EXPECTATIONS
from asyncplay.engine.fold import RunState, fold
from asyncplay.engine.tours import Tour, load, own_folder, parse

ARTICLE = load()
# The article's sections, in its order, as the issue lists the tour's chapters.
CHAPTERS = ["One at a time", "Threads", "The thread pool", "Green threads", "Callbacks",
            "Generator coroutines", "async/await and gather", "TaskGroup", "One blocking call",
            "The claims"]  # fmt: skip


def own_tour(name: str, text: str) -> Path:
    folder = own_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def run_steps_only(tour: Tour) -> str:
    """The TOML of `tour`'s run steps, each on its focused panel alone: the caption is that
    run's (the claims steps are the labs' tests' to run, on their fixture's run)."""
    return "\n".join(
        f'[[step]]\nchapter = "{s.chapter}"\ntitle = "{s.title}"\nsay = "{s.say}"\n'
        f'scenario = "{s.scenario}"\npanels = ["{s.focus}"]\nexpect = "{s.expect}"\n'
        for s in tour.steps
        if not s.is_claim
    )


def captions(stdout: str) -> list[str]:
    """The captions of a script, one string each (its lines joined), after the heading."""
    blocks = stdout.split("\n\n")[1:]
    return [" ".join(line.strip() for line in block.strip().splitlines()[1:])
            for block in blocks if block.strip()]  # fmt: skip


def test_the_built_in_tour_walks_the_article_in_order() -> None:
    assert [title for title, _ in ARTICLE.chapters()] == CHAPTERS
    claims = {step.claim for step in ARTICLE.steps if step.is_claim}
    # The claims chapter: races, deadlocks, starvation, the secretary's switches, the cost.
    assert {"thread-races", "deadlocks", "starvation", "context-switches",
            "threads-not-free", "blocking-the-loop"} <= claims  # fmt: skip
    for step in ARTICLE.steps:
        assert step.say and (step.is_claim or step.focus in step.panels)


# The tests of the walked tour run on one xdist worker: each worker that took one walked the
# tour again for itself (22 s each, three times over).
WALKED = pytest.mark.xdist_group("tour-walked")


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The built-in tour's run steps, walked live once and recorded; then replayed."""
    home = tmp_path_factory.mktemp("home")
    folder = home / ".config" / "asyncplay" / "tours"
    folder.mkdir(parents=True)
    (folder / "runs.toml").write_text(run_steps_only(ARTICLE))
    recording = home / "runs.jsonl"
    env = {"HOME": str(home)}
    live = asyncplay("tour", "runs", "--script", "--record", str(recording), env=env)
    assert live.returncode == 0, live.stderr
    replay = asyncplay("tour", "runs", "--script", "--replay", str(recording), env=env)
    assert replay.returncode == 0, replay.stderr
    return {"live": live.stdout, "replay": replay.stdout, "recording": recording,
            "steps": [step for step in ARTICLE.steps if not step.is_claim]}  # fmt: skip


@pytest.mark.slow
@WALKED
def test_every_run_step_captions_what_its_run_measured(walked: dict[str, Any]) -> None:
    """Each caption names its focus panel's errors as the run's fates have them (read from
    the recorded events, apart from the caption's own code), and agrees with the article
    only where every fate is the one it expects."""
    said = captions(walked["live"])
    steps = walked["steps"]
    assert len(said) == len(steps)
    lines = walked["recording"].read_text().splitlines()[1:]
    for step, caption, line in zip(steps, said, lines, strict=True):
        assert caption.startswith(step.say), caption
        events = json.loads(line)["runs"][step.focus]
        run = fold(decode(json.dumps(event)) for event in events)
        assert f"{step.focus}: " in caption
        if step.expect.startswith("waiting-"):
            said_how_it_waited(step.expect, caption, run)
            continue
        # The errors that happened: a faulted task cancelled first had none.
        errors = sorted((row for row in run.errors() if row.fault is not None
                         and row.fate != "not_run"), key=lambda r: r.t)  # fmt: skip
        assert errors, f"{step.title}: no injected error in the run"
        # Named: the first to reach main(), if one did, else the first to happen.
        raised = [row for row in errors if row.fate == "raised"]
        named = raised[0] if raised else errors[0]
        assert f"{named.type} in task {named.task}" in caption, caption
        fates = [row.fate for row in errors]
        expected = {"raised": "raised", "returned": "returned", "logged": "logged",
                    "lost": "lost"}.get(step.expect)  # fmt: skip
        if expected is not None:
            agrees = set(fates) == {expected}
        elif step.expect == "all-raised":
            agrees = set(fates) == {"raised"}
        else:  # one-raised-rest-lost: gather's
            agrees = fates.count("raised") == 1 and set(fates) == {"raised", "lost"}
        cancelled = run.fates()["not_run"]
        assert (f"; {cancelled} more faulted tasks were cancelled" in caption) == (cancelled > 0)
        assert caption.endswith("As the article expects.") == agrees, caption
        assert caption.count("Unlike the article") == (not agrees), caption
        if "logged" in fates and len(errors) == 1:
            assert f"logged by {named.via}" in caption


def said_how_it_waited(expect: str, caption: str, run: RunState) -> None:
    """An X-ray step's caption: the most tasks one look saw waiting for a response, of how
    many; all of them at once for waiting-together, never two for waiting-in-turn."""
    most = max(len({task for _, task, _, state in sample.spots
                    if state == "network" and task is not None})
               for sample in run.samples)  # fmt: skip
    assert most > 0, f"{run.strategy}: no look saw a task waiting"
    assert f"at most {most} of its {len(run.tasks)} tasks waited for a response at once" in caption
    agrees = most == len(run.tasks) if expect == "waiting-together" else most == 1
    assert caption.endswith("As the article expects.") == agrees, caption


@pytest.mark.slow
@WALKED
def test_the_threads_step_says_the_error_died_in_its_thread(walked: dict[str, Any]) -> None:
    """The issue's own example: threads' error logged by threading.excepthook, main()
    never told, with the numbers."""
    caption = captions(walked["live"])[[s.chapter for s in walked["steps"]].index("Threads")]
    said = (
        r"threads: the \w+ in task \d+ was logged by threading\.excepthook; main\(\) "
        r"returned [\d.]+ s into the run and never heard of it"
    )
    assert re.search(said, caption), caption
    assert caption.endswith("As the article expects.")


@pytest.mark.slow
@WALKED
def test_a_replay_gives_the_same_captions_and_says_it_is_one(walked: dict[str, Any]) -> None:
    assert captions(walked["replay"]) == captions(walked["live"])
    heading = walked["replay"].splitlines()[1]
    assert heading.startswith(f"(replayed from {walked['recording']}, recorded ")
    assert " on " in heading and "Python 3." in heading


@pytest.mark.slow
@WALKED
@pytest.mark.parametrize(
    ("was", "now", "said"),
    [
        ("logged", "raised", ("Unlike the article, which expects the error to reach the "
         "code that started the work: threads: the ", "logged by threading.excepthook")),
        ("waiting-in-turn", "waiting-together", ("Unlike the article, which expects every "
         "task to wait for its response at the same time: sequential: at most 1 of its 3 "
         "tasks waited",)),
    ],
)  # fmt: skip
def test_a_run_that_contradicts_the_article_says_unlike_the_article(
    walked: dict[str, Any], home_of_its_own: Path, was: str, now: str, said: tuple[str, ...]
) -> None:
    """The first step expecting `was` (the threads step's error, logged; sequential's
    tasks, waiting in turn), its recorded run replayed under a step that expects `now`: the
    caption says what happened instead."""
    steps = walked["steps"]
    index = [step.expect for step in steps].index(was)
    contrary = run_steps_only(ARTICLE).replace(f'expect = "{was}"', f'expect = "{now}"', 1)
    own_tour("runs", contrary)
    assert load("runs").steps[index].expect == now
    replay = asyncplay("tour", "runs", "--script", "--replay", str(walked["recording"]))
    assert replay.returncode == 0, replay.stderr
    caption = captions(replay.stdout)[index]
    assert all(words in caption for words in said), caption


GOOD_STEP = """[[step]]
chapter = "Threads"
title = "An error dies in its thread"
say = "Each request runs in a thread of its own."
scenario = "handler-bug"
panels = ["threads"]
expect = "logged"
"""


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (('scenario = "handler-bug"', 'scenario = "nope"'), "no scenario 'nope'"),
        (('panels = ["threads"]', 'panels = ["fibers"]'), "names no style 'fibers'"),
        (('expect = "logged"', 'expect = "magic"'), "expects 'magic'; what the article can"),
        (('expect = "logged"', 'expect = "logged"\nfocus = "asyncio"'), "focuses 'asyncio'"),
        (('expect = "logged"', 'expect = "logged"\nclient = "aiohttp"'),
         "threads: no aiohttp lesson"),
        (('expect = "logged"', 'expect = "logged"\ncolour = "red"'), "unknown keys colour"),
        (('expect = "logged"', 'expect = "logged"\nshow = "film"'), "show = 'film'; it is one"),
        (('say = "Each', 'say = "\\u001b[31mEach'), "say holds control characters"),
        (('scenario = "handler-bug"\npanels = ["threads"]\nexpect = "logged"',
          'claim = "nope"'), "names no claim ('nope')"),
        (('expect = "logged"', 'expect = "logged"\nhighlight = "line"'),
         "highlight = 'line' points into the zoom: it needs show = \"zoom\""),
        (('scenario = "handler-bug"\npanels = ["threads"]\nexpect = "logged"',
          'claim = "deadlocks"\nhighlight = "xray"'), "highlight does not apply"),
    ],
)  # fmt: skip
def test_a_bad_step_is_refused_with_its_line_and_why(change: tuple[str, str], reason: str) -> None:
    text = "title = 'mine'\n\n" + GOOD_STEP + "\n" + GOOD_STEP.replace(*change)
    with pytest.raises(TourError) as refused:
        parse(text, "mine")
    # Two lines of title, the first step's seven and a blank: the second starts on line 11.
    assert str(refused.value).startswith("tour 'mine', line 11: step 2: "), str(refused.value)
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = [", "tour 'mine' is not valid TOML"),
        ("title = 'no steps'", "tour 'mine' has no steps"),
        ("stage = 1\n" + GOOD_STEP, "tour 'mine': unknown keys stage"),
        ("[[step]]\ntitle = 'x'", "line 1: step 1: has no chapter"),
    ],
)
def test_a_bad_tour_file_is_one_line_and_status_2(text: str, message: str) -> None:
    own_tour("mine", text)
    result = asyncplay("tour", "mine", "--script")
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: not a tour recording"),
        ("[1]\n", "line 1: not a JSON object"),
        ('{"format": "asyncplay-tour-recording", "version": 1, "tour": "other"}\n',
         "is a recording of the tour 'other', not 'article'"),
        ('{"format": "asyncplay-tour-recording", "version": 1, "tour": "article"}\n'
         '{"step": 99}\n', "line 2: no step 99 in 'article'"),
        ('{"format": "asyncplay-tour-recording", "version": 1, "tour": "article"}\n'
         '{"step": 1, "runs": {"sequential": [{"kind": "task_started", "t": "[red]"}]}}\n',
         "line 2: "),
        ('{"format": "asyncplay-tour-recording", "version": 1, "tour": "article"}\n'
         '{"step": 1, "runs": {"sequential": [{"kind": "task_started", "t": 0.1, "task": 3}]}}\n',
         "line 2: task_started before run_started"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("script", [["--script"], []], ids=["script", "app"])
def test_a_bad_recording_is_one_line_and_status_2(
    content: str, message: str, script: list[str], tmp_path: Path
) -> None:
    """Refused as text, and before the app would open (no terminal is taken)."""
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    result = asyncplay("tour", *script, "--replay", str(path))
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


def test_force_without_record_is_refused_before_the_app_opens() -> None:
    result = asyncplay("tour", "--force")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "--force lets --record write over a file; the app records nothing" in result.stderr


def test_a_tour_not_there_names_the_tours_there_are() -> None:
    result = asyncplay("tour", "nope", "--script")
    assert result.returncode == 2
    assert "no tour 'nope'; the tours are: article" in result.stderr


def test_a_faulted_task_cancelled_before_its_fault_had_no_error_to_judge() -> None:
    """In the recorded errors.jsonl, asyncio's gather raised one error and lost two, and
    asyncio.run cancelled three faulted tasks before they failed: nothing was lost there, so
    gather's expectation holds, and the caption counts the cancelled apart."""
    run = fold(read(Path(__file__).parent / "logs" / "errors.jsonl").runs["asyncio"])
    assert run.fates()["not_run"] == 3
    finding = EXPECTATIONS["one-raised-rest-lost"].judge(run)
    assert finding.agrees is True, finding.measured
    assert finding.measured.startswith("asyncio: 3 errors (2 lost, 1 raised); ")
    assert finding.measured.endswith("; 3 more faulted tasks were cancelled before they failed")
