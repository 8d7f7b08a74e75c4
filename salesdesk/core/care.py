"""Care reminders: what the calendar and a customer's history say is due.

Birthdays (solar, and lunar for customers who keep a Chinese lunar birthday),
contract renewals, holiday greetings, dormant customers, repeat buyers past their
usual interval, post-sale check-ins, new leads not yet contacted, and rotting deals.

Pure functions of facts the store gathered, a `today` and the settings; the calendar
arithmetic (lunar dates, holidays, 29 February) is in `calendars`.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from itertools import pairwise
from statistics import median
from typing import NamedTuple

from salesdesk.core import pipeline
from salesdesk.core.agenda import (
    BIRTHDAY,
    CHECKIN,
    DORMANT,
    HOLIDAY,
    HORIZON_DAYS,
    LUNAR_BIRTHDAY,
    NEW_LEAD,
    RENEWAL,
    REPEAT,
    ROTTING,
    AgendaItem,
    reminder_id,
)
from salesdesk.core.calendars import (
    Holiday,
    Span,
    birthday_in,
    birthday_keys,
    holidays_between,
    lunar_days,
    supported_countries,
)
from salesdesk.core.cases import open_case_words
from salesdesk.core.errors import InvalidValue
from salesdesk.core.money import check_currency
from salesdesk.core.segments import DEFAULT_TIER_THRESHOLDS, parse_thresholds, thresholds_from
from salesdesk.i18n import _, ngettext, short_date

TIERS = ("A", "B", "C")


@dataclass(frozen=True)
class CareSettings:
    """The settings of the Today screen's dialog: the thresholds of the care reminders,
    the default currency and the value tiers. Each is a setting stored in the database."""

    dormant_days: int = 90
    """A customer who has bought is dormant after this many days without an interaction."""
    renewal_days: int = 30
    """A contract renewal is due this many days before the contract ends."""
    holiday_country: str = "CN"
    """Whose public holidays to greet customers on (ISO 3166 code; empty: none)."""
    holiday_days_ahead: int = 14
    """A holiday greeting is due this many days before the holiday."""
    holiday_tiers: tuple[str, ...] = ("A", "B")
    """Which value tiers get a holiday greeting."""
    checkin_days: int = 30
    """A post-sale check-in is due this many days after a deal reaches Paid."""
    new_lead_days: int = 1
    """A new customer nobody has contacted is flagged this many days after being added."""
    care_overdue_days: int = 7
    """A care reminder nobody acted on stays in Overdue this many days, then drops off."""
    currency: str = "USD"
    """The currency of a new deal unless another is chosen, and the first in the totals."""
    tier_thresholds: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: dict(DEFAULT_TIER_THRESHOLDS)
    )
    """Per currency, the won revenue of twelve months (minor units) for tiers A and B;
    revenue in a currency not listed counts for no tier (amounts are never converted)."""
    receivable_days: int = 7
    """An instalment not fully paid is on Today this many days before it is due."""
    paid_on_collection: str = "move"
    """When a contract is fully collected: "move" its deal to Paid and say so, or "ask" first."""


SETTING_KEYS = tuple(f.name for f in fields(CareSettings))
PAID_ON_COLLECTION = ("move", "ask")  # the choices of the setting paid_on_collection
DAY_LIMITS = {
    "receivable_days": (0, 90),
    "dormant_days": (1, 3650),
    "renewal_days": (0, 365),
    "holiday_days_ahead": (0, 90),
    "checkin_days": (1, 365),
    "new_lead_days": (1, 60),
    "care_overdue_days": (0, 60),
}


def care_settings(read: Callable[[str], object]) -> CareSettings:
    """The settings from a reader of stored values (None: the default)."""
    defaults = CareSettings()
    values: dict[str, object] = {}
    for key in SETTING_KEYS:
        value = read(key)
        if value is None:
            continue
        if key == "holiday_tiers" and isinstance(value, Iterable):
            value = tuple(value)
        elif key == "tier_thresholds":
            value = thresholds_from(value)
        values[key] = value
    return CareSettings(**{**{k: getattr(defaults, k) for k in SETTING_KEYS}, **values})


def parse_setting(key: str, text: str) -> int | str | list[str] | dict[str, tuple[int, int]]:
    """Read a setting as typed in the settings dialog; raise InvalidValue when it is not one."""
    text = text.strip()
    if key in DAY_LIMITS:
        low, high = DAY_LIMITS[key]
        if not text.isdigit() or not low <= int(text) <= high:
            raise InvalidValue(
                key,
                _("{value} is not a number of days; use a whole number from {low} to {high}.").format(
                    value=repr(text), low=low, high=high
                ),
            )
        return int(text)
    if key == "holiday_tiers":
        tiers = [part for part in text.upper().replace(",", " ").split() if part]
        unknown = [tier for tier in tiers if tier not in TIERS]
        if unknown:
            raise InvalidValue(
                key, _("{value} is not a tier; use A, B and C, e.g. 'A B'.").format(value=repr(unknown[0]))
            )
        return sorted(set(tiers))
    if key == "holiday_country":
        code = text.upper()
        if code and code not in supported_countries():
            raise InvalidValue(
                key,
                _(
                    "{value} is not a country the holiday calendar knows; "
                    "use a code such as CN, US, GB or DE, or leave it empty."
                ).format(value=repr(text)),
            )
        return code
    if key == "currency":
        try:
            return check_currency(text)
        except InvalidValue as error:
            raise InvalidValue(key, str(error)) from None
    if key == "tier_thresholds":
        return parse_thresholds(text, key)
    if key == "paid_on_collection":
        if text not in PAID_ON_COLLECTION:
            raise InvalidValue(key, _("{value} is not a choice; use move or ask.").format(value=repr(text)))
        return text
    raise InvalidValue(key, _("There is no care setting {key}.").format(key=repr(key)))


# -- the facts the store gathers -------------------------------------------------------


class Person(NamedTuple):
    """A customer, as a reminder names them.

    This and the facts below are named tuples: the store makes thousands of them on a
    large database, several times quicker than frozen dataclasses.
    """

    id: str
    name: str
    company: str = ""
    owner: str = ""


class BirthdayFact(NamedTuple):
    """A solar birthday (month and day, the year of birth when known) or a lunar one."""

    customer: Person
    year: int | None = None
    month: int | None = None
    day: int | None = None
    lunar: str | None = None  # 'MM-DD' of the Chinese calendar


class RenewalFact(NamedTuple):
    """A contract's end: one renewal per contract."""

    customer: Person
    contract_end: date
    contract_id: str = ""
    number: str = ""  # the contract's number, "" for one without (a customer's contract end)
    deal_id: str | None = None


