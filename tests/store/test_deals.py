"""Deals through the pipeline: stage changes, probabilities, won, lost, undo."""

from datetime import timedelta

import pytest

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import InvalidValue, NotFound, StaleRecord
from salesdesk.store.store import Store


@pytest.fixture
def customer_id(store):
    return store.add_customer("Ada")


@pytest.fixture
def deal_id(store, customer_id):
    return store.add_deal(customer_id, "Fleet renewal", amount=1_250_000)


def test_add_puts_the_deal_in_lead(store, deal_id, clock):
    deal = store.deal(deal_id)
    assert deal.stage_id == "stage-lead"
    assert deal.stage_entered_at == timestamp(clock.now)
    assert deal.currency == "USD"
    assert deal.closed_on is None


def test_add_records_a_stage_change_from_none(store, deal_id, clock):
    [change] = store.stage_history(deal_id)
    assert (change.from_stage, change.to_stage, change.at, change.by_user) == (
        None,
        "stage-lead",
        timestamp(clock.now),
        "ann",
    )


def test_add_for_a_missing_customer_is_refused(store):
    with pytest.raises(NotFound):
        store.add_deal("01NOSUCHCUSTOMER00000000000", "Fleet")
    assert store.counts()["deals"] == 0
    assert store.counts()["stage_changes"] == 0


def test_add_refuses_a_negative_amount(store, customer_id):
    with pytest.raises(InvalidValue) as caught:
        store.add_deal(customer_id, "Fleet", amount=-1)
    assert caught.value.field == "amount"


def test_move_records_from_to_at_and_by(store, deal_id, clock):
    clock.advance(days=2, hours=3)
    change = store.move_deal(deal_id, "stage-quote")
    assert change.from_stage == "stage-lead"
    assert change.to_stage == "stage-quote"
    assert change.at == "2026-11-29T12:00:00.000Z"
    assert change.by_user == "ann"
    deal = store.deal(deal_id)
    assert deal.stage_id == "stage-quote"
    assert deal.stage_entered_at == change.at


def test_move_to_the_same_stage_is_refused(store, deal_id):
    with pytest.raises(InvalidValue):
        store.move_deal(deal_id, "stage-lead")
    assert len(store.stage_history(deal_id)) == 1


def test_move_to_an_unknown_stage_is_refused(store, deal_id):
    with pytest.raises(InvalidValue) as caught:
        store.move_deal(deal_id, "stage-nowhere")
    assert caught.value.field == "stage"


def test_history_lists_moves_in_order(store, deal_id, clock):
    clock.advance(days=1)
    store.move_deal(deal_id, "stage-qualified")
    clock.advance(days=1)
    store.move_deal(deal_id, "stage-quote")
    assert [(c.from_stage, c.to_stage) for c in store.stage_history(deal_id)] == [
        (None, "stage-lead"),
        ("stage-lead", "stage-qualified"),
        ("stage-qualified", "stage-quote"),
    ]


def test_step_forward(store, deal_id):
    change = store.step_deal(deal_id, +1)
    assert change.to_stage == "stage-qualified"
    assert store.deal(deal_id).stage_id == "stage-qualified"


def test_step_back(store, deal_id):
    store.step_deal(deal_id, +1)
    change = store.step_deal(deal_id, -1)
    assert (change.from_stage, change.to_stage) == ("stage-qualified", "stage-lead")


def test_step_back_from_the_first_stage_does_nothing(store, deal_id):
    assert store.step_deal(deal_id, -1) is None
    assert store.deal(deal_id).version == 1


def test_step_forward_from_the_last_column_does_not_lose_the_deal(store, deal_id):
    store.move_deal(deal_id, "stage-paid")
    assert store.step_deal(deal_id, +1) is None
    assert store.deal(deal_id).stage_id == "stage-paid"


def test_own_probability_survives_a_move(store, customer_id):
    deal_id = store.add_deal(customer_id, "Fleet", probability=40)
    store.move_deal(deal_id, "stage-negotiation")
    deal = store.deal(deal_id)
    assert deal.probability == 40
    assert store.deal_probability(deal) == 40


def test_stage_probability_applies_without_an_own_one(store, deal_id):
    assert store.deal_probability(store.deal(deal_id)) == 10
    store.move_deal(deal_id, "stage-quote")
    deal = store.deal(deal_id)
    assert deal.probability is None
    assert store.deal_probability(deal) == 50


def test_probability_out_of_range_is_refused(store, customer_id):
    with pytest.raises(InvalidValue) as caught:
        store.add_deal(customer_id, "Fleet", probability=120)
    assert caught.value.field == "probability"


def test_mark_won_moves_to_signed_with_closed_on(store, deal_id, clock):
    clock.advance(days=3)
    change = store.mark_won(deal_id)
    deal = store.deal(deal_id)
    assert change.to_stage == "stage-signed"
    assert deal.stage_id == "stage-signed"
    assert deal.closed_on == "2026-11-30"
    assert store.deal_probability(deal) == 100


def test_payment_keeps_the_signing_date_as_closed_on(store, deal_id, clock):
    store.mark_won(deal_id)
    clock.advance(days=20)
    store.step_deal(deal_id, +1)
    deal = store.deal(deal_id)
    assert deal.stage_id == "stage-paid"
    assert deal.closed_on == "2026-11-27"


def test_reopening_a_won_deal_clears_closed_on(store, deal_id):
    store.mark_won(deal_id)
    store.step_deal(deal_id, -1)
    assert store.deal(deal_id).closed_on is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_mark_lost_requires_a_reason(store, deal_id, reason):
    with pytest.raises(InvalidValue) as caught:
        store.mark_lost(deal_id, reason)
    assert caught.value.field == "lost reason"
    assert store.deal(deal_id).stage_id == "stage-lead"


