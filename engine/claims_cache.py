"""The last claims measurement, kept: what the claims screen shows until it measures again.

`asyncplay claims`, and the app's `r` once every lab has run, keep the update that ended
each variant (its numbers or why it failed, and the Python and the load it ran at) in the
user's cache folder: $XDG_CACHE_HOME/asyncplay/claims.jsonl, else ~/.cache/asyncplay/.

    {"kind": "asyncplay claims", "version": 1}
    {"variant": "races.threads_bare", "status": "done", "numbers": {...}, "context": {...}}

The file is anyone's to edit or break, so it is read as untrusted input: a file that is not
small, not UTF-8, not JSON lines of this shape, holds a number no lab measures (NaN, 1e999,
10**20), or numbers some rule cannot read (a word where it counts), is ignored whole, and
why is one line. Text is kept as text (the views never read it as markup), cut when long.
It is written whole or not at all: a temporary file beside it, then a rename.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard, get_args

from .claims import CANNOT_READ, CLAIMS
from .errors import quoted
from .files import Unreadable, open_regular
from .labrunner import LabStatus, LabUpdate, RunContext, measured_from

VERSION = 1
HEADER = {"kind": "asyncplay claims", "version": VERSION}
# A measurement of every lab is some 25 KB: a file forty times that is not one asyncplay wrote.
MAX_BYTES = 2**20
LONGEST_TEXT = 10_000  # characters of a string: a lab's longest is a line of a traceback
LARGEST_NUMBER = 10**15  # no lab counts past this: more lost updates than a day of deposits
DEEPEST = 8  # a lab's numbers nest three deep (a list of positions, each a small dict)
# A load average no machine reports, and the last moment a date can be written (9999-12-31).
LARGEST_LOAD = 10_000.0
LAST_TIME = 253_402_300_799.0
ENDED: tuple[LabStatus, ...] = tuple(s for s in get_args(LabStatus) if s != "running")
STATUSES: dict[object, LabStatus] = {status: status for status in ENDED}
VERSION_FORM = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}[a-z0-9+]{0,8}")  # 3.11.7, 3.14.0a1+


def cache_file() -> Path:
    """Looked up each time: tests move HOME. A relative $XDG_CACHE_HOME is ignored, as the XDG
    base directory specification says."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    folder = Path(base) if os.path.isabs(base) else Path("~/.cache").expanduser()
    return folder / "asyncplay" / "claims.jsonl"


def save(updates: Iterable[LabUpdate]) -> Path:
    """Keep the updates that ended a variant, in place of the last measurement; raises
    OSError when it cannot (the caller says so)."""
    path = cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".claims-", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(json.dumps(HEADER) + "\n")
            for update in updates:
                if update.status in ENDED:
                    file.write(update.to_json() + "\n")
            file.flush()
            os.fsync(file.fileno())  # on the disk before it has the name
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


class _Refused(Exception):
    """Why the file is not a measurement, in a few words."""


def load() -> tuple[list[LabUpdate], str]:
    """The last measurement's updates, and why the file was ignored (empty when all is well,
    or when there is no file: nothing was measured yet)."""
    path = cache_file()
    if not os.path.lexists(path):
        return [], ""
    try:
        with open_regular(path, MAX_BYTES) as file:
            text = file.read().decode("utf-8")
        updates = _updates(text)
    except Unreadable as error:
        return [], f"{path} could not be read ({error}); it was ignored"
    except UnicodeDecodeError:
        return [], f"{path} is not text; it was ignored"
    except (ValueError, RecursionError) as error:  # RecursionError: JSON nested past the parser
        return [], f"{path} is not JSON lines ({type(error).__name__}); it was ignored"
    except _Refused as refused:
        return [], f"{path} is not a claims measurement ({refused}); it was ignored"
    return updates, ""


def _updates(text: str) -> list[LabUpdate]:
    header, *rows = text.splitlines() or [""]
    if json.loads(header, parse_constant=_no_constant) != HEADER:
        raise _Refused(f"its first line is not {json.dumps(HEADER)}")
    updates = [_update(json.loads(row, parse_constant=_no_constant)) for row in rows if row]
    measured = measured_from(updates)
    for claim in CLAIMS:  # what the screen does first with them: judge every claim
        judgement = claim.judged(measured)
        if judgement.evidence.startswith(CANNOT_READ):
            raise _Refused(
                f"the {claim.id} rule cannot read its numbers: "
                f"{judgement.evidence.removeprefix(CANNOT_READ).strip(' ()')}"
            )
    return updates


def _no_constant(name: str) -> float:
    raise _Refused(f"{name} is not a measured number")


def _update(row: object) -> LabUpdate:
    if not isinstance(row, dict):
        raise _Refused(f"a line is {type(row).__name__}, not an object")
    variant, status = row.get("variant"), STATUSES.get(row.get("status"))
    numbers, detail = row.get("numbers"), row.get("detail", "")
    if not isinstance(variant, str):
        raise _Refused("a line names no variant")
    if status is None:
        raise _Refused(f"a line is not a variant's end: {quoted(row.get('status'))}")
    if not isinstance(numbers, dict):
        raise _Refused(f"{quoted(variant)} has no numbers")
    if not isinstance(detail, str):
        raise _Refused(f"the detail of {quoted(variant)} is not text")
    context = _context(row.get("context"))
    if context is None:
        raise _Refused(f"{quoted(variant)} does not say what it ran on")
    return LabUpdate(_text(variant), status, _numbers(numbers, 0), _text(detail), context)


def _context(data: object) -> RunContext | None:
    """What a variant ran on: a version as Python writes one, a load and a time a machine
    could give."""
    if not isinstance(data, dict):
        return None
    python, load_1m, started_at = (data.get(k) for k in ("python", "load_1m", "started_at"))
    if (
        isinstance(python, str) and VERSION_FORM.fullmatch(python)
        and _is_number(load_1m) and 0 <= load_1m <= LARGEST_LOAD
        and _is_number(started_at) and 0 <= started_at <= LAST_TIME
    ):  # fmt: skip
        return RunContext(python, float(load_1m), float(started_at))
    return None


def _is_number(value: object) -> TypeGuard[float]:
    """A finite int or float (JSON's true is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _numbers(value: Any, depth: int) -> Any:
    """`value` as a lab could have measured it, strings cut; refused if no lab could have."""
    if depth > DEEPEST:
        raise _Refused(f"its numbers nest past {DEEPEST} deep")
    if isinstance(value, dict):
        return {_text(key): _numbers(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers(item, depth + 1) for item in value]
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None:
        return value
    if not (_is_number(value) and abs(value) <= LARGEST_NUMBER):  # NaN, 1e999, 10**20
        raise _Refused(f"{quoted(value)} is not a measured number")
    return value


def _text(value: str) -> str:
    return value[:LONGEST_TEXT]
