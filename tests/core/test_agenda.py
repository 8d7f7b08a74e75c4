"""The agenda's sections and order, from items made by hand, with a fixed today."""

from datetime import date, timedelta

from salesdesk.core.agenda import (
    BIRTHDAY,
    FOLLOWUP,
    NEXT,
    OVERDUE,
    ROTTING,
    TODAY,
    AgendaItem,
    FollowUpFact,
    build_agenda,
    followup_item,
    reminder_id,
    section_of,
    when_text,
)

DAY = date(2026, 11, 27)  # a Friday


def item(key, due, kind=FOLLOWUP, who="Wang Wei", time=None):
    return AgendaItem(key=key, kind=kind, due=due, what=f"do {key}", why="", customer=who, due_time=time)


def test_sections_split_on_today_and_the_horizon():
    assert section_of(DAY - timedelta(days=30), DAY) == OVERDUE
    assert section_of(DAY, DAY) == TODAY
    assert section_of(DAY + timedelta(days=1), DAY) == NEXT
    assert section_of(DAY + timedelta(days=7), DAY) == NEXT
    assert section_of(DAY + timedelta(days=8), DAY) is None


def test_build_sorts_into_sections_in_order_and_drops_what_is_later():
    items = [
        item("late", DAY + timedelta(days=8)),
        item("b", DAY, who="Zhou"),
        item("birthday", DAY, kind=BIRTHDAY, who="Anna"),
        item("timed", DAY, time="15:30"),
        item("early", DAY, time="09:00"),
        item("old", DAY - timedelta(days=3)),
        item("older", DAY - timedelta(days=9)),
        item("soon", DAY + timedelta(days=2)),
    ]
    agenda = build_agenda(items, DAY)
    assert [i.key for i in agenda.section(OVERDUE).items] == ["older", "old"]
    # Timed first, then booked follow-ups, then reminders.
    assert [i.key for i in agenda.section(TODAY).items] == ["early", "timed", "b", "birthday"]
    assert [i.key for i in agenda.section(NEXT).items] == ["soon"]
    assert [s.title for s in agenda.sections] == [OVERDUE, TODAY, NEXT]
    assert [i.key for i in agenda.triage()] == ["older", "old", "early", "timed", "b", "birthday"]


def test_resolved_care_reminders_are_left_out_but_follow_ups_never():
    care = item(reminder_id(BIRTHDAY, "c1", "2026-11-27"), DAY, kind=BIRTHDAY)
    followup = item("follow-up:f1", DAY)
    agenda = build_agenda([care, followup], DAY, resolved={care.key, followup.key})
    assert [i.key for i in agenda.items] == ["follow-up:f1"]


def test_reminder_ids_name_kind_customer_and_occurrence():
    assert reminder_id(ROTTING, "c1", "d1@2026-11-10") == "rotting:c1:d1@2026-11-10"
    assert reminder_id("holiday", None, "2027-01-01") == "holiday::2027-01-01"


def test_a_follow_up_item_carries_its_deal_stage_and_recurrence():
    fact = FollowUpFact(
        "f1",
        DAY,
        "Call back",
        "email",
        "ann",
        "c1",
        "Wang Wei",
        "Huaxin",
        "10:00",
        "FREQ=WEEKLY",
        "d1",
        "50 laptops",
        "Quote",
    )
    made = followup_item(fact)
    assert (made.key, made.kind, made.how, made.recurring) == ("follow-up:f1", FOLLOWUP, "email", True)
    assert (made.deal, made.stage, made.due_time) == ("50 laptops", "Quote", "10:00")
    assert made.why == "follow-up (email), repeats"


def test_when_says_how_late_or_what_time():
    assert when_text(item("a", DAY - timedelta(days=4)), DAY) == "Mon 23 Nov, 4d late"
    assert when_text(item("a", DAY - timedelta(days=1)), DAY) == "yesterday"
    assert when_text(item("a", DAY, time="10:00"), DAY) == "10:00"
    assert when_text(item("a", DAY), DAY) == "today"
    assert when_text(item("a", DAY + timedelta(days=3), time="09:30"), DAY) == "Mon 30 Nov 09:30"
