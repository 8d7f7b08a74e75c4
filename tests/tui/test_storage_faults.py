"""A database that will not take a write: busy, read-only or full. The app says what
happened and what to do, keeps the dialog open with what was typed, and never crashes."""

import sqlite3
import subprocess
import time
from contextlib import asynccontextmanager, contextmanager

import pytest

from salesdesk.store.database import Database
from salesdesk.store.store import Store
from salesdesk.tui import faults
from salesdesk.tui.app import LOCK_WAIT_SECONDS
from salesdesk.tui.screens.customer_forms import CustomerForm, InteractionForm
from salesdesk.tui.screens.customers import CustomersScreen
from salesdesk.tui.screens.deal import DealScreen
from salesdesk.tui.screens.dialogs import LostReasonScreen
from salesdesk.tui.screens.pipeline import PipelineScreen
from salesdesk.tui.screens.today import TodayScreen
from tests.conftest import FakeClock
from tests.tui.agenda_seed import seed_agenda
from tests.tui.conftest import SIZE, make_app, no_blink, settle

LOCKED = "database is locked"
READ_ONLY = "attempt to write a readonly database"
FULL = "database or disk is full"


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


@contextmanager
def refusing(store: Store, message: str):
    """Every write of `store` fails as SQLite fails it, until the block ends."""

    def transaction():
        raise sqlite3.OperationalError(message)

    store.records.transaction = transaction  # type: ignore[method-assign]
    try:
        yield
    finally:
        del store.records.transaction


@contextmanager
def held_lock(path):
    """Another connection (as a long import would) holding the write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def read_only_store(path, clock) -> Store:
    """The database at `path` as a read-only file or disk gives it: reads work, writes fail."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    return Store(Database(conn), "ann", clock)


def customer_names(store: Store) -> list[str]:
    return [row[0] for row in store.db.execute("SELECT name FROM customers ORDER BY name")]


@asynccontextmanager
async def on_screen(store: Store, key: str):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.press(key)
        await settle(pilot)
        yield pilot


async def type_new_customer(pilot, name: str, save: bool = True) -> None:
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerForm)
    await pilot.press(*name)
    await pilot.press("tab", *"Acme")
    if save:
        await pilot.press("ctrl+s")
        await settle(pilot)


# -- what each fault is, from errors SQLite itself raised -----------------------------


def test_each_fault_is_told_apart_by_the_code_sqlite_gives(tmp_path, clock):
    path = tmp_path / "faults.db"
    Store.open(path, "ann", clock).close()
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    with held_lock(path), pytest.raises(sqlite3.OperationalError) as busy:
        writer.execute("BEGIN IMMEDIATE")
    reader = read_only_store(path, clock)
    with pytest.raises(sqlite3.OperationalError) as read_only:
        reader.db.execute("DELETE FROM meta")
    assert faults.kind_of(busy.value) == faults.BUSY
    assert faults.kind_of(read_only.value) == faults.READ_ONLY
    # And from the words alone, for an error raised without a code.
    assert faults.kind_of(sqlite3.OperationalError(LOCKED)) == faults.BUSY
    assert faults.kind_of(sqlite3.OperationalError(READ_ONLY)) == faults.READ_ONLY
    assert faults.kind_of(sqlite3.OperationalError(FULL)) == faults.FULL
    assert faults.kind_of(sqlite3.DatabaseError("database disk image is malformed")) == faults.OTHER
    reader.close()
    writer.close()


def test_the_store_says_whether_it_can_write_without_waiting_for_a_lock(tmp_path, clock):
    path = tmp_path / "writable.db"
    store = Store.open(path, "ann", clock)
    assert store.writable()
    with held_lock(path):
        started = time.monotonic()
        assert store.writable()  # someone writes it: it takes writes
        assert time.monotonic() - started < 0.5
    reader = read_only_store(path, clock)
    assert not reader.writable()
    reader.close()
    store.close()


