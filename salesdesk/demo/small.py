"""The small demo: about 40 customers and a year of their history, told through the Store.

Every record goes through the one write path, so versions, stage history and the
change log are exactly what real use produces. The story is planned first (all the
random draws, in a fixed order), then replayed in time order with the store's clock
set to each moment.

The catalogue, the lines of the deals (adding up to the amounts the deals were drawn
with), two years of repeat orders and the quotes come from a generator of their own
(`_Goods`), so the customers, deals, contacts and follow-ups are what they were before
there were products: the screens that show them look as they did. The contracts of the
deals signed, their payment plans, the money received and the after-sales cases come
from another (`demo.money`), for the same reason.
"""

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import pairwise

from salesdesk import i18n
from salesdesk.core import pipeline
from salesdesk.core.dates import timestamp
from salesdesk.core.lines import totals
from salesdesk.core.quotes import QuoteLine, lines_json, quote_number
from salesdesk.demo import data
from salesdesk.demo.money import Money
from salesdesk.store.contracts import ContractStore
from salesdesk.store.products import ProductStore
from salesdesk.store.store import Store

# How many customers of each kind, and how many interactions each kind has had.
PROFILES = (("repeat", 5), ("dormant", 5), ("customer", 5), ("lost", 3), ("prospect", 16), ("lead", 6))
CONTACTS = {
    "repeat": (10, 15),
    "prospect": (7, 12),
    "customer": (5, 9),
    "dormant": (3, 6),
    "lost": (4, 6),
    "lead": (0, 3),
}
MALLORY = data.Person(  # markup and a terminal escape, to prove text is shown literally
    name="[bold]Mallory[/bold] \x1b[31mMoriarty",
    company="[red]Evil[/red] Corp \x1b[0m Ltd",
    title="Head of [i]Mischief[/i]",
    phone="+44 20 7946 0666",
    email="mallory@evil.example.com",
    industry="software",
    source="cold call",
)
BIRTHDAYS_SOON = (2, 6, 11, 17)  # days from today
RENEWALS_SOON = (12, 26, 38)
LUNAR_BIRTHDAYS = ("01-15", "08-15", "05-05")


@dataclass
class _Deal:
    path: list[str]  # stage ids, the first being where the deal was created
    moves: list[datetime]  # when it entered each stage
    title: str
    amount: int
    currency: str
    expected_close: date
    next_step: str = ""
    lost_reason: str = ""
    probability: int | None = None
    followup_due: date | None = None
    id: str = ""
    lines: list[data.LineDraft] = field(default_factory=list)
    old_lines: list[data.LineDraft] = field(default_factory=list)  # as first quoted, if changed since
    line_ids: list[str] = field(default_factory=list)


@dataclass
class _Customer:
    person: data.Person
    profile: str
    values: dict
    tags: list[str]
    deals: list[_Deal] = field(default_factory=list)
    contacts: list[datetime] = field(default_factory=list)
    created: datetime | None = None
    id: str = ""
    history: list[_Deal] = field(default_factory=list)  # older orders, won and paid
    reorder: str = ""  # the product code a repeat customer orders again and again


class _Story:
    """Actions at moments, replayed in time order with the clock set to each moment."""

    def __init__(self):
        self._events: list[tuple[datetime, int, Callable[[], object]]] = []

    def at(self, moment: datetime, action: Callable[[], object]) -> None:
        self._events.append((moment, len(self._events), action))

    def play(self, clock) -> None:
        for moment, _, action in sorted(self._events, key=lambda event: event[:2]):
            clock.moment = moment
            action()


def build_small(store: Store, clock, rng: random.Random) -> None:
    """Tell the story of a small sales team into `store`, ending at `clock.moment`."""
    now = clock.moment
    # Products, lines and quotes draw from a generator of their own, seeded from this
    # one's state without drawing from it: the customers, deals and contacts stay what
    # the seed told before there were products.
    goods_rng = random.Random(repr(rng.getstate()))
    money_rng = random.Random("contracts " + repr(rng.getstate()))  # the same, for the money
    stages = pipeline.ordered(store.stages())
    plan = _Plan(now, rng, stages, store.user)
    customers = plan.customers()
    goods = _Goods(plan, goods_rng, i18n.language() == i18n.CHINESE)
    goods.history(customers)
    goods.lines(customers)
    goods.plan_quotes(customers)
    money = Money(plan, goods, money_rng)
    money.draw(customers)
    story = _Story()
    for customer in customers:
        _tell_customer(story, store, customer, plan, goods)
    plan.followups(story, store, customers)
    goods.tell(story, store)
    money.tell(story, store)
    _pool_stories(story, store, now, random.Random("pool " + repr(rng.getstate())))
    story.play(clock)
    clock.moment = now
    from salesdesk.demo.targets import add_targets

    # After the story, from a generator of its own: the rest of the demo stays as it was.
    add_targets(store, [store.user, *data.TEAMMATES], now.date(), random.Random(f"targets {now.date()}"))


