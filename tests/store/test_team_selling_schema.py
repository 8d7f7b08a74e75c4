"""Migration 19: targets as synced records, and when a customer's owner took it."""

import json

import pytest

from salesdesk.core.errors import InvalidValue
from salesdesk.core.pool import PoolRules, parse_tier_idle_days, pool_rules
from salesdesk.core.targets import parse_measure, parse_month, target_id
from salesdesk.store.schema import APPLICATION_ID, SCHEMA_VERSION, SYNCED_TABLES


def owned_since(store, customer_id):
    return store.db.execute("SELECT owned_since FROM customers WHERE id = ?", [customer_id]).fetchone()[0]


def test_a_change_of_owner_stamps_when_the_new_owner_took_the_customer(store, clock):
    customer = store.add_customer("Wang Wei", owner="ann")
    assert owned_since(store, customer) is None  # since it was created
    clock.advance(days=3)
    store.update_customer(customer, {"phone": "+86 138 0000 0000"})
    assert owned_since(store, customer) is None  # not a change of owner
    store.assign("customers", customer, "bob")
    assert owned_since(store, customer) == "2026-11-30T09:00:00.000Z"
    logged = store.db.execute(
        "SELECT data FROM changes WHERE tbl = 'customers' AND row_id = ? ORDER BY seq DESC LIMIT 1",
        [customer],
    ).fetchone()[0]
    assert json.loads(logged)["owned_since"] == "2026-11-30T09:00:00.000Z"  # it syncs like any field
    clock.advance(days=1)
    store.assign("customers", customer, "bob")  # the same owner again: nothing moves
    assert owned_since(store, customer) == "2026-11-30T09:00:00.000Z"


def test_targets_are_synced_and_one_target_has_one_id_whoever_sets_it():
    assert "targets" in SYNCED_TABLES
    assert target_id("Ann Lee", "2027-01", "won", "CNY") == target_id(" ann lee", "2027-01", "won", "CNY")
    assert target_id("Ann Lee", "2027-01", "won", "CNY") != target_id("Ann Lee", "2027-01", "won", "USD")
    assert target_id("", "2027-01", "won", "CNY") != target_id("Ann Lee", "2027-01", "collected", "CNY")


def test_a_database_of_schema_18_gains_targets_and_keeps_its_customers(tmp_path, clock):
    from salesdesk.store.connection import connect, write
    from salesdesk.store.schema import MIGRATIONS, _v19_team_selling
    from salesdesk.store.store import Store

    before = MIGRATIONS.index(_v19_team_selling)
    path = tmp_path / "old.db"
    db = connect(path)
    for number, migration in enumerate(MIGRATIONS[:before], start=1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA user_version={number}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    stamp = "2026-11-20T09:00:00.000Z"
    with write(db):
        db.execute(
            "INSERT INTO customers (id, name, owner, created_at, updated_at, updated_by) "
            "VALUES ('c1', 'Wang Wei', 'ann', ?, ?, 'ann')",
            [stamp, stamp],
        )
    db.close()
    store = Store.open(path, "ann", clock)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute("SELECT name, owner, owned_since FROM customers").fetchall() == [
            ("Wang Wei", "ann", None)
        ]
        assert store.db.execute("SELECT count(*) FROM targets").fetchone()[0] == 0
    finally:
        store.close()


def test_months_and_measures_as_typed():
    assert parse_month("2027-1") == parse_month("2027/01") == "2027-01"
    assert parse_measure("Won") == parse_measure("赢单") == "won"
    assert parse_measure("回款") == "collected"
    with pytest.raises(InvalidValue, match="not a month; write the year and the month"):
        parse_month("2027-13")
    with pytest.raises(InvalidValue, match="use won"):
        parse_measure("revenue")


def test_pool_rules_from_settings_keep_the_default_for_a_value_that_is_not_valid():
    stored = {
        "pool_idle_days": 20,
        "pool_warn_days": "3",
        "pool_tier_idle_days": {"A": 90},
        "pool_claim_limit": 0,
    }
    rules = pool_rules(stored.get)
    assert rules == PoolRules(idle_days=20, tier_idle_days={"A": 90}, claim_limit=0)
    assert (rules.idle_days_of("A"), rules.idle_days_of("B"), rules.idle_days_of("C")) == (90, 20, 20)
    assert pool_rules({"pool_tier_idle_days": {"D": 5}}.get).tier_idle_days == {"A": 60, "B": 45}
    assert parse_tier_idle_days("a 60，B 45") == {"A": 60, "B": 45}
    with pytest.raises(InvalidValue, match="such as 'A 60, B 45'"):
        parse_tier_idle_days("A sixty")
