"""The contrast of each fate word in each built-in theme, as the app draws it: a Markdown
table of the lower of its ratios on the screen's background and on the surface.

    python scripts/contrast_table.py
"""

from __future__ import annotations

import asyncio

from textual.color import Color

from asyncplay.engine.fold import FATE_LABELS, FATES
from asyncplay.tui.app import AsyncPlayApp
from asyncplay.tui.contrast import contrast_ratio


async def table() -> list[str]:
    app = AsyncPlayApp(start_server=False)
    lines = ["| theme | " + " | ".join(FATE_LABELS[fate] for fate in FATES) + " |"]
    lines.append("|---" * (len(FATES) + 1) + "|")
    async with app.run_test(size=(120, 40)) as pilot:
        for name in sorted(app.available_themes):
            if name.startswith("ansi-"):
                continue  # the terminal's own palette colours these
            app.theme = name
            while (
                app.theme_variables["background"]
                != (app.current_theme.to_color_system().generate()["background"])
            ):
                await pilot.pause()
            await pilot.pause()
            backgrounds = [
                Color.parse(app.theme_variables[var]) for var in ("background", "surface")
            ]
            cells = []
            for fate in FATES:
                color = app.palette.fate_style(fate).color
                assert color is not None
                ours = Color.from_rich_color(color)
                cells.append(f"{min(contrast_ratio(ours, back) for back in backgrounds):.1f}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    print("\n".join(asyncio.run(table())))
