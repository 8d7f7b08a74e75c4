"""Owners: assigning a lead to a teammate, and round-robin for new unowned leads."""

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import IncomingCustomer
from salesdesk.store.importer import import_customers


def test_without_a_team_new_leads_stay_with_whoever_adds_them(store):
    assert store.customer(store.add_customer("Wang")).owner == "ann"


def test_new_unowned_leads_go_round_robin(store):
    store.set_setting("round_robin", ["bob", "cai"])
    owners = [store.customer(store.add_customer(f"lead {n}")).owner for n in range(3)]
    assert owners == ["bob", "cai", "bob"]
    assert store.customer(store.add_customer("named", owner="dee")).owner == "dee"


def test_assign_gives_a_customer_or_deal_to_a_teammate(store):
    customer = store.add_customer("Wang")
    deal = store.add_deal(customer, "Laptops", 100)
    store.assign("customers", customer, "bob")
    store.assign("deals", deal, "cai")
    assert (store.customer(customer).owner, store.deal(deal).owner) == ("bob", "cai")
    assert store.records.get("customers", customer)["updated_by"] == "ann"
    with pytest.raises(InvalidValue):
        store.assign("deals", deal, "  ")
    assert set(store.people()) >= {"ann", "bob", "cai"}


def test_imported_rows_without_an_owner_go_round_robin(store):
    store.set_setting("round_robin", ["bob", "cai"])
    rows = [
        IncomingCustomer(line=n + 2, values={"name": f"row {n}", "email": f"r{n}@x.example"})
        for n in range(3)
    ]
    rows.append(IncomingCustomer(line=5, values={"name": "owned", "owner": "dee"}))
    import_customers(store, rows)
    owners = dict(store.db.execute("SELECT name, owner FROM customers"))
    assert [owners[f"row {n}"] for n in range(3)] == ["bob", "cai", "bob"]
    assert owners["owned"] == "dee"
