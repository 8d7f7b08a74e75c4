"""The morning agenda: follow-ups and care reminders, sorted into Overdue, Today, Next 7 days.

Pure data and rules; the store gathers the facts and the faces (app, command line)
show the result. `today` always comes in as an argument.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from salesdesk.core.model import kind_name
from salesdesk.i18n import N_, _, short_date

# Section titles: keys in English, shown with `_` (i18n).
OVERDUE, TODAY, NEXT = N_("Overdue"), N_("Today"), N_("Next 7 days")
SECTIONS = (OVERDUE, TODAY, NEXT)
HORIZON_DAYS = 7  # "Next 7 days" (SPEC section 3)

FOLLOWUP = "follow-up"
# Care reminders, derived from what is known about a customer, never typed in.
BIRTHDAY, LUNAR_BIRTHDAY, RENEWAL, HOLIDAY = "birthday", "lunar-birthday", "renewal", "holiday"
DORMANT, REPEAT, CHECKIN, NEW_LEAD, ROTTING = "dormant", "repeat", "check-in", "new-lead", "rotting"
REORDER = "reorder"  # a product a customer buys again and again, due again (core.suggest)
CARE_KINDS = (
    BIRTHDAY,
    LUNAR_BIRTHDAY,
    RENEWAL,
    HOLIDAY,
    DORMANT,
    REORDER,
    REPEAT,
    CHECKIN,
    NEW_LEAD,
    ROTTING,
)
# Within a day: booked work first, then the reminders, the most personal first.
_KIND_ORDER = {kind: index for index, kind in enumerate((FOLLOWUP, *CARE_KINDS))}

DONE, DISMISSED = "done", "dismissed"  # outcomes recorded for a care reminder


def reminder_id(kind: str, subject: str | None, occurrence: str) -> str:
    """`kind:customer:occurrence`: the same on every device, so a dismissal syncs."""
    return f"{kind}:{subject or ''}:{occurrence}"


class FollowUpFact(NamedTuple):
    """An open follow-up as the store reads it, with its customer, deal and stage.

    A named tuple: the store makes thousands of these on a large database.
    """

    id: str
    due: date
    title: str
    kind: str
    owner: str
    customer_id: str
    customer: str
    company: str = ""
    due_time: str | None = None
    rrule: str | None = None
    deal_id: str | None = None
    deal: str = ""
    stage: str = ""


@dataclass(slots=True)
class AgendaItem:
    """One row of the agenda: what to do, for whom, why, and the deal where there is one.

    Read-only by convention; not frozen, because a frozen dataclass is several times
    slower to make and a large agenda makes thousands.
    """

    key: str  # "follow-up:<id>" or the reminder id (see `reminder_id`)
    kind: str
    due: date
    what: str
    why: str
    customer_id: str | None = None
    customer: str = ""
    company: str = ""
    owner: str = ""
    deal_id: str | None = None
    deal: str = ""
    stage: str = ""
    due_time: str | None = None
    followup_id: str | None = None
    how: str = ""  # a follow-up's kind: call, email, meeting...
    recurring: bool = False
    occurrence: str = ""  # what a care reminder is about: a date, or deal@date
    greet: tuple[str, ...] = ()  # a holiday: names of (the first) customers to greet
    greet_ids: tuple[str, ...] = ()
    greet_count: int = 0

    @property
    def is_followup(self) -> bool:
        return self.kind == FOLLOWUP

    @property
    def is_care(self) -> bool:
        return self.kind != FOLLOWUP

    @property
    def who(self) -> str:
        """The customer, or for a holiday how many customers to greet."""
        if self.kind == HOLIDAY:
            shown = ", ".join(self.greet[:3])
            more = self.greet_count - min(len(self.greet), 3)
            if not shown:
                return _("no customers")
            return shown + (_(" and {n} more").format(n=f"{more:,}") if more > 0 else "")
        return self.customer


def followup_why(kind: str, repeats: bool) -> str:
    """The why column of a follow-up: 'follow-up (call), repeats'."""
    why = _("follow-up ({kind})").format(kind=kind_name(kind))
    return why + _(", repeats") if repeats else why


def followup_items(facts: Iterable[FollowUpFact]) -> list[AgendaItem]:
    """The items of many follow-ups, each kind's words looked up once."""
    whys: dict[tuple[str, bool], str] = {}
    items = []
    for fact in facts:
        key = (fact.kind, bool(fact.rrule))
        why = whys.get(key)
        if why is None:
            why = whys[key] = followup_why(*key)
        items.append(followup_item(fact, why))
    return items


def followup_item(fact: FollowUpFact, why: str | None = None) -> AgendaItem:
    if why is None:
        why = followup_why(fact.kind, bool(fact.rrule))
    return AgendaItem(
        key=f"{FOLLOWUP}:{fact.id}",
        kind=FOLLOWUP,
        due=fact.due,
        what=fact.title,
        why=why,
        customer_id=fact.customer_id,
        customer=fact.customer,
        company=fact.company,
        owner=fact.owner,
        deal_id=fact.deal_id,
        deal=fact.deal,
        stage=fact.stage,
        due_time=fact.due_time,
        followup_id=fact.id,
        how=fact.kind,
        recurring=bool(fact.rrule),
    )


def section_of(due: date, today: date) -> str | None:
    """Which section a date falls in; None past the horizon."""
    if due < today:
        return OVERDUE
    if due == today:
        return TODAY
    if due <= today + timedelta(days=HORIZON_DAYS):
        return NEXT
    return None


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class Agenda:
    today: date
    sections: tuple[Section, ...]
    everyone: bool = False
    resolved: frozenset[str] = field(default_factory=frozenset)  # care reminders done or dismissed

    @property
    def items(self) -> list[AgendaItem]:
        return [item for section in self.sections for item in section.items]

    def section(self, title: str) -> Section:
        return next(section for section in self.sections if section.title == title)

    def count(self, title: str) -> int:
        return len(self.section(title).items)

    def triage(self) -> list[AgendaItem]:
        """What triage steps through: everything overdue, then everything due today."""
        return [*self.section(OVERDUE).items, *self.section(TODAY).items]


def _order(item: AgendaItem) -> tuple[date, bool, str, int, str, str]:
    return (
        item.due,
        item.due_time is None,
        item.due_time or "",
        _KIND_ORDER.get(item.kind, 99),
        item.who.casefold(),
        item.key,
    )


def build_agenda(
    items: Iterable[AgendaItem], today: date, resolved: Iterable[str] = (), *, everyone: bool = False
) -> Agenda:
    """Sort items into the sections, leaving out care reminders already done or dismissed."""
    resolved = frozenset(resolved)
    grouped: dict[str, list[AgendaItem]] = {title: [] for title in SECTIONS}
    seen: set[str] = set()
    for item in items:
        if item.key in seen or (item.is_care and item.key in resolved):
            continue
        title = section_of(item.due, today)
        if title is None:
            continue
        seen.add(item.key)
        grouped[title].append(item)
    return Agenda(
        today,
        tuple(Section(title, tuple(sorted(grouped[title], key=_order))) for title in SECTIONS),
        everyone,
        resolved,
    )


def when_text(item: AgendaItem, today: date) -> str:
    """The date column: a weekday and date, a time today, or how late."""
    if item.due == today:
        return item.due_time or _("today")
    if item.due < today:
        late = (today - item.due).days
        return (
            _("{date}, {days}d late").format(date=short_date(item.due), days=late)
            if late > 1
            else _("yesterday")
        )
    text = short_date(item.due)
    return f"{text} {item.due_time}" if item.due_time else text
