"""Merging copies by record id: newest per field, tombstones, revival, conflicts."""

import pytest

from salesdesk.core.errors import SalesdeskError
from salesdesk.sync.merge import merge_database


def test_a_new_record_travels_with_its_history(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Wang Wei", company="Huaxin")
    ann.store.add_tag(customer, "vip")
    deal = ann.store.add_deal(customer, "Laptops", 50_000_00)
    ann.store.step_deal(deal, 1)
    report = bob.merge_from(ann)
    assert report.created["customers"] == 1 and report.created["deals"] == 1
    assert bob.store.customer(customer).company == "Huaxin"
    assert bob.store.tags_of(customer) == ["vip"]
    assert bob.store.deal(deal).stage_id == "stage-qualified"
    assert [c.to_stage for c in bob.store.stage_history(deal)] == ["stage-lead", "stage-qualified"]
    assert ann.digest() == bob.digest()


def test_merging_twice_changes_nothing(team):
    ann, bob, _ = team
    ann.store.add_customer("Sarah")
    bob.merge_from(ann)
    before = bob.digest()
    again = bob.merge_from(ann)
    assert again.entries == 0 and bob.digest() == before


def test_different_fields_edited_on_two_devices_both_survive(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Tom")
    bob.merge_from(ann)
    ann.clock.advance(minutes=1)
    bob.clock.advance(minutes=1)
    ann.store.update_customer(customer, {"phone": "+1 415 555 0100"})
    bob.store.update_customer(customer, {"email": "tom@baker.example"})
    ann.merge_from(bob)
    bob.merge_from(ann)
    for device in (ann, bob):
        record = device.store.customer(customer)
        assert (record.phone, record.email) == ("+1 415 555 0100", "tom@baker.example")
    assert ann.digest() == bob.digest()


def test_same_field_edited_on_two_devices_is_listed_as_a_conflict(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Tom")
    bob.merge_from(ann)
    ann.clock.advance(hours=1)
    ann.store.update_customer(customer, {"company": "Baker & Sons"})
    bob.store.update_customer(customer, {"company": "Baker Ltd"})
    ann.merge_from(bob)
    bob.merge_from(ann)
    assert ann.store.customer(customer).company == bob.store.customer(customer).company
    for device in (ann, bob):
        rows = device.store.db.execute("SELECT field, kept_value, lost_value FROM conflicts").fetchall()
        assert len(rows) == 1 and rows[0][0] == "company"
        assert {rows[0][1], rows[0][2]} == {'"Baker & Sons"', '"Baker Ltd"'}


def test_an_edit_after_a_delete_revives_the_record(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    ann.store.delete_customer(customer)
    bob.clock.advance(hours=13)  # the edit comes after the delete (bob is 11 hours behind)
    bob.store.update_customer(customer, {"notes": "still buying"})
    ann.merge_from(bob)
    bob.merge_from(ann)
    for device in (ann, bob):
        record = device.store.records.get("customers", customer)
        assert record is not None and record["notes"] == "still buying"


def test_a_delete_after_an_edit_wins(team):
    ann, bob, _ = team
    customer = ann.store.add_customer("Chen Jing")
    bob.merge_from(ann)
    bob.store.update_customer(customer, {"notes": "edited first"})
    ann.clock.advance(hours=2)
    ann.store.delete_customer(customer)
    ann.merge_from(bob)
    bob.merge_from(ann)
    for device in (ann, bob):
        assert device.store.records.get("customers", customer) is None
    assert ann.digest() == bob.digest()


def test_a_clock_a_day_wrong_loses_no_edit(team):
    ann, bob, cai = team  # bob is 11 hours behind, cai 12 hours ahead: a day apart
    customer = cai.store.add_customer("Li Na")
    ann.merge_from(cai)
    bob.merge_from(cai)
    bob.store.update_customer(customer, {"title": "Buyer"})  # bob's wall clock is a day behind
    cai.merge_from(bob)
    assert cai.store.customer(customer).title == "Buyer"
    cai.store.update_customer(customer, {"title": "Head buyer"})  # after seeing bob's
    bob.merge_from(cai)
    assert bob.store.customer(customer).title == "Head buyer"
    bob.store.update_customer(customer, {"title": "Purchasing director"})  # after seeing cai's
    for device in (ann, cai):
        device.merge_from(bob)
    assert {d.store.customer(customer).title for d in team} == {"Purchasing director"}


def test_a_conflict_copy_of_the_same_device_loses_nothing(team, tmp_path):
    ann, _, _ = team
    first = ann.store.add_customer("Before the split")
    copy_path = ann.snapshot()  # the sync tool's conflicted copy of ann's file
    from salesdesk.store.store import Store
    from tests.conftest import FakeClock

    copy = Store.open(copy_path, "ann", FakeClock(ann.clock.now))
    only_in_copy = copy.add_customer("Written in the copy")
    copy.update_customer(first, {"notes": "edited in the copy"})
    copy.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy.close()
    only_here = ann.store.add_customer("Written here")
    ann.store.update_customer(first, {"notes": "edited here"})  # same device, same clock
    report = merge_database(ann.store, copy_path)
    assert report.renamed_clone  # same entry identity, other content: kept apart, not dropped
    assert ann.store.customer(only_here).name == "Written here"
    assert ann.store.customer(only_in_copy).name == "Written in the copy"
    kept = ann.store.customer(first).notes
    lost = ann.store.db.execute("SELECT lost_value FROM conflicts WHERE field = 'notes'").fetchone()[0]
    assert {kept, lost.strip('"')} == {"edited here", "edited in the copy"}


def test_a_damaged_file_is_refused_and_nothing_changes(team, tmp_path):
    ann, bob, _ = team
    bob.store.add_customer("Someone")
    snapshot = bob.snapshot()
    data = snapshot.read_bytes()
    snapshot.write_bytes(data[: len(data) // 2])
    before = ann.digest()
    with pytest.raises(SalesdeskError):
        merge_database(ann.store, snapshot)
    assert ann.digest() == before


def test_dry_run_reports_without_writing(team):
    ann, bob, _ = team
    ann.store.add_customer("Sarah")
    before = bob.digest()
    report = merge_database(bob.store, ann.snapshot(), dry_run=True)
    assert report.created["customers"] == 1
    assert bob.digest() == before
