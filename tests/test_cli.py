"""The `asyncplay` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shlex
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from procs import marked
from waiting import PATIENCE_S, eventually

from asyncplay.engine import claims_cache
from asyncplay.engine.catalogue import STRATEGIES, client_run, clients_of
from asyncplay.engine.eventlog import read
from asyncplay.engine.events import RunAborted, TaskStarted
from asyncplay.engine.fold import fold
from asyncplay.engine.result import ResultRow
from asyncplay.engine.scenarios import builtin_names
from asyncplay.engine.server_process import refused_port

# The console script pip installed beside this interpreter.
ASYNCPLAY = str(Path(sys.executable).with_name("asyncplay"))


def asyncplay(
    *args: str, timeout: float = PATIENCE_S, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [ASYNCPLAY, *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def test_help_and_the_lists() -> None:
    """--help, --version, and one line per strategy, scenario and fault kind."""
    assert asyncplay("--help").returncode == 0
    assert asyncplay("--version").stdout.startswith("asyncplay ")
    listed = asyncplay("strategies").stdout.splitlines()
    assert [line.split()[0] for line in listed if not line.startswith(" ")] == list(STRATEGIES)
    clients = [line.split("clients: ")[1] for line in listed if "clients: " in line]
    assert clients == [", ".join(client_run(s, c) for c in clients_of(s)) for s in STRATEGIES]
    assert clients[0] == "httpx, requests" and clients[4] == "tornado"  # sequential, callbacks
    assert "handler-bug" in asyncplay("scenarios").stdout
    assert len(asyncplay("faults").stdout.splitlines()) == 8


def test_help_imports_nothing_heavy() -> None:
    """Answering --help loads neither the engine's libraries nor Textual."""
    probe = (
        "import sys\nfrom asyncplay.tui import cli\ntry:\n    cli.main(['run', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'httpx', 'gevent', 'tornado', 'rich', 'asyncio') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _busy_port() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "-n", "-3"], "must be 1 to 100,000"),
        (["run", "-n", "10000000"], "must be 1 to 100,000, not 10,000,000"),
        (["run", "-s", "asyncio", "-s", "asyncio"], "'asyncio' is given twice"),
        (["run", "--target", ""], "is not an http(s) URL"),
        (["run", "--record", "", "-n", "1"], "cannot write ''"),
        (["run", "--scenario", ""], "no scenario ''"),
        (["run", "-s", "fibers"], "unknown strategy 'fibers'"),
        (["run", "-f", "explode"], "unknown fault 'explode'"),
        (["run", "-f", "reset@x"], "must be integers"),
        (["run", "--latency", "soon"], "is not a number"),
        (["run", "--scenario", "/no/such.toml"], "no scenario"),
        (["run", "--target", "not a url"], "is not an http(s) URL"),
        (["run", "--target", "http://127.0.0.1:9", "-f", "reset"], "cannot express the reset"),
        (["run", "--record", "/no/such/dir/log.jsonl", "-n", "1"], "cannot write"),
        (["run", "-n", "3", "-f", "timeout@5"], "task 5 does not exist"),
        (["replay", "/no/such/log.jsonl"], "cannot read"),
        (["frobnicate"], "invalid choice"),
        (["serve", "--port", "70000"], "a port is 0 to 65535"),
        (["run", "--target", "http://[::1"], "is not a URL"),
        (["run", "--latency", "nan"], "is not a finite number"),
        (["claims", "--repeat", "0"], "argument --repeat: must be 1 to 20, not 0"),
        (["claims", "--repeat", "-2"], "argument --repeat: must be 1 to 20, not -2"),
        (["claims", "--repeat", "1000"], "argument --repeat: must be 1 to 20, not 1,000"),
        (["claims", "--repeat", "twice"], "argument --repeat: 'twice' is not a number"),
        (["lab", "races", "--repeat", "2.5"], "argument --repeat: '2.5' is not a number"),
        (["run", "--client", "urllib"], "no client 'urllib': one of httpx, aiohttp, requests"),
        (
            ["run", "-s", "threads", "--client", "aiohttp"],
            "threads: no aiohttp lesson; its clients: httpx, requests",
        ),
        (
            ["run", "-s", "callbacks", "--client", "requests"],
            "callbacks: it keeps Tornado's own client, not requests",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str) -> None:
    """Every kind of bad input: exit 2, a single line naming the problem, no traceback."""
    marker = uuid.uuid4().hex
    result = asyncplay(*args, env={"ASYNCPLAY_TEST_MARK": marker})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert marked(marker) == set()


def test_scenario_flags_before_the_command_count() -> None:
    """`asyncplay -n 3 run` runs three tasks, not the default fifty."""
    result = asyncplay("-n", "3", "--latency", "10", "run", "-s", "asyncio", "--json")
    assert json.loads(result.stdout)["results"][0]["tasks"] == 3


def test_a_busy_port_is_bad_input() -> None:
    """`serve --port` on a port already taken: one line, status 2."""
    with _busy_port() as sock:
        result = asyncplay("serve", "--port", str(sock.getsockname()[1]))
    assert result.returncode == 2
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_scenario_file_is_bad_input(tmp_path: Path) -> None:
    """A scenario file with an unknown key: one line, status 2."""
    path = tmp_path / "bad.toml"
    path.write_text("coutn = 3\n")
    result = asyncplay("run", "--scenario", str(path))
    assert result.returncode == 2 and "unknown keys coutn" in result.stderr


def test_json_report_and_record_agree_and_nothing_is_left_running(tmp_path: Path) -> None:
    """--json has the promised shape; the recorded log folds to the same results."""
    marker = uuid.uuid4().hex
    log = tmp_path / "run.jsonl"
    result = asyncplay(
        "run", "-n", "6", "--latency", "50", "-s", "threads", "-s", "taskgroup",
        "-f", "http-500@2", "--json", "--record", str(log), env={"ASYNCPLAY_TEST_MARK": marker},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["scenario"]["count"] == 6 and report["scenario"]["faults"] == ["http-500@2"]
    results = report["results"]
    assert [row["strategy"] for row in results] == ["threads", "taskgroup"]
    keys = {"strategy", "status", "wall_s", "ideal_s", "ratio", "cpu_s", "tasks", "ok", "failed",
            "unfinished", "injected", "fates", "undecided", "unexplained_failures", "errors",
            "ctx_switches", "threads_peak", "max_rss_kb", "xray"}  # fmt: skip
    for row in results:
        assert keys <= set(row)
        assert set(row["fates"]) == {"raised", "returned", "logged", "lost", "not_run"}
        assert sum(row["fates"].values()) == row["injected"] == 1
        assert row["ok"] + row["failed"] + row["unfinished"] == row["tasks"] == 6
        assert row["unexplained_failures"] == {}
        assert set(row["ctx_switches"]) == {"voluntary", "involuntary"}
        error = next(e for e in row["errors"] if e["task"] == 2)
        assert set(error) == {"task", "fault", "type", "fate", "via"}
    assert results[0]["fates"]["logged"] == 1 and results[1]["fates"]["raised"] == 1

    recorded = read(log)
    assert list(recorded.runs) == ["threads", "taskgroup"]
    assert [ResultRow.of(fold(recorded.runs[name])).to_json() for name in recorded.runs] == results
    assert all(row["xray"].startswith("on:") for row in results)  # the log keeps its looks
    assert marked(marker) == set()


def test_a_run_not_recorded_does_not_look_with_the_xray() -> None:
    """Without --record nothing would ever show the X-ray's looks: the run does not pay for
    them, and its row says the X-ray was off."""
    result = asyncplay("run", "-n", "3", "--latency", "20", "-s", "threads", "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["results"]
    assert row["xray"] == "off: turned off for this run"


def test_a_client_runs_the_styles_that_have_it_and_names_it() -> None:
    """--client aiohttp without -s: the asyncio styles run with it, the others do not, and
    the scenario line and the rows say so."""
    result = asyncplay("run", "-n", "3", "--latency", "20", "--client", "aiohttp", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["scenario"]["client"] == "aiohttp"
    rows = {row["strategy"]: row["client"] for row in report["results"]}
    assert rows == {"asyncio": "aiohttp", "taskgroup": "aiohttp"}


def test_the_table_names_every_strategy() -> None:
    """The default output: a row per strategy and the scenario on top."""
    result = asyncplay("run", "-n", "3", "--latency", "20", "--scenario", "clean", "-n", "3")
    assert result.returncode == 0, result.stderr
    assert "clean: 3 tasks" in result.stdout
    for name in STRATEGIES:
        assert f" {name} " in result.stdout


def test_an_httpbin_target(server_url: str) -> None:
    """--target speaks httpbin's /delay and /status routes (here, the built-in server's)."""
    result = asyncplay(
        "run", "--target", server_url, "-n", "4", "-s", "asyncio", "-f", "http-500@1", "--json"
    )
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)["results"][0]
    assert row["fates"]["raised"] == 1
    assert next(e for e in row["errors"] if e["task"] == 1)["type"] == "HTTPStatusError"


@pytest.mark.parametrize(
    ("stop", "status"), [(signal.SIGINT, 0), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_serve_prints_its_url_serves_and_stops_on_a_signal(stop: int, status: int) -> None:
    """`asyncplay serve`: a URL on the first line, real pages, and a clean exit on ctrl+c
    (SIGINT) or SIGTERM, even started as a background job is (SIGINT ignored)."""
    process = subprocess.Popen([ASYNCPLAY, "serve"], stdout=subprocess.PIPE, text=True,
                               preexec_fn=_ignore_sigint)  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert httpx.get(f"{url}/task/3").content.startswith(b"page 3")
        process.send_signal(stop)
        assert process.wait(timeout=PATIENCE_S) == status
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_a_target_where_nothing_answers_is_bad_input() -> None:
    """--target at a port that refuses connections: one line and status 2 before any run,
    not a table of failed tasks."""
    with refused_port() as url:
        result = asyncplay("run", "--target", url, "-n", "2", "-s", "asyncio")
    assert result.returncode == 2, result.stdout
    assert result.stderr.strip().splitlines() == [
        f"asyncplay: error: nothing answers at {url}: [Errno 111] Connection refused"
    ]


def test_results_that_stdout_cannot_take_are_one_line_and_status_1() -> None:
    """`run --json > /dev/full`: the run happens, writing its results fails; one line, no
    traceback (not even the interpreter's own at exit)."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [ASYNCPLAY, "run", "-n", "2", "--latency", "10", "-s", "asyncio", "--json"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=PATIENCE_S,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "asyncplay: cannot write the output: No space left on device"
    ]


@pytest.mark.parametrize("command", [["strategies"], ["scenarios"], ["faults"]])
def test_a_list_that_stdout_cannot_take_is_one_line(command: list[str]) -> None:
    """The lists > /dev/full: one line, status 1; into a pipe closed early: quiet, status 0."""
    with open("/dev/full", "w") as full:
        result = subprocess.run([ASYNCPLAY, *command], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=PATIENCE_S)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "asyncplay: cannot write the output: No space left on device"
    ]
    piped = subprocess.run(f"{ASYNCPLAY} {command[0]} | head -c 1", shell=True, text=True,
                           capture_output=True, timeout=PATIENCE_S)  # fmt: skip
    assert piped.stderr == "" and len(piped.stdout) == 1


def test_a_target_that_is_not_httpbin_is_bad_input(server_url: str) -> None:
    """A server that answers, but not httpbin's /status/200 (or a host that cannot be one):
    one line and status 2, not a table of 404s blamed on saturation."""
    cases = [
        (f"{server_url}/elsewhere", "does not answer like httpbin: /status/200 gave 404"),
        ("http://256.256.256.256", "nothing answers"),
    ]
    for url, message in cases:
        result = asyncplay("run", "--target", url, "-n", "2", "-s", "asyncio")
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr


def test_a_run_killed_at_its_deadline_says_so() -> None:
    """Past --deadline: the row says killed, stderr says which run and why, status 1."""
    result = asyncplay("run", "-n", "3", "--latency", "3000", "-s", "sequential",
                       "--deadline", "1", "--json")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "asyncplay: sequential killed: no result after 1 s; killed"
    ]
    assert json.loads(result.stdout)["results"][0]["status"] == "killed"


@pytest.mark.parametrize(
    ("stop", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["SIGTERM", "SIGHUP"]
)
def test_a_signal_stops_the_workers_and_keeps_the_whole_log(
    tmp_path: Path, stop: signal.Signals, status: int
) -> None:
    """SIGTERM, or SIGHUP (the terminal closed), mid-run: every worker and the server stop,
    the log holds every line up to a last `run_aborted`, and the exit status says which."""
    marker, log = uuid.uuid4().hex, tmp_path / "run.jsonl"
    process = subprocess.Popen(
        [ASYNCPLAY, "run", "-n", "300", "--latency", "20000", "--timeout", "30", "-s", "threads",
         "--record", str(log)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, "ASYNCPLAY_TEST_MARK": marker},
    )  # fmt: skip
    eventually(lambda: _still(process) and max(map(_threads, marked(marker)), default=0) >= 300,
               what="a thread per task, waiting")  # fmt: skip
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=PATIENCE_S)
    assert process.returncode == status
    assert stderr.strip().splitlines() == [f"asyncplay: stopped by {stop.name}"]
    # Every line of the log is whole and its last is the stop: nothing was left in a buffer.
    run = read(log).runs["threads"]
    assert any(isinstance(event, TaskStarted) for event in run)
    assert isinstance(run[-1], RunAborted) and run[-1].detail == "stopped"
    assert marked(marker) == set()


def _still(process: subprocess.Popen[str]) -> bool:
    """True while the command runs; a command that ended already fails the test, saying so."""
    assert process.poll() is None, f"the command ended early: {process.communicate()}"
    return True


def _threads(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def test_a_fault_server_that_dies_mid_run_is_noticed() -> None:
    """Kill the fault server during the first of two runs: that run is crashed, saying why;
    the second does not run against a dead server; status 1 and one line."""
    marker = uuid.uuid4().hex
    process = subprocess.Popen(
        [ASYNCPLAY, "run", "-n", "20", "--latency", "3000", "-s", "threads", "-s", "asyncio",
         "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, "ASYNCPLAY_TEST_MARK": marker},
    )  # fmt: skip
    server = eventually(lambda: _still(process) and len(marked(marker)) >= 3
                        and _fault_server(marked(marker)),
                        what="the command, its server and the first worker")  # fmt: skip
    os.kill(server, signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=PATIENCE_S)
    assert process.returncode == 1
    assert stderr.strip().splitlines() == ["asyncplay: the fault server died (exit status -9)"]
    rows = json.loads(stdout)["results"]
    assert [row["strategy"] for row in rows] == ["threads"]
    assert rows[0]["status"] == "crashed"
    assert rows[0]["detail"].startswith("the fault server died (exit status -9)")
    assert marked(marker) == set()


def _fault_server(pids: set[int]) -> int | None:
    for pid in pids:
        with contextlib.suppress(OSError):
            if b"asyncplay.engine.server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
    return None


LONG = "7" * 100_000


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--latency", LONG],
        ["run", "-n", LONG],
        ["run", "--seed", LONG],
        [LONG],
        ["lab", LONG],
        ["run", "-f", LONG],
        ["run", "--scenario", LONG],
        ["replay", LONG],
        ["web", "--host", LONG],
        ["claims", "--repeat", LONG],
    ],
    ids=[
        "latency",
        "count",
        "seed",
        "command",
        "lab",
        "fault",
        "scenario",
        "replay",
        "host",
        "repeat",
    ],
)
def test_a_long_value_is_cut_in_its_refusal(args: list[str]) -> None:
    """A value of 100,000 characters: one line of a terminal's worth, status 2."""
    result = asyncplay(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 400, result.stderr[:400]


def _limited_memory() -> None:
    """A gigabyte of address space: a reader that reads without end fails, not the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


def test_hostile_files_are_one_line_and_status_2(tmp_path: Path) -> None:
    """Logs and scenario files that broke the reader (a number past the digit limit, deep
    nesting, an unhashable name, a header that is not a scenario), a device that never
    ends and a FIFO nobody writes to: each refused in one line, status 2, at once."""
    header = '{"kind": "scenario", "version": 1, "scenario": {"count": 3}, "strategies": []}'
    logs = {
        "digits": '{"kind": "scenario", "version": 1, "scenario": {"count": ' + "1" * 5000 + "}}",
        "nesting": header + "\n" + "[" * 100_000,
        "unhashable": header + '\n{"run": ["a"], "kind": "run_started"}',
        "not a scenario": '{"kind": "scenario", "version": 1, "scenario": "ab"}',
    }
    commands = []
    for name, text in logs.items():
        (tmp_path / f"{name}.jsonl").write_text(text + "\n")
        commands.append(["replay", str(tmp_path / f"{name}.jsonl")])
    (tmp_path / "digits.toml").write_text("count = " + "1" * 5000 + "\n")
    commands.append(["run", "--scenario", str(tmp_path / "digits.toml")])
    os.mkfifo(tmp_path / "fifo")
    commands += [["replay", "/dev/zero"], ["replay", str(tmp_path / "fifo")],
                 ["run", "--scenario", str(tmp_path / "fifo")]]  # fmt: skip
    for command in commands:
        result = subprocess.run([ASYNCPLAY, *command], capture_output=True, text=True,
                                timeout=PATIENCE_S, preexec_fn=_limited_memory)  # fmt: skip
        assert result.returncode == 2, (command, result.stderr[-300:])
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_record_never_writes_over_a_file_unless_forced(tmp_path: Path) -> None:
    """--record FILE where FILE exists: refused before anything runs, the file as it was
    (for run, lab and claims alike); with --force, written over."""
    log = tmp_path / "run.jsonl"
    log.write_text("precious\n")
    for command in (["run", "-n", "2"], ["lab", "deadlocks"], ["claims"]):
        result = asyncplay(*command, "--record", str(log))
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.splitlines() == [
            f"asyncplay: error: {log} exists already; --force writes over it"
        ]
    assert log.read_text() == "precious\n"
    forced = asyncplay("run", "-n", "2", "--latency", "10", "-s", "asyncio", "--record", str(log),
                       "--force")  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert list(read(log).runs) == ["asyncio"]


@pytest.mark.parametrize("command", [["run", "-n", "1"], ["lab", "deadlocks"], ["claims"]])
def test_record_to_no_file_is_refused_by_every_command(command: list[str]) -> None:
    """--record '' names no file: refused the same way by run, lab and claims."""
    result = asyncplay(*command, "--record", "", timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "asyncplay: error: cannot write '': No such file or directory"
    ]


def test_a_record_file_that_fills_up_is_blamed_and_the_results_still_print() -> None:
    """lab --record /dev/full (a device, which --record writes to, as a shell's noclobber
    does): the lab's results on stdout, one line blaming the record file, status 1."""
    result = asyncplay("lab", "deadlocks", "-s", "gevent", "--json", "--record", "/dev/full")
    assert result.returncode == 1
    assert json.loads(result.stdout)["variants"][0]["measured"]["outcome"] == "deadlock"
    assert result.stderr.splitlines() == [
        "asyncplay: cannot write /dev/full: No space left on device"
    ]


def test_a_suggested_path_is_quoted_for_the_shell(tmp_path: Path) -> None:
    """A lesson in a folder with a space: the message names it as the shell needs it."""
    folder = tmp_path / "my lessons"
    folder.mkdir()
    lesson = folder / "broken.py"
    lesson.write_text("def main(job):\n    return (\n")
    result = asyncplay("run", "--strategy-file", str(lesson), "-n", "1")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"asyncplay: error: --strategy-file {shlex.quote(str(lesson))}:"
    )


def test_sighup_stops_a_lab_and_leaves_nothing_running() -> None:
    """The terminal closes during `claims` (SIGHUP): status 129, and no lab worker outlives
    the command, not even for the moment it takes a worker to notice its parent is gone;
    the measurement cut short is not kept for the app."""
    marker = uuid.uuid4().hex
    process = subprocess.Popen(
        [ASYNCPLAY, "claims"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, env={**os.environ, "ASYNCPLAY_TEST_MARK": marker},
    )  # fmt: skip
    eventually(lambda: _still(process) and _lab_worker(marked(marker)), what="a lab worker")
    process.send_signal(signal.SIGHUP)
    _, stderr = process.communicate(timeout=PATIENCE_S)
    assert marked(marker) == set()
    assert process.returncode == 129
    assert stderr.strip().splitlines() == ["asyncplay: stopped by SIGHUP"]
    assert not claims_cache.cache_file().exists()


def _lab_worker(pids: set[int]) -> bool:
    for pid in pids:
        with contextlib.suppress(OSError):
            if b"asyncplay.engine.worker.lab" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
    return False


def test_the_users_scenarios_run_by_name_and_are_listed_as_theirs(home_of_its_own: Path) -> None:
    """~/.config/asyncplay/scenarios/mine.toml: `--scenario mine` runs it, and `asyncplay
    scenarios` lists it after the built-ins, saying where it is, as `strategies` does."""
    folder = home_of_its_own / ".config" / "asyncplay" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('description = "Three of mine."\ncount = 3\n')
    result = asyncplay("run", "--scenario", "mine", "--latency", "10", "-s", "asyncio", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenario"]["name"] == "mine"
    listed = asyncplay("scenarios").stdout.splitlines()
    names = [line.split()[0] for line in listed if not line.startswith(" ")]
    assert names == [*builtin_names(), "mine"]
    assert listed[-2].split(None, 1)[1] == "Three of mine."
    assert listed[-1].split() == ["yours:", str(folder / "mine.toml")]
