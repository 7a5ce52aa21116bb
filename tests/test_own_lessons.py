"""A learner's own lessons, headless: `--strategy-file` runs a file exactly like a built-in
(the same worker, hooks and fates), the user's folder lists in `asyncplay strategies`, and a
file that cannot be a lesson is one line and exit status 2, never a traceback."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest
from helpers import run, scenario
from lessons_of_mine import (
    ASYNC_MAIN,
    ASYNC_MAIN_LINE,
    HANGS,
    IMPORT_ERROR,
    MAIN_BOUND_TO_NOTHING,
    MAIN_OF_NOTHING,
    MAIN_OF_NOTHING_LINE,
    NO_MAIN,
    ORIGINAL_THREADS,
    SYNTAX_ERROR,
    SYNTAX_ERROR_LINE,
    THREADS_FIXED,
    write,
)
from procs import marked
from test_cli import asyncplay

from asyncplay.engine import lessons
from asyncplay.engine.catalogue import STRATEGIES
from asyncplay.engine.errors import LessonError
from asyncplay.engine.targets import Target

SMALL = ("-n", "6", "--latency", "50", "--timeout", "1", "-f", "handler-bug@2")


def test_the_queue_fix_raises_what_the_original_logs(tmp_path: Path) -> None:
    """The copy of threads that queues its errors and re-raises them, run beside the
    original: the same handler bug is logged by threading.excepthook in one, raised in the
    other. The copy's error is marked at its own lines."""
    fixed = write(tmp_path, "threads.py", THREADS_FIXED)
    result = asyncplay("run", "-s", "threads", "--strategy-file", str(fixed), *SMALL, "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["strategy"]: row for row in json.loads(result.stdout)["results"]}
    assert list(rows) == ["threads", "threads′"]
    assert rows["threads"]["fates"]["logged"] == 1
    assert rows["threads′"]["fates"]["raised"] == 1
    (error,) = [e for e in rows["threads′"]["errors"] if e["fault"] == "handler-bug"]
    assert error["fate"] == "raised"


def test_a_file_alone_runs_alone_and_its_log_replays(tmp_path: Path) -> None:
    """Without -s only the file runs, under its stem; its recorded log loads again."""
    mine = write(tmp_path, "my_threads.py", ORIGINAL_THREADS)
    log = tmp_path / "run.jsonl"
    result = asyncplay("run", "--strategy-file", str(mine), *SMALL, "--json", "--record", str(log))
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)["results"]
    assert row["strategy"] == "my_threads" and row["fates"]["logged"] == 1
    from asyncplay.engine.eventlog import read

    assert list(read(log).runs) == ["my_threads"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (SYNTAX_ERROR, f"syntax error, line {SYNTAX_ERROR_LINE}"),
        (NO_MAIN, "no main(job)"),
        (IMPORT_ERROR, "importing it raised ModuleNotFoundError"),
        (MAIN_OF_NOTHING, "main() cannot take the job"),
        (ASYNC_MAIN, "main(job) is async"),
        (MAIN_BOUND_TO_NOTHING, "main() cannot take the job"),
    ],
    ids=["syntax error", "no main", "import error", "main()", "async main", "main = lambda"],
)
def test_a_file_that_cannot_be_a_lesson_is_one_line_and_status_2(
    tmp_path: Path, text: str, said: str
) -> None:
    bad = write(tmp_path, "bad.py", text)
    result = asyncplay("run", "--strategy-file", str(bad), *SMALL)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert said in result.stderr and str(bad) in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("path", "said"),
    [("nowhere/at/all.py", "no such file"), (".", "is a folder")],
)
def test_a_bad_path_is_one_line_and_status_2(path: str, said: str) -> None:
    result = asyncplay("run", "--strategy-file", path, *SMALL)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert said in result.stderr


def test_the_same_name_twice_is_refused(tmp_path: Path) -> None:
    one = write(tmp_path / "a", "threads.py", ORIGINAL_THREADS)
    two = write(tmp_path / "b", "threads.py", ORIGINAL_THREADS)
    result = asyncplay("run", "--strategy-file", str(one), "--strategy-file", str(two), *SMALL)
    assert result.returncode == 2 and "given twice" in result.stderr


def test_a_lesson_that_hangs_is_killed_at_its_deadline(tmp_path: Path) -> None:
    """A main that never returns: the run is killed at --deadline, said in one line, and
    nothing of it is left running."""
    stuck = write(tmp_path, "stuck.py", HANGS)
    result = asyncplay("run", "--strategy-file", str(stuck), *SMALL, "--deadline", "3",
                       env={"ASYNCPLAY_TEST_MARK": "hangs"})  # fmt: skip
    assert result.returncode == 1
    assert "stuck killed: no result after 3 s" in result.stderr
    assert marked("hangs") == set()


