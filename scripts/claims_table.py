"""Rewrite README's "The article's claims, measured" tables from a real `asyncplay claims` run.

    python scripts/claims_table.py              # runs every lab, two or three minutes
    python scripts/claims_table.py --from-log   # the same run again, after a rule's words changed

The run is recorded to screenshots/logs/claims.jsonl, so the claims screenshot
(`python screenshots/make.py`) shows the same run as the table. Every verdict and every
number is what that run measured; nothing here is typed by hand.
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
LOG = ROOT / "screenshots" / "logs" / "claims.jsonl"
MARK = {"holds": "🟢 holds", "partly": "🟡 partly", "fails": "🔴 fails", "unmeasured": "⚪ —"}


BEYOND = "### Beyond the article\n\nA claim the article does not make, measured all the same:"


def tables(claims: list[dict[str, Any]]) -> str:
    """The article's claims in one table; under a heading, those it does not make."""
    article = [claim for claim in claims if claim["in_article"]]
    beyond = [claim for claim in claims if not claim["in_article"]]
    return table(article) + (f"\n\n{BEYOND}\n\n{table(beyond)}" if beyond else "")


def table(claims: list[dict[str, Any]]) -> str:
    rows = ["| claim | verdict | what was measured |", "|---|---|---|"]
    for claim in claims:
        cell = claim["evidence"].replace("|", "\\|")
        rows.append(f"| `{claim['id']}`<br><sub>{claim['section']}</sub> "
                    f"| {MARK[claim['verdict']]} | {cell} |")  # fmt: skip
    return "\n".join(rows)


def run_claims() -> list[dict[str, Any]]:
    script = Path(sys.executable).with_name("asyncplay")
    done = subprocess.run([script, "claims", "--json", "--record", str(LOG), "--force"],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"asyncplay claims failed ({done.returncode}):\n{done.stderr}")
    claims: list[dict[str, Any]] = json.loads(done.stdout)["claims"]
    return claims


def recorded_claims() -> list[dict[str, Any]]:
    from asyncplay.engine.claims import CLAIMS, to_json
    from asyncplay.engine.labrunner import LabUpdate, measured_from

    measured = measured_from([LabUpdate.from_json(line) for line in LOG.read_text().splitlines()])
    return [to_json(claim, measured) for claim in CLAIMS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-log", action="store_true", help=f"judge {LOG.name} again")
    block = tables(recorded_claims() if parser.parse_args().from_log else run_claims())
    new, found = re.subn(
        r"(<!-- claims:begin -->\n).*?(<!-- claims:end -->)",
        lambda match: f"{match.group(1)}{block}\n{match.group(2)}",
        README.read_text(),
        flags=re.S,
    )
    if not found:
        raise SystemExit("README.md has no <!-- claims:begin --> / <!-- claims:end --> markers")
    README.write_text(new)
    print(block)


if __name__ == "__main__":
    main()