def test_the_app_waits_for_a_lock_held_elsewhere_only_a_moment(tmp_path, clock):
    path = tmp_path / "wait.db"
    store = Store.open(path, "ann", clock)
    make_app(store)
    with held_lock(path):
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError):
            store.add_customer("Waits")
        waited = time.monotonic() - started
    assert waited + 0.05 >= LOCK_WAIT_SECONDS and waited < LOCK_WAIT_SECONDS + 0.5
    store.close()


# -- a dialog keeps what was typed, and ctrl+s again saves it -------------------------


@pytest.mark.parametrize(
    "message, says",
    [
        (LOCKED, "another program is writing to the database"),
        (FULL, "is full; free some space, then press ctrl+s again"),
    ],
)
async def test_a_new_customer_is_kept_in_its_form_and_saved_on_the_retry(seeded, message, says):
    store, _, _ = seeded
    async with on_screen(store, "3") as pilot:
        with refusing(store, message):
            await type_new_customer(pilot, "Zed Kept")
            form = pilot.app.screen
            assert isinstance(form, CustomerForm)  # still open, as typed
            assert form.query_one("#name-input").value == "Zed Kept"
            assert form.query_one("#company-input").value == "Acme"
            assert any(says in text for text in messages(pilot.app))
            assert "Zed Kept" not in customer_names(store)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        assert "Zed Kept" in customer_names(store)
        assert not pilot.app.read_only


async def test_a_real_lock_held_elsewhere_is_a_message_not_a_frozen_screen(seeded):
    store, _, _ = seeded
    async with on_screen(store, "3") as pilot:
        await type_new_customer(pilot, "Zed Locked", save=False)
        with held_lock(store.path):
            started = time.monotonic()
            await pilot.press("ctrl+s")
            await settle(pilot)
            waited = time.monotonic() - started
            assert isinstance(pilot.app.screen, CustomerForm)
            assert any("in a moment" in text for text in messages(pilot.app))
        assert waited < 5  # a moment, not the ten seconds a command waits for the lock
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Zed Locked" in customer_names(store)


async def test_a_write_refused_as_read_only_turns_the_app_read_only(seeded):
    store, _, _ = seeded
    async with on_screen(store, "3") as pilot:
        with refusing(store, READ_ONLY):
            await type_new_customer(pilot, "Zed")
            assert isinstance(pilot.app.screen, CustomerForm)
            assert pilot.app.read_only
            assert "read-only" in pilot.app.title
            assert any("cannot be written" in text for text in messages(pilot.app))


async def test_an_interaction_form_is_kept_when_the_database_is_busy(seeded):
    store, _, _ = seeded
    async with on_screen(store, "3") as pilot:
        customer = pilot.app.screen.current_id
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InteractionForm)
        await pilot.press(*"Talked prices")  # the form opens on its summary
        with refusing(store, LOCKED):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(pilot.app.screen, InteractionForm)
            assert pilot.app.screen.query_one("#summary-input").value == "Talked prices"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [i.summary for i in store.interactions_of(customer)][0] == "Talked prices"


async def test_a_deal_keeps_its_edits_and_its_lost_reason_when_the_disk_is_full(seeded):
    store, ids, _ = seeded
    deal_id = ids["Fleet tracking pilot"]
    async with on_screen(store, "2") as pilot:
        assert pilot.app.screen.board.focus_deal(deal_id)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DealScreen)
        pilot.app.screen.query_one("#title-input").value = "Fleet pilot, 40 trucks"
        with refusing(store, FULL):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(pilot.app.screen, DealScreen)
            assert "full" in str(pilot.app.screen.query_one("#deal-error").content)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.deal(deal_id).title.endswith("40 trucks")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LostReasonScreen)
        await pilot.press(*"budget cut")
        with refusing(store, LOCKED):
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, LostReasonScreen)
            assert pilot.app.screen.query_one("#reason-input").value == "budget cut"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")  # keep its follow-up (asked once the deal is closed)
        await settle(pilot)
        assert isinstance(pilot.app.screen, PipelineScreen)
        assert store.deal(deal_id).lost_reason == "budget cut"


