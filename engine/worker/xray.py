"""The X-ray: where every worker of a run is in its lesson, sampled while the run goes on.

A real thread (like the reporter, it is started with the functions taken before gevent
patches) looks where each thread, greenlet, task and Tornado callback is (`where.look`) every
`EVERY_S`, and sends a `Sampled` event when anything moved. Looking takes at most its budget
of a core after the first look: each look's own CPU time is timed, and the next look waits
at least `1 / BUDGET` times as long. Above `MAX_TASKS` it stays off: the bench
(`bench/xray_overhead.py`) measured what a look costs per task.
"""

from __future__ import annotations

import resource
import time

from .. import events
from ..events import Spot
from . import probe, where

EVERY_S = 0.05
# The share of one core the looking may take, as the sampler times itself (the first look
# of a run is always taken, whatever it costs). A fraction of what it costs the run, by the
# bench: the lesson pays about as much again (the frames a walk makes the interpreter build,
# the young collections they bring on), and a run of 200 tasks keeps a core only 40 % busy.
# At 1 % the looking alone came to 2.3 to 4 % of the run's CPU; at 0.5 % threads still
# measured 1.06 on a busier machine; at 0.25 % a run of 200 threads gets two looks.
BUDGET = 0.0025
# Up to this many tasks the X-ray is on; bench/xray_overhead.py measured the cost per task.
MAX_TASKS = 500


def status(tasks: int, wanted: bool) -> str:
    """The X-ray's state for a run of `tasks`, in words the zoom shows."""
    if not wanted:
        return "off: turned off for this run"
    if tasks > MAX_TASKS:
        return f"off: {tasks:,} tasks is over its limit of {MAX_TASKS:,}"
    return f"on: a look every {EVERY_S * 1000:.0f} ms or more"


class Sampler:
    """Looks at the lesson's workers from its own thread, and reports what it saw."""

    def __init__(self, reporter: probe.Reporter, lesson_file: str) -> None:
        self.reporter = reporter
        self.lesson_file = lesson_file
        self.own_usage: resource.struct_rusage | None = None
        self._last: tuple[Spot, ...] = ()
        self._stop = False
        self._stopped = probe._allocate_lock()
        # Held while the sampler waits for its next look; close() releases it to wake it at
        # once (a wait of cost / BUDGET can be a second long: the run's end would wait too).
        self._wake = probe._allocate_lock()

    def start(self) -> None:
        where.track_loops()
        where.track_greenlets()
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
            while not self._stop:
                began = time.thread_time()
                self.look()
                cost = time.thread_time() - began
                self.own_usage = resource.getrusage(resource.RUSAGE_THREAD)
                # Until the next look is due, or close() wakes it to stop.
                self._wake.acquire(timeout=max(EVERY_S, cost / BUDGET))
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
        for seen in where.look(self.lesson_file):
            line = seen.line
            if line is None:  # once: a worker that has not moved is seen again
                line = seen.line = seen.frames[0].f_lineno
            state = where.state_of(seen)
            found.append((seen.worker, where.task_of(seen), line, state))
        return tuple(sorted(found, key=_order))


def _order(spot: Spot) -> tuple[int, int, str]:
    worker, task, line, _ = spot
    return (line, -1 if task is None else task, worker)
