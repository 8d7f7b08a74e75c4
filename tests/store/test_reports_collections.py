"""Money collected in the Reports: receipts of the period against the period before,
receivables by age, by customer and by person, collections expected by month beside the
weighted forecast, and the days from signing to fully collected, on the contracts of
tests.collections_seed (every figure worked out by hand there)."""

from datetime import date

import pytest

from salesdesk.core.contracts import AGE_30, AGE_60, AGE_90, AGE_OVER_90, AGES, NOT_DUE
from salesdesk.core.periods import Period
from salesdesk.core.reports import Receivable, late_instalments
from salesdesk.store.reports import ReportQueries, ReportStore
from salesdesk.store.store import Store
from tests.collections_seed import NOVEMBER, contract, instalment, receipt, seed_collections
from tests.conftest import TODAY


@pytest.fixture
def seeded(store, clock):
    ids = seed_collections(store, clock)
    return store, ids


def _collections(store: Store, period: Period = NOVEMBER, today: date = TODAY, everyone: bool = True):
    return ReportStore(store).report(period, today, everyone=everyone).collections


def test_collected_in_the_period_against_the_period_before(seeded):
    store, _ids = seeded
    money = _collections(store)
    # The partial receipt, the two of Cedar and Acme's second contract; the refund taken off;
    # the deleted receipt and the deleted customer's not counted.
    assert money.collected == {"USD": 50_000 + 300_000 + 100_000, "CNY": -1_000_000}
    assert money.receipts == 5
    # 5 to 31 October: Dune's contract and Birch's ¥50,000.
    assert money.collected_before == {"USD": 200_000, "CNY": 5_000_000}


def test_a_deleted_receipt_is_not_counted(seeded):
    store, ids = seeded
    before = _collections(store).collected["USD"]
    gone = receipt(store, ids["C1"], "2026-11-25", 70_000)
    assert _collections(store).collected["USD"] == before + 70_000
    store.records.delete("receipts", gone)
    assert _collections(store).collected["USD"] == before
    assert _collections(store).outstanding["USD"] == 750_000


def test_receivables_by_age_on_today(seeded):
    store, _ids = seeded
    money = _collections(store)
    assert list(money.by_age["USD"]) == list(AGES)
    assert money.by_age["USD"] == {
        NOT_DUE: 100_000,  # 20 Dec
        AGE_30: 100_000,  # 20 Nov, 7 days late
        AGE_60: 200_000,  # 15 Oct, 43 days
        AGE_90: 200_000,  # 10 Sep, 78 days
        AGE_OVER_90: 150_000,  # 15 Jul, 135 days, $500 of it received
    }
    # The refund is owed again, due on signing (1 Oct, 57 days ago).
    assert money.by_age["CNY"] == {NOT_DUE: 0, AGE_30: 0, AGE_60: 1_000_000, AGE_90: 0, AGE_OVER_90: 0}
    assert money.outstanding == {"USD": 750_000, "CNY": 1_000_000}
    assert money.overdue == {"USD": 650_000, "CNY": 1_000_000}


def test_the_age_buckets_move_with_today(seeded):
    store, _ids = seeded
    later = _collections(store, today=date(2026, 12, 21))
    # 20 Dec now one day late; 20 Nov 31 days; 15 Oct 67; 10 Sep 102; 15 Jul 159.
    assert later.by_age["USD"] == {
        NOT_DUE: 0,
        AGE_30: 100_000,
        AGE_60: 100_000,
        AGE_90: 200_000,
        AGE_OVER_90: 350_000,
    }
    earlier = _collections(store, today=date(2026, 11, 4))
    # On 4 Nov the partial receipt of 5 Nov had not come: C-0001 owed $8,000; Cedar's
    # contract, paid 3 Nov for its first half, owed $1,500 not yet due; C-0004 all of it.
    assert earlier.outstanding["USD"] == 800_000 + 150_000 + 100_000
    assert earlier.by_age["USD"][NOT_DUE] == 100_000 + 100_000 + 150_000


