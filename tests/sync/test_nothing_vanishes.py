"""Nothing vanishes in a merge: undone deletes, edits into deleted records and values
overwritten unseen are conflicts on every copy; stamps converge; tags ignore case."""

import json

from salesdesk.store.conflicts import ConflictStore
from tests.sync.conftest import Device


def _later(team, **delta):
    """Time passes for the whole team (each device's clock keeps its skew): what is done
    next is later than what was done before, and no device runs a day ahead of another."""
    for device in team:
        device.clock.advance(**delta)


def _conflicts(device):
    return sorted(
        device.store.db.execute(
            "SELECT tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock FROM conflicts"
        ).fetchall()
    )


def _sync_all(devices):
    for _ in range(2):
        for a in devices:
            for b in devices:
                if a is not b:
                    a.merge_from(b)


def test_a_delete_undone_by_a_later_edit_is_a_conflict_everywhere(team):
    ann, bob, cai = team
    customer = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    ann.store.delete_customer(customer)
    _later(team, days=2)  # bob, not having seen the delete, edits later
    bob.store.update_customer(customer, {"notes": "still buying"})
    _sync_all(team)
    assert ann.store.records.get("customers", customer) is not None  # the edit revived it
    rows = _conflicts(ann)
    assert rows == _conflicts(bob) == _conflicts(cai)
    [(table, row_id, field, kept, _, lost, _)] = rows
    assert (table, row_id, field, kept) == ("customers", customer, "deleted_at", "null")
    assert json.loads(lost).startswith("20")  # the time of the undone delete
    [conflict] = ConflictStore(ann.store).unresolved()
    assert conflict.about_life
    ConflictStore(ann.store).restore(conflict.id)  # delete it again
    assert ann.store.records.get("customers", customer) is None
    _sync_all(team)
    assert all(d.store.records.get("customers", customer) is None for d in team)


def test_an_edit_into_a_record_deleted_later_is_a_conflict_everywhere(team):
    ann, bob, cai = team
    customer = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    bob.store.update_customer(customer, {"notes": "edited first"})
    _later(team, days=2)
    ann.store.delete_customer(customer)  # without having seen bob's edit
    _sync_all(team)
    assert all(d.store.records.get("customers", customer) is None for d in team)
    rows = _conflicts(bob)
    assert rows == _conflicts(ann) == _conflicts(cai)
    [(_, _, field, kept, _, lost, _)] = rows
    assert field == "deleted_at" and lost == "null" and json.loads(kept).startswith("20")
    [conflict] = ConflictStore(bob.store).unresolved()
    ConflictStore(bob.store).restore(conflict.id)  # bring the record back, with the edit
    _sync_all(team)
    for device in team:
        assert device.store.customer(customer).notes == "edited first"


