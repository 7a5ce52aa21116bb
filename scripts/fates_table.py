"""Rewrite README's "Where does the error go?" tables from a real run.

    python scripts/fates_table.py   # every strategy x client x 7 scenarios, ~2 minutes

Every cell is the fate the fold decided for a real worker against the real fault server;
nothing here is typed by hand. The tables land between the fates markers in README.md.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from asyncplay.engine.catalogue import STRATEGIES, client_run, clients_of
from asyncplay.engine.fold import RunState
from asyncplay.engine.session import Session
from asyncplay.engine.workload import FaultSpec, Scenario

README = Path(__file__).resolve().parent.parent / "README.md"
SINGLE = ["http-500", "timeout", "reset", "refused", "handler-bug"]
FATE_MARK = {"raised": "🟢 raised", "returned": "🔵 returned", "logged": "🟠 logged",
             "lost": "🔴 lost", "not_run": "⚪ not run"}  # fmt: skip


def small(client: str, *specs: str) -> Scenario:
    return Scenario(count=6, latency_ms=100, timeout_s=1.0, client=client,
                    faults=tuple(FaultSpec.parse(spec) for spec in specs))  # fmt: skip


async def fates(session: Session, strategy: str, scenario: Scenario) -> RunState:
    state = RunState()
    await session.run(strategy, scenario, state.apply)
    return state


def cell(state: RunState, task: int) -> str:
    view = state.tasks[task]
    fate = state.fate(view) or state.status
    sighting = state.sighting(view)
    via = f" <sub>{sighting.via}</sub>" if sighting and fate in ("logged", "returned") else ""
    return FATE_MARK.get(fate, fate) + via


async def tables() -> str:
    single = ["| strategy | client | " + " | ".join(SINGLE) + " |",
              "|---" * (len(SINGLE) + 2) + "|"]  # fmt: skip
    double = ["| strategy | client | refused, task 1 (at once) | then http-500, task 4 (100 ms) "
              "| http-500, task 1 | and at the same moment http-500, task 4 |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    async with Session() as session:
        for strategy in STRATEGIES:
            for client in clients_of(strategy):
                name = f"| `{strategy}` | {client_run(strategy, client)} | "
                row = [cell(await fates(session, strategy, small(client, f"{f}@2")), 2)
                       for f in SINGLE]  # fmt: skip
                single.append(name + " | ".join(row) + " |")
                apart = await fates(session, strategy, small(client, "refused@1", "http-500@4"))
                together = await fates(session, strategy, small(client, "http-500@1,4"))
                cells = [cell(apart, 1), cell(apart, 4), cell(together, 1), cell(together, 4)]
                double.append(name + " | ".join(cells) + " |")
    return "\n".join([*single, "", "Two errors in one run:", "", *double])


def main() -> None:
    text = README.read_text()
    block = asyncio.run(tables())
    new, found = re.subn(
        r"(<!-- fates:begin -->\n).*?(<!-- fates:end -->)",
        lambda match: f"{match.group(1)}{block}\n{match.group(2)}",
        text,
        flags=re.S,
    )
    if not found:
        raise SystemExit("README.md has no <!-- fates:begin --> / <!-- fates:end --> markers")
    README.write_text(new)
    print(block)


if __name__ == "__main__":
    main()
