"""The rules of what to offer next: reorder intervals, association rules, order and words."""

from datetime import date, timedelta

from salesdesk import i18n
from salesdesk.core.suggest import (
    REORDER,
    TOGETHER,
    PairCount,
    Purchase,
    ReorderFact,
    interval_of,
    reorder_reason,
    reorder_reminders,
    reorders,
    suggestions,
    together,
    together_reason,
)

TODAY = date(2026, 12, 1)
MAINT, PARTS, TRAINING, LICENCE = "p-maint", "p-parts", "p-training", "p-licence"
NAMES = {MAINT: "年度维保合同", PARTS: "备件框架协议", TRAINING: "Training", LICENCE: "Licence"}


def bought(product, *days):
    return [Purchase(product, NAMES[product], day) for day in days]


def test_interval_is_the_median_gap_of_distinct_days():
    days = [date(2026, 1, 1), date(2026, 3, 2), date(2026, 3, 2), date(2026, 6, 1), date(2026, 9, 1)]
    assert interval_of(days) == 91  # gaps of 60, 91 and 92 days
    assert interval_of([date(2026, 1, 1)]) is None
    assert interval_of([date(2026, 1, 1), date(2026, 1, 1)]) is None


def test_a_reorder_is_due_once_the_interval_has_passed():
    last = TODAY - timedelta(days=122)
    history = bought(
        PARTS, last - timedelta(days=270), last - timedelta(days=180), last - timedelta(days=90), last
    )
    [due] = reorders(history, TODAY)
    assert (due.kind, due.product_id, due.times, due.interval, due.last) == (REORDER, PARTS, 4, 90, last)
    assert due.due == last + timedelta(days=90)
    assert due.reason == "Bought 备件框架协议 4 times, about every 90 days; last on Sat 01 Aug (122 days ago)"


def test_a_reorder_is_offered_a_week_ahead_and_not_before():
    def history(days_ago):
        last = TODAY - timedelta(days=days_ago)
        return bought(MAINT, last - timedelta(days=100), last)

    assert reorders(history(93), TODAY)  # due in 7 days
    assert not reorders(history(92), TODAY)  # due in 8 days
    assert not reorders(bought(MAINT, TODAY - timedelta(days=400)), TODAY)  # bought once


def test_reorders_nearest_their_due_day_come_first_and_retired_products_are_left_out():
    history = [
        *bought(MAINT, TODAY - timedelta(days=700), TODAY - timedelta(days=400)),  # 300 d, 100 late
        *bought(PARTS, TODAY - timedelta(days=190), TODAY - timedelta(days=95)),  # 95 d, due today
    ]
    assert [s.product_id for s in reorders(history, TODAY)] == [PARTS, MAINT]
    assert [s.product_id for s in reorders(history, TODAY, offered={MAINT})] == [MAINT]


def test_purchases_after_today_are_not_known():
    history = bought(
        PARTS, TODAY - timedelta(days=200), TODAY - timedelta(days=100), TODAY + timedelta(days=1)
    )
    [due] = reorders(history, TODAY)
    assert due.last == TODAY - timedelta(days=100)


def test_rules_rank_by_confidence_then_support_then_similar_customers_then_name():
    pairs = [
        PairCount(MAINT, PARTS, 7, 9),  # 78 %
        PairCount(MAINT, TRAINING, 3, 9),  # 33 %
        PairCount(MAINT, LICENCE, 3, 9),  # 33 %, as many: similar customers decide
    ]
    found = together(pairs, {MAINT}, NAMES, similar={LICENCE: 2, TRAINING: 1})
    assert [s.product_id for s in found] == [PARTS, LICENCE, TRAINING]
    assert found[0].kind == TOGETHER
    assert found[0].reason == "7 of 9 customers who bought 年度维保合同 also bought 备件框架协议"
    assert (found[0].support, found[0].buyers, found[0].because) == (7, 9, MAINT)
    # Without the similar customers, the name decides: Licence before Training.
    assert [s.product_id for s in together(pairs, {MAINT}, NAMES)][1:] == [LICENCE, TRAINING]


