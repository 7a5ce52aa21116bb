"""Processes that left the process group of the child that started them: found by a mark in
their environment, and ended.

A child's group is killed when it ends, and whatever it forked goes with it. A process that
starts a session of its own (`os.setsid`, as a daemon does) or a group of its own leaves that
group, and once the child is gone nothing links it to the child but its environment, which it
inherited: every child the parent starts carries a mark there (`MARK_VARIABLE`), its own.
Whatever still carries a child's mark in another group is a runaway. (One that cleared its
environment, or exec'd with a new one, is not found: it is named nowhere either.)

Read from /proc: on a system without it, none is found.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from dataclasses import dataclass

MARK_VARIABLE = "ASYNCPLAY_CHILD"
# Killing a runaway may find another (one forked as it was killed); past this many rounds,
# what is left is left.
ROUNDS = 10


@dataclass(frozen=True)
class Runaway:
    """A process found out of its starter's group."""

    pid: int
    name: str  # its command's name, as /proc has it (printable characters only)
    own_session: bool  # it leads a session of its own; else a group of its own

    def __str__(self) -> str:
        where = "session of its own (os.setsid)" if self.own_session else (
            "process group of its own (os.setpgid)")  # fmt: skip
        return f"process {self.pid} ({self.name}) in a {where}"


def new_mark() -> str:
    """A mark no other child has."""
    return uuid.uuid4().hex


def end(mark: str, group: int) -> list[Runaway]:
    """Kill every live process that carries `mark` out of process group `group`; the ones
    found, each as it was found."""
    ended: dict[int, Runaway] = {}
    for _ in range(ROUNDS):
        found = find(mark, group)
        if not found:
            break
        for runaway in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(runaway.pid, signal.SIGKILL)
            ended.setdefault(runaway.pid, runaway)
    return list(ended.values())


def find(mark: str, group: int) -> list[Runaway]:
    """Live processes that carry `mark` and are not in process group `group`. (A scan of
    /proc: a few milliseconds for a hundred processes.)"""
    marked = f"\0{MARK_VARIABLE}={mark}\0".encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                runaway = _runaway(entry.name, marked, group)
                if runaway is not None:
                    found.append(runaway)
    return found


def _runaway(pid: str, marked: bytes, group: int) -> Runaway | None:
    try:
        stat = _read(f"/proc/{pid}/stat")
        # The name is in parentheses and may hold anything: the fields follow its last ")".
        name, fields = stat[stat.find(b"(") + 1 : stat.rfind(b")")], stat[stat.rfind(b")") + 2 :]
        state, _parent, pgrp, session = fields.split()[:4]
        if state in (b"Z", b"X") or int(pgrp) == group:  # dead already, or ends with its group
            return None
        if marked not in b"\0" + _read(f"/proc/{pid}/environ"):
            return None
    except (OSError, ValueError):  # gone since the listing, or not ours to read
        return None
    text = name.decode(errors="replace")
    printable = "".join(char if char.isprintable() else "?" for char in text)
    return Runaway(int(pid), printable, own_session=int(session) == int(pid))


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()
