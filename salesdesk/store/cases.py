"""After-sales cases of a customer: opened, changed, closed, listed and counted.

A case is a synced record written only through `store.records`, so it reaches the
team like any other. Opening, closing and reopening a case is written on the
customer's history as a note in the same transaction: the history the pane lists says
when a complaint came in and when it was settled. The rules of the values are
`core.cases`.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from salesdesk.core import cases as rules
from salesdesk.core.errors import InvalidValue
from salesdesk.core.model import Case
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.store.database import Database
    from salesdesk.store.store import Store


def open_counts(db: "Database", customer_ids: Iterable[str]) -> dict[str, int]:
    """How many open or waiting cases each of these customers has (absent: none).

    One query through the cases' customer index, however many customers are asked about.
    """
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return {}
    rows = db.execute(
        """SELECT k.customer_id, count(*) FROM json_each(?) c
           CROSS JOIN cases k ON k.customer_id = c.value
           WHERE k.deleted_at IS NULL AND k.status IN ('open', 'waiting')
           GROUP BY k.customer_id""",
        [json.dumps(ids)],
    )
    return {customer_id: count for customer_id, count in rows}


class ListedCase(NamedTuple):
    """A case as the customer pane lists it: the record and its product's name."""

    case: Case
    product: str  # the product's name; empty when the case names none


class CaseStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    def _check_links(self, customer_id: str, values: Mapping[str, Any]) -> None:
        """The product and the deal a case names exist; the deal is the customer's."""
        if values.get("product_id"):
            self.store.records.require("products", values["product_id"])
        if values.get("deal_id"):
            deal = self.store.records.require("deals", values["deal_id"])
            if deal["customer_id"] != customer_id:
                raise InvalidValue("deal", _("A case's deal is one of the same customer's deals."))

    def _log(self, customer_id: str, summary: str, deal_id: str | None) -> None:
        self.store.log_interaction(customer_id, "note", summary, deal_id=deal_id)

    def open_case(
        self,
        customer_id: str,
        title: str,
        *,
        product_id: str | None = None,
        deal_id: str | None = None,
        opened_on: date | str,
        notes: str = "",
    ) -> str:
        """Open a case for a customer; the customer's history says so. Returns its id."""
        values = rules.clean(
            {
                "title": title,
                "product_id": product_id,
                "deal_id": deal_id,
                "opened_on": opened_on,
                "status": rules.OPEN,
                "closed_on": None,
                "owner": self.store.user,
                "notes": notes,
            }
        )
        with self.store.records.transaction():
            self.store.customer(customer_id)  # NotFound for a customer not here
            self._check_links(customer_id, values)
            case_id = self.store.records.insert("cases", {"customer_id": customer_id, **values})
            self._log(customer_id, _("Case opened: {title}").format(title=values["title"]), values["deal_id"])
        return case_id

    def get(self, case_id: str) -> Case:
        return Case.from_row(self.store.records.require("cases", case_id))

    def update(self, case_id: str, changes: Mapping[str, Any], expected_version: int | None = None) -> int:
        """Change a case's title, product, deal, opened day or notes (a status through
        `set_status`, which keeps its closed day and its history)."""
        if "status" in changes or "closed_on" in changes:
            raise InvalidValue("status", _("A case's status is changed on its own, with its day."))
        checked = rules.clean(changes)
        with self.store.records.transaction():
            case = self.get(case_id)
            self._check_links(case.customer_id, checked)
            if case.closed_on:  # a closed case was not opened after it was closed
                opened = checked.get("opened_on", case.opened_on)
                rules.clean({"opened_on": opened, "closed_on": case.closed_on})
            return self.store.records.update("cases", case_id, checked, expected_version)

    def set_status(self, case_id: str, status: str, today: date) -> int:
        """Open, waiting or closed. Closing keeps `today` as the day it was closed and
        reopening forgets it; both are written on the customer's history."""
        status = rules.check_status(status)
        with self.store.records.transaction():
            case = self.get(case_id)
            if case.status == status:
                return case.version
            changes: dict[str, Any] = {"status": status}
            summary = None
            if status == rules.CLOSED:
                closed_on = max(today.isoformat(), case.opened_on)
                changes["closed_on"] = closed_on
                summary = _("Case closed: {title}")
            elif case.status == rules.CLOSED:
                changes["closed_on"] = None
                summary = _("Case reopened: {title}")
            version = self.store.records.update("cases", case_id, changes)
            if summary is not None:
                self._log(case.customer_id, summary.format(title=case.title), case.deal_id)
        return version

    def of_customer(self, customer_id: str) -> list[ListedCase]:
        """A customer's cases: open and waiting ones first, then closed; newest first in each."""
        cursor = self.db.execute(
            """SELECT k.*, coalesce(p.name, '') AS product_name FROM cases k
               LEFT JOIN products p ON p.id = k.product_id AND p.deleted_at IS NULL
               WHERE k.customer_id = ? AND k.deleted_at IS NULL
               ORDER BY k.status = 'closed', k.opened_on DESC, k.created_at DESC, k.id""",
            [customer_id],
        )
        names = [d[0] for d in cursor.description]
        found = []
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            found.append(ListedCase(Case.from_row(record), record["product_name"]))
        return found

    def open_count(self, customer_ids: Iterable[str]) -> dict[str, int]:
        """How many open or waiting cases each of these customers has (absent: none)."""
        return open_counts(self.db, customer_ids)
