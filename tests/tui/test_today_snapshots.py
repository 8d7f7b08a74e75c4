"""How Today looks: one fixed size, a seeded agenda with every kind of item, a fixed today."""

import pytest

from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock
from tests.tui.agenda_seed import seed_agenda
from tests.tui.conftest import SIZE, make_app, no_blink, settle


@pytest.fixture
def agenda_db(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "today.db", "ann", clock)
    ids = seed_agenda(store, clock)
    yield store, ids
    store.close()


def _snapshot(snap_compare, store, *keys, select=None):
    async def run_before(pilot):
        for _ in range(2):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        if select:
            agenda_list = pilot.app.screen.agenda_list
            agenda_list.select(next(i.key for i in agenda_list.items if i.what == select))
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestToday:
    def test_agenda(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store)

    def test_everyone(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store, "m", "down", "down")

    def test_triage(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store, "t", "space")

    def test_triage_summary(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store, "t", "d", "escape", "escape", "x", "s", "space", "escape")

    def test_snooze_dialog(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store, "s", select="Call 李娜")

    def test_done_asks_what_happened(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store, "d", select="Send the contract")

    def test_settings(self, snap_compare, agenda_db):
        store, _ = agenda_db
        assert _snapshot(snap_compare, store, "comma")

    def test_empty_database(self, snap_compare, tmp_path):
        store = Store.open(tmp_path / "empty.db", "ann", FakeClock())
        try:
            assert _snapshot(snap_compare, store)
        finally:
            store.close()

    def test_hostile_text_renders_literally(self, snap_compare, agenda_db):
        store, _ = agenda_db
        customer = store.add_customer("\x1b[31mEvil\x1b[0m Corp [b]bold[/b]")
        deal = store.add_deal(customer, "[red]x[/] \x1b]0;pwned\x07", 100_00)
        store.add_followup(customer, TODAY, "[link=http://x]click[/link] \x1b[2J", deal_id=deal)
        assert _snapshot(snap_compare, store, "down", "down", "down", "down", "down", "down")