def test_receivables_by_customer_and_by_person(seeded):
    store, ids = seeded
    money = _collections(store)
    assert money.by_customer == {
        "USD": (Receivable("Acme", 750_000, 650_000),),
        "CNY": (Receivable("Birch", 1_000_000, 1_000_000),),
    }
    # Acme's contract has a deal of ann's; Birch's none: the customer's owner, bob.
    assert money.by_person == {
        "USD": (Receivable("ann", 750_000, 650_000),),
        "CNY": (Receivable("bob", 1_000_000, 1_000_000),),
    }
    # Cedar's contract is of bob's deal: with money owed, it is bob's, not the customer's ann.
    instalment(store, ids["C3"], 2, "2026-12-01", 20_000)
    store.records.update("contracts", ids["C3"], {"amount": 320_000})
    money = _collections(store)
    assert money.by_person["USD"] == (Receivable("ann", 750_000, 650_000), Receivable("bob", 20_000, 0))
    assert money.by_customer["USD"][1] == Receivable("Cedar", 20_000, 0)


def test_mine_is_the_contracts_of_my_deals_and_customers(seeded):
    store, _ids = seeded
    mine = _collections(store, everyone=False)  # the store's user is ann
    assert mine.outstanding == {"USD": 750_000}
    # Cedar's receipts are of bob's deal; Birch's refund of bob's customer.
    assert mine.collected == {"USD": 50_000 + 100_000}
    bob, _before = ReportQueries(store.db).collected(NOVEMBER, "bob")
    assert sorted(bob) == [("CNY", -1_000_000, 1), ("USD", 300_000, 2)]


def test_collections_expected_by_month_beside_the_weighted_forecast(seeded):
    store, _ids = seeded
    expected = _collections(store).expected
    usd = [(row.label, row.month, row.collections, row.weighted) for row in expected["USD"]]
    assert usd == [
        ("overdue", None, 650_000, 0),
        ("Nov 2026", "2026-11", 0, 0),
        ("Dec 2026", "2026-12", 100_000, 50_000),  # the instalment of 20 Dec; the open deal at 50 %
        ("Jan 2027", "2027-01", 0, 0),
        ("Feb 2027", "2027-02", 0, 0),
        ("Mar 2027", "2027-03", 0, 0),
        ("Apr 2027", "2027-04", 0, 0),
    ]
    assert [(row.label, row.collections) for row in expected["CNY"]][0] == ("overdue", 1_000_000)


def test_days_from_signing_to_fully_collected(seeded):
    store, ids = seeded
    money = _collections(store)
    assert (money.settled, money.median_days) == (2, 32.5)  # 14 and 51 days
    # October's: Dune (1 Sep to 10 Oct, 39 days) and Birch (1 to 20 Oct, 19 days), fully
    # collected by the month's end; Birch's refund came in November, and so not again there.
    october = _collections(store, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (october.settled, october.median_days) == (2, 29.0)
    # Birch pays the refund back: fully collected again on 26 Nov, 56 days after signing.
    receipt(store, ids["C2"], "2026-11-26", 1_000_000)
    money = _collections(store)
    assert (money.settled, money.median_days) == (3, 51.0)
    assert "CNY" not in money.outstanding


def test_an_empty_database_has_no_collections(store):
    money = _collections(store)
    assert not money.any
    assert money.median_days is None
    assert money.expected == {}


def test_a_plan_short_of_the_amount_owes_the_rest_on_its_last_day(store, clock):
    customer = store.add_customer("Fir")
    short = contract(store, customer, "C-2026-0009", 100_000, "EUR", "2026-11-01")
    instalment(store, short, 0, "2026-11-10", 60_000)  # $400 of the amount has no instalment
    money = _collections(store)
    assert money.outstanding == {"EUR": 100_000}
    assert money.by_age["EUR"][AGE_30] == 100_000  # all of it due by 10 Nov
    # A plan over the amount is owed up to the amount.
    over = contract(store, customer, "C-2026-0010", 50_000, "GBP", "2026-11-01")
    instalment(store, over, 0, "2026-11-01", 40_000)
    instalment(store, over, 1, "2026-12-01", 40_000)
    money = _collections(store)
    assert money.by_age["GBP"][AGE_30] == 40_000 and money.by_age["GBP"][NOT_DUE] == 10_000


def test_instalments_that_became_overdue_in_a_week(seeded):
    store, _ids = seeded
    owed = ReportQueries(store.db).owed(TODAY, None)
    late = late_instalments(owed, TODAY, date(2026, 11, 22), date(2026, 11, 26))
    assert [(x.due_on, x.customer, x.number, x.outstanding) for x in late] == []
    late = late_instalments(owed, TODAY, date(2026, 11, 15), date(2026, 11, 21))
    assert [(x.due_on, x.customer, x.number, x.currency, x.outstanding, x.person) for x in late] == [
        (date(2026, 11, 20), "Acme", "C-2026-0001", "USD", 100_000, "ann")
    ]
