"""The agenda from a real database: every kind of item, dismissals, snoozing, and its cost."""

import json
import sqlite3
import threading
from datetime import date, timedelta

import pytest
from lunardate import LunarDate

from salesdesk.core.agenda import (
    BIRTHDAY,
    CHECKIN,
    DISMISSED,
    DONE,
    DORMANT,
    FOLLOWUP,
    HOLIDAY,
    LUNAR_BIRTHDAY,
    NEW_LEAD,
    NEXT,
    OVERDUE,
    RENEWAL,
    REPEAT,
    ROTTING,
    TODAY,
)
from salesdesk.core.errors import InvalidValue
from salesdesk.store.agenda import AgendaQueries, AgendaStore
from salesdesk.store.connection import connect, write
from salesdesk.store.contracts import ContractStore
from salesdesk.store.pool import Pool
from salesdesk.store.schema import APPLICATION_ID, DEFAULT_SETTINGS, MIGRATIONS, SEED_CLOCK
from salesdesk.store.store import Store
from tests.conftest import START
from tests.conftest import TODAY as DAY


def at(clock, days_ago, hours=0):
    clock.now = START - timedelta(days=days_ago, hours=hours)
    return clock.now


def added(store, clock, name, days_ago=400, **values):
    at(clock, days_ago)
    customer_id = store.add_customer(name, **values)
    if values.get("contract_end"):
        # Renewals come from contracts: a customer's contract end is its contract
        # `contract-end-<id>` (kept in step by the store; again here, which changes nothing).
        ContractStore(store).set_customer_end(customer_id, values["contract_end"])
    clock.now = START
    return customer_id


def contacted(store, clock, customer_id, days_ago):
    store.log_interaction(customer_id, "call", "Spoke", at=at(clock, days_ago))
    clock.now = START


def won(store, clock, customer_id, days_ago, amount=1_000_00, stage="stage-signed", currency=None):
    at(clock, days_ago)
    deal_id = store.add_deal(customer_id, f"Order {days_ago}", amount, currency, stage_id=stage)
    clock.now = START
    return deal_id


def kinds(agenda):
    return {
        title: sorted((i.kind, i.customer) for i in agenda.section(title).items)
        for title in (OVERDUE, TODAY, NEXT)
    }


@pytest.fixture
def agendas(store):
    return AgendaStore(store)


@pytest.fixture
def world(store, clock):
    """One customer for each kind of item, all owned by ann, and one of bob's."""
    ids = {}
    ids["birthday"] = added(store, clock, "Birthday Bea", birthday="1980-11-30")
    ids["lunar"] = added(store, clock, "Lunar Li", lunar_birthday="10-22")  # 30 Nov 2026
    ids["renewal"] = added(store, clock, "Renewal Rob", contract_end=(DAY + timedelta(days=33)).isoformat())
    ids["dormant"] = added(store, clock, "Dormant Dan")
    won(store, clock, ids["dormant"], 300)
    contacted(store, clock, ids["dormant"], 92)
    ids["repeat"] = added(store, clock, "Repeat Ray")
    won(store, clock, ids["repeat"], 212)
    won(store, clock, ids["repeat"], 107)
    contacted(store, clock, ids["repeat"], 3)
    ids["paid"] = added(store, clock, "Paid Pam")
    contacted(store, clock, ids["paid"], 3)
    deal = won(store, clock, ids["paid"], 40)
    at(clock, 28)
    store.move_deal(deal, "stage-paid")
    clock.now = START
    ids["lead"] = added(store, clock, "New Nick", days_ago=1)
    ids["rotting"] = added(store, clock, "Rotting Rita")
    contacted(store, clock, ids["rotting"], 2)
    at(clock, 17)
    ids["rotting-deal"] = store.add_deal(ids["rotting"], "Stalled laptops", 5_000_00)
    clock.now = START
    ids["followup"] = added(store, clock, "Follow Fay")
    contacted(store, clock, ids["followup"], 1)
    ids["late"] = store.add_followup(ids["followup"], DAY - timedelta(days=3), "Call back")
    ids["today"] = store.add_followup(ids["followup"], DAY, "Send the quote", due_time="10:00")
    ids["soon"] = store.add_followup(ids["followup"], DAY + timedelta(days=4), "Demo", kind="meeting")
    ids["later"] = store.add_followup(ids["followup"], DAY + timedelta(days=20), "Quarterly review")
    ids["bobs"] = store.add_followup(ids["followup"], DAY, "Bob's call", owner="bob")
    return ids


