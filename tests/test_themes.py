"""Every built-in theme keeps the words that carry the lesson legible: each fate, run state
and verdict reaches WCAG AA contrast (4.5:1) on the backgrounds it is drawn on."""

from __future__ import annotations

import asyncio

import pytest
from textual.color import Color
from waiting import until

from asyncplay.engine.fold import FATES
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.contrast import AA_TEXT, contrast_ratio, legible
from asyncplay.tui.widgets.strategy_panel import StrategyPanel

RUNS = ("idle", "running", "done", "crashed", "killed")
VERDICTS = ("holds", "partly", "fails")


@pytest.mark.parametrize(
    ("one", "other", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),  # the most there is
        ("#ffffff", "#ffffff", 1.0),  # none
        ("#767676", "#ffffff", 4.54),  # the grey on white WCAG's examples give as passing
        ("#777777", "#ffffff", 4.48),  # and one step lighter, failing
        ("#ffc473", "#e0e0e0", 1.19),  # the textual-light "logged"
    ],
)
def test_contrast_ratio_is_wcags(one: str, other: str, ratio: float) -> None:
    assert contrast_ratio(Color.parse(one), Color.parse(other)) == pytest.approx(ratio, abs=0.01)


def test_a_faint_colour_moves_toward_the_text_only_as_far_as_it_must() -> None:
    background, text = Color.parse("#e0e0e0"), Color.parse("#000000")
    faint = Color.parse("#ffc473")
    moved = legible(faint, background, text)
    assert contrast_ratio(moved, background) >= AA_TEXT
    less = faint.blend(text, 0.9 * faint_share(faint, moved, text))
    assert contrast_ratio(less, background) < AA_TEXT, "moved further than it had to"
    dark = Color.parse("#202020")  # legible already: unchanged
    assert legible(dark, background, text) == dark


def faint_share(faint: Color, moved: Color, text: Color) -> float:
    """How far `moved` is from `faint` toward `text`, 0 to 1 (by the red channel)."""
    return (moved.r - faint.r) / (text.r - faint.r)


def test_every_theme_draws_the_lessons_words_at_aa_contrast() -> None:
    """For each built-in theme: each fate, run state and verdict colour, as the palette
    gives it, against the panel's own background (what the panels are drawn on) and the
    theme's surface (dialogs, tables)."""
    failures: list[str] = []

    async def themes() -> None:
        app = AsyncPlayApp(start_server=False)
        async with app.run_test(size=(120, 40)) as pilot:
            panel = app.query_one(StrategyPanel)
            # The ANSI themes leave every colour to the terminal's own palette: nothing here
            # can know it.
            names = sorted(name for name in app.available_themes if not name.startswith("ansi-"))
            assert len(names) >= 10 and "textual-light" in names
            for name in names:
                app.theme = name
                await until(lambda: app.theme_variables["background"] ==
                            app.current_theme.to_color_system().generate()["background"],
                            what=f"the theme {name}'s styles")  # fmt: skip
                await pilot.pause()
                palette = app.palette
                variables = app.theme_variables
                backgrounds = {
                    "the panel": panel.background_colors[1],
                    **{var: Color.parse(variables[var]) for var in ("surface",)},
                }
                words = {
                    **{f"fate {fate}": palette.fate_style(fate) for fate in FATES},
                    **{f"run {status}": palette.run_style(status) for status in RUNS},
                    **{f"verdict {v}": palette.verdict_style(v) for v in VERDICTS},
                }
                for word, style in words.items():
                    assert style.color is not None, f"{name}: {word} has no colour"
                    color = Color.from_rich_color(style.color)
                    for where, background in backgrounds.items():
                        ratio = contrast_ratio(color, background)
                        if ratio < AA_TEXT:
                            failures.append(f"{name}: {word} {color.hex} on {where} "
                                            f"{background.hex}: {ratio:.2f}:1")  # fmt: skip
            await pilot.press("q")

    asyncio.run(themes())
    assert not failures, "\n".join(failures)
