"""One run of a style x client, either way it can be run: through `asyncplay run --json` (the
installed console script, as a user runs it) or as its bare script in bench/bare/ (on a fault
server of its own, as asyncplay's run has). Both give a row of the same keys (not a benchmark:
scale.py and pairs.py use it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from _server import fault_server
from _styles import bare_script

# The keys of a run's row that the tables read; a key asyncplay does not report is None.
MEASURED = ("wall_s", "cpu_s", "cpu_user_s", "cpu_system_s", "threads_peak", "max_rss_kb")


def asyncplay_command() -> list[str]:
    """The installed console script, from the same environment as this interpreter."""
    script = Path(sys.executable).with_name("asyncplay")
    if not script.exists():
        sys.exit(f"no asyncplay console script next to {sys.executable}; pip install it first")
    return [str(script)]


def asyncplay_run(
    style: str, client: str, count: int, latency_ms: float, deadline_s: float | None = None
) -> dict[str, Any]:
    """`asyncplay run --json -s STYLE --client CLIENT`: its result row (with the client that
    really ran, as asyncplay names it), or a failed row."""
    command = [*asyncplay_command(), "run", "--json", "-n", str(count), "--latency",
               f"{latency_ms:g}", "-s", style, "--client", client]  # fmt: skip
    if deadline_s is not None:
        command += ["--deadline", f"{deadline_s:g}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        row: dict[str, Any] = json.loads(done.stdout)["results"][0]
    except (ValueError, KeyError, IndexError):
        return failed(count, f"asyncplay exited {done.returncode}: {last_line(done.stderr)}")
    problem = f"{row['status']}: {row['detail']}" if row["status"] != "done" else None
    return {key: row.get(key) for key in (*MEASURED, "tasks", "ok")} | {
        "client": row.get("client") or client,
        "problem": problem or unread(row),
    }


def bare_run(style: str, client: str, count: int, latency_ms: float) -> dict[str, Any]:
    """The bare script of `style` with `client`, on a fault server of its own."""
    with fault_server() as server:
        command = [sys.executable, str(bare_script(style, client)), "--url", server.url,
                   "-n", str(count), "--latency", f"{latency_ms:g}"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return failed(count, f"{bare_script(style, client).name}: {last_line(done.stderr)}")
    row: dict[str, Any] = json.loads(done.stdout)
    return {key: row.get(key) for key in (*MEASURED, "tasks", "ok")} | {"problem": unread(row)}


def unread(row: dict[str, Any]) -> str | None:
    """What a run that ended left unread, if anything."""
    return (
        f"{row['tasks'] - row['ok']:,} of {row['tasks']:,} failed"
        if row["ok"] != row["tasks"]
        else None
    )


def failed(count: int, problem: str) -> dict[str, Any]:
    return dict.fromkeys(MEASURED) | {"tasks": count, "ok": 0, "problem": problem}


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1][:200] if lines else "(nothing on stderr)"
