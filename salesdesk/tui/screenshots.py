"""Regenerate screenshots/*.svg from the small demo at a fixed size and date.

python -m salesdesk.tui.screenshots [--out screenshots] [--lang zh]

`--lang zh` shows the app in Chinese, on the demo as it is built under Chinese (its
pipeline 线索, 需求确认 ...), into screenshots/zh/ unless --out says otherwise.
"""

import argparse
import asyncio
import html
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

SIZE = (120, 40)
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday morning
USER = "ann"

# name -> keys pressed before the shot; the app opens on Today (2: the Pipeline)
SHOTS = {
    "today": [],
    "triage": ["t"],
    "pipeline": ["2", "down"],
    "deal": ["2", "down", "enter"],
    "lost-reason": ["2", "down", "x"],
    "customers": ["3", "down", "down", "down"],
    "customer-log": ["3", "down", "down", "down", "i"],
    "reports": ["4"],
    "trash": ["6"],
    "products": ["7"],
    "targets": ["8"],
    "pool": ["9"],
    "quote": ["2", "right", "right", "q"],  # the first deal in Quote: its quote, made (last: it writes)
}


async def _shoot(db_path: Path, out: Path) -> list[Path]:
    from textual.widgets import Input

    from salesdesk.store.store import Store
    from salesdesk.tui.app import SalesdeskApp

    written = []
    for name, keys in SHOTS.items():
        store = Store.open(db_path, USER, lambda: NOW)
        try:
            app = SalesdeskApp(store, user=USER, today=NOW.date())
            app.animation_level = "none"
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()  # Today loads its agenda in a worker
                await pilot.pause()
                await pilot.press(*keys)
                await pilot.pause()
                for screen in app.screen_stack:
                    for box in screen.query(Input):
                        box.cursor_blink = False
                await pilot.pause()
                path = out / f"{name}.svg"
                app.save_screenshot(filename=path.name, path=str(out))
                path.write_text(cell_lengths(path.read_text(encoding="utf-8")), encoding="utf-8")
                written.append(path)
        finally:
            store.close()
    return written


_TEXT = re.compile(r'<text ([^>]*?)x="([0-9.]+)"([^>]*?)textLength="([0-9.]+)"([^>]*)>([^<]*)</text>')


def cell_lengths(svg: str) -> str:
    """The SVG with every character on the cells the terminal gives it.

    The export writes a run of text as one element as long as a cell per character, so
    a character two cells wide (Chinese) takes one where a viewer honours the length,
    and the font's own width elsewhere: the rest of the run drifts off its columns; and
    some viewers drop the spaces a run starts with. Each run is written without them,
    from the cell its first character is on, and each wide character at its own cell.
    """
    from rich.cells import get_character_cell_size

    def placed(match: re.Match[str]) -> str:
        before, x, between, length, after, escaped = match.groups()
        text = html.unescape(escaped)
        if not text:
            return match.group(0)
        cell = float(length) / len(text)
        pieces: list[tuple[int, str]] = []  # (first cell, text): a run of narrow ones, or one wide
        at = 0
        for character in text:
            width = get_character_cell_size(character)
            joins = pieces and _narrow(pieces[-1][1]) and pieces[-1][0] + len(pieces[-1][1]) == at
            if width == 1 and joins:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + character)
            elif character not in "\xa0 ":
                pieces.append((at, character))
            at += width
        pieces = [(first, run.rstrip("\xa0 ")) for first, run in pieces]
        return "".join(
            f'<text {before}x="{float(x) + first * cell:g}"{between}'
            + (f'textLength="{len(run) * cell:g}"' if _narrow(run) else "")
            + f"{after}>{html.escape(run, quote=False).replace(chr(0xA0), '&#160;')}</text>"
            for first, run in pieces
        )

    return _TEXT.sub(placed, svg)


def _narrow(run: str) -> bool:
    from rich.cells import cell_len

    return cell_len(run) == len(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder for the SVG files (screenshots, or screenshots/zh)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="the language shown")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"  # times on screen are local: pin them
    time.tzset()
    from salesdesk import i18n
    from salesdesk.demo import write_demo

    i18n.set_language(args.lang, fixed=True)  # before the demo: its pipeline in that language
    out = Path(args.out or ("screenshots/zh" if args.lang == "zh" else "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        write_demo(db_path, "small", NOW, USER)
        for path in asyncio.run(_shoot(db_path, out)):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
