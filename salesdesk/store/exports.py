"""What the exports read: live records as plain rows, in a stable order.

Each function yields dicts of field name to value (text, numbers or None); the
formats (`salesdesk.io`) decide how to write them.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from salesdesk.core.money import exponent
from salesdesk.store.database import Database, Parameters

if TYPE_CHECKING:
    from salesdesk.core.contracts import Collection

CUSTOMER_FIELDS = (
    "id",
    "name",
    "company",
    "title",
    "phone",
    "email",
    "handle",
    "industry",
    "tags",
    "birthday",
    "lunar_birthday",
    "contract_end",
    "source",
    "owner",
    "notes",
)
DEAL_FIELDS = (
    "id",
    "title",
    "customer",
    "customer_id",
    "amount",
    "currency",
    "stage",
    "probability",
    "expected_close",
    "next_step",
    "owner",
    "lost_reason",
    "closed_on",
    "stage_entered_at",
    "created_at",
)
INTERACTION_FIELDS = (
    "id",
    "at",
    "kind",
    "customer",
    "customer_id",
    "deal",
    "deal_id",
    "summary",
    "body",
    "by_user",
)
FOLLOWUP_FIELDS = (
    "id",
    "due_date",
    "due_time",
    "title",
    "kind",
    "customer",
    "customer_id",
    "deal",
    "deal_id",
    "owner",
    "done_at",
    "rrule",
)

PRODUCT_FIELDS = ("id", "code", "name", "unit", "price", "currency", "category", "active")
CONTRACT_FIELDS = (
    "id",
    "number",
    "customer",
    "customer_id",
    "deal",
    "deal_id",
    "quote_id",
    "signed_on",
    "starts_on",
    "ends_on",
    "amount",
    "currency",
    "collected",
    "outstanding",
    "overdue",
    "notes",
)
INSTALMENT_FIELDS = (
    "id",
    "contract",
    "contract_id",
    "customer",
    "position",
    "label",
    "due_on",
    "amount",
    "currency",
    "paid",
    "outstanding",
    "status",
    "days_late",
    "snoozed_until",
)
RECEIPT_FIELDS = (
    "id",
    "contract",
    "contract_id",
    "customer",
    "received_on",
    "amount",
    "currency",
    "method",
    "reference",
    "instalment_id",
)


def _rows(db: Database, sql: str, params: Parameters = ()) -> Iterator[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def customers(db: Database, tag: str | None = None) -> Iterator[dict[str, Any]]:
    """Every live customer with its tags (a list), oldest first; with `tag`, only those
    that have it (in any case)."""
    tags: dict[str, list[str]] = {}
    for customer_id, name in db.execute(
        "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE ct.deleted_at IS NULL AND t.deleted_at IS NULL ORDER BY t.name COLLATE NOCASE"
    ):
        tags.setdefault(customer_id, []).append(name)
    columns = ", ".join(f for f in CUSTOMER_FIELDS if f != "tags")
    tagged = (
        "AND EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE ct.customer_id = customers.id AND ct.deleted_at IS NULL AND t.deleted_at IS NULL "
        "AND t.name = ? COLLATE NOCASE)"
        if tag is not None
        else ""
    )
    sql = f"SELECT {columns} FROM customers WHERE deleted_at IS NULL {tagged} ORDER BY rid"
    for row in _rows(db, sql, (tag,) if tag is not None else ()):
        row["tags"] = tags.get(row["id"], [])
        yield row


def tag_names(db: Database) -> list[str]:
    """The names of the live tags, in alphabetical order (any case)."""
    return [
        name
        for (name,) in db.execute(
            "SELECT name FROM tags WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE"
        )
    ]


def deals(db: Database) -> Iterator[dict[str, Any]]:
    """Every live deal, the amount in major units as exact decimal text ('12500.00')."""
    for row in _rows(
        db,
        """
            SELECT d.id, d.title, c.name AS customer, d.customer_id, d.amount, d.currency,
                   s.name AS stage, d.probability, d.expected_close, d.next_step, d.owner,
                   d.lost_reason, d.closed_on, d.stage_entered_at, d.created_at
            FROM deals d JOIN customers c ON c.id = d.customer_id
            JOIN stages s ON s.id = d.stage_id
            WHERE d.deleted_at IS NULL ORDER BY d.created_at, d.id""",
    ):
        places = exponent(row["currency"])
        row["amount"] = f"{Decimal(row['amount']).scaleb(-places):.{places}f}"
        yield row


def products(db: Database) -> Iterator[dict[str, Any]]:
    """Every live product, retired ones too, by name; the list price in major units ('8800.00')."""
    for row in _rows(
        db,
        f"SELECT {', '.join(PRODUCT_FIELDS)} FROM products WHERE deleted_at IS NULL "
        "ORDER BY name COLLATE NOCASE, code COLLATE NOCASE, id",
    ):
        places = exponent(row["currency"])
        row["price"] = f"{Decimal(row['price']).scaleb(-places):.{places}f}"
        yield row


def _major(amount: int, currency: str) -> str:
    """Minor units as exact decimal text in major units ('12500.00', '-300.00')."""
    places = exponent(currency)
    return f"{Decimal(amount).scaleb(-places):.{places}f}"


def _collections(db: Database, today: date) -> "dict[str, Collection]":
    """Every live contract's collection on `today`, from three queries whatever their number."""
    from salesdesk.core.contracts import InstalmentFact, ReceiptFact, collection

    plans: dict[str, list[InstalmentFact]] = {}
    for contract_id, instalment_id, due_on, amount, position in db.execute(
        "SELECT contract_id, id, due_on, amount, position FROM instalments WHERE deleted_at IS NULL"
    ):
        plans.setdefault(contract_id, []).append(
            InstalmentFact(instalment_id, date.fromisoformat(due_on), amount, position)
        )
    paid: dict[str, list[ReceiptFact]] = {}
    for contract_id, receipt_id, received_on, amount, instalment_id, created_at in db.execute(
        "SELECT contract_id, id, received_on, amount, instalment_id, created_at FROM receipts "
        "WHERE deleted_at IS NULL"
    ):
        paid.setdefault(contract_id, []).append(
            ReceiptFact(receipt_id, date.fromisoformat(received_on), amount, instalment_id, created_at)
        )
    states = {}
    for contract_id, amount, first in db.execute(
        "SELECT id, amount, coalesce(signed_on, starts_on) FROM contracts WHERE deleted_at IS NULL"
    ):
        states[contract_id] = collection(
            amount,
            plans.get(contract_id, []),
            paid.get(contract_id, []),
            today,
            unplanned_due=date.fromisoformat(first) if first else None,
        )
    return states


