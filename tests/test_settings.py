"""The theme the user picks is the next start's; --theme picks one for a start alone; a
settings file that is not one is ignored, and said so."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from asyncplay.tui import settings
from asyncplay.tui.app import AsyncPlayApp


def started_theme(**options: object) -> tuple[str, str]:
    """The theme an app starts with, and the warning it gave (if any)."""

    async def start() -> tuple[str, str]:
        app = AsyncPlayApp(start_server=False, **options)  # type: ignore[arg-type]
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            notices = " ".join(notice.message for notice in app._notifications)
            theme = app.theme
            await pilot.press("q")
        return theme, notices

    return asyncio.run(start())


def pick(theme: str) -> None:
    async def choose() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(100, 30)) as pilot:
            app.theme = theme  # as the command palette's theme picker sets it
            await pilot.pause()
            await pilot.pause()
            await pilot.press("q")

    asyncio.run(choose())


def test_a_picked_theme_is_the_next_starts() -> None:
    default, _ = started_theme()
    assert default == "textual-dark"
    pick("nord")
    assert json.loads(settings.settings_file().read_text()) == {"theme": "nord"}
    assert started_theme() == ("nord", "")
    assert started_theme(theme="dracula")[0] == "dracula"  # --theme: this start alone
    assert started_theme()[0] == "nord"


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b'["nord"]', b'{"theme": 5}', b'{"theme": "no-such"}', b"[" * 100_000, b"\xff\xfe"],
)
def test_a_file_that_is_not_settings_is_ignored_and_said(content: bytes) -> None:
    path = settings.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    theme, notices = started_theme()
    assert theme == "textual-dark"
    assert "it was ignored" in notices


def test_an_unknown_theme_on_the_command_line_is_one_line_and_status_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asyncplay.tui.cli", "--theme", "no-such"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("asyncplay: ") and "no theme 'no-such'" in lines[-1]
    assert "nord" in lines[-1] and "Traceback" not in done.stderr
