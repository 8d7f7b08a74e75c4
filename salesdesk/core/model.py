"""The records salesdesk keeps, as plain data. Money in minor units, dates as ISO text."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from salesdesk.core.errors import InvalidValue, field_name
from salesdesk.i18n import N_, _

INTERACTION_KINDS = ("call", "email", "meeting", "visit", "message", "note")
# The kinds as a person reads them (the stored value is the English key).
_KIND_NAMES = {
    "call": N_("call"),
    "email": N_("email"),
    "meeting": N_("meeting"),
    "visit": N_("visit"),
    "message": N_("message"),
    "note": N_("note"),
}


def kind_name(kind: str) -> str:
    """An interaction kind in the language shown; one we do not know, as stored."""
    return _(_KIND_NAMES[kind]) if kind in _KIND_NAMES else kind


def kind_typed(text: str) -> str | None:
    """The kind a person typed into a form: its key (`call`) or its name in the language
    shown (`电话`), in any case; None when it is neither."""
    typed = text.strip().lower()
    if typed in _KIND_NAMES:
        return typed
    for kind, name in _KIND_NAMES.items():
        if _(name).lower() == typed:
            return kind
    return None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# A customer's own fields, in the order forms and exports list them.
CUSTOMER_FIELDS = (
    "name",
    "company",
    "title",
    "phone",
    "email",
    "handle",
    "industry",
    "source",
    "owner",
    "birthday",
    "lunar_birthday",
    "contract_end",
    "notes",
)
# What a merge or an import fills in: all but the name and the notes, which join.
CUSTOMER_DETAILS = CUSTOMER_FIELDS[1:-1]


@dataclass
class Record:
    id: str
    created_at: str
    updated_at: str
    updated_by: str
    version: int
    deleted_at: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        # Any: a row holds whatever SQLite read from each column; the fields say what that is.
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in row.items() if key in names})


@dataclass
class Customer(Record):
    name: str
    company: str = ""
    title: str = ""
    phone: str = ""
    phone_key: str = ""
    email: str = ""
    handle: str = ""
    industry: str = ""
    source: str = ""
    owner: str = ""
    birthday: str | None = None
    lunar_birthday: str | None = None
    contract_end: str | None = None
    notes: str = ""
    last_contact_at: str | None = None
    owned_since: str | None = None


@dataclass
class Deal(Record):
    customer_id: str
    title: str
    amount: int
    currency: str
    stage_id: str
    stage_entered_at: str
    probability: int | None = None
    expected_close: str | None = None
    next_step: str = ""
    owner: str = ""
    lost_reason: str = ""
    closed_on: str | None = None
    checklist_done: str = "[]"  # JSON list of the current stage's ticked items


@dataclass
class StageChange(Record):
    deal_id: str
    from_stage: str | None
    to_stage: str
    at: str
    by_user: str


@dataclass
class Interaction(Record):
    customer_id: str
    kind: str
    at: str
    by_user: str
    deal_id: str | None = None
    summary: str = ""
    body: str = ""


@dataclass
class FollowUp(Record):
    customer_id: str
    due_date: str
    title: str
    deal_id: str | None = None
    due_time: str | None = None
    kind: str = "call"
    owner: str = ""
    done_at: str | None = None
    rrule: str | None = None


@dataclass
class Product(Record):
    name: str
    currency: str
    code: str = ""
    unit: str = ""
    price: int = 0  # the list price, in minor units of `currency`
    category: str = ""
    active: int = 1  # 0: retired, kept for the deals and quotes that name it


@dataclass
class DealLine(Record):
    deal_id: str
    description: str
    product_id: str | None = None
    position: int = 0
    quantity_milli: int = 1000  # core.lines: thousandths of a unit
    unit: str = ""
    unit_price: int = 0
    discount_kind: str = "none"
    discount: int = 0
    total: int = 0


@dataclass
class Quote(Record):
    number: str
    year: int
    seq: int
    deal_id: str
    customer_id: str
    issued_on: str
    valid_until: str
    currency: str
    device: str
    revision: int = 1
    status: str = "draft"  # or "sent"; accepted (deal won) and expired are worked out
    sent_at: str | None = None
    subtotal: int = 0
    discount_total: int = 0
    total: int = 0
    lines: str = "[]"  # JSON of core.quotes.QuoteLine
    terms: str = ""
    seller: str = "{}"  # JSON of core.quotes.SELLER_FIELDS
    buyer: str = "{}"  # JSON of core.quotes.BUYER_FIELDS
    language: str = "en"


@dataclass
class Contract(Record):
    customer_id: str
    currency: str
    number: str = ""
    deal_id: str | None = None  # None: carried over from a customer's contract end
    quote_id: str | None = None
    signed_on: str | None = None  # ISO dates
    starts_on: str | None = None
    ends_on: str | None = None  # renewal reminders come from it
    amount: int = 0  # minor units of `currency`
    notes: str = ""


@dataclass
class Instalment(Record):
    contract_id: str
    due_on: str
    amount: int  # minor units of the contract's currency
    position: int = 0
    label: str = ""  # "30% on signing"
    snoozed_until: str | None = None  # the reminder hidden on Today until then; the debt stays


@dataclass
class Receipt(Record):
    contract_id: str
    received_on: str
    amount: int  # negative: a refund
    instalment_id: str | None = None  # the instalment it was chosen for; None: the oldest open
    method: str = ""  # core.contracts.METHODS
    reference: str = ""


@dataclass
class Case(Record):
    customer_id: str
    title: str
    opened_on: str
    status: str = "open"  # open, waiting, closed
    product_id: str | None = None
    deal_id: str | None = None
    closed_on: str | None = None
    owner: str = ""
    notes: str = ""


def phone_key(phone: str) -> str:
    """Digits only, for matching '+86 138-0013-8000' with '13800138000'.

    The last eleven digits are kept so a number matches with or without its
    country code.
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-11:]


def check_email(email: str) -> str:
    email = email.strip()
    if email and not _EMAIL.fullmatch(email):
        raise InvalidValue(
            "email",
            _("{value} is not an email address; use a form like name@example.com.").format(value=repr(email)),
        )
    return email


def check_name(name: str, what: str = "name") -> str:
    if not name or not name.strip():
        raise InvalidValue(what, _("A {field} is required.").format(field=field_name(what)))
    return name


def check_kind(kind: str) -> str:
    if kind not in INTERACTION_KINDS:
        raise InvalidValue(
            "kind",
            _("{value} is not a kind of interaction; use one of {kinds}.").format(
                value=repr(kind), kinds=", ".join(INTERACTION_KINDS)
            ),
        )
    return kind
