"""Dated care reminders over weeks, for the calendar export."""

from datetime import UTC, datetime

import icalendar
import pytest

from salesdesk.io.ics import build_calendar, care_entry
from salesdesk.store.agenda import dated_care_between
from salesdesk.store.contracts import ContractStore
from tests.conftest import TODAY


def test_birthdays_and_renewals_of_the_coming_weeks_each_once(store):
    store.add_customer("Li Na", birthday="1990-12-20")  # in 23 days
    store.add_customer("Tom", birthday="--01-02")  # in 36 days, no year
    ann_co = store.add_customer("Ann Co", contract_end="2026-12-31")  # renewal reminder
    # Renewals come from contracts: the store keeps the customer's contract end in step
    # with its contract; again here, which changes nothing.
    ContractStore(store).set_customer_end(ann_co, "2026-12-31")
    store.add_customer("Late", birthday="1980-03-01")  # beyond six weeks
    last = TODAY.replace(year=2027, month=1, day=7)
    items = dated_care_between(store, TODAY, last)
    kinds = [(item.kind, item.customer, item.due.isoformat()) for item in items]
    assert ("birthday", "Li Na", "2026-12-20") in kinds
    assert ("birthday", "Tom", "2027-01-02") in kinds
    assert any(kind == "renewal" and who == "Ann Co" for kind, who, _ in kinds)
    assert not any(who == "Late" for _, who, _ in kinds)
    assert len({item.key for item in items}) == len(items)


def test_care_reminders_become_calendar_events_that_parse_back(store):
    store.add_customer("Li Na", birthday="1990-12-20")
    items = dated_care_between(store, TODAY, TODAY.replace(month=12, day=31))
    data = build_calendar([care_entry(item) for item in items], datetime(2026, 11, 27, tzinfo=UTC))
    events = [
        e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "birthday" in str(e["UID"])
    ]  # a holiday greeting may be due too
    assert len(events) == 1
    assert str(events[0]["UID"]).startswith("care-birthday-")
    assert "Li Na" in str(events[0]["SUMMARY"])
    assert events[0].decoded("DTSTART").isoformat() == "2026-12-20"


def _birthday_events(store, today=TODAY):
    items = dated_care_between(store, today, today.replace(month=12, day=31))
    data = build_calendar([care_entry(item) for item in items], datetime(2026, 11, 27, tzinfo=UTC))
    events = [e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "birthday" in str(e["UID"])]
    return data, events


def test_a_corrected_birthday_keeps_its_event_uid(store):
    customer_id = store.add_customer("Li Na", birthday="1990-12-20")
    _, [before] = _birthday_events(store)
    store.update_customer(customer_id, {"birthday": "1990-12-02"})
    _, [after] = _birthday_events(store)
    assert before.decoded("DTSTART").isoformat() == "2026-12-20"
    assert after.decoded("DTSTART").isoformat() == "2026-12-02"
    assert str(after["UID"]) == str(before["UID"]) == f"care-birthday-{customer_id}-2026@salesdesk"


def test_a_renewal_uid_is_the_customer_not_the_contract_end(store):
    customer_id = store.add_customer("Ann Co", contract_end="2026-12-31")
    ContractStore(store).set_customer_end(customer_id, "2026-12-31")  # as the store keeps it
    [item] = [i for i in dated_care_between(store, TODAY, TODAY.replace(month=12, day=31)) if i.customer]
    assert care_entry(item).uid == f"care-renewal-{customer_id}@salesdesk"


def test_a_renewal_of_a_deal_contract_is_that_deal_s_event(store):
    contracts = ContractStore(store)
    customer_id = store.add_customer("Ann Co")
    deal = store.add_deal(customer_id, "Support", 100_00, "CNY", stage_id="stage-signed")
    contracts.make(deal, {**contracts.prefill(deal, TODAY), "ends_on": "2026-12-31"})
    [item] = [i for i in dated_care_between(store, TODAY, TODAY.replace(month=12, day=31)) if i.customer]
    entry = care_entry(item)
    assert entry.uid == f"care-renewal-{deal}@salesdesk"
    assert entry.summary == "Contract renewal: C-2026-0001 · Ann Co"