def test_every_kind_lands_in_its_section(agendas, world):
    agenda = agendas.load(DAY)
    assert kinds(agenda) == {
        OVERDUE: sorted(
            [
                (FOLLOWUP, "Follow Fay"),
                (DORMANT, "Dormant Dan"),
                (REPEAT, "Repeat Ray"),
                (ROTTING, "Rotting Rita"),
            ]
        ),
        TODAY: sorted([(FOLLOWUP, "Follow Fay"), (NEW_LEAD, "New Nick")]),
        NEXT: sorted(
            [
                (FOLLOWUP, "Follow Fay"),
                (BIRTHDAY, "Birthday Bea"),
                (RENEWAL, "Renewal Rob"),
                (LUNAR_BIRTHDAY, "Lunar Li"),
                (CHECKIN, "Paid Pam"),
            ]
        ),
    }
    rotting = next(i for i in agenda.items if i.kind == ROTTING)
    assert (rotting.deal, rotting.stage) == ("Stalled laptops", "Lead")
    lunar = next(i for i in agenda.items if i.kind == LUNAR_BIRTHDAY)
    assert lunar.due == LunarDate(2026, 10, 22).to_solar_date() == date(2026, 11, 30)


def test_follow_ups_are_mine_unless_everyone_is_asked_for(agendas, world):
    mine = [i.what for i in agendas.load(DAY).items if i.is_followup]
    everyone = [i.what for i in agendas.load(DAY, everyone=True).items if i.is_followup]
    assert "Bob's call" not in mine and "Bob's call" in everyone
    assert "Quarterly review" not in everyone  # beyond the next 7 days


def test_an_agenda_started_early_is_the_one_loaded_later(store, clock, agendas, world):
    early = AgendaStore.load_soon(agendas.path, store.user, clock, DAY)
    assert early.result(timeout=30) == agendas.load(DAY)


def test_an_early_agenda_that_fails_hands_the_error_to_whoever_waits(tmp_path, clock):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all, not even close" * 200)
    with pytest.raises(sqlite3.DatabaseError):
        AgendaStore.load_soon(broken, "ann", clock, DAY).result(timeout=30)


def test_each_kind_costs_the_same_queries_however_many_customers(store, clock, agendas, world):
    def statements():
        Pool(store).refresh(DAY)  # the lead pool's bookkeeping, brought up to date first
        seen = []
        store.db.conn.set_trace_callback(seen.append)
        try:
            agendas.load(DAY, everyone=True)
        finally:
            store.db.conn.set_trace_callback(None)
        return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]

    before = statements()
    for n in range(40):
        customer = added(
            store,
            clock,
            f"Extra {n}",
            birthday="1970-11-29",
            contract_end=(DAY + timedelta(days=20)).isoformat(),
        )
        won(store, clock, customer, 100)
        store.add_followup(customer, DAY, f"Call extra {n}")
    after = statements()
    assert len(after) == len(before) < 20
    assert len(agendas.load(DAY, everyone=True).items) > 120


def test_a_done_follow_up_is_gone_and_a_recurring_one_comes_back(store, agendas, world):
    item = next(i for i in agendas.load(DAY).items if i.what == "Call back")
    assert agendas.done(item, DAY) is None
    assert store.followup(world["late"]).done_at is not None
    assert "Call back" not in [i.what for i in agendas.load(DAY).items]
    weekly = store.add_followup(world["followup"], DAY, "Weekly call", rrule="weekly")
    item = next(i for i in agendas.load(DAY).items if i.followup_id == weekly)
    following = agendas.done(item, DAY)
    assert store.followup(following).due_date == (DAY + timedelta(days=7)).isoformat()
    assert any(i.followup_id == following for i in agendas.load(DAY).section(NEXT).items)


def test_a_snoozed_follow_up_moves_to_its_new_day(store, agendas, world):
    item = next(i for i in agendas.load(DAY).section(OVERDUE).items if i.is_followup)
    agendas.snooze(item, DAY + timedelta(days=1))
    agenda = agendas.load(DAY)
    assert item.key not in [i.key for i in agenda.section(OVERDUE).items]
    moved = next(i for i in agenda.section(NEXT).items if i.key == item.key)
    assert moved.due == DAY + timedelta(days=1)
    assert store.followup(item.followup_id).due_date == "2026-11-28"


