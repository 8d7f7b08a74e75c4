"""Searches of one or two characters on the customer list: the same customers, in the same
order, on every page, whatever the plan; and a page in name order read from the index
kept in that order (`customers_contact_by_name`), without a sort of the matches."""

import random

import pytest

from salesdesk.store import connection
from salesdesk.store.connection import open_database, schema_version
from salesdesk.store.customers import CustomerFilter, CustomerQueries
from salesdesk.store.schema import MIGRATIONS, SCHEMA_VERSION
from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock

SETTINGS = ("dormant_days", "tier_thresholds")
LATIN = ["Amelia", "Oliver", "Liam", "Sophia", "Wang", "Xavier", "Quinn", "Zoe", "amelia", "OLIVER"]
SURNAMES = ["Adams", "Li", "Miller", "Zhang", "Quigley", "Baker"]
CHINESE = ["王伟", "李娜", "张敏", "刘洋", "陈静", "王丽"]
COMPANIES = ["华信科技", "鼎盛贸易", "Northwind", "Baker & Sons", "Pearl River", ""]
EMAIL_PARTS = ["xu", "qian", "zhang", "li", "wang", "amy", "ops"]


def queries(store):
    return CustomerQueries(store.db, {key: store.setting(key) for key in SETTINGS})


def ascii_lower(text):
    """SQLite's lower() and NOCASE fold ASCII letters only."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    """Customers whose matches bunch at the end of the name order (Chinese names sort after
    Latin ones), with names equal but for case, owners, tags and a few deleted."""
    store = Store.open(tmp_path_factory.mktemp("crowd") / "crowd.db", "ann", FakeClock())
    rng = random.Random(15)
    for n in range(240):
        if n % 3 == 0:
            name = rng.choice(CHINESE)
        else:
            name = f"{rng.choice(LATIN)} {rng.choice(SURNAMES)}" if n % 7 else rng.choice(LATIN)
        customer = store.add_customer(
            name,
            company=rng.choice(COMPANIES),
            email=f"{rng.choice(EMAIL_PARTS)}{n}@example.cn" if n % 4 else "",
            phone=f"+86 138 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}" if n % 5 else "",
            owner=rng.choice(["ann", "bob"]),
        )
        if n % 6 == 0:
            store.add_tag(customer, "vip")
        if n % 17 == 0:
            store.delete_customer(customer)
    yield store
    store.close()


def expected(store, customer_filter):
    """The list by the rules, in Python: any part of name, company, email or phone."""
    rows = store.db.execute(
        "SELECT c.id, c.rid, c.name, c.company, c.email, c.phone, c.owner, c.last_contact_at, "
        "EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id "
        "        WHERE ct.customer_id = c.id AND ct.deleted_at IS NULL AND t.name = 'vip') "
        "FROM customers c WHERE c.deleted_at IS NULL"
    ).fetchall()
    term = ascii_lower(customer_filter.search)
    found = [
        row
        for row in rows
        if term in ascii_lower(" ".join(row[2:6]))
        and (not customer_filter.owner or row[6] == customer_filter.owner)
        and (not customer_filter.tag or row[8])
    ]
    if customer_filter.sort == "last contact":
        found.sort(key=lambda row: (row[7] or "", row[1]), reverse=True)
    else:
        found.sort(key=lambda row: (ascii_lower(row[2]).encode(), row[1]))
    return [row[0] for row in found]


SEARCHES = ["li", "王", "华信", "x", "q", "zh", "wa", "a", "Li", "OL", "13", "zz"]
FILTERS = [
    *(CustomerFilter(search=text) for text in SEARCHES),
    *(CustomerFilter(search=text, sort="last contact") for text in ("li", "王", "x")),
    *(CustomerFilter(search=text, owner="bob") for text in ("li", "王")),
    *(CustomerFilter(search=text, tag="vip") for text in ("li", "x")),
]


@pytest.mark.parametrize("customer_filter", FILTERS, ids=repr)
def test_every_page_of_a_short_search_lists_what_the_rules_find(crowd, customer_filter):
    want = expected(crowd, customer_filter)
    listing = queries(crowd)
    assert listing.count(customer_filter, TODAY) == len(want)
    got = []
    for offset in range(0, len(want) + 7, 7):
        got += [row.id for row in listing.page(customer_filter, TODAY, offset, 7)]
    assert got == want
    for place in (0, len(want) // 2, len(want) - 1):
        if want:
            assert listing.position(want[place], customer_filter, TODAY) == place


def plan(store, sql, params):
    return " | ".join(str(row[3]) for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.mark.parametrize("text", ["li", "王", "华信", "x"])
def test_a_page_in_name_order_walks_the_index_of_that_order_without_sorting(crowd, text):
    listing = queries(crowd)
    customer_filter = CustomerFilter(search=text)
    where, params = listing._where(customer_filter, by_name=True)
    page = plan(
        crowd,
        f"SELECT c.id FROM customers c WHERE {where} ORDER BY c.name COLLATE NOCASE, c.rid LIMIT 35",
        params,
    )
    assert page == "SCAN c USING INDEX customers_contact_by_name"  # no temp b-tree, no other list
    count = plan(crowd, f"SELECT count(*) FROM customers c WHERE {where}", params)
    assert count == "SCAN c USING INDEX customers_contact_by_name"


def test_the_index_holds_the_contact_text_in_name_order(store):
    columns = [row[2] for row in store.db.execute("PRAGMA index_xinfo(customers_contact_by_name)")]
    assert columns[:2] == ["name", "rid"] and columns[2] is None  # None: the expression
    names = {row[1] for row in store.db.execute("PRAGMA index_list(customers)")}
    assert "customers_contact" not in names  # replaced


def test_a_database_of_schema_9_gets_the_index_in_name_order(tmp_path, clock, monkeypatch):
    path = tmp_path / "nine.db"
    with monkeypatch.context() as older:  # a salesdesk of schema 9 makes it
        older.setattr(connection, "MIGRATIONS", MIGRATIONS[:9])
        older.setattr(connection, "SCHEMA_VERSION", 9)
        nine = Store.open(path, "ann", clock)
        nine.add_customer("王伟", company="华信科技")
        nine.add_customer("Liam Baker", email="liam@example.cn")
        assert schema_version(nine.db) == 9
        nine.close()
    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION == 10
        names = {row[1] for row in db.execute("PRAGMA index_list(customers)")}
        assert "customers_contact_by_name" in names and "customers_contact" not in names
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        listing = queries(Store(db, "ann", clock))
        for text, found in (("华信", ["王伟"]), ("li", ["Liam Baker"]), ("王", ["王伟"])):
            assert [row.name for row in listing.page(CustomerFilter(search=text), TODAY, 0, 5)] == found
    finally:
        db.close()
