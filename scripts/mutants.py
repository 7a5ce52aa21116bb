"""Would the tests notice? One-token changes to the engine, each tried against its tests.

    python scripts/mutants.py              # every mutant (a few minutes on two cores)
    python scripts/mutants.py rank ideal   # those whose name holds "rank" or "ideal"

Each mutant is one small edit of the code (a comparison, a boundary, a rank, a branch) and
the test files that guard that code. The script copies the tree as git knows it to a scratch
folder, makes the edit there, and runs those tests against the copy: the package is imported
from the copy (PYTHONPATH), so the workers the tests start run the mutant too. A mutant is
killed when its tests fail, and the report names the tests that failed; one that survives
is a place the tests do not guard. The tree itself is never touched.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str  # must occur exactly once in the file
    new: str
    tests: tuple[str, ...]


# fmt: off
MUTANTS = (
    Mutant("fraction rounded down", "engine/workload.py",
           "max(1, round(count * self.fraction))", "max(1, int(count * self.fraction))",
           ("tests/test_workload.py",)),
    Mutant("a claim's threshold moved in its judge", "engine/claims.py",
           "if share >= IDLE_SHARE_HOLDS", "if share >= 0.5",
           ("tests/test_claims.py",)),
    Mutant("returned ranked below logged", "engine/fold.py",
           'CHANNEL_RANK = {"raised": 0, "returned": 1, "logged": 2}',
           'CHANNEL_RANK = {"raised": 0, "returned": 2, "logged": 1}',
           ("tests/test_fold.py",)),
    Mutant("a task id equal to the count let into a log", "engine/eventlog.py",
           "if task is not None and task >= self.tasks:",
           "if task is not None and task > self.tasks:",
           ("tests/test_eventlog.py",)),
    Mutant("the X-ray's queued rows deleted", "engine/worker/states.py",
           '    ("/threading.py", "Semaphore.", "queued"),\n'
           '    ("/threading.py", "BoundedSemaphore.", "queued"),\n'
           '    ("/asyncio/locks.py", "Semaphore.", "queued"),\n'
           '    ("/asyncio/locks.py", "BoundedSemaphore.", "queued"),\n',
           "",
           ("tests/test_states.py", "tests/test_xray.py")),
    Mutant("a with header read after the callee", "engine/worker/states.py",
           "    entering = _entering(frame)\n"
           "    if entering is not None:\n        return entering\n",
           "",
           ("tests/test_xray.py",)),
    Mutant("sighting nearest the caller becomes the farthest", "engine/fold.py",
           "return min(task.seen, key=lambda seen: CHANNEL_RANK[seen.channel], default=None)",
           "return max(task.seen, key=lambda seen: CHANNEL_RANK[seen.channel], default=None)",
           ("tests/test_fold.py",)),
    Mutant("a killed run calls an unseen error lost", "engine/fold.py",
           'return "lost" if self.completed else None', 'return "lost"',
           ("tests/test_fold.py",)),
    Mutant("a cut-off task's fault counted as its own", "engine/fold.py",
           "        if task.failed is not None and task.failed.cut_off:\n"
           '            return "not_run"  # whoever saw the error saw the cut, not this fault\n',
           "",
           ("tests/test_fold.py",)),
    Mutant("a run that stopped early compared with the ideal", "engine/fold.py",
           'return self.completed and not self.counts()["unfinished"] and not cut_off',
           "return self.completed and not cut_off",
           ("tests/test_fold.py", "tests/test_table.py")),
    Mutant("the ideal ignores the concurrency limit", "engine/workload.py",
           "slots = [0.0] * max(1, min(limit, len(self.tasks)))",
           "slots = [0.0] * max(1, len(self.tasks))",
           ("tests/test_workload.py",)),
    Mutant("a refused task costs the ideal its latency", "engine/workload.py",
           "        if self.fault is Fault.REFUSED:\n            return 0.0\n", "",
           ("tests/test_workload.py",)),
    Mutant("a task as long as the timeout let through", "engine/workload.py",
           "if longest >= self.timeout_s:", "if longest > self.timeout_s:",
           ("tests/test_workload.py",)),
    Mutant("a fraction of 0 accepted", "engine/workload.py",
           "if not 0 < value <= 1:", "if not 0 <= value <= 1:",
           ("tests/test_workload.py",)),
    Mutant("the limit may exceed the tasks", "engine/workload.py",
           "return min(self.concurrency, self.count) if self.concurrency else self.count",
           "return self.concurrency if self.concurrency else self.count",
           ("tests/test_workload.py",)),
    Mutant("an HTTP status of 600 let into a log", "engine/events.py",
           '_count(event, "status", 599)', '_count(event, "status", 600)',
           ("tests/test_fold.py", "tests/test_eventlog.py")),
    Mutant("a task that ends as it starts refused", "engine/eventlog.py",
           "elif isinstance(event, events.TaskFinished | events.TaskFailed) and event.t < (",
           "elif isinstance(event, events.TaskFinished | events.TaskFailed) and event.t <= (",
           ("tests/test_eventlog.py",)),
    Mutant("events after a run's end relayed", "engine/relay.py",
           "        if self.over:\n            return\n", "",
           ("tests/test_runner.py",)),
    Mutant("a hidden file names a lesson", "engine/lessons.py",
           'and not stem.startswith(".")', "",
           ("tests/test_own_lessons.py",)),
    Mutant("a message cut one character early", "engine/errors.py",
           "return first if len(first) <= limit else", "return first if len(first) < limit else",
           ("tests/test_errors.py",)),
    Mutant("a run that reported its end still counted running", "engine/session.py",
           "if not run.over and not run.task.done()", "if not run.task.done()",
           ("tests/test_session.py",)),
    Mutant("a cancelled end leaves its child dying", "engine/processes.py",
           "            await asyncio.shield(task)\n", "            await task\n",
           ("tests/test_processes.py",)),
)
# fmt: on


def copy_tree(to: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)
    package = to / "_import" / "asyncplay"  # the package as installed maps it
    package.mkdir(parents=True)
    for part in ("strategies", "engine", "tui"):
        (package / part).symlink_to(to / part)


def failed_tests(output: str) -> list[str]:
    return sorted(set(re.findall(r"^FAILED (\S+)", output, re.M)))


def run(mutant: Mutant, scratch: Path) -> tuple[bool, list[str]]:
    path = scratch / mutant.file
    original = path.read_text()
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the text to change is not in {mutant.file} once")
    path.write_text(original.replace(mutant.old, mutant.new))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *mutant.tests],
            cwd=scratch, capture_output=True, text=True,
            env={**_environ(), "PYTHONPATH": str(scratch / "_import")},
        )  # fmt: skip
    finally:
        path.write_text(original)
    return done.returncode != 0, failed_tests(done.stdout)


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only mutants whose name holds one of these")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.names or any(n in m.name for n in args.names)]
    survived = 0
    with tempfile.TemporaryDirectory(prefix="asyncplay-mutants-") as folder:
        scratch = Path(folder)
        copy_tree(scratch)
        print("| place | mutation | killed by |\n|---|---|---|")
        for mutant in chosen:
            killed, by = run(mutant, scratch)
            survived += not killed
            verdict = ", ".join(by) if killed else "**survived**"
            print(f"| `{mutant.file}` | {mutant.name} | {verdict} |", flush=True)
    sys.exit(1 if survived else 0)


if __name__ == "__main__":
    main()
