"""Quotes: made from a deal's lines, numbered once for the team, frozen when sent.

`make` turns a deal's lines into a quote: a new number (`Q-<year>-<seq>`, one more than
the highest of the year this copy knows), or the draft made before refreshed in place,
or, when the latest was sent and the lines changed since, the next revision of the same
number. A sent quote is never changed again. `send` marks it sent and does what sending
means: a line on the customer's history, the deal into Quote, a follow-up before it
expires.

Two devices offline can take the same number. After a merge (`store.derived`),
`renumber_clashes` gives the number to the quote made first (created_at, then id) and
lets only the device that numbered each other one renumber it, through the one write
path: every copy ends with the same numbers, and a copy that agrees writes nothing.

`document` reads one version of a quote as it was made, for the written quote (HTML,
PDF, markdown): nothing of the deal as it is now.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from salesdesk.core import pipeline
from salesdesk.core.dates import timestamp
from salesdesk.core.errors import InvalidValue, NotFound
from salesdesk.core.lines import totals
from salesdesk.core.model import Quote
from salesdesk.core.money import format_money
from salesdesk.core.quotes import (
    BUYER_FIELDS,
    DRAFT,
    SELLER_FIELDS,
    SENT,
    TERMS_LIMIT,
    VALIDITY_RANGE,
    QuoteDocument,
    QuoteLine,
    is_party,
    lines_from_json,
    lines_json,
    parse_quote_label,
    party_from_json,
    quote_label,
    quote_number,
    quote_status,
)
from salesdesk.i18n import _

if TYPE_CHECKING:
    from salesdesk.store.store import Store


QUOTE_STAGE = "stage-quote"  # the default pipeline's Quote stage (core.pipeline)
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Sent:
    """What sending a quote did."""

    quote: Quote
    moved_to: str | None  # the stage the deal moved into, if it moved
    followup_due: date | None  # the day of the follow-up booked, if one was


@dataclass(frozen=True)
class Renumbered:
    """A quote of this device given a new number after a merge: a teammate's had it first."""

    old: str
    new: str
    deal_title: str


