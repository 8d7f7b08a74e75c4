"""The Trash screen: what anyone deleted, listed, and brought back with one key."""

from datetime import timedelta

import pytest

from salesdesk.store.conflicts import ConflictStore
from salesdesk.store.trash import TrashStore
from salesdesk.tui.screens.trash import TrashScreen
from tests.sync.conftest import Device
from tests.tui.conftest import SIZE, make_app, no_blink, settle


@pytest.fixture
def trashed(seeded):
    """Two customers and a deal deleted, one customer named in markup."""
    store, ids, clock = seeded
    marked = store.add_customer("[b]Bold[/b] Ltd \x1b[31m")
    clock.advance(minutes=5)
    store.delete_customer(marked)
    clock.advance(minutes=5)
    store.delete_deal(ids["Annual support renewal"])
    tom = store.db.execute("SELECT id FROM customers WHERE name = 'Tom Baker'").fetchone()[0]
    clock.advance(minutes=5)
    store.delete_customer(tom)
    yield store, ids, marked, tom


async def _trash_screen(pilot, key="6"):
    await settle(pilot)
    await pilot.press(*key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, TrashScreen)
    return pilot.app.screen


async def test_the_trash_lists_every_deleted_record_latest_first(trashed):
    store, _, marked, tom = trashed
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _trash_screen(pilot)
        assert [(i.kind, i.name, i.deleted_by) for i in screen.shown] == [
            ("customer", "Tom Baker", "ann"),
            ("deal", "Annual support renewal", "ann"),
            ("customer", "[b]Bold[/b] Ltd \x1b[31m", "ann"),
        ]
        row = screen.table.get_row_at(2)
        assert row[1].plain == "[b]Bold[/b] Ltd \u241b[31m"  # literally: no markup, escape made visible


async def test_r_restores_the_record_under_the_cursor_as_a_new_change(trashed):
    store, ids, _, tom = trashed
    before = store.db.execute("SELECT count(*) FROM changes").fetchone()[0]
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _trash_screen(pilot)
        await pilot.press("down", "r")  # the deal, whose customer (Tom) is deleted too
        await settle(pilot)
        assert store.deal(ids["Annual support renewal"]).title == "Annual support renewal"
        assert store.customer(tom).name == "Tom Baker"
        assert store.db.execute("SELECT count(*) FROM changes").fetchone()[0] == before + 2
        assert [i.name for i in screen.shown] == ["[b]Bold[/b] Ltd \x1b[31m"]
        await pilot.press("r")
        await settle(pilot)
        assert screen.shown == [] and screen.query_one("#trash-empty").display
        assert TrashStore(store).count() == 0


async def test_a_read_only_database_restores_nothing_and_says_why(trashed):
    store, _, _, _ = trashed
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _trash_screen(pilot)
        pilot.app.read_only = True
        await pilot.press("r")
        await settle(pilot)
        assert len(screen.shown) == 3 and TrashStore(store).count() == 3


async def test_the_trash_is_a_key_away_from_conflicts_and_back(trashed):
    store, _, _, _ = trashed
    async with make_app(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await _trash_screen(pilot, "t")
        await pilot.press("c")
        await settle(pilot)
        assert pilot.app.current_mode == "conflicts"


@pytest.fixture
def undone_delete(tmp_path):
    """Ann deleted Chen Jing; Bob, not having seen it, edited her later: she is back."""
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob", timedelta(hours=-2))
    chen = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    ann.store.delete_customer(chen)
    bob.clock.advance(days=1)
    bob.store.update_customer(chen, {"notes": "still buying"})
    ann.merge_from(bob)
    yield ann, chen
    ann.store.close()
    bob.store.close()


async def test_an_undone_delete_is_on_conflicts_and_r_deletes_again(undone_delete):
    ann, chen = undone_delete
    async with make_app(ann.store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = pilot.app.screen
        [conflict] = screen.shown
        assert conflict.about_life and conflict.kept is None and conflict.lost is not None
        cells = [str(cell) for cell in screen.table.get_row_at(0)]
        assert cells[2:4] == ["deleted or alive", "alive, edited"] and cells[4].startswith("deleted 20")
        await pilot.press("r")
        await settle(pilot)
        assert ann.store.records.get("customers", chen) is None
        assert ConflictStore(ann.store).count() == 0
        await _trash_screen(pilot, "t")
        assert [i.name for i in pilot.app.screen.shown] == ["Chen Jing"]


def _snapshot(snap_compare, store):
    async def run_before(pilot):
        await _trash_screen(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestTrash:
    def test_list(self, snap_compare, trashed):
        store, _, _, _ = trashed
        assert _snapshot(snap_compare, store)

    def test_empty(self, snap_compare, seeded):
        store, _, _ = seeded
        assert _snapshot(snap_compare, store)
