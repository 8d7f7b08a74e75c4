"""The words of a receivable row and of a renewal per contract, on a fixed today."""

from datetime import date, timedelta

from salesdesk import i18n
from salesdesk.core.agenda import (
    FOLLOWUP,
    OVERDUE,
    RECEIVABLE,
    AgendaItem,
    ReceivableFact,
    build_agenda,
    receivable_item,
    receivable_what,
    receivable_why,
)
from salesdesk.core.care import Person, RenewalFact, renewal_occurrence

DAY = date(2026, 11, 27)


def fact(**changes):
    values = dict(
        instalment_id="i2",
        contract_id="k1",
        number="C-2026-0007",
        due=DAY - timedelta(days=12),
        outstanding=7_000_00,
        currency="CNY",
        place=2,
        planned=3,
        customer_id="c1",
        customer="Wang Wei",
        company="Acme",
    )
    values.update(changes)
    return ReceivableFact(**values)


def test_a_receivable_says_how_much_from_whom_and_which_instalment():
    assert receivable_what(fact()) == "Collect ¥7,000 from Acme (C-2026-0007, 2 of 3)"
    assert (
        receivable_what(fact(company="", planned=1, place=1)) == "Collect ¥7,000 from Wang Wei (C-2026-0007)"
    )
    assert receivable_what(fact(number="", currency="USD", outstanding=12_50)) == (
        "Collect $12 from Acme (2 of 3)"
    )
    assert receivable_what(fact(number="", planned=1)) == "Collect ¥7,000 from Acme"


def test_a_receivable_says_due_or_how_late():
    assert receivable_why(DAY, DAY) == "instalment due"
    assert receivable_why(DAY + timedelta(days=3), DAY) == "instalment due"
    assert receivable_why(DAY - timedelta(days=1), DAY) == "1 day late"
    assert receivable_why(DAY - timedelta(days=12), DAY) == "12 days late"


def test_a_receivable_row_is_its_own_kind_neither_follow_up_nor_care():
    item = receivable_item(fact(), DAY)
    assert (item.kind, item.key, item.outstanding, item.instalment_id) == (
        RECEIVABLE,
        "receivable:i2",
        7_000_00,
        "i2",
    )
    assert item.is_receivable and not item.is_care and not item.is_followup
    # Never left out as a dismissed care reminder, and after a follow-up on its day.
    followup = AgendaItem("follow-up:f", FOLLOWUP, item.due, "Call", "", customer="Zed")
    agenda = build_agenda([item, followup], DAY, resolved=[item.key])
    assert [i.key for i in agenda.section(OVERDUE).items] == ["follow-up:f", "receivable:i2"]


def test_a_receivable_in_chinese():
    i18n.set_language("zh_CN")
    assert receivable_why(DAY - timedelta(days=12), DAY) == "逾期 12 天"
    # The amount first: a narrow column cuts the end of the row, never what is owed.
    assert receivable_what(fact()) == "收款 ¥7,000：Acme（C-2026-0007，第 2/3 期）"


def test_a_renewal_occurrence_names_the_contract_unless_carried_over():
    rob = Person("c9", "Rob")
    end = DAY + timedelta(days=30)
    assert renewal_occurrence(RenewalFact(rob, end, "k1", "C-2026-0001")) == f"k1@{end.isoformat()}"
    assert renewal_occurrence(RenewalFact(rob, end, "contract-end-c9")) == end.isoformat()
    assert renewal_occurrence(RenewalFact(rob, end)) == end.isoformat()
