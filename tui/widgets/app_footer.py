"""The footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class AppFooter(Footer):
    """Textual's Footer, minus a rebuild on every focus change.

    Textual rebuilds the footer (some thirty widgets) whenever the focus moves, in case the
    keys changed. Moving between the eight panels never changes them, and on a machine busy
    with eight workers that rebuild is most of what a key press costs. So: rebuild only when
    the keys on show are really different.
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys_shown: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        keys = tuple(
            (key, active.binding.description, active.enabled)
            for key, active in screen.active_bindings.items()
            if active.binding.show
        )
        if keys != self._keys_shown:
            self._keys_shown = keys
            super().bindings_changed(screen)
