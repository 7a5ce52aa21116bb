"""What a lesson can do to the process boundary, done by real lessons in real workers: a lesson
is user code, and whatever its worker sends the parent is input. A line on the event pipe that
is not an event ends that run as crashed, in one line naming the problem, and nothing else; an
error of 20 MB is cut, and says so. And whatever the lesson does to its worker's threads, the
worker ends with its parent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
from helpers import scenario
from lessons_of_mine import write
from procs import alive, marked
from test_cli import ASYNCPLAY
from waiting import PATIENCE_S, eventually

from asyncplay.engine import events
from asyncplay.engine.errors import MESSAGE_MAX
from asyncplay.engine.fold import RunState
from asyncplay.engine.processes import PIPE_LINE_LIMIT
from asyncplay.engine.runner import run_strategy
from asyncplay.engine.targets import Target

# A lesson that writes `PAYLOAD` (a Python expression) to its worker's event pipe as it is
# imported: before its RunStarted, so that no event of the worker's own shares the pipe with
# it. The worker is told its pipe on its command line, as anyone could read.
WRITES_TO_THE_PIPE = '''"""Writes {what} to its worker's event pipe."""
import os
import sys

with open(int(sys.argv[sys.argv.index("--events-fd") + 1]), "wb", closefd=False) as pipe:
    pipe.write({payload})


def main(job):
    return []
'''
# What a child may send that is no event, and how the run's end names the problem.
NOT_EVENTS = {
    "an unhashable kind": ('b\'{"kind": ["x"]}\\n\'', "unknown event kind (a list, not text)"),
    "5,000 digits": ('b\'{"kind": "task_started", "t": 0, "task": \' + b"9" * 5000 + b"}\\n"',
                     "cannot be read: Exceeds the limit (4300 digits)"),
    "not JSON": ('b"no event\\n"', "not JSON: Expecting value"),
    "100,000 brackets": ('b"[" * 100_000 + b"\\n"', "nested too deep"),
    "not UTF-8": ('b\'{"kind": "\\xff"}\\n\'', "not UTF-8 text"),
    "a line past the limit": (f'b"x" * {PIPE_LINE_LIMIT + 1} + b"\\n"',
                              f"a line of over {PIPE_LINE_LIMIT:,} bytes"),
}  # fmt: skip


def run_beside_sequential(
    lesson: Path, target: Target, **options: bool
) -> tuple[RunState, RunState]:
    """The lesson's run and a built-in's, side by side, as the app runs them."""
    mine, other = RunState(), RunState()

    async def side_by_side() -> None:
        await asyncio.gather(
            run_strategy("mine", scenario(), target, mine.apply, file=str(lesson), **options),
            run_strategy("sequential", scenario(), target, other.apply),
        )

    asyncio.run(side_by_side())
    return mine, other


@pytest.mark.parametrize(("payload", "said"), list(NOT_EVENTS.values()), ids=list(NOT_EVENTS))
def test_what_is_not_an_event_ends_its_run_alone_crashed_in_one_line(
    tmp_path: Path, target: Target, payload: str, said: str
) -> None:
    """The run is crashed, its end one line that names what was wrong; the run beside it
    goes on to its end, and so does the parent (it raised nothing)."""
    lesson = write(tmp_path, "mine.py", WRITES_TO_THE_PIPE.format(what=said, payload=payload))
    mine, other = run_beside_sequential(lesson, target)
    assert mine.status == "crashed" and mine.aborted is not None
    detail = mine.aborted.detail
    assert detail.startswith(f"the worker sent a malformed event: {said}"), detail
    assert "\n" not in detail and len(detail) <= MESSAGE_MAX
    assert other.completed, other.aborted  # the other run went on, and the parent with it


TEXT_MAX_SAID = "(cut: 20,000,"  # the start of the cut's note for a message of 20 MB


def test_an_error_of_20_mb_is_cut_and_says_so(tmp_path: Path, target: Target) -> None:
    """A main that raises an error of 20 MB: the run is done, and the error it raised comes
    cut to a sane length, saying it was cut and how long it was."""
    lesson = write(tmp_path, "mine.py", "def main(job):\n    raise ValueError('x' * 20_000_000)\n")
    mine, other = run_beside_sequential(lesson, target)
    assert mine.completed, mine.aborted
    (raised,) = mine.stray
    assert raised.via == "main() raised" and raised.error == "ValueError"
    assert len(raised.traceback) == events.TEXT_MAX
    assert raised.traceback.startswith("Traceback") and TEXT_MAX_SAID in raised.traceback
    assert other.completed, other.aborted


def test_a_text_too_long_from_the_pipe_is_cut_by_the_parent(tmp_path: Path, target: Target) -> None:
    """An event under the line limit whose text is past any sane length (written by the
    lesson, not the worker, which cuts its own): the parent cuts it, and says so."""
    payload = 'b\'{"kind": "output", "t": 0, "text": "\' + b"x" * 5_000_000 + b\'"}\\n\''
    lesson = write(tmp_path, "mine.py", WRITES_TO_THE_PIPE.format(what="a long text",
                                                                   payload=payload))  # fmt: skip
    mine, _ = run_beside_sequential(lesson, target)
    assert mine.completed, mine.aborted
    (said,) = [text for text in mine.output if text.startswith("x")]
    assert len(said) == events.TEXT_MAX and said.endswith("(cut: 5,000,000 characters)")


# Lessons that leave their worker deaf, each waiting long past any test once it says its pid
# (in the file named by its environment): the parent is killed then.
BREAKS_ITS_PIPE = '''"""Puts a pipe nobody reads in place of its event pipe, and waits."""
import os
import sys
import time

