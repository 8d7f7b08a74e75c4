"""A teammate's target arrives by sync; two devices setting the same target make one record."""

from datetime import timedelta

from salesdesk.core.targets import MONTH, TEAM, TargetPeriod
from salesdesk.store.targets import TargetStore
from tests.conftest import TODAY


def test_the_same_target_set_on_two_devices_is_one_record_and_the_later_amount_wins(team):
    ann, bob, _cai = team
    TargetStore(ann.store).set(TEAM, "2026-12", "won", 400_000_00, "CNY")
    bob.clock.advance(hours=12)  # bob sets it later, by the clocks
    TargetStore(bob.store).set(TEAM, "2026-12", "won", 500_000_00, "CNY")
    TargetStore(bob.store).set("ann", "2026-12", "collected", 90_000_00, "CNY")
    ann.merge_from(bob)
    bob.merge_from(ann)
    assert ann.digest() == bob.digest()
    rows = ann.store.db.execute("SELECT person, measure, amount FROM targets ORDER BY measure").fetchall()
    assert rows == [("ann", "collected", 90_000_00), (TEAM, "won", 500_000_00)]
    # bob's target of ann is ann's on her copy.
    (mine,) = (
        TargetStore(ann.store).progress(TargetPeriod(MONTH, 2026, 12), TODAY + timedelta(days=4)).progress
    )
    assert (mine.measure, mine.target) == ("collected", 90_000_00)


def test_a_removed_target_stays_removed_after_the_merge(team):
    ann, bob, _cai = team
    TargetStore(ann.store).set("bob", "2026-12", "won", 1_00, "USD")
    bob.merge_from(ann)
    bob.clock.advance(days=1)
    assert TargetStore(bob.store).remove("bob", "2026-12", "won", "USD")
    ann.merge_from(bob)
    assert TargetStore(ann.store).targets(["2026-12"]) == []
