"""bench/pairs.py: asyncplay's run against the bare script of the same style and client,
in interleaved pairs; the CPU ratio's median and range, against the issue's bar."""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench")]


def pairs_script() -> Any:
    spec = importlib.util.spec_from_file_location("pairs", ROOT / "bench/pairs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(cpu_s: float | None, problem: str | None = None) -> dict[str, Any]:
    return {"cpu_s": cpu_s, "wall_s": cpu_s, "tasks": 10, "ok": 0 if problem else 10,
            "problem": problem}  # fmt: skip


def test_the_ratio_is_the_median_of_the_pairs_ratios_with_their_range() -> None:
    """Each pair gives asyncplay's CPU over the bare script's; the median of those, their
    lowest and highest; a pair with a failed run is left out and counted."""
    pairs = pairs_script()
    runs = [(row(1.3), row(1.0)), (row(3.0), row(2.0)), (row(1.0), row(1.0)),
            (row(None, "boom"), row(1.0)), (row(0.9), row(1.0))]  # fmt: skip
    summary = pairs.summary(runs)
    ratios = [1.3, 1.5, 1.0, 0.9]
    assert summary["ratio"] == pytest.approx(statistics.median(ratios))
    assert (summary["low"], summary["high"]) == pytest.approx((0.9, 1.5))
    assert summary["asyncplay_cpu_s"] == pytest.approx(statistics.median([1.3, 3.0, 1.0, 0.9]))
    assert summary["bare_cpu_s"] == pytest.approx(1.0)
    assert summary["failed_pairs"] == 1
    assert summary["within_bar"] is False  # 1.15
    assert pairs.summary([(row(1.05), row(1.0))])["within_bar"] is True


def pairs_run(tmp_path: Path, *options: str) -> tuple[dict[str, Any], str]:
    """bench/pairs.py run for real on asyncio at 20 tasks: its report, and what it printed."""
    report_path = tmp_path / "pairs.json"
    command = [sys.executable, str(ROOT / "bench/pairs.py"), "-s", "asyncio", "-n", "20",
               "--latency", "0", "--json", str(report_path), *options]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(report_path.read_text()), done.stdout


def test_every_pair_is_measured_on_the_same_workload(tmp_path: Path) -> None:
    """A real run, two pairs a client: both sides read every task, and the printed ratio is
    the one the report computes from its own runs."""
    report, printed = pairs_run(tmp_path, "-r", "2")
    cases = [(case["style"], case["client"], case["count"]) for case in report["cases"]]
    assert cases == [("asyncio", "httpx", 20), ("asyncio", "aiohttp", 20)]
    for case in report["cases"]:
        assert len(case["pairs"]) == 2
        for ours, bare in case["pairs"]:
            assert ours["ok"] == bare["ok"] == case["count"]
        ratios = [ours["cpu_s"] / bare["cpu_s"] for ours, bare in case["pairs"]]
        assert case["ratio"] == pytest.approx(statistics.median(ratios))
        named = [case["style"], case["client"], str(case["count"])]
        line = next(line for line in printed.splitlines() if line.split()[:3] == named)
        assert f"{case['ratio']:.3f}" in line.split()


def test_null_puts_the_bare_script_on_both_sides(tmp_path: Path) -> None:
    """--null: every pair is two runs of the bare script (asyncplay's rows name their
    client, the bare script's do not), and the heading says so."""
    report, printed = pairs_run(tmp_path, "-r", "1", "--null")
    assert "bare against bare (--null)" in printed.splitlines()[0]
    for case in report["cases"]:
        [(first, second)] = case["pairs"]
        assert "client" not in first and "client" not in second
        assert first["ok"] == second["ok"] == 20
