"""The Trash from the command line: a teammate's deletes listed and undone, on every copy."""

from datetime import UTC, datetime

from salesdesk.store.trash import TrashStore
from salesdesk.sync import team as teamsync
from tests.sync.conftest import Device, enter_team
from tests.test_cli import assert_one_sentence_error, digest, run


def _today_team(tmp_path):
    """Three devices whose clocks say now, so 'today' on the command line is their today."""
    devices = [Device(tmp_path, name) for name in ("ann", "bob", "cai")]
    for device in devices:
        device.clock.now = datetime.now(UTC)
    return devices


def _count(device):
    return device.store.db.execute("SELECT count(*) FROM customers WHERE deleted_at IS NULL").fetchone()[0]


def test_the_owner_restores_the_40_customers_a_teammate_deleted_on_every_copy(tmp_path):
    ann, bob, cai = devices = _today_team(tmp_path)
    shared = tmp_path / "share"
    shared.mkdir()
    try:
        enter_team(ann.store, shared)
        for n in range(40):
            ann.store.add_customer(f"Customer {n}")
        ann.store.add_customer("Deleted long ago, by ann")
        teamsync.sync_once(ann.store)
        for device in (bob, cai):
            enter_team(device.store, shared)
        theirs = bob.store.db.execute("SELECT id FROM customers WHERE name LIKE 'Customer%'").fetchall()
        for (customer_id,) in theirs:
            bob.store.delete_customer(customer_id)
        gone = ann.store.db.execute("SELECT id FROM customers WHERE name LIKE 'Deleted%'").fetchone()[0]
        ann.store.delete_customer(gone)
        for device in (bob, ann, cai, bob):
            teamsync.sync_once(device.store)
        assert [_count(d) for d in devices] == [0, 0, 0]  # the owner has none left

        listed = run("--db", str(ann.path), "--user", "ann", "trash", "--by", "BOB", "--since", "today")
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.count(" by bob\n") == 40 and "40 deleted records" in listed.stdout
        assert "Deleted long ago" not in listed.stdout
        result = run(
            "--db", str(ann.path), "--user", "ann", "trash", "restore", "--by", "bob", "--since", "today"
        )
        assert result.returncode == 0, result.stderr
        assert "40 records restored" in result.stdout
        synced = run("--db", str(ann.path), "--user", "ann", "sync")
        assert synced.returncode == 0, synced.stderr
        for device in (bob, cai):
            teamsync.sync_once(device.store)
        assert [_count(d) for d in devices] == [40, 40, 40]
        assert all(len(TrashStore(d.store).items()) == 1 for d in devices)  # ann's own delete stays
        assert len({d.digest() for d in devices}) == 1
    finally:
        for device in devices:
            device.store.close()


def test_restore_by_id_brings_a_deal_back_with_its_customer(tmp_path):
    [ann] = devices = _today_team(tmp_path)[:1]
    try:
        customer = ann.store.add_customer("Wang Wei")
        deal = ann.store.add_deal(customer, "50 laptops", 62_000_00)
        ann.store.delete_deal(deal)
        ann.store.delete_customer(customer)
        listed = run("--db", str(ann.path), "trash")
        assert listed.returncode == 0 and deal in listed.stdout and "50 laptops  (Wang Wei)" in listed.stdout
        result = run("--db", str(ann.path), "trash", "restore", deal)
        assert result.returncode == 0, result.stderr
        assert "2 records restored" in result.stdout
        assert ann.store.deal(deal).title == "50 laptops"
        assert ann.store.customer(customer).name == "Wang Wei"
        assert run("--db", str(ann.path), "trash").stdout.strip() == "The Trash is empty."
    finally:
        for device in devices:
            device.store.close()


def test_bad_restores_are_one_sentence_and_change_nothing(tmp_path):
    [ann] = devices = _today_team(tmp_path)[:1]
    try:
        kept = ann.store.add_customer("Still here")
        ann.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = digest(ann.path)
        cases = [
            (("trash", "restore"), "Say what to restore"),
            (("trash", "restore", "nope"), "No deleted customer"),
            (("trash", "restore", kept), "is not in the Trash"),
            (("trash", "restore", kept, "--by", "bob"), "not both"),
            (("trash", "--since", "someday"), "--since"),
        ]
        for args, words in cases:
            result = run("--db", str(ann.path), *args)
            assert_one_sentence_error(result, words)
        assert digest(ann.path) == before
    finally:
        for device in devices:
            device.store.close()