def renewal_occurrence(fact: RenewalFact) -> str:
    """What a renewal is about: the contract and its end day.

    A customer's contract end carried over by migration 17 (`contract-end-<customer>`)
    keeps the end day alone, as its reminder was before contracts: a renewal done or
    dismissed then stays so.
    """
    end = fact.contract_end.isoformat()
    if not fact.contract_id or fact.contract_id == f"contract-end-{fact.customer.id}":
        return end
    return f"{fact.contract_id}@{end}"


class QuietFact(NamedTuple):
    """A customer and when anyone last spoke to them (None: never)."""

    customer: Person
    last_contact: date | None
    created: date
    bought: bool = False  # has a won deal
    open_deals: int = 0


class RepeatFact(NamedTuple):
    customer: Person
    won_on: tuple[date, ...]  # when each won deal closed
    open_deals: int


class DealFact(NamedTuple):
    """A deal and when it entered its current stage."""

    customer: Person
    deal_id: str
    title: str
    stage_id: str
    entered: date
    owner: str = ""
    followup_ahead: bool = False
    open_cases: int = 0  # the customer's open or waiting after-sales cases (check-ins)


@dataclass(frozen=True)
class Greeting:
    """Whom to greet on a holiday: the first names and how many in all."""

    customers: tuple[Person, ...]
    count: int


