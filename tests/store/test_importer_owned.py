"""An import meets a teammate's customer: not imported as a new one, not written over,
listed with its owner; asked for with `ask_owner`; and one's own customers updated as before."""

from datetime import timedelta

import pytest

from salesdesk.store.store import Store
from tests.conftest import START, TODAY
from tests.io.helpers import change_count, customers, run_import, write

ASKED = "ann asks for this customer"


@pytest.fixture
def mary(store, clock):
    """Mary Cooper of Acme, 张丽's, called by her 12 days ago."""
    customer_id = store.add_customer(
        "Mary Cooper", company="Acme", email="mary@acme.example", phone="+1 415 555 0100", owner="张丽"
    )
    clock.now = START - timedelta(days=12)
    Store(store.db, "张丽", clock).log_interaction(customer_id, "call", "Talked prices")
    clock.now = START
    return customer_id


def asks(store, customer_id=None):
    return store.db.execute(
        "SELECT customer_id, owner, due_date, title, updated_by FROM followups "
        "WHERE deleted_at IS NULL AND (? IS NULL OR customer_id = ?) ORDER BY id",
        [customer_id, customer_id],
    ).fetchall()


def test_a_teammates_customer_is_listed_not_imported_nor_written_over(tmp_path, store, mary):
    before = store.customer(mary)
    path = write(
        tmp_path / "contacts.csv",
        "name,company,email,phone,title\r\n"
        "M. Cooper,Acme,MARY@acme.example,,Buyer\r\n"  # the importer's own match, by email
        "Mary Cooper,ACME,mary.cooper@home.example,,\r\n"  # another email: by name and company
        "Reception,,,(415) 555-0100,\r\n"  # the same phone written another way, no email
        "Someone New,Elsewhere,new@example.com,,\r\n",
    )
    _batch, result = run_import(store, path)
    assert (result.created, result.updated, result.owned) == (1, 0, 3)
    listed = [(row.line, row.owned.customer_id, row.owned.owner, row.owned.how) for row in result.teammates]
    assert listed == [(2, mary, "张丽", "email"), (3, mary, "张丽", "name"), (4, mary, "张丽", "phone")]
    assert {row.owned.last_contact for row in result.teammates} == {TODAY - timedelta(days=12)}
    assert all(row.asked is None for row in result.teammates)
    after = store.customer(mary)
    assert (after.version, after.title, after.notes) == (before.version, "", "")
    assert [row["name"] for row in customers(store)] == ["Mary Cooper", "Someone New"]
    assert asks(store) == []
    assert "3 teammates' customers, not imported" in result.summary(0)


def test_a_row_with_a_teammates_customers_salesdesk_id_is_not_written_over(tmp_path, store, mary):
    path = write(tmp_path / "export.csv", f"id,name,title\r\n{mary},Mary Cooper,Director\r\n")
    _batch, result = run_import(store, path, update=True)
    assert [(row.owned.customer_id, row.owned.how) for row in result.teammates] == [(mary, "id")]
    assert store.customer(mary).title == ""


def test_ones_own_customers_and_nobodys_are_updated_as_before(tmp_path, store, mary):
    mine = store.add_customer("Ada", email="ada@example.com", owner="ann")
    nobodys = store.add_customer("Bob", email="bob@example.com", owner="")
    # Also the same name and company as a teammate's: matched by email, it is one's own.
    own_mary = store.add_customer("Mary Cooper", company="Acme", email="mine@acme.example", owner="ann")
    path = write(
        tmp_path / "contacts.csv",
        "name,company,email,title\r\n"
        "Ada,,ada@example.com,Analyst\r\n"
        "Bob,,BOB@example.com,Engineer\r\n"
        "Mary Cooper,Acme,mine@acme.example,Buyer\r\n",
    )
    _batch, result = run_import(store, path)
    assert (result.updated, result.owned) == (3, 0)
    assert [store.customer(c).title for c in (mine, nobodys, own_mary)] == ["Analyst", "Engineer", "Buyer"]


def test_with_ask_owner_the_owner_is_asked_once_per_customer(tmp_path, store, mary):
    path = write(
        tmp_path / "contacts.csv",
        "name,company,email\r\nMary Cooper,Acme,\r\nM. Cooper,,mary@acme.example\r\n",
    )
    _batch, result = run_import(store, path, ask_owner=True, today=TODAY)
    assert [row.asked for row in result.teammates] == [True, True]  # the second row: the same ask
    assert asks(store) == [(mary, "张丽", TODAY.isoformat(), ASKED, "ann")]
    _batch, again = run_import(store, path, ask_owner=True, today=TODAY)
    assert [row.asked for row in again.teammates] == [False, False]  # asked already, still open
    assert len(asks(store)) == 1


def test_a_dry_run_says_the_same_and_writes_nothing(tmp_path, store, mary):
    path = write(
        tmp_path / "contacts.csv", "name,email\r\nM. Cooper,mary@acme.example\r\nNew,new@example.com\r\n"
    )
    before = change_count(store)
    _batch, result = run_import(store, path, ask_owner=True, today=TODAY, dry_run=True)
    assert (result.created, result.owned) == (1, 1)
    assert result.teammates[0].asked is True
    assert change_count(store) == before
    assert asks(store) == [] and len(customers(store)) == 1


def test_a_deleted_teammates_customer_is_no_match(tmp_path, store, mary):
    store.delete_customer(mary)
    path = write(tmp_path / "contacts.csv", "name,company,email\r\nMary Cooper,Acme,mary@acme.example\r\n")
    _batch, result = run_import(store, path)
    assert (result.created, result.owned) == (1, 0)
