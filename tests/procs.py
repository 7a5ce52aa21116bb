"""Processes as /proc shows them: the one scan behind every "nothing is left running" check."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    state: str  # Z: a zombie, already dead

    def environ(self) -> bytes:
        try:
            return Path(f"/proc/{self.pid}/environ").read_bytes()
        except OSError:  # gone since the scan, or not ours to read
            return b""


def running() -> Iterator[Process]:
    """Every live process (zombies are dead: they only wait to be reaped)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            process = _read(int(entry.name))
            if process is not None and process.state != "Z":
                yield process


def _read(pid: int) -> Process | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    state, parent = stat.rsplit(")", 1)[1].split()[:2]
    return Process(pid, int(parent), state)


def alive(pid: int | None) -> bool:
    process = _read(pid) if pid is not None else None
    return process is not None and process.state != "Z"


# Children a test session keeps on purpose (the shared fault server): never a test's leftover.
SESSION_CHILDREN: set[int] = set()


def children(of: int | None = None) -> set[int]:
    """Live child processes of `of` (this process by default), less the session's own."""
    parent = os.getpid() if of is None else of
    return {p.pid for p in running() if p.parent == parent} - SESSION_CHILDREN


def marked(marker: str) -> set[int]:
    """Live processes whose environment holds `marker`: a command's children inherit it."""
    return {process.pid for process in running() if marker.encode() in process.environ()}
