"""One lesson's run, in its own process.

    python -m asyncplay.engine.worker '{"strategy": ..., "scenario": ..., "target": ...}'
        --events-fd 3

The runner gives it a stdin it never writes to, and closes it only when the worker is to end
(or the runner dies): the worker's lifeline waits on it (lifeline.py).

The order matters: the lifeline's and the reporter's threads start before the lesson is
imported (the gevent lesson monkey-patches on import, and they must stay real threads), and
nothing here imports ssl or asyncio before that, so gevent can patch them cleanly. Everything
the harness computes (the plan, the URLs, the ideal time) is done before the run's clock
starts.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.machinery
import importlib.util
import inspect
import json
import os
import re
import resource
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any

from .. import events, xray
from ..catalogue import LESSONS_PACKAGE, MAIN_IS, client_run, lesson_module, no_lesson
from ..targets import Target
from ..workload import Scenario, build_plan
from . import lifeline, probe
from .probe import Reporter

if TYPE_CHECKING:
    from .sampler import Sampler

# How deep to look into a strategy's return value for error objects.
RETURN_DEPTH = 4


def main() -> None:
    parser = argparse.ArgumentParser(prog="asyncplay-worker")
    parser.add_argument("spec")
    parser.add_argument("--events-fd", type=int, required=True)
    args = parser.parse_args()
    spec = json.loads(args.spec)
    lifeline.tie_to(spec["parent"])  # before anything of the lesson's can run
    os.nice(spec.get("nice", 0))

    reporter = probe.REPORTER = Reporter(args.events_fd)
    reporter.start()
    from .handler import report_around_handle  # before the lesson binds `handle`

    report_around_handle()
    # "threads", or a lab's fetch "labs.callbacks:unchecked": a module, and its main; or
    # the user's own file.
    style, _, function = spec["strategy"].partition(":")
    scenario = Scenario.from_dict(spec["scenario"])
    module_name = style  # a built-in style's module with the scenario's client, below
    if spec.get("file"):
        probe.OWN_LESSON = (spec["file"], spec["strategy"])
        strategy = load_file(spec["file"])
    else:
        module = lesson_module(style, scenario.client)
        if module is None:
            raise SystemExit(f"{style}: {no_lesson(style, scenario.client)}")
        module_name = module
        strategy = importlib.import_module(f"{LESSONS_PACKAGE}.{module_name}")
    entry = getattr(strategy, function or "main", None)
    if not callable(entry):
        raise SystemExit(f"{spec.get('file') or module_name} has no main(job) to call")
    unfit = unfit_entry(entry, function or "main")
    if unfit is not None:  # it would leave every task unfinished: no run to measure
        raise SystemExit(f"{spec.get('file') or module_name}: {unfit}")

    from . import hooks  # after the lesson: gevent has patched by now
    from .clients import WorkerJob
    from .loop_lag import LoopLag
    from .sampler import Sampler

    hooks.install()
    probe.LOOP_LAG = LoopLag(scenario.timeout_s)  # timing a loop once a client is made on one
    plan = build_plan(scenario)
    # A lesson's CONCURRENCY is the most it runs at once, whatever the scenario allows (one
    # for sequential, a pool's size).
    limit = min(scenario.limit, getattr(strategy, "CONCURRENCY", None) or scenario.limit)
    job = WorkerJob(Target(**spec["target"]).urls(plan), limit, scenario.timeout_s)
    job.warm_up()
    ideal_s = plan.ideal_s(limit)
    faults = {task: str(fault) for task, fault in plan.faults.items()}

    xray_status = xray.status(scenario.count, spec.get("xray", True))
    sampler = Sampler(reporter, strategy.__file__ or "") if xray_status.startswith("on") else None

    settle_garbage()
    reporter.origin = time.monotonic()  # the run's clock starts here
    # A user's file fetches with whatever it imports, and a lab with what its bug needs:
    # only a built-in lesson's client is known.
    builtin = not spec.get("file") and style.partition(".")[0] != "labs"
    client = client_run(style, scenario.client) if builtin else ""
    started = events.RunStarted(
        0.0, spec["strategy"], os.getpid(), scenario.count, limit, ideal_s, faults, reporter.origin,
        xray_status, lesson=module_name, client=client, timeout_s=scenario.timeout_s,
    )  # fmt: skip
    reporter.emit(started)
    if sampler is not None:
        sampler.start()
    before = _usage(reporter, sampler)
    try:
        value = entry(job)
    except BaseException as error:
        for each in _flatten(error):
            probe.saw("raised", each, "main() raised")
    else:
        _see_returned(value)
    wall = reporter.now()
    if sampler is not None:
        sampler.close()
    after = _usage(reporter, sampler)  # one window for time, CPU and switches
    collect_as_at_exit()
    # Never below zero: the reporter samples its own usage once a tick, so over a run of a
    # few milliseconds its share may be counted up to a tick apart from the process's.
    user, system, voluntary, involuntary = (
        max(0.0, end - start) for end, start in zip(after, before, strict=True)
    )
    flush_output()  # what the lesson printed is sent before its run's end
    reporter.emit(
        events.RunFinished(
            reporter.now(),
            wall_s=wall,
            cpu_s=user + system,
            ctx_voluntary=int(voluntary),
            ctx_involuntary=int(involuntary),
            threads_peak=reporter.threads_peak,
            max_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            xray_cpu_s=sampler.cpu_s() if sampler else 0.0,
            cpu_user_s=user,
            cpu_system_s=system,
        )
    )
    reporter.close()
    # Skip interpreter shutdown: threads a strategy left behind must not hold the worker up.
    os._exit(0)


class _FromSource(importlib.machinery.SourceFileLoader):
    """Compiles the file as it is now, every time: no .pyc is read or written. A .pyc is
    matched to its source by the whole second of its mtime and its size, so an edit of the
    same length saved within the second would run the text before it; and the user's folder
    stays theirs."""

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


def load_file(path: str) -> ModuleType:
    """A user's lesson file, as a module of the lessons' package: a copy of a built-in keeps
    its relative imports (`from .job import Job`)."""
    stem = re.sub(r"\W", "_", os.path.basename(path).removesuffix(".py"))
    name = f"{LESSONS_PACKAGE}._own_{stem}"
    spec = importlib.util.spec_from_file_location(name, path, loader=_FromSource(name, path))
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as an import would: dataclasses and pickling look it up
    spec.loader.exec_module(module)
    return module


def unfit_entry(entry: Callable[..., Any], name: str) -> str | None:
    """Why `entry` cannot be a lesson's main, called with the job alone and not awaited (an
    `async def` would only make a coroutine); None if it can. A callable whose signature
    Python cannot tell is given the benefit of the doubt. Said as lessons.check says it of a
    `def main` it reads (for a main bound otherwise: `main = lambda: None`)."""
    try:
        signature = inspect.signature(entry)
    except (TypeError, ValueError):
        return None
    bare = signature.replace(
        parameters=[each.replace(annotation=each.empty, default=each.empty)
                    for each in signature.parameters.values()],
        return_annotation=signature.empty,
    )  # fmt: skip
    called = f"{name}{bare}"
    try:
        signature.bind(None)
    except TypeError:
        return f"{called} cannot take the job: {MAIN_IS}"
    if inspect.iscoroutinefunction(entry) or inspect.isasyncgenfunction(entry):
        return f"{called} is async: {MAIN_IS} (it may run a loop of its own, asyncio.run)"
    return None


def flush_output() -> None:
    """Send on what the lesson printed and Python still holds: the worker skips the exit that
    would (a stdout to a pipe is buffered in blocks, unless PYTHONUNBUFFERED says not)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, replaced, None: the lesson's to break
            stream.flush()


