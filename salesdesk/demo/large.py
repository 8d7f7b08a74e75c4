"""The large demo: bulk-loaded rows that keep every invariant of the write path.

Writing a million records through `Records` one transaction at a time would take an
hour, so rows are built here and inserted with `executemany` in one transaction. Each
still gets what `Records.insert` gives it (store/records.py): a time-ordered id from
its creation moment, `created_at` = `updated_at`, `updated_by`, version 1, no
tombstone, and one change-log entry holding the full record, with the clock a write at
that moment would have had.

It sells a catalogue of 200 products (`data.large_catalogue`): most deals have lines
that add up to their amount (about two a deal), a fifth of the deals are repeat orders
of customers who reorder one product at their own pace over two years, and the deals
that reached the Quote stage have quotes, numbered per year, some in a second version.
"""

import json
import random
from bisect import bisect_left
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from salesdesk import i18n
from salesdesk.core import pipeline
from salesdesk.core.contracts import PlanPart, add_months, contract_number, parse_plan
from salesdesk.core.dates import epoch_ms, timestamp
from salesdesk.core.ids import new_id
from salesdesk.core.lines import totals
from salesdesk.core.model import INTERACTION_KINDS, phone_key
from salesdesk.core.quotes import QuoteLine, lines_json, quote_number
from salesdesk.demo import data
from salesdesk.store.connection import write
from salesdesk.store.store import Store

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Every table's moments fall on their own residue modulo 8 ms and strictly increase
# within the table, so no two records share a millisecond. Each change-log clock is
# then (ms, counter 0): what the hybrid logical clock gives writes made at those moments.
SLOT_SPACING = 16
SLOTS = {
    "tags": 0,
    "customers": 1,
    "customer_tags": 2,
    "products": 3,
    "deals": 4,
    "deal_lines": 5,
    "quotes": 6,
    "stage_changes": 7,
    "interactions": 8,
    "followups": 9,
    "contracts": 10,
    "instalments": 11,
    "receipts": 12,
    "cases": 13,
}  # in the order in which references resolve
LOADED = tuple(SLOTS)
FTS_TABLES = ("customers_fts", "interactions_fts")
BUILD_CACHE_KIB = 256 * 1024

CUSTOMER_COLUMNS = (
    "id",
    "name",
    "company",
    "title",
    "phone",
    "phone_key",
    "email",
    "handle",
    "industry",
    "source",
    "owner",
    "birthday",
    "lunar_birthday",
    "contract_end",
    "notes",
    "last_contact_at",
)
DEAL_COLUMNS = (
    "id",
    "customer_id",
    "title",
    "amount",
    "currency",
    "stage_id",
    "probability",
    "expected_close",
    "next_step",
    "owner",
    "lost_reason",
    "stage_entered_at",
    "closed_on",
)
STAGE_CHANGE_COLUMNS = ("id", "deal_id", "from_stage", "to_stage", "at", "by_user")
INTERACTION_COLUMNS = ("id", "customer_id", "deal_id", "kind", "at", "summary", "body", "by_user")
FOLLOWUP_COLUMNS = (
    "id",
    "customer_id",
    "deal_id",
    "due_date",
    "due_time",
    "title",
    "kind",
    "owner",
    "done_at",
    "rrule",
)
TAG_COLUMNS = ("id", "name")
PRODUCT_COLUMNS = ("id", "code", "name", "unit", "price", "currency", "category", "active")
LINE_COLUMNS = (
    "id",
    "deal_id",
    "product_id",
    "position",
    "description",
    "quantity_milli",
    "unit",
    "unit_price",
    "discount_kind",
    "discount",
    "total",
)
QUOTE_COLUMNS = (
    "id",
    "number",
    "year",
    "seq",
    "revision",
    "deal_id",
    "customer_id",
    "status",
    "issued_on",
    "valid_until",
    "sent_at",
    "currency",
    "subtotal",
    "discount_total",
    "total",
    "lines",
    "terms",
    "seller",
    "buyer",
    "language",
    "device",
)
LINK_COLUMNS = ("id", "customer_id", "tag_id")
CONTRACT_COLUMNS = (
    "id",
    "number",
    "deal_id",
    "customer_id",
    "quote_id",
    "signed_on",
    "starts_on",
    "ends_on",
    "amount",
    "currency",
    "notes",
)
INSTALMENT_COLUMNS = ("id", "contract_id", "position", "due_on", "amount", "label")
RECEIPT_COLUMNS = ("id", "contract_id", "instalment_id", "received_on", "amount", "method", "reference")
CASE_COLUMNS = (
    "id",
    "customer_id",
    "product_id",
    "deal_id",
    "title",
    "opened_on",
    "status",
    "closed_on",
    "owner",
    "notes",
)

