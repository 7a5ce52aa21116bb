"""Events are written by a faster encoder than json.dumps: it must write the same text."""

from __future__ import annotations

import json

from asyncplay.engine import events as ev


def _dumps(event: ev.Event) -> str:
    return json.dumps(ev.to_dict(event), separators=(",", ":"))


def test_encode_writes_what_json_dumps_writes() -> None:
    """Every kind, the two written by hand with plain and with unusual numbers alike (an int
    time, a huge id, NaN, a bool where an int belongs), text that JSON must escape."""
    samples: list[ev.Event] = [
        ev.TaskStarted(0.1, 1), ev.TaskStarted(1234.000001, 99999), ev.TaskStarted(3, 0),
        ev.TaskStarted(1e-7, 10**20), ev.TaskStarted(float("nan"), 1),
        ev.TaskStarted(True, 1), ev.TaskStarted(0.5, True),
        ev.TaskFinished(0.2, 1, 200, 9), ev.TaskFinished(7, 2, 599, 0),
        ev.TaskFinished(0.2, 1, True, 9), ev.TaskFinished(float("inf"), 1, 200, 9),
        ev.TaskFailed(0.3, 2, "UnicodeDecodeError", 'byte 0xc3 "here"\n', "Traceback\n  é",
                      True, (("pages", 30, "handle"), ("threads", 12, "fetch"))),
        ev.ErrorSeen(0.4, None, "logged", "threading.excepthook", "ValueError", "tb", ()),
        ev.RunStarted(0.0, "threads", 42, 3, 3, 0.2, {1: "http-500"}, 12.5),
        ev.Output(0.5, "boom\u2028\x00\n"), ev.RunAborted(0.6, "killed", "stopped"),
        ev.RunFinished(1.0, 0.9, 0.4, 10, 2, 5, 30000),
        ev.Sampled(0.7, (("Thread-1 (fetch)", 2, 21, "network"), ("main", None, 5, "running"))),
    ]  # fmt: skip
    for event in samples:
        assert ev.encode(event) == _dumps(event), event