def test_rules_under_the_minimum_support_or_confidence_are_not_offered():
    pairs = [
        PairCount(MAINT, PARTS, 1, 2),
        PairCount(MAINT, TRAINING, 2, 41),
        PairCount(MAINT, LICENCE, 2, 40),
    ]
    assert [s.product_id for s in together(pairs, {MAINT}, NAMES)] == [LICENCE]  # 1 < 2; 4.9 % < 5 %


def test_a_product_keeps_its_best_rule_and_what_was_bought_is_not_offered():
    pairs = [
        PairCount(MAINT, PARTS, 3, 10),
        PairCount(TRAINING, PARTS, 4, 5),
        PairCount(MAINT, TRAINING, 5, 10),  # bought already
        PairCount(MAINT, "p-gone", 5, 10),  # not on offer
    ]
    [best] = together(pairs, {MAINT, TRAINING}, NAMES)
    assert (best.product_id, best.because, best.support, best.buyers) == (PARTS, TRAINING, 4, 5)


def test_suggestions_put_due_reorders_first_and_stop_at_the_limit():
    history = [
        *bought(PARTS, TODAY - timedelta(days=200), TODAY - timedelta(days=100)),
        *bought(MAINT, TODAY - timedelta(days=30)),
    ]
    pairs = [
        PairCount(MAINT, TRAINING, 5, 8),
        PairCount(MAINT, LICENCE, 4, 8),
        PairCount(PARTS, LICENCE, 2, 9),
    ]
    found = suggestions(history, pairs, NAMES, TODAY)
    assert [(s.kind, s.product_id) for s in found] == [
        (REORDER, PARTS),
        (TOGETHER, TRAINING),
        (TOGETHER, LICENCE),
    ]
    assert [s.product_id for s in suggestions(history, pairs, NAMES, TODAY, limit=2)] == [PARTS, TRAINING]
    # The same facts give the same list, in whatever order they come.
    assert suggestions(history[::-1], pairs[::-1], NAMES, TODAY) == found


def test_reasons_read_in_chinese():
    i18n.set_language(i18n.CHINESE)
    said = together_reason(7, 9, "年度维保合同", "备件框架协议")
    assert "7" in said and "9" in said and "年度维保合同" in said and "customers" not in said
    assert "customers" not in reorder_reason("备件框架协议", 4, 90, date(2026, 8, 1), TODAY)


def fact(*days_ago, product=PARTS):
    days = tuple(TODAY - timedelta(days=n) for n in days_ago)
    return ReorderFact("c1", "Sun Li", "Sun Parts", "ann", product, NAMES[product], days)


def test_a_reorder_row_falls_on_a_whole_number_of_intervals_after_the_last_purchase():
    first, last = TODAY - timedelta(days=7), TODAY + timedelta(days=7)
    [row] = reorder_reminders([fact(187, 97)], first, last, TODAY)  # due 7 days ago: still shown
    assert (row.kind, row.due, row.customer_id) == (REORDER, first, "c1")
    assert row.key == f"reorder:c1:{PARTS}@{first.isoformat()}"
    assert row.what == "Reorder 备件框架协议?" and row.why == "buys every ~90d, last 97d ago"
    # Eight days late it has dropped off until the next interval, 82 days ahead.
    assert reorder_reminders([fact(188, 98)], first, last, TODAY) == []
    [again] = reorder_reminders([fact(188, 98)], first, last + timedelta(days=90), TODAY)
    assert again.due == TODAY + timedelta(days=82)
    # Due in a week: in Next 7 days; in eight days: not yet.
    assert [r.due for r in reorder_reminders([fact(173, 83)], first, last, TODAY)] == [last]
    assert reorder_reminders([fact(172, 82)], first, last, TODAY) == []
    assert reorder_reminders([fact(100)], first, last, TODAY) == []  # bought once
