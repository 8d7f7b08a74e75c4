"""A deal's lines: what is sold on it, and the deal's amount as their sum.

A deal with lines has the sum of their totals as its amount (`core.lines` says how each
total is rounded); a deal with none keeps the amount typed by hand. Every write of a
line writes its total and the deal's amount with it, in one transaction. Removing a
deal's last line leaves its amount at the lines' last sum, to be typed again from there.

Lines are kept in `position` order. Two devices adding a line to one deal offline may
give both the same position: they are then shown in the order they were made, and the
first move renumbers the deal's lines 0, 1, 2...
"""

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from salesdesk.core.errors import InvalidValue, field_name
from salesdesk.core.lines import BASIS, DISCOUNT_KINDS, NONE, PERCENT, QUANTITY_LIMIT, fits, line_total
from salesdesk.core.model import DealLine, Product
from salesdesk.i18n import _
from salesdesk.store.database import Database

if TYPE_CHECKING:
    from salesdesk.store.store import Store


def deals_of_lines(db: Database, line_ids: Iterable[str]) -> set[str]:
    """The deals the given lines belong to (deleted lines included)."""
    ids = list(line_ids)
    if not ids:
        return set()
    rows = db.execute(
        "SELECT DISTINCT deal_id FROM deal_lines WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {str(row[0]) for row in rows}


def deals_with_lines(db: Database, deal_ids: Iterable[str]) -> set[str]:
    """Those of the given deals that have lines (a deal without keeps its typed amount)."""
    ids = list(deal_ids)
    if not ids:
        return set()
    rows = db.execute(
        "SELECT DISTINCT deal_id FROM deal_lines WHERE deleted_at IS NULL "
        "AND deal_id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    )
    return {str(row[0]) for row in rows}


def refresh(store: "Store", deal_ids: Iterable[str]) -> int:
    """Make each line's total and each deal's amount what its records say; returns how
    many records were written (none when they already agreed)."""
    records, written = store.records, 0
    with records.transaction():
        for deal_id in sorted(set(deal_ids)):
            deal = store.db.execute(
                "SELECT amount FROM deals WHERE id = ? AND deleted_at IS NULL", [deal_id]
            ).fetchone()
            if deal is None:
                continue
            lines = store.db.execute(
                "SELECT id, quantity_milli, unit_price, discount_kind, discount, total FROM deal_lines "
                "WHERE deal_id = ? AND deleted_at IS NULL",
                [deal_id],
            ).fetchall()
            amount = 0
            for line_id, quantity_milli, unit_price, kind, discount, stored in lines:
                total = line_total(quantity_milli, unit_price, kind, discount)
                amount += total
                if total != stored:
                    records.update("deal_lines", line_id, {"total": total})
                    written += 1
            if lines and amount != deal[0]:
                records.update("deals", deal_id, {"amount": amount})
                written += 1
    return written


LINE_FIELDS = (
    "description",
    "product_id",
    "quantity_milli",
    "unit",
    "unit_price",
    "discount_kind",
    "discount",
)
TEXT_LIMIT = 200  # characters of a line's description or unit
PRICE_LIMIT = 2**53  # a unit price below this (what sync.checks lets arrive)
_ORDER = "position, created_at, id"


def _whole(value: Any, below: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < below


def list_price(product: Product, currency: str) -> int:
    """A product's list price as a line's unit price: only in the deal's currency, else 0."""
    return product.price if product.currency == currency else 0


class LineStore:
    """The lines of deals: read in order, added, edited, moved and removed, each write
    with the line's total and the deal's amount in the same transaction."""

    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db
        self.records = store.records

    def lines_of(self, deal_id: str) -> list[DealLine]:
        cursor = self.db.execute(
            f"SELECT * FROM deal_lines WHERE deal_id = ? AND deleted_at IS NULL ORDER BY {_ORDER}",
            [deal_id],
        )
        names = [d[0] for d in cursor.description]
        return [DealLine.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def line(self, line_id: str) -> DealLine:
        return DealLine.from_row(self.records.require("deal_lines", line_id))

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Line fields checked: one sentence naming the field when one cannot be kept."""
        unknown = set(values) - set(LINE_FIELDS)
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidValue(name, _("Lines have no field {field}.").format(field=repr(name)))
        clean = dict(values)
        for name in ("description", "unit"):
            if name in clean:
                clean[name] = str(clean[name]).strip()
                if len(clean[name]) > TEXT_LIMIT:
                    raise InvalidValue(
                        name,
                        _("A line's {field} is at most {n} characters.").format(
                            field=field_name(name), n=TEXT_LIMIT
                        ),
                    )
        if "description" in clean and not clean["description"]:
            raise InvalidValue("description", _("A line needs a description: what is sold."))
        if "quantity_milli" in clean and not _whole(clean["quantity_milli"], QUANTITY_LIMIT + 1):
            raise InvalidValue(
                "quantity", _("A quantity is zero or more thousandths, up to a billion units.")
            )
        if "unit_price" in clean and not _whole(clean["unit_price"], PRICE_LIMIT):
            raise InvalidValue(
                "unit price", _("A unit price is a whole number of minor units, zero or more.")
            )
        kind = clean.get("discount_kind")
        if kind is not None and kind not in DISCOUNT_KINDS:
            raise InvalidValue("discount", _("{value} is not a kind of discount.").format(value=repr(kind)))
        if "discount" in clean and not _whole(clean["discount"], PRICE_LIMIT):
            raise InvalidValue("discount", _("A discount is a whole number, zero or more."))
        if kind == PERCENT and clean.get("discount", 0) > BASIS:
            raise InvalidValue("discount", _("A percent discount is at most 100%."))
        if kind == NONE:
            clean["discount"] = 0
        return clean

    def add_line(
        self,
        deal_id: str,
        product_id: str | None = None,
        *,
        description: str | None = None,
        quantity_milli: int = 1000,
        unit: str | None = None,
        unit_price: int | None = None,
        discount_kind: str = NONE,
        discount: int = 0,
    ) -> str:
        """A line at the end of the deal's lines. From a product, what is not given is the
        product's: its name, its unit, its list price when in the deal's currency (else 0)."""
        with self.records.transaction():
            deal = self.records.require("deals", deal_id)
            if product_id is not None:
                product = Product.from_row(self.records.require("products", product_id))
                description = product.name if description is None else description
                unit = product.unit if unit is None else unit
                if unit_price is None:
                    unit_price = list_price(product, deal["currency"])
            values = self.clean(
                {
                    "description": description or "",
                    "product_id": product_id,
                    "quantity_milli": quantity_milli,
                    "unit": unit or "",
                    "unit_price": unit_price or 0,
                    "discount_kind": discount_kind,
                    "discount": discount,
                }
            )
            last = self.db.execute(
                "SELECT max(position) FROM deal_lines WHERE deal_id = ? AND deleted_at IS NULL", [deal_id]
            ).fetchone()[0]
            total = self._total(values)
            self._check_sum(deal_id, total)
            line_id = self.records.insert(
                "deal_lines",
                {**values, "deal_id": deal_id, "position": 0 if last is None else last + 1, "total": total},
            )
            self._write_amount(deal_id)
        return line_id

    def update_line(
        self, line_id: str, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> int:
        with self.records.transaction():
            current = self.records.require("deal_lines", line_id)
            clean = self.clean(changes)
            if "product_id" in clean and clean["product_id"] is not None:
                self.records.require("products", clean["product_id"])
            merged = {**current, **clean}
            total = self._total(merged)
            self._check_sum(current["deal_id"], total - current["total"])
            version = self.records.update("deal_lines", line_id, {**clean, "total": total}, expected_version)
            self._write_amount(current["deal_id"])
        return version

    def move_line(self, line_id: str, step: int) -> bool:
        """Swap a line with the one above (-1) or below (+1); False at either end."""
        with self.records.transaction():
            line = self.line(line_id)
            lines = self.lines_of(line.deal_id)
            at = next(i for i, other in enumerate(lines) if other.id == line_id)
            to = at + (1 if step > 0 else -1)
            if not 0 <= to < len(lines):
                return False
            lines[at], lines[to] = lines[to], lines[at]
            for position, other in enumerate(lines):  # equal positions (two devices) made distinct
                if other.position != position:
                    self.records.update("deal_lines", other.id, {"position": position})
        return True

    def remove_line(self, line_id: str, expected_version: int | None = None) -> None:
        """A tombstone; the deal's amount is the sum of the lines left (the last sum when none is)."""
        with self.records.transaction():
            line = self.line(line_id)
            self.records.delete("deal_lines", line_id, expected_version)
            self._write_amount(line.deal_id)

    def restore_line(self, line_id: str) -> None:
        """Bring back a removed line (its tombstone lifted), and the deal's amount with it."""
        with self.records.transaction():
            row = self.records.get("deal_lines", line_id, include_deleted=True)
            if row is None or row["deleted_at"] is None:
                return
            self._check_sum(row["deal_id"], row["total"])
            self.records.require("deals", row["deal_id"])
            self.records.update("deal_lines", line_id, {"deleted_at": None})
            self._write_amount(row["deal_id"])

    def has_lines(self, deal_id: str) -> bool:
        return bool(deals_with_lines(self.db, [deal_id]))

    @staticmethod
    def _total(values: Mapping[str, Any]) -> int:
        total = line_total(
            values["quantity_milli"], values["unit_price"], values["discount_kind"], values["discount"]
        )
        if not fits(total):
            raise InvalidValue(
                "quantity",
                _("This line's total is too large to keep; lower its quantity or unit price."),
            )
        return total

    def _check_sum(self, deal_id: str, more: int) -> None:
        """Refuse a write that would make the deal's sum past what 64 bits keep."""
        now = self.db.execute(
            "SELECT coalesce(sum(total), 0) FROM deal_lines WHERE deal_id = ? AND deleted_at IS NULL",
            [deal_id],
        ).fetchone()[0]
        if not fits(now + more):
            raise InvalidValue(
                "quantity",
                _(
                    "The deal's lines would add up to more than an amount can keep; "
                    "lower a quantity or price."
                ),
            )

    def _write_amount(self, deal_id: str) -> None:
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(total), 0) FROM deal_lines "
            "WHERE deal_id = ? AND deleted_at IS NULL",
            [deal_id],
        ).fetchone()
        if row[0]:
            self.records.update("deals", deal_id, {"amount": int(row[1])})
