"""Follow-ups: booking, completing (one-off and recurring), rescheduling."""

from datetime import date

import pytest

from salesdesk.core.errors import InvalidValue, NotFound

TODAY = date(2026, 11, 27)  # the fake clock's day, a Friday


@pytest.fixture
def customer_id(store):
    return store.add_customer("Ada")


def open_followups(store, customer_id):
    return store.db.execute(
        "SELECT due_date, title, rrule FROM followups WHERE customer_id = ? "
        "AND done_at IS NULL AND deleted_at IS NULL ORDER BY due_date",
        [customer_id],
    ).fetchall()


def test_add_followup(store, customer_id):
    followup_id = store.add_followup(
        customer_id, date(2026, 12, 1), "Send quote", kind="email", due_time="10:30"
    )
    item = store.followup(followup_id)
    assert (item.due_date, item.title, item.kind, item.due_time, item.owner, item.done_at) == (
        "2026-12-01",
        "Send quote",
        "email",
        "10:30",
        "ann",
        None,
    )


def test_followup_needs_a_title(store, customer_id):
    with pytest.raises(InvalidValue) as caught:
        store.add_followup(customer_id, TODAY, " ")
    assert caught.value.field == "title"


def test_followup_for_a_missing_deal_is_refused(store, customer_id):
    with pytest.raises(NotFound):
        store.add_followup(customer_id, TODAY, "Call", deal_id="01NOSUCHDEAL000000000000000")
    assert store.counts()["followups"] == 0


def test_followup_with_a_bad_rule_is_refused(store, customer_id):
    with pytest.raises(InvalidValue) as caught:
        store.add_followup(customer_id, TODAY, "Call", rrule="every so often")
    assert caught.value.field == "repeat"
    assert store.counts()["followups"] == 0


def test_rule_shortcut_is_stored_as_an_rrule(store, customer_id):
    followup_id = store.add_followup(customer_id, TODAY, "Weekly call", rrule="weekly")
    assert store.followup(followup_id).rrule == "FREQ=WEEKLY"


def test_complete_one_off_sets_done_at(store, customer_id, clock):
    followup_id = store.add_followup(customer_id, TODAY, "Call back")
    clock.advance(hours=1, milliseconds=5)
    assert store.complete_followup(followup_id, TODAY) is None
    assert store.followup(followup_id).done_at == "2026-11-27T10:00:00.005Z"
    assert open_followups(store, customer_id) == []


def test_complete_recurring_books_the_next_occurrence(store, customer_id):
    followup_id = store.add_followup(customer_id, TODAY, "Weekly call", rrule="weekly")
    next_id = store.complete_followup(followup_id, TODAY)
    assert store.followup(followup_id).done_at is not None
    following = store.followup(next_id)
    assert (following.due_date, following.title, following.rrule) == (
        "2026-12-04",
        "Weekly call",
        "FREQ=WEEKLY",
    )
    assert open_followups(store, customer_id) == [("2026-12-04", "Weekly call", "FREQ=WEEKLY")]


def test_long_overdue_recurring_books_next_after_today_not_a_backlog(store, customer_id):
    followup_id = store.add_followup(customer_id, date(2026, 10, 2), "Weekly call", rrule="weekly")
    next_id = store.complete_followup(followup_id, TODAY)
    assert store.followup(next_id).due_date == "2026-12-04"
    assert len(open_followups(store, customer_id)) == 1


def test_recurring_completed_early_books_the_one_after_its_due_date(store, customer_id):
    followup_id = store.add_followup(customer_id, date(2026, 12, 4), "Weekly call", rrule="weekly")
    next_id = store.complete_followup(followup_id, TODAY)
    assert store.followup(next_id).due_date == "2026-12-11"


def test_recurring_byday_rule(store, customer_id):
    followup_id = store.add_followup(customer_id, TODAY, "Check-in", rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    next_id = store.complete_followup(followup_id, TODAY)
    assert store.followup(next_id).due_date == "2026-11-30"


def test_recurring_with_count_ends(store, customer_id):
    current = store.add_followup(customer_id, TODAY, "Three calls", rrule="FREQ=WEEKLY;COUNT=3")
    dues = []
    for _ in range(6):  # bounded: a COUNT that never ends must fail, not hang
        item = store.followup(current)
        dues.append(item.due_date)
        current = store.complete_followup(current, date.fromisoformat(item.due_date))
        if current is None:
            break
    assert dues == ["2026-11-27", "2026-12-04", "2026-12-11"]
    assert current is None
    assert open_followups(store, customer_id) == []


def test_completing_twice_books_one_next_occurrence(store, customer_id):
    followup_id = store.add_followup(customer_id, TODAY, "Weekly call", rrule="weekly")
    store.complete_followup(followup_id, TODAY)
    assert store.complete_followup(followup_id, TODAY) is None
    assert len(open_followups(store, customer_id)) == 1


def test_reschedule(store, customer_id):
    followup_id = store.add_followup(customer_id, TODAY, "Call back")
    store.reschedule_followup(followup_id, date(2026, 12, 2))
    item = store.followup(followup_id)
    assert (item.due_date, item.version) == ("2026-12-02", 2)


def test_next_followup_of_a_deal_is_the_earliest_open_one(store, customer_id):
    deal_id = store.add_deal(customer_id, "Fleet")
    assert store.next_followup_of_deal(deal_id) is None
    done = store.add_followup(customer_id, date(2026, 11, 28), "Done", deal_id=deal_id)
    store.add_followup(customer_id, date(2026, 12, 9), "Later", deal_id=deal_id)
    store.add_followup(customer_id, date(2026, 12, 3), "Sooner", deal_id=deal_id)
    store.complete_followup(done, TODAY)
    assert store.next_followup_of_deal(deal_id) == date(2026, 12, 3)


def test_closing_a_deals_follow_ups_books_no_next_occurrence(store):
    customer = store.add_customer("Ada")
    deal = store.add_deal(customer, "Support", 100_00)
    weekly = store.add_followup(customer, date(2026, 12, 1), "Weekly call", deal_id=deal, rrule="FREQ=WEEKLY")
    once = store.add_followup(customer, date(2026, 12, 3), "Send contract", deal_id=deal)
    assert [f.id for f in store.open_followups_of_deal(deal)] == [weekly, once]
    store.close_followups([weekly, once])
    assert store.open_followups_of_deal(deal) == []
    assert store.db.execute("SELECT count(*) FROM followups WHERE done_at IS NULL").fetchone()[0] == 0
