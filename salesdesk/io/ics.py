"""An iCalendar file of what is coming up, for a phone calendar to import or subscribe to.

Each item is a `CalendarEntry`; follow-ups become entries here (`followup_entry`),
and care reminders (`care_entry`) and instalments still owed (`receivable_entry`) the
same way. Every event's UID is stable
(the record's id, never a date that can be corrected), so a calendar that imports
the file again updates its events instead of doubling them.
"""

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from salesdesk.core.agenda import BIRTHDAY, HOLIDAY, LUNAR_BIRTHDAY, AgendaItem, ReceivableFact
from salesdesk.core.model import kind_name
from salesdesk.core.money import format_money
from salesdesk.i18n import N_, _

PRODID = "-//salesdesk//salesdesk//EN"
TIMED_MINUTES = 30  # how long a follow-up with a time of day is shown for
# iCalendar text may not hold control characters other than tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Every line break Python knows (str.splitlines), with the spaces around it.
_LINE_BREAKS = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")
# A backslash before n or N: icalendar (and calendars that unescape `\n` before `\\`)
# read it as a line break however it is escaped, so it is shown as U+29F5, which looks
# the same.
_BACKSLASH_N = re.compile(r"\\(?=[nN])")


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    day: date
    summary: str
    description: str = ""
    at: time | None = None  # a time of day (local, floating), else an all-day event
    category: str = "salesdesk"
    rrule: str | None = None  # an RFC 5545 rule, for a repeating item


def care_entry(item: AgendaItem) -> CalendarEntry:
    """A dated care reminder (`salesdesk.core.agenda.AgendaItem`) as an all-day event.

    Its uid is `care_uid`: the same when the date it falls on is corrected, so
    importing the calendar again moves the event instead of adding another.
    """
    details = [item.why]
    if item.greet:
        names = _(", ").join(_one_line(name) for name in item.greet)
        if item.greet_count > len(item.greet):
            names += _(" and {n} more").format(n=item.greet_count - len(item.greet))
        details.append(_("Greet: {names}").format(names=names))
    who = f" · {item.customer}" if item.customer else ""
    return CalendarEntry(
        uid=care_uid(item),
        day=item.due,
        summary=f"{item.what}{who}",
        description="\n".join(details),
        category=f"salesdesk {item.kind}",
    )


def care_uid(item: AgendaItem) -> str:
    """The reminder's kind and the record it is about (the deal, else the customer).

    Not its date: a corrected birthday or contract end moves the event. A birthday
    comes every year, so its year tells one from the next; a holiday is its day.
    """
    subject = item.occurrence if item.kind == HOLIDAY else item.deal_id or item.customer_id or item.occurrence
    if item.kind in (BIRTHDAY, LUNAR_BIRTHDAY):
        subject += f"-{item.due.year}"
    return f"care-{item.kind}-{subject}@salesdesk"


def receivable_entry(fact: ReceivableFact) -> CalendarEntry:
    """An instalment still owed as an all-day event on its due day:
    "Collect ¥7,000 — Acme, C-2026-0007". Its uid is the instalment's: a plan whose day
    is corrected moves the event."""
    amount = format_money(fact.outstanding, fact.currency)
    payer = _one_line(fact.company or fact.customer)
    if fact.number:
        summary = _("Collect {amount} — {payer}, {number}").format(
            amount=amount, payer=payer, number=_one_line(fact.number)
        )
    else:
        summary = _("Collect {amount} — {payer}").format(amount=amount, payer=payer)
    details = [
        _("Instalment {n} of {count}").format(n=fact.place, count=fact.planned),
        _("{label}: {value}").format(label=_("Customer"), value=_one_line(fact.customer)),
    ]
    if fact.deal:
        details.append(_("{label}: {value}").format(label=_("Deal"), value=_one_line(fact.deal)))
    return CalendarEntry(
        uid=f"instalment-{fact.instalment_id}@salesdesk",
        day=fact.due,
        summary=summary,
        description="\n".join(details),
        category="salesdesk receivable",
    )


# The lines of a follow-up's description, by the row's column (shown with `_`).
_DETAILS = ((N_("Deal"), "deal"), (N_("Phone"), "phone"), (N_("Email"), "email"))


def followup_entry(row: Mapping[str, Any]) -> CalendarEntry:
    """A follow-up row (`salesdesk.store.exports.open_followups_between`) as an event."""
    # Any: the row's values are as SQLite read them, text or None by the query's columns.
    who = _one_line(row["customer"]) + (f" ({_one_line(row['company'])})" if row.get("company") else "")
    details = [f"{kind_name(row['kind']).capitalize()} {who}"]
    for label, key in _DETAILS:
        if row.get(key):
            details.append(_("{label}: {value}").format(label=_(label), value=_one_line(row[key])))
    at = time.fromisoformat(row["due_time"]) if row.get("due_time") else None
    return CalendarEntry(
        uid=f"followup-{row['id']}@salesdesk",
        day=date.fromisoformat(row["due_date"]),
        summary=f"{row['title']} · {row['customer']}",
        description="\n".join(details),
        at=at,
        category="salesdesk follow-up",
        rrule=row.get("rrule"),
    )


def build_calendar(entries: Iterable[CalendarEntry], now: datetime, name: str = "salesdesk") -> bytes:
    """The iCalendar bytes (RFC 5545) of `entries`; `now` (aware) stamps every event."""
    from icalendar import Calendar, Event, vRecur

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        if entry.at is None:
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + timedelta(days=1))
        else:
            start = datetime.combine(entry.day, entry.at)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=TIMED_MINUTES))
        event.add("summary", _plain(_one_line(entry.summary)))
        if entry.description:
            event.add("description", _plain(entry.description))
        event.add("categories", [entry.category])
        if entry.rrule:
            # A rule dateutil reads but icalendar does not: show one date.
            with contextlib.suppress(ValueError):
                event.add("rrule", vRecur.from_ical(entry.rrule))
        calendar.add_component(event)
    # icalendar leaves Component.to_ical unannotated; it returns the encoded calendar.
    return cast(bytes, calendar.to_ical())


def _plain(text: str) -> str:
    """Text an iCalendar reader shows as it is: control characters (an escape, a bell),
    which iCalendar text cannot hold, as U+FFFD, and no backslash before an n."""
    return _BACKSLASH_N.sub("\u29f5", _CONTROL.sub("\ufffd", text))


def _one_line(text: str) -> str:
    """Line breaks (and the spaces around them) folded into one space: a summary, or one
    line of a description, that some calendars would cut or skip otherwise."""
    return _LINE_BREAKS.sub(" ", text).strip()
