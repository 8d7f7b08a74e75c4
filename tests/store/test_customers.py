"""Customers: validation of what is typed, and tags."""

import pytest

from salesdesk.core.errors import InvalidValue


def count(store, table, where="1"):
    return store.db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def test_add_customer_stores_the_fields(store):
    customer_id = store.add_customer("Ada Lovelace", company="Analytical", email="ada@example.com")
    customer = store.customer(customer_id)
    assert (customer.name, customer.company, customer.email) == (
        "Ada Lovelace",
        "Analytical",
        "ada@example.com",
    )
    assert customer.owner == "ann"


@pytest.mark.parametrize("name", ["", "   "])
def test_name_is_required(store, name):
    with pytest.raises(InvalidValue) as caught:
        store.add_customer(name)
    assert caught.value.field == "name"
    assert count(store, "customers") == 0


def test_name_cannot_be_blanked_by_an_update(store):
    customer_id = store.add_customer("Ada")
    with pytest.raises(InvalidValue):
        store.update_customer(customer_id, {"name": " "})
    assert store.customer(customer_id).name == "Ada"


@pytest.mark.parametrize("email", ["ada", "ada@", "ada@example", "a b@example.com"])
def test_bad_email_is_refused_naming_the_field(store, email):
    with pytest.raises(InvalidValue) as caught:
        store.add_customer("Ada", email=email)
    assert caught.value.field == "email"
    assert "name@example.com" in str(caught.value)
    assert count(store, "customers") == 0


def test_email_is_trimmed(store):
    customer_id = store.add_customer("Ada", email="  ada@example.com ")
    assert store.customer(customer_id).email == "ada@example.com"


def test_birthday_is_an_iso_date(store):
    customer_id = store.add_customer("Ada", birthday="1980-3-4")
    assert store.customer(customer_id).birthday == "1980-03-04"


@pytest.mark.parametrize("birthday", ["04/03/1980", "tomorrow", "1980-02-30"])
def test_birthday_accepts_iso_only(store, birthday):
    with pytest.raises(InvalidValue) as caught:
        store.add_customer("Ada", birthday=birthday)
    assert caught.value.field == "birthday"
    assert "YYYY-MM-DD" in str(caught.value)
    assert count(store, "customers") == 0


def test_unknown_field_is_refused(store):
    with pytest.raises(InvalidValue) as caught:
        store.add_customer("Ada", shoe_size="42")
    assert caught.value.field == "shoe_size"


def test_phone_key_keeps_digits(store):
    customer_id = store.add_customer("Li", phone="+86 138-0013-8000")
    assert store.customer(customer_id).phone == "+86 138-0013-8000"
    assert store.customer(customer_id).phone_key == "13800138000"


def test_phone_key_follows_a_phone_update(store):
    customer_id = store.add_customer("Li", phone="555 0100")
    store.update_customer(customer_id, {"phone": "(555) 0199"})
    assert store.customer(customer_id).phone_key == "5550199"


def test_phone_with_and_without_country_code_share_a_key(store):
    local = store.add_customer("Li", phone="138 0013 8000")
    international = store.add_customer("Li 2", phone="+86 13800138000")
    assert store.customer(local).phone_key == store.customer(international).phone_key


# -- tags ---------------------------------------------------------------------


def test_add_tag(store):
    customer_id = store.add_customer("Ada")
    store.add_tag(customer_id, "VIP")
    assert store.tags_of(customer_id) == ["VIP"]


def test_tag_is_reused_whatever_the_case(store):
    ada = store.add_customer("Ada")
    bea = store.add_customer("Bea")
    store.add_tag(ada, "VIP")
    store.add_tag(bea, "vip")
    assert count(store, "tags") == 1
    assert store.tags_of(bea) == ["VIP"]


def test_adding_a_tag_twice_is_one_link(store):
    customer_id = store.add_customer("Ada")
    store.add_tag(customer_id, "VIP")
    store.add_tag(customer_id, "vip")
    assert count(store, "customer_tags") == 1
    assert store.tags_of(customer_id) == ["VIP"]


def test_remove_tag_is_a_tombstone(store):
    customer_id = store.add_customer("Ada")
    store.add_tag(customer_id, "VIP")
    assert store.remove_tag(customer_id, "vip") is True
    assert store.tags_of(customer_id) == []
    assert count(store, "customer_tags") == 1
    assert count(store, "customer_tags", "deleted_at IS NOT NULL") == 1


def test_removing_an_absent_tag_says_so(store):
    customer_id = store.add_customer("Ada")
    assert store.remove_tag(customer_id, "VIP") is False


def test_re_adding_a_removed_tag_revives_the_link(store):
    customer_id = store.add_customer("Ada")
    store.add_tag(customer_id, "VIP")
    store.remove_tag(customer_id, "VIP")
    store.add_tag(customer_id, "VIP")
    assert store.tags_of(customer_id) == ["VIP"]
    links = store.db.execute("SELECT deleted_at, version FROM customer_tags").fetchall()
    assert links == [(None, 3)]


def test_blank_tag_is_refused(store):
    customer_id = store.add_customer("Ada")
    with pytest.raises(InvalidValue) as caught:
        store.add_tag(customer_id, "  ")
    assert caught.value.field == "tag"


def test_tags_are_listed_alphabetically(store):
    customer_id = store.add_customer("Ada")
    for name in ("renewal", "Beta", "alpha"):
        store.add_tag(customer_id, name)
    assert store.tags_of(customer_id) == ["alpha", "Beta", "renewal"]