@dataclass(frozen=True)
class CareFacts:
    birthdays: tuple[BirthdayFact, ...] = ()
    renewals: tuple[RenewalFact, ...] = ()
    quiet: tuple[QuietFact, ...] = ()  # candidates for dormant and for new leads
    repeat: tuple[RepeatFact, ...] = ()
    paid: tuple[DealFact, ...] = ()  # deals that reached the Paid stage around the check-in window
    open_deals: tuple[DealFact, ...] = ()  # deals that may have started rotting lately
    greeting: Greeting | None = None


# -- the windows the store asks about ----------------------------------------------------


@dataclass(frozen=True)
class CareWindow:
    """Which facts can give a reminder between the grace period and the horizon."""

    today: date
    shown: Span  # due dates that appear: from the oldest still overdue to the horizon
    birthday_keys: tuple[str, ...]  # 'MM-DD' of solar birthdays kept in `shown`
    lunar_days: dict[str, tuple[date, ...]]  # lunar 'MM-DD' -> solar days in `shown`
    contract_ends: Span
    contacted: Span  # last contact on these days: dormant around today
    created: Span  # never contacted, added on these days: new lead or dormant
    paid: Span  # reached Paid on these days
    entered: dict[str, Span]  # open stage id -> entered on these days: rotting lately
    holidays: tuple[Holiday, ...]


def care_window(today: date, settings: CareSettings, stages: Iterable[pipeline.Stage]) -> CareWindow:
    grace = settings.care_overdue_days
    horizon = today + timedelta(days=HORIZON_DAYS)
    shown = Span(today - timedelta(days=grace), horizon)
    dormant = timedelta(days=settings.dormant_days)
    lead = timedelta(days=settings.new_lead_days)
    checkin = timedelta(days=settings.checkin_days)
    entered = {}
    for stage in stages:
        if stage.kind == pipeline.OPEN and stage.rotting_days is not None:
            # Rotting starts the day after `rotting_days` in the stage.
            rot = timedelta(days=stage.rotting_days + 1)
            entered[stage.id] = Span(shown.first - rot, today - rot)
    created_first = min(shown.first - dormant, shown.first - lead)
    holidays: tuple[Holiday, ...] = ()
    if settings.holiday_country:
        ahead = timedelta(days=settings.holiday_days_ahead)
        holidays = tuple(day for day in holidays_between(settings.holiday_country, today, horizon + ahead))
    return CareWindow(
        today=today,
        shown=shown,
        birthday_keys=birthday_keys(shown),
        lunar_days=lunar_days(shown),
        contract_ends=Span(today, horizon + timedelta(days=settings.renewal_days)),
        contacted=Span(shown.first - dormant, today - dormant),
        created=Span(created_first, today - lead),
        paid=Span(shown.first - checkin, horizon - checkin),
        entered=entered,
        holidays=holidays,
    )


# -- birthdays ---------------------------------------------------------------------------


def _birthdays(facts: CareFacts, window: CareWindow) -> list[AgendaItem]:
    items = []
    for fact in facts.birthdays:
        person = fact.customer
        if fact.month is not None and fact.day is not None:
            born = date(2000, fact.month, fact.day)  # a leap year holds every birthday
            for year in sorted({window.shown.first.year, window.shown.last.year}):
                day = birthday_in(born, year)
                if day not in window.shown:
                    continue
                age = year - fact.year if fact.year else 0
                why = _("birthday, turns {age}").format(age=age) if 0 < age < 130 else _("birthday")
                if (fact.month, fact.day) == (2, 29) and day.day == 28:
                    why += _(" (29 Feb, kept on the 28th)")
                items.append(_care(BIRTHDAY, person, day, day.isoformat(), _("Birthday greetings"), why))
        if fact.lunar:
            for day in window.lunar_days.get(fact.lunar, ()):
                why = _("lunar birthday ({date})").format(date=fact.lunar)
                items.append(
                    _care(LUNAR_BIRTHDAY, person, day, day.isoformat(), _("Birthday greetings"), why)
                )
    return items


