"""Importing products: match each incoming row with a product of the catalogue, or create it.

A row is matched by salesdesk id (from our own export), then by code (any case) when it
has one, else by name and unit (any case). A row with a code no product has yet may
still be a product that was imported without one: the same name and unit, no code. A
matched product takes the row's values that differ (a changed price updates it); a
value the file leaves empty keeps the stored one. So importing the same file again
changes nothing (nor does a value written in another case or spacing). A row
matching a product an earlier row of the file created is merged into it.

Every value is checked as a product typed in is (`ProductStore.clean`) before anything is
written; a price is read in the row's currency, else the matched product's, else the
default currency. Everything happens in one transaction; a dry run rolls it back.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from salesdesk.core.errors import InvalidValue
from salesdesk.core.incoming import Refusal
from salesdesk.core.incoming_products import IncomingProduct
from salesdesk.core.money import check_currency, parse_amount
from salesdesk.i18n import _
from salesdesk.store.products import PRODUCT_FIELDS, ProductStore

if TYPE_CHECKING:
    from salesdesk.store.store import Store

_NEW = {"code": "", "unit": "", "price": 0, "category": "", "active": 1}


@dataclass
class ProductImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0  # rows that matched a product created from an earlier row
    refusals: list[Refusal] = field(default_factory=list)  # refused by the catalogue's own rules
    dry_run: bool = False

    def summary(self, refused: int) -> str:
        """'3 created, 2 updated, 4 unchanged, 0 refused'."""
        parts = [
            _("{n} created").format(n=f"{self.created:,}"),
            _("{n} updated").format(n=f"{self.updated:,}"),
            _("{n} unchanged").format(n=f"{self.unchanged:,}"),
            _("{n} refused").format(n=f"{refused:,}"),
        ]
        if self.merged:
            parts.append(_("{n} merged into an earlier row of the same product").format(n=f"{self.merged:,}"))
        return _(", ").join(parts)


class _DryRun(Exception):
    """Raised inside the import transaction so that it rolls back."""


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same(stored: object, value: object) -> bool:
    """Whether a row's value says what the stored one says (case and spacing aside)."""
    if isinstance(stored, str) and isinstance(value, str):
        return _key(stored) == _key(value)
    return stored == value


class _Catalogue:
    """The products we have (and are about to create), indexed the ways a row can match."""

    def __init__(self, store: "Store"):
        self.rows: dict[str, dict[str, Any]] = {}
        self.by_code: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        cursor = store.db.execute(
            f"SELECT id, {', '.join(PRODUCT_FIELDS)} FROM products WHERE deleted_at IS NULL "
            "ORDER BY created_at, id"
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            self.remember(dict(zip(names, row, strict=True)))

    def remember(self, row: dict[str, Any]) -> None:
        self.rows[row["id"]] = row
        if row["code"]:
            self.by_code.setdefault(_key(row["code"]), row["id"])
        self.by_name.setdefault((_key(row["name"]), _key(row["unit"])), row["id"])

    def match(self, item: IncomingProduct) -> str | None:
        if item.record_id in self.rows:
            return item.record_id
        code = item.values.get("code", "")
        named = self.by_name.get((_key(item.values["name"]), _key(item.values.get("unit", ""))))
        if code:
            found = self.by_code.get(_key(code))
            if found is None and named is not None and not self.rows[named]["code"]:
                found = named  # imported before without its code
            return found
        return named


def import_products(
    store: "Store", incoming: Iterable[IncomingProduct], *, dry_run: bool = False
) -> ProductImportResult:
    """Create or update a product for each incoming row, all in one transaction."""
    result = ProductImportResult(dry_run=dry_run)
    try:
        with store.records.transaction():
            _Import(store, result).run(incoming)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


class _Import:
    def __init__(self, store: "Store", result: ProductImportResult):
        self.store = store
        self.products = ProductStore(store)
        self.result = result
        self.catalogue = _Catalogue(store)
        self.currency = str(store.setting("currency"))
        self.new: dict[str, dict[str, Any]] = {}  # id -> values of products to create, in file order

    def run(self, incoming: Iterable[IncomingProduct]) -> None:
        for item in incoming:
            try:
                self._take(item)
            except InvalidValue as error:
                name = "price" if error.field == "amount" else error.field
                self.result.refusals.append(
                    Refusal(item.line, item.columns.get(name, name), item.values.get(name, ""), str(error))
                )
        if self.new:
            self.store.records.insert_many("products", self.new.values(), self.new)

    def _take(self, item: IncomingProduct) -> None:
        product_id = self.catalogue.match(item)
        current = self.catalogue.rows.get(product_id) if product_id else None
        values: dict[str, Any] = {k: v for k, v in item.values.items() if k not in ("price", "active")}
        if "currency" in values:
            values["currency"] = check_currency(values["currency"])
        currency = values.get("currency") or (current["currency"] if current else self.currency)
        if "price" in item.values:
            values["price"] = parse_amount(item.values["price"], currency)
        if "active" in item.values:
            values["active"] = int(item.values["active"])
        clean = self.products.clean(values)
        if current is None or product_id is None:
            product_id = self.store.records.new_id()
            row = {**_NEW, "currency": currency, **clean}
            self.new[product_id] = row
            self.catalogue.remember({"id": product_id, **row})
            self.result.created += 1
            return
        changes = {name: value for name, value in clean.items() if not _same(current[name], value)}
        if product_id in self.new:
            self.new[product_id].update(changes)
            self.catalogue.remember({**current, **changes})
            self.result.merged += 1
            return
        if changes:
            self.products.update(product_id, changes)
            self.catalogue.remember({**current, **changes})
            self.result.updated += 1
        else:
            self.result.unchanged += 1
