"""When a failure is the client's own saturation, not the server's fault.

At ten thousand tasks on one event loop, the loop can fall seconds behind: a response the
server sent on time waits in the socket until the loop gets to it, and the client's read
timeout fires. The worker measures how late its loop ran (worker/loop_lag.py) and each failure
carries the worst lateness of the timeout's window before it. A failure no injected fault
explains, on a loop that ran late by at least SATURATED_LAG_SHARE of the client's timeout,
is the client's: it could not keep up with its own work.

The share is fixed here, before any measurement was judged by it: a loop a quarter of the
timeout behind has taken that much of every request's time for itself.
"""

from __future__ import annotations

SATURATED_LAG_SHARE = 0.25
RULE = (
    f"a failure no fault explains is the client's saturation when its own event loop ran "
    f"late by at least {SATURATED_LAG_SHARE:.0%} of the client's timeout just before it"
)


def client_saturated(lag_s: float, timeout_s: float) -> bool:
    """Was a failure on a loop `lag_s` late the client's own saturation (see RULE)?"""
    return timeout_s > 0 and lag_s >= SATURATED_LAG_SHARE * timeout_s
