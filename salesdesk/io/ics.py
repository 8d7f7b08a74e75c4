"""An iCalendar file of what is coming up, for a phone calendar to import or subscribe to.

Each item is a `CalendarEntry`; follow-ups become entries here (`followup_entry`),
and care reminders can become entries the same way. Every event's UID is stable
(the record's id), so a calendar that imports the file again updates its events
instead of doubling them.
"""

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from salesdesk.core.agenda import AgendaItem

PRODID = "-//salesdesk//salesdesk//EN"
TIMED_MINUTES = 30  # how long a follow-up with a time of day is shown for
# iCalendar text may not hold control characters other than tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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

    Its uid is the reminder's own id, so importing the calendar again updates it.
    """
    details = [item.why]
    if item.greet:
        details.append(
            "Greet: "
            + ", ".join(item.greet)
            + (
                f" and {item.greet_count - len(item.greet)} more"
                if item.greet_count > len(item.greet)
                else ""
            )
        )
    who = f" · {item.customer}" if item.customer else ""
    return CalendarEntry(
        uid=f"care-{item.key}@salesdesk",
        day=item.due,
        summary=f"{item.what}{who}",
        description="\n".join(details),
        category=f"salesdesk {item.kind}",
    )


def followup_entry(row: Mapping[str, Any]) -> CalendarEntry:
    """A follow-up row (`salesdesk.store.exports.open_followups_between`) as an event."""
    # Any: the row's values are as SQLite read them, text or None by the query's columns.
    who = row["customer"] + (f" ({row['company']})" if row.get("company") else "")
    details = [f"{row['kind'].capitalize()} {who}"]
    for label, key in (("Deal", "deal"), ("Phone", "phone"), ("Email", "email")):
        if row.get(key):
            details.append(f"{label}: {row[key]}")
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
        event.add("summary", _plain(entry.summary))
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
    """Control characters (an escape, a bell) shown as U+FFFD: iCalendar text cannot hold them."""
    return _CONTROL.sub("\ufffd", text)
