"""The large demo: bulk-loaded rows that keep every invariant of the write path.

Writing a million records through `Records` one transaction at a time would take an
hour, so rows are built here and inserted with `executemany` in one transaction. Each
still gets what `Records.insert` gives it (store/records.py): a time-ordered id from
its creation moment, `created_at` = `updated_at`, `updated_by`, version 1, no
tombstone, and one change-log entry holding the full record, with the clock a write at
that moment would have had.
"""

import random
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta

from salesdesk.core import pipeline
from salesdesk.core.dates import epoch_ms, timestamp
from salesdesk.core.ids import new_id
from salesdesk.core.model import INTERACTION_KINDS, phone_key
from salesdesk.demo import data
from salesdesk.store.changelog import format_clock
from salesdesk.store.connection import write
from salesdesk.store.store import Store

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Every table's moments fall on their own residue modulo 8 ms and strictly increase
# within the table, so no two records share a millisecond. Each change-log clock is
# then (ms, counter 0): what the hybrid logical clock gives writes made at those moments.
SLOT_SPACING = 8
SLOTS = {
    "tags": 0,
    "customers": 1,
    "customer_tags": 2,
    "deals": 3,
    "stage_changes": 4,
    "interactions": 5,
    "followups": 6,
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
LINK_COLUMNS = ("id", "customer_id", "tag_id")

# Where the deals stand: mostly closed, every stage represented.
FINAL_STAGE_WEIGHTS = {"open": (12, 10, 9, 7), "won": (10, 32), "lost": (20,)}
CUSTOMER_SPAN_DAYS = 1100  # customers were added over the last three years
INTERACTION_SPAN_DAYS = 365
KINDS_WEIGHTS = (30, 30, 12, 6, 14, 8)  # call, email, meeting, visit, message, note


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
    load.deals(deals)
    load.interactions(interactions)
    load.followups(deals * 2 // 3 if followups is None else followups)
    # The rows reference each other correctly by construction (the tests run
    # foreign_key_check); checking a million references one by one costs a quarter
    # of the load. These pragmas cannot change inside a transaction, hence out here.
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA foreign_keys=OFF")
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

    def new_id(self, ms: int) -> str:
        return new_id(ms, self.id_bits(80))

    def tables(self):
        yield "tags", TAG_COLUMNS, self.rows["tags"]
        yield "customers", CUSTOMER_COLUMNS, self._customer_rows()
        yield "customer_tags", LINK_COLUMNS, self.rows["customer_tags"]
        yield "deals", DEAL_COLUMNS, self.rows["deals"]
        yield "stage_changes", STAGE_CHANGE_COLUMNS, self.rows["stage_changes"]
        yield "interactions", INTERACTION_COLUMNS, self.rows["interactions"]
        yield "followups", FOLLOWUP_COLUMNS, self.rows["followups"]

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

    # -- deals and their stage history ------------------------------------------

    def deals(self, count: int) -> None:
        rng, now_ms = self.rng, self.now_ms
        ordered = pipeline.ordered(self.stages)
        open_path = [s.id for s in ordered if s.kind == pipeline.OPEN]
        won = [s.id for s in ordered if s.kind == pipeline.WON]
        lost = pipeline.first_stage(ordered, pipeline.LOST).id
        finals = open_path + won + [lost]
        weights = (*FINAL_STAGE_WEIGHTS["open"], *FINAL_STAGE_WEIGHTS["won"], *FINAL_STAGE_WEIGHTS["lost"])
        kinds = {s.id: s.kind for s in ordered}
        planned = []
        for _ in range(count):
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
            planned.append((moments[0], path, moments[1:]))
        planned.sort(key=lambda deal: deal[0])
        deal_ms = _slotted([deal[0] for deal in planned], SLOTS["deals"])
        self.deal_ids = [self.new_id(ms) for ms in deal_ms]
        # Each change: (moment, deal index, from stage, to stage); the first is the creation.
        changes: list[tuple[int, int, str | None, str]] = []
        for index, (ms, (_, path, moves)) in enumerate(zip(deal_ms, planned, strict=True)):
            changes.append((ms + 1, index, None, path[0]))
            changes.extend((at, index, path[step], path[step + 1]) for step, at in enumerate(moves))
        changes.sort(key=lambda change: change[0])
        change_ms = _slotted([change[0] for change in changes], SLOTS["stage_changes"])
        entered: list[int] = [0] * count
        stage_rows = []
        for ms, (_, index, from_stage, to_stage) in zip(change_ms, changes, strict=True):
            entered[index] = ms  # changes are in time order, so the last one wins
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
        deal_rows = []
        for index, (ms, (_, path, _)) in enumerate(zip(deal_ms, planned, strict=True)):
            # A deal belongs to a customer who already existed a day before it (deals
            # start at most about 850 days ago, customers up to CUSTOMER_SPAN_DAYS).
            customer = int(rng.random() * bisect_left(customer_ms, ms - DAY_MS))
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
            deal_rows.append(
                self._stamped(
                    (
                        deal_id,
                        self.customer_ids[customer],
                        rng.choice(data.DEAL_TITLES),
                        data.draw_amount(rng, currency),
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


def _set_aside(db) -> list[str]:
    """Drop the indexes and full-text triggers of the loaded tables; return the SQL
    that recreates them exactly.

    Building an index once from sorted rows, and the full-text indexes with one
    'rebuild', is much faster than updating them a million times row by row.
    """
    tables = ", ".join(f"'{table}'" for table in LOADED)
    rows = db.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND sql IS NOT NULL AND tbl_name IN ({tables})"
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
    """
    db.conn.create_function("format_clock", 3, format_clock, deterministic=True)
    millis = "CAST(strftime('%s', created_at) AS INTEGER) * 1000 + CAST(substr(created_at, 21, 3) AS INTEGER)"
    for table in LOADED:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] != "rid"]
        fields = ", ".join(f"'{column}', {column}" for column in columns)
        db.execute(
            f"INSERT INTO changes (device, clock, tbl, row_id, data) "
            f"SELECT :device, format_clock({millis}, 0, :device), '{table}', id, "
            f"json_object({fields}) FROM {table} ORDER BY rowid",
            {"device": device},
        )
    db.execute(
        "INSERT INTO meta (key, value) SELECT 'clock', max(clock) FROM changes WHERE device = ? "
        "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
        [device],
    )
