"""Rewrite README's "The model or the library?" table from a real `bench/scale.py --model` run.

    python scripts/model_table.py                      # runs it: every style x client at
                                                       # 10,000 x 1 s, beside each floor
    python scripts/model_table.py --from model.json    # from a report scale.py wrote (--json)

Every number in the table is what that run measured; nothing here is typed by hand. The run
takes some minutes; its report is kept in bench/model.json, so the table can be written
again without running it (--from bench/model.json).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REPORT = ROOT / "bench" / "model.json"
START, END = "<!-- model-or-library:start -->", "<!-- model-or-library:end -->"
HEADER = (
    "| style | client | tasks read | wall s | CPU s | user / system s | CPU per request ms "
    "| peak threads | RSS MB | floor's wall s | floor's CPU s | CPU × floor |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def block(report: dict[str, Any]) -> str:
    """The table, and a line on how and where it was measured."""
    rows = [row(run, report["floors"][run["style"]]) for run in report["runs"]]
    before, after = report["load_before"], report["load_after"]
    said = (
        f"`python bench/scale.py --model`: {report['count']:,} tasks × "
        f"{report['latency_ms']:g} ms, each style's runs one after another, measured "
        f"{report['date']} with Python {report['python']} on {report['cores']} cores (load "
        f"average {before[0]:g} before, {after[0]:g} after). The floor is the style with no "
        "client library: raw HTTP/1.1 over its own sockets or streams (`bench/bare/`)."
    )
    return "\n".join([HEADER, *rows, "", said])


def row(run: dict[str, Any], floor: dict[str, Any]) -> str:
    """A run's row; what went wrong with it, if anything, beside its count of tasks read."""
    read = f"{run['ok']:,}" + (f" ({cell(run['problem'])})" if run["problem"] else "")
    cells = [f"`{run['style']}`", run["client"], read]
    if run["cpu_s"] is None:
        cells += ["–"] * 9
    else:
        split = "–"  # an asyncplay without the split reports CPU whole
        if run["cpu_user_s"] is not None:
            split = f"{run['cpu_user_s']:.1f} / {run['cpu_system_s']:.1f}"
        cells += [f"{run['wall_s']:.1f}", f"{run['cpu_s']:.1f}", split,
                  f"{run['cpu_s'] / run['tasks'] * 1000:.2f}", f"{run['threads_peak']:,}",
                  f"{run['max_rss_kb'] / 1024:.0f}"]  # fmt: skip
        if floor["cpu_s"]:
            cells += [f"{floor['wall_s']:.1f}", f"{floor['cpu_s']:.1f}",
                      f"{run['cpu_s'] / floor['cpu_s']:.1f}×"]  # fmt: skip
        else:
            cells += ["–", "–", f"no floor: {cell(floor['problem'])}"]
    return "| " + " | ".join(cells) + " |"


def cell(text: str | None) -> str:
    """A run's own words in a table cell: no pipe or newline of theirs breaks the table."""
    return (text or "").replace("|", "\\|").replace("\n", " ")[:200]


def rewrite(text: str, table: str) -> str:
    """`text` with what lies between the markers replaced by `table`."""
    new, found = re.subn(
        f"({re.escape(START)}\n).*?({re.escape(END)})",
        lambda match: f"{match.group(1)}{table}\n{match.group(2)}",
        text,
        flags=re.S,
    )
    if not found:
        raise SystemExit(f"README.md has no {START} / {END} markers")
    return new


def measure() -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "bench/scale.py"), "--model", "--json", str(REPORT)]
    if subprocess.run(command, check=False).returncode != 0:
        raise SystemExit("bench/scale.py --model failed")
    return read(REPORT)


def read(path: Path) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(path.read_text())
        return report
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not a JSON report"
        print(f"model_table.py: cannot read {path}: {reason}", file=sys.stderr)
        raise SystemExit(2) from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", metavar="FILE", help="a report of scale.py")
    args = parser.parse_args()
    table = block(read(Path(args.source)) if args.source else measure())
    README.write_text(rewrite(README.read_text(), table))
    print(table)


if __name__ == "__main__":
    main()
