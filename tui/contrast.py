"""Contrast as WCAG 2 defines it, and a colour moved just far enough to be legible.

A theme's semantic colours are chosen to be recognisable, not always to be read: in
textual-light, the warning colour on its background is 1.19:1. Words that carry a lesson
(a fate, a verdict, a run's state) must reach WCAG AA for text, 4.5:1, in every theme; a
colour that does not is blended toward the theme's text colour, a step at a time, until
it does, so it keeps as much of its hue as legibility allows.
"""

from __future__ import annotations

from textual.color import Color

AA_TEXT = 4.5  # WCAG 2, level AA, for text of normal size
STEPS = 20  # blends of 5% each toward the text colour


def relative_luminance(color: Color) -> float:
    """WCAG 2's relative luminance of an opaque colour, from 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)


def contrast_ratio(one: Color, other: Color) -> float:
    """From 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def legible(color: Color, background: Color, text: Color, least: float = AA_TEXT) -> Color:
    """`color`, or the nearest blend of it toward `text` that reaches `least` contrast on
    `background` (`text` itself, at worst: a theme's text colour is its most legible)."""
    for step in range(STEPS + 1):
        blended = color.blend(text, step / STEPS)
        if contrast_ratio(blended, background) >= least:
            return blended
    return text