def settle_garbage() -> None:
    """Collect what importing left, and set the survivors aside (`gc.freeze`), so the run's
    collections see only what the run makes.

    Importing the lesson, its libraries and the harness leaves the collector a few young
    collections short of a full one over every module's objects: 16 to 34 ms, a tenth or more
    of a run of 200 threads (160 ms of CPU). Whether it fell inside a run was chance, and
    anything that allocated a little more (the X-ray's looks) tipped it in.
    """
    gc.collect()
    gc.freeze()


def collect_as_at_exit() -> None:
    """Collect garbage as the interpreter would at exit (the worker skips its exit), so
    asyncio tasks whose exception nobody retrieved report it: a fate, "logged".

    Only that: a coroutine found never awaited is not warned of, as it is not at a real exit
    (the interpreter finalises such cycles without a warning). Here it would be the harness
    talking, in the user's output.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
        gc.collect()


def _usage(reporter: Reporter, sampler: Sampler | None) -> tuple[float, float, float, float]:
    """(user and system CPU seconds, voluntary and involuntary context switches) of the
    process so far, less the harness threads' own: the reporter's and the X-ray's (each
    samples them itself)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    user, system = usage.ru_utime, usage.ru_stime
    voluntary, involuntary = usage.ru_nvcsw, usage.ru_nivcsw
    for own in (reporter.own_usage, sampler.own_usage if sampler else None):
        if own is not None:
            user -= own.ru_utime
            system -= own.ru_stime
            voluntary -= own.ru_nvcsw
            involuntary -= own.ru_nivcsw
    return user, system, voluntary, involuntary


def _flatten(error: BaseException) -> Iterator[BaseException]:
    """An error, or the members of its exception groups."""
    if isinstance(error, BaseExceptionGroup):
        for member in error.exceptions:
            yield from _flatten(member)
    else:
        yield error


def _see_returned(value: Any, depth: int = 0) -> None:
    """Errors the caller got back as values: exceptions, and error responses."""
    if depth > RETURN_DEPTH:
        return
    if isinstance(value, BaseException):
        for each in _flatten(value):
            probe.saw("returned", each, "return value")
    elif isinstance(value, dict):
        for item in value.values():
            _see_returned(item, depth + 1)
    elif isinstance(value, list | tuple | set):
        for item in value:
            _see_returned(item, depth + 1)
    elif getattr(value, "is_error", False):  # an httpx.Response with a 4xx or 5xx
        probe.saw_response("returned", str(value.request.url), value.status_code, "return value")
    elif (status := _error_status(value)) is not None:  # a requests or an aiohttp response
        probe.saw_response("returned", str(value.url), status, "return value")
    elif getattr(value, "error", None) is not None and hasattr(value, "effective_url"):
        probe.saw("returned", value.error, "return value")  # a Tornado HTTPResponse


def _error_status(value: Any) -> int | None:
    """The 4xx or 5xx status of a requests or an aiohttp response (told apart by their
    attributes, as pages.py does; their modules are only loaded if the lesson used them)."""
    status = getattr(value, "status_code", None) if hasattr(value, "ok") else None
    if status is None and hasattr(value, "request_info"):
        status = getattr(value, "status", None)
    return status if isinstance(status, int) and status >= 400 else None


if __name__ == "__main__":
    main()
