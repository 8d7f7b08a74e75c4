"""Who owns this already: a teammate's customer matching one being added, and asking for it.

Each way of matching is one lookup through its index (customers_email, customers_phone,
customers_name), so a check costs the same on 100,000 customers as on ten. The owner's
last contact is their latest interaction on the customer (not a note: a note is not
contact) through interactions_customer, else the customer's last contact, else never.
"""

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from salesdesk.core.ownership import ASK_KIND, Owned, Person, agrees, ask_title, is_teammate, match_keys

if TYPE_CHECKING:
    from salesdesk.store.database import Database
    from salesdesk.store.store import Store

_COLUMNS = "id, name, company, owner, email, phone, last_contact_at"
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

    The ways of `core.ownership.match_keys`, tried in turn, each checked by `agrees`.
    Deleted customers and those of nobody or of `user` are no match; `exclude` is the
    one being edited.
    """
    typed = Person(name, company, email, phone)
    for how, rows in _candidates(db, typed):
        for customer_id, stored_name, stored_company, owner, stored_email, stored_phone, contact in rows:
            if customer_id == exclude or not is_teammate(owner or "", user):
                continue
            if agrees(how, typed, Person(stored_name, stored_company, stored_email, stored_phone)):
                owner = owner.strip()
                latest = _owners_last_contact(db, customer_id, owner, contact)
                return Owned(customer_id, stored_name, stored_company, owner, how, latest)
    return None


def _candidates(db: "Database", typed: Person) -> Iterator[tuple[str, list[Any]]]:
    """(how, rows) for each way the typed customer can match, each read through its index."""
    for how, key in match_keys(typed):
        if how == "email":
            where, params = "email = ? COLLATE NOCASE AND email != ''", [typed.email.strip()]
        elif how == "phone":
            where, params = "phone_key = ? AND phone_key != ''", [key]
        else:
            # NOCASE folds ASCII only: the name as typed and in its other cases finds
            # 'MÜLLER' for 'Müller' too (spaces typed twice read once); `agrees` compares
            # the rows found case-folded.
            typed_names = (typed.name.strip(), " ".join(typed.name.split()))
            forms = list(
                dict.fromkeys(form(t) for t in typed_names for form in (str, str.lower, str.upper, str.title))
            )
            where, params = f"name COLLATE NOCASE IN ({', '.join('?' for _form in forms)})", forms
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM customers WHERE {where} AND {_LIVE} LIMIT {_CANDIDATES}", params
        ).fetchall()
        yield how, rows


def owned_record(db: "Database", customer_id: str, how: str) -> Owned:
    """A customer found another way (an import's own matching) as a teammate's match."""
    name, company, owner, contact, owners = db.execute(
        "SELECT name, company, owner, last_contact_at, (SELECT max(i.at) FROM interactions i "
        f"WHERE i.customer_id = c.id AND i.by_user = c.owner AND i.kind != 'note' AND i.{_LIVE}) "
        "FROM customers c WHERE id = ?",
        [customer_id],
    ).fetchone()
    latest = owners or contact
    day = date.fromisoformat(latest[:10]) if latest else None
    return Owned(customer_id, name, company, (owner or "").strip(), how, day)


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
