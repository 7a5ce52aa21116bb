"""Every error asyncplay expects, under one base: a title and a one-line message.

The CLI prints one as `asyncplay: TITLE: MESSAGE` and exits with the status of its kind;
the app shows the same line in a notice. Two kinds:

- `InputError`: what the user gave cannot be used (a flag, a scenario, a log, a lesson, a
  line a child process sent). Theirs to fix: exit status 2.
- `HarnessError`: the machinery failed (the fault server died, a lab gave no numbers, the
  output could not be written). Exit status 1.

Anything else is a bug, and ends with a traceback in a file, never on the user's terminal.
"""

from __future__ import annotations

from typing import ClassVar

# A message is one line of a terminal's worth: it may quote input, which may be anything.
MESSAGE_MAX = 300


def one_line(text: str, limit: int = MESSAGE_MAX) -> str:
    """`text`'s first line, cut to `limit` characters (with an ellipsis when cut)."""
    lines = str(text).strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def quoted(value: object, limit: int = 60) -> str:
    """`value`'s repr, cut to `limit` characters: a refusal names what it refuses, and a
    value of 100,000 characters would leave no room for the rest of the line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AsyncplayError(Exception):
    """An error asyncplay expects: `title` says what kind, `str()` the one-line message."""

    title: ClassVar[str] = "failed"

    def __init__(self, message: object) -> None:
        super().__init__(one_line(str(message)))

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __str__(self) -> str:
        return self.message


class InputError(AsyncplayError, ValueError):
    """Input that cannot be used: the user's to fix (exit status 2)."""

    title = "error"


class UsageError(InputError):
    """A command line that asks for what cannot be done: a flag, a name, a path."""


class WorkloadError(InputError):
    """A scenario or fault spec that cannot be run."""


class LogError(InputError):
    """A file that is not an asyncplay event log."""


class LessonError(InputError):
    """A file that cannot be a lesson; `line` points at the bad line, when there is one."""

    def __init__(self, message: object, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class TourError(InputError):
    """A tour file that cannot be walked; its message names the line, when there is one."""


class MalformedEvent(InputError):
    """A line that is not an event this version understands (from a log, or a child)."""


class HarnessError(AsyncplayError, RuntimeError):
    """The machinery failed, not the user's input nor a lesson (exit status 1)."""


class ServerDied(HarnessError):
    """The fault server exited while a run needed it."""


class LabFailed(HarnessError):
    """A lab variant gave no numbers: it crashed, or ran past its deadline."""


class WorkerBroke(HarnessError):
    """A worker sent what is not an event: its run is reported crashed, and it is ended."""


class OutputLost(HarnessError):
    """stdout could not take what a command printed; said in one line already. `code` is
    the command's exit status (0 when the reader simply went away: `| head`)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the output was lost (exit status {code})")
        self.code = code
