"""The Targets view (8): each member and the team, a target set from the view (kept when
the database is busy), removed, and how it looks in English, in Chinese and at 80x24."""

import pytest

from salesdesk import i18n
from salesdesk.core.targets import TEAM
from salesdesk.store.store import Store
from salesdesk.store.targets import TargetStore
from salesdesk.tui.screens.targets import TargetForm, TargetsScreen
from tests.conftest import FakeClock
from tests.targets_seed import seed_targets
from tests.tui.conftest import SIZE, make_app, no_blink, settle
from tests.tui.test_storage_faults import LOCKED, refusing


@pytest.fixture
def targets_db(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "targets.db", "ann", clock)
    seed_targets(store, clock)
    yield store
    store.close()


async def _settled(pilot):
    for _ in range(2):
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def _open(pilot):
    await _settled(pilot)
    await pilot.press("8")
    await _settled(pilot)


async def test_the_view_lists_each_member_and_the_team(targets_db):
    app = make_app(targets_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TargetsScreen)
        assert [row.person for row in screen.rows] == ["ann", "bob", "李娜", TEAM]
        assert screen.keys[:3] == ["ann\x1fUSD", "bob\x1fUSD", "bob\x1fCNY"]
        await pilot.press("right_square_bracket")
        await _settled(pilot)
        assert str(screen.period) == "2026-12"
        await pilot.press("left_square_bracket", "m")
        await _settled(pilot)
        assert str(screen.period) == "2026-Q4"


async def test_setting_a_target_in_the_view_and_removing_it(targets_db):
    app = make_app(targets_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("down", "down")  # bob, in CNY
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, TargetForm)
        assert form.field("amount").value == "50000"  # bob's won target in CNY
        form.field("measure").input.value = "collected"
        form.field("amount").input.value = ""
        await pilot.press(*"120k")
        with refusing(targets_db, LOCKED):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(pilot.app.screen, TargetForm)  # what was typed stays
            assert pilot.app.screen.field("amount").value == "120k"
        await pilot.press("ctrl+s")
        await _settled(pilot)
        assert isinstance(pilot.app.screen, TargetsScreen)
        found = {
            (t.measure, t.currency): t.amount for t in TargetStore(targets_db).targets(["2026-11"], "bob")
        }
        assert found == {
            ("won", "USD"): 20_000_00,
            ("won", "CNY"): 50_000_00,
            ("collected", "CNY"): 120_000_00,
        }
        bob_cny = pilot.app.screen.keys.index("bob\x1fCNY")
        assert pilot.app.screen.table.cursor_row == bob_cny
        await pilot.press("delete")
        await _settled(pilot)
        left = {(t.measure, t.currency) for t in TargetStore(targets_db).targets(["2026-11"], "bob")}
        assert left == {("won", "USD")}


async def test_a_bad_amount_is_said_beside_its_field(targets_db):
    app = make_app(targets_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        form.field("amount").input.value = "lots"
        form.field("currency").input.value = "yuan"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TargetForm)
        assert form.field("currency").has_class("-invalid")


def _snapshot(snap_compare, store, size=SIZE, *keys):
    async def run_before(pilot):
        await _open(pilot)
        for key in keys:
            await pilot.press(key)
            await _settled(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=size, run_before=run_before)


class TestTargetsSnapshots:
    def test_english(self, snap_compare, targets_db):
        assert _snapshot(snap_compare, targets_db)

    def test_chinese(self, snap_compare, targets_db):
        i18n.set_language("zh")
        assert _snapshot(snap_compare, targets_db)

    def test_small_terminal(self, snap_compare, targets_db):
        assert _snapshot(snap_compare, targets_db, (80, 24))

    def test_the_form(self, snap_compare, targets_db):
        assert _snapshot(snap_compare, targets_db, SIZE, "down", "a")


async def test_todays_header_says_the_months_progress(targets_db):
    app = make_app(targets_db)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        status = str(pilot.app.screen.query_one("#today-status").render())
        assert status.endswith("Won $2k / $10k (20%), $4k a working day  ·  Collected $1.5k / $1k (150%)"), (
            status
        )
        await pilot.press("asterisk")  # privacy: the amounts hidden
        await settle(pilot)
        pilot.app.screen.reload()
        for _ in range(2):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        status = str(pilot.app.screen.query_one("#today-status").render())
        assert "$" not in status and "•••" in status


async def test_the_reports_targets_panel_is_mine_then_everyones(targets_db):
    from salesdesk.tui.screens.reports import ReportsScreen

    app = make_app(targets_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        for _ in range(2):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        screen = pilot.app.screen
        assert isinstance(screen, ReportsScreen)
        panel = screen.query_one("#panel-targets")
        assert panel.display
        # The last 90 days end on 27 November: November's targets.
        assert [(row.label, row.value, row.mark) for row in panel.rows] == [
            ("Nov 2026", "", ""),
            ("Won", "$2k / $10k · 20%", "$4k"),
            ("Collected", "$1.5k / $1k · 150%", "reached"),
        ]
        await pilot.press("m")
        for _ in range(2):
            await settle(pilot)
            await pilot.app.workers.wait_for_complete()
        labels = [row.label for row in panel.rows]
        assert labels[1:] == [
            "ann · Won",
            "ann · Collected",
            "bob · Won",
            "bob · Won",
            "李娜 · Collected",
            "Team · Won",
            "Team · Collected",
        ]


async def test_the_reports_leave_the_panel_out_without_targets(tmp_path):
    from tests.tui.conftest import seed_pipeline

    clock = FakeClock()
    store = Store.open(tmp_path / "none.db", "ann", clock)
    seed_pipeline(store, clock)
    try:
        async with make_app(store).run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("4")
            for _ in range(2):
                await settle(pilot)
                await pilot.app.workers.wait_for_complete()
            assert not pilot.app.screen.query_one("#panel-targets").display
    finally:
        store.close()