# Where the deals stand: mostly closed, every stage represented.
FINAL_STAGE_WEIGHTS = {"open": (12, 10, 9, 7), "won": (10, 32), "lost": (20,)}
CUSTOMER_SPAN_DAYS = 1100  # customers were added over the last three years
INTERACTION_SPAN_DAYS = 365
KINDS_WEIGHTS = (30, 30, 12, 6, 14, 8)  # call, email, meeting, visit, message, note
# Purchase histories: a fifth of the deals are repeat orders of customers who reorder one
# product at their own pace (its usual interval, times 0.8 to 1.25, with jitter), over
# the last two years; some of them are overdue now.
REPEAT_SHARE = 5
HISTORY_DAYS = 730
REORDER_DAYS = {"SP-KIT": 90, "SP-LBL": 60, "SP-TON": 45, "MT-AMC": 365, "SW-CRM-SEAT": 365, "SW-BKP-TB": 365}
RENEWALS = ("MT-AMC", "SW-CRM-SEAT", "SW-BKP-TB")
WITHOUT_LINES = 0.08  # deals whose amount stays typed by hand
MODEL_CHANCE = 0.35  # a hardware or parts line names one of the product's models
QUOTE_STAGE, NEGOTIATION_STAGE = "stage-quote", "stage-negotiation"
# Contracts: every deal that reached Signed has one, its plan one of data.PLAN_PATTERNS
# (these weights; a repeat order more often paid in one go), about 2.4 instalments each.
PLAN_WEIGHTS = (1, 2, 3, 3, 2, 2, 1)
REORDER_PLAN_WEIGHTS = (3, 3, 2, 0, 0, 0, 0)
LATE_SHARE = 0.35  # instalments paid a few days after their due day
OVERDUE_SHARE = 0.45  # contracts still in Signed with an instalment left unpaid past its day,
OLD_DEBT = 90  # a third as many of those whose day is longer ago than this
PARTIAL_SHARE = 0.3  # of those, some of it paid
OVERPAID_SHARE = 0.01  # deals paid a little over
REFUND_SHARE = 0.005  # deals paid twice, the second refunded
CASE_SHARE = 0.04  # contracts of new business with an after-sales case
CASE_WEIGHTS = {"open": 3, "waiting": 2, "closed": 5}


def build_large(
    store: Store,
    now: datetime,
    rng: random.Random,
    *,
    customers: int = 100_000,
    deals: int = 30_000,
    interactions: int = 1_000_000,
    followups: int | None = None,
) -> None:
    """Fill a fresh store with a large, realistic data set, anchored on `now`."""
    db = store.db
    for table in LOADED:
        if db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            raise ValueError(f"build_large needs an empty {table} table.")
    load = _Load(store, now, rng)
    load.customers(customers)
    load.tags()
    load.products()
    load.deals(deals)
    load.quotes()
    load.contracts()
    load.interactions(interactions)
    load.followups(deals * 2 // 3 if followups is None else followups)
    # The rows reference each other correctly by construction (the tests run
    # foreign_key_check); checking a million references one by one costs a quarter
    # of the load. So do the CHECK constraints of one value among several (an
    # interaction's kind): SQLite builds the list anew for every row inserted, 7 s of
    # the million interactions (the tests' integrity_check still checks them). These
    # pragmas cannot change inside a transaction, hence out here.
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA ignore_check_constraints=ON")
    db.execute(f"PRAGMA cache_size={-BUILD_CACHE_KIB}")
    try:
        with write(db):
            set_aside = _set_aside(db)
            for table, columns, rows in load.tables():
                marks = ", ".join("?" for _ in columns)
                db.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}, created_at, updated_at,"
                    f" updated_by) VALUES ({marks}, ?, ?, ?)",
                    rows,
                )
            for sql in set_aside:
                db.execute(sql)
            for fts in FTS_TABLES:
                db.execute(f"INSERT INTO {fts}({fts}) VALUES('rebuild')")
            _log_changes(db, store.device)
    finally:
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA ignore_check_constraints=OFF")
        db.execute(f"PRAGMA cache_size={cache}")


