"""Targets in the store: set, update, remove and back; progress of a person, the team and
each member, with won and collected attributed as the Reports attribute them."""

from datetime import date

import pytest

from salesdesk.core import pipeline
from salesdesk.core.errors import InvalidValue
from salesdesk.core.targets import COLLECTED, MONTH, QUARTER, TEAM, WON, TargetPeriod
from salesdesk.store.targets import TargetStore
from tests.collections_seed import seed_collections
from tests.conftest import TODAY
from tests.reports_seed import at

NOVEMBER = TargetPeriod(MONTH, 2026, 11)
Q4 = TargetPeriod(QUARTER, 2026, 4)


@pytest.fixture
def seeded(store, clock):
    """The collections seed (receipts in November: ann $1,500; bob $3,000 and a ¥10,000
    refund) and deals won: ann $2,000 on 3 Nov and $700 on 2 Oct, bob ¥8,000 on 20 Nov, a
    deleted deal of ann's won on 4 Nov, and one lost."""
    ids = seed_collections(store, clock)
    won = pipeline.first_stage(store.stages(), pipeline.WON).id
    at(clock, 10, 2)
    store.add_deal(ids["Acme"], "october", 70_000, "USD", won)
    at(clock, 11, 3)
    store.add_deal(ids["Acme"], "november", 200_000, "USD", won)
    store.mark_lost(store.add_deal(ids["Acme"], "lost one", 900_000, "USD"), "price")
    at(clock, 11, 4)
    store.delete_deal(store.add_deal(ids["Acme"], "deleted", 500_000, "USD", won))
    at(clock, 11, 20)
    store.add_deal(ids["Birch"], "bob's", 800_000, "CNY", won, owner="bob")
    at(clock, 11, 27)
    return TargetStore(store)


def test_setting_a_target_again_updates_it_and_a_removed_one_comes_back(store):
    targets = TargetStore(store)
    first = targets.set("ann", "2026-11", "won", 500_000_00, "cny")
    assert targets.set("ann", "2026-11", "won", 600_000_00, "CNY") == first
    assert [(t.amount, t.currency) for t in targets.targets(["2026-11"])] == [(600_000_00, "CNY")]
    assert targets.remove("ann", "2026-11", "won", "CNY")
    assert targets.targets(["2026-11"]) == []
    assert not targets.remove("ann", "2026-11", "won", "CNY")
    assert targets.set("ann", "2026-11", "won", 1, "CNY") == first
    assert [t.amount for t in targets.targets(["2026-11"])] == [1]
    assert store.db.execute("SELECT count(*) FROM targets").fetchone()[0] == 1


def test_a_bad_target_is_refused_and_nothing_written(store):
    targets = TargetStore(store)
    for args in (
        ("ann", "2026-13", "won", 1, "CNY"),
        ("ann", "2026-11", "wins", 1, "CNY"),
        ("ann", "2026-11", "won", 1, "yuan"),
        ("ann", "2026-11", "won", -1, "CNY"),
    ):
        with pytest.raises(InvalidValue):
            targets.set(*args)
    assert store.db.execute("SELECT count(*) FROM targets").fetchone()[0] == 0


def test_a_persons_progress_counts_their_won_deals_and_their_collections(seeded):
    seeded.set("ann", "2026-11", "won", 10_000_00, "USD")
    seeded.set("ann", "2026-11", "collected", 3_000_00, "USD")
    seeded.set("ann", "2026-11", "collected", 1_000_00, "CNY")
    found = seeded.progress(NOVEMBER, TODAY)
    assert found.person == "ann"
    # Won: $2,000 (not the deleted, the lost or October's). Collected in USD: $500 of
    # C-0001 (ann's deal) and $1,000 of C-0004 (Acme's, ann's); C-0003 is bob's deal.
    # Nothing collected in CNY: Birch's refund is bob's. Two working days are left.
    assert [(p.measure, p.currency, p.done, p.target, p.working_days_left) for p in found.progress] == [
        (WON, "USD", 2_000_00, 10_000_00, 2),
        (COLLECTED, "USD", 1_500_00, 3_000_00, 2),  # the default currency first
        (COLLECTED, "CNY", 0, 1_000_00, 2),
    ]
    assert found.progress[0].needed == 4_000_00


def test_a_quarter_sums_its_months_targets_and_what_was_done(seeded):
    seeded.set("ann", "2026-10", "won", 1_000_00, "USD")
    seeded.set("ann", "2026-11", "won", 10_000_00, "USD")
    seeded.set("ann", "2026-12", "won", 4_000_00, "USD")
    (won,) = seeded.progress(Q4, TODAY).progress
    assert (won.done, won.target, won.percent) == (2_700_00, 15_000_00, 18)
    assert won.working_days_left == 2 + 23  # 27 and 30 Nov, then 23 weekdays of December


def test_the_team_and_each_member(seeded):
    seeded.set(TEAM, "2026-11", "won", 20_000_00, "USD")
    seeded.set("cai", "2026-11", "won", 100_00, "USD")  # someone with a target and nothing else
    board = seeded.board(NOVEMBER, TODAY)
    assert [row.person for row in board] == ["ann", "bob", "cai", TEAM]
    by_person = {
        row.person: {(p.measure, p.currency): (p.done, p.target) for p in row.progress} for row in board
    }
    assert by_person["bob"] == {
        (WON, "CNY"): (800_000, 0),
        (COLLECTED, "USD"): (3_000_00, 0),
        (COLLECTED, "CNY"): (-1_000_000, 0),
    }
    assert by_person["cai"] == {(WON, "USD"): (0, 100_00)}
    assert by_person[TEAM][(WON, "USD")] == (2_000_00, 20_000_00)
    assert by_person[TEAM][(COLLECTED, "USD")] == (4_500_00, 0)
    assert seeded.progress(NOVEMBER, TODAY, TEAM).progress[0].done == 2_000_00


def test_no_target_no_progress(seeded):
    assert seeded.progress(NOVEMBER, date(2026, 11, 27)).progress == ()
