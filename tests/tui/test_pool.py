"""The Pool screen (9): the pool's leads with why and since when, p claims, a refusal is a
message; snapshots in English, Chinese and at 80x24."""

import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from salesdesk import i18n
from salesdesk.store.pool import Pool
from salesdesk.store.store import Store
from salesdesk.tui.screens.pool import PoolScreen
from tests.conftest import START, FakeClock
from tests.tui.conftest import SIZE, make_app, no_blink, settle


def _at(clock, day: str) -> None:
    clock.now = datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


@pytest.fixture
def pool_db(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "pool.db", "ann", clock)
    tom = Store(store.db, "tom", clock)
    _at(clock, "2026-09-01")
    store.add_customer("Mary Cooper", company="Acme", owner="ann")  # back on 1 Oct
    store.add_customer("Tom's old lead", company="Globex", owner="tom")
    _at(clock, "2026-09-20")
    for name, company in (("Li Lei", "华信"), ("[b]Bold[/b] Ltd", "[red]x[/red]")):
        store.update_customer(store.add_customer(name, company=company), {"owner": ""})
    _at(clock, "2026-10-25")
    store.add_customer("Recent", company="Initech", owner="ann")  # back on 24 Nov: ann cools down
    _at(clock, "2026-11-20")
    fresh = tom.add_customer("Fresh", company="Umbrella", owner="tom")
    tom.log_interaction(fresh, "call", "Intro")
    clock.now = START
    yield store
    store.close()


async def ready(pilot):
    """Keys handled and the pool read (on its worker thread) and drawn."""
    for _ in range(2):
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def _pool(pilot):
    await ready(pilot)
    await pilot.press("9")
    await ready(pilot)
    assert isinstance(pilot.app.screen, PoolScreen)
    return pilot.app.screen


def _names(screen):
    return [row.name for row in screen.shown]


async def test_the_pool_lists_its_leads_latest_first_with_why(pool_db):
    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        screen = await _pool(pilot)
        assert _names(screen) == ["Recent", "Mary Cooper", "Tom's old lead", "Li Lei", "[b]Bold[/b] Ltd"]
        first = screen.table.get_row_at(0)
        assert [cell.plain for cell in first] == [
            "Recent",
            "Initech",
            "ann",
            "Tue 24 Nov",
            "no interaction for 30 days",
        ]
        assert screen.table.get_row_at(4)[0].plain == "[b]Bold[/b] Ltd"  # literally
        assert screen.table.get_row_at(3)[4].plain == "no owner"


async def test_p_claims_the_focused_lead_and_a_refusal_is_a_message(pool_db):
    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        screen = await _pool(pilot)
        await pilot.press("p")  # Recent went back from ann three days ago: cooling down
        await ready(pilot)
        assert pool_db.customer(screen.shown[0].customer_id).owner == "ann"
        messages = [n.message for n in pilot.app._notifications]
        assert "Recent went back to the pool from you: you can claim it again from Tue 01 Dec." in messages
        assert _names(screen)[0] == "Recent"
        await pilot.press("down", "down", "down", "p")  # Li Lei has no owner
        await ready(pilot)
        claimed = pool_db.db.execute("SELECT owner FROM customers WHERE name = 'Li Lei'").fetchone()[0]
        assert claimed == "ann"
        assert "Li Lei is yours now: it left the pool." in [n.message for n in pilot.app._notifications]
        assert "Li Lei" not in _names(screen)


async def test_slash_filters_and_enter_opens_the_customer(pool_db):
    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        screen = await _pool(pilot)
        await pilot.press("slash", *"globex")
        await ready(pilot)
        assert _names(screen) == ["Tom's old lead"]
        await pilot.press("enter", "enter")
        await ready(pilot)
        assert pilot.app.current_mode == "customers"


async def test_the_customer_pane_says_a_customer_is_in_the_pool_and_who_may_claim_it(pool_db):
    from tests.tui.test_customers import shown

    def id_of(name):
        return pool_db.db.execute("SELECT id FROM customers WHERE name = ?", [name]).fetchone()[0]

    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("3")
        await ready(pilot)
        said = {}
        for name in ("Recent", "Mary Cooper", "Li Lei", "Fresh"):
            pilot.app.screen.show_customer(id_of(name))
            await ready(pilot)
            said[name] = " ".join(shown(pilot.app.screen.query_one("#detail-head")).split())
        assert (
            "In the lead pool since Tue 24 Nov (no interaction for 30 days). "
            "You can claim it back from Tue 01 Dec." in said["Recent"]
        )
        assert (
            "In the lead pool since Thu 01 Oct (no interaction for 30 days). "
            "It is not yours until you claim it back (9, then p)." in said["Mary Cooper"]
        )
        assert "since Sun 20 Sep (no owner). Anyone may claim it (9, then p)." in said["Li Lei"]
        assert "lead pool" not in said["Fresh"]  # tom's, worked a week ago


