"""The morning agenda: follow-ups, care reminders and money to collect, sorted into
Overdue, Today, Next 7 days.

Pure data and rules; the store gathers the facts and the faces (app, command line)
show the result. `today` always comes in as an argument.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from salesdesk.core.model import kind_name
from salesdesk.core.money import format_money
from salesdesk.i18n import N_, _, ngettext, short_date

# Section titles: keys in English, shown with `_` (i18n).
OVERDUE, TODAY, NEXT = N_("Overdue"), N_("Today"), N_("Next 7 days")
SECTIONS = (OVERDUE, TODAY, NEXT)
HORIZON_DAYS = 7  # "Next 7 days" (SPEC section 3)

FOLLOWUP = "follow-up"
# Care reminders, derived from what is known about a customer, never typed in.
BIRTHDAY, LUNAR_BIRTHDAY, RENEWAL, HOLIDAY = "birthday", "lunar-birthday", "renewal", "holiday"
DORMANT, REPEAT, CHECKIN, NEW_LEAD, ROTTING = "dormant", "repeat", "check-in", "new-lead", "rotting"
REORDER = "reorder"  # a product a customer buys again and again, due again (core.suggest)
# An instalment of a contract due soon or late and not fully paid: money to collect (回款).
# Not a care reminder: it is never dismissed, only paid or snoozed (the debt stays).
RECEIVABLE = "receivable"
# A lead or prospect of its owner's about to go back to the lead pool (core.pool): a
# warning, gone once the owner logs an interaction with it.
POOL_WARNING = "pool"
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
_KIND_ORDER = {kind: index for index, kind in enumerate((FOLLOWUP, RECEIVABLE, *CARE_KINDS))}

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
    # A receivable: the instalment, its contract, what is still owed of it and in what.
    instalment_id: str | None = None
    contract_id: str | None = None
    contract_number: str = ""
    outstanding: int = 0
    currency: str = ""

    @property
    def is_followup(self) -> bool:
        return self.kind == FOLLOWUP

    @property
    def is_receivable(self) -> bool:
        return self.kind == RECEIVABLE

    @property
    def is_care(self) -> bool:
        return self.kind not in (FOLLOWUP, RECEIVABLE)

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


class ReceivableFact(NamedTuple):
    """An instalment still owed, as the store reads it and `core.contracts` worked it out."""

    instalment_id: str
    contract_id: str
    number: str  # the contract's number, "" when it has none
    due: date
    outstanding: int  # minor units of `currency` still owed of this instalment
    currency: str
    place: int  # 1 for the contract's first instalment (by due day)
    planned: int  # instalments in the contract's plan
    customer_id: str
    customer: str
    company: str = ""
    owner: str = ""
    deal_id: str | None = None
    deal: str = ""
    stage: str = ""


def receivable_what(fact: ReceivableFact) -> str:
    """'Collect ¥7,000 from Acme (C-2026-0007, 2 of 3)': the company, else the person."""
    amount = format_money(fact.outstanding, fact.currency)
    payer = fact.company or fact.customer
    if fact.number and fact.planned > 1:
        return _("Collect {amount} from {payer} ({number}, {n} of {count})").format(
            amount=amount, payer=payer, number=fact.number, n=fact.place, count=fact.planned
        )
    if fact.number:
        return _("Collect {amount} from {payer} ({number})").format(
            amount=amount, payer=payer, number=fact.number
        )
    if fact.planned > 1:
        return _("Collect {amount} from {payer} ({n} of {count})").format(
            amount=amount, payer=payer, n=fact.place, count=fact.planned
        )
    return _("Collect {amount} from {payer}").format(amount=amount, payer=payer)


def receivable_why(due: date, today: date) -> str:
    """'instalment due', or how late it is: '12 days late'."""
    late = (today - due).days
    if late <= 0:
        return _("instalment due")
    return ngettext("{n} day late", "{n} days late", late).format(n=late)


def receivable_item(fact: ReceivableFact, today: date) -> AgendaItem:
    return AgendaItem(
        key=f"{RECEIVABLE}:{fact.instalment_id}",
        kind=RECEIVABLE,
        due=fact.due,
        what=receivable_what(fact),
        why=receivable_why(fact.due, today),
        customer_id=fact.customer_id,
        customer=fact.customer,
        company=fact.company,
        owner=fact.owner,
        deal_id=fact.deal_id,
        deal=fact.deal,
        stage=fact.stage,
        occurrence=fact.due.isoformat(),
        instalment_id=fact.instalment_id,
        contract_id=fact.contract_id,
        contract_number=fact.number,
        outstanding=fact.outstanding,
        currency=fact.currency,
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


def pool_warning_item(
    customer_id: str,
    customer: str,
    company: str,
    owner: str,
    back_on: date,
    why: str,
    today: date,
) -> AgendaItem:
    """'Pool in 2d' for a customer that goes back to the pool on `back_on` (why: since when
    it was not worked), due today: the owner sees it among today's work."""
    left = (back_on - today).days
    return AgendaItem(
        key=reminder_id(POOL_WARNING, customer_id, back_on.isoformat()),
        kind=POOL_WARNING,
        due=today,
        what=ngettext("Pool in {n}d", "Pool in {n}d", left).format(n=left),
        why=why,
        customer_id=customer_id,
        customer=customer,
        company=company,
        owner=owner,
        occurrence=back_on.isoformat(),
    )