def contracts(db: Database, today: date) -> Iterator[dict[str, Any]]:
    """Every live contract, the latest signed last; its amount, and what was collected,
    is outstanding and is overdue on `today`, in major units."""
    states = _collections(db, today)
    for row in _rows(
        db,
        """
        SELECT k.id, k.number, c.name AS customer, k.customer_id, d.title AS deal, k.deal_id,
               k.quote_id, k.signed_on, k.starts_on, k.ends_on, k.amount, k.currency, k.notes
        FROM contracts k JOIN customers c ON c.id = k.customer_id
        LEFT JOIN deals d ON d.id = k.deal_id
        WHERE k.deleted_at IS NULL
        ORDER BY coalesce(k.signed_on, k.starts_on, k.ends_on), k.created_at, k.id""",
    ):
        state = states[row["id"]]
        currency = row["currency"]
        row["amount"] = _major(row["amount"], currency)
        row["collected"] = _major(state.collected, currency)
        row["outstanding"] = _major(state.outstanding, currency)
        row["overdue"] = _major(state.overdue, currency)
        yield row


def instalments(db: Database, today: date) -> Iterator[dict[str, Any]]:
    """Every live instalment of a live contract, by due day: what it has received, what
    is outstanding, its status (`core.contracts.STATUSES`) and days late on `today`."""
    states = {
        state.instalment.id: state
        for collection in _collections(db, today).values()
        for state in collection.instalments
    }
    for row in _rows(
        db,
        """
        SELECT i.id, k.number AS contract, i.contract_id, c.name AS customer, i.position, i.label,
               i.due_on, i.amount, k.currency, i.snoozed_until
        FROM instalments i JOIN contracts k ON k.id = i.contract_id
        JOIN customers c ON c.id = k.customer_id
        WHERE i.deleted_at IS NULL AND k.deleted_at IS NULL
        ORDER BY i.due_on, k.number, i.position, i.id""",
    ):
        state = states[row["id"]]
        currency = row["currency"]
        row["amount"] = _major(row["amount"], currency)
        row["paid"] = _major(state.applied, currency)
        row["outstanding"] = _major(state.outstanding, currency)
        row["status"] = state.status
        row["days_late"] = state.days_late(today)
        yield row


