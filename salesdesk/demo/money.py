"""The small demo's contracts, payment plans, receipts and after-sales cases.

Every deal that reached Signed has a contract, made the moment it was signed, of the
deal's amount and currency and the quote it was won with, numbered C-<year>-<seq> in
the order they were signed, with a plan from a pattern a person would type
(`core.contracts.parse_plan`). The deals already paid were paid in full by the moment
they moved to Paid, some on time and some late, one a little over; the deals still in
Signed are partly paid, and between them have an instalment overdue in every age
bucket of the ageing report (about 120, 75, 40 and 5 days late on today), one or two
due within the week, a partial payment and a refund. A handful of after-sales cases,
open, waiting and closed, are on customers who bought, one on the customer whose
check-in is due.

Everything is planned from a generator of its own (the rest of the story stays what
the seed told) and written through the store's write path, so it is in the change log
like any record. Only the money is planned here; what each receipt pays is always
worked out by `core.contracts.allocate`, never stored.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from salesdesk.core.contracts import PlanPart, add_months, age_of, contract_number, parse_plan
from salesdesk.demo import data
from salesdesk.store.store import Store

if TYPE_CHECKING:
    from salesdesk.demo.small import _Customer, _Deal, _Goods, _Plan, _Quote, _Story

LATE_DAYS = (120, 75, 40, 5)  # the instalments overdue on today, one in each age bucket
NEAR = 20  # how far from those a plan's instalment may fall and still stand for one
SOON_DAYS = 4  # one or two instalments due about this many days ahead
SOON = 2
CASE_STATUSES = ("open", "waiting", "closed", "open", "closed", "waiting")


@dataclass
class _Receipt:
    day: date
    amount: int  # negative: a refund
    method: str
    reference: str
    at: datetime | None = None


@dataclass
class _Contract:
    customer: "_Customer"
    deal: "_Deal"
    at: datetime  # when it was made: just after the deal entered Signed
    signed_on: date
    starts_on: date
    ends_on: date
    pattern: str
    parts: list[PlanPart]
    paid_at: datetime | None  # when the deal moved to Paid, if it has
    notes: str = ""
    number: str = ""
    quote: "_Quote | None" = None
    receipts: list[_Receipt] = field(default_factory=list)
    id: str = ""


@dataclass
class _Case:
    customer: "_Customer"
    deal: "_Deal"
    product: str | None  # the code of the product it is about
    title: str
    notes: str
    at: datetime
    status: str
    changed: datetime | None = None  # when it went to waiting or was closed
    id: str = ""


class Money:
    """Contracts, plans, receipts and cases of the small demo, planned then told."""

    def __init__(self, plan: "_Plan", goods: "_Goods", rng: random.Random):
        self.plan, self.goods, self.rng = plan, goods, rng
        self.now, self.today, self.chinese = plan.now, plan.today, goods.chinese
        self.signed, self.paid = plan.won[0], plan.won[-1]
        self.contracts: list[_Contract] = []
        self.cases: list[_Case] = []

    def text(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.chinese else pair[0]

    def moment(self, day: date, after: datetime | None = None) -> datetime:
        """A moment in office hours on `day`, after `after`, never later than now."""
        moment = datetime.combine(day, time(tzinfo=UTC)) + timedelta(hours=self.rng.uniform(1, 9))
        if after is not None:
            moment = max(moment, after + timedelta(minutes=self.rng.randint(5, 40)))
        return min(moment, self.now - timedelta(minutes=3))

    # -- planning -------------------------------------------------------------------

    def draw(self, customers: list["_Customer"]) -> None:
        won = []
        for customer in customers:
            for deal in customer.deals + customer.history:
                signed = self.goods.entered(deal, self.signed)
                if signed is not None:
                    won.append((signed, customer, deal))
        won.sort(key=lambda item: item[0])
        counts: dict[int, int] = {}
        for signed, customer, deal in won:
            contract = self.contract(signed, customer, deal)
            year = contract.signed_on.year
            counts[year] = counts.get(year, 0) + 1
            contract.number = contract_number(year, counts[year])
            self.contracts.append(contract)
        paid = [c for c in self.contracts if c.paid_at is not None]
        for contract in paid:
            self.paid_in_full(contract)
        main = [c for c in paid if _of(c.deal, c.customer.deals)]
        if main:  # the latest paid a little over
            latest = max(main, key=lambda c: c.paid_at or self.now)
            extra = max(100_00, latest.deal.amount // 200 // 100 * 100)
            latest.receipts[-1].amount += extra
        self.partly_paid([c for c in self.contracts if c.paid_at is None])
        self.plan_cases()

    def contract(self, signed: datetime, customer: "_Customer", deal: "_Deal") -> _Contract:
        rng = self.rng
        at = min(signed + timedelta(minutes=rng.randint(10, 50)), self.now - timedelta(minutes=20))
        signed_on = signed.date()
        starts_on = signed_on + timedelta(days=rng.choice((0, 0, 0, 1, 7, 14)))
        years = 2 if rng.random() < 0.25 else 1
        ends_on = add_months(starts_on, 12 * years) - timedelta(days=1)
        paid_at = self.goods.entered(deal, self.paid)
        patterns = data.PAID_PATTERNS if paid_at is not None else data.PLAN_PATTERNS
        if _of(deal, customer.history):  # a reorder of consumables: paid in one go
            pattern = self.text(data.PLAN_PATTERNS[0])
        else:
            pattern = self.text(rng.choice(patterns))
        notes = self.text(rng.choice(data.CONTRACT_NOTES)) if rng.random() < 0.35 else ""
        sent = [q for q in self.goods.quotes if q.deal is deal and q.sent and q.at < at]
        return _Contract(
            customer,
            deal,
            at,
            signed_on,
            starts_on,
            ends_on,
            pattern,
            parse_plan(pattern, deal.amount, signed_on),
            paid_at,
            notes,
            quote=max(sent, key=lambda q: q.at) if sent else None,
        )

    def receipt(self, contract: _Contract, day: date, amount: int) -> _Receipt:
        rng = self.rng
        currency = contract.deal.currency
        methods = data.RECEIPT_METHODS.get(currency, data.RECEIPT_METHODS["USD"])
        method = rng.choices([m for m, _ in methods], [w for _, w in methods])[0]
        if method in ("alipay", "wechat"):
            reference = f"{day:%Y%m%d}{rng.randrange(10**12):012d}"
        elif method == "cheque":
            reference = f"{rng.randrange(100000, 999999)}"
        elif method == "transfer":
            reference = f"TT{day:%y%m%d}{rng.randrange(1000, 9999)}"
        else:
            reference = ""
        return _Receipt(day, amount, method, reference)

    def paid_in_full(self, contract: _Contract) -> None:
        """Every instalment paid by the day the deal moved to Paid: each on its due day or
        a few days late, the last (with what is still owed) on the day it moved."""
        assert contract.paid_at is not None
        rng, paid_on = self.rng, contract.paid_at.date()
        late = rng.random() < 0.4
        *earlier, _last = contract.parts
        left = contract.deal.amount
        for part in earlier:
            day = part.due_on + timedelta(days=rng.randint(2, 12) if late else 0)
            if day >= paid_on:
                break
            contract.receipts.append(self.receipt(contract, day, part.amount))
            left -= part.amount
        contract.receipts.append(self.receipt(contract, paid_on, left))

    def partly_paid(self, signed: list[_Contract]) -> None:
        """The contracts still in Signed: paid up to an instalment left overdue (about
        LATE_DAYS late, the oldest contracts the latest), due soon, or not yet due."""
        signed = sorted(signed, key=lambda c: c.signed_on)
        roles: list[int | str | None] = [*LATE_DAYS, *(["soon"] * SOON)]
        roles += [None] * (len(signed) - len(roles))
        refund_done = False
        for contract, role in zip(signed, roles, strict=False):
            stop = self.replan(contract, role)
            for part in contract.parts[:stop]:
                if part.due_on >= self.today:
                    break
                day = part.due_on
                if self.rng.random() < 0.3:
                    day += timedelta(days=self.rng.randint(2, 12))
                day = max(contract.signed_on, min(day, self.today - timedelta(days=1)))
                contract.receipts.append(self.receipt(contract, day, part.amount))
            if role == LATE_DAYS[1] and stop < len(contract.parts):  # some of the overdue one
                part = contract.parts[stop]
                day = min(part.due_on + timedelta(days=self.rng.randint(3, 10)), self.today)
                contract.receipts.append(self.receipt(contract, day, part.amount * 2 // 5))
            if not refund_done and role in (LATE_DAYS[3], "soon") and contract.receipts:
                refund_done = self.refund(contract)
        for contract in signed:
            contract.receipts.sort(key=lambda r: r.day)

    def replan(self, contract: _Contract, role: int | str | None) -> int:
        """Choose the contract's plan for its role; return how many instalments are paid."""
        today = self.today
        signed = (today - contract.signed_on).days

        def lateness(part: PlanPart) -> int:
            return (today - part.due_on).days

        if role is None:  # not yet due in full: paid up to today
            if lateness(contract.parts[-1]) >= 0:
                future = [p for p in data.PLAN_PATTERNS if lateness(self.parse(p, contract)[-1]) < 0]
                if future:
                    self.use(contract, self.text(self.rng.choice(future)))
                else:
                    self.use(contract, data.balance_pattern(30, signed + 30, self.chinese))
            return len(contract.parts)
        if role == "soon":
            want = list(range(-7, 0))
            target = -SOON_DAYS
        else:
            assert isinstance(role, int)
            bucket = age_of(today - timedelta(days=role), today)
            want = [
                d
                for d in range(role - NEAR, role + NEAR + 1)
                if age_of(today - timedelta(days=d), today) == bucket
            ]
            target = role
        best: tuple[int, str, int] | None = None
        for pair in data.PLAN_PATTERNS:
            for index, part in enumerate(self.parse(pair, contract)):
                late = lateness(part)
                if late in want and (best is None or abs(late - target) < best[0]):
                    best = (abs(late - target), self.text(pair), index)
        if best is not None:
            self.use(contract, best[1])
            return best[2]
        days = signed - target
        if days > 0:  # a deposit now, the balance on the day that makes it so
            self.use(contract, data.balance_pattern(30, days, self.chinese))
            return 1
        self.use(contract, self.text(data.PLAN_PATTERNS[0]))
        return 0

    def parse(self, pair: tuple[str, str], contract: _Contract) -> list[PlanPart]:
        return parse_plan(self.text(pair), contract.deal.amount, contract.signed_on)

    def use(self, contract: _Contract, pattern: str) -> None:
        contract.pattern = pattern
        contract.parts = parse_plan(pattern, contract.deal.amount, contract.signed_on)

    def refund(self, contract: _Contract) -> bool:
        """The first payment arrived twice; the second was paid back a week later."""
        first = contract.receipts[0]
        twice = first.day + timedelta(days=self.rng.randint(1, 3))
        back = twice + timedelta(days=self.rng.randint(5, 9))
        if back >= self.today:
            return False
        contract.receipts.append(self.receipt(contract, twice, first.amount))
        contract.receipts.append(_Receipt(back, -first.amount, "transfer", f"RF{back:%y%m%d}"))
        return True

    def plan_cases(self) -> None:
        """After-sales cases on customers who bought, about what they bought."""
        bought: list[_Customer] = []
        for contract in self.contracts:
            if _of(contract.deal, contract.customer.deals) and not _of(contract.customer, bought):
                bought.append(contract.customer)
        checkin = self.plan.checkin
        if checkin is not None and _of(checkin, bought):  # an open case: the check-in says so
            bought = [checkin, *(c for c in bought if c is not checkin)]
        for index, (customer, status) in enumerate(zip(bought, CASE_STATUSES, strict=False)):
            deal = max(
                (c for c in self.contracts if c.customer is customer and _of(c.deal, customer.deals)),
                key=lambda c: c.at,
            )
            title, notes = data.CASE_TEXTS[index % len(data.CASE_TEXTS)]
            products = [line.product.code for line in deal.deal.lines if line.product]
            since = max((self.today - deal.signed_on).days - 3, 1)
            if status == "closed":
                opened = self.today - timedelta(days=self.rng.randint(min(20, since), min(90, since + 20)))
            else:
                opened = self.today - timedelta(days=self.rng.randint(0, min(12, since)))
            at = self.moment(max(opened, deal.signed_on + timedelta(days=1)), after=deal.at)
            changed = None
            if status != "open":
                later = at.date() + timedelta(days=self.rng.randint(1, 15) if status == "closed" else 1)
                changed = self.moment(min(later, self.today), after=at)
            self.cases.append(
                _Case(
                    customer,
                    deal.deal,
                    products[0] if products else None,
                    self.text(title),
                    self.text(notes),
                    at,
                    status,
                    changed,
                )
            )

    # -- telling --------------------------------------------------------------------

    def tell(self, story: "_Story", store: Store) -> None:
        for contract in self.contracts:
            story.at(contract.at, partial(self.make_contract, store, contract))
            after = contract.at
            for receipt in contract.receipts:
                if contract.paid_at is not None and receipt is contract.receipts[-1]:
                    # The money that completes it, just before the deal moved to Paid.
                    receipt.at = max(
                        contract.paid_at - timedelta(minutes=self.rng.randint(20, 90)),
                        after + timedelta(minutes=1),
                    )
                else:
                    receipt.at = self.moment(receipt.day, after=after)
                after = receipt.at
                story.at(receipt.at, partial(self.record, store, contract, receipt))
        for case in self.cases:
            story.at(case.at, partial(self.open_case, store, case))
            if case.changed is not None:
                story.at(case.changed, partial(self.change_case, store, case))

    def make_contract(self, store: Store, contract: _Contract) -> None:
        records = store.records
        with records.transaction():
            contract.id = records.insert(
                "contracts",
                {
                    "number": contract.number,
                    "deal_id": contract.deal.id,
                    "customer_id": contract.customer.id,
                    "quote_id": contract.quote.id if contract.quote else None,
                    "signed_on": contract.signed_on.isoformat(),
                    "starts_on": contract.starts_on.isoformat(),
                    "ends_on": contract.ends_on.isoformat(),
                    "amount": contract.deal.amount,
                    "currency": contract.deal.currency,
                    "notes": contract.notes,
                },
            )
            for position, part in enumerate(contract.parts):
                records.insert(
                    "instalments",
                    {
                        "contract_id": contract.id,
                        "position": position,
                        "due_on": part.due_on.isoformat(),
                        "amount": part.amount,
                        "label": part.label,
                    },
                )

    def record(self, store: Store, contract: _Contract, receipt: _Receipt) -> None:
        store.records.insert(
            "receipts",
            {
                "contract_id": contract.id,
                "instalment_id": None,  # the oldest open one
                "received_on": receipt.day.isoformat(),
                "amount": receipt.amount,
                "method": receipt.method,
                "reference": receipt.reference,
            },
        )

    def open_case(self, store: Store, case: _Case) -> None:
        case.id = store.records.insert(
            "cases",
            {
                "customer_id": case.customer.id,
                "product_id": self.goods.product_ids[case.product] if case.product else None,
                "deal_id": case.deal.id,
                "title": case.title,
                "opened_on": case.at.date().isoformat(),
                "status": "open",
                "owner": case.customer.values["owner"],
                "notes": case.notes,
            },
        )

    def change_case(self, store: Store, case: _Case) -> None:
        changes = {"status": case.status}
        if case.status == "closed":
            assert case.changed is not None
            changes["closed_on"] = case.changed.date().isoformat()
        store.records.update("cases", case.id, changes)


def _of(item: object, items: list) -> bool:
    """Whether `item` itself (not an equal one) is in `items`."""
    return any(other is item for other in items)
