"""The arithmetic of contracts: plans from patterns that add up exactly, what receipts
pay, statuses on a fixed day, and receivables by age."""

from datetime import date

import pytest

from salesdesk.core.contracts import (
    AGE_30,
    AGE_60,
    AGE_90,
    AGE_OVER_90,
    NOT_DUE,
    OVERDUE,
    PAID,
    PARTLY_PAID,
    PENDING,
    InstalmentFact,
    ReceiptFact,
    add_months,
    age_of,
    allocate,
    collection,
    contract_number,
    median_days,
    number_seq,
    parse_plan,
    split,
)
from salesdesk.core.errors import InvalidValue

SIGNED = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("pattern", "dues", "amounts"),
    [
        ("30% on signing, 70% in 60 days", [SIGNED, date(2027, 1, 26)], [30_000_01, 70_000_02]),
        ("30%签约时，70% 60天后", [SIGNED, date(2027, 1, 26)], [30_000_01, 70_000_02]),
        ("３０％，７０％ 2个月后", [SIGNED, date(2027, 1, 27)], [30_000_01, 70_000_02]),
        (
            "50%, 25% in 1 month, 25% in 2 months",
            [SIGNED, date(2026, 12, 27), date(2027, 1, 27)],
            [50_000_01, 25_000_01, 25_000_01],
        ),
        ("3 monthly", [SIGNED, date(2026, 12, 27), date(2027, 1, 27)], [33_333_35, 33_333_34, 33_333_34]),
        ("分2期每季度", [SIGNED, date(2027, 2, 27)], [50_000_02, 50_000_01]),
    ],
)
def test_a_pattern_makes_instalments_that_add_up_to_the_amount(pattern, dues, amounts):
    plan = parse_plan(pattern, 100_000_03, SIGNED)
    assert [part.due_on for part in plan] == dues
    assert [part.amount for part in plan] == amounts
    assert sum(part.amount for part in plan) == 100_000_03


def test_a_yen_contract_splits_in_whole_yen():
    plan = parse_plan("3 monthly", 100_000, SIGNED)  # JPY has no minor unit: 100,000 yen
    assert [part.amount for part in plan] == [33_334, 33_333, 33_333]


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("30%, 60% in 30 days", "add up to 90 %, not 100 %"),
        ("half now", "is not a part of a payment plan"),
        ("", "needs a pattern"),
        ("200 monthly", "from 1 to 120 instalments"),
        ("33.333%, 66.667%", "at most two"),
    ],
)
def test_a_pattern_that_cannot_be_a_plan_is_refused_in_a_sentence(pattern, words):
    with pytest.raises(InvalidValue) as refused:
        parse_plan(pattern, 1_000_00, SIGNED)
    assert words in str(refused.value)


def test_split_gives_the_leftover_units_to_the_largest_remainders():
    assert split(100, [1, 1, 1]) == [34, 33, 33]
    assert split(-100, [1, 1, 1]) == [-34, -33, -33]
    assert split(10, [3000, 7000]) == [3, 7]
    assert sum(split(999_999_999_999, [1234, 4321, 4445])) == 999_999_999_999


def test_a_month_later_keeps_the_day_or_takes_the_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


PLAN = [
    InstalmentFact("first", date(2026, 12, 1), 300_00),
    InstalmentFact("second", date(2027, 1, 30), 700_00),
]


def test_a_receipt_pays_the_oldest_open_instalment_and_spreads_over_the_next():
    paid = allocate(PLAN, [ReceiptFact("r1", date(2026, 12, 1), 500_00)])
    assert paid.applied == {"first": 300_00, "second": 200_00}
    assert paid.credit == 0 and paid.paid_on == {"first": date(2026, 12, 1)}


def test_a_receipt_for_a_chosen_instalment_pays_it_first():
    paid = allocate(PLAN, [ReceiptFact("r1", date(2026, 12, 1), 400_00, instalment_id="second")])
    assert paid.applied == {"first": 0, "second": 400_00}