def test_the_users_folder_is_listed_as_theirs(home_of_its_own: Path) -> None:
    """A copy of a built-in is listed with the mark, another file by its stem; each says
    where it is."""
    folder = home_of_its_own / ".config" / "asyncplay" / "strategies"
    write(folder, "threads.py", THREADS_FIXED)
    write(folder, "mine.py", HANGS)
    listed = asyncplay("strategies").stdout.splitlines()
    names = [line.split()[0] for line in listed if not line.startswith(" ")]
    assert names == [*STRATEGIES, "threads′", "mine"]
    assert f"yours: {folder / 'mine.py'}" in "\n".join(listed)
    assert "A lesson that never returns." in "\n".join(listed)


def test_check_names_the_line_of_a_syntax_error() -> None:
    with pytest.raises(LessonError) as raised:
        lessons.check(SYNTAX_ERROR, "threads.py")
    assert raised.value.line == SYNTAX_ERROR_LINE
    with pytest.raises(LessonError, match="no main"):
        lessons.check(NO_MAIN, "threads.py")
    lessons.check(THREADS_FIXED, "threads.py")  # sound: no error


def test_a_lesson_in_the_users_folder_runs_by_its_name(home_of_its_own: Path) -> None:
    """-s threads′ runs the user's copy from their folder; a name nobody has is refused,
    listing the names there are."""
    write(home_of_its_own / ".config" / "asyncplay" / "strategies", "threads.py", THREADS_FIXED)
    result = asyncplay("run", "-s", "threads′", "-s", "threads", *SMALL, "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["strategy"]: row["fates"] for row in json.loads(result.stdout)["results"]}
    assert rows["threads"]["logged"] == 1 and rows["threads′"]["raised"] == 1
    refused = asyncplay("run", "-s", "asyncio′", *SMALL)
    assert refused.returncode == 2 and "threads′" in refused.stderr


@pytest.mark.parametrize("name", ["../../etc/x", ".hidden", "a/b", "mine′", "x" * 65])
def test_a_log_naming_a_path_is_refused(tmp_path: Path, name: str) -> None:
    """A run's name in a log becomes a file name in the user's folder when replayed: one
    that is a path, hidden, too long, or a name no file gets (mine.py is mine, never mine′)
    is refused."""
    from asyncplay.engine.errors import LogError
    from asyncplay.engine.eventlog import read

    log = tmp_path / "log.jsonl"
    header = {"kind": "scenario", "version": 1, "scenario": {}, "strategies": [name]}
    log.write_text(json.dumps(header) + "\n")
    with pytest.raises(LogError, match="strategy names"):
        read(log)


def test_a_main_that_cannot_take_the_job_is_refused_at_its_line() -> None:
    """`def main():` and `async def main(job)` would run, leave every task unfinished and
    exit 0: refused before they run, with the editor's cursor put on their line."""
    with pytest.raises(LessonError, match=r"main\(\) cannot take the job") as raised:
        lessons.check(MAIN_OF_NOTHING, "threads.py")
    assert raised.value.line == MAIN_OF_NOTHING_LINE
    with pytest.raises(LessonError, match=r"main\(job\) is async") as raised:
        lessons.check(ASYNC_MAIN, "asyncio.py")
    assert raised.value.line == ASYNC_MAIN_LINE
    for fine in ("main(job)", "main(*args)", "main(job, extra=1, *, more=2)", "main(job=None)"):
        lessons.check(f"def {fine}: pass\n", "a.py")
    for unfit in ("main(job, extra)", "main(*, job)", "main(job, *, more)"):
        with pytest.raises(LessonError, match=rf"{re.escape(unfit)} cannot take the job"):
            lessons.check(f"def {unfit}: pass\n", "a.py")


@pytest.mark.parametrize(
    ("text", "said"),
    [(MAIN_BOUND_TO_NOTHING, "main() cannot take the job"), (ASYNC_MAIN, "main(job) is async")],
    ids=["main = lambda", "async main"],
)
def test_a_main_that_cannot_take_the_job_ends_its_run_crashed_in_one_line(
    home_of_its_own: Path, target: Target, text: str, said: str
) -> None:
    """The app lists the files in the user's folder as they are, and runs one without the
    headless checks: its worker refuses such a main before the run (no task started, none
    left unfinished as if the run had been), and says why."""
    mine = write(home_of_its_own / ".config" / "asyncplay" / "strategies", "mine.py", text)
    state = run("mine", scenario(), target, file=str(mine))
    assert state.status == "crashed" and state.aborted is not None
    assert said in state.aborted.detail, state.aborted.detail
    assert state.tasks == [] and state.finished is None  # refused before it started


def test_main_may_be_bound_in_a_block_or_annotated() -> None:
    lessons.check("try:\n    from x import main\nexcept ImportError:\n    pass\n", "a.py")
    lessons.check("main: object = print\n", "a.py")
    lessons.check("from elsewhere import *\n", "a.py")


def test_each_file_in_the_users_folder_has_a_name_of_its_own(home_of_its_own: Path) -> None:
    """The mark is what the app adds to a copy of a built-in (threads.py is threads′), so a
    file whose stem already ends in it (threads′.py, saved under the name the app shows) gets
    one more: one name, one file, and each name leads back to its own file."""
    folder = home_of_its_own / ".config" / "asyncplay" / "strategies"
    files = {stem: write(folder, f"{stem}.py", f"'''{stem}'s.'''\n\ndef main(job):\n    pass\n")
             for stem in ("threads", "threads′", "mine", "mine′")}  # fmt: skip
    listed = {lesson.name: lesson.file for lesson in lessons.own_lessons()}
    assert listed == {
        "threads′": files["threads"], "threads′′": files["threads′"],
        "mine": files["mine"], "mine′′": files["mine′"],
    }  # fmt: skip
    for name, path in listed.items():
        assert lessons.named(name).file == path and lessons.is_lesson_name(name)
    assert lessons.named("threads′").original == "threads"
    assert lessons.named("threads′′").original is None  # a lesson of its own, not a copy
    assert not lessons.is_lesson_name("mine′")  # no file has it: mine.py is mine
    shown = [line.split()[0] for line in asyncplay("strategies").stdout.splitlines()
             if not line.startswith(" ")]  # fmt: skip
    assert shown == [*STRATEGIES, *listed]


def test_a_reader_sees_the_lesson_before_its_save_or_after_never_a_part(tmp_path: Path) -> None:
    """A worker that starts a run as the editor saves (the zoom saves the edit again as it
    closes, while the run it asked for starts) reads the old text or the new one, whole: never
    an empty or half-written file. Two texts of 200 KB, saved in turn, read all along."""
    path = tmp_path / "threads.py"
    texts = ["# one\n" * 35_000, "# the other\n" * 17_000]
    lessons.save_source(path, texts[0])
    saving = True
    seen: set[str] = set()

    def read_all_along() -> None:
        while saving:
            seen.add(path.read_text(encoding="utf-8"))

    reader = threading.Thread(target=read_all_along)
    reader.start()
    try:
        for number in range(200):
            lessons.save_source(path, texts[number % 2])
    finally:
        saving = False
        reader.join()
    assert seen <= set(texts), sorted(len(text) for text in seen - set(texts))
    assert [entry.name for entry in tmp_path.iterdir()] == ["threads.py"]  # nothing left over


def test_a_lesson_that_is_a_link_stays_one_when_saved(tmp_path: Path) -> None:
    """The user's folder may link a lesson to their own files: a save writes through it."""
    kept = write(tmp_path / "dotfiles", "mine.py", "def main(job):\n    return []\n")
    link = tmp_path / "strategies" / "mine.py"
    link.parent.mkdir()
    link.symlink_to(kept)
    lessons.save_source(link, "def main(job):\n    return [1]\n")
    assert link.is_symlink() and kept.read_text() == "def main(job):\n    return [1]\n"


def test_a_lesson_saved_under_a_home_of_spaces_and_accents_runs_as_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: Target
) -> None:
    """Saved under a HOME with spaces and non-ASCII letters in it, a lesson runs from its
    folder; saved again in the same second at the same length (what a .pyc is checked by),
    the next run runs the new text, not the old one compiled."""
    home = tmp_path / "Ana María's home – 名前"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)  # as a user's Python does
    path = lessons.own_folder() / "threads.py"

    def save(said: str) -> None:
        lessons.save_source(path, f"def main(job):\n    print('{said}')\n    return []\n")

    def ran() -> str:
        state = run("threads′", scenario(), target, file=str(path))
        assert state.completed, state.aborted
        return "".join(state.output).strip()

    save("first")
    assert ran() == "first"
    first_saved = path.stat().st_mtime_ns
    save("again")  # the same length, and (below) the same second, as far as a .pyc can tell
    os.utime(path, ns=(first_saved, first_saved))
    assert ran() == "again"
    assert sorted(entry.name for entry in path.parent.iterdir()) == ["threads.py"]
