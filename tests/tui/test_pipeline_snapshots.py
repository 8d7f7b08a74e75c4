"""How the Pipeline looks: one fixed size, a seeded database, a fixed today."""

from salesdesk.store.store import Store
from tests.conftest import FakeClock
from tests.tui.conftest import SIZE, make_app, no_blink, settle


def _snapshot(snap_compare, app, *keys, focus=None):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("2")  # the app opens on Today
        await settle(pilot)
        if focus:
            pilot.app.screen.board.focus_deal(focus)
        await pilot.press(*keys)
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestPipeline:
    def test_board(self, snap_compare, seeded):
        store, ids, _ = seeded
        assert _snapshot(snap_compare, make_app(store), "down", "right", focus=ids["50 laptops for Shenzhen"])

    def test_deal_detail(self, snap_compare, seeded):
        store, ids, _ = seeded
        store.tick_checklist(ids["ERP rollout phase 2"], ["Budget confirmed"])
        assert _snapshot(snap_compare, make_app(store), "enter", focus=ids["ERP rollout phase 2"])

    def test_lost_reason_dialog(self, snap_compare, seeded):
        store, ids, _ = seeded
        assert _snapshot(snap_compare, make_app(store), "x", focus=ids["Fleet tracking pilot"])

    def test_checklist_prompt(self, snap_compare, seeded):
        store, ids, _ = seeded
        assert _snapshot(
            snap_compare, make_app(store), "right_square_bracket", focus=ids["Fleet tracking pilot"]
        )

    def test_lost_shown_with_reasons_and_two_currencies(self, snap_compare, seeded):
        store, ids, _ = seeded
        customer = store.add_customer("朱艳", company="蓝海零售连锁有限公司")
        store.add_deal(customer, "Office furniture refit, Shanghai HQ", 141_000_00, "CNY")
        store.add_deal(customer, "Office furniture refit, Beijing office", 23_000_00, "CNY")
        assert _snapshot(snap_compare, make_app(store), "L", focus=ids["50 laptops for Shenzhen"])

    def test_empty_database(self, snap_compare, tmp_path):
        store = Store.open(tmp_path / "empty.db", "ann", FakeClock())
        try:
            assert _snapshot(snap_compare, make_app(store))
        finally:
            store.close()

    def test_hostile_text_renders_literally(self, snap_compare, seeded):
        store, _, _ = seeded
        customer = store.add_customer("\x1b[31mEvil\x1b[0m Corp [b]bold[/b]")
        store.add_deal(customer, "[red]x[/] \x1b]0;pwned\x07", 100_00)
        assert _snapshot(snap_compare, make_app(store))

    def test_close_followups_dialog(self, snap_compare, seeded):
        store, ids, _ = seeded
        assert _snapshot(snap_compare, make_app(store), "w", "escape", focus=ids["Fleet tracking pilot"])