class _Plan:
    """The random draws of the small demo, made in one fixed order."""

    def __init__(self, now: datetime, rng: random.Random, stages, user: str):
        self.now, self.today, self.rng, self.user = now, now.date(), rng, user
        self.open_path = [s.id for s in stages if s.kind == pipeline.OPEN]
        self.won = [s.id for s in stages if s.kind == pipeline.WON]
        self.lost = pipeline.first_stage(stages, pipeline.LOST).id
        self.rotting = {s.id: s.rotting_days for s in stages}
        self._open_count = 0
        self._lost_count = 0
        self.checkin: _Customer | None = None  # paid four weeks ago, its check-in due soon

    def moment(self, day: date) -> datetime:
        """A moment in office hours on `day` (UTC), never later than now."""
        hour = self.rng.uniform(1, 10)
        moment = datetime.combine(day, time(tzinfo=UTC)) + timedelta(hours=hour)
        return min(moment, self.now - timedelta(minutes=5))

    def days_ago(self, low: float, high: float) -> datetime:
        return self.moment(self.today - timedelta(days=int(self.rng.uniform(low, high))))

    # -- customers ----------------------------------------------------------------

    def customers(self) -> list[_Customer]:
        rng = self.rng
        profiles = [name for name, count in PROFILES for _ in range(count)]
        rng.shuffle(profiles)
        people, seen = [MALLORY], {MALLORY.name}
        while len(people) < len(profiles):
            person = data.draw_person(rng, chinese=len(people) % 2 == 1)
            if person.name not in seen:
                seen.add(person.name)
                people.append(person)
        customers = [self.customer(person, profile) for person, profile in zip(people, profiles, strict=True)]
        for customer, teammate in zip(customers[7::15], data.TEAMMATES, strict=False):
            customer.values["owner"] = teammate
        self.special_dates(customers)
        self.care_stories(customers)
        return customers

    def customer(self, person: data.Person, profile: str) -> _Customer:
        rng = self.rng
        values = {
            "company": person.company,
            "title": person.title,
            "phone": person.phone,
            "email": person.email,
            "industry": person.industry,
            "source": person.source,
            "owner": self.user,
        }
        if rng.random() < 0.5:
            values["birthday"] = data.draw_birthday(rng).isoformat()
        if rng.random() < 0.2:
            values["notes"] = rng.choice(data.SUMMARIES["note"])
        if person.phone.startswith("+86") and rng.random() < 0.5:
            values["handle"] = f"wechat: {person.email.split('@')[0].replace('.', '_')}"
        tags = []
        if profile == "repeat":
            tags.append(rng.choice(("vip", "key-account")))
        if person.source == "trade show":
            tags.append(f"trade-show-{self.today.year}")
        tags.append(rng.choice(("enterprise", "smb", "smb", "reseller")))
        customer = _Customer(person, profile, values, tags)
        customer.deals = self.deals(customer)
        customer.contacts = self.contacts(customer)
        return customer

    def special_dates(self, customers: list[_Customer]) -> None:
        """Birthdays and renewals coming up, a leap-day birthday, lunar birthdays."""
        rng = self.rng
        for customer, days in zip(customers[1:], BIRTHDAYS_SOON, strict=False):
            customer.values["birthday"] = _birthday_on(self.today + timedelta(days=days), rng)
        customers[len(BIRTHDAYS_SOON) + 1].values["birthday"] = "1988-02-29"
        chinese = [c for c in customers if c.person.phone.startswith("+86")]
        for customer, lunar in zip(chinese[-len(LUNAR_BIRTHDAYS) :], LUNAR_BIRTHDAYS, strict=False):
            customer.values["lunar_birthday"] = lunar
        clients = [c for c in customers if c.profile in ("repeat", "customer")]
        for customer, days in zip(clients, RENEWALS_SOON, strict=False):
            customer.values["contract_end"] = (self.today + timedelta(days=days)).isoformat()
        for customer in clients[len(RENEWALS_SOON) :]:
            customer.values["contract_end"] = (self.today + timedelta(days=rng.randint(90, 400))).isoformat()

    def care_stories(self, customers: list[_Customer]) -> None:
        """A customer for each kind of care reminder due around today, on the user's agenda.

        Made without random draws, so the rest of the story stays as the seed tells it.
        """
        own = [c for c in customers if c.values["owner"] == self.user]
        chinese = [
            c
            for c in own
            if c.person.phone.startswith("+86")
            and c.profile != "lead"
            and not c.values.get("lunar_birthday")
            and not c.values.get("birthday")
        ]
        if chinese:
            chinese[0].values["lunar_birthday"] = _lunar_key(self.today + timedelta(days=4))
        dormant = [c for c in own if c.profile == "dormant" and c.deals[-1].path[-1] in self.won]
        if dormant:  # went quiet ninety-two days ago
            dormant[0].contacts.append(self._at(self.today - timedelta(days=92)))
        repeat = [c for c in own if c.profile == "repeat"]
        if repeat:  # orders about every 105 days; the next one is two days late
            deals = sorted(repeat[-1].deals, key=lambda deal: deal.moves[-1])
            for back, deal in enumerate(reversed(deals)):
                _move_deal(deal, self.won, self._at(self.today - timedelta(days=107 + 105 * back)))
        bought = [c for c in own if c.profile == "customer"]
        if bought:  # paid four weeks ago: a check-in is due in two days
            self.checkin = bought[0]
            deal = bought[0].deals[0]
            deal.path = self.open_path + self.won
            end = self._at(self.today - timedelta(days=28))
            deal.moves = [
                end - timedelta(days=5 * (len(deal.path) - 1 - step)) for step in range(len(deal.path))
            ]
            deal.expected_close = end.date()
        leads = [c for c in own if c.profile == "lead"]
        if leads:  # added yesterday morning, nobody has called yet
            leads[0].contacts = []
            leads[0].created = self.now - timedelta(hours=30)

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, time(10, tzinfo=UTC))

    # -- deals --------------------------------------------------------------------

    def deals(self, customer: _Customer) -> list[_Deal]:
        profile, rng = customer.profile, self.rng
        if profile == "repeat":
            return [
                self.closed_deal(rng.choice(self.won), 20 + 110 * n, 100 + 110 * n)
                for n in range(rng.choice((2, 3)))
            ]
        if profile == "dormant":
            final = rng.choice((self.won[-1], self.lost))
            return [self.closed_deal(final, 150, 330)]
        if profile == "customer":
            deals = [self.closed_deal(rng.choice(self.won), 7, 200)]
            if rng.random() < 0.3:
                deals.append(self.closed_deal(self.lost, 220, 360))
            return deals
        if profile == "lost":
            return [self.closed_deal(self.lost, 10, 80)]
        if profile == "prospect":
            deals = [self.open_deal() for _ in range(rng.choice((1, 2, 2)))]
            if rng.random() < 0.35:
                deals.append(self.closed_deal(rng.choice((self.won[-1], self.lost)), 120, 300))
            return deals
        return []

    def closed_deal(self, final: str, low_days: int, high_days: int) -> _Deal:
        rng = self.rng
        if final in self.won:
            path = self.open_path + self.won[: self.won.index(final) + 1]
        else:
            path = self.open_path[: rng.randrange(len(self.open_path)) + 1] + [final]
        end = self.days_ago(low_days, high_days)
        deal = self._deal(path, end)
        deal.expected_close = end.date()
        if final == self.lost:
            deal.lost_reason = data.LOST_REASONS[self._lost_count % len(data.LOST_REASONS)]
            self._lost_count += 1
        return deal

    def open_deal(self) -> _Deal:
        """Open deals cycle through the open stages; every fifth is rotting."""
        rng, n = self.rng, self._open_count
        self._open_count += 1
        stage = self.open_path[n % len(self.open_path)]
        limit = self.rotting[stage] or 30
        rotting = n % 5 == 4
        days = rng.randint(limit + 5, 60) if rotting else rng.randint(1, limit - 1)
        if n == 4:
            days = limit + 3  # began rotting two days ago: on Today's agenda
        path = self.open_path[: self.open_path.index(stage) + 1]
        deal = self._deal(path, self.days_ago(days, days + 1))
        deal.expected_close = self.today + timedelta(days=rng.randint(-5, 90))
        deal.next_step = rng.choice(data.NEXT_STEPS)
        if rng.random() < 0.15:
            deal.probability = rng.choice((30, 40, 60, 90))
        # Most fresh deals have their next step booked; so do some rotting ones, which
        # are then not flagged.
        if not rotting and rng.random() < 0.85:
            deal.followup_due = self.today + timedelta(days=rng.randint(0, 10))
        elif rotting and n % 10 == 9:
            deal.followup_due = self.today + timedelta(days=rng.randint(1, 5))
        return deal

    def _deal(self, path: list[str], end: datetime) -> _Deal:
        rng = self.rng
        moves = [end]
        for _ in path[1:]:
            moves.append(moves[-1] - timedelta(days=rng.uniform(2, 20), hours=rng.uniform(0, 5)))
        moves.reverse()
        currency = "CNY" if rng.random() < 0.12 else "USD"
        return _Deal(
            path, moves, rng.choice(data.DEAL_TITLES), data.draw_amount(rng, currency), currency, end.date()
        )

    # -- interactions -------------------------------------------------------------

    def contacts(self, customer: _Customer) -> list[datetime]:
        """When the customer was called, written to or met; dormant ones not for months."""
        rng = self.rng
        low, high = CONTACTS[customer.profile]
        count = rng.randint(low, high)
        if customer.profile == "dormant":
            return sorted(self.days_ago(100, 365) for _ in range(count))
        earliest = min((d.moves[0] for d in customer.deals), default=self.now)
        span_start = min(365, max(30, (self.now - earliest).days + 20))
        moments = [self.days_ago(0, span_start) for _ in range(count)]
        if count and customer.profile != "lead":
            moments.append(self.days_ago(1, 30))  # everyone active was in touch lately
        return sorted(moments)

    # -- follow-ups ---------------------------------------------------------------

    def followups(self, story: _Story, store: Store, customers: list[_Customer]) -> None:
        rng, today = self.rng, self.today
        active = [c for c in customers if c.profile in ("prospect", "customer", "repeat", "lead")]
        for customer in customers:
            for deal in customer.deals:
                if deal.followup_due:
                    self._followup(
                        story, store, customer, deal.followup_due, deal.next_step or "Call back", deal=deal
                    )
        # Overdue, due today, this week and later, a few of them done already.
        for offset, count in (((-12, -1), 5), ((0, 0), 4), ((1, 7), 10), ((8, 60), 8)):
            for _ in range(count):
                due = today + timedelta(days=rng.randint(*offset))
                due_time = rng.choice((None, None, "10:00", "15:30"))
                self._followup(
                    story, store, rng.choice(active), due, rng.choice(data.FOLLOWUP_TITLES), due_time=due_time
                )
        for _ in range(6):
            due = today - timedelta(days=rng.randint(3, 40))
            self._followup(story, store, rng.choice(active), due, rng.choice(data.FOLLOWUP_TITLES), done=True)
        repeat = [c for c in customers if c.profile == "repeat"]
        self._weekly(story, store, repeat[0], "Weekly check-in call", weeks=4)
        self._followup(
            story,
            store,
            repeat[1],
            today + timedelta(days=rng.randint(3, 20)),
            "Monthly account review",
            rrule="FREQ=MONTHLY",
            kind="meeting",
        )

    def _followup(
        self,
        story: _Story,
        store: Store,
        customer: _Customer,
        due: date,
        title: str,
        *,
        deal: _Deal | None = None,
        due_time: str | None = None,
        done: bool = False,
        rrule: str | None = None,
        kind: str | None = None,
    ) -> None:
        rng = self.rng
        created = self.moment(min(due, self.today) - timedelta(days=rng.randint(1, 14)))
        kind = kind or rng.choice(data.FOLLOWUP_KINDS)
        done_at = self.moment(due) if done else None
        booked: dict[str, str] = {}

        def book():
            booked["id"] = store.add_followup(
                customer.id,
                due,
                title,
                kind=kind,
                deal_id=deal.id if deal else None,
                due_time=due_time,
                rrule=rrule,
                owner=customer.values["owner"],
            )

        # A deal's next step is booked once it reached its current stage.
        earliest = deal.moves[-1] + timedelta(hours=1) if deal else _after(customer)
        story.at(max(created, earliest), book)
        if done_at:
            story.at(
                max(done_at, _after(customer) + timedelta(hours=1)),
                lambda: store.complete_followup(booked["id"], due),
            )

    def _weekly(self, story: _Story, store: Store, customer: _Customer, title: str, weeks: int) -> None:
        """A weekly follow-up started `weeks` ago and done every week since; completing
        one books the next, so the next occurrence is open, due tomorrow."""
        first_due = self.today - timedelta(weeks=weeks) + timedelta(days=1)
        current: dict[str, str] = {}

        def book():
            current["id"] = store.add_followup(
                customer.id, first_due, title, rrule="FREQ=WEEKLY", owner=customer.values["owner"]
            )

        story.at(max(self.moment(first_due - timedelta(days=3)), _after(customer)), book)
        for week in range(weeks):
            due = first_due + timedelta(weeks=week)

            def complete(due: date = due) -> None:
                booked = store.complete_followup(current["id"], due)
                assert booked is not None, "a weekly follow-up books its next occurrence"
                current["id"] = booked

            story.at(self.moment(due), complete)


