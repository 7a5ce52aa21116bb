"""One run of one lesson, in a worker process of its own, from its start to its end.

Everything here is asyncio and never blocks, so the app can drive several runs while it
keeps drawing. The worker is ended when its run is done, stopped or past its deadline; the
run always ends with a RunFinished from the worker or a RunAborted made here. The session
(`session.py`) is what starts runs; this is how one goes.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import asdict

from .errors import ServerDied, WorkerBroke
from .processes import end_group, end_process, exited, spawn_with_pipe
from .relay import EventSink, Relay
from .runaways import Runaway
from .server_process import FaultServer
from .targets import Target
from .workload import Scenario

# The worker's command line: `python -m` this, with its spec and its event pipe.
WORKER_MODULE = f"{__package__}.worker"
RUNAWAYS_NAMED = 5  # processes named in the warning of those that left a run's group


def deadline_for(scenario: Scenario) -> float:
    """Time enough for the worst honest run (every task one after another at its longest,
    every failure waiting out the client timeout, as Tornado does after a reset), and then
    some. From the scenario alone: the app's loop never builds a plan of 100,000 tasks."""
    return 1.5 * scenario.worst_case_s() + 30.0


async def run_strategy(
    strategy: str, scenario: Scenario, target: Target, sink: EventSink,
    deadline_s: float | None = None, nice: int = 0, server: FaultServer | None = None,
    env: dict[str, str] | None = None, xray: bool = True, file: str | None = None,
) -> None:  # fmt: skip
    """Run one strategy in a worker and pass every event to `sink` as it arrives.

    Ends with the worker's RunFinished, or with a RunAborted made here when the worker
    crashed, ran past its deadline, `server` died under it, or this coroutine was cancelled
    (a stop); once the worker and all it started are gone, a RunWarned before the end names
    what the lesson started out of the worker's process group (ended too). `nice` lowers the
    worker's CPU priority: the app passes it so a machine full of workers still answers keys
    at once. `env` adds to the worker's environment (a lab turns on asyncio's debug mode
    and gevent's monitor thread with it). `xray=False` turns the X-ray off whatever the task
    count. `file` is a user's lesson to run under the name `strategy` (see lessons.py).
    """
    if server is not None and (death := server.death()) is not None:
        Relay(sink).abort("crashed", f"{death} before the run")
        return
    relay = Relay(sink, server, until_closed=True)
    deadline_s = deadline_for(scenario) if deadline_s is None else deadline_s
    # `parent`: the worker ends when this process does (its stdin is a pipe from here that
    # only closes then); it asks the kernel for that too, and is told whom to outlive.
    spec = {"strategy": strategy, "scenario": scenario.to_dict(), "target": asdict(target),
            "nice": nice, "xray": xray, "file": file, "parent": os.getpid()}  # fmt: skip
    process, read_fd = await spawn_with_pipe(
        "-m", WORKER_MODULE, json.dumps(spec), pipe_flag="--events-fd",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env={**os.environ, **env} if env else None,
    )  # fmt: skip
    watching = [_watch(server, process)] if server is not None else []
    try:
        # Awaited directly, not through wait_for: a cancelled gather then hands its
        # CancelledError to this task instead of logging it as "never retrieved".
        async with asyncio.timeout(deadline_s):
            await asyncio.gather(
                relay.events(read_fd), relay.output(process), _exited(process, relay), *watching
            )
    except TimeoutError:
        relay.abort("killed", f"no result after {deadline_s:.0f} s; killed")
    except ServerDied as died:
        relay.abort("crashed", f"{died}; the run was stopped")
    except WorkerBroke:
        pass  # the relay said why; the worker is ended below
    except asyncio.CancelledError:
        relay.abort("killed", "stopped")
        raise
    finally:
        try:
            _warn_of(await end_process(process, grace_s=0.0), relay)
        finally:
            os.close(read_fd)
            relay.close(f"worker exited with status {process.returncode}")


async def _exited(process: asyncio.subprocess.Process, relay: Relay) -> None:
    """Return once the worker has exited and what it started is ended: what it forked may
    hold its pipes open, and the run's end waits for them."""
    await exited(process)
    _warn_of(end_group(process), relay)


def _warn_of(found: list[Runaway], relay: Relay) -> None:
    """Name the processes the lesson started out of the worker's group, ended with the run."""
    if found:
        named = "; ".join(map(str, found[:RUNAWAYS_NAMED]))
        more = f" and {len(found) - RUNAWAYS_NAMED} more" if len(found) > RUNAWAYS_NAMED else ""
        relay.warn(f"the lesson's {named}{more}: out of the run's process group, "
                   "ended with the run")  # fmt: skip


async def _watch(server: FaultServer, process: asyncio.subprocess.Process) -> None:
    """Return when the worker exits; raise ServerDied if the fault server exits first."""
    worker_exited = asyncio.ensure_future(process.wait())
    try:
        await asyncio.wait({server.exited, worker_exited}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        worker_exited.cancel()
    if not worker_exited.done() or worker_exited.cancelled():
        server.check()
