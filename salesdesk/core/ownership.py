"""Who owns this already: a customer being added or imported who is a teammate's.

A customer typed in or read from a file is a teammate's when a stored one with an owner
other than the person adding it has the same email (any case), the same phone (its
`phone_key`) or the same name and company (case-folded). Rather than a duplicate, the
person may ask the owner for it: a follow-up for the owner, due today, saying who asks.
"""

from dataclasses import dataclass
from datetime import date

from salesdesk.core.model import phone_key
from salesdesk.i18n import N_, _, ngettext

# How a match was found, as a sentence names it.
HOW = {
    "id": N_("the same salesdesk id"),
    "email": N_("the same email"),
    "phone": N_("the same phone"),
    "name": N_("the same name and company"),
}
# A phone key shorter than this is an extension or a short code, not anyone's number.
PHONE_KEY_DIGITS = 6
# The asking follow-up's title (in the asker's language) and what the owner does with it.
ASKS = N_("{asker} asks for this customer")
ASK_KIND = "message"


@dataclass(frozen=True)
class Owned:
    """A teammate's customer that matches the one being added."""

    customer_id: str
    name: str
    company: str
    owner: str
    how: str  # "email", "phone" or "name": the first of the ways it matched ("id": an import's)
    last_contact: date | None  # the owner's latest contact with it, else anyone's; None: never

    def customer(self) -> str:
        """'Mary Cooper (Acme)', or the name alone."""
        return f"{self.name} ({self.company})" if self.company.strip() else self.name


@dataclass(frozen=True)
class Person:
    """A customer's details that matching compares, as typed or as stored."""

    name: str
    company: str = ""
    email: str = ""
    phone: str = ""


def match_keys(typed: Person) -> list[tuple[str, str]]:
    """(how, key) of each way the customer typed may match a stored one, in the order tried.

    Same email (any case); same phone (its key, when long enough to be a number); the
    same name (and company, see `agrees`) when there is a company, or when nothing else
    (no email, no phone) tells two people of that name apart.
    """
    keys = stored_keys(typed)
    if not typed.company.strip() and (typed.email.strip() or typed.phone.strip()):
        keys = [(how, key) for how, key in keys if how != "name"]
    return keys


def stored_keys(stored: Person) -> list[tuple[str, str]]:
    """(how, key) under which a stored customer can be found (`match_keys` of a typed one)."""
    keys = []
    if stored.email.strip():
        keys.append(("email", stored.email.strip().casefold()))
    key = phone_key(stored.phone)
    if len(key) >= PHONE_KEY_DIGITS:
        keys.append(("phone", key))
    if stored.name.strip():
        keys.append(("name", folded(stored.name)))
    return keys


def agrees(how: str, typed: Person, stored: Person) -> bool:
    """Whether a stored customer found by `how` is the one typed: the email the same; the
    same phone unless both have emails and they differ (colleagues share an office
    number); the same name and company, case-folded."""
    email, other = typed.email.strip().casefold(), stored.email.strip().casefold()
    if how == "email":
        return bool(email) and email == other
    if how == "phone":
        return (
            len(phone_key(typed.phone)) >= PHONE_KEY_DIGITS
            and phone_key(typed.phone) == phone_key(stored.phone)
            and not (email and other and email != other)
        )
    return (folded(typed.name), folded(typed.company)) == (folded(stored.name), folded(stored.company))


def is_teammate(owner: str, user: str) -> bool:
    """Whether `owner` is someone other than `user` (an empty owner is nobody's)."""
    return bool(owner.strip()) and owner.strip().casefold() != user.strip().casefold()


def folded(text: str) -> str:
    """A name or company as matching compares it: case-folded, spaces single."""
    return " ".join(text.split()).casefold()


def contacted(day: date | None, today: date) -> str:
    """'never', 'today', 'yesterday', '12 days ago'."""
    if day is None:
        return _("never")
    days = (today - day).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)


def owned_sentence() -> str:
    """The template of what is said of a match: {customer}, {owner} and {when} to fill in."""
    return _("{customer} is {owner}'s customer, last contacted {when}")


def owned_said(owned: Owned, today: date) -> str:
    """'Mary Cooper (Acme) is 张丽's customer, last contacted 12 days ago' as plain text."""
    return owned_sentence().format(
        customer=owned.customer(), owner=owned.owner, when=contacted(owned.last_contact, today)
    )


def ask_title(asker: str) -> str:
    """The title of the follow-up that asks the owner for the customer."""
    return _(ASKS).format(asker=asker)


@dataclass(frozen=True)
class OwnedRow:
    """A row (or card) of an import that is a teammate's customer, so not imported."""

    line: int
    owned: Owned
    asked: bool | None = None  # None: not asked; True: the ask written; False: asked already
