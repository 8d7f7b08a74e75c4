"""Migration 17: contracts, instalments, receipts and cases, and each customer's contract
end carried over into a contract that every device makes alike."""

import json

from salesdesk.store.connection import connect, write
from salesdesk.store.schema import APPLICATION_ID, MIGRATIONS, SEED_CLOCK, SEED_DEVICE
from salesdesk.store.store import Store


def _database_before_contracts(path):
    db = connect(path)
    for number, migration in enumerate(MIGRATIONS[:16], start=1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA user_version={number}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    return db


def _customer(db, customer_id, contract_end):
    with write(db):
        db.execute(
            "INSERT INTO customers (id, name, contract_end, created_at, updated_at, updated_by) "
            "VALUES (?, ?, ?, '2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z', 'ann')",
            [customer_id, f"Customer {customer_id}", contract_end],
        )


def test_each_contract_end_becomes_a_contract_of_that_end(tmp_path, clock):
    db = _database_before_contracts(tmp_path / "old.db")
    _customer(db, "c1", "2027-03-31")
    _customer(db, "c2", None)
    db.close()
    store = Store.open(tmp_path / "old.db", "ann", clock)
    try:
        rows = store.db.execute(
            "SELECT id, customer_id, ends_on, deal_id, amount, currency FROM contracts"
        ).fetchall()
        assert rows == [("contract-end-c1", "c1", "2027-03-31", None, 0, "USD")]
        logged = store.db.execute(
            "SELECT device, clock, data FROM changes WHERE tbl = 'contracts'"
        ).fetchall()
        assert [(device, clock_) for device, clock_, _data in logged] == [(SEED_DEVICE, SEED_CLOCK)]
        assert json.loads(logged[0][2])["ends_on"] == "2027-03-31"
    finally:
        store.close()


def test_two_devices_carry_the_same_contract_end_over_alike(tmp_path, clock):
    records = []
    for name in ("a.db", "b.db"):
        db = _database_before_contracts(tmp_path / name)
        _customer(db, "c1", "2027-03-31")
        db.close()
        store = Store.open(tmp_path / name, "ann", clock)
        try:
            records.append(store.db.execute("SELECT data FROM changes WHERE tbl = 'contracts'").fetchall())
        finally:
            store.close()
    assert records[0] == records[1] and len(records[0]) == 1


def test_a_new_database_has_the_tables_and_none_of_their_rows(store):
    for table in ("contracts", "instalments", "receipts", "cases"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
