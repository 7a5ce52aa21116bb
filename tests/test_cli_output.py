"""Where the command's words go: a terminal that is not UTF-8, a stdout that is closed, and
what the command says after the app has given the terminal back."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import ASYNCPLAY
from test_terminal import LEAVE_ALT_SCREEN, Terminal
from waiting import PATIENCE_S

LOGS = Path(__file__).parent / "logs"
# What a shell run with no locale gives Python when its UTF-8 mode is turned off: ASCII.
NO_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0"}


def _environment(**values: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONIOENCODING"}
    return {**environment, **values}


def test_an_ascii_locale_still_prints_the_table_and_the_lessons(home_of_its_own: Path) -> None:
    """LC_ALL=C with Python's UTF-8 mode off: the table (with its ×ideal) and the user's
    lessons (threads′) print whole, in UTF-8, as Python itself does in the C locale."""
    folder = home_of_its_own / ".config" / "asyncplay" / "strategies"
    folder.mkdir(parents=True)
    (folder / "threads.py").write_text('"""My threads."""\ndef main(job):\n    pass\n')
    for command, wanted in (
        (["run", "-n", "2", "--latency", "10", "-s", "asyncio", "-f", "handler-bug"], "×ideal"),
        (["strategies"], "threads′"),
    ):
        result = subprocess.run([ASYNCPLAY, *command], capture_output=True, timeout=PATIENCE_S,
                                env=_environment(**NO_LOCALE))  # fmt: skip
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-500:]
        assert wanted in result.stdout.decode("utf-8")


def test_an_ascii_locale_still_draws_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app in a terminal of the C locale draws its boxes, not their escapes (`\\u256d`)."""
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    for key, value in NO_LOCALE.items():
        monkeypatch.setenv(key, value)
    terminal = Terminal(ASYNCPLAY)
    terminal.read_until(b"Run all")  # the footer: the first screen is drawn
    terminal.process.send_signal(signal.SIGTERM)
    assert terminal.finish() == 143
    assert "╭".encode() in terminal.output and b"\\u256" not in terminal.output


def test_a_closed_stdout_is_one_line_and_status_1() -> None:
    """`asyncplay labs >&-`: nowhere to print; one line on stderr says so, status 1."""
    result = subprocess.run(f"{shlex.quote(ASYNCPLAY)} labs >&-", shell=True, text=True,
                            capture_output=True, timeout=PATIENCE_S)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["asyncplay: cannot write the output: stdout is closed"]


def test_a_replayed_log_that_was_cut_short_says_where(tmp_path: Path) -> None:
    """A log cut mid-line opens (up to its last whole line); once the app has given the
    terminal back, one line says where the log was cut."""
    whole = (LOGS / "clean.jsonl").read_bytes()
    lines = whole.count(b"\n")
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(whole + b'{"run": "asyncio", "kind": "task_sta')
    terminal = Terminal(ASYNCPLAY, "replay", str(cut))
    terminal.read_until(b"Run all")
    terminal.process.send_signal(signal.SIGTERM)
    assert terminal.finish() == 143
    after = terminal.output.split(LEAVE_ALT_SCREEN)[-1].decode()
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", after).replace("\r", "")
    note = f"asyncplay: note: {cut} was cut short in line {lines + 1}: read up to line {lines}"
    assert [line for line in text.splitlines() if line.strip()] == [note]


@pytest.mark.parametrize(
    ("encoding", "text", "printed"),
    [("utf-8", "a lone \udc80", b"a lone ?"), ("latin-1", "threads′ ×", b"threads? \xd7")],
)
def test_what_a_chosen_encoding_cannot_encode_is_replaced(
    encoding: str, text: str, printed: bytes
) -> None:
    """An encoding the user chose (PYTHONIOENCODING) is kept, and what it cannot encode (a
    lone surrogate, a ′ in Latin-1) prints as ?, never as a UnicodeEncodeError."""
    printing = (
        "import sys\nfrom asyncplay.tui.usage import printable_streams\nprintable_streams()\n"
        f"print({text!r}, end='')\n"
    )
    environment = _environment(PYTHONIOENCODING=encoding)
    result = subprocess.run([sys.executable, "-c", printing], capture_output=True,
                            timeout=PATIENCE_S, env=environment)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout == printed