def test_a_snoozed_care_reminder_becomes_a_follow_up(store, agendas, world):
    item = next(i for i in agendas.load(DAY).items if i.kind == DORMANT)
    followup_id = agendas.snooze(item, DAY + timedelta(days=7), kind="call")
    assert store.followup(followup_id).title == "Get back in touch"
    agenda = agendas.load(DAY)
    assert not [i for i in agenda.items if i.kind == DORMANT]
    assert any(i.followup_id == followup_id for i in agenda.section(NEXT).items)


def test_a_holiday_cannot_be_snoozed(store, agendas):
    store.set_setting("holiday_days_ahead", 40)  # New Year's Day 2027 comes into view
    (item,) = [i for i in agendas.load(DAY).items if i.kind == HOLIDAY]
    with pytest.raises(InvalidValue):
        agendas.snooze(item, DAY + timedelta(days=1))


def test_a_dismissed_birthday_returns_next_year(store, clock, agendas, world):
    item = next(i for i in agendas.load(DAY).items if i.kind == BIRTHDAY)
    agendas.dismiss(item)
    assert BIRTHDAY not in [i.kind for i in agendas.load(DAY).items]
    next_year = DAY.replace(year=2027)
    again = next(i for i in agendas.load(next_year).items if i.kind == BIRTHDAY)
    assert again.due == date(2027, 11, 30) and again.key != item.key


def test_dismissals_go_through_the_write_path_and_the_change_log(store, agendas, world):
    item = next(i for i in agendas.load(DAY).items if i.kind == RENEWAL)
    agendas.dismiss(item)
    row = store.records.require("reminder_dismissals", item.key)
    assert item.key == f"renewal:{world['renewal']}:{(DAY + timedelta(days=33)).isoformat()}"
    assert (row["kind"], row["customer_id"], row["outcome"], row["updated_by"]) == (
        RENEWAL,
        world["renewal"],
        DISMISSED,
        "ann",
    )
    logged = [
        json.loads(data)
        for (data,) in store.db.execute(
            "SELECT data FROM changes WHERE tbl = 'reminder_dismissals' AND row_id = ?", [item.key]
        )
    ]
    assert logged[0]["outcome"] == DISMISSED
    # Done later (two devices, or a change of mind): the same record, a newer version.
    agendas.resolve(item, DONE)
    assert store.records.require("reminder_dismissals", item.key)["outcome"] == DONE
    with pytest.raises(InvalidValue):
        agendas.resolve(next(i for i in agendas.load(DAY).items if i.is_followup), DONE)


def test_a_new_lead_leaves_the_agenda_once_contacted(store, clock, agendas, world):
    assert NEW_LEAD in [i.kind for i in agendas.load(DAY).items]
    contacted(store, clock, world["lead"], 0)
    assert NEW_LEAD not in [i.kind for i in agendas.load(DAY).items]


def test_a_rotting_deal_leaves_the_agenda_once_a_next_step_is_booked(store, agendas, world):
    store.add_followup(world["rotting"], DAY + timedelta(days=2), "Call", deal_id=world["rotting-deal"])
    assert ROTTING not in [i.kind for i in agendas.load(DAY).items]


def test_holiday_greetings_list_the_chosen_tiers(store, clock, agendas):
    store.set_setting("holiday_days_ahead", 40)
    big = added(store, clock, "Big Buyer")
    won(store, clock, big, 30, amount=60_000_00)  # tier A
    middle = added(store, clock, "Middle Buyer")
    won(store, clock, middle, 30, amount=20_000_00)  # tier B
    small = added(store, clock, "Small Buyer")
    won(store, clock, small, 30, amount=500_00)  # tier C
    (item,) = [i for i in agendas.load(DAY).items if i.kind == HOLIDAY]
    assert (item.what, item.occurrence, item.due) == (
        "New Year's Day greetings",
        "2027-01-01",
        date(2026, 11, 22),
    )
    assert item.greet == ("Big Buyer", "Middle Buyer") and item.greet_count == 2
    store.set_setting("holiday_tiers", ["C"])
    (item,) = [i for i in agendas.load(DAY).items if i.kind == HOLIDAY]
    assert item.greet == ("Small Buyer",)
    agendas.done(item, DAY)
    assert HOLIDAY not in [i.kind for i in agendas.load(DAY).items]


