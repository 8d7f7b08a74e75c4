"""What each instalment still wants, kept by this copy (store.owed): worked out again
whoever writes, and read as the records say also before it is."""

from datetime import date, timedelta

import pytest

from salesdesk.core.contracts import PlanPart
from salesdesk.store.connection import write
from salesdesk.store.contracts import ContractStore
from salesdesk.store.owed import owed_rows, refresh
from tests.conftest import TODAY


@pytest.fixture
def contract(store):
    contracts = ContractStore(store)
    customer = store.add_customer("Acme")
    deal = store.add_deal(customer, "Printers", 1_000_00, "CNY", stage_id="stage-signed")
    made = contracts.make(deal, contracts.prefill(deal, TODAY))
    contracts.set_plan(made, [PlanPart(TODAY, 300_00), PlanPart(TODAY + timedelta(days=30), 700_00)])
    return made


def kept(store):
    return store.db.execute("SELECT due_on, outstanding FROM owed_instalments ORDER BY due_on").fetchall()


def test_the_contract_stores_writes_keep_the_rows(store, contract):
    assert kept(store) == [(TODAY.isoformat(), 300_00), ((TODAY + timedelta(days=30)).isoformat(), 700_00)]
    ContractStore(store).record_receipt(contract, 400_00, TODAY)
    assert kept(store) == [((TODAY + timedelta(days=30)).isoformat(), 600_00)]
    assert store.db.execute("SELECT count(*) FROM owed_dirty").fetchone() == (0,)


def test_a_write_by_another_path_is_seen_at_once_and_kept_at_the_next_refresh(store, contract):
    receipt = ContractStore(store).record_receipt(contract, 1_000_00, TODAY).receipt_id
    assert kept(store) == [] and owed_rows(store.db) == []
    store.records.delete("receipts", receipt)  # as Today's undo does
    assert kept(store) == []  # the kept rows are stale ...
    assert [row.outstanding for row in owed_rows(store.db)] == [300_00, 700_00]  # ... and not trusted
    with write(store.db):
        assert refresh(store.db) == 1
    assert [row[1] for row in kept(store)] == [300_00, 700_00]


def test_rows_due_by_a_day(store, contract):
    assert [row.outstanding for row in owed_rows(store.db, TODAY)] == [300_00]
    assert [row.outstanding for row in owed_rows(store.db, date(2099, 1, 1))] == [300_00, 700_00]


def test_a_deleted_contract_owes_nothing(store, contract):
    with store.records.transaction():
        store.records.delete("contracts", contract)
        refresh(store.db)
    assert kept(store) == [] and owed_rows(store.db) == []
