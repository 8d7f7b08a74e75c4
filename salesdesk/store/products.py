"""The product catalogue: what is sold, at what list price, found as one types.

A product is a synced record like a customer. Retiring one (`active` 0) keeps it for
the deals and quotes that name it, but it is no longer offered when adding a line.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from salesdesk.core.errors import InvalidValue, field_name
from salesdesk.core.model import Product, check_name
from salesdesk.core.money import check_currency
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.store.store import Store

PRODUCT_FIELDS = ("name", "code", "unit", "price", "currency", "category", "active")
TEXT_LIMIT = 200  # characters of a name, code, unit or category


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class ProductStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Product fields checked as a local edit and an import check them."""
        unknown = set(values) - set(PRODUCT_FIELDS)
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidValue(name, _("Products have no field {field}.").format(field=repr(name)))
        clean = dict(values)
        for name in ("name", "code", "unit", "category"):
            if name in clean:
                clean[name] = str(clean[name]).strip()
                if len(clean[name]) > TEXT_LIMIT:
                    raise InvalidValue(
                        name,
                        _("A product's {field} is at most {n} characters.").format(
                            field=field_name(name), n=TEXT_LIMIT
                        ),
                    )
        if "name" in clean:
            check_name(clean["name"])
        if "currency" in clean:
            clean["currency"] = check_currency(clean["currency"])
        price = clean.get("price", 0)
        if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price < 2**53:
            raise InvalidValue("price", _("A price is a whole number of minor units, zero or more."))
        if "active" in clean:
            clean["active"] = 1 if clean["active"] else 0
        return clean

    def add(self, name: str, **values: Any) -> str:
        clean = self.clean({"name": name, "currency": self.store.setting("currency"), **values})
        return self.store.records.insert("products", clean)

    def update(self, product_id: str, changes: Mapping[str, Any], expected_version: int | None = None) -> int:
        return self.store.records.update("products", product_id, self.clean(changes), expected_version)

    def retire(self, product_id: str, retired: bool = True) -> int:
        """Retire a product (or bring it back): kept, but not offered for new lines."""
        return self.store.records.update("products", product_id, {"active": 0 if retired else 1})

    def get(self, product_id: str) -> Product:
        return Product.from_row(self.store.records.require("products", product_id))

    def by_code(self, code: str) -> Product | None:
        cursor = self.db.execute(
            "SELECT * FROM products WHERE code = ? COLLATE NOCASE AND code != '' AND deleted_at IS NULL "
            "ORDER BY created_at, id LIMIT 1",
            [code.strip()],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        return Product.from_row(dict(zip([d[0] for d in cursor.description], row, strict=True)))

    def search(
        self, text: str = "", *, limit: int = 50, offset: int = 0, active_only: bool = True
    ) -> list[Product]:
        """Products whose name, code or category holds `text` (any case), codes that start
        with it first, then names; all of them in name order when `text` is empty.
        `offset` skips that many: a page of the list as the Products screen shows it."""
        where, params, order, ordered = self._matching(text, active_only)
        cursor = self.db.execute(
            f"SELECT * FROM products WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, *ordered, limit, max(0, offset)],
        )
        names = [d[0] for d in cursor.description]
        return [Product.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def count_matching(self, text: str = "", *, active_only: bool = True) -> int:
        """How many products `search` finds for `text`, all pages together."""
        where, params, _order, _ordered = self._matching(text, active_only)
        return int(self.db.execute(f"SELECT count(*) FROM products WHERE {where}", params).fetchone()[0])

    def position(self, product_id: str, text: str = "", *, active_only: bool = True) -> int | None:
        """Where a product is in `search`'s order for `text`, or None when it is not found."""
        where, params, order, ordered = self._matching(text, active_only)
        sql = f"SELECT id FROM products WHERE {where} ORDER BY {order}"
        ids = [row[0] for row in self.db.execute(sql, [*params, *ordered])]
        return ids.index(product_id) if product_id in ids else None

    @staticmethod
    def _matching(text: str, active_only: bool) -> tuple[str, list[Any], str, list[Any]]:
        """The WHERE clause of a search and its parameters, its ORDER BY and its parameters."""
        text = text.strip()
        where = ["deleted_at IS NULL"]
        params: list[Any] = []
        if active_only:
            where.append("active = 1")
        order = "name COLLATE NOCASE, id"
        if text:
            where.append(
                "(name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\' OR category LIKE ? ESCAPE '\\')"
            )
            params += [_like(text)] * 3
            order = "(code != '' AND code LIKE ? ESCAPE '\\') DESC, " + order
            return " AND ".join(where), params, order, [_like(text)[1:]]
        return " AND ".join(where), params, order, []

    def count(self, *, active_only: bool = False) -> int:
        sql = "SELECT count(*) FROM products WHERE deleted_at IS NULL"
        if active_only:
            sql += " AND active = 1"
        return int(self.db.execute(sql).fetchone()[0])