def receipts(db: Database) -> Iterator[dict[str, Any]]:
    """Every live receipt of a live contract, in the order received; a refund negative."""
    for row in _rows(
        db,
        """
        SELECT r.id, k.number AS contract, r.contract_id, c.name AS customer, r.received_on,
               r.amount, k.currency, r.method, r.reference, r.instalment_id
        FROM receipts r JOIN contracts k ON k.id = r.contract_id
        JOIN customers c ON c.id = k.customer_id
        WHERE r.deleted_at IS NULL AND k.deleted_at IS NULL
        ORDER BY r.received_on, r.created_at, r.id""",
    ):
        row["amount"] = _major(row["amount"], row["currency"])
        yield row


def interactions(db: Database) -> Iterator[dict[str, Any]]:
    return _rows(
        db,
        """
        SELECT i.id, i.at, i.kind, c.name AS customer, i.customer_id, d.title AS deal,
               i.deal_id, i.summary, i.body, i.by_user
        FROM interactions i JOIN customers c ON c.id = i.customer_id
        LEFT JOIN deals d ON d.id = i.deal_id
        WHERE i.deleted_at IS NULL ORDER BY i.at, i.id""",
    )


def followups(db: Database) -> Iterator[dict[str, Any]]:
    return _rows(
        db,
        """
        SELECT f.id, f.due_date, f.due_time, f.title, f.kind, c.name AS customer, f.customer_id,
               d.title AS deal, f.deal_id, f.owner, f.done_at, f.rrule
        FROM followups f JOIN customers c ON c.id = f.customer_id
        LEFT JOIN deals d ON d.id = f.deal_id
        WHERE f.deleted_at IS NULL ORDER BY f.due_date, f.due_time, f.id""",
    )


def open_followups_between(
    db: Database, first: date, last: date, owner: str | None = None
) -> Iterator[dict[str, Any]]:
    """Follow-ups not done, due from `first` through `last`; only `owner`'s when given."""
    where = "AND f.owner = ?" if owner is not None else ""
    params = [first.isoformat(), last.isoformat()] + ([owner] if owner is not None else [])
    return _rows(
        db,
        f"""
        SELECT f.id, f.due_date, f.due_time, f.title, f.kind, f.rrule, f.owner,
               c.name AS customer, c.company, c.phone, c.email, d.title AS deal
        FROM followups f JOIN customers c ON c.id = f.customer_id
        LEFT JOIN deals d ON d.id = f.deal_id
        WHERE f.done_at IS NULL AND f.deleted_at IS NULL AND c.deleted_at IS NULL
          AND f.due_date BETWEEN ? AND ? {where}
        ORDER BY f.due_date, f.due_time, f.id""",
        params,
    )
