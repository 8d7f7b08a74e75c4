"""CSV files a spreadsheet opens safely: UTF-8 with a byte-order mark (so Excel shows
Chinese correctly), CRLF line ends, and formula-looking cells escaped (CWE-1236).

A customers (or products) export uses the headers the importer reads, so it imports
back to the same customers (or products). Instalments show their status and receipts
their way of paying in words of the language shown.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from salesdesk.core.contracts import METHOD_NAMES, status_name
from salesdesk.i18n import N_, _
from salesdesk.io.cells import escape_formula
from salesdesk.io.headers import export_label
from salesdesk.io.product_rows import active_word
from salesdesk.io.product_rows import export_label as product_label

TABLES = (
    "customers",
    "deals",
    "interactions",
    "followups",
    "products",
    "contracts",
    "instalments",
    "receipts",
)

# Headers that are not customer fields (customer fields use the importer's own words),
# shown with `_` in the language of the export.
_HEADERS = {
    "id": N_("id"),
    "title": N_("title"),
    "customer": N_("customer"),
    "customer_id": N_("customer id"),
    "amount": N_("amount"),
    "currency": N_("currency"),
    "stage": N_("stage"),
    "probability": N_("probability"),
    "expected_close": N_("expected close"),
    "next_step": N_("next step"),
    "owner": N_("owner"),
    "lost_reason": N_("lost reason"),
    "closed_on": N_("closed on"),
    "stage_entered_at": N_("stage entered at"),
    "created_at": N_("created at"),
    "at": N_("at"),
    "kind": N_("kind"),
    "deal": N_("deal"),
    "deal_id": N_("deal id"),
    "summary": N_("summary"),
    "body": N_("body"),
    "by_user": N_("by"),
    "due_date": N_("due date"),
    "due_time": N_("due time"),
    "done_at": N_("done at"),
    "rrule": N_("rrule"),
    "number": N_("contract number"),
    "quote_id": N_("quote id"),
    "signed_on": N_("signed on"),
    "starts_on": N_("starts on"),
    "ends_on": N_("ends on"),
    "collected": N_("collected"),
    "outstanding": N_("outstanding"),
    "overdue": N_("overdue"),
    "notes": N_("notes"),
    "contract": N_("contract"),
    "contract_id": N_("contract id"),
    "position": N_("position"),
    "label": N_("label"),
    "due_on": N_("due on"),
    "paid": N_("paid"),
    "status": N_("status"),
    "days_late": N_("days late"),
    "snoozed_until": N_("snoozed until"),
    "received_on": N_("received on"),
    "method": N_("method"),
    "reference": N_("reference"),
    "instalment_id": N_("instalment id"),
}


def header(field: str, table: str) -> str:
    if table == "customers":
        return export_label(field)
    if table == "products":
        return product_label(field)
    return _(_HEADERS[field]) if field in _HEADERS else field.replace("_", " ")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    return escape_formula(str(value))


def _words(names: Mapping[str, str], value: object) -> object:
    """A stored code (a status, a way of paying) in words of the language shown."""
    return _(names[value]) if isinstance(value, str) and value in names else value


def write_csv(
    target: BinaryIO, table: str, fields: Iterable[str], rows: Iterable[Mapping[str, object]]
) -> int:
    """Write `rows` (dicts by field name) as CSV to a binary stream; returns the row count."""
    fields = list(fields)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([header(field, table) for field in fields])
        count = 0
        for row in rows:
            if table == "products":
                row = {**row, "active": active_word(row.get("active"))}
            elif table == "instalments":
                status = row.get("status")
                row = {**row, "status": status_name(status) if isinstance(status, str) else status}
            elif table == "receipts":
                row = {**row, "method": _words(METHOD_NAMES, row.get("method"))}
            writer.writerow([cell(row.get(field)) for field in fields])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns the stream
    return count