# -- holidays ----------------------------------------------------------------------------


def _holidays(facts: CareFacts, window: CareWindow, settings: CareSettings, user: str) -> list[AgendaItem]:
    items = []
    ahead = timedelta(days=settings.holiday_days_ahead)
    greeting = facts.greeting or Greeting((), 0)
    tiers = " ".join(settings.holiday_tiers) or _("none")
    for holiday in window.holidays:
        due = holiday.day - ahead
        if holiday.day < window.today or due > window.shown.last:
            continue
        items.append(
            AgendaItem(
                # Each person greets their own customers, so a holiday is done per person.
                key=reminder_id(HOLIDAY, user, holiday.day.isoformat()),
                kind=HOLIDAY,
                due=due,
                what=_("{holiday} greetings").format(holiday=holiday.name),
                why=_("on {date}, tiers {tiers}").format(date=short_date(holiday.day), tiers=tiers),
                occurrence=holiday.day.isoformat(),
                greet=tuple(p.name for p in greeting.customers),
                greet_ids=tuple(p.id for p in greeting.customers),
                greet_count=greeting.count,
            )
        )
    return items


# -- the rest of the reminders -------------------------------------------------------------


def _care(
    kind: str,
    person: Person,
    due: date,
    occurrence: str,
    what: str,
    why: str,
    *,
    owner: str | None = None,
    deal_id: str | None = None,
    deal: str = "",
    stage: str = "",
) -> AgendaItem:
    return AgendaItem(
        key=reminder_id(kind, person.id, occurrence),
        kind=kind,
        due=due,
        what=what,
        why=why,
        customer_id=person.id,
        customer=person.name,
        company=person.company,
        owner=person.owner if owner is None else owner,
        deal_id=deal_id,
        deal=deal,
        stage=stage,
        occurrence=occurrence,
    )


def _renewals(facts: CareFacts, window: CareWindow, settings: CareSettings) -> list[AgendaItem]:
    items = []
    for fact in facts.renewals:
        # Overdue until the contract ends: a renewal not yet agreed still matters.
        if fact.contract_end < window.today:
            continue
        due = fact.contract_end - timedelta(days=settings.renewal_days)
        if due > window.shown.last:
            continue
        left = (fact.contract_end - window.today).days
        ends = short_date(fact.contract_end)
        why = (
            _("ends {date}, today").format(date=ends)
            if left == 0
            else ngettext("ends {date}, in {n} day", "ends {date}, in {n} days", left).format(
                date=ends, n=left
            )
        )
        what = _("Contract renewal")
        if fact.number:
            what = _("Contract renewal: {number}").format(number=fact.number)
        occurrence = renewal_occurrence(fact)
        items.append(_care(RENEWAL, fact.customer, due, occurrence, what, why, deal_id=fact.deal_id))
    return items


def _quiet(facts: CareFacts, window: CareWindow, settings: CareSettings) -> list[AgendaItem]:
    items = []
    for fact in facts.quiet:
        if fact.last_contact is None:
            due = fact.created + timedelta(days=settings.new_lead_days)
            if window.shown.first <= due <= window.today:
                why = _("new lead, not contacted yet")
                items.append(
                    _care(NEW_LEAD, fact.customer, due, fact.created.isoformat(), _("First contact"), why)
                )
                continue
        if not fact.bought or fact.open_deals:
            continue  # dormant is about customers who bought and are not being worked
        since = fact.last_contact or fact.created
        due = since + timedelta(days=settings.dormant_days)
        if window.shown.first <= due <= window.today:
            quiet = (window.today - since).days
            why = (
                ngettext("dormant: {n} day quiet", "dormant: {n} days quiet", quiet)
                if fact.last_contact
                else ngettext(
                    "dormant: never contacted, {n} day", "dormant: never contacted, {n} days", quiet
                )
            ).format(n=quiet)
            items.append(_care(DORMANT, fact.customer, due, since.isoformat(), _("Get back in touch"), why))
    return items