def test_an_edit_of_another_field_is_a_conflict_with_a_delete_after_edits_of_its_own(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    ann.store.update_customer(customer, {"company": "Pearl River"})
    _later(team, days=1)
    bob.store.update_customer(customer, {"notes": "moving away"})  # newer than ann's edit
    bob.store.delete_customer(customer)  # but never saw it
    ann.merge_from(bob)
    bob.merge_from(ann)
    rows = _conflicts(ann)
    assert rows == _conflicts(bob)
    assert [(field, lost) for _, _, field, _, _, lost, _ in rows] == [("deleted_at", "null")]


def test_a_delete_after_seeing_the_edit_is_no_conflict(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    bob.store.update_customer(customer, {"notes": "edited first"})
    ann.merge_from(bob)
    _later(team, days=2)
    ann.store.delete_customer(customer)
    bob.merge_from(ann)
    ann.merge_from(bob)
    assert _conflicts(ann) == _conflicts(bob) == []


def test_the_loser_learns_of_the_conflict_through_a_third_device(team):
    ann, bob, cai = team
    customer = ann.store.add_customer("Tom")
    bob.merge_from(ann)
    cai.merge_from(ann)
    ann.store.update_customer(customer, {"company": "Baker & Sons"})
    _later(team, days=1)
    bob.store.update_customer(customer, {"company": "Baker Ltd"})  # newer: wins
    cai.merge_from(ann)
    cai.merge_from(bob)
    ann.merge_from(cai)  # ann never merges bob's copy itself
    assert ann.store.customer(customer).company == "Baker Ltd"
    [conflict] = ConflictStore(ann.store).unresolved()
    assert (conflict.field, conflict.kept, conflict.lost) == ("company", "Baker Ltd", "Baker & Sons")
    bob.merge_from(cai)
    assert _conflicts(ann) == _conflicts(bob) == _conflicts(cai)


def test_an_edit_made_after_seeing_the_other_through_a_third_device_is_no_conflict(team):
    ann, bob, cai = team
    customer = ann.store.add_customer("Tom")
    ann.store.update_customer(customer, {"company": "Baker & Sons"})
    cai.merge_from(ann)
    bob.merge_from(cai)
    bob.store.update_customer(customer, {"company": "Baker Ltd"})  # over ann's, seen via cai
    ann.merge_from(bob)
    _sync_all(team)
    assert {d.store.customer(customer).company for d in team} == {"Baker Ltd"}
    assert all(_conflicts(d) == [] for d in team)


def test_a_value_lost_to_several_edits_is_kept_against_the_same_one_everywhere(team):
    ann, bob, cai = team
    customer = ann.store.add_customer("Tom")
    for device in (bob, cai):
        device.merge_from(ann)
    ann.store.update_customer(customer, {"title": "Buyer"})
    _later(team, days=1)
    bob.store.update_customer(customer, {"title": "Head buyer"})
    _later(team, days=1)
    cai.store.update_customer(customer, {"title": "Director"})
    ann.merge_from(cai)  # ann sees cai's first, bob sees them the other way round
    ann.merge_from(bob)
    bob.merge_from(ann)
    _sync_all(team)
    rows = _conflicts(ann)
    assert rows == _conflicts(bob) == _conflicts(cai)
    assert len(rows) == 2  # the two older titles, each against the edit that overwrote it first


def test_who_changed_a_record_last_is_the_same_on_every_copy(team):
    ann, bob, cai = team
    customer = ann.store.add_customer("Tom")
    _sync_all(team)
    ann.store.update_customer(customer, {"phone": "+1 415 555 0100"})
    _later(team, hours=30)
    bob.store.update_customer(customer, {"email": "tom@baker.example"})  # the newest edit
    cai.merge_from(bob)  # cai sees bob's before ann's
    _sync_all(team)
    query = "SELECT updated_at, updated_by, created_at FROM customers"
    stamps = {d.store.db.execute(query).fetchone() for d in team}
    assert len(stamps) == 1
    assert next(iter(stamps))[1] == "bob"


def test_a_link_two_copies_each_created_keeps_the_first_creation_time(team):
    ann, bob, cai = team
    first, second = ann.store.add_customer("Tom"), ann.store.add_customer("Sarah")
    ann.store.add_tag(first, "vip")
    _sync_all(team)
    cai.store.add_tag(second, "vip")  # one link id, made on two copies
    bob.store.add_tag(second, "vip")  # bob's clock is a day behind cai's
    _sync_all(team)
    links = {
        d.store.db.execute(
            "SELECT id, created_at, updated_at, updated_by FROM customer_tags WHERE customer_id = ?",
            [second],
        ).fetchall()[0]
        for d in team
    }
    [(_, created, _, _)] = links
    assert (
        created
        == bob.store.db.execute(
            "SELECT min(json_extract(data, '$.created_at')) FROM changes WHERE tbl = 'customer_tags' "
            "AND row_id LIKE ? || ':%'",
            [second],
        ).fetchone()[0]
    )
    assert len({d.digest() for d in team}) == 1


def test_tags_differing_only_in_case_become_one(team):
    ann, bob, _ = team
    first = ann.store.add_customer("Wang Wei")
    second = ann.store.add_customer("Sarah")
    bob.merge_from(ann)
    ann.store.add_tag(first, "vip")
    _later(team, days=1)  # bob's clock is 20 hours behind: this is later than ann's
    bob.store.add_tag(second, "VIP")
    _sync_all(team)
    for device in team:
        names = [r[0] for r in device.store.db.execute("SELECT name FROM tags WHERE deleted_at IS NULL")]
        assert names == ["vip"]  # the first created spelling
        assert device.store.tags_of(first) == device.store.tags_of(second) == ["vip"]
    assert len({d.digest() for d in team}) == 1
    assert bob.store.remove_tag(second, "Vip")
    _sync_all(team)
    assert all(d.store.tags_of(second) == [] for d in team)


def test_a_tag_is_found_whatever_its_case_beyond_ascii(tmp_path):
    device = Device(tmp_path, "ann")
    customer = device.store.add_customer("Müller")
    device.store.add_tag(customer, "Übergröße")
    device.store.add_tag(customer, "übergröße")  # SQLite's NOCASE folds ASCII only
    assert device.store.tags_of(customer) == ["Übergröße"]
    assert device.store.db.execute("SELECT count(*) FROM tags").fetchone()[0] == 1
    assert device.store.remove_tag(customer, "ÜBERGRÖSSE")
    assert device.store.tags_of(customer) == []
    device.store.close()


def test_a_merge_that_reads_records_again_ends_the_same(team, monkeypatch):
    """Records a merge let go of (a large merge keeps a bounded number) are read again
    from the tables and the log, with the entries merged so far."""
    from salesdesk.sync import merge

    ann, bob, cai = team
    customers = [ann.store.add_customer(f"c{n}") for n in range(3)]
    for device in (bob, cai):
        device.merge_from(ann)
    for n, customer in enumerate(customers):
        ann.store.update_customer(customer, {"notes": f"ann {n}"})
        ann.store.add_tag(customer, "vip")
    _later(team, days=1)
    for customer in customers:
        bob.store.update_customer(customer, {"notes": "bob"})
        bob.store.add_tag(customer, "VIP")
    bob.store.delete_customer(customers[0])
    twin = Device(ann.folder, "twin")  # ann's copy as it is now, on the same clock
    twin.store.close()
    ann.snapshot().replace(twin.path)
    twin.store = twin.store.open(twin.path, "ann", ann.clock)
    snapshot = bob.snapshot()
    merge.merge_database(ann.store, snapshot)
    monkeypatch.setattr(merge, "ROWS_KEPT", 1)
    merge.merge_database(twin.store, snapshot)
    assert ann.digest() == twin.digest()
    assert _conflicts(ann) == _conflicts(twin) and len(_conflicts(ann)) == 3  # the notes
    twin.store.close()
