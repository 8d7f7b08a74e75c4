"""Contracts, payment plans and the money collected (回款): the arithmetic, on integers.

Money is integer minor units of a contract's one currency, never a float; an
instalment and a receipt are in their contract's currency.

A plan is made from a pattern a person types (`30% on signing, 70% in 60 days`,
`3 monthly`, `30%签约时，70% 60天后`) or line by line. A pattern's parts are split so
they add up to the contract's amount exactly: each part rounded down, the minor units
left over going one each to the parts with the largest remainders (the earlier first on
a tie). A plan typed line by line may not add up; `Collection.gap` says by how much.

What each receipt pays is worked out, never stored (`allocate`): receipts in the order
they were received (then made, then by id) go first to the instalment they were
recorded for, if any, then to the oldest open instalment (by due day, then position);
what is left after the whole plan is paid is credit (an overpayment, said so). A
refund is a negative receipt: it takes back from the credit first, then from the
instalment it names, then from the latest paid instalments. So two devices that each
record a receipt end, after a merge, with both receipts and the same statuses.

An instalment is paid (all of it received), overdue (past its due day and not fully
paid), partly paid (some received, not yet due) or pending (nothing yet, not yet due).
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from salesdesk.core.errors import InvalidValue
from salesdesk.i18n import N_, _, pgettext

PENDING, PARTLY_PAID, PAID, OVERDUE = "pending", "partly paid", "paid", "overdue"
STATUSES = (PENDING, PARTLY_PAID, PAID, OVERDUE)


def status_name(status: str) -> str:
    """An instalment's status as the language shown names it (in their own context:
    "pending" of an instalment is not "pending" of a teammate's device)."""
    names = {
        PENDING: pgettext("instalment", "pending"),
        PARTLY_PAID: pgettext("instalment", "partly paid"),
        PAID: pgettext("instalment", "paid"),
        OVERDUE: pgettext("instalment", "overdue"),
    }
    return names.get(status, status)


# How money arrives; stored in English, shown through METHOD_NAMES.
METHODS = ("transfer", "cash", "card", "cheque", "alipay", "wechat", "other")
METHOD_NAMES = {
    "transfer": N_("bank transfer"),
    "cash": N_("cash"),
    "card": N_("card"),
    "cheque": N_("cheque"),
    "alipay": N_("Alipay"),
    "wechat": N_("WeChat Pay"),
    "other": N_("other"),
}

# Receivables by age: not yet due, then days past the due day.
NOT_DUE, AGE_30, AGE_60, AGE_90, AGE_OVER_90 = "not due", "0-30", "31-60", "61-90", "90+"
AGES = (NOT_DUE, AGE_30, AGE_60, AGE_90, AGE_OVER_90)
AGE_NAMES = {
    NOT_DUE: N_("not yet due"),
    AGE_30: N_("0–30 days"),
    AGE_60: N_("31–60 days"),
    AGE_90: N_("61–90 days"),
    AGE_OVER_90: N_("over 90 days"),
}

PLAN_PARTS_LIMIT = 120  # instalments a pattern may make: ten years of monthly payments


def contract_number(year: int, seq: int) -> str:
    """C-2026-0007: the year and the contract's place in it, four digits at least."""
    return f"C-{year}-{seq:04d}"


_CONTRACT_NUMBER = re.compile(r"C-(\d{4})-(\d{1,9})", re.IGNORECASE)


def number_seq(number: str, year: int) -> int | None:
    """The sequence of a `C-<year>-<seq>` number of that year, or None for any other text."""
    match = _CONTRACT_NUMBER.fullmatch(number.strip())
    return int(match[2]) if match and int(match[1]) == year else None