def test_holiday_greetings_count_every_currency_against_its_own_thresholds(store, clock, agendas):
    store.set_setting("holiday_days_ahead", 40)
    yuan = added(store, clock, "朱艳")
    won(store, clock, yuan, 30, amount=141_000_00, currency="CNY")  # B in yuan, C if read as dollars
    dollars = added(store, clock, "Lucas Schmidt")
    won(store, clock, dollars, 30, amount=12_600_00)  # B
    pounds = added(store, clock, "Oliver Collins")
    won(store, clock, pounds, 30, amount=900_000_00, currency="GBP")  # no thresholds: C
    (item,) = [i for i in agendas.load(DAY).items if i.kind == HOLIDAY]
    assert set(item.greet) == {"朱艳", "Lucas Schmidt"}
    store.set_setting("tier_thresholds", {"USD": [5_000_000, 1_000_000], "GBP": [5_000_000, 1_000_000]})
    (item,) = [i for i in agendas.load(DAY).items if i.kind == HOLIDAY]
    assert item.greet == ("Oliver Collins", "Lucas Schmidt")  # A first


def test_settings_are_saved_only_when_changed(store, agendas):
    before = store.db.execute("SELECT count(*) FROM changes").fetchone()[0]
    agendas.save_settings({"dormant_days": 90, "holiday_tiers": ["A", "B"]})
    assert store.db.execute("SELECT count(*) FROM changes").fetchone()[0] == before
    agendas.save_settings({"dormant_days": 60, "holiday_country": "US"})
    assert (agendas.settings().dormant_days, agendas.settings().holiday_country) == (60, "US")
    with pytest.raises(InvalidValue):
        agendas.save_settings({"colour": "red"})
    agendas.save_settings({"currency": "EUR", "tier_thresholds": {"EUR": (100, 50)}})
    assert (store.setting("currency"), store.tier_thresholds()) == ("EUR", {"EUR": (100, 50)})


def test_load_from_reads_on_a_connection_of_its_own(store, agendas, world):
    agenda = AgendaStore.load_from(agendas.path, "ann", store.clock, DAY)
    assert [i.key for i in agenda.items] == [i.key for i in agendas.load(DAY).items]


def test_follow_ups_read_beside_the_rest_on_a_connection_of_their_own(store, agendas, world, monkeypatch):
    threads = []
    followups = AgendaQueries.followups

    def traced(queries, until, owner):
        threads.append((threading.current_thread().name, queries.db is store.db))
        return followups(queries, until, owner)

    monkeypatch.setattr(AgendaQueries, "followups", traced)
    agenda = agendas.load(DAY)
    assert threads == [("agenda beside", False)]
    assert "Send the quote" in [i.what for i in agenda.items]


def test_inside_a_transaction_follow_ups_are_read_where_its_changes_are_seen(store, agendas, world):
    with store.records.transaction():
        store.add_followup(world["followup"], DAY, "Not committed yet")
        assert "Not committed yet" in [i.what for i in agendas.load(DAY).items]


def test_a_failure_beside_is_raised_by_the_load(agendas, world, monkeypatch):
    def broken(queries, until, owner):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(AgendaQueries, "followups", broken)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        agendas.load(DAY)


def test_an_older_database_gets_the_new_settings_and_indexes(tmp_path, clock):
    path = tmp_path / "old.db"
    db = connect(path)
    for number, migration in enumerate(MIGRATIONS[:4], start=1):
        with write(db):
            migration(db)
            db.execute(f"PRAGMA user_version={number}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    with write(db):  # as a database made before this release: without the new settings
        for table, column in (("settings", "id"), ("changes", "row_id")):
            db.execute(f"DELETE FROM {table} WHERE {column} IN ('holiday_country', 'checkin_days')")
    db.close()
    store = Store.open(path, "ann", clock)
    try:
        assert store.setting("holiday_country") == DEFAULT_SETTINGS["holiday_country"]
        rows = dict(store.db.execute("SELECT id, value FROM settings").fetchall())
        assert set(rows) == set(DEFAULT_SETTINGS)
        seeded = store.db.execute(
            "SELECT clock FROM changes WHERE tbl = 'settings' AND row_id = 'checkin_days'"
        ).fetchall()
        assert seeded == [(SEED_CLOCK,)]
        indexes = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {
            "customers_birthday_day",
            "customers_lunar_birthday",
            "customers_contract_end",
            "customers_uncontacted",
            "deals_won",
        } <= indexes
    finally:
        store.close()
