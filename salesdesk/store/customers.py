"""Customers as the Customers screen sees them: a filtered, sorted, searchable list
computed in SQL (segment and tier included), the facts of one customer, duplicates,
and merging two records of the same person.

Segments and tiers follow `salesdesk.core.segments` exactly; a test checks the SQL
against the Python rules.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from salesdesk.core.model import CUSTOMER_DETAILS, phone_key
from salesdesk.core.segments import SEGMENTS, thresholds_from
from salesdesk.i18n import _
from salesdesk.store.database import Database, Row
from salesdesk.store.schema import CONTACT_TEXT

if TYPE_CHECKING:
    from salesdesk.core.pool import PoolState
    from salesdesk.store.store import Store

# Name and last-contact orders are served by indexes; value needs the deal facts.
SORTS = {
    "name": "c.name COLLATE NOCASE, c.rid",
    "last contact": "c.last_contact_at DESC, c.rid DESC",
    "value": "c.tier, c.value DESC, c.name COLLATE NOCASE, c.rid",
}

# Rows before a customer in each index-served order: (condition, parameters from its
# name, last contact and rid), so finding a customer's place is a count, not a sort.
_BEFORE = {
    "name": ("(c.name < :name COLLATE NOCASE OR (c.name = :name COLLATE NOCASE AND c.rid < :rid))"),
    "last contact": (
        "(CASE WHEN :contact IS NULL THEN c.last_contact_at IS NOT NULL "
        "OR (c.last_contact_at IS NULL AND c.rid > :rid) "
        "ELSE c.last_contact_at > :contact "
        "OR (c.last_contact_at = :contact AND c.rid > :rid) END)"
    ),
}


@dataclass(frozen=True)
class CustomerFilter:
    search: str = ""
    tag: str | None = None
    segment: str | None = None
    tier: str | None = None
    owner: str | None = None
    sort: str = "name"

    @property
    def needs_facts(self) -> bool:
        """Whether the list itself (not just the rows shown) depends on deal facts."""
        return self.segment is not None or self.tier is not None or self.sort == "value"

    def describe(self) -> list[str]:
        parts = []
        for label, value in (
            ("tag", self.tag),
            ("segment", self.segment),
            ("tier", self.tier),
            ("owner", self.owner),
        ):
            if value:
                parts.append(f"{label}: {value}")
        return parts


@dataclass(frozen=True)
class CustomerRow:
    id: str
    name: str
    company: str
    phone: str
    email: str
    owner: str
    last_contact: date | None
    segment: str
    tier: str
    value: float  # won over twelve months over tier A's threshold, in the currency where that is most


@dataclass
class CustomerDetail:
    """Everything the detail pane shows of one customer, read in a handful of queries."""

    row: CustomerRow
    record: dict[str, Any]
    tags: list[str]
    open_deals: list[tuple[str, str, str, int, str]] = field(
        default_factory=list
    )  # id, title, stage, amount, cur
    followups: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, due, title, kind
    interactions: list[tuple[str, str, str, str, str, str]] = field(
        default_factory=list
    )  # id, kind, at, by, summary, body
    pool: "PoolState | None" = None  # where it stands with the lead pool, when asked
    pool_why: str = ""  # what sent it there, or sends it, in a few words


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


_PHONE_TYPED = re.compile(r"\+?[\d\s\-().]+")


def _phone_digits(text: str) -> str:
    """The digits of text typed as a phone number ('138-9964', '+86 138 9964 3643'), as
    they stand in the stored key (its last eleven), or '' when it is not one."""
    if not _PHONE_TYPED.fullmatch(text):
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    return phone_key(digits) if len(digits) >= 3 else ""


class CustomerQueries:
    def __init__(self, db: Database, settings: dict[str, Any]):
        """`settings`: dormant_days and tier_thresholds, as stored."""
        self.db = db
        self._materialised: tuple[CustomerFilter, date] | None = None
        self.settings: dict[str, Any] = {}
        self.use_settings(settings)

    def use_settings(self, settings: dict[str, Any]) -> bool:
        """Count segments and tiers by these settings from now on; True if they changed."""
        if settings == self.settings:
            return False
        self.settings = dict(settings)
        thresholds = thresholds_from(settings.get("tier_thresholds"))
        self._thresholds = json.dumps({currency: list(pair) for currency, pair in thresholds.items()})
        self.invalidate()
        return True

    # -- the list ---------------------------------------------------------------

    def _facts_sql(self, today: date, only: list[str] | None) -> tuple[str, list[object]]:
        """Per-customer deal facts, aggregated once over the deals (never per customer).

        The tier is the best one reached in any currency against that currency's own
        thresholds (core.segments.tier); `value` orders customers of one tier.
        """
        year_ago = (today - timedelta(days=365)).isoformat()
        # One pass over the deals, as before tiers were counted per currency: sums per
        # customer and currency, then per customer (a second pass over the groups only).
        sql = """bands AS (
            SELECT key AS currency, json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b
            FROM json_each(?)),
          per_currency AS (
            SELECT d.customer_id, d.currency,
                   sum(s.kind = 'open') AS open_deals,
                   sum(s.kind = 'won') AS won_deals,
                   sum(s.kind = 'lost') AS lost_deals,
                   sum(CASE WHEN s.kind = 'won' AND d.closed_on >= ? THEN d.amount ELSE 0 END) AS total
            FROM deals d JOIN stages s ON s.id = d.stage_id
            WHERE d.deleted_at IS NULL
              AND (? IS NULL OR d.customer_id IN (SELECT value FROM json_each(?)))
            GROUP BY d.customer_id, d.currency),
          agg AS (
            SELECT p.customer_id,
                   sum(p.open_deals) AS open_deals,
                   sum(p.won_deals) AS won_deals,
                   sum(p.lost_deals) AS lost_deals,
                   min(CASE WHEN t.a IS NULL OR p.won_deals = 0 THEN 3 WHEN p.total >= t.a THEN 1
                            WHEN p.total >= t.b THEN 2 ELSE 3 END) AS rank,
                   max(CASE WHEN t.a IS NULL THEN 0 ELSE p.total * 1.0 / t.a END) AS value
            FROM per_currency p LEFT JOIN bands t ON t.currency = p.currency
            GROUP BY p.customer_id)"""
        ids = None if only is None else json.dumps(only)
        return sql, [self._thresholds, year_ago, ids, ids]

    def _query(
        self,
        customer_filter: CustomerFilter,
        today: date,
        select: str,
        tail: str = "",
        tail_params: tuple[object, ...] = (),
        only: list[str] | None = None,
    ) -> list[Row]:
        """Run `SELECT {select}` over the filtered list, each row with its segment and tier."""
        facts, facts_params = self._facts_sql(today, only)
        cutoff = (today - timedelta(days=self.settings["dormant_days"])).isoformat()
        where, where_params = self._where(customer_filter)
        if only is not None:
            where += " AND c.id IN (SELECT value FROM json_each(?))"
            where_params.append(json.dumps(only))
        sql = f"""WITH {facts},
            listed AS (
              SELECT c.id, c.rid, c.name, c.company, c.phone, c.email, c.owner, c.last_contact_at,
                     CASE
                       WHEN coalesce(a.open_deals, 0) > 0 THEN 'prospect'
                       WHEN substr(coalesce(c.last_contact_at, c.created_at), 1, 10) <= ? THEN 'dormant'
                       WHEN coalesce(a.won_deals, 0) >= 2 THEN 'repeat'
                       WHEN coalesce(a.won_deals, 0) = 1 THEN 'customer'
                       WHEN coalesce(a.lost_deals, 0) > 0 THEN 'lost'
                       ELSE 'lead' END AS segment,
                     CASE a.rank WHEN 1 THEN 'A' WHEN 2 THEN 'B' ELSE 'C' END AS tier,
                     coalesce(a.value, 0) AS value
              FROM customers c LEFT JOIN agg a ON a.customer_id = c.id
              WHERE {where})
            SELECT {select} FROM listed c
            WHERE (? IS NULL OR c.segment = ?) AND (? IS NULL OR c.tier = ?) {tail}"""
        params = [
            *facts_params,
            cutoff,
            *where_params,
            customer_filter.segment,
            customer_filter.segment,
            customer_filter.tier,
            customer_filter.tier,
            *tail_params,
        ]
        return self.db.execute(sql, params).fetchall()

    def _where(self, f: CustomerFilter, *, by_name: bool = False) -> tuple[str, list[str]]:
        """The filter as SQL over `customers c`. `by_name`: the query counts the list or reads
        it in name order, so a short search alone is tested in the index kept in that order."""
        clauses, params = ["c.deleted_at IS NULL"], []
        if f.owner:
            clauses.append("c.owner = ?")
            params.append(f.owner)
        if f.tag:
            clauses.append("""c.id IN (SELECT ct.customer_id FROM customer_tags ct
                               JOIN tags t ON t.id = ct.tag_id
                               WHERE t.name = ? COLLATE NOCASE AND ct.deleted_at IS NULL)""")
            params.append(f.tag)
        text = f.search.strip()
        if text:
            in_order = by_name and not f.owner and not f.tag
            clauses.append(self._search_clause(text, params, in_order=in_order))
        return " AND ".join(clauses), params

    @staticmethod
    def _search_clause(text: str, params: list[str], *, in_order: bool = False) -> str:
        """Name, company, phone (as typed and as digits), email, notes, and interaction text.

        The trigram index needs three characters. Shorter text (most Chinese names and
        companies are two or three characters: 华信) is looked for in any part of the
        name, company, email or phone by a scan of those short columns. A phone typed
        with separators or a country prefix is also looked for by its digits.

        `in_order`: tested on each customer as the query walks them, which SQLite does in
        `customers_contact_by_name` (the contact text in name order) without reading a
        row: a page in name order stops at its last row, a count scans the index. Else
        (with an owner or tag, or in another order) the matches are listed from that
        index first, so only they are read.
        """
        if len(text) < 3:
            params.append(text)
            if in_order or (len(text) == 1 and text.isascii()):
                # One letter is found in nearly every customer: any order finds a page at once.
                return f"instr({CONTACT_TEXT}, lower(?))"
            return f"""c.rid IN (SELECT rid FROM customers
                                 WHERE deleted_at IS NULL AND instr({CONTACT_TEXT}, lower(?)))"""
        params += [_fts_phrase(text)]
        digits = _phone_digits(text)
        phone = ""
        if digits:
            params.append(f"phone_key : {_fts_phrase(digits)}")
            phone = " OR c.rid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)"
        params += [_fts_phrase(text) + "*"]
        return f"""(c.rid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?){phone}
                  OR c.id IN (SELECT customer_id FROM interactions WHERE rid IN
                      (SELECT rowid FROM interactions_fts WHERE interactions_fts MATCH ? LIMIT 5000)))"""

    def _materialise(self, customer_filter: CustomerFilter, today: date) -> None:
        """Order the whole filtered list once into a temporary table, for lists that
        depend on deal facts (a segment or tier filter, or the value order)."""
        key = (customer_filter, today)
        if self._materialised == key:
            return
        order = SORTS.get(customer_filter.sort, SORTS["name"])
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS customer_view (pos INTEGER PRIMARY KEY, id TEXT)")
        self.db.execute("DELETE FROM temp.customer_view")
        rows = self._query(customer_filter, today, f"row_number() OVER (ORDER BY {order}) - 1, c.id")
        self.db.conn.executemany("INSERT INTO temp.customer_view (pos, id) VALUES (?, ?)", rows)
        self._materialised = key

    def invalidate(self) -> None:
        """Forget the ordered list: the data changed."""
        self._materialised = None

    def count(self, customer_filter: CustomerFilter, today: date) -> int:
        if customer_filter.needs_facts:
            self._materialise(customer_filter, today)
            return int(self.db.execute("SELECT count(*) FROM temp.customer_view").fetchone()[0])
        where, params = self._where(customer_filter, by_name=True)
        return int(self.db.execute(f"SELECT count(*) FROM customers c WHERE {where}", params).fetchone()[0])

    @staticmethod
    def _row(r: Row) -> CustomerRow:
        customer_id, _rid, name, company, phone, email, owner, contact, segment, tier, value = r
        return CustomerRow(
            customer_id,
            name,
            company,
            phone,
            email,
            owner,
            date.fromisoformat(contact[:10]) if contact else None,
            segment,
            tier,
            value,
        )

    def page(
        self, customer_filter: CustomerFilter, today: date, offset: int, limit: int
    ) -> list[CustomerRow]:
        """The rows shown: ids from an index (or the ordered list), facts for those rows only."""
        if customer_filter.needs_facts:
            self._materialise(customer_filter, today)
            ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT id FROM temp.customer_view WHERE pos >= ? ORDER BY pos LIMIT ?", [offset, limit]
                )
            ]
        else:
            order = SORTS.get(customer_filter.sort, SORTS["name"])
            where, params = self._where(customer_filter, by_name=order == SORTS["name"])
            ids = [
                r[0]
                for r in self.db.execute(
                    f"SELECT c.id FROM customers c WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
            ]
        rows = {r[0]: self._row(r) for r in self._query(CustomerFilter(), today, "*", only=ids)}
        return [rows[i] for i in ids if i in rows]

    def position(self, customer_id: str, customer_filter: CustomerFilter, today: date) -> int | None:
        """Index of a customer in the filtered, sorted list (None if filtered out)."""
        if customer_filter.needs_facts:
            self._materialise(customer_filter, today)
            row = self.db.execute("SELECT pos FROM temp.customer_view WHERE id = ?", [customer_id]).fetchone()
            return int(row[0]) if row else None
        where, params = self._where(customer_filter, by_name=customer_filter.sort == "name")
        me = self.db.execute(
            "SELECT name, last_contact_at, rid FROM customers c WHERE id = ? AND " + where,
            [customer_id, *params],
        ).fetchone()
        if me is None:
            return None
        before = _BEFORE[customer_filter.sort]
        named = {f"p{i}": value for i, value in enumerate(params)}
        numbered = where
        for i in range(len(params)):
            numbered = numbered.replace("?", f":p{i}", 1)
        return int(
            self.db.execute(
                f"SELECT count(*) FROM customers c WHERE {numbered} AND {before}",
                {**named, "name": me[0], "contact": me[1], "rid": me[2]},
            ).fetchone()[0]
        )

    # -- one customer -----------------------------------------------------------

    def detail(self, customer_id: str, today: date, history: int = 50) -> CustomerDetail | None:
        rows = self._query(CustomerFilter(), today, "*", only=[customer_id])
        if not rows:
            return None
        row = self._row(rows[0])
        cursor = self.db.execute("SELECT * FROM customers WHERE id = ?", [customer_id])
        record = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
        tags = [
            t[0]
            for t in self.db.execute(
                """SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id
               WHERE ct.customer_id = ? AND ct.deleted_at IS NULL AND t.deleted_at IS NULL
               ORDER BY t.name COLLATE NOCASE""",
                [customer_id],
            )
        ]
        deals = self.db.execute(
            """SELECT d.id, d.title, s.name, d.amount, d.currency FROM deals d
               JOIN stages s ON s.id = d.stage_id
               WHERE d.customer_id = ? AND d.deleted_at IS NULL AND s.kind = 'open'
               ORDER BY s.position DESC, d.amount DESC""",
            [customer_id],
        ).fetchall()
        followups = self.db.execute(
            """SELECT id, due_date, title, kind FROM followups
               WHERE customer_id = ? AND done_at IS NULL AND deleted_at IS NULL
               ORDER BY due_date LIMIT 20""",
            [customer_id],
        ).fetchall()
        interactions = self.db.execute(
            """SELECT id, kind, at, by_user, summary, body FROM interactions
               WHERE customer_id = ? AND deleted_at IS NULL ORDER BY at DESC LIMIT ?""",
            [customer_id, history],
        ).fetchall()
        return CustomerDetail(
            row,
            record,
            tags,
            [tuple(d) for d in deals],
            [tuple(f) for f in followups],
            [tuple(i) for i in interactions],
        )

    def tag_names(self) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT name FROM tags WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE"
            )
        ]

    def owners(self) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT owner FROM customers WHERE deleted_at IS NULL AND owner != '' ORDER BY owner"
            )
        ]

    def duplicates(
        self, name: str, company: str, email: str, phone: str, exclude: str | None = None
    ) -> list[tuple[str, str, str, str]]:
        """(id, name, company, why) of other customers that look like the same person."""
        found: dict[str, tuple[str, str, str, str]] = {}
        checks = []
        if email.strip():
            checks.append((_("the same email"), "email = ? COLLATE NOCASE", [email.strip()]))
        key = phone_key(phone)
        if len(key) >= 6:
            checks.append((_("the same phone"), "phone_key = ?", [key]))
        if name.strip() and company.strip():
            checks.append(
                (
                    _("the same name and company"),
                    "name = ? COLLATE NOCASE AND company = ? COLLATE NOCASE",
                    [name.strip(), company.strip()],
                )
            )
        for why, clause, params in checks:
            for row in self.db.execute(
                f"SELECT id, name, company FROM customers WHERE deleted_at IS NULL AND {clause} LIMIT 5",
                params,
            ):
                if row[0] != exclude and row[0] not in found:
                    found[row[0]] = (row[0], row[1], row[2], why)
        return list(found.values())


SEGMENT_CHOICES = SEGMENTS
TIER_CHOICES = ("A", "B", "C")


MERGED_FIELDS = CUSTOMER_DETAILS


def merge_customers(store: "Store", keep_id: str, other_id: str) -> dict[str, int]:
    """Fold `other` into `keep`: every deal, interaction, follow-up, contract, case and
    tag moves over, empty fields are filled, notes appended, `other` becomes a tombstone,
    and a note in the history says what was done. One transaction, every change in the
    change log.
    """
    from salesdesk.core.errors import InvalidValue
    from salesdesk.store.contracts import customer_end_id

    if keep_id == other_id:
        raise InvalidValue("customer", _("A customer cannot be merged with itself."))
    moved = {}
    with store.records.transaction():
        keep, other = store.customer(keep_id), store.customer(other_id)
        changes = {
            name: getattr(other, name)
            for name in MERGED_FIELDS
            if not getattr(keep, name) and getattr(other, name)
        }
        if other.notes and other.notes not in keep.notes:
            changes["notes"] = f"{keep.notes}\n\n{other.notes}".strip()
        if changes:
            store.update_customer(keep_id, changes)
        if other.last_contact_at and (keep.last_contact_at or "") < other.last_contact_at:
            store.records.update("customers", keep_id, {"last_contact_at": other.last_contact_at})
        # The other's contract end, copied into keep's field, has its contract made by
        # `update_customer`; one keep already had is kept beside it as a contract of keep's.
        other_end = customer_end_id(other_id)
        if "contract_end" in changes and store.records.get("contracts", other_end) is not None:
            store.records.delete("contracts", other_end)
        for table in ("deals", "interactions", "followups", "contracts", "cases"):
            ids = [
                r[0]
                for r in store.db.execute(
                    f"SELECT id FROM {table} WHERE customer_id = ? AND deleted_at IS NULL", [other_id]
                )
            ]
            for record_id in ids:
                store.records.update(table, record_id, {"customer_id": keep_id})
            moved[table] = len(ids)
        tags = store.tags_of(other_id)
        for name in tags:
            store.add_tag(keep_id, name)
            store.remove_tag(other_id, name)
        moved["tags"] = len(tags)
        store.delete_customer(other_id)
        who = other.name + (f" ({other.company})" if other.company else "")
        store.log_interaction(
            keep_id,
            "note",
            f"Merged {who} into this customer",
            body=(
                f"Moved {moved['deals']} deals, {moved['interactions']} interactions, "
                f"{moved['followups']} follow-ups and {moved['tags']} tags; "
                f"filled {', '.join(sorted(changes)) or 'no fields'}. The other record ({other_id}) "
                "is kept as a deleted record."
            ),
        )
    return moved