def usual_interval(won_on: Iterable[date]) -> int | None:
    """Days between a customer's orders, typically (the median gap); None under two orders."""
    days = sorted(set(won_on))
    gaps = [(later - earlier).days for earlier, later in pairwise(days)]
    return round(median(gaps)) if gaps else None


def _repeat(facts: CareFacts, window: CareWindow) -> list[AgendaItem]:
    items = []
    for fact in facts.repeat:
        interval = usual_interval(fact.won_on)
        if interval is None or fact.open_deals:
            continue  # an open deal: the next order is already being worked
        last = max(fact.won_on)
        due = last + timedelta(days=interval)
        if window.shown.first <= due <= window.today:
            why = _("buys every ~{interval}d, last {ago}d ago").format(
                interval=interval, ago=(window.today - last).days
            )
            items.append(_care(REPEAT, fact.customer, due, last.isoformat(), _("Time to reorder?"), why))
    return items


def _checkins(
    facts: CareFacts, window: CareWindow, settings: CareSettings, stages: dict[str, pipeline.Stage]
) -> list[AgendaItem]:
    items = []
    for fact in facts.paid:
        due = fact.entered + timedelta(days=settings.checkin_days)
        if due not in window.shown:
            continue
        why = _("paid {date}").format(date=short_date(fact.entered))
        if fact.open_cases:
            why = _("{paid}, {cases}").format(paid=why, cases=open_case_words(fact.open_cases))
        items.append(
            _care(
                CHECKIN,
                fact.customer,
                due,
                f"{fact.deal_id}@{fact.entered}",
                _("Post-sale check-in"),
                why,
                owner=fact.owner or fact.customer.owner,
                deal_id=fact.deal_id,
                deal=fact.title,
                stage=_stage_name(stages, fact.stage_id),
            )
        )
    return items


def _rotting(facts: CareFacts, window: CareWindow, stages: dict[str, pipeline.Stage]) -> list[AgendaItem]:
    items = []
    for fact in facts.open_deals:
        stage = stages.get(fact.stage_id)
        if stage is None or stage.rotting_days is None:
            continue
        days = (window.today - fact.entered).days
        if not pipeline.is_rotting(days, stage, fact.followup_ahead):
            continue
        due = fact.entered + timedelta(days=stage.rotting_days + 1)
        if due < window.shown.first:
            continue
        why = _("rotting: {days}d in {stage} (max {limit})").format(
            days=days, stage=stage.name, limit=stage.rotting_days
        )
        items.append(
            _care(
                ROTTING,
                fact.customer,
                due,
                f"{fact.deal_id}@{fact.entered}",
                _("Move the deal on"),
                why,
                owner=fact.owner or fact.customer.owner,
                deal_id=fact.deal_id,
                deal=fact.title,
                stage=stage.name,
            )
        )
    return items


def _stage_name(stages: dict[str, pipeline.Stage], stage_id: str) -> str:
    stage = stages.get(stage_id)
    return stage.name if stage else ""


def paid_stage(stages: Iterable[pipeline.Stage]) -> pipeline.Stage | None:
    """The stage where payment is collected: the last won stage."""
    won = [stage for stage in pipeline.ordered(stages) if stage.kind == pipeline.WON]
    return won[-1] if won else None


def care_reminders(
    facts: CareFacts, window: CareWindow, settings: CareSettings, stages: Iterable[pipeline.Stage], user: str
) -> list[AgendaItem]:
    """Every care reminder the facts give, due between the grace period and the horizon."""
    by_id = {stage.id: stage for stage in stages}
    return [
        *_birthdays(facts, window),
        *_renewals(facts, window, settings),
        *_holidays(facts, window, settings, user),
        *_quiet(facts, window, settings),
        *_repeat(facts, window),
        *_checkins(facts, window, settings, by_id),
        *_rotting(facts, window, by_id),
    ]