class _Load:
    """The rows of a large demo, drawn from one random generator."""

    def __init__(self, store: Store, now: datetime, rng: random.Random):
        self.rng = rng
        # Ids are unique per copy, not part of the seeded data (as with Records).
        self.id_bits = random.Random().getrandbits
        self.user = store.user
        self.owners = (store.user,) * 6 + data.TEAMMATES
        self.now_ms = epoch_ms(now)
        self.today = now.date()
        self.stages = store.stages()
        self.stamp = _Stamps()
        self.rows: dict[str, list[tuple]] = {}
        self.device = store.device
        self.chinese = i18n.language() == i18n.CHINESE
        language = 1 if self.chinese else 0
        self.seller = data.SELLER[language]
        self.terms = data.QUOTE_TERMS[language]
        store.set_setting("seller", self.seller)
        store.set_setting("quote_terms", self.terms)
        self.currency = store.setting("currency") or "USD"

    def new_id(self, ms: int) -> str:
        return new_id(ms, self.id_bits(80))

    def tables(self):
        yield "tags", TAG_COLUMNS, self.rows["tags"]
        yield "customers", CUSTOMER_COLUMNS, self._customer_rows()
        yield "customer_tags", LINK_COLUMNS, self.rows["customer_tags"]
        yield "products", PRODUCT_COLUMNS, self.rows["products"]
        yield "deals", DEAL_COLUMNS, self.rows["deals"]
        yield "deal_lines", LINE_COLUMNS, self.rows["deal_lines"]
        yield "quotes", QUOTE_COLUMNS, self.rows["quotes"]
        yield "stage_changes", STAGE_CHANGE_COLUMNS, self.rows["stage_changes"]
        yield "interactions", INTERACTION_COLUMNS, self.rows["interactions"]
        yield "followups", FOLLOWUP_COLUMNS, self.rows["followups"]
        yield "contracts", CONTRACT_COLUMNS, self.rows["contracts"]
        yield "instalments", INSTALMENT_COLUMNS, self.rows["instalments"]
        yield "receipts", RECEIPT_COLUMNS, self.rows["receipts"]
        yield "cases", CASE_COLUMNS, self.rows["cases"]

    def _stamped(self, values: tuple, ms: int) -> tuple:
        stamp = self.stamp(ms)
        return (*values, stamp, stamp, self.user)

    # -- customers --------------------------------------------------------------

    def customers(self, count: int) -> None:
        rng, now_ms = self.rng, self.now_ms
        earliest = now_ms - CUSTOMER_SPAN_DAYS * DAY_MS
        raw = sorted(
            earliest + int(rng.random() * (CUSTOMER_SPAN_DAYS - 1) * DAY_MS) for _ in range(count - 1)
        )
        self.customer_ms = _slotted([earliest, *raw], SLOTS["customers"])
        self.customer_ids = [self.new_id(ms) for ms in self.customer_ms]
        self.customer_fields, self.customer_owners = [], []
        self.last_contact: list[str | None] = [None] * count
        for _ in range(count):
            person = data.draw_person(rng)
            owner = rng.choice(self.owners)
            birthday = data.draw_birthday(rng).isoformat() if rng.random() < 0.6 else None
            lunar = None
            if rng.random() < 0.05:
                lunar = f"{rng.randint(1, 12):02d}-{rng.randint(1, 29):02d}"
            contract_end = None
            if rng.random() < 0.2:
                contract_end = (self.today + timedelta(days=rng.randint(-200, 400))).isoformat()
            handle = f"wxid_{rng.getrandbits(32):08x}" if rng.random() < 0.15 else ""
            notes = rng.choice(data.SUMMARIES["note"]) if rng.random() < 0.1 else ""
            self.customer_owners.append(owner)
            self.customer_fields.append(
                (
                    person.name,
                    person.company,
                    person.title,
                    person.phone,
                    phone_key(person.phone),
                    person.email,
                    handle,
                    person.industry,
                    person.source,
                    owner,
                    birthday,
                    lunar,
                    contract_end,
                    notes,
                )
            )

    def _customer_rows(self) -> list[tuple]:
        return [
            self._stamped((cid, *fields, last), ms)
            for cid, fields, last, ms in zip(
                self.customer_ids, self.customer_fields, self.last_contact, self.customer_ms, strict=True
            )
        ]

    # -- tags -------------------------------------------------------------------

    def tags(self) -> None:
        rng = self.rng
        names = data.tag_names(self.today.year)
        tag_ms = _slotted([self.customer_ms[0] - DAY_MS] * len(names), SLOTS["tags"])
        tag_ids = [self.new_id(ms) for ms in tag_ms]
        self.rows["tags"] = [
            self._stamped((tid, name), ms) for tid, name, ms in zip(tag_ids, names, tag_ms, strict=True)
        ]
        links = []
        for index, customer_ms in enumerate(self.customer_ms):
            if rng.random() < 0.3:
                for tag in rng.sample(range(len(names)), rng.choice((1, 1, 2))):
                    links.append((customer_ms + 1, index, tag))
        links.sort()
        link_ms = _slotted([link[0] for link in links], SLOTS["customer_tags"])
        ids = self.customer_ids
        self.rows["customer_tags"] = [  # one link id per pair, as Store.add_tag makes it
            self._stamped((f"{ids[c]}:{tag_ids[t]}", ids[c], tag_ids[t]), ms)
            for ms, (_, c, t) in zip(link_ms, links, strict=True)
        ]

    # -- products -----------------------------------------------------------------

    def products(self) -> None:
        """The catalogue (data.large_catalogue), in the demo's language, before any deal."""
        chinese, language = self.chinese, 1 if self.chinese else 0
        self.catalogue = data.large_catalogue()
        self.models = data.models_of(self.catalogue)
        product_ms = _slotted([self.customer_ms[0] - 2 * DAY_MS] * len(self.catalogue), SLOTS["products"])
        self.product_ids = {}
        rows = []
        for spec, ms in zip(self.catalogue, product_ms, strict=True):
            product_id = self.product_ids[spec.code] = self.new_id(ms)
            values = (
                product_id,
                spec.code,
                spec.named(chinese),
                spec.unit_named(chinese),
                spec.price * 100,
                spec.currency,
                data.CATEGORIES[spec.category][language],
                int(spec.active),
            )
            rows.append(self._stamped(values, ms))
        self.rows["products"] = rows

    # -- deals and their stage history ------------------------------------------

    def _histories(self, count: int) -> list[tuple[int, tuple[str, data.ProductSpec, int], list[int]]]:
        """Repeat buyers, `count` orders in all: (customer, (the product they reorder, the
        model of it, their usual quantity), the moments its orders were paid, newest first)."""
        rng, now_ms = self.rng, self.now_ms
        # Customers who existed before the oldest order could start (two years of orders
        # and up to three months from a deal's creation to its payment).
        limit = bisect_left(self.customer_ms, now_ms - (HISTORY_DAYS + 120) * DAY_MS)
        histories, taken, chosen = [], 0, set[int]()
        while taken < count and limit and len(chosen) < limit:
            customer = int(rng.random() * limit)
            if customer in chosen:
                continue
            chosen.add(customer)
            industry = self.customer_fields[customer][7]
            code = rng.choice(RENEWALS) if rng.random() < 0.25 else data.REORDERS[industry]
            interval = REORDER_DAYS[code] * rng.uniform(0.8, 1.25)
            paid = now_ms - int(interval * rng.uniform(0.15, 1.4) * DAY_MS)  # some are overdue
            moments = []
            while paid > now_ms - HISTORY_DAYS * DAY_MS and taken < count:
                moments.append(paid)
                taken += 1
                paid -= int(interval * rng.uniform(0.85, 1.15) * DAY_MS)
            model = rng.choice(self.models[code])
            low, high = model.quantity
            histories.append((customer, (code, model, rng.randint(low, max(low, high // 2))), moments))
        return histories

    def deals(self, count: int) -> None:
        rng, now_ms = self.rng, self.now_ms
        ordered = pipeline.ordered(self.stages)
        open_path = [s.id for s in ordered if s.kind == pipeline.OPEN]
        won = [s.id for s in ordered if s.kind == pipeline.WON]
        lost = pipeline.first_stage(ordered, pipeline.LOST).id
        finals = open_path + won + [lost]
        weights = (*FINAL_STAGE_WEIGHTS["open"], *FINAL_STAGE_WEIGHTS["won"], *FINAL_STAGE_WEIGHTS["lost"])
        kinds = {s.id: s.kind for s in ordered}
        # (created, path, later moves, customer or None, what a repeat order reorders or None)
        planned: list[
            tuple[int, list[str], list[int], int | None, tuple[str, data.ProductSpec, int] | None]
        ] = []
        for customer, reorder, paid in self._histories(count // REPEAT_SHARE):
            for end in paid:
                path = open_path + won
                moments = [end]
                for _ in path[1:]:
                    moments.append(moments[-1] - int(rng.uniform(2, 15) * DAY_MS))
                moments.reverse()
                planned.append((moments[0], path, moments[1:], customer, reorder))
        for _ in range(count - len(planned)):
            final = rng.choices(finals, weights)[0]
            if kinds[final] == pipeline.OPEN:
                path = open_path[: open_path.index(final) + 1]
                days_in_stage = min(int(rng.expovariate(1 / 15)) + 1, 120)
                end = now_ms - days_in_stage * DAY_MS - int(rng.random() * 8 * HOUR_MS)
            else:
                if kinds[final] == pipeline.WON:
                    path = open_path + won[: won.index(final) + 1]
                else:
                    path = open_path[: rng.randrange(len(open_path)) + 1] + [final]
                end = now_ms - int(rng.uniform(1, 600) * DAY_MS)
            moments = [end]
            for _ in path[1:]:
                moments.append(moments[-1] - int(rng.uniform(2, 40) * DAY_MS))
            moments.reverse()
            planned.append((moments[0], path, moments[1:], None, None))
        planned.sort(key=lambda deal: deal[0])
        deal_ms = _slotted([deal[0] for deal in planned], SLOTS["deals"])
        self.deal_ids = [self.new_id(ms) for ms in deal_ms]
        # Each change: (moment, deal index, from stage, to stage); the first is the creation.
        changes: list[tuple[int, int, str | None, str]] = []
        for index, (ms, (_, path, moves, _, _)) in enumerate(zip(deal_ms, planned, strict=True)):
            changes.append((ms + 1, index, None, path[0]))
            changes.extend((at, index, path[step], path[step + 1]) for step, at in enumerate(moves))
        changes.sort(key=lambda change: change[0])
        change_ms = _slotted([change[0] for change in changes], SLOTS["stage_changes"])
        entered: list[int] = [0] * count
        self.won_at: dict[int, dict[str, int]] = {}  # deal index -> won stage -> when it entered it
        self.won = won
        # When each deal entered the Quote stage and left it, for its quotes.
        self.quoting: dict[int, list[int]] = {}
        stage_rows = []
        for ms, (_, index, from_stage, to_stage) in zip(change_ms, changes, strict=True):
            entered[index] = ms  # changes are in time order, so the last one wins
            if to_stage in won:
                self.won_at.setdefault(index, {})[to_stage] = ms
            if to_stage == QUOTE_STAGE:
                self.quoting[index] = [ms]
            elif from_stage == QUOTE_STAGE:
                self.quoting[index].append(ms)
            stage_rows.append(
                self._stamped(
                    (self.new_id(ms), self.deal_ids[index], from_stage, to_stage, self.stamp(ms), self.user),
                    ms,
                )
            )
        self.rows["stage_changes"] = stage_rows

        customer_ms = self.customer_ms
        self.deals_of: dict[int, list[tuple[int, str]]] = {}
        self.open_deals: list[tuple[int, str, int]] = []  # customer, deal id, created
        self.deal_facts: list[tuple[int, str, str, list[data.LineDraft]]] = []  # customer, stage, currency
        self.deal_amounts: list[int] = []
        self.reorders: set[int] = set()  # the deals that are repeat orders
        deal_rows = []
        line_plan: list[tuple[int, int, data.LineDraft]] = []  # created, deal index, line
        for index, (ms, (_, path, _, forced, repeat)) in enumerate(zip(deal_ms, planned, strict=True)):
            # A deal belongs to a customer who already existed a day before it (deals
            # start at most about 850 days ago, customers up to CUSTOMER_SPAN_DAYS).
            customer = int(rng.random() * bisect_left(customer_ms, ms - DAY_MS)) if forced is None else forced
            deal_id, stage = self.deal_ids[index], path[-1]
            currency = "CNY" if rng.random() < 0.1 else "USD"
            closed_on = lost_reason = next_step = None
            if kinds[stage] == pipeline.OPEN:
                close = self.today + timedelta(days=rng.randint(-10, 120))
                next_step = rng.choice(data.NEXT_STEPS)
                self.open_deals.append((customer, deal_id, ms))
            else:
                close = _day(entered[index])
                closed_on = close.isoformat()
                if kinds[stage] == pipeline.LOST:
                    lost_reason = rng.choice(data.LOST_REASONS)
            probability = None
            if kinds[stage] == pipeline.OPEN and rng.random() < 0.1:
                probability = rng.choice((30, 40, 60, 80))
            industry = self.customer_fields[customer][7]
            if repeat is None:
                title = rng.choice(data.DEAL_TITLES)
                amount = data.draw_amount(rng, currency)
                lines = [] if rng.random() < WITHOUT_LINES else self._lines(title, currency, industry, amount)
            else:
                code, model, quantity = repeat
                title = data.REORDER_TITLES[code]
                lines = self._reorder_lines(title, currency, industry, model, quantity)
                amount = sum(line.total for line in lines)
            line_plan.extend((ms + 1, index, line) for line in lines)
            self.deal_facts.append((customer, stage, currency, lines))
            self.deal_amounts.append(amount)
            if repeat is not None:
                self.reorders.add(index)
            deal_rows.append(
                self._stamped(
                    (
                        deal_id,
                        self.customer_ids[customer],
                        title,
                        amount,
                        currency,
                        stage,
                        probability,
                        close.isoformat(),
                        next_step or "",
                        rng.choice(self.owners),
                        lost_reason or "",
                        self.stamp(entered[index]),
                        closed_on,
                    ),
                    ms,
                )
            )
            self.deals_of.setdefault(customer, []).append((ms, deal_id))
        self.rows["deals"] = deal_rows
        self._line_rows(line_plan)

    def _lines(self, title: str, currency: str, industry: str, amount: int) -> list[data.LineDraft]:
        """A deal's lines adding up to its amount; a hardware or parts line names one of
        its product's models now and then (at the price agreed for the line)."""
        rng, chinese = self.rng, self.chinese
        lines = data.draw_lines(rng, title, currency, industry, chinese, amount)
        for line in lines:
            models = self.models.get(line.product.code, ()) if line.product else ()
            if len(models) > 1 and rng.random() < MODEL_CHANCE:
                model = rng.choice(models)
                line.product, line.description = model, model.named(chinese)
        return lines

    def _reorder_lines(
        self, title: str, currency: str, industry: str, model: data.ProductSpec, quantity: int
    ) -> list[data.LineDraft]:
        """A repeat order: the customer's own model in about its usual quantity, at list
        price, and now and then what comes with it."""
        rng = self.rng
        lines = data.draw_lines(rng, title, currency, industry, self.chinese, reorder=True)
        usual = max(model.quantity[0], round(quantity * rng.uniform(0.75, 1.3)))
        lines[0] = data.product_line(model, usual, currency, self.chinese)
        return lines

    def _line_rows(self, planned: list[tuple[int, int, data.LineDraft]]) -> None:
        moments = _slotted([created for created, _, _ in planned], SLOTS["deal_lines"])
        positions: dict[int, int] = {}
        rows = []
        for ms, (_, index, line) in zip(moments, planned, strict=True):
            position = positions[index] = positions.get(index, -1) + 1
            values = (
                self.new_id(ms),
                self.deal_ids[index],
                self.product_ids[line.product.code] if line.product else None,
                position,
                line.description,
                line.quantity_milli,
                line.unit,
                line.unit_price,
                line.discount_kind,
                line.discount,
                line.total,
            )
            rows.append(self._stamped(values, ms))
        self.rows["deal_lines"] = rows

    # -- quotes -------------------------------------------------------------------

    def quotes(self) -> None:
        """Quotes of the deals that reached the Quote stage with lines: sent while they were
        there, some still drafts, a second version of some in Negotiation (the first with
        the lines as they were), accepted ones (the deal won since) and expired ones."""
        rng, now_ms = self.rng, self.now_ms
        planned: list[tuple[int, int, int, str, list[data.LineDraft]]] = []  # ms, deal, revision
        for index, span in self.quoting.items():
            customer, stage, currency, lines = self.deal_facts[index]
            if not lines:
                continue
            start = span[0]
            end = span[1] if len(span) > 1 else now_ms - HOUR_MS
            if stage not in (QUOTE_STAGE, NEGOTIATION_STAGE) and rng.random() > 0.3:
                continue  # closed since: only some kept their quote here
            at = start + int((end - start) * rng.uniform(0.1, 0.6))
            status = "draft" if stage == QUOTE_STAGE and rng.random() < 0.15 else "sent"
            if stage == NEGOTIATION_STAGE and rng.random() < 0.15 and end < now_ms - 2 * HOUR_MS:
                old = [replace(line) for line in lines]
                old[0].quantity_milli += 1000 * max(1, old[0].quantity_milli // 5000)
                planned.append((at, index, 1, "sent", old))
                later = end + int((now_ms - HOUR_MS - end) * rng.uniform(0.05, 0.5))
                planned.append((later, index, 2, "sent", lines))
            else:
                planned.append((at, index, 1, status, lines))
        planned.sort(key=lambda quote: quote[0])
        moments = _slotted([quote[0] for quote in planned], SLOTS["quotes"])
        seller = json.dumps(self.seller, ensure_ascii=False)
        language = "zh" if self.chinese else "en"
        numbers: dict[int, tuple[int, int]] = {}  # deal index -> (year, seq) of its first version
        self.sent_quotes: dict[int, list[tuple[int, str]]] = {}  # deal index -> (sent, id), in time order
        counts: dict[int, int] = {}
        rows = []
        for ms, (_, index, revision, status, lines) in zip(moments, planned, strict=True):
            customer, _, currency, _ = self.deal_facts[index]
            issued = _day(ms)
            if revision == 1:
                counts[issued.year] = counts.get(issued.year, 0) + 1
                numbers[index] = (issued.year, counts[issued.year])
            year, seq = numbers[index]
            frozen = tuple(
                QuoteLine(
                    line.description,
                    line.quantity_milli,
                    line.unit,
                    line.unit_price,
                    line.discount_kind,
                    line.discount,
                    line.total,
                    line.product.code if line.product else "",
                )
                for line in lines
            )
            sums = totals([(q.quantity_milli, q.unit_price, q.discount_kind, q.discount) for q in frozen])
            fields = self.customer_fields[customer]
            buyer = {"name": fields[0], "company": fields[1], "email": fields[5], "phone": fields[3]}
            values = (
                self.new_id(ms),
                quote_number(year, seq),
                year,
                seq,
                revision,
                self.deal_ids[index],
                self.customer_ids[customer],
                status,
                issued.isoformat(),
                (issued + timedelta(days=30)).isoformat(),
                self.stamp(ms) if status == "sent" else None,
                currency,
                sums.subtotal,
                sums.discounts,
                sums.total,
                lines_json(frozen),
                self.terms,
                seller,
                json.dumps(buyer, ensure_ascii=False),
                language,
                self.device,
            )
            rows.append(self._stamped(values, ms))
            if status == "sent":
                self.sent_quotes.setdefault(index, []).append((ms, values[0]))
        self.rows["quotes"] = rows

    # -- contracts, payment plans, receipts and cases -----------------------------

    def contracts(self) -> None:
        """A contract for every deal that reached Signed, made just after it did, with a
        plan from a pattern and the money received: a deal in Paid paid in full by the
        moment it moved there (on time or late, now and then a little over or twice and
        refunded); one still in Signed paid up to today, some with an instalment left
        overdue (part paid now and then), the rest owing what is not yet due (the balance
        on acceptance, when the pattern's days have all gone by). Each customer's contract
        end is the contract that stands for it (`contract-end-<id>`, as migration 17 and
        the store make it). A few contracts of new business have an after-sales case."""
        rng, today, chinese = self.rng, self.today, self.chinese
        language = 1 if chinese else 0
        latest = self.now_ms - HOUR_MS
        signed_stage, paid_stage = self.won[0], self.won[-1]
        patterns = [pair[language] for pair in data.PLAN_PATTERNS]
        plan_weights = {True: list(accumulate(REORDER_PLAN_WEIGHTS)), False: list(accumulate(PLAN_WEIGHTS))}
        methods_of = {
            currency: ([m for m, _ in methods], list(accumulate(w for _, w in methods)))
            for currency, methods in data.RECEIPT_METHODS.items()
        }
        acceptance = data.ACCEPTANCE_LABEL[language]
        # (made, deal index or -1 - customer index, fields, plan, receipts)
        planned: list[tuple[int, int, tuple, list[PlanPart], list[tuple[int, date, int, str, str]]]] = []
        counts: dict[int, int] = {}
        signed = sorted((moments[signed_stage], index) for index, moments in self.won_at.items())
        for signed_ms, index in signed:
            customer, _, currency, _ = self.deal_facts[index]
            amount = self.deal_amounts[index]
            made = min(signed_ms + rng.randint(10, 50) * 60_000, latest)
            signed_on = _day(signed_ms)
            counts[signed_on.year] = seq = counts.get(signed_on.year, 0) + 1
            starts = signed_on + timedelta(days=rng.choice((0, 0, 0, 1, 7, 14)))
            ends = add_months(starts, 24 if rng.random() < 0.25 else 12) - timedelta(days=1)
            sent = [quote_id for ms, quote_id in self.sent_quotes.get(index, ()) if ms < made]
            notes = data.CONTRACT_NOTES[int(rng.random() * 4)][language] if rng.random() < 0.1 else ""
            cumulative = plan_weights[index in self.reorders]
            parts = parse_plan(rng.choices(patterns, cum_weights=cumulative)[0], amount, signed_on)
            names, weights = methods_of.get(currency, methods_of["USD"])
            method = rng.choices(names, cum_weights=weights)[0]
            receipts: list[tuple[int, date, int, str, str]] = []  # made, received, amount, method, ref

            def receive(
                day: date,
                money: int,
                at: int | None = None,
                receipts: list[tuple[int, date, int, str, str]] = receipts,
                made: int = made,
                method: str = method,
            ) -> None:
                after = receipts[-1][0] if receipts else made
                if at is None:
                    at = min(_ms_of(day) + int(rng.uniform(1, 9) * HOUR_MS), latest)
                reference = f"TT{day:%y%m%d}{rng.randrange(1000, 9999)}" if method == "transfer" else ""
                receipts.append((max(at, after + 60_000), day, money, method, reference))

            paid_ms = self.won_at[index].get(paid_stage)
            if paid_ms is not None:
                paid_on, left = _day(paid_ms), amount
                late = rng.random() < LATE_SHARE
                for part in parts[:-1]:
                    day = part.due_on + timedelta(days=rng.randint(2, 12) if late else 0)
                    if day >= paid_on:
                        break
                    receive(day, part.amount)
                    left -= part.amount
                if rng.random() < OVERPAID_SHARE:
                    left += max(100_00, amount // 200 // 100 * 100)
                receive(paid_on, left, paid_ms - rng.randint(20, 90) * 60_000)
                twice = paid_on + timedelta(days=rng.randint(1, 3))
                back = twice + timedelta(days=rng.randint(5, 9))
                if rng.random() < REFUND_SHARE and back < today:
                    receive(twice, left)
                    receive(back, -left)
            else:
                due = [part for part in parts if part.due_on < today]
                share = OVERDUE_SHARE
                if due and (today - due[-1].due_on).days > OLD_DEBT:
                    share /= 3
                overdue = bool(due) and rng.random() < share
                if not overdue and len(due) == len(parts):  # the balance waits for acceptance
                    last = parts[-1]
                    label = acceptance if len(parts) > 1 else data.ACCEPTANCE_ONLY[language]
                    parts[-1] = PlanPart(today + timedelta(days=rng.randint(2, 120)), last.amount, label)
                    due = due[:-1]
                for part in due[:-1] if overdue else due:
                    day = part.due_on
                    if rng.random() < LATE_SHARE:
                        day = min(day + timedelta(days=rng.randint(2, 12)), today - timedelta(days=1))
                    receive(day, part.amount)
                if overdue and rng.random() < PARTIAL_SHARE:
                    day = due[-1].due_on + timedelta(days=rng.randint(3, 10))
                    if day < today:
                        receive(day, due[-1].amount * 2 // 5)
            fields: tuple = (
                contract_number(signed_on.year, seq),
                self.deal_ids[index],
                self.customer_ids[customer],
                sent[-1] if sent else None,
                signed_on.isoformat(),
                starts.isoformat(),
                ends.isoformat(),
                amount,
                currency,
                notes,
            )
            planned.append((made, index, fields, parts, receipts))
        for customer, (customer_fields, ms) in enumerate(
            zip(self.customer_fields, self.customer_ms, strict=True)
        ):
            end = customer_fields[12]
            if end:
                fields = ("", None, self.customer_ids[customer], None, None, None, end, 0, self.currency, "")
                planned.append((ms + 1, -1 - customer, fields, [], []))
        planned.sort(key=lambda contract: contract[0])
        moments = _slotted([contract[0] for contract in planned], SLOTS["contracts"])
        contract_rows: list[tuple] = []
        instalments: list[tuple[int, tuple]] = []
        paid: list[tuple[int, tuple]] = []
        cases: list[tuple[int, tuple]] = []
        for ms, (_, index, fields, parts, receipts) in zip(moments, planned, strict=True):
            contract_id = f"contract-end-{fields[2]}" if index < 0 else self.new_id(ms)
            contract_rows.append(self._stamped((contract_id, *fields), ms))
            instalments.extend(
                (ms + 1 + position, (contract_id, position, part.due_on.isoformat(), part.amount, part.label))
                for position, part in enumerate(parts)
            )
            paid.extend(
                (at, (contract_id, None, day.isoformat(), money, method, reference))
                for at, day, money, method, reference in receipts
            )
            if index >= 0 and index not in self.reorders and rng.random() < CASE_SHARE:
                cases.append(self._case(ms, index, contract_id, date.fromisoformat(fields[4])))
        self.rows["contracts"] = contract_rows
        for table, planned_rows in (("instalments", instalments), ("receipts", paid), ("cases", cases)):
            planned_rows.sort(key=lambda row: row[0])
            slotted = _slotted([row[0] for row in planned_rows], SLOTS[table])
            self.rows[table] = [
                self._stamped((self.new_id(ms), *values), ms)
                for ms, (_, values) in zip(slotted, planned_rows, strict=True)
            ]

    def _case(self, contract_ms: int, index: int, contract_id: str, signed_on: date) -> tuple[int, tuple]:
        """An after-sales case about what the deal sold: (opened, the row's values)."""
        rng, language, today = self.rng, 1 if self.chinese else 0, self.today
        customer, _, _, lines = self.deal_facts[index]
        opened = min(signed_on + timedelta(days=rng.randint(3, 200)), today)
        status = rng.choices(tuple(CASE_WEIGHTS), tuple(CASE_WEIGHTS.values()))[0]
        closed = min(opened + timedelta(days=rng.randint(1, 20)), today) if status == "closed" else None
        title, notes = data.CASE_TEXTS[int(rng.random() * len(data.CASE_TEXTS))]
        products = [line.product.code for line in lines if line.product]
        at = min(
            max(_ms_of(opened) + int(rng.uniform(1, 9) * HOUR_MS), contract_ms + 60_000),
            self.now_ms - HOUR_MS,
        )
        values = (
            self.customer_ids[customer],
            self.product_ids[products[0]] if products else None,
            self.deal_ids[index],
            title[language],
            _day(at).isoformat(),
            status,
            closed.isoformat() if closed else None,
            self.customer_owners[customer],
            notes[language],
        )
        return at, values

    # -- interactions -------------------------------------------------------------

    def interactions(self, count: int) -> None:
        rng, now_ms = self.rng, self.now_ms
        customers = len(self.customer_ms)
        # A few customers get most of the attention; some get none at all.
        weights = [rng.paretovariate(1.2) if rng.random() < 0.9 else 0.0 for _ in range(customers)]
        per_customer = _apportion(weights, count)
        shift = customers.bit_length()
        latest = now_ms - HOUR_MS
        floor = now_ms - INTERACTION_SPAN_DAYS * DAY_MS
        keys: list[int] = []
        random_ = rng.random
        for index, times in enumerate(per_customer):
            if times:
                start = max(self.customer_ms[index] + HOUR_MS, floor)
                span = latest - start
                keys.extend((start + int(random_() * span)) << shift | index for _ in range(times))
        keys.sort()
        mask = (1 << shift) - 1
        moments = _slotted([key >> shift for key in keys], SLOTS["interactions"])
        kinds = rng.choices(INTERACTION_KINDS, KINDS_WEIGHTS, k=count)
        summaries = {kind: data.SUMMARIES[kind] for kind in INTERACTION_KINDS}
        bodies = data.BODIES
        stamp, new_id_, user = self.stamp, self.new_id, self.user
        customer_ids, deals_of, last_contact = self.customer_ids, self.deals_of, self.last_contact
        rows = []
        for key, ms, kind in zip(keys, moments, kinds, strict=True):
            index = key & mask
            deal_id = None
            customer_deals = deals_of.get(index)
            if customer_deals and random_() < 0.5:
                earlier = [deal for deal in customer_deals if deal[0] < ms]
                if earlier:
                    deal_id = earlier[-1][1]
            options = summaries[kind]
            summary = options[int(random_() * len(options))]
            body = bodies[int(random_() * len(bodies))] if random_() < 0.2 else ""
            at = stamp(ms)
            if kind != "note":  # as the store: a note is not contact
                last_contact[index] = at
            rows.append(
                (new_id_(ms), customer_ids[index], deal_id, kind, at, summary, body, user, at, at, user)
            )
        self.rows["interactions"] = rows

    # -- follow-ups -------------------------------------------------------------

    def followups(self, count: int) -> None:
        rng, today = self.rng, self.today
        planned = []
        for _ in range(count):
            if self.open_deals and rng.random() < 0.5:
                customer, deal_id, deal_ms = rng.choice(self.open_deals)
            else:
                customer, deal_id, deal_ms = rng.randrange(len(self.customer_ids)), None, 0
            offset = rng.choices(((-30, -1), (0, 0), (1, 7), (8, 90)), (15, 5, 35, 45))[0]
            due = today + timedelta(days=rng.randint(*offset))
            created_day = min(due, today) - timedelta(days=rng.randint(1, 20))
            created = _ms_of(created_day) + int(rng.uniform(1, 10) * HOUR_MS)
            created = max(created, self.customer_ms[customer] + HOUR_MS, deal_ms + HOUR_MS)
            done_ms = _ms_of(due) + 10 * HOUR_MS
            done = due < today and rng.random() < 0.4 and done_ms > created
            rrule = rng.choice(("FREQ=WEEKLY", "FREQ=MONTHLY")) if rng.random() < 0.02 else None
            due_time = rng.choice(("09:30", "14:00", "16:30")) if rng.random() < 0.2 else None
            planned.append(
                (
                    created,
                    customer,
                    deal_id,
                    due.isoformat(),
                    due_time,
                    rng.choice(data.FOLLOWUP_TITLES),
                    rng.choice(data.FOLLOWUP_KINDS),
                    self.customer_owners[customer],
                    self.stamp(done_ms) if done else None,
                    rrule,
                )
            )
        planned.sort(key=lambda row: row[0])
        moments = _slotted([row[0] for row in planned], SLOTS["followups"])
        self.rows["followups"] = [
            self._stamped((self.new_id(ms), self.customer_ids[row[1]], *row[2:]), ms)
            for ms, row in zip(moments, planned, strict=True)
        ]


class _Stamps:
    """Epoch milliseconds to the store's timestamp text (`dates.timestamp`), fast.

    A million calls to `timestamp` would take seconds, so the date part is made once
    per day and the time of day is looked up.
    """

    def __init__(self):
        self._days: dict[int, str] = {}
        self._seconds = [f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60)]

    def __call__(self, ms: int) -> str:
        day, rest = divmod(ms, DAY_MS)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = timestamp(_EPOCH + timedelta(days=day))[:11]
        second, milli = divmod(rest, 1000)
        return f"{prefix}{self._seconds[second]}{milli:03d}Z"


def _slotted(moments: list[int], slot: int) -> list[int]:
    """Sorted moments moved onto the table's slot, each strictly after the one before."""
    result, last = [], -1
    for ms in moments:
        ms += slot - ms % SLOT_SPACING
        if ms <= last:
            ms = last + SLOT_SPACING
        result.append(ms)
        last = ms
    return result


def _apportion(weights: list[float], total: int) -> list[int]:
    """Whole numbers in proportion to `weights`, summing to exactly `total`."""
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    short = total - sum(shares)
    by_size = sorted(range(len(weights)), key=lambda i: weights[i], reverse=True)
    for i in range(short):
        shares[by_size[i % len(by_size)]] += 1
    return shares


def _day(ms: int) -> date:
    return (_EPOCH + timedelta(milliseconds=ms)).date()


def _ms_of(day: date) -> int:
    return epoch_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _set_aside(
    db, tables: tuple[str, ...] = LOADED, kinds: tuple[str, ...] = ("index", "trigger")
) -> list[str]:
    """Drop the indexes and full-text triggers of the loaded tables (or of `kinds` on
    `tables`); return the SQL that recreates them exactly.

    Building an index once from sorted rows, and the full-text indexes with one
    'rebuild', is much faster than updating them a million times row by row.
    """
    names = ", ".join(f"'{table}'" for table in tables)
    types = ", ".join(f"'{kind}'" for kind in kinds)
    rows = db.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ({types}) "
        f"AND sql IS NOT NULL AND tbl_name IN ({names})"
    ).fetchall()
    for kind, name, _ in rows:
        db.execute(f'DROP {kind.upper()} "{name}"')
    return [sql for _, _, sql in rows]


def _log_changes(db, device: str) -> None:
    """One change-log entry per loaded record, holding the whole row.

    The JSON is made by SQLite from the stored rows, so the log and the tables agree by
    construction, whatever columns later migrations add. Entries go table by table, in
    the order in which references resolve, and in time order within a table; all are
    in one transaction, so sync sees all of them or none.

    The clocks are changelog.format_clock's layout (milliseconds in fifteen digits, a
    counter of zero, the device) written by SQLite's printf rather than a Python function
    called 1.5 million times, and the log's indexes are built once at the end, as the
    loaded tables' are: together a third of this step.
    """
    millis = "CAST(strftime('%s', created_at) AS INTEGER) * 1000 + CAST(substr(created_at, 21, 3) AS INTEGER)"
    indexes = _set_aside(db, ("changes",), ("index",))
    for table in LOADED:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] != "rid"]
        fields = ", ".join(f"'{column}', {column}" for column in columns)
        db.execute(
            f"INSERT INTO changes (device, clock, tbl, row_id, data) "
            f"SELECT :device, printf('%015d-00000-%s', {millis}, :device), '{table}', id, "
            f"json_object({fields}) FROM {table} ORDER BY rowid",
            {"device": device},
        )
    for sql in indexes:
        db.execute(sql)
    db.execute(
        "INSERT INTO meta (key, value) SELECT 'clock', max(clock) FROM changes WHERE device = ? "
        "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
        [device],
    )
