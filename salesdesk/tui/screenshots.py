"""Regenerate screenshots/*.svg from the small demo at a fixed size and date.

python -m salesdesk.tui.screenshots [--out screenshots]
"""

import argparse
import asyncio
import os
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
                written.append(path)
        finally:
            store.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", help="folder for the SVG files")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"  # times on screen are local: pin them
    time.tzset()
    from salesdesk.demo import write_demo

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        write_demo(db_path, "small", NOW, USER)
        for path in asyncio.run(_shoot(db_path, out)):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