def quote_settings(values: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
    """(validity days, terms, seller) from the settings, each checked: a teammate's value
    arrives by sync, and one out of bounds is read as the default."""
    days = values.get("quote_validity_days")
    low, high = VALIDITY_RANGE
    if not isinstance(days, int) or isinstance(days, bool) or not low <= days <= high:
        days = 30
    terms = values.get("quote_terms")
    if not isinstance(terms, str):
        terms = ""
    stored = values.get("seller")
    seller: dict[str, Any] = stored if isinstance(stored, dict) and is_party(stored, SELLER_FIELDS) else {}
    return days, terms[:TERMS_LIMIT], {name: str(seller.get(name) or "") for name in SELLER_FIELDS}


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class QuoteStore:
    def __init__(self, store: "Store"):
        self.store = store
        self.db = store.db

    # -- reading ----------------------------------------------------------------

    def get(self, quote_id: str) -> Quote:
        quote: Quote = Quote.from_row(self.store.records.require("quotes", quote_id))
        return quote

    def quotes_of_deal(self, deal_id: str) -> list[Quote]:
        """Every version of every quote of a deal, the latest made first."""
        cursor = self.db.execute(
            "SELECT * FROM quotes WHERE deal_id = ? AND deleted_at IS NULL "
            "ORDER BY created_at DESC, revision DESC, id DESC",
            [deal_id],
        )
        return [Quote.from_row(row) for row in _rows(cursor)]

    def quotes_of_customer(self, customer_id: str, limit: int = 50) -> list[Quote]:
        """The customer's quotes, every version, the latest made first."""
        cursor = self.db.execute(
            "SELECT * FROM quotes WHERE customer_id = ? AND deleted_at IS NULL "
            "ORDER BY created_at DESC, revision DESC, id DESC LIMIT ?",
            [customer_id, limit],
        )
        return [Quote.from_row(row) for row in _rows(cursor)]

    def latest_of_deal(self, deal_id: str) -> Quote | None:
        quotes = self.quotes_of_deal(deal_id)
        return quotes[0] if quotes else None

    def statuses(self, quotes: Iterable[Quote], today: date) -> dict[str, str]:
        """Quote id -> draft, sent, accepted, expired or superseded, on `today`."""
        wanted = list(quotes)
        if not wanted:
            return {}
        rows = self.db.execute(
            """
            SELECT q.id,
                   EXISTS (SELECT 1 FROM quotes later WHERE later.year = q.year AND later.seq = q.seq
                           AND later.deal_id = q.deal_id AND later.revision > q.revision
                           AND later.deleted_at IS NULL),
                   CASE WHEN s.kind = 'won' THEN d.closed_on END
            FROM quotes q JOIN deals d ON d.id = q.deal_id LEFT JOIN stages s ON s.id = d.stage_id
            WHERE q.id IN (SELECT value FROM json_each(?))
            """,
            [json.dumps([quote.id for quote in wanted])],
        ).fetchall()
        facts = {row[0]: (bool(row[1]), date.fromisoformat(row[2]) if row[2] else None) for row in rows}
        found: dict[str, str] = {}
        for quote in wanted:
            superseded, won_on = facts.get(quote.id, (False, None))
            sent_on = date.fromisoformat(quote.sent_at[:10]) if quote.sent_at else None
            found[quote.id] = quote_status(
                quote.status, sent_on, date.fromisoformat(quote.valid_until), today, won_on, superseded
            )
        return found

    def status(self, quote: Quote, today: date) -> str:
        return self.statuses([quote], today)[quote.id]

    # -- making -----------------------------------------------------------------

    def frozen_lines(self, deal_id: str) -> tuple[QuoteLine, ...]:
        """The deal's lines as a quote keeps them, in their order."""
        rows = self.db.execute(
            "SELECT l.description, l.quantity_milli, l.unit, l.unit_price, l.discount_kind, l.discount, "
            "coalesce(p.code, '') FROM deal_lines l LEFT JOIN products p ON p.id = l.product_id "
            "WHERE l.deal_id = ? AND l.deleted_at IS NULL ORDER BY l.position, l.id",
            [deal_id],
        ).fetchall()
        from salesdesk.core.lines import line_total

        return tuple(
            QuoteLine(
                description=str(description),
                quantity_milli=int(quantity),
                unit=str(unit),
                unit_price=int(price),
                discount_kind=str(kind),
                discount=int(discount),
                total=line_total(int(quantity), int(price), str(kind), int(discount)),
                code=str(code),
            )
            for description, quantity, unit, price, kind, discount, code in rows
        )

    def next_seq(self, year: int) -> int:
        """One more than the highest number of `year` this copy knows (deleted ones too:
        a number once given is never given again)."""
        row = self.db.execute("SELECT max(seq) FROM quotes WHERE year = ?", [year]).fetchone()
        return int(row[0] or 0) + 1

    def make(self, deal_id: str, today: date, language: str) -> Quote:
        """The quote of a deal's lines as they are now (see the module's docstring)."""
        store = self.store
        if language not in LANGUAGES:
            language = "en"
        with store.records.transaction():
            deal = store.deal(deal_id)
            customer = store.customer(deal.customer_id)
            lines = self.frozen_lines(deal_id)
            if not lines:
                raise InvalidValue(
                    "quote",
                    _("{deal} has no lines to quote; add what is sold in the deal (enter) first.").format(
                        deal=deal.title
                    ),
                )
            sums = totals([(li.quantity_milli, li.unit_price, li.discount_kind, li.discount) for li in lines])
            days, terms, seller = quote_settings(
                store.settings_of(("quote_validity_days", "quote_terms", "seller"))
            )
            buyer = {
                "name": customer.name,
                "company": customer.company or "",
                "email": customer.email or "",
                "phone": customer.phone or "",
            }
            content = {
                "currency": deal.currency,
                "customer_id": deal.customer_id,
                "lines": lines_json(lines),
                "subtotal": sums.subtotal,
                "discount_total": sums.discounts,
                "total": sums.total,
                "seller": json.dumps(seller, ensure_ascii=False),
                "buyer": json.dumps(buyer, ensure_ascii=False),
                "language": language,
            }
            valid_until = today + timedelta(days=days)
            dated = {"issued_on": today.isoformat(), "valid_until": valid_until.isoformat()}
            latest = self.latest_of_deal(deal_id)
            if latest is not None and latest.status == DRAFT:
                # The draft made before, made again: its own terms stay, as edited.
                store.records.update("quotes", latest.id, {**content, **dated})
                return self.get(latest.id)
            if latest is not None and latest.lines == content["lines"] and latest.currency == deal.currency:
                return latest  # sent, and nothing to quote has changed since
            if latest is not None:
                number, year, seq = latest.number, latest.year, latest.seq
                revision, device, terms = latest.revision + 1, latest.device, latest.terms
            else:
                year, seq = today.year, self.next_seq(today.year)
                number, revision, device = quote_number(year, seq), 1, store.device
            quote_id = store.records.insert(
                "quotes",
                {
                    **content,
                    **dated,
                    "number": number,
                    "year": year,
                    "seq": seq,
                    "revision": revision,
                    "deal_id": deal_id,
                    "status": DRAFT,
                    "sent_at": None,
                    "terms": terms,
                    # The device that numbered it (a revision keeps its first's): only that
                    # one renumbers it, should a teammate have taken the same number.
                    "device": device,
                },
            )
            return self.get(quote_id)

    def set_terms(self, quote_id: str, terms: str) -> None:
        """This quote's own terms, before it is sent."""
        if len(terms) > TERMS_LIMIT:
            raise InvalidValue(
                "quote",
                _("The terms are {n} characters long; a quote's terms are at most {limit}.").format(
                    n=f"{len(terms):,}", limit=f"{TERMS_LIMIT:,}"
                ),
            )
        with self.store.records.transaction():
            quote = self.get(quote_id)
            self._refuse_sent(quote)
            self.store.records.update("quotes", quote_id, {"terms": terms})

    def _refuse_sent(self, quote: Quote) -> None:
        if quote.status == SENT:
            raise InvalidValue(
                "quote",
                _(
                    "{label} was sent and stays as it was; "
                    "change the deal's lines and press q for a new version."
                ).format(label=quote_label(quote.number, quote.revision)),
            )

    def send(
        self,
        quote_id: str,
        today: date,
        move_to_quote_stage: bool,
        followup_days_before_expiry: int | None,
    ) -> Sent:
        """Mark a draft sent (it is frozen from now on), note it on the customer's history,
        move the deal into Quote if asked and it is before it, and book a follow-up
        `followup_days_before_expiry` days before the quote expires (not before today), if
        a number is given."""
        store = self.store
        with store.records.transaction():
            quote = self.get(quote_id)
            self._refuse_sent(quote)
            changes: dict[str, object] = {"status": SENT, "sent_at": timestamp(store.clock())}
            if quote.issued_on != today.isoformat():  # dated the day it is sent
                days, _terms, _seller = quote_settings(store.settings_of(("quote_validity_days",)))
                changes["issued_on"] = today.isoformat()
                changes["valid_until"] = (today + timedelta(days=days)).isoformat()
            store.records.update("quotes", quote_id, changes)
            quote = self.get(quote_id)
            label = quote_label(quote.number, quote.revision)
            total = format_money(quote.total, quote.currency, cents=True)
            store.log_interaction(
                quote.customer_id,
                "email",
                _("Sent quote {label} ({total})").format(label=label, total=total),
                deal_id=quote.deal_id,
            )
            moved_to = None
            if move_to_quote_stage and self.before_quote_stage(quote.deal_id):
                store.move_deal(quote.deal_id, QUOTE_STAGE)
                moved_to = store.stage(QUOTE_STAGE).name
            due = None
            if followup_days_before_expiry is not None:
                valid_until = date.fromisoformat(quote.valid_until)
                due = max(today, valid_until - timedelta(days=max(0, followup_days_before_expiry)))
                store.add_followup(
                    quote.customer_id,
                    due,
                    _("Follow up on quote {label} before it expires").format(label=label),
                    kind="call",
                    deal_id=quote.deal_id,
                )
        return Sent(quote, moved_to, due)

    def before_quote_stage(self, deal_id: str) -> bool:
        """Whether the deal is open and in a stage before Quote (so sending may move it there)."""
        stages = {stage.id: stage for stage in self.store.stages()}
        target = stages.get(QUOTE_STAGE)
        current = stages.get(self.store.deal(deal_id).stage_id)
        if target is None or current is None or current.kind != pipeline.OPEN:
            return False
        return pipeline.ordered([current, target])[0] is current and current is not target

    # -- after a merge ----------------------------------------------------------

    def renumber_clashes(self, quote_ids: Iterable[str]) -> list[Renumbered]:
        """Numbers taken twice among those of `quote_ids`: each quote not made first, and
        numbered by this device, takes a new number (every revision of it the same)."""
        ids = list(quote_ids)
        if not ids:
            return []
        numbers = self.db.execute(
            "SELECT DISTINCT year, seq FROM quotes WHERE id IN (SELECT value FROM json_each(?)) "
            "AND deleted_at IS NULL ORDER BY year, seq",
            [json.dumps(ids)],
        ).fetchall()
        done: list[Renumbered] = []
        with self.store.records.transaction():
            for year, seq in numbers:
                done.extend(self._renumber(int(year), int(seq)))
        return done

    def _renumber(self, year: int, seq: int) -> list[Renumbered]:
        rows = self.db.execute(
            "SELECT id, deal_id, device, created_at, number, revision FROM quotes "
            "WHERE year = ? AND seq = ? AND deleted_at IS NULL",
            [year, seq],
        ).fetchall()
        # One quote is the versions of a number made for one deal by one numbering device.
        families: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for row in rows:
            families.setdefault((row[1], row[2]), []).append(row)
        if len(families) < 2:
            return []
        first = min(families, key=lambda key: min((row[3], row[0]) for row in families[key]))
        done = []
        for (deal_id, device), members in sorted(families.items()):
            if (deal_id, device) == first or device != self.store.device:
                continue
            # Renumbered before (a revision arriving late): it joins the number its quote took.
            taken = self.db.execute(
                "SELECT seq FROM quotes WHERE year = ? AND deal_id = ? AND device = ? AND seq != ? "
                "AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
                [year, deal_id, device, seq],
            ).fetchone()
            new_seq = int(taken[0]) if taken else self.next_seq(year)
            number = quote_number(year, new_seq)
            for member in members:
                self.store.records.update("quotes", member[0], {"number": number, "seq": new_seq})
            title = self.db.execute("SELECT title FROM deals WHERE id = ?", [deal_id]).fetchone()
            done.append(Renumbered(members[0][4], number, str(title[0]) if title else ""))
        return done

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
