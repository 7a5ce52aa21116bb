"""The last claims measurement, kept in the user's cache folder and read back as untrusted
input: whatever the file holds, the claims screen gets updates every rule can read, or none
and one line saying why."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from asyncplay.engine import claims_cache
from asyncplay.engine.claims import CLAIMS
from asyncplay.engine.labrunner import LabUpdate, RunContext, measured_from

LOGS = Path(__file__).parent / "logs"
RECORDED = [LabUpdate.from_json(line) for line in (LOGS / "claims.jsonl").read_text().splitlines()]
CONTEXT = RunContext("3.11.7", 1.8, 1_796_299_200.0)  # 2026-12-03 12:00 UTC
MEASURED = [replace(update, context=CONTEXT) for update in RECORDED]
ENDED = [update for update in MEASURED if update.status != "running"]
HEADER = json.dumps({"kind": "asyncplay claims", "version": claims_cache.VERSION})


def lines(*rows: object) -> bytes:
    """A cache file: the header, then each row as a JSON line (a str row as it is)."""
    texts = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    return "\n".join([HEADER, *texts, ""]).encode()


def ended(**changes: object) -> dict[str, object]:
    """The first ended update of the recorded run, as a dict, with `changes`."""
    return {**json.loads(ENDED[0].to_json()), **changes}


def test_a_measurement_saved_loads_back_as_it_ended() -> None:
    """Saved, then loaded: the update that ended each variant (its numbers or why it failed,
    and what it ran on), in order; the progress on the way is not kept. Written whole: no
    temporary file is left beside it."""
    path = claims_cache.save(MEASURED)
    assert path == Path.home() / ".cache" / "asyncplay" / "claims.jsonl"
    assert claims_cache.load() == (ENDED, "")
    assert [child.name for child in path.parent.iterdir()] == ["claims.jsonl"]
    again = [replace(update, detail="again") for update in ENDED[:3]]
    claims_cache.save(again)  # over the last one
    assert claims_cache.load() == (again, "")


def test_the_folder_is_xdg_cache_home_when_it_is_an_absolute_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """$XDG_CACHE_HOME/asyncplay/; a relative or empty one is ignored, as the XDG base
    directory specification says, for ~/.cache/asyncplay/."""
    in_home = Path.home() / ".cache" / "asyncplay" / "claims.jsonl"
    assert claims_cache.cache_file() == in_home
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert claims_cache.cache_file() == tmp_path / "asyncplay" / "claims.jsonl"
    for ignored in ("relative/cache", ""):
        monkeypatch.setenv("XDG_CACHE_HOME", ignored)
        assert claims_cache.cache_file() == in_home


def test_no_file_is_nothing_to_show_and_nothing_to_say() -> None:
    assert claims_cache.load() == ([], "")


def test_an_unwritable_folder_is_an_oserror_and_leaves_nothing_behind(tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A file where the folder should be: save raises OSError (the caller says so in a line)."""
    (tmp_path / "asyncplay").write_text("a file, not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(OSError):
        claims_cache.save(MEASURED)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["asyncplay"]


def _wrong_numbers() -> bytes:
    """Every variant as measured, but each of its numbers a word."""
    rows = [json.loads(update.to_json()) for update in ENDED]
    for row in rows:
        row["numbers"] = dict.fromkeys(row["numbers"], "many")
    return lines(*rows)


def _ran_at(**changes: object) -> bytes:
    """A cache of one variant whose context has `changes`."""
    context = json.loads(ENDED[0].to_json())["context"]
    return lines(ended(context={**context, **changes}))


def _nested(depth: int) -> bytes:
    """The first variant's numbers with a value `depth` objects deep."""
    deep = '{"a": ' * depth + "1" + "}" * depth
    return lines(ended()).replace(b'"numbers": {', b'"numbers": {"x": ' + deep.encode() + b", ")


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "binary": bytes(range(256)) * 40,
    "not utf-8": HEADER.encode() + b"\n\xff\xfe\n",
    "not json": b"{not json\n",
    "no header": "\n".join(update.to_json() for update in ENDED).encode(),
    "another version": json.dumps({"kind": "asyncplay claims", "version": 99}).encode(),
    "a list": lines([1, 2, 3]),
    "still running": lines(ended(status="running")),
    "an unknown status": lines(ended(status="exploded")),
    "numbers a list": lines(ended(numbers=[1, 2])),
    "variant a number": lines(ended(variant=7)),
    "detail a dict": lines(ended(detail={"a": 1})),
    "no context": lines(ended(context=None)),
    "a python with markup": _ran_at(python="[b]3[/b]"),
    "a load in words": _ran_at(load_1m="high"),
    "a boolean load": _ran_at(load_1m=True),
    "an absurd load": _ran_at(load_1m=1e12),
    "a year past 9999": _ran_at(started_at=1e300),
    "NaN": lines(ended(numbers={"lost_updates": float("nan")})),
    "infinity": lines(ended()).replace(b'"trials": 20', b'"trials": 1e999'),
    "an absurd number": lines(ended(numbers={"lost_updates": 10**20})),
    "nested deep": _nested(40),
    "nested past the parser": HEADER.encode() + b"\n" + b"[" * 200_000 + b"\n",
    "numbers no rule can read": _wrong_numbers(),
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_file_that_is_not_a_measurement_is_ignored_in_one_line(content: bytes) -> None:
    path = claims_cache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    updates, problem = claims_cache.load()
    assert updates == []
    assert problem.startswith(f"{path} ") and problem.endswith("; it was ignored")
    assert len(problem.splitlines()) == 1 and len(problem) < 300, problem


@pytest.mark.parametrize("kind", ["too large", "a folder", "a fifo"])
def test_what_is_not_a_small_regular_file_is_not_read(kind: str) -> None:
    """A file past the limit (never read: a sparse one of that size), a folder, a FIFO (which
    would keep a reader waiting for a writer forever)."""
    path = claims_cache.cache_file()
    path.parent.mkdir(parents=True)
    if kind == "too large":
        with path.open("wb") as file:
            file.truncate(claims_cache.MAX_BYTES + 1)
    elif kind == "a folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    updates, problem = claims_cache.load()
    assert updates == [] and problem.endswith("; it was ignored") and str(path) in problem


def test_text_is_kept_as_text_and_cut_when_long() -> None:
    """Markup in a string is a string (the views never read it as markup); a string longer
    than any a lab sends is cut, not refused; what the rules read is untouched."""
    rows = [json.loads(update.to_json()) for update in ENDED]
    rows[0]["detail"] = "[/]Unicode[b] [link=x]"
    rows[1]["numbers"]["note"] = "x" * 100_000
    path = claims_cache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(lines(*rows))
    updates, problem = claims_cache.load()
    assert problem == ""
    assert updates[0].detail == "[/]Unicode[b] [link=x]"
    assert updates[1].numbers["note"] == "x" * claims_cache.LONGEST_TEXT
    measured = measured_from(updates)
    assert [c.judged(measured) for c in CLAIMS] == [c.judged(measured_from(ENDED)) for c in CLAIMS]
