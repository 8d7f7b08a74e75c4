"""Quotes: made from a deal's lines, numbered once for the team, frozen when sent.

`document` reads one version of a quote as it was made, for the written quote (HTML,
PDF, markdown): nothing of the deal as it is now.
"""

from datetime import date
from typing import TYPE_CHECKING

from salesdesk.core.errors import NotFound
from salesdesk.core.model import Quote
from salesdesk.core.quotes import (
    BUYER_FIELDS,
    SELLER_FIELDS,
    QuoteDocument,
    lines_from_json,
    parse_quote_label,
    party_from_json,
    quote_number,
)
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.store.store import Store


class QuoteStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    def find(self, label: str) -> Quote:
        """The quote a person names: `Q-2026-0012 v2`, or its latest version without `v`."""
        year, seq, revision = parse_quote_label(label)
        sql = "SELECT * FROM quotes WHERE year = ? AND seq = ? AND deleted_at IS NULL"
        params: list[object] = [year, seq]
        if revision is not None:
            sql += " AND revision = ?"
            params.append(revision)
        cursor = self.db.execute(sql + " ORDER BY revision DESC, created_at, id LIMIT 1", params)
        row = cursor.fetchone()
        if row is None:
            raise NotFound(
                _("No quote {label}; `salesdesk export quote` takes a number such as Q-2026-0012.").format(
                    label=quote_number(year, seq) + (f" v{revision}" if revision else "")
                )
            )
        return Quote.from_row(dict(zip([d[0] for d in cursor.description], row, strict=True)))

    def document(self, quote: Quote) -> QuoteDocument:
        """The quote as it was made: its frozen lines, parties and totals."""
        title = self.db.execute("SELECT title FROM deals WHERE id = ?", [quote.deal_id]).fetchone()
        return QuoteDocument(
            number=quote.number,
            revision=quote.revision,
            issued_on=date.fromisoformat(quote.issued_on),
            valid_until=date.fromisoformat(quote.valid_until),
            currency=quote.currency,
            lines=lines_from_json(quote.lines),
            subtotal=quote.subtotal,
            discount_total=quote.discount_total,
            total=quote.total,
            terms=quote.terms,
            seller=party_from_json(quote.seller, SELLER_FIELDS),
            buyer=party_from_json(quote.buyer, BUYER_FIELDS),
            language=quote.language,
            deal_title=str(title[0]) if title else "",
        )