async def test_moving_a_deal_on_a_busy_database_says_so(seeded):
    store, ids, _ = seeded
    deal_id = ids["50 laptops for Shenzhen"]
    async with on_screen(store, "2") as pilot:
        assert pilot.app.screen.board.focus_deal(deal_id)
        await settle(pilot)
        with refusing(store, LOCKED):
            await pilot.press("w")
            await settle(pilot)
        assert isinstance(pilot.app.screen, PipelineScreen)
        assert any("press the key again" in text for text in messages(pilot.app))
        assert store.deal(deal_id).stage_id == "stage-lead"


@pytest.fixture
def agenda_db(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "today.db", "ann", clock)
    ids = seed_agenda(store, clock)
    yield store, ids, clock
    store.close()


async def test_today_keeps_the_log_dialog_open_when_the_write_is_refused(agenda_db):
    store, _, _ = agenda_db
    async with on_screen(store, "1") as pilot:
        item = pilot.app.screen.agenda_list.current
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InteractionForm)
        await pilot.press(*"Left a voicemail")
        with refusing(store, LOCKED):
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, InteractionForm)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
        assert store.interactions_of(item.customer_id)[0].summary.endswith("Left a voicemail")


async def test_today_keys_that_write_say_why_on_a_busy_database(agenda_db):
    store, _, _ = agenda_db
    async with on_screen(store, "1") as pilot:
        with refusing(store, LOCKED):
            await pilot.press("d")
            await settle(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
        assert any("another program" in text for text in messages(pilot.app))


# -- a database that cannot be written opens read-only --------------------------------


@pytest.fixture
def read_only_db(tmp_path):
    clock = FakeClock()
    path = tmp_path / "shown.db"
    writer = Store.open(path, "ann", clock)
    ids = seed_agenda(writer, clock)
    writer.close()
    store = read_only_store(path, clock)
    yield store, ids
    store.close()


async def test_a_read_only_database_opens_marked_and_keys_that_write_say_why(read_only_db):
    store, _ = read_only_db
    before = store.counts()
    async with on_screen(store, "1") as pilot:
        app = pilot.app
        assert app.read_only and "read-only" in app.title
        assert app.screen.agenda is not None  # it is all there to read
        for screen, keys in (("1", ["d", "t", "comma"]), ("2", ["n", "w", "right_square_bracket"])):
            await pilot.press(screen)
            await settle(pilot)
            for key in keys:
                app.clear_notifications()
                await pilot.press(key)
                await settle(pilot)
                assert app.screen.__class__ in (TodayScreen, PipelineScreen), key  # no dialog opened
                assert any("cannot be written" in text for text in messages(app)), key
        await pilot.press("3")
        await settle(pilot)
        for key in ("a", "e", "i", "t", "f", "n", "O", "d"):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, CustomersScreen), key
            assert any("Nothing can be changed here" in text for text in messages(app)), key
        await pilot.press("slash", *"wang")  # reading still works
        await settle(pilot)
    assert store.counts() == before


@pytest.fixture
def immutable_db(tmp_path):
    """A file the system refuses to let anyone write (chattr +i), where that can be set."""
    clock = FakeClock()
    path = tmp_path / "immutable.db"
    Store.open(path, "ann", clock).close()
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i needs root and a file system that has it")
    try:
        store = Store.open(path, "ann", clock)
        yield store
        store.close()
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


async def test_an_immutable_file_opens_read_only(immutable_db):
    async with on_screen(immutable_db, "3") as pilot:
        assert pilot.app.read_only
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        assert any("cannot be written" in text for text in messages(pilot.app))


class TestReadOnlyMark:
    def test_the_title_bar_says_read_only(self, snap_compare, read_only_db):
        store, _ = read_only_db

        async def run_before(pilot):
            for _ in range(2):
                await settle(pilot)
                await pilot.app.workers.wait_for_complete()
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)