class PlanPart(NamedTuple):
    """One instalment of a plan being made: when, how much, and the words it came from."""

    due_on: date
    amount: int
    label: str = ""


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` in parts proportional to `weights`, adding up to `amount` exactly.

    Each part is rounded down; the minor units left over go one each to the parts with
    the largest remainders, the earlier first on a tie. A negative amount is split as
    its opposite and negated.
    """
    if not weights or any(weight < 0 for weight in weights) or sum(weights) == 0:
        raise ValueError("weights must be zero or more, and not all zero")
    if amount < 0:
        return [-part for part in split(-amount, weights)]
    total = sum(weights)
    parts = [amount * weight // total for weight in weights]
    remainders = [amount * weight % total for weight in weights]
    left = amount - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


# --- plans from a pattern ------------------------------------------------------------

_SEPARATORS = re.compile(r"\s*(?:[,;，；、]|\band\b|\bthen\b|然后|再)\s*", re.IGNORECASE)
_PERCENT = r"(?P<pct>\d+(?:\.\d+)?)\s*%"
_UNITS = {
    "d": 1,
    "day": 1,
    "days": 1,
    "天": 1,
    "日": 1,
    "w": 7,
    "wk": 7,
    "week": 7,
    "weeks": 7,
    "周": 7,
    "星期": 7,
    "m": 0,
    "mo": 0,
    "month": 0,
    "months": 0,
    "个月": 0,
    "月": 0,
}
_UNIT = r"(?P<unit>days?|d|weeks?|wk|w|months?|mo|m|天|日|周|星期|个月|月)"
_AT_SIGNING = re.compile(
    rf"{_PERCENT}\s*(?:(?:on|at|upon)\s+signing|up\s*front|deposit|签约时?|签订时?|签约后|首付|预付|定金)?",
    re.IGNORECASE,
)
_LATER = re.compile(
    rf"{_PERCENT}\s*(?:(?:in|after|within|\+)\s*)?(?P<n>\d+)\s*{_UNIT}\s*(?:later|after\s+signing|后|之后|以后|内)?",
    re.IGNORECASE,
)
_LATER_ZH = re.compile(rf"(?P<n>\d+)\s*{_UNIT}\s*(?:后|之后|以后|内)?\s*{_PERCENT}", re.IGNORECASE)
_EQUAL = re.compile(
    r"(?:(?P<n>\d+)\s*(?:x\s*)?(?P<every>monthly|quarterly|weekly|months?|quarters?)"
    r"|分\s*(?P<zn>\d+)\s*期(?:\s*[，,]?\s*每\s*(?P<zevery>月|季度?|周))?"
    r"|(?P<zn2>\d+)\s*期(?:\s*[，,]?\s*每\s*(?P<zevery2>月|季度?|周))?)",
    re.IGNORECASE,
)
_EVERY = {"monthly": (1, 0), "month": (1, 0), "months": (1, 0), "月": (1, 0)}
_EVERY.update({"quarterly": (3, 0), "quarter": (3, 0), "quarters": (3, 0), "季": (3, 0), "季度": (3, 0)})
_EVERY.update({"weekly": (0, 7), "周": (0, 7)})


def _normal(text: str) -> str:
    """Full-width digits, signs and letters as their ASCII forms; spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _later(day: date, n: int, unit: str) -> date:
    days = _UNITS[unit.lower()]
    return add_months(day, n) if days == 0 else day + timedelta(days=n * days)


def _percent_points(text: str) -> int:
    """'30' -> 3000, '12.5' -> 1250: hundredths of a percent (basis points)."""
    whole, _dot, fraction = text.partition(".")
    if len(fraction) > 2:
        raise ValueError(text)
    return int(whole) * 100 + int((fraction + "00")[:2])


def parse_plan(text: str, amount: int, signed_on: date) -> list[PlanPart]:
    """The instalments a pattern says, for a contract of `amount` signed on `signed_on`.

    Patterns: percentages with when each falls due (`30% on signing, 70% in 60 days`,
    `50%, 25% in 1 month, 25% in 2 months`, `30%签约时，70% 60天后`), or equal parts
    (`3 monthly`, `4 quarterly`, `分3期`, `分4期每季度`), the first on signing. The
    percentages must add up to 100 %.
    """
    cleaned = _normal(text)
    if not cleaned:
        raise InvalidValue("plan", _plan_help(_("A payment plan needs a pattern.")))
    equal = _EQUAL.fullmatch(cleaned)
    if equal:
        count = int(equal["n"] or equal["zn"] or equal["zn2"])
        every = (equal["every"] or equal["zevery"] or equal["zevery2"] or "月").lower()
        if not 1 <= count <= PLAN_PARTS_LIMIT:
            raise InvalidValue(
                "plan",
                _("A plan has from 1 to {limit} instalments, not {count}.").format(
                    limit=PLAN_PARTS_LIMIT, count=count
                ),
            )
        months, days = _EVERY[every]
        amounts = split(amount, [1] * count)
        return [
            PlanPart(
                add_months(signed_on, months * i) if months else signed_on + timedelta(days=days * i),
                part,
                _("{n} of {count}").format(n=i + 1, count=count),
            )
            for i, part in enumerate(amounts)
        ]
    pieces = [piece for piece in _SEPARATORS.split(cleaned) if piece]
    if len(pieces) > PLAN_PARTS_LIMIT:
        raise InvalidValue(
            "plan",
            _("A plan has from 1 to {limit} instalments, not {count}.").format(
                limit=PLAN_PARTS_LIMIT, count=len(pieces)
            ),
        )
    dues: list[tuple[date, int, str]] = []
    for piece in pieces:
        later = _LATER.fullmatch(piece) or _LATER_ZH.fullmatch(piece)
        at_signing = None if later else _AT_SIGNING.fullmatch(piece)
        match = later or at_signing
        if match is None:
            raise InvalidValue(
                "plan",
                _plan_help(_("{part} is not a part of a payment plan.").format(part=repr(piece))),
            )
        try:
            points = _percent_points(match["pct"])
        except ValueError:
            raise InvalidValue(
                "plan", _("{value} has too many decimals; use at most two.").format(value=repr(match["pct"]))
            ) from None
        due = _later(signed_on, int(match["n"]), match["unit"]) if later else signed_on
        dues.append((due, points, piece))
    total = sum(points for _due, points, _piece in dues)
    if total != 100 * 100:
        raise InvalidValue(
            "plan",
            _("The percentages of {pattern} add up to {total} %, not 100 %.").format(
                pattern=repr(cleaned), total=_points_text(total)
            ),
        )
    amounts = split(amount, [points for _due, points, _piece in dues])
    return [PlanPart(due, part, piece) for (due, _points, piece), part in zip(dues, amounts, strict=True)]


def _points_text(points: int) -> str:
    whole, hundredths = divmod(points, 100)
    return f"{whole}" if not hundredths else f"{whole}.{hundredths:02d}".rstrip("0")


def _plan_help(sentence: str) -> str:
    # The examples are passed in: a "%" in a message reads as a printf placeholder.
    return _(
        "{sentence} Type percentages and when each is due, such as {dated} ({dated_zh}), "
        "or equal parts, such as {equal} ({equal_zh})."
    ).format(
        sentence=sentence,
        dated="30% on signing, 70% in 60 days",
        dated_zh="30%签约时，70% 60天后",
        equal="3 monthly",
        equal_zh="分3期",
    )


# --- what the money received pays ----------------------------------------------------


class InstalmentFact(NamedTuple):
    id: str
    due_on: date
    amount: int
    position: int = 0


class ReceiptFact(NamedTuple):
    id: str
    received_on: date
    amount: int  # negative: a refund
    instalment_id: str | None = None
    created_at: str = ""


@dataclass(frozen=True)
class Allocation:
    """What the receipts paid: per instalment, the credit left over, and when each
    instalment was paid in full (the day of the receipt that completed it)."""

    applied: dict[str, int]
    credit: int
    paid_on: dict[str, date]


def _plan_order(instalments: Iterable[InstalmentFact]) -> list[InstalmentFact]:
    return sorted(instalments, key=lambda i: (i.due_on, i.position, i.id))


def receipt_order(receipts: Iterable[ReceiptFact]) -> list[ReceiptFact]:
    """Receipts in the order they are applied: received, then made, then by id."""
    return sorted(receipts, key=lambda r: (r.received_on, r.created_at, r.id))


def allocate(instalments: Iterable[InstalmentFact], receipts: Iterable[ReceiptFact]) -> Allocation:
    """What each instalment has received, from every receipt (see the module's docstring)."""
    plan = _plan_order(instalments)
    by_id = {i.id: i for i in plan}
    applied = {i.id: 0 for i in plan}
    paid_on: dict[str, date] = {}
    credit = 0

    def pay(instalment: InstalmentFact, money: int, day: date) -> int:
        take = min(money, instalment.amount - applied[instalment.id])
        if take > 0:
            applied[instalment.id] += take
            if applied[instalment.id] >= instalment.amount:
                paid_on.setdefault(instalment.id, day)
        return money - max(take, 0)

    def take_back(instalment: InstalmentFact, money: int) -> int:
        take = min(money, applied[instalment.id])
        if take > 0:
            applied[instalment.id] -= take
            if applied[instalment.id] < instalment.amount:
                paid_on.pop(instalment.id, None)
        return money - max(take, 0)

    for receipt in receipt_order(receipts):
        named = by_id.get(receipt.instalment_id or "")
        if receipt.amount > 0:
            money = receipt.amount
            if named is not None:
                money = pay(named, money, receipt.received_on)
            for instalment in plan:
                if money <= 0:
                    break
                money = pay(instalment, money, receipt.received_on)
            credit += money
        else:
            money = -receipt.amount
            back = min(money, credit)
            credit, money = credit - back, money - back
            if named is not None:
                money = take_back(named, money)
            for instalment in reversed(plan):
                if money <= 0:
                    break
                money = take_back(instalment, money)
            credit -= money  # refunded more than was received: a debt of the seller's
    # A zero-amount instalment is paid from the start.
    for instalment in plan:
        if instalment.amount == 0 and instalment.id not in paid_on:
            paid_on[instalment.id] = instalment.due_on
    return Allocation(applied, credit, paid_on)


def status(amount: int, applied: int, due_on: date, today: date) -> str:
    """pending, partly paid, paid or overdue, on `today`."""
    if applied >= amount:
        return PAID
    if due_on < today:
        return OVERDUE
    return PARTLY_PAID if applied > 0 else PENDING


def age_of(due_on: date, today: date) -> str:
    """The age bucket of money due on `due_on` and still owed on `today`."""
    late = (today - due_on).days
    if late <= 0:
        return NOT_DUE
    if late <= 30:
        return AGE_30
    if late <= 60:
        return AGE_60
    if late <= 90:
        return AGE_90
    return AGE_OVER_90


@dataclass(frozen=True)
class InstalmentState:
    instalment: InstalmentFact
    applied: int
    status: str
    paid_on: date | None

    @property
    def outstanding(self) -> int:
        return max(self.instalment.amount - self.applied, 0)

    def days_late(self, today: date) -> int:
        """Days past the due day while not fully paid; 0 otherwise."""
        if self.status == PAID:
            return 0
        return max((today - self.instalment.due_on).days, 0)


@dataclass(frozen=True)
class Collection:
    """Where a contract's money stands on a day."""

    amount: int  # the contract's
    planned: int  # what its instalments add up to
    collected: int  # every receipt, refunds taken off
    credit: int  # received beyond the plan (an overpayment); negative: refunded more than received
    instalments: tuple[InstalmentState, ...]
    collected_on: date | None  # when the money reached the contract's amount, if it has

    @property
    def gap(self) -> int:
        """What the plan is short of the contract's amount (negative: over it)."""
        return self.amount - self.planned

    @property
    def outstanding(self) -> int:
        return max(self.amount - self.collected, 0)

    @property
    def overdue(self) -> int:
        return sum(state.outstanding for state in self.instalments if state.status == OVERDUE)

    @property
    def overpaid(self) -> int:
        return max(self.collected - self.amount, 0)

    @property
    def fully_collected(self) -> bool:
        return self.amount > 0 and self.collected >= self.amount

    def percent(self) -> int:
        """Collected, in whole percent of the amount (0 for a contract of no amount)."""
        return min(self.collected * 100 // self.amount, 999) if self.amount > 0 else 0


UNPLANNED = ""  # the id of the one instalment a contract without a plan stands for


def collection(
    amount: int,
    instalments: Sequence[InstalmentFact],
    receipts: Sequence[ReceiptFact],
    today: date,
    *,
    unplanned_due: date | None = None,
) -> Collection:
    """Where a contract of `amount` stands on `today`.

    A contract without a plan is owed as one instalment of its amount, due on
    `unplanned_due` (its signing day; `today` if it has none).
    """
    plan = list(instalments)
    if not plan and amount > 0:
        plan = [InstalmentFact(UNPLANNED, unplanned_due or today, amount)]
    allocation = allocate(plan, receipts)
    states = tuple(
        InstalmentState(
            i,
            allocation.applied[i.id],
            status(i.amount, allocation.applied[i.id], i.due_on, today),
            allocation.paid_on.get(i.id),
        )
        for i in _plan_order(plan)
    )
    collected = sum(r.amount for r in receipts)
    return Collection(
        amount,
        sum(i.amount for i in instalments),
        collected,
        allocation.credit,
        states,
        _collected_on(amount, receipts),
    )


def _collected_on(amount: int, receipts: Sequence[ReceiptFact]) -> date | None:
    """The day the running total of receipts last reached `amount` (None if it is below)."""
    running, reached = 0, None
    for receipt in receipt_order(receipts):
        before = running
        running += receipt.amount
        if before < amount <= running:
            reached = receipt.received_on
        elif running < amount:
            reached = None
    return reached if amount > 0 and running >= amount else None


def median_days(spans: Iterable[int]) -> float | None:
    """The median of whole-day spans (signing to fully collected), None with none."""
    ordered = sorted(spans)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
