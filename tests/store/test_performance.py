"""Team performance read from a seeded database: each measure counted at the period's
edges (its first and last day in, the day before and the day after out)."""

from dataclasses import astuple
from datetime import UTC, date, datetime

import pytest

from salesdesk.core import pipeline
from salesdesk.core.periods import IsoWeek, Period
from salesdesk.core.targets import target_id
from salesdesk.store.performance import PerformanceQueries, team_performance
from salesdesk.store.store import Store
from tests.collections_seed import contract, receipt
from tests.conftest import FakeClock

WEEK = IsoWeek(2026, 48).period  # Monday 23 to Sunday 29 November 2026
# The last moment before the week, its first, its last, and the first after it.
BEFORE = datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC)
FIRST = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
LAST = datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC)
AFTER = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
EDGES = (BEFORE, FIRST, LAST, AFTER)


def target(store: Store, person: str, month: str, amount: int, currency: str = "USD", measure: str = "won"):
    store.records.insert(
        "targets",
        {"person": person, "month": month, "measure": measure, "amount": amount, "currency": currency},
        target_id(person, month, measure, currency),
    )


@pytest.fixture
def team(tmp_path):
    """ann and bob's work around week 48, one of each at each edge."""
    clock = FakeClock(datetime(2026, 11, 1, 9, tzinfo=UTC))
    store = Store.open(tmp_path / "team.db", "ann", clock)
    bob = Store(store.db, "bob", clock)
    won = pipeline.first_stage(store.stages(), pipeline.WON).id
    lost = pipeline.first_stage(store.stages(), pipeline.LOST).id
    acme = store.add_customer("Acme", owner="ann")
    store.add_customer("Old lead", owner="bob")  # made 1 November: not new in the week
    for moment in EDGES:
        clock.now = moment
        store.add_customer(f"Lead {moment:%d %H}", owner="bob")
        store.log_interaction(acme, "call", "call", at=moment)
        bob.log_interaction(acme, "visit", "visit", at=moment)
    # Deals made on 13 November (ten days before the week), each closed at one edge.
    for index, moment in enumerate(EDGES):
        clock.now = datetime(2026, 11, 13, 9, tzinfo=UTC)
        winner = store.add_deal(acme, f"won {index}", 100_00 * (index + 1), "USD")
        loser = store.add_deal(acme, f"lost {index}", 5_00, "CNY", owner="bob")
        mover = store.add_deal(acme, f"moved {index}", 1_00, "USD")
        clock.now = moment
        store.move_deal(winner, won)
        store.move_deal(loser, lost, lost_reason="price")
        bob.step_deal(mover, 1)
    # A move undone is not counted, nor a deleted deal's.
    clock.now = datetime(2026, 11, 13, 9, tzinfo=UTC)
    undoing = store.add_deal(acme, "undone", 1_00, "USD")
    clock.now = FIRST
    undone = bob.step_deal(undoing, 1)
    assert undone is not None
    bob.undo_stage_change(undone.id)
    gone = store.add_deal(acme, "gone", 1_00, "USD")
    store.move_deal(gone, won)
    store.delete_deal(gone)

    deal = store.add_deal(acme, "contract deal", 0, "USD", won, owner="bob")
    signed = contract(store, acme, "C-1", 1_000_00, "USD", "2026-11-01", deal)
    unsigned = contract(store, acme, "C-2", 1_000_00, "CNY", "2026-11-01")
    for day, amount in (("2026-11-22", 1), ("2026-11-23", 10), ("2026-11-29", 100), ("2026-11-30", 1000)):
        receipt(store, signed, day, amount * 100)
        receipt(store, unsigned, day, amount * 7)
    receipt(store, unsigned, "2026-11-24", -3)  # a refund is taken off

    target(store, "ann", "2026-11", 2_000_00)
    target(store, "ann", "2026-10", 9_000_00)  # months the week does not touch
    target(store, "ann", "2026-12", 9_000_00)
    target(store, "bob", "2026-11", 50_00, "CNY")
    target(store, "ann", "2026-11", 1, measure="collected")  # another measure
    yield store
    store.close()


def _by_person(rows) -> dict:
    """Each person's rows as tuples of the fields after the person, sorted."""
    found: dict = {}
    for row in rows:
        found.setdefault(row.person, []).append(astuple(row)[1:])
    return {person: sorted(found[person]) for person in found}


def test_new_leads_are_customers_made_on_the_first_to_the_last_day(team):
    assert _by_person(PerformanceQueries(team.db).new_leads(WEEK)) == {"bob": [(2,)]}


def test_moves_are_counted_by_who_made_them_from_the_first_to_the_last_day(team):
    assert _by_person(PerformanceQueries(team.db).moved(WEEK)) == {"bob": [(2,)], "ann": [(4,)]}


def test_deals_closed_on_the_first_to_the_last_day_per_owner(team):
    closed = _by_person(PerformanceQueries(team.db).closed(WEEK))
    # Won 23 and 29 November ($200 and $300), ten and sixteen days after they were made.
    assert closed["ann"] == [("won", "USD", 2, 500_00, 26)]
    # The contract's deal was made won on 23 November: no day to win.
    assert closed["bob"] == [("lost", "CNY", 2, 10_00, 0), ("won", "USD", 1, 0, 0)]


def test_money_collected_on_the_first_to_the_last_day_per_person(team):
    collected = _by_person(PerformanceQueries(team.db).collected(WEEK))
    # bob owns the deal of C-1; C-2 has no deal, so it is its customer's owner's, ann's.
    assert collected == {"ann": [("CNY", 7 * 110 - 3, "")], "bob": [("USD", 110_00, "")]}


def test_the_won_targets_of_the_months_the_period_touches(team):
    targets = _by_person(PerformanceQueries(team.db).targets(WEEK))
    assert targets == {"ann": [("USD", 2_000_00, "2026-11")], "bob": [("CNY", 50_00, "2026-11")]}


def test_the_team_table_of_the_week(team):
    perf = team_performance(team, WEEK)
    assert [row.person for row in perf.rows] == ["ann", "bob"]
    ann, bob = perf.rows
    assert ann.interactions["call"] == 2 and bob.interactions["visit"] == 2
    assert ann.interactions_total == 2
    assert (ann.won, ann.lost, ann.win_rate, ann.days_to_win) == (2, 0, 1.0, 13.0)
    assert (bob.won, bob.lost) == (1, 2)
    assert ann.attainment == {"USD": 0.25}
    assert bob.attainment == {"CNY": 0.0}
    assert perf.team.won == 3 and perf.team.lost == 2 and perf.team.win_rate == 0.6
    assert perf.team.targets == {"USD": 2_000_00, "CNY": 50_00}
    assert perf.months == ("2026-11",)


def test_a_period_a_day_earlier_moves_the_edges(team):
    earlier = Period(date(2026, 11, 22), date(2026, 11, 28))
    queries = PerformanceQueries(team.db)
    assert _by_person(queries.new_leads(earlier)) == {"bob": [(2,)]}  # 22 Nov 23:59 and 23 Nov 00:00
    assert _by_person(queries.closed(earlier))["ann"] == [("won", "USD", 2, 300_00, 19)]