async def test_the_customer_pane_warns_before_a_customer_goes_back(pool_db):
    from tests.tui.test_customers import shown

    lead = pool_db.db.execute("SELECT id FROM customers WHERE name = 'Fresh'").fetchone()[0]
    pool_db.set_setting("pool_warn_days", 30)
    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("3")
        await ready(pilot)
        pilot.app.screen.show_customer(lead)
        await ready(pilot)
        head = " ".join(shown(pilot.app.screen.query_one("#detail-head")).split())
        assert (
            "Goes back to the lead pool in 23 days (no interaction for 30 days) unless its owner works it."
            in head
        )


def _snapshot(snap_compare, store, size):
    async def run_before(pilot):
        await _pool(pilot)
        no_blink(pilot.app)
        await ready(pilot)

    return snap_compare(make_app(store), terminal_size=size, run_before=run_before)


def test_snapshot(snap_compare, pool_db):
    assert _snapshot(snap_compare, pool_db, SIZE)


def test_snapshot_in_chinese(snap_compare, pool_db):
    i18n.set_language("zh")
    assert _snapshot(snap_compare, pool_db, SIZE)


def test_snapshot_at_80_by_24(snap_compare, pool_db):
    assert _snapshot(snap_compare, pool_db, (80, 24))


async def test_the_rules_in_their_dialog_checked_as_typed(pool_db):
    from salesdesk.tui.screens.pool_dialogs import PoolSettingsScreen
    from salesdesk.tui.widgets.form import FormField

    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        screen = await _pool(pilot)
        await pilot.press("comma")
        await ready(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PoolSettingsScreen)
        tiers = dialog.query_one("#pool_tier_idle_days", FormField)
        assert tiers.value == "A 60, B 45"
        tiers.input.value = "A sixty"
        idle = dialog.query_one("#pool_idle_days", FormField)
        idle.input.value = "90"
        await pilot.press("enter")
        await ready(pilot)
        assert pilot.app.screen is dialog  # refused: the tier days are not a number
        assert pool_db.setting("pool_idle_days") == 30
        tiers.input.value = "A 120"
        tiers.input.focus()
        await pilot.press("enter")
        await ready(pilot)
        assert pilot.app.screen is screen
        assert pool_db.setting("pool_idle_days") == 90
        assert pool_db.setting("pool_tier_idle_days") == {"A": 120}
        # with 90 idle days, the leads of September are back for having no deal for 60
        assert _names(screen) == ["Mary Cooper", "Tom's old lead", "Li Lei", "[b]Bold[/b] Ltd"]
        assert screen.table.get_row_at(0)[4].plain == "no deal for 60 days"


async def test_ctrl_l_in_the_settings_opens_the_pool_rules(pool_db):
    from salesdesk.tui.screens.pool_dialogs import PoolSettingsScreen

    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("comma")
        await ready(pilot)
        await pilot.press("ctrl+l")
        await ready(pilot)
        assert isinstance(pilot.app.screen, PoolSettingsScreen)
        await pilot.press("escape")
        await ready(pilot)
        assert not isinstance(pilot.app.screen, PoolSettingsScreen)


async def test_the_pool_is_read_off_the_ui_thread_and_a_failed_read_is_a_message(pool_db, monkeypatch):
    threads, locked = [], []
    first_page_from = Pool.first_page_from.__func__

    def watched(cls, *args, **kwargs):
        threads.append(threading.current_thread())
        if locked:
            raise sqlite3.OperationalError("database is locked")
        return first_page_from(cls, *args, **kwargs)

    monkeypatch.setattr(Pool, "first_page_from", classmethod(watched))
    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        screen = await _pool(pilot)
        assert threads and threading.main_thread() not in threads
        assert _names(screen)[0] == "Recent"
        locked.append(True)
        screen.reload_data()  # this read fails: a message, the rows stay
        await ready(pilot)
        messages = [n.message for n in pilot.app._notifications]
        assert any("The pool could not be read (database is locked)" in m for m in messages), messages
        assert _names(screen)[0] == "Recent" and screen.table.row_count == 5


async def test_keys_pressed_while_the_pool_is_read_are_the_screens(pool_db, monkeypatch):
    """The first read after a large upgrade takes seconds: `1` then goes back to Today, and
    nothing typed lands in the hidden filter."""
    release = threading.Event()
    first_page_from = Pool.first_page_from.__func__

    def slow(cls, *args, **kwargs):
        release.wait(10)
        return first_page_from(cls, *args, **kwargs)

    async with make_app(pool_db).run_test(size=SIZE) as pilot:
        await ready(pilot)
        monkeypatch.setattr(Pool, "first_page_from", classmethod(slow))
        await pilot.press("9")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PoolScreen)
        assert "Reading the pool" in str(screen.query_one("#pool-status").render())
        await pilot.press("x", "1")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, PoolScreen) and screen.search == ""
        release.set()
        await ready(pilot)
