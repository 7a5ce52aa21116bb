"""The X-ray's sampler: where every worker of a run is in its lesson, looked at while the
run goes on.

A real thread (like the reporter, it is started with the functions taken before gevent
patches) looks where each thread, greenlet, task (asyncio's or trio's) and Tornado callback
is (`finding.Finder`) every `xray.EVERY_S` or more, and sends a `Sampled` event when
anything moved. It keeps to its budget of a core (`xray.BUDGET`) by timing each look's own
CPU and waiting at least `1 / BUDGET` times as long before the next (`pause_after`).
"""

from __future__ import annotations

import resource
import time

from .. import events
from ..events import Spot
from ..xray import BUDGET, EVERY_S
from . import probe
from .attribution import task_of
from .finding import Finder
from .states import state_of


class Sampler:
    """Looks at the lesson's workers from its own thread, and reports what it saw."""

    def __init__(self, reporter: probe.Reporter, lesson_file: str) -> None:
        self.reporter = reporter
        self.lesson_file = lesson_file
        self.finder = Finder()
        self.own_usage: resource.struct_rusage | None = None
        self._last: tuple[Spot, ...] = ()
        self._stop = False
        self._stopped = probe._allocate_lock()
        # Held while the sampler waits for its next look; close() releases it to wake it at
        # once (a wait of cost / BUDGET can be a second long: the run's end would wait too).
        self._wake = probe._allocate_lock()

    def start(self) -> None:
        self.finder.track_loops()
        self.finder.track_trio()
        self.finder.track_greenlets()
        self._stopped.acquire()
        self._wake.acquire()
        self.reporter.harness_threads += 1  # for good: it may still be ending at the last count
        probe._start_thread(self._loop, ())

    def close(self) -> None:
        """Stop now (after the look under way, if one is), and wait. No last look: the run
        is over, and a look at 200 finished greenlets still costs milliseconds."""
        self._stop = True
        self._wake.release()
        with self._stopped:
            pass

    def cpu_s(self) -> float:
        """The CPU time its looking took, as of its last look."""
        usage = self.own_usage
        return usage.ru_utime + usage.ru_stime if usage else 0.0

    def _loop(self) -> None:
        try:
            first = True
            while not self._stop:
                began = time.thread_time()
                self.look()
                cost = time.thread_time() - began
                self.own_usage = resource.getrusage(resource.RUSAGE_THREAD)
                # Until the next look is due, or close() wakes it to stop.
                self._wake.acquire(timeout=pause_after(cost, first))
                first = False
        finally:
            self._stopped.release()

    def look(self) -> None:
        try:
            spots = self.spots()
        except Exception:  # read while the run changes it: the next look will do
            return
        if spots != self._last:
            self._last = spots
            self.reporter.emit(events.Sampled(self.reporter.now(), spots))

    def spots(self) -> tuple[Spot, ...]:
        found = []
        for seen in self.finder.look(self.lesson_file):
            line = seen.line
            if line is None:  # once: a worker that has not moved is seen again
                line = seen.line = seen.frames[0].f_lineno
            found.append((seen.worker, task_of(seen), line, state_of(seen)))
        return tuple(sorted(found, key=_order))


def _order(spot: Spot) -> tuple[int, int, str]:
    worker, task, line, _ = spot
    return (line, -1 if task is None else task, worker)


def pause_after(cost_s: float, first: bool) -> float:
    """How long to wait after a look that took `cost_s` of CPU, to keep to the budget.

    The first look of a run walks everything cold: it took 1.2-2.0 ms of CPU where the looks
    after it took 0.15-0.4 ms (four styles on slow-motion, three runs each). Paced by its
    cost, it left the run unseen for most of a second, and on a busy machine for longer than
    a task's whole wait. Its cost is paid once a run, not a share of a core: the next look
    comes as soon as looks may."""
    return EVERY_S if first else max(EVERY_S, cost_s / BUDGET)
