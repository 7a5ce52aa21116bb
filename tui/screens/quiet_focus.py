"""A screen whose focus moves repaint the two widgets concerned, not the whole screen.

Textual's `Screen.focused` is a reactive that repaints the whole screen when it changes. The
widgets a focus move concerns repaint themselves already: the one focused and the one blurred
(on their Focus and Blur events), and those whose `:focus` or `:focus-within` styles changed
(restyled, then refreshed). With eight live runs at 160x48 that whole-screen repaint was the
largest part of a key press: a focus move on the app's busiest screens costs the two panels.
"""

from __future__ import annotations

from typing import TypeVar

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

ResultType = TypeVar("ResultType")


class QuietFocusScreen(Screen[ResultType]):
    """A Screen whose focus moves repaint only what they concern."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
