"""The app keeps up with the database: other windows' writes, stale saves, team sync."""

import time
from pathlib import Path

from salesdesk.store.store import Store
from salesdesk.sync import team as teamsync
from salesdesk.tui import live
from salesdesk.tui.screens.customer_forms import CustomerForm
from salesdesk.tui.screens.deal import DealScreen
from salesdesk.tui.screens.stale import StaleScreen
from tests.conftest import FakeClock
from tests.sync.conftest import enter_team
from tests.tui.conftest import SIZE, make_app, settle
from tests.tui.test_customers import customers_screen


async def wait_for(pilot, condition, seconds: float) -> float:
    """Let the app run until `condition()` holds; how long it took (fails after `seconds`)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        await pilot.pause(0.05)
    return time.monotonic() - start


def other_window(store: Store) -> Store:
    """A second connection to the same file, as another salesdesk process has."""
    return Store.open(live.database_path(store), "bob", FakeClock())


def listed_names(screen) -> list[str]:
    return [row.name for row in screen.customer_list.rows]


async def test_a_customer_added_by_another_process_appears_within_two_seconds(seeded):
    store, _, _ = seeded
    other = other_window(store)
    try:
        async with customers_screen(store) as pilot:
            assert "Zhou Min" not in listed_names(pilot.app.screen)
            other.add_customer("Zhou Min", company="Pearl Delta Foods")
            took = await wait_for(pilot, lambda: "Zhou Min" in listed_names(pilot.app.screen), 2.0)
            assert took < 2.0
    finally:
        other.close()


async def test_a_deal_moved_elsewhere_moves_on_the_board_and_a_hidden_screen_catches_up(seeded):
    store, ids, _ = seeded
    other = other_window(store)
    deal = ids["50 laptops for Shenzhen"]
    try:
        async with customers_screen(store) as pilot:
            await pilot.press("2")
            await settle(pilot)
            board = pilot.app.screen.board

            def column_of(deal_id):
                return next(
                    c.stage.id for c in board.columns if any(card.deal_id == deal_id for card in c.cards)
                )

            assert column_of(deal) == "stage-lead"
            other.step_deal(deal, 1)
            await wait_for(pilot, lambda: column_of(deal) == "stage-qualified", 2.0)
            # Customers was not shown when the next change came: it reloads when shown again.
            other.update_customer(other.deal(deal).customer_id, {"name": "Wang Wei (Huaxin)"})
            generation = pilot.app.data_generation
            await wait_for(pilot, lambda: pilot.app.data_generation > generation, 2.0)
            await pilot.press("3")
            await settle(pilot)
            assert "Wang Wei (Huaxin)" in listed_names(pilot.app.screen)
    finally:
        other.close()


async def test_own_saves_do_not_count_as_changes_from_elsewhere(seeded):
    store, _, _ = seeded
    async with customers_screen(store) as pilot:
        store.add_customer("Written by this window")
        await pilot.pause(1.5)
        assert pilot.app.data_generation == 0


def test_polling_costs_one_cheap_pragma(seeded):
    store, _, _ = seeded
    watch = live.DataWatch(store)
    start = time.perf_counter()
    for _ in range(1000):
        watch.changed()
    each = (time.perf_counter() - start) / 1000
    assert each < 0.001  # measured about 2 microseconds
    other = other_window(store)
    try:
        other.add_customer("Noticed")
        assert watch.changed() and not watch.changed()
    finally:
        other.close()


# -- a save of a record that changed underneath ---------------------------------------


async def _open_deal_changed_elsewhere(pilot, store, deal_id):
    """Open the deal, let another window change its next step and amount, type over them."""
    await pilot.press("enter")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, DealScreen)
    other = other_window(store)
    try:
        other.update_deal(deal_id, {"next_step": "Send the contract", "amount": 70_000_00})
    finally:
        other.close()
    dialog.query_one("#amount-input").value = "65000"
    dialog.query_one("#owner-input").value = "cai"
    await pilot.press("ctrl+s")
    await settle(pilot)
    stale = pilot.app.screen
    assert isinstance(stale, StaleScreen)
    rows = {row.label: row for row in stale.rows}
    assert (rows["Amount"].mine, rows["Amount"].theirs) == ("65000.00", "70000.00")
    assert rows["Amount"].changed_by_me
    assert (rows["Next step"].theirs, rows["Next step"].changed_by_me) == ("Send the contract", False)
    assert "Owner" in rows and "Title" not in rows
    return stale


async def test_a_stale_deal_save_shows_both_values_and_keep_mine_writes_only_my_changes(seeded):
    store, ids, _ = seeded
    deal = ids["50 laptops for Shenzhen"]
    from tests.tui.conftest import open_board

    async with open_board(store, focus=deal) as pilot:
        await _open_deal_changed_elsewhere(pilot, store, deal)
        await pilot.press("m")
        await settle(pilot)
        saved = store.deal(deal)
        assert (saved.amount, saved.owner, saved.next_step) == (65_000_00, "cai", "Send the contract")
        assert not isinstance(pilot.app.screen, (StaleScreen, DealScreen))


async def test_a_stale_deal_save_take_theirs_writes_nothing(seeded):
    store, ids, _ = seeded
    deal = ids["50 laptops for Shenzhen"]
    from tests.tui.conftest import open_board

    async with open_board(store, focus=deal) as pilot:
        await _open_deal_changed_elsewhere(pilot, store, deal)
        before = store.deal(deal).version
        await pilot.press("t")
        await settle(pilot)
        saved = store.deal(deal)
        assert (saved.amount, saved.owner, saved.version) == (70_000_00, "ann", before)
        assert not isinstance(pilot.app.screen, (StaleScreen, DealScreen))


async def _edit_customer_changed_elsewhere(pilot, store, customer_id):
    await pilot.press("e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, CustomerForm)
    other = other_window(store)
    try:
        other.update_customer(customer_id, {"company": "Huaxin Group", "phone": "+86 755 1234 5678"})
    finally:
        other.close()
    form.query_one("#company-input").value = "Huaxin Tech Ltd"
    form.query_one("#title-input").value = "Buyer"
    await pilot.press("ctrl+s")
    await settle(pilot)
    stale = pilot.app.screen
    assert isinstance(stale, StaleScreen)
    rows = {row.label: row for row in stale.rows}
    assert (rows["Company"].mine, rows["Company"].theirs) == ("Huaxin Tech Ltd", "Huaxin Group")
    assert rows["Phone"].theirs == "+86 755 1234 5678" and not rows["Phone"].changed_by_me
    return stale


async def test_a_stale_customer_save_keep_mine(seeded):
    store, _, _ = seeded
    wang = store.db.execute("SELECT id FROM customers WHERE name = 'Wang Wei'").fetchone()[0]
    async with customers_screen(store, focus=wang) as pilot:
        await _edit_customer_changed_elsewhere(pilot, store, wang)
        await pilot.press("m")
        await settle(pilot)
        saved = store.customer(wang)
        assert (saved.company, saved.title, saved.phone) == ("Huaxin Tech Ltd", "Buyer", "+86 755 1234 5678")


async def test_a_stale_customer_save_take_theirs(seeded):
    store, _, _ = seeded
    wang = store.db.execute("SELECT id FROM customers WHERE name = 'Wang Wei'").fetchone()[0]
    async with customers_screen(store, focus=wang) as pilot:
        await _edit_customer_changed_elsewhere(pilot, store, wang)
        await pilot.press("t")
        await settle(pilot)
        saved = store.customer(wang)
        assert (saved.company, saved.title) == ("Huaxin Group", "")
        assert not isinstance(pilot.app.screen, StaleScreen)


class TestStaleDialog:
    def test_deal_changed_elsewhere(self, snap_compare, seeded):
        store, ids, _ = seeded
        deal = ids["50 laptops for Shenzhen"]

        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            pilot.app.screen.board.focus_deal(deal)
            await settle(pilot)
            # The picture is of the dialog: the board behind it stays as it was opened,
            # not caught up by the once-a-second poll on a slow machine.
            pilot.app._watch.changed = lambda: False
            await _open_deal_changed_elsewhere(pilot, store, deal)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


# -- team sync while the app runs ---------------------------------------------------


async def test_a_background_sync_brings_a_teammates_customer_in(seeded, tmp_path):
    store, _, _ = seeded
    shared = tmp_path / "Dropbox" / "team"
    shared.mkdir(parents=True)
    enter_team(store, shared)
    bob = Store.open(tmp_path / "bob.db", "bob", FakeClock())
    try:
        enter_team(bob, shared)
        bob.add_customer("Liu Yang", company="Bob's new lead")
        teamsync.sync_once(bob)
        async with customers_screen(store) as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: "Liu Yang" in listed_names(app.screen), 10.0)
            await wait_for(pilot, lambda: "synced" in app.sub_title, 2.0)
            assert app.sub_title.endswith("· 2 people")
            # Ann's own edit is published a check or two after it settles.
            ann_row = store.add_customer("From Ann in the app")
            app.sync_schedule.last_round = None  # don't wait 30 s in a test
            for _ in range(2):
                app.check_team_sync()
                await wait_for(pilot, lambda: not app.sync_schedule.running, 10.0)
        teamsync.sync_once(bob)
        assert bob.customer(ann_row).name == "From Ann in the app"
        assert store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        bob.close()


async def test_sync_errors_become_a_message_not_a_crash(seeded, tmp_path):
    store, _, _ = seeded
    shared = tmp_path / "share"
    shared.mkdir()
    enter_team(store, shared)
    (shared / teamsync.TEAM_DIR / "x").mkdir()
    shared_gone = tmp_path / "moved"
    shared.rename(shared_gone)  # the share is unmounted while the app runs
    async with customers_screen(store) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: app.sync_schedule.last_round is not None, 10.0)
        assert "synced" not in app.sub_title
        assert any("Team sync failed" in str(n.message) for n in app._notifications)
        assert app.is_running


def test_the_schedule_publishes_once_a_write_has_settled():
    schedule = live.SyncSchedule(every=30)
    assert schedule.due(0, 5, ()) is True  # the first round publishes
    schedule.finished(1, 5)
    assert schedule.due(5, 5, ()) is None
    assert schedule.due(10, 6, ()) is None  # just written: wait for it to settle
    assert schedule.due(15, 6, ()) is True
    schedule.finished(16, 6)
    assert schedule.due(20, 6, (("bob.json", 1, 2),)) is False  # a teammate published: pull
    schedule.finished(21, None)
    assert schedule.due(52, 6, (("bob.json", 1, 2),)) is False  # every 30 s


def test_a_sync_round_keeps_this_processs_locks_so_another_process_cannot_delete_the_wal(seeded, tmp_path):
    """Regression: opening the round's connection with Store.open (an immutable probe)
    dropped this process's locks; another process closing then deleted the -wal and -shm
    under the running app, and the database was corrupted."""
    import subprocess
    import sys

    store, _, _ = seeded
    shared = tmp_path / "share"
    shared.mkdir()
    enter_team(store, shared)
    path = live.database_path(store)
    live.sync_round(path, "ann", store.clock, publish=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT count(*) FROM customers').fetchall(); c.close()",
            str(path),
        ],
        check=True,
    )
    assert Path(f"{path}-wal").exists()
    store.add_customer("Still fine")
    assert store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_bookkeeping_of_another_connection_is_not_news_and_a_record_is(seeded):
    """The lead pool worked out by one of the app's workers writes no record: no reload."""
    from salesdesk.store.pool import Pool

    store, _, _ = seeded
    watch = live.DataWatch(store)
    other = other_window(store)
    try:
        store.add_customer("Written by this window")  # dirties the pool's kept rows
        assert Pool(other).refresh(store.clock().date()) > 0  # worked out and written there
        assert not watch.changed()
        store.add_customer("Written here again")
        other.add_customer("Written there")
        assert watch.changed() and not watch.changed()
    finally:
        other.close()
