"""One hierarchy of the errors asyncplay expects, each a title and one line."""

from __future__ import annotations

import pytest

from asyncplay.engine import errors
from asyncplay.engine.errors import MESSAGE_MAX, AsyncplayError, InputError, one_line


@pytest.mark.parametrize(
    "kind",
    [errors.UsageError, errors.WorkloadError, errors.LogError, errors.LessonError,
     errors.MalformedEvent],
)  # fmt: skip
def test_bad_input_is_an_input_error_and_a_value_error(kind: type[AsyncplayError]) -> None:
    error = kind("no such thing")
    assert isinstance(error, InputError) and isinstance(error, ValueError)
    assert (error.title, str(error)) == ("error", "no such thing")


@pytest.mark.parametrize(
    "kind", [errors.ServerDied, errors.LabFailed, errors.WorkerBroke, errors.HarnessError]
)
def test_a_failed_harness_is_a_harness_error(kind: type[AsyncplayError]) -> None:
    error = kind("the fault server died")
    assert isinstance(error, errors.HarnessError) and not isinstance(error, InputError)


def test_a_message_is_its_first_line_cut_to_a_line_of_a_terminal() -> None:
    assert str(errors.LogError("bad line\nTraceback ...")) == "bad line"
    fits = "x" * MESSAGE_MAX
    assert one_line(fits) == fits
    cut = one_line(fits + "y")
    assert len(cut) == MESSAGE_MAX and cut.endswith("…") and cut.startswith("x" * 10)
    assert one_line("") == ""


def test_a_lesson_error_keeps_its_line() -> None:
    error = errors.LessonError("syntax error, line 3: invalid syntax", 3)
    assert error.line == 3 and str(error) == "syntax error, line 3: invalid syntax"