@pytest.mark.parametrize(
    "name, shown",
    [
        ("Li\nNa", "Li Na"),
        ("Li \r\n Na\u2028(Beijing)", "Li Na (Beijing)"),
        ("Li\\Na", "Li\u29f5Na"),  # a backslash before N: no line break in any reader
        ("C:\\new", "C:\u29f5new"),
        ("Back\\slash", "Back\\slash"),  # any other backslash stays
    ],
)
def test_a_name_with_line_breaks_or_backslash_n_stays_on_one_summary_line(store, name, shown):
    store.add_customer(name, birthday="1990-12-20")
    data, [event] = _birthday_events(store)
    assert str(event["SUMMARY"]) == f"Birthday greetings · {shown}"
    raw = data.decode()
    [line] = [line for line in raw.split("\r\n") if line.startswith("SUMMARY:Birthday")]
    assert "\\n" not in line.casefold() and line.endswith(shown.replace("\\", "\\\\"))


def test_instalments_still_owed_become_all_day_events_on_their_due_day(store):
    from salesdesk.core.contracts import PlanPart
    from salesdesk.io.ics import receivable_entry
    from salesdesk.store.agenda import owed_between
    from salesdesk.store.contracts import ContractStore

    contracts = ContractStore(store)
    customer = store.add_customer("Wang Wei", company="Acme")
    deal = store.add_deal(customer, "Laptops", 10_000_00, "CNY", stage_id="stage-signed")
    contract = contracts.make(deal, {**contracts.prefill(deal, TODAY), "number": "C-2026-0007"})
    day = TODAY.replace(month=12, day=1)
    plan = [
        TODAY.replace(day=1),
        day,
        TODAY.replace(month=12, day=20),
        TODAY.replace(year=2027, month=3, day=1),
    ]
    ids = contracts.set_plan(contract, [PlanPart(due, 2_500_00, "") for due in plan])
    contracts.record_receipt(contract, 3_000_00, TODAY)  # the first paid, 500 of the second
    contracts.snooze_instalment(ids[2], day)  # hidden on Today for a while; owed all the same
    bobs = store.add_customer("Bob's", owner="bob")
    other = store.add_deal(bobs, "Bob's deal", 100_00, "CNY", stage_id="stage-signed")
    contracts.set_plan(contracts.make(other, contracts.prefill(other, TODAY)), [PlanPart(day, 100_00, "")])
    last = TODAY.replace(year=2027, month=1, day=7)
    facts = owed_between(store, TODAY, last)
    assert [(f.instalment_id, f.outstanding) for f in facts] == [(ids[1], 2_000_00), (ids[2], 2_500_00)]
    assert len(owed_between(store, TODAY, last, everyone=True)) == 3
    data = build_calendar([receivable_entry(f) for f in facts], datetime(2026, 11, 27, tzinfo=UTC))
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Collect ¥2,000 — Acme, C-2026-0007",
        "Collect ¥2,500 — Acme, C-2026-0007",
    ]
    first = events[0]
    assert first.decoded("DTSTART") == day and first.decoded("DTEND") == day.replace(day=2)  # all day
    assert str(first["UID"]) == f"instalment-{ids[1]}@salesdesk"
    described = str(first["DESCRIPTION"])
    assert "Instalment 2 of 4" in described and "Deal: Laptops" in described
    assert [str(c) for c in first.get("CATEGORIES").cats] == ["salesdesk receivable"]


def test_the_calendar_reads_money_owed_once_not_with_every_week_of_care(store):
    seen = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        dated_care_between(store, TODAY, TODAY.replace(year=2027, month=1, day=7))
    finally:
        store.db.conn.set_trace_callback(None)
    assert any("FROM customers" in s for s in seen)  # the care reminders were read
    assert not any("FROM receipts" in s for s in seen)
