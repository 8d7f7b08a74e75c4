"""A customer's contract end field and the contract that stands for it stay in step:
typed in, edited, cleared, imported, merged."""

import pytest

from salesdesk.core.errors import StaleRecord
from salesdesk.store.contracts import ContractStore, customer_end_id
from salesdesk.store.customers import merge_customers
from tests.io.helpers import run_import, write


def end_contract(store, customer_id, include_deleted=False):
    return store.records.get("contracts", customer_end_id(customer_id), include_deleted=include_deleted)


def logged(store, record_id):
    return store.db.execute(
        "SELECT count(*) FROM changes WHERE tbl = 'contracts' AND row_id = ?", [record_id]
    ).fetchone()[0]


def test_a_customer_typed_in_with_a_contract_end_gets_its_contract(store):
    customer = store.add_customer("Wang Wei", contract_end="2027-03-31")
    contract = end_contract(store, customer)
    assert (contract["customer_id"], contract["ends_on"]) == (customer, "2027-03-31")
    assert contract["deal_id"] is None
    assert contract["currency"] == store.setting("currency")
    assert logged(store, contract["id"]) == 1  # in the change log: it reaches a teammate
    assert [c.id for c in ContractStore(store).of_customer(customer)] == [contract["id"]]
    assert end_contract(store, store.add_customer("Li Na")) is None


def test_editing_clearing_and_setting_again_the_end_keeps_the_contract_in_step(store):
    customer = store.add_customer("Wang Wei", contract_end="2027-03-31")
    store.update_customer(customer, {"contract_end": "2028-03-31"})
    assert end_contract(store, customer)["ends_on"] == "2028-03-31"
    store.update_customer(customer, {"title": "Buyer"})  # another field: the contract is left alone
    assert end_contract(store, customer)["version"] == 2
    store.update_customer(customer, {"contract_end": ""})
    assert end_contract(store, customer) is None
    assert end_contract(store, customer, include_deleted=True)["deleted_at"]
    store.update_customer(customer, {"contract_end": "2029-01-15"})
    assert end_contract(store, customer)["ends_on"] == "2029-01-15"


def test_an_end_added_later_makes_the_contract(store):
    customer = store.add_customer("Li Na")
    store.update_customer(customer, {"contract_end": "2027-06-30"})
    assert end_contract(store, customer)["ends_on"] == "2027-06-30"


def test_a_refused_edit_changes_neither_the_customer_nor_its_contract(store):
    customer = store.add_customer("Wang Wei", contract_end="2027-03-31")
    version = store.customer(customer).version
    store.update_customer(customer, {"contract_end": "2027-04-30"}, expected_version=version)
    with pytest.raises(StaleRecord):
        store.update_customer(customer, {"contract_end": "2030-01-01"}, expected_version=version)
    assert store.customer(customer).contract_end == "2027-04-30"
    assert end_contract(store, customer)["ends_on"] == "2027-04-30"


def test_a_contract_that_cannot_be_written_rolls_the_customer_back(store, monkeypatch):
    customer = store.add_customer("Wang Wei", contract_end="2027-03-31")

    def broken(self, customer_id, ends_on):
        raise OSError("disk full")

    monkeypatch.setattr(ContractStore, "set_customer_end", broken)
    with pytest.raises(OSError):
        store.update_customer(customer, {"contract_end": "2030-01-01"})
    with pytest.raises(OSError):
        store.add_customer("Li Na", contract_end="2030-01-01")
    assert store.customer(customer).contract_end == "2027-03-31"
    assert store.db.execute("SELECT count(*) FROM customers WHERE name = 'Li Na'").fetchone()[0] == 0


def test_imported_customers_get_their_contracts_and_an_update_moves_the_end(tmp_path, store):
    path = write(
        tmp_path / "contacts.csv",
        "name,email,contract end\r\nWang Fang,wang@example.cn,2027-05-01\r\nZhao Lei,zhao@example.cn,\r\n",
    )
    _, result = run_import(store, path)
    assert result.created == 2
    ids = dict(store.db.execute("SELECT name, id FROM customers"))
    contract = end_contract(store, ids["Wang Fang"])
    assert (contract["customer_id"], contract["ends_on"]) == (ids["Wang Fang"], "2027-05-01")
    assert logged(store, contract["id"]) == 1
    assert end_contract(store, ids["Zhao Lei"]) is None
    # the same file again changes nothing; a file with another end and --update moves it
    _, again = run_import(store, path)
    assert again.unchanged == 2 and end_contract(store, ids["Wang Fang"])["version"] == 1
    later = write(
        tmp_path / "later.csv",
        "name,email,contract end\r\n"
        "Wang Fang,wang@example.cn,2028-05-01\r\n"
        "Zhao Lei,zhao@example.cn,2027-09-30\r\n",
    )
    run_import(store, later, update=True)
    assert end_contract(store, ids["Wang Fang"])["ends_on"] == "2028-05-01"
    assert end_contract(store, ids["Zhao Lei"])["ends_on"] == "2027-09-30"  # filled an empty field


def test_a_dry_run_import_makes_no_contract(tmp_path, store):
    path = write(tmp_path / "contacts.csv", "name,contract end\r\nWang Fang,2027-05-01\r\n")
    _, result = run_import(store, path, dry_run=True)
    assert result.created == 1
    assert store.db.execute("SELECT count(*) FROM contracts").fetchone()[0] == 0


def test_merging_moves_contracts_and_keeps_both_ends(store, clock):
    keep = store.add_customer("Wang Wei", contract_end="2027-03-31")
    other = store.add_customer("W. Wang", contract_end="2027-09-30")
    deal = store.add_deal(other, "Laptops", 10_000_00, "CNY", stage_id="stage-signed")
    contracts = ContractStore(store)
    signed = contracts.make(deal, contracts.prefill(deal, clock.now.date()))
    merge_customers(store, keep, other)
    assert contracts.get(signed).customer_id == keep
    # keep had its own end: the other's is kept beside it, as one of keep's contracts
    ends = sorted(c.ends_on for c in contracts.of_customer(keep) if c.ends_on)
    assert ends == ["2027-03-31", "2027-09-30"]
    assert contracts.of_customer(other) == []


def test_merging_into_a_customer_without_an_end_carries_it_over_once(store):
    keep = store.add_customer("Wang Wei")
    other = store.add_customer("W. Wang", contract_end="2027-09-30")
    merge_customers(store, keep, other)
    assert store.customer(keep).contract_end == "2027-09-30"
    contracts = ContractStore(store).of_customer(keep)
    assert [(c.id, c.ends_on) for c in contracts] == [(customer_end_id(keep), "2027-09-30")]
    assert end_contract(store, other) is None
