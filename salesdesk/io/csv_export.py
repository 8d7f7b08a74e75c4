"""CSV files a spreadsheet opens safely: UTF-8 with a byte-order mark (so Excel shows
Chinese correctly), CRLF line ends, and formula-looking cells escaped (CWE-1236).

A customers export uses the headers the importer reads, so it imports back to the
same customers.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from salesdesk.io.cells import escape_formula
from salesdesk.io.headers import LABELS

TABLES = ("customers", "deals", "interactions", "followups")

# Headers that are not customer fields (customer fields use the importer's own words).
_HEADERS = {
    "customer_id": "customer id",
    "deal_id": "deal id",
    "expected_close": "expected close",
    "next_step": "next step",
    "lost_reason": "lost reason",
    "closed_on": "closed on",
    "stage_entered_at": "stage entered at",
    "created_at": "created at",
    "by_user": "by",
    "due_date": "due date",
    "due_time": "due time",
    "done_at": "done at",
}


def header(field: str, table: str) -> str:
    if table == "customers":
        return LABELS[field]
    return _HEADERS.get(field, field.replace("_", " "))


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    return escape_formula(str(value))


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
            writer.writerow([cell(row.get(field)) for field in fields])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns the stream
    return count