def _after(customer: _Customer) -> datetime:
    """The earliest moment anything can happen to a customer: just after it was added."""
    assert customer.created is not None, "a customer's moment is set before anything happens to it"
    return customer.created + timedelta(minutes=1)


def _move_deal(deal: _Deal, won: list[str], closed: datetime) -> None:
    """Shift a won deal's whole history so that it is won (enters its first won stage) at `closed`."""
    step = next(index for index, stage in enumerate(deal.path) if stage in won)
    shift = closed - deal.moves[step]
    deal.moves = [moment + shift for moment in deal.moves]
    deal.expected_close = closed.date()


def _lunar_key(day: date) -> str:
    """The Chinese calendar's 'MM-DD' of a day (a leap month's days share its number)."""
    from lunardate import LunarDate

    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    return f"{lunar.month:02d}-{lunar.day:02d}"


def _birthday_on(day: date, rng: random.Random) -> str:
    year = rng.choice((1976, 1980, 1984, 1988, 1992))  # leap years, in case it is 29 February
    return date(year, day.month, day.day).isoformat()


def _tell_customer(story: _Story, store: Store, customer: _Customer, plan: _Plan, goods: "_Goods") -> None:
    """Plan a customer's arrival, deals (moved through their stages) and contacts."""
    firsts = [deal.moves[0] for deal in customer.deals + customer.history] + customer.contacts[:1]
    first = min(firsts, default=plan.now - timedelta(days=3))
    drawn = first - timedelta(days=plan.rng.uniform(1, 30))
    customer.created = customer.created or drawn  # a story may have set it already

    def add():
        with store.records.transaction():
            customer.id = store.add_customer(customer.person.name, **customer.values)
            if customer.values.get("contract_end"):
                # The contract that stands for the customer's contract end, as migration 17
                # made it of every older one (the store keeps it in step with the field).
                ContractStore(store).set_customer_end(customer.id, customer.values["contract_end"])
        for tag in customer.tags:
            store.add_tag(customer.id, tag)

    story.at(customer.created, add)
    for deal in customer.deals + customer.history:
        _tell_deal(story, store, customer, deal, goods)
    for moment in customer.contacts:
        _tell_contact(story, store, customer, moment, plan.rng)