from asyncplay.engine.worker import probe


def main(job):
    events_fd = int(sys.argv[sys.argv.index("--events-fd") + 1])
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.dup2(write_end, events_fd)  # the reporter's next write breaks on it
    with job.client() as client:
        client.get(job.urls[0])  # events for the reporter to write
    reporter = probe.REPORTER
    while reporter.queue and reporter._stopped.locked():  # until it has tried, and died
        time.sleep(0.01)
    with open(os.environ["PID_FILE"], "w") as said:
        said.write(str(os.getpid()))
    time.sleep(3600)
'''
HOLDS_THE_GIL = '''"""Matches a regular expression for hours, holding the GIL all along: no other
thread of the worker runs."""
import os
import re


def main(job):
    with open(os.environ["PID_FILE"], "w") as said:
        said.write(str(os.getpid()))
    re.match("(x+x+)+y", "x" * 40)
'''
STOPS_ITSELF = '''"""Stops its own worker: no thread of it runs."""
import os
import signal


def main(job):
    with open(os.environ["PID_FILE"], "w") as said:
        said.write(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGSTOP)
'''


@pytest.mark.parametrize(
    "lesson", [BREAKS_ITS_PIPE, HOLDS_THE_GIL, STOPS_ITSELF],
    ids=["breaks its pipe", "holds the GIL", "stops itself"],
)  # fmt: skip
def test_a_worker_ends_with_its_killed_parent_whatever_its_lesson_does(
    tmp_path: Path, lesson: str
) -> None:
    """kill -9 of the parent (`asyncplay run`): its worker goes too, with no thread of its
    own left to notice (the pipe that its reporter watched from is broken, the GIL is held,
    the process stopped), and so does everything else the command started."""
    mine, pid_file, mark = write(tmp_path, "mine.py", lesson), tmp_path / "pid", uuid.uuid4().hex
    parent = subprocess.Popen(
        [ASYNCPLAY, "run", "--strategy-file", str(mine), "-n", "1", "--latency", "10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        env={**os.environ, "PID_FILE": str(pid_file), "ASYNCPLAY_TEST_MARK": mark},
    )  # fmt: skip
    try:
        worker = int(eventually(lambda: pid_file.exists() and pid_file.read_text(),
                                what="the lesson to say its worker's pid"))  # fmt: skip
        parent.kill()
        parent.wait()
        eventually(lambda: not alive(worker), what="the worker to end with its parent",
                   timeout=60)  # fmt: skip
        eventually(lambda: marked(mark) == set(), what="nothing of the command left running")
    finally:
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)


FORKS = '''"""Forks a child that outlives main, and another that starts a session of its own."""
import os
import time


def main(job):
    stays = os.fork()
    if stays == 0:
        time.sleep(3600)
        os._exit(0)
    leaves = os.fork()
    if leaves == 0:
        os.setsid()
        {and_then}
        time.sleep(3600)
        os._exit(0)
    while os.getsid(leaves) == os.getsid(0):  # until it has left
        time.sleep(0.01)
    with open(os.environ["PID_FILE"], "w") as said:
        said.write(f"{stays} {leaves}")
    return []
'''


@pytest.mark.parametrize(
    "and_then", ["pass", "os.closerange(0, 1024)"], ids=["keeps its pipes", "closes them"]
)
def test_what_a_lesson_forks_ends_with_its_run_and_a_runaway_is_named(
    tmp_path: Path, and_then: str
) -> None:
    """A lesson that forks: its child, left running when main returns, ends with the run (it
    holds the worker's output open: the run ends when the worker does, not at its deadline).
    One that started a session of its own (os.setsid) is out of the reach of the run's
    process group: it is found all the same, ended, and named in a warning under the
    results, whether it holds the worker's pipes or closed them as a daemon does."""
    mine = write(tmp_path, "forks.py", FORKS.replace("{and_then}", and_then))
    pid_file, mark = tmp_path / "pid", uuid.uuid4().hex
    try:
        result = subprocess.run(  # a deadline past the test's patience: the run ends by itself
            [ASYNCPLAY, "run", "--strategy-file", str(mine), "-n", "1", "--latency", "10",
             "--deadline", str(PATIENCE_S * 5)],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=PATIENCE_S,
            env={**os.environ, "PID_FILE": str(pid_file), "ASYNCPLAY_TEST_MARK": mark},
        )  # fmt: skip
        stays, leaves = map(int, pid_file.read_text().split())
        eventually(lambda: not alive(stays) and not alive(leaves),
                   what="the lesson's children to end with its run", timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        (warning,) = result.stderr.splitlines()
        assert warning.startswith(f"asyncplay: warning: forks: the lesson's process {leaves} ")
        assert "a session of its own (os.setsid)" in warning and "ended" in warning
        assert str(stays) not in warning  # in the run's group: ended with it, nothing to say
    finally:
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)


def test_what_a_lesson_prints_last_is_in_its_run(
    tmp_path: Path, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson's print just before main returns reaches the run's output, before its end:
    though the worker skips the interpreter's exit (no flush of its own), and though its
    output and its events come down two pipes, read in whatever order they come. Under a
    Python that buffers stdout, as a user's does, ten runs in a row."""
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    lesson = write(tmp_path, "mine.py", "def main(job):\n    print('last words')\n    return []\n")
    for _ in range(10):
        state = RunState()
        asyncio.run(run_strategy("mine", scenario(), target, state.apply, file=str(lesson)))
        assert state.completed, state.aborted
        assert "".join(state.output) == "last words\n"
