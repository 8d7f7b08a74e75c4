"""The weekly summary's money collected and after-sales cases, read back from the markdown:
the contracts of tests.collections_seed (figures worked out there), in weeks 2026-W47 and
2026-W48, with cases written straight into their table."""

import pytest

from salesdesk import i18n
from salesdesk.core.periods import IsoWeek
from salesdesk.io.weekly import render_weekly
from salesdesk.store.reports import ReportStore
from tests.collections_seed import receipt, seed_collections
from tests.conftest import TODAY
from tests.io.test_weekly import _check_tables

W47, W48 = IsoWeek(2026, 47), IsoWeek(2026, 48)


@pytest.fixture
def seeded(store, clock):
    ids = seed_collections(store, clock)

    def case(title, opened_on, status="open", closed_on=None, owner="ann"):
        return store.records.insert(
            "cases",
            {
                "customer_id": ids["Acme"],
                "title": title,
                "opened_on": opened_on,
                "status": status,
                "closed_on": closed_on,
                "owner": owner,
            },
        )

    case("Sensor broken", "2026-11-24")  # opened this week, open
    case("Invoice wrong", "2026-11-10", "closed", "2026-11-25")  # closed this week
    case("Training", "2026-11-23", "waiting")  # opened this week, waiting
    case("Old question", "2026-10-01", "closed", "2026-10-05")
    store.records.delete("cases", case("Typo", "2026-11-24"))
    case("Bob's", "2026-11-26", owner="bob")
    return store, ids


def _tables(store, week, everyone=True, today=TODAY):
    text = render_weekly(ReportStore(store).weekly(week, today, everyone=everyone))
    return text, {tuple(header): rows for header, rows, _source in _check_tables(text)}


def test_collected_this_week_against_the_week_before(seeded):
    store, ids = seeded
    receipt(store, ids["C1"], "2026-11-24", 30_000)
    text, tables = _tables(store, W48)
    assert "## Money collected" in text
    # W48 (23-29 Nov): the receipt above; W47 (16-22 Nov): Cedar's $1,500 and Acme's $1,000.
    assert tables[("Currency", "This week", "Week before", "Change")] == [
        ["USD", "$300", "$2,500", "-$2,200"]
    ]
    _text, tables = _tables(store, IsoWeek(2026, 46))
    # W46 (9-15 Nov): the refund (the receipt of 10 Nov was deleted); W45: the partial $500
    # and Cedar's first $1,500.
    assert tables[("Currency", "This week", "Week before", "Change")] == [
        ["USD", "$0", "$2,000", "-$2,000"],
        ["CNY", "-¥10,000", "¥0", "-¥10,000"],
    ]


def test_outstanding_and_overdue_by_age(seeded):
    store, _ids = seeded
    _text, tables = _tables(store, W48)
    header = (
        "Currency",
        "Outstanding",
        "Not yet due",
        "0–30 days",
        "31–60 days",
        "61–90 days",
        "Over 90 days",
        "Overdue",
    )
    assert tables[header] == [
        ["USD", "$7,500", "$1,000", "$1,000", "$2,000", "$2,000", "$1,500", "$6,500"],
        ["CNY", "¥10,000", "¥0", "¥0", "¥10,000", "¥0", "¥0", "¥10,000"],
    ]
    # Mine (ann): Birch's contract is bob's customer's.
    _text, tables = _tables(store, W48, everyone=False)
    assert [row[0] for row in tables[header]] == ["USD"]


def test_receipts_of_the_week_and_instalments_that_became_overdue(seeded):
    store, _ids = seeded
    text, tables = _tables(store, W47)
    assert "### Receipts this week (2)" in text
    assert tables[("Received", "Customer", "Contract", "Amount", "Method", "Person")] == [
        ["Mon 16 Nov", "Cedar", "C-2026-0003", "$1,500", "bank transfer", "bob"],
        ["Sat 21 Nov", "Acme", "C-2026-0004", "$1,000", "bank transfer", "ann"],
    ]
    # 20 Nov's instalment was overdue from Saturday 21 Nov, and is still owed today.
    assert "### Became overdue this week (1)" in text
    assert tables[("Due", "Customer", "Contract", "Outstanding", "Person")] == [
        ["Fri 20 Nov", "Acme", "C-2026-0001", "$1,000", "ann"]
    ]
    text, tables = _tables(store, IsoWeek(2026, 46))
    # The refund, as a negative amount; mine leaves out the person column.
    assert tables[("Received", "Customer", "Contract", "Amount", "Method", "Person")] == [
        ["Thu 12 Nov", "Birch", "C-2026-0002", "-¥10,000", "bank transfer", "bob"]
    ]
    text, tables = _tables(store, W48, everyone=False)
    assert "No money received this week." in text and "No instalment became overdue this week." in text
    # Once 20 Nov's instalment is paid it is no longer listed.
    receipt(store, _ids["C1"], "2026-11-26", 750_000)
    text, _tables_now = _tables(store, W47)
    assert "### Became overdue this week (0)" in text


def test_after_sales_cases_opened_closed_and_open_now(seeded):
    store, _ids = seeded
    _text, tables = _tables(store, W48)
    assert tables[("Cases", "How many")] == [
        ["Opened this week", "3"],  # the open one, the waiting one, bob's; not the deleted one
        ["Closed this week", "1"],
        ["Open or waiting now", "3"],
    ]
    _text, tables = _tables(store, W48, everyone=False)
    assert tables[("Cases", "How many")] == [
        ["Opened this week", "2"],
        ["Closed this week", "1"],
        ["Open or waiting now", "2"],
    ]


def test_in_chinese_the_money_collected_is_chinese_tables(seeded):
    store, _ids = seeded
    i18n.set_language("zh")
    text, tables = _tables(store, W47)
    assert "## 回款" in text and "## 售后工单" in text
    assert tables[("币种", "本周", "上周", "变化")][0][0] == "USD"
    assert any(header[0] == "收款日期" for header in tables)