def _tell_deal(story: _Story, store: Store, customer: _Customer, deal: _Deal, goods: "_Goods") -> None:
    def create():
        # A deal with lines amounts to their sum, written with them in one transaction.
        amount = sum(line.total for line in deal.old_lines) if deal.old_lines else deal.amount
        with store.records.transaction():
            deal.id = store.add_deal(
                customer.id,
                deal.title,
                amount,
                deal.currency,
                stage_id=deal.path[0],
                expected_close=deal.expected_close.isoformat(),
                next_step=deal.next_step,
                owner=customer.values["owner"],
                probability=deal.probability,
            )
            goods.add_lines(store, deal)

    story.at(deal.moves[0], create)
    for stage, moment in zip(deal.path[1:], deal.moves[1:], strict=True):
        reason = deal.lost_reason if stage == deal.path[-1] else ""

        def move(stage: str = stage, reason: str = reason) -> None:
            store.move_deal(deal.id, stage, lost_reason=reason)

        story.at(moment, move)


def _tell_contact(
    story: _Story, store: Store, customer: _Customer, moment: datetime, rng: random.Random
) -> None:
    kind = rng.choice(tuple(data.SUMMARIES))
    summary = rng.choice(data.SUMMARIES[kind])
    body = rng.choice(data.BODIES) if rng.random() < 0.3 else ""
    about_deal = rng.random() < 0.6

    def log():
        # About the customer's latest deal opened by then, if any.
        started = [deal for deal in customer.deals if deal.id and deal.moves[0] <= moment]
        deal_id = None
        if started and about_deal:
            deal_id = max(started, key=lambda deal: deal.moves[0]).id
        store.log_interaction(customer.id, kind, summary, at=moment, body=body, deal_id=deal_id)

    story.at(moment, log)


