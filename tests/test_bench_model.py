"""The model or the library: bench/scale.py --model runs each style x client beside its
floor, and scripts/model_table.py writes what it measured into the README, untyped."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asyncplay.engine.catalogue import STRATEGIES, client_run, clients_of

ROOT = Path(__file__).resolve().parent.parent
TASKS = 20


def load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """One real run of the model mode, for asyncio (two clients) and callbacks (its own)."""
    report = tmp_path_factory.mktemp("model") / "model.json"
    command = [sys.executable, str(ROOT / "bench/scale.py"), "--model", "-n", str(TASKS),
               "--latency", "0", "-s", "asyncio", "-s", "callbacks",
               "--json", str(report)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(report.read_text()), done.stdout


def test_the_model_mode_runs_every_client_of_a_style_and_its_floor(
    measured: tuple[dict[str, Any], str],
) -> None:
    """Each client the catalogue gives a style is run through asyncplay, named as it really
    ran (callbacks asked for httpx runs Tornado's), and the style's floor once; every task of
    each run is read, and the CPU is reported whole and split."""
    report, _ = measured
    assert [(run["style"], run["client"]) for run in report["runs"]] == [
        ("asyncio", "httpx"), ("asyncio", "aiohttp"), ("callbacks", "tornado"),
    ]  # fmt: skip
    assert sorted(report["floors"]) == ["asyncio", "callbacks"]
    for row in [*report["runs"], *report["floors"].values()]:
        assert (row["ok"], row["tasks"], row["problem"]) == (TASKS, TASKS, None)
        assert row["cpu_s"] > 0 and row["wall_s"] > 0
    for floor in report["floors"].values():
        split = floor["cpu_user_s"] + floor["cpu_system_s"]
        assert split == pytest.approx(floor["cpu_s"], abs=2e-4)
    assert (report["count"], report["latency_ms"]) == (TASKS, 0)
    assert len(report["load_before"]) == len(report["load_after"]) == 3


def test_the_model_mode_prints_each_run_beside_its_floor(
    measured: tuple[dict[str, Any], str],
) -> None:
    """A row per run: its CPU as a multiple of its floor's, which is the floor's own CPU
    divided into the run's."""
    report, printed = measured
    for run in report["runs"]:
        floor = report["floors"][run["style"]]
        line = next(line for line in printed.splitlines()
                    if line.split()[:2] == [run["style"], run["client"]])  # fmt: skip
        assert line.split()[-1] == f"{run['cpu_s'] / floor['cpu_s']:.1f}×"


def test_the_table_puts_each_run_beside_its_floor() -> None:
    """The README's table from a report: a row per run with its floor's wall and CPU beside
    it, and the CPU as a multiple of the floor's; a failed run says so in its row."""
    table = load_script(ROOT / "scripts/model_table.py")
    run: dict[str, Any] = {
        "style": "asyncio", "client": "httpx", "tasks": 10_000, "ok": 10_000, "problem": None,
        "wall_s": 22.0, "cpu_s": 21.0, "cpu_user_s": 19.5, "cpu_system_s": 1.5,
        "threads_peak": 1, "max_rss_kb": 358_400,
    }  # fmt: skip
    floor = run | {"client": "raw", "wall_s": 6.5, "cpu_s": 2.4, "cpu_user_s": 1.6,
                   "cpu_system_s": 0.8, "max_rss_kb": 102_400}  # fmt: skip
    broken = run | {"client": "aiohttp", "ok": 0, "problem": "asyncplay exited 1: boom"}
    gone = broken | dict.fromkeys(("wall_s", "cpu_s", "cpu_user_s", "cpu_system_s"))
    gone |= {"problem": "a | b\nc"}
    report = {"count": 10_000, "latency_ms": 1000, "runs": [run, broken, gone],
              "floors": {"asyncio": floor}, "load_before": [0.1, 0.2, 0.3],
              "load_after": [1.0, 1.1, 1.2], "date": "2026-12-03", "python": "3.11.7",
              "cores": 2}  # fmt: skip
    rows = [line for line in table.block(report).splitlines() if line.startswith("| `")]
    assert rows[0] == ("| `asyncio` | httpx | 10,000 | 22.0 | 21.0 | 19.5 / 1.50 | 2.10 | 1 | 350 "
                       "| 6.50 | 2.40 | 8.8× |")  # fmt: skip
    assert rows[1].startswith("| `asyncio` | aiohttp | 0 (asyncplay exited 1: boom) | ")
    assert rows[2] == "| `asyncio` | aiohttp | 0 (a \\| b c) | " + " | ".join(["–"] * 9) + " |"


def test_the_table_goes_between_its_markers_and_nowhere_else() -> None:
    """What is around the markers is kept; a README without them is refused in one line."""
    table = load_script(ROOT / "scripts/model_table.py")
    text = "# T\n<!-- model-or-library:start -->\nold\n<!-- model-or-library:end -->\ntail\n"
    assert table.rewrite(text, "new") == (
        "# T\n<!-- model-or-library:start -->\nnew\n<!-- model-or-library:end -->\ntail\n"
    )
    with pytest.raises(SystemExit, match="no <!-- model-or-library:start -->"):
        table.rewrite("# T\n", "new")


def test_model_table_refuses_a_report_it_cannot_read_in_one_line(tmp_path: Path) -> None:
    """A missing or malformed report: one line, exit 2, and the README untouched."""
    before = (ROOT / "README.md").read_text()
    broken = tmp_path / "model.json"
    broken.write_text("{not json")
    for path in (tmp_path / "missing.json", broken):
        done = subprocess.run([sys.executable, str(ROOT / "scripts/model_table.py"), "--from",
                               str(path)], capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 2
        assert done.stderr.startswith(f"model_table.py: cannot read {path}: ")
        assert len(done.stderr.strip().splitlines()) == 1
    assert (ROOT / "README.md").read_text() == before


def test_the_readme_table_has_a_row_for_every_style_and_client() -> None:
    """The README's model-or-library table was generated for every style x
    client the catalogue has (but sequential, whose 10,000 seconds are not run)."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- model-or-library:start -->", 1)[1]
    block = block.split("<!-- model-or-library:end -->", 1)[0]
    rows = [line.split(" | ")[:2] for line in block.splitlines() if line.startswith("| `")]
    wanted = [[f"| `{style}`", client_run(style, client)] for style in STRATEGIES
              if style != "sequential" for client in clients_of(style)]  # fmt: skip
    assert rows == wanted