def test_mark_lost_stores_the_reason(store, deal_id, clock):
    clock.advance(days=1)
    change = store.mark_lost(deal_id, " Price too high ")
    deal = store.deal(deal_id)
    assert change.to_stage == "stage-lost"
    assert deal.stage_id == "stage-lost"
    assert deal.lost_reason == "Price too high"
    assert deal.closed_on == "2026-11-28"
    assert store.deal_probability(deal) == 0


def test_undo_restores_stage_and_stage_entered_at(store, deal_id, clock):
    clock.advance(days=1)
    first = store.move_deal(deal_id, "stage-qualified")
    clock.advance(days=1)
    second = store.move_deal(deal_id, "stage-quote")
    store.undo_stage_change(second.id)
    deal = store.deal(deal_id)
    assert deal.stage_id == "stage-qualified"
    assert deal.stage_entered_at == first.at == "2026-11-28T09:00:00.000Z"


def test_undo_tombstones_the_change(store, deal_id):
    change = store.move_deal(deal_id, "stage-quote")
    store.undo_stage_change(change.id)
    row = store.records.get("stage_changes", change.id, include_deleted=True)
    assert row["deleted_at"] is not None
    assert [c.to_stage for c in store.stage_history(deal_id)] == ["stage-lead"]


def test_undo_of_the_first_move_returns_to_the_added_stage(store, deal_id, clock):
    added_at = store.deal(deal_id).stage_entered_at
    clock.advance(hours=5)
    change = store.move_deal(deal_id, "stage-quote")
    store.undo_stage_change(change.id)
    deal = store.deal(deal_id)
    assert (deal.stage_id, deal.stage_entered_at) == ("stage-lead", added_at)


def test_undo_of_a_move_that_is_not_the_latest_is_refused(store, deal_id, clock):
    clock.advance(days=1)
    first = store.move_deal(deal_id, "stage-qualified")
    clock.advance(days=1)
    store.move_deal(deal_id, "stage-quote")
    with pytest.raises(InvalidValue, match="latest"):
        store.undo_stage_change(first.id)
    assert store.deal(deal_id).stage_id == "stage-quote"
    assert len(store.stage_history(deal_id)) == 3


def test_undo_of_the_first_stage_is_refused(store, deal_id):
    [first] = store.stage_history(deal_id)
    with pytest.raises(InvalidValue):
        store.undo_stage_change(first.id)
    assert store.deal(deal_id).stage_id == "stage-lead"


def test_undo_of_a_loss_reopens_the_deal(store, deal_id):
    change = store.mark_lost(deal_id, "No budget")
    store.undo_stage_change(change.id)
    deal = store.deal(deal_id)
    assert (deal.stage_id, deal.lost_reason, deal.closed_on) == ("stage-lead", "", None)


def test_undo_of_a_reopening_restores_the_lost_reason(store, deal_id, clock):
    store.mark_lost(deal_id, "No budget")
    clock.advance(days=2)
    reopened = store.move_deal(deal_id, "stage-qualified")
    assert store.deal(deal_id).lost_reason == ""
    store.undo_stage_change(reopened.id)
    deal = store.deal(deal_id)
    assert (deal.stage_id, deal.lost_reason, deal.closed_on) == ("stage-lost", "No budget", "2026-11-27")


def test_undo_of_a_step_back_from_signed_restores_closed_on(store, deal_id, clock):
    store.mark_won(deal_id)
    clock.advance(days=4)
    back = store.step_deal(deal_id, -1)
    assert store.deal(deal_id).closed_on is None
    store.undo_stage_change(back.id)
    deal = store.deal(deal_id)
    assert (deal.stage_id, deal.closed_on) == ("stage-signed", "2026-11-27")


def test_move_with_a_stale_version_is_refused(store, deal_id):
    version = store.deal(deal_id).version
    store.update_deal(deal_id, {"next_step": "Call"})
    with pytest.raises(StaleRecord):
        store.move_deal(deal_id, "stage-quote", expected_version=version)
    assert store.deal(deal_id).stage_id == "stage-lead"
    assert len(store.stage_history(deal_id)) == 1


def test_expected_close_is_an_iso_date(store, customer_id):
    deal_id = store.add_deal(customer_id, "Fleet", expected_close="2027-1-5")
    assert store.deal(deal_id).expected_close == "2027-01-05"
    with pytest.raises(InvalidValue):
        store.add_deal(customer_id, "Fleet", expected_close="05/01/2027")


def test_deal_in_a_won_stage_counts_toward_the_tier(store, customer_id, clock):
    store.set_setting("tier_thresholds", {"USD": [1_000_000, 500_000]})
    store.add_deal(customer_id, "Big", amount=1_500_000, stage_id="stage-signed")
    assert store.segment_and_tier(customer_id, clock.today()) == ("customer", "A")
    clock.advance(days=400)
    assert store.segment_and_tier(customer_id, clock.today())[1] == "C"


class TickingClock:
    """A clock that moves on a millisecond every time it is read, like a real one."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        self.now += timedelta(milliseconds=1)
        return self.now


def test_stage_change_at_equals_stage_entered_at_on_a_moving_clock(tmp_path, clock):
    ticking = Store.open(tmp_path / "ticking.db", "ann", TickingClock(clock.now))
    try:
        deal_id = ticking.add_deal(ticking.add_customer("Ada"), "Fleet")
        assert ticking.stage_history(deal_id)[-1].at == ticking.deal(deal_id).stage_entered_at
        change = ticking.move_deal(deal_id, "stage-quote")
        assert change.at == ticking.deal(deal_id).stage_entered_at
    finally:
        ticking.close()
