"""A teammate's customer matching one being added: each way of matching, and asking for it."""

from datetime import timedelta

import pytest

from salesdesk.core.ownership import contacted, owned_said
from salesdesk.store.agenda import AgendaQueries
from salesdesk.store.ownership import ask_owner, teammates_customer
from tests.conftest import START, TODAY


@pytest.fixture
def mary(store):
    """Mary Cooper of Acme, 张丽's customer."""
    return store.add_customer(
        "Mary Cooper",
        company="Acme",
        email="Mary.Cooper@acme.example",
        phone="+86 138-0013-8000",
        owner="张丽",
    )


def match(store, **typed):
    return teammates_customer(store.db, store.user, **{"name": "Someone", **typed})


def test_the_same_email_in_any_case(store, mary):
    found = match(store, email="  mary.cooper@ACME.example ")
    assert found is not None
    assert (found.customer_id, found.owner, found.how) == (mary, "张丽", "email")
    assert (found.name, found.company) == ("Mary Cooper", "Acme")


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "+86 (138) 0013-8000", "0086 13800138000"])
def test_the_same_phone_however_it_is_written(store, mary, typed):
    found = match(store, phone=typed)
    assert found is not None and (found.customer_id, found.how) == (mary, "phone")


def test_a_short_number_or_another_email_on_the_same_phone_is_no_match(store, mary):
    store.add_customer("Reception", company="Acme", phone="8000", owner="张丽")
    assert match(store, phone="8000") is None  # an extension is nobody's number
    # A colleague on the office number, with an email of their own.
    assert match(store, phone="13800138000", email="bob@acme.example") is None
    assert match(store, phone="13800138000", email="MARY.cooper@acme.example").how == "email"


def test_the_same_name_and_company_case_folded(store, mary):
    found = match(store, name="  mary  COOPER", company="ACME ")
    assert found is not None and (found.customer_id, found.how) == (mary, "name")
    assert match(store, name="Mary Cooper", company="Acme Ltd") is None
    # Beyond ASCII too: SQLite's NOCASE alone would not find these.
    müller = store.add_customer("Jürgen Müller", company="Größe GmbH", owner="lin")
    assert match(store, name="JÜRGEN MÜLLER", company="GRÖSSE GMBH").customer_id == müller


def test_a_name_alone_matches_only_when_nothing_else_tells_them_apart(store):
    lone = store.add_customer("Mary Cooper", owner="张丽")
    assert match(store, name="mary cooper").customer_id == lone
    assert match(store, name="Mary Cooper", email="other@example.com") is None


def test_the_persons_own_customer_or_nobodys_is_no_match(store):
    store.add_customer("Own One", company="Acme", email="own@acme.example", owner="ann")
    store.add_customer("Nobody's", company="Acme", email="free@acme.example", owner="")
    assert match(store, email="own@acme.example") is None
    assert match(store, name="Own One", company="Acme") is None
    assert match(store, email="free@acme.example") is None
    # The person's name in another case is still the person.
    assert teammates_customer(store.db, "ANN", name="Own One", company="Acme") is None


def test_a_deleted_customer_is_no_match(store, mary):
    store.delete_customer(mary)
    assert match(store, email="mary.cooper@acme.example") is None
    assert match(store, phone="13800138000") is None
    assert match(store, name="Mary Cooper", company="Acme") is None


def test_the_customer_being_edited_is_not_its_own_match(store, mary):
    assert match(store, email="mary.cooper@acme.example", exclude=mary) is None


def test_email_is_found_first_then_phone_then_name(store, mary):
    by_phone = store.add_customer("Other", phone="13900139000", owner="lin")
    found = match(store, name="Mary Cooper", company="Acme", phone="13900139000")
    assert (found.customer_id, found.how) == (by_phone, "phone")


def test_last_contact_is_the_owners_latest_interaction(store, clock, mary):
    assert match(store, email="mary.cooper@acme.example").last_contact is None
    clock.now = START - timedelta(days=30)
    store.log_interaction(mary, "call", "Someone else called")  # by ann, not the owner
    assert match(store, email="mary.cooper@acme.example").last_contact == TODAY - timedelta(days=30)
    owner = type(store)(store.db, "张丽", clock)
    clock.now = START - timedelta(days=20)
    owner.log_interaction(mary, "visit", "Went to see her")
    clock.now = START - timedelta(days=12)
    owner.log_interaction(mary, "note", "Wrote down her budget")  # a note is not contact
    clock.now = START - timedelta(days=5)
    store.log_interaction(mary, "call", "Ann called again")
    clock.now = START
    found = match(store, email="mary.cooper@acme.example")
    assert found.last_contact == TODAY - timedelta(days=20)
    assert owned_said(found, TODAY) == "Mary Cooper (Acme) is 张丽's customer, last contacted 20 days ago"


def test_contacted_in_words():
    assert contacted(None, TODAY) == "never"
    assert contacted(TODAY, TODAY) == "today"
    assert contacted(TODAY - timedelta(days=1), TODAY) == "yesterday"
    assert contacted(TODAY - timedelta(days=12), TODAY) == "12 days ago"


def test_asking_is_a_follow_up_of_the_owners_due_today(store, mary):
    before = store.db.execute("SELECT count(*) FROM changes").fetchone()[0]
    followup_id, written = ask_owner(store, mary, "张丽", TODAY)
    assert written
    asked = store.followup(followup_id)
    assert (asked.customer_id, asked.owner, asked.due_date, asked.title) == (
        mary,
        "张丽",
        TODAY.isoformat(),
        "ann asks for this customer",
    )
    assert asked.updated_by == "ann"
    # Nothing else changes: one record written, the customer still the owner's.
    assert store.db.execute("SELECT count(*) FROM changes").fetchone()[0] == before + 1
    assert store.customer(mary).owner == "张丽"
    # It is on the owner's Today, not the asker's.
    theirs = AgendaQueries(store.db).followups(TODAY, "张丽")
    assert [fact.title for fact in theirs] == ["ann asks for this customer"]
    assert AgendaQueries(store.db).followups(TODAY, "ann") == []


def test_asking_again_while_the_ask_is_open_writes_nothing(store, mary):
    first, _written = ask_owner(store, mary, "张丽", TODAY)
    again, written = ask_owner(store, mary, "张丽", TODAY)
    assert (again, written) == (first, False)
    store.complete_followup(first, TODAY)
    _third, written = ask_owner(store, mary, "张丽", TODAY)
    assert written
