"""The app's header says how many teammates' changes are held back, and from whom;
with a bad setting merged from a teammate, the app still runs and quits normally."""

import json
import time

from salesdesk.store.connection import write
from salesdesk.store.store import Store
from salesdesk.sync import team as teamsync
from tests.conftest import FakeClock
from tests.sync.conftest import enter_team
from tests.tui.conftest import make_app


async def test_the_header_counts_held_changes_and_the_app_runs(tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    ann = Store.open(tmp_path / "ann.db", "ann", FakeClock())
    mal = Store.open(tmp_path / "mal.db", "mal", FakeClock())
    try:
        enter_team(ann, shared)
        enter_team(mal, shared)
        with write(mal.db):
            clock = mal.records.log.tick(int(mal.clock().timestamp() * 1000))
            mal.db.execute(
                "INSERT INTO changes (device, clock, tbl, row_id, data) "
                "VALUES (?, ?, 'settings', 'dormant_days', ?)",
                [mal.device, clock, json.dumps({"value": '"ninety"'})],
            )
        teamsync.sync_once(mal)
        app = make_app(ann)
        async with app.run_test() as pilot:
            app.sync_schedule.last_round = None
            app.check_team_sync()
            start = time.monotonic()
            while "synced" not in app.sub_title:
                assert time.monotonic() - start < 10
                await pilot.pause(0.05)
            assert app.sub_title.endswith("· 1 held back from mal")
            await pilot.press("q")
        assert ann.setting("dormant_days") == 90
    finally:
        ann.close()
        mal.close()
