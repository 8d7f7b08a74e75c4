"""The Conflicts screen: concurrent edits a merge kept, settled from the keyboard."""

from datetime import timedelta

import pytest

from salesdesk.store.conflicts import ConflictStore
from tests.sync.conftest import Device
from tests.tui.conftest import SIZE, make_app, no_blink, settle


@pytest.fixture
def clash(tmp_path):
    """Ann and Bob each renamed Tom's company before syncing; Ann's later edit won."""
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob", timedelta(hours=-2))
    tom = ann.store.add_customer("Tom Baker")
    bob.merge_from(ann)
    ann.clock.advance(hours=1)
    ann.store.update_customer(tom, {"company": "Baker & Sons"})
    bob.store.update_customer(tom, {"company": "[b]Baker[/b] Ltd \x1b[31m"})
    report = ann.merge_from(bob)
    assert report.conflicts == 1
    yield ann, tom
    ann.store.close()
    bob.store.close()


async def _conflicts_screen(pilot):
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    return pilot.app.screen


async def test_restore_writes_the_lost_value_as_a_new_change_and_settles_it(clash):
    ann, tom = clash
    store = ann.store
    changes_before = store.db.execute("SELECT count(*) FROM changes").fetchone()[0]
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _conflicts_screen(pilot)
        assert [(c.record, c.field, c.kept, c.lost) for c in screen.shown] == [
            ("Tom Baker", "company", "Baker & Sons", "[b]Baker[/b] Ltd \x1b[31m")
        ]
        await pilot.press("r")
        await settle(pilot)
        assert store.customer(tom).company == "[b]Baker[/b] Ltd \x1b[31m"
        assert ConflictStore(store).count() == 0
        assert store.db.execute("SELECT resolved_at FROM conflicts").fetchone()[0] is not None
        assert store.db.execute("SELECT count(*) FROM changes").fetchone()[0] == changes_before + 1
        assert screen.query_one("#conflicts-empty").display


async def test_keep_settles_it_and_changes_nothing_else(clash):
    ann, tom = clash
    store = ann.store
    before = store.db.execute("SELECT count(*) FROM changes").fetchone()[0]
    async with make_app(store).run_test(size=SIZE) as pilot:
        await _conflicts_screen(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert store.customer(tom).company == "Baker & Sons"
        assert ConflictStore(store).count() == 0
        assert store.db.execute("SELECT count(*) FROM changes").fetchone()[0] == before


def test_a_row_inserted_directly_is_listed_with_its_deal_title(seeded):
    store, ids, _ = seeded
    deal = ids["Annual support renewal"]
    store.db.execute(
        "INSERT INTO conflicts (tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock, "
        "detected_at) VALUES "
        "('deals', ?, 'amount', '990000', 'k', '1200000', 'l', '2026-11-27T08:00:00.000Z')",
        [deal],
    )
    [conflict] = ConflictStore(store).unresolved()
    assert (conflict.record, conflict.kept, conflict.lost) == ("Annual support renewal", 990000, 1200000)
    ConflictStore(store).restore(conflict.id)
    assert store.deal(deal).amount == 1200000


def _snapshot(snap_compare, store):
    async def run_before(pilot):
        await _conflicts_screen(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestConflicts:
    def test_list(self, snap_compare, clash):
        ann, _ = clash
        ann.store.db.execute("UPDATE conflicts SET detected_at = '2026-11-27T09:30:00.000Z'")
        assert _snapshot(snap_compare, ann.store)

    def test_empty(self, snap_compare, seeded):
        store, _, _ = seeded
        assert _snapshot(snap_compare, store)


@pytest.fixture
def life(tmp_path):
    """Ann deleted Chen Jing, Bob's later edit (not having seen it) brought her back;
    Ann edited Tom, whom Bob deleted later: both are conflicts of a record's life."""
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob", timedelta(hours=-2))
    chen, tom = ann.store.add_customer("Chen Jing"), ann.store.add_customer("Tom Baker")
    bob.merge_from(ann)
    ann.store.delete_customer(chen)
    ann.store.update_customer(tom, {"notes": "call in spring"})
    bob.clock.advance(days=1)
    bob.store.update_customer(chen, {"notes": "still buying"})
    bob.store.delete_customer(tom)
    ann.merge_from(bob)
    ann.store.db.execute("UPDATE conflicts SET detected_at = '2026-11-27T09:30:00.000Z'")
    yield ann
    ann.store.close()
    bob.store.close()


class TestConflictsOfLife:
    def test_list(self, snap_compare, life):
        assert _snapshot(snap_compare, life.store)
