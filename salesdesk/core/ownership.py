"""Who owns this already: a customer being added or imported who is a teammate's.

A customer typed in or read from a file is a teammate's when a stored one with an owner
other than the person adding it has the same email (any case), the same phone (its
`phone_key`) or the same name and company (case-folded). Rather than a duplicate, the
person may ask the owner for it: a follow-up for the owner, due today, saying who asks.
"""

from dataclasses import dataclass
from datetime import date

from salesdesk.i18n import N_, _, ngettext

# How a match was found, as a sentence names it.
HOW = {
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
    how: str  # "email", "phone" or "name": the first of the ways it matched
    last_contact: date | None  # the owner's latest contact with it, else anyone's; None: never

    def customer(self) -> str:
        """'Mary Cooper (Acme)', or the name alone."""
        return f"{self.name} ({self.company})" if self.company.strip() else self.name


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
