"""Who owns this already: a teammate's customer matching one being added, and asking for it.

Each way of matching is one lookup through its index (customers_email, customers_phone,
customers_name), so a check costs the same on 100,000 customers as on ten. The owner's
last contact is their latest interaction on the customer (not a note: a note is not
contact) through interactions_customer, else the customer's last contact, else never.
"""

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from salesdesk.core.model import phone_key
from salesdesk.core.ownership import ASK_KIND, PHONE_KEY_DIGITS, Owned, ask_title, folded, is_teammate

if TYPE_CHECKING:
    from salesdesk.store.database import Database
    from salesdesk.store.store import Store

_COLUMNS = "id, name, company, owner, email, last_contact_at"
_LIVE = "deleted_at IS NULL"
_CANDIDATES = 20  # rows read per way: more of one email or number than this is a shared inbox


def teammates_customer(
    db: "Database",
    user: str,
    *,
    name: str,
    company: str = "",
    email: str = "",
    phone: str = "",
    exclude: str | None = None,
) -> Owned | None:
    """The customer of someone other than `user` that the one typed matches, or None.

    Same email (any case); same phone (its key, when long enough to be a number) unless
    both have emails and they differ (colleagues share an office number); or the same
    name and company, case-folded, when there is a company, or when nothing else (no
    email, no phone) tells two people of that name apart. Deleted customers and those
    of nobody or of `user` are no match; `exclude` is the one being edited.
    """
    email = email.strip()
    typed_person = (folded(name), folded(company))
    for how, rows in _candidates(db, name, company, email, phone):
        for customer_id, stored_name, stored_company, owner, stored_email, contact in rows:
            if customer_id == exclude or not is_teammate(owner or "", user):
                continue
            other = stored_email.strip().casefold()
            if how == "email" and other != email.casefold():
                continue
            if how == "phone" and email and other and other != email.casefold():
                continue
            if how == "name" and (folded(stored_name), folded(stored_company)) != typed_person:
                continue
            return Owned(
                customer_id,
                stored_name,
                stored_company,
                owner.strip(),
                how,
                _owners_last_contact(db, customer_id, owner.strip(), contact),
            )
    return None


def _candidates(
    db: "Database", name: str, company: str, email: str, phone: str
) -> Iterator[tuple[str, list[Any]]]:
    """(how, rows) for each way the typed customer can match, each read through its index."""
    if email:
        yield (
            "email",
            db.execute(
                f"SELECT {_COLUMNS} FROM customers WHERE email = ? COLLATE NOCASE AND email != '' "
                f"AND {_LIVE} LIMIT {_CANDIDATES}",
                [email],
            ).fetchall(),
        )
    key = phone_key(phone)
    if len(key) >= PHONE_KEY_DIGITS:
        yield (
            "phone",
            db.execute(
                f"SELECT {_COLUMNS} FROM customers WHERE phone_key = ? AND phone_key != '' "
                f"AND {_LIVE} LIMIT {_CANDIDATES}",
                [key],
            ).fetchall(),
        )
    if name.strip() and (company.strip() or not (email or phone.strip())):
        # NOCASE folds ASCII only: the name as typed and in its other cases finds 'MÜLLER'
        # for 'Müller' too; the rows found are compared case-folded.
        # Spaces typed twice are read once.
        typed = (name.strip(), " ".join(name.split()))
        forms = list(dict.fromkeys(form(t) for t in typed for form in (str, str.lower, str.upper, str.title)))
        marks = ", ".join("?" for _form in forms)
        yield (
            "name",
            db.execute(
                f"SELECT {_COLUMNS} FROM customers WHERE name COLLATE NOCASE IN ({marks}) "
                f"AND {_LIVE} LIMIT {_CANDIDATES}",
                forms,
            ).fetchall(),
        )


def _owners_last_contact(db: "Database", customer_id: str, owner: str, contact: str | None) -> date | None:
    row = db.execute(
        "SELECT max(at) FROM interactions WHERE customer_id = ? AND by_user = ? AND kind != 'note' "
        f"AND {_LIVE}",
        [customer_id, owner],
    ).fetchone()
    latest = row[0] if row and row[0] else contact
    return date.fromisoformat(latest[:10]) if latest else None


def ask_owner(store: "Store", customer_id: str, owner: str, today: date) -> tuple[str, bool]:
    """Ask `owner` for their customer: a follow-up of theirs on it, due today, whose title
    says who asks. Returns its id and whether it was written now (False: this person's
    ask is open already, and is not made twice). Nothing else changes."""
    title = ask_title(store.user)
    with store.records.transaction():
        store.records.require("customers", customer_id)
        open_ask = store.db.execute(
            "SELECT id FROM followups WHERE customer_id = ? AND +owner = ? AND title = ? "
            "AND done_at IS NULL AND deleted_at IS NULL",
            [customer_id, owner, title],
        ).fetchone()
        if open_ask:
            return open_ask[0], False
        return store.add_followup(customer_id, today, title, kind=ASK_KIND, owner=owner), True
