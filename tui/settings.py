"""What the app remembers between starts: the theme the user chose.

Kept as JSON in ~/.config/asyncplay/settings.json, beside the user's lessons and scenarios.
The file is the user's to edit, so it is read as untrusted input: anything that is not a
small JSON object with a known theme's name is ignored (the app starts with its default and
says why once). It is written whole or not at all (a temporary file, then a rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from textual.theme import BUILTIN_THEMES

MAX_BYTES = 64_000  # a settings file is a line or two


def settings_file() -> Path:
    """Looked up each time: tests move HOME."""
    return Path("~/.config/asyncplay/settings.json").expanduser()


def theme_names() -> list[str]:
    return sorted(BUILTIN_THEMES)


def saved_theme() -> tuple[str | None, str]:
    """The theme saved last, if there is a valid one; and why not, if a file is there but
    unusable (empty when all is well)."""
    path = settings_file()
    try:
        if not path.is_file():
            return None, ""
        if path.stat().st_size > MAX_BYTES:
            return None, f"{path} is too large to be settings; it was ignored"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return None, f"{path} could not be read ({type(error).__name__}); it was ignored"
    theme = data.get("theme") if isinstance(data, dict) else None
    if not isinstance(theme, str) or theme not in BUILTIN_THEMES:
        return None, f"{path} names no known theme; it was ignored"
    return theme, ""


def save_theme(name: str) -> None:
    """Remember `name`: the other settings in the file are kept as they are."""
    path = settings_file()
    data: dict[str, object] = {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        data = loaded if isinstance(loaded, dict) else {}
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        pass  # an unreadable file is replaced
    data["theme"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
