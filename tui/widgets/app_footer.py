"""The main screen's footer: rebuilt only when its keys change, and never wider than the screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from ..keys import KEYS

# Below these widths the main screen's footer keeps only the keys marked `narrow`, and any
# other screen's (which has keys of its own too) its own keys with help and quit; help and
# the command palette list them all. So `?` and `q` are always on screen.
NARROW_BELOW = 110
NARROW_BELOW_ELSEWHERE = 160
APP_ACTIONS = {key.action for key in KEYS}
NARROW_ACTIONS = {key.action for key in KEYS if key.narrow}
EVERYWHERE = {"help", "quit", "app.help", "app.quit"}
KEY_PADDING = 4  # a space each side of the key, one after its words, one between keys


def key_width(widget: Widget) -> int:
    """The cells a footer key takes: its key, its words, and the space around them."""
    display, words = getattr(widget, "key_display", ""), getattr(widget, "description", "")
    return len(display) + len(words) + KEY_PADDING if words else len(display) + 1


def fitted(widgets: list[Widget], width: int) -> list[Widget]:
    """As many keys as fit `width`, help, quit and the way back (escape) always: the others
    go from the last on (at 60 columns, `q Quit` was cut to `q Q`)."""
    kept = list(widgets)
    droppable = [w for w in kept if getattr(w, "action", None) not in EVERYWHERE
                 and getattr(w, "key", None) != "escape"]  # fmt: skip
    while sum(map(key_width, kept)) > width - 1 and droppable:
        kept.remove(droppable.pop())
    return kept


class AppFooter(Footer):
    """Textual's Footer, trimmed to the screen, minus a rebuild on every focus change.

    Textual rebuilds the footer (some thirty widgets) whenever the focus moves, in case the
    keys changed. Moving between the eight panels never changes them, and on a machine busy
    with eight workers that rebuild is most of what a key press costs. So: rebuild only when
    the keys on show, or the room for them, are really different.
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys_shown: tuple[object, ...] | None = None

    @property
    def narrow(self) -> bool:
        main = self.screen is self.app.screen_stack[0]
        return self.app.size.width < (NARROW_BELOW if main else NARROW_BELOW_ELSEWHERE)

    def compose(self) -> ComposeResult:
        narrow = self.narrow
        main = self.screen is self.app.screen_stack[0]
        app_keys = NARROW_ACTIONS if main else EVERYWHERE
        # A screen's keys that can go when narrow (the zoom's tabs show their own names).
        own_wide_only: set[str] = getattr(self.screen, "WIDE_ONLY_ACTIONS", set())
        kept = []
        for widget in super().compose():
            # FooterKey widgets carry their binding's action; the palette key's is
            # "command_palette", and it goes too when the footer is narrow.
            action = getattr(widget, "action", None)
            name = action.partition("(")[0] if isinstance(action, str) else None
            if narrow and (action == "command_palette" or name in own_wide_only or
                           (action in APP_ACTIONS and action not in app_keys)):  # fmt: skip
                continue
            kept.append(widget)
        yield from fitted(kept, self.app.size.width)

    def bindings_changed(self, screen: Screen[object]) -> None:
        keys = (
            self.narrow,
            *(
                (key, active.binding.description, active.enabled)
                for key, active in screen.active_bindings.items()
                if active.binding.show
            ),
        )
        if keys != self._keys_shown:
            self._keys_shown = keys
            super().bindings_changed(screen)

    def on_resize(self, event: Resize) -> None:
        if self._keys_shown is not None and self._keys_shown[0] != self.narrow:
            self.bindings_changed(self.screen)
