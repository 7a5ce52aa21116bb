"""The X-ray's public limits: how often it looks, how much of a core it may take, and the
largest run it looks at. The worker's sampler (`worker/sampler.py`) keeps to them; the help
screen and the zoom say them.

Why these numbers, and how they were measured, is in bench/README.md ("The X-ray").
"""

from __future__ import annotations

# The shortest time between two looks.
EVERY_S = 0.05
# The share of one core the looking may take, as the sampler times its own CPU (the first
# look of a run is always taken). The lesson pays about as much again for each look, in
# frames the walk makes the interpreter build, so the budget is kept well under the 5 % the
# X-ray may cost a run in all.
BUDGET = 0.0025
# Up to this many tasks the X-ray is on: above it a look costs a run more than its budget.
MAX_TASKS = 500


def status(tasks: int, wanted: bool) -> str:
    """The X-ray's state for a run of `tasks`, in words the zoom shows."""
    if not wanted:
        return "off: turned off for this run"
    if tasks > MAX_TASKS:
        return f"off: {tasks:,} tasks is over its limit of {MAX_TASKS:,}"
    return f"on: a look every {EVERY_S * 1000:.0f} ms or more"