def test_an_overpayment_is_credit_and_is_said():
    state = collection(1_000_00, PLAN, [ReceiptFact("r1", date(2026, 12, 1), 1_050_00)], date(2026, 12, 2))
    assert state.credit == 50_00 and state.overpaid == 50_00 and state.fully_collected
    assert [s.status for s in state.instalments] == [PAID, PAID]


def test_a_refund_takes_back_from_the_latest_paid_instalment():
    receipts = [
        ReceiptFact("r1", date(2026, 12, 1), 1_000_00),
        ReceiptFact("r2", date(2026, 12, 5), -200_00),
    ]
    state = collection(1_000_00, PLAN, receipts, date(2027, 2, 1))
    assert state.collected == 800_00 and state.outstanding == 200_00
    assert [(s.applied, s.status) for s in state.instalments] == [(300_00, PAID), (500_00, OVERDUE)]
    assert state.collected_on is None and not state.fully_collected


def test_receipts_recorded_in_any_order_pay_the_same():
    receipts = [
        ReceiptFact("b", date(2026, 12, 3), 100_00, created_at="2026-12-03T10:00:00.000Z"),
        ReceiptFact("a", date(2026, 12, 3), 250_00, created_at="2026-12-03T09:00:00.000Z"),
        ReceiptFact("c", date(2026, 12, 1), 50_00),
    ]
    assert allocate(PLAN, receipts) == allocate(list(reversed(PLAN)), list(reversed(receipts)))


@pytest.mark.parametrize(
    ("today", "received", "expected"),
    [
        (date(2026, 11, 30), 0, PENDING),
        (date(2026, 12, 1), 0, PENDING),  # due today: not late yet
        (date(2026, 12, 2), 0, OVERDUE),
        (date(2026, 11, 30), 100_00, PARTLY_PAID),
        (date(2026, 12, 2), 100_00, OVERDUE),
        (date(2026, 12, 2), 300_00, PAID),
    ],
)
def test_statuses_on_a_fixed_day(today, received, expected):
    receipts = [ReceiptFact("r", date(2026, 11, 28), received)] if received else []
    state = collection(1_000_00, PLAN, receipts, today)
    assert state.instalments[0].status == expected


def test_a_contract_without_a_plan_is_owed_on_its_signing_day():
    state = collection(
        500_00, [], [ReceiptFact("r", date(2026, 12, 1), 200_00)], date(2026, 12, 10), unplanned_due=SIGNED
    )
    assert [(s.outstanding, s.status, s.days_late(date(2026, 12, 10))) for s in state.instalments] == [
        (300_00, OVERDUE, 13)
    ]
    assert state.overdue == 300_00 and state.gap == 500_00


def test_fully_collected_on_the_day_the_amount_was_reached():
    receipts = [ReceiptFact("r1", date(2026, 12, 1), 300_00), ReceiptFact("r2", date(2027, 1, 20), 700_00)]
    state = collection(1_000_00, PLAN, receipts, date(2027, 2, 1))
    assert state.fully_collected and state.collected_on == date(2027, 1, 20) and state.percent() == 100


@pytest.mark.parametrize(
    ("due", "bucket"),
    [
        (date(2026, 12, 1), NOT_DUE),
        (date(2026, 11, 30), AGE_30),
        (date(2026, 11, 1), AGE_30),
        (date(2026, 10, 31), AGE_60),
        (date(2026, 10, 2), AGE_60),
        (date(2026, 10, 1), AGE_90),
        (date(2026, 9, 2), AGE_90),
        (date(2026, 9, 1), AGE_OVER_90),
    ],
)
def test_receivables_by_age_at_each_boundary(due, bucket):
    assert age_of(due, date(2026, 12, 1)) == bucket


def test_contract_numbers_and_the_median_days_to_collect():
    assert contract_number(2026, 7) == "C-2026-0007"
    assert number_seq("c-2026-0007", 2026) == 7 and number_seq("C-2025-0007", 2026) is None
    assert number_seq("合同 7", 2026) is None
    assert median_days([30, 10, 20]) == 20 and median_days([10, 20]) == 15 and median_days([]) is None