# -- products, lines, quotes and purchase histories ------------------------------------

QUOTE_STAGE, NEGOTIATION_STAGE = "stage-quote", "stage-negotiation"
WITHOUT_LINES = 5  # deals whose amount stays typed by hand, as before products existed
TWO_YEARS = 730
A_YEAR_AGO = 370  # purchase histories end before this, so no value tier moves


@dataclass
class _Quote:
    deal: _Deal
    customer: _Customer
    at: datetime
    lines: list[data.LineDraft]
    sent: bool = True
    validity: int = 30
    revision: int = 1
    first: "_Quote | None" = None  # the first version, for a later one
    year: int = 0
    seq: int = 0
    id: str = ""  # once written


class _Goods:
    """The demo's catalogue, the lines of its deals, older orders of its repeat customers
    and its quotes: drawn from a generator of their own, so the rest of the story is
    what the seed told before products existed."""

    def __init__(self, plan: _Plan, rng: random.Random, chinese: bool):
        self.plan, self.rng, self.chinese = plan, rng, chinese
        self.product_ids: dict[str, str] = {}
        self.quotes: list[_Quote] = []
        self.edits: list[tuple[_Deal, datetime]] = []  # v2 stories: lines changed at a moment

    def closed_on(self, deal: _Deal) -> date:
        return next(m for s, m in zip(deal.path, deal.moves, strict=True) if s in self.plan.won).date()

    def entered(self, deal: _Deal, stage: str) -> datetime | None:
        return next((m for s, m in zip(deal.path, deal.moves, strict=True) if s == stage), None)

    # -- planning -------------------------------------------------------------------

    def history(self, customers: list[_Customer]) -> None:
        """Older orders of the repeat customers, over two years, each with the product they
        reorder; closed before a year ago, and with gaps that keep each one's usual
        interval (the median gap) what it was."""
        rng, today = self.rng, self.plan.today
        for customer in customers:
            won = sorted(
                (deal for deal in customer.deals if deal.path[-1] in self.plan.won), key=self.closed_on
            )
            if len(won) < 2:
                continue
            customer.reorder = data.REORDERS[customer.person.industry]
            days = sorted({self.closed_on(deal) for deal in won})
            gaps = sorted((later - earlier).days for earlier, later in pairwise(days))
            low, high = gaps[(len(gaps) - 1) // 2], gaps[len(gaps) // 2]  # the middle ones
            if low <= 30:
                continue
            floor = today - timedelta(days=TWO_YEARS)
            day = days[0]
            bridge = max((day - (today - timedelta(days=A_YEAR_AGO))).days, high + 1)
            for pair in range(rng.choice((1, 2))):
                longer = (bridge if pair == 0 else high + 1) + rng.randint(3, 25)
                shorter = rng.randint(max(20, low - 35), low - 1)
                if day - timedelta(days=longer + shorter) < floor:
                    break
                for gap in (longer, shorter):
                    day -= timedelta(days=gap)
                    customer.history.append(self.order(customer, day))

    def order(self, customer: _Customer, day: date) -> _Deal:
        """A won, paid repeat order closed on `day`, of the customer's reorder product."""
        rng, plan = self.rng, self.plan
        path = plan.open_path + plan.won
        closed = datetime.combine(day, time(tzinfo=UTC)) + timedelta(hours=rng.uniform(1, 9))
        moves = [closed]
        for _ in plan.open_path:
            moves.append(moves[-1] - timedelta(days=rng.uniform(2, 9), hours=rng.uniform(0, 5)))
        moves.reverse()
        moves.append(closed + timedelta(days=rng.uniform(5, 20)))  # paid
        currency = customer.deals[0].currency
        # Titled in English in either language, as most of the demo's deals are: a
        # Chinese title would sort before all of them and change which deal shows first.
        english = data.REORDER_TITLES[customer.reorder]
        deal = _Deal(path, moves, english, 0, currency, day)
        deal.lines = data.draw_lines(
            rng, english, currency, customer.person.industry, self.chinese, reorder=True
        )
        deal.amount = sum(line.total for line in deal.lines)
        return deal

    def lines(self, customers: list[_Customer]) -> None:
        """Lines on the deals, adding up to the amounts they were given; a few keep a typed
        amount. A repeat customer's orders carry the product they reorder."""
        rng = self.rng
        deals = [(customer, deal) for customer in customers for deal in customer.deals]
        early = [
            index
            for index, (_, deal) in enumerate(deals)
            if deal.path[-1] in (self.plan.open_path[0], self.plan.lost)
        ]
        without = set(rng.sample(early, min(WITHOUT_LINES, len(early))))
        for index, (customer, deal) in enumerate(deals):
            if index in without:
                continue
            also = (customer.reorder,) if customer.reorder and deal.path[-1] in self.plan.won else ()
            deal.lines = data.draw_lines(
                rng, deal.title, deal.currency, customer.person.industry, self.chinese, deal.amount, also
            )

    def plan_quotes(self, customers: list[_Customer]) -> None:
        """Quotes sent on deals in Quote and Negotiation, a draft, a second version after the
        lines changed, one that expired, and accepted ones (the deal won since)."""
        rng, now = self.rng, self.plan.now
        latest = now - timedelta(minutes=30)
        quoting, negotiating, won = [], [], []
        for customer in customers:
            for deal in customer.deals:
                entered = self.entered(deal, QUOTE_STAGE)
                if not deal.lines or entered is None:
                    continue
                if deal.path[-1] == QUOTE_STAGE:
                    quoting.append((entered, customer, deal))
                elif deal.path[-1] == NEGOTIATION_STAGE:
                    negotiating.append((entered, customer, deal))
                elif deal.path[-1] in self.plan.won and (now.date() - self.closed_on(deal)).days < 200:
                    won.append((entered, customer, deal))
        for entered, customer, deal in sorted(quoting, key=lambda item: item[0]):
            at = min(entered + timedelta(hours=rng.uniform(2, 30)), latest)
            self.quotes.append(_Quote(deal, customer, at, deal.lines))
        if self.quotes:
            self.quotes[-1].sent = False  # the newest is still a draft
        for entered, customer, deal in sorted(negotiating, key=lambda item: item[0]):
            left = self.entered(deal, NEGOTIATION_STAGE)
            assert left is not None
            at = entered + (left - entered) * rng.uniform(0.2, 0.6)
            self.quotes.append(_Quote(deal, customer, at, deal.lines))
        for entered, customer, deal in sorted(won, key=lambda item: item[0])[-2:]:
            left = deal.moves[deal.path.index(QUOTE_STAGE) + 1]
            self.quotes.append(_Quote(deal, customer, entered + (left - entered) * 0.3, deal.lines))
        self._second_version(negotiating, latest)
        self._one_expired()
        self._number()

    def _second_version(self, negotiating: list, latest: datetime) -> None:
        """The latest deal in Negotiation had its lines changed after its quote was sent:
        the sent one stays as it was, a second version has the lines as they are."""
        for _, customer, deal in sorted(negotiating, key=lambda item: item[0], reverse=True):
            first = next(q for q in self.quotes if q.deal is deal)
            entered = self.entered(deal, NEGOTIATION_STAGE)
            assert entered is not None
            edit = min(entered + timedelta(hours=self.rng.uniform(3, 48)), latest - timedelta(hours=2))
            if edit <= first.at:
                continue
            deal.old_lines = _before_the_change(deal.lines, self.rng)
            first.lines = deal.old_lines
            self.edits.append((deal, edit))
            self.quotes.append(
                _Quote(deal, customer, edit + timedelta(minutes=40), deal.lines, revision=2, first=first)
            )
            return

    def _one_expired(self) -> None:
        """At least one sent quote ran out before the deal was won (an expired quote)."""
        today = self.plan.today
        waiting = [
            q
            for q in self.quotes
            if q.sent
            and q.revision == 1
            and q.deal.path[-1] == NEGOTIATION_STAGE
            and not any(later.first is q for later in self.quotes)
        ]
        if any(q.at.date() + timedelta(days=q.validity) < today for q in waiting) or not waiting:
            return
        oldest = min(waiting, key=lambda q: q.at)
        days = (today - oldest.at.date()).days
        if days > 8:
            oldest.validity = min(oldest.validity, days - 3)

    def _number(self) -> None:
        """Q-<year>-0001 on: one series a year, in the order they were made."""
        counts: dict[int, int] = {}
        for quote in sorted(self.quotes, key=lambda q: q.at):
            if quote.first is not None:
                quote.year, quote.seq = quote.first.year, quote.first.seq
                continue
            quote.year = quote.at.year
            counts[quote.year] = quote.seq = counts.get(quote.year, 0) + 1

    # -- telling --------------------------------------------------------------------

    def tell(self, story: _Story, store: Store) -> None:
        first = min(event[0] for event in story._events) - timedelta(days=2)
        story.at(first, lambda: self.catalogue(store))
        retired = self.plan.now - timedelta(days=self.rng.randint(150, 300))
        story.at(retired, lambda: self.retire(store))
        for deal, moment in self.edits:
            story.at(moment, partial(self.change_lines, store, deal))
        for quote in self.quotes:
            story.at(quote.at, partial(self.make_quote, store, quote))

    def catalogue(self, store: Store) -> None:
        """The products, the seller's details and the terms printed on quotes."""
        language = 1 if self.chinese else 0
        store.set_setting("seller", data.SELLER[language])
        store.set_setting("quote_terms", data.QUOTE_TERMS[language])
        products = ProductStore(store)
        with store.records.transaction():
            for spec in data.PRODUCTS:
                self.product_ids[spec.code] = products.add(
                    spec.named(self.chinese),
                    code=spec.code,
                    unit=spec.unit_named(self.chinese),
                    price=spec.price * 100,
                    currency=spec.currency,
                    category=data.CATEGORIES[spec.category][language],
                )

    def retire(self, store: Store) -> None:
        products = ProductStore(store)
        for spec in data.PRODUCTS:
            if not spec.active:
                products.retire(self.product_ids[spec.code])

    def add_lines(self, store: Store, deal: _Deal) -> None:
        """The deal's lines, written with it (the one it was quoted with first, if it changed)."""
        for position, line in enumerate(deal.old_lines or deal.lines):
            deal.line_ids.append(
                store.records.insert(
                    "deal_lines",
                    {
                        "deal_id": deal.id,
                        "product_id": self.product_ids[line.product.code] if line.product else None,
                        "position": position,
                        "description": line.description,
                        "quantity_milli": line.quantity_milli,
                        "unit": line.unit,
                        "unit_price": line.unit_price,
                        "discount_kind": line.discount_kind,
                        "discount": line.discount,
                        "total": line.total,
                    },
                )
            )

    def change_lines(self, store: Store, deal: _Deal) -> None:
        with store.records.transaction():
            for line_id, old, new in zip(deal.line_ids, deal.old_lines, deal.lines, strict=True):
                changes = {
                    name: getattr(new, name)
                    for name in ("quantity_milli", "unit_price", "discount_kind", "discount")
                    if getattr(new, name) != getattr(old, name)
                }
                if changes:
                    store.records.update("deal_lines", line_id, {**changes, "total": new.total})
            store.records.update("deals", deal.id, {"amount": sum(line.total for line in deal.lines)})

    def make_quote(self, store: Store, quote: _Quote) -> None:
        person = quote.customer.person
        frozen = tuple(
            QuoteLine(
                line.description,
                line.quantity_milli,
                line.unit,
                line.unit_price,
                line.discount_kind,
                line.discount,
                line.total,
                line.product.code if line.product else "",
            )
            for line in quote.lines
        )
        sums = totals(
            [(line.quantity_milli, line.unit_price, line.discount_kind, line.discount) for line in frozen]
        )
        issued = quote.at.date()
        buyer = {"name": person.name, "company": person.company, "email": person.email, "phone": person.phone}
        quote.id = store.records.insert(
            "quotes",
            {
                "number": quote_number(quote.year, quote.seq),
                "year": quote.year,
                "seq": quote.seq,
                "revision": quote.revision,
                "deal_id": quote.deal.id,
                "customer_id": quote.customer.id,
                "status": "sent" if quote.sent else "draft",
                "issued_on": issued.isoformat(),
                "valid_until": (issued + timedelta(days=quote.validity)).isoformat(),
                "sent_at": timestamp(quote.at) if quote.sent else None,
                "currency": quote.deal.currency,
                "subtotal": sums.subtotal,
                "discount_total": sums.discounts,
                "total": sums.total,
                "lines": lines_json(frozen),
                "terms": store.setting("quote_terms"),
                "seller": json.dumps(store.setting("seller"), ensure_ascii=False),
                "buyer": json.dumps(buyer, ensure_ascii=False),
                "language": "zh" if self.chinese else "en",
                "device": store.device,
            },
        )


def _before_the_change(lines: list[data.LineDraft], rng: random.Random) -> list[data.LineDraft]:
    """The lines as first quoted: more of the main product, and no discount yet."""
    old = [replace(line) for line in lines]
    main = old[0]
    if main.discount_kind != "none":
        main.discount_kind, main.discount = "none", 0
    else:
        main.quantity_milli += 1000 * max(1, main.quantity_milli // 1000 // 5)
    return old


# -- the lead pool (公海) ---------------------------------------------------------------


def _pool_stories(story: _Story, store: Store, now: datetime, rng: random.Random) -> None:
    """Leads for the pool's rules (core.pool, by their defaults), from a generator of their
    own, so the other draws stay as they were: two leads nobody owns, two of the user's
    about to go back (Today warns of them), and one the user let go back three days ago,
    which the user cannot claim again for the cool-down. The teammates' leads nobody on
    their copy worked are in the pool already."""
    today = now.date()

    def moment(days_ago: int) -> datetime:
        at = datetime.combine(today - timedelta(days=days_ago), time(tzinfo=UTC))
        return min(at + timedelta(hours=rng.uniform(1, 8)), now - timedelta(minutes=10))

    def lead(days_ago: int, owner: str, chinese: bool, call_days_ago: int | None = None) -> None:
        person = data.draw_person(rng, chinese=chinese)
        made: dict[str, str] = {}

        def add() -> None:
            made["id"] = store.add_customer(
                person.name,
                company=person.company,
                title=person.title,
                phone=person.phone,
                email=person.email,
                industry=person.industry,
                source=person.source,
                owner=owner or store.user,
            )
            if not owner:
                store.update_customer(made["id"], {"owner": ""})

        story.at(moment(days_ago), add)
        if call_days_ago is not None:
            at = moment(call_days_ago)
            summary = rng.choice(data.SUMMARIES["call"])
            story.at(at, lambda: store.log_interaction(made["id"], "call", summary, at=at))

    lead(12, "", chinese=True)
    lead(5, "", chinese=False)
    lead(45, store.user, chinese=False, call_days_ago=29)  # back tomorrow
    lead(45, store.user, chinese=True, call_days_ago=28)  # back in two days
    lead(33, store.user, chinese=True)  # went back three days ago: the user's cool-down
