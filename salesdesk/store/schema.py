"""The schema, as forward-only migrations. `PRAGMA user_version` is their count."""

import json

from salesdesk.core.pipeline import DEFAULT_STAGES
from salesdesk.core.segments import DEFAULT_TIER_THRESHOLDS
from salesdesk.store.database import Database

APPLICATION_ID = 0x5A1E5DE5  # marks a SQLite file as a salesdesk database
SEED_DEVICE = "seed"
SEED_CLOCK = "000000000000000-00000-seed"  # older than any real edit, so any edit wins
SEED_TIME = "2000-01-01T00:00:00.000Z"

# Columns every synced record carries (SPEC section 2).
RECORD = """
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    deleted_at TEXT
"""

# Tables merged between copies, in an order in which references resolve.
SYNCED_TABLES = (
    "settings",
    "stages",
    "targets",
    "customers",
    "tags",
    "customer_tags",
    "products",
    "deals",
    "deal_lines",
    "quotes",
    "contracts",
    "instalments",
    "receipts",
    "cases",
    "stage_changes",
    "interactions",
    "followups",
    "reminder_dismissals",
)

DEFAULT_SETTINGS = {
    "currency": "USD",
    "dormant_days": 90,
    "renewal_days": 30,
    # Value tiers: currency -> [tier A, tier B] thresholds of won revenue over the last
    # twelve months, in minor units (core.segments.tier). Amounts are never converted:
    # revenue in a currency not listed here counts for no tier. Databases made before
    # this setting hold "tier_a_minor" and "tier_b_minor", read for the default currency
    # until the thresholds are saved (Store.setting).
    "tier_thresholds": {currency: list(pair) for currency, pair in DEFAULT_TIER_THRESHOLDS.items()},
    # Care reminders on the Today screen (core.care.CareSettings says what each means).
    "holiday_country": "CN",
    "holiday_days_ahead": 14,
    "holiday_tiers": ["A", "B"],
    "checkin_days": 30,
    "new_lead_days": 1,
    "care_overdue_days": 7,
    # New leads nobody named an owner for go round-robin to these people; [] is off.
    "round_robin": [],
    # Quotes (issue 19): days a quote is valid from its date, the terms printed on it
    # (editable per quote) and the seller's details at its head.
    "quote_validity_days": 30,
    "quote_terms": "",
    "seller": {"name": "", "address": "", "phone": "", "email": "", "tax_id": ""},
    # Collections (issue 20): instalments due within this many days show on Today; a
    # contract fully collected moves its deal to the won stage after Signed ("move"), or
    # the person is asked first ("ask").
    "receivable_days": 7,
    "paid_on_collection": "move",
    # The lead pool (issue 21, core.pool): a lead or prospect goes back to the pool when
    # its owner has logged no interaction with it for `pool_idle_days` (per value tier in
    # `pool_tier_idle_days`, the others taking the first), or when it has had no deal for
    # `pool_no_deal_days` since its owner took it (0: never for that reason); the owner
    # is warned on Today `pool_warn_days` before; the former owner cannot claim it back
    # for `pool_cooldown_days`; nobody owns more than `pool_claim_limit` leads and
    # prospects by claiming (0: no limit).
    "pool_idle_days": 30,
    "pool_tier_idle_days": {"A": 60, "B": 45},
    "pool_no_deal_days": 60,
    "pool_warn_days": 3,
    "pool_cooldown_days": 7,
    "pool_claim_limit": 100,
}


def _v1_initial(db: Database) -> None:
    db.executescript(f"""
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        device TEXT NOT NULL,
        clock TEXT NOT NULL,
        tbl TEXT NOT NULL,
        row_id TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX changes_row ON changes(tbl, row_id, clock);
    CREATE INDEX changes_device ON changes(device, seq);

    CREATE TABLE settings (id TEXT PRIMARY KEY, value TEXT NOT NULL, {RECORD});

    CREATE TABLE stages (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
        kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
        rotting_days INTEGER,
        checklist TEXT NOT NULL DEFAULT '[]',
        {RECORD}
    );

    CREATE TABLE customers (
        rid INTEGER PRIMARY KEY,  -- explicit, so VACUUM keeps the full-text index aligned
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        company TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        phone_key TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        handle TEXT NOT NULL DEFAULT '',
        industry TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        birthday TEXT,
        contract_end TEXT,
        notes TEXT NOT NULL DEFAULT '',
        last_contact_at TEXT,
        {RECORD}
    );
    CREATE INDEX customers_name ON customers(name COLLATE NOCASE) WHERE deleted_at IS NULL;
    CREATE INDEX customers_email ON customers(email COLLATE NOCASE) WHERE email != '';
    CREATE INDEX customers_phone ON customers(phone_key) WHERE phone_key != '';
    CREATE INDEX customers_owner ON customers(owner);
    CREATE INDEX customers_last_contact ON customers(last_contact_at);

    CREATE TABLE tags (id TEXT PRIMARY KEY, name TEXT NOT NULL, {RECORD});
    CREATE INDEX tags_name ON tags(name COLLATE NOCASE);

    CREATE TABLE customer_tags (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        tag_id TEXT NOT NULL REFERENCES tags(id) DEFERRABLE INITIALLY DEFERRED,
        {RECORD}
    );
    CREATE INDEX customer_tags_customer ON customer_tags(customer_id);
    CREATE INDEX customer_tags_tag ON customer_tags(tag_id);

    CREATE TABLE deals (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        title TEXT NOT NULL,
        amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
        currency TEXT NOT NULL,
        stage_id TEXT NOT NULL REFERENCES stages(id) DEFERRABLE INITIALLY DEFERRED,
        probability INTEGER CHECK (probability BETWEEN 0 AND 100),
        expected_close TEXT,
        next_step TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        lost_reason TEXT NOT NULL DEFAULT '',
        stage_entered_at TEXT NOT NULL,
        closed_on TEXT,
        {RECORD}
    );
    -- Covers the board's per-column counts and sums without touching the table.
    CREATE INDEX deals_board ON deals(stage_id, currency, amount, probability)
        WHERE deleted_at IS NULL;
    CREATE INDEX deals_stage_entered ON deals(stage_id, stage_entered_at)
        WHERE deleted_at IS NULL;
    CREATE INDEX deals_customer ON deals(customer_id);

    CREATE TABLE stage_changes (
        id TEXT PRIMARY KEY,
        deal_id TEXT NOT NULL REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        from_stage TEXT REFERENCES stages(id) DEFERRABLE INITIALLY DEFERRED,
        to_stage TEXT NOT NULL REFERENCES stages(id) DEFERRABLE INITIALLY DEFERRED,
        at TEXT NOT NULL,
        by_user TEXT NOT NULL,
        {RECORD}
    );
    CREATE INDEX stage_changes_deal ON stage_changes(deal_id, at);
    CREATE INDEX stage_changes_at ON stage_changes(at);

    CREATE TABLE interactions (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'visit', 'message', 'note')),
        at TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        by_user TEXT NOT NULL,
        {RECORD}
    );
    CREATE INDEX interactions_customer ON interactions(customer_id, at);
    CREATE INDEX interactions_deal ON interactions(deal_id) WHERE deal_id IS NOT NULL;
    CREATE INDEX interactions_at ON interactions(at);

    CREATE TABLE followups (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        due_date TEXT NOT NULL,
        due_time TEXT,
        title TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'call',
        owner TEXT NOT NULL DEFAULT '',
        done_at TEXT,
        rrule TEXT,
        {RECORD}
    );
    CREATE INDEX followups_open ON followups(owner, due_date)
        WHERE done_at IS NULL AND deleted_at IS NULL;
    CREATE INDEX followups_deal ON followups(deal_id, due_date)
        WHERE done_at IS NULL AND deleted_at IS NULL;
    CREATE INDEX followups_customer ON followups(customer_id, due_date);
    """)
    # Customers are found by any part of a name, phone or email (trigram, CJK too);
    # interactions by words and word prefixes.
    db["customers"].enable_fts(
        ["name", "company", "phone", "email", "notes"], create_triggers=True, tokenize="trigram"
    )
    db["interactions"].enable_fts(["summary", "body"], create_triggers=True)
    # This copy's device id: random, so two copies of a team never share one.
    import secrets

    db.execute("INSERT INTO meta (key, value) VALUES ('device', ?)", [secrets.token_hex(8)])
    _seed(db)


def _seed(db: Database) -> None:
    """The default pipeline and settings, with fixed ids and the oldest clock."""
    rows = []
    for stage in DEFAULT_STAGES:
        rows.append(
            (
                "stages",
                stage.id,
                {
                    "name": stage.name,
                    "position": stage.position,
                    "probability": stage.probability,
                    "kind": stage.kind,
                    "rotting_days": stage.rotting_days,
                    "checklist": json.dumps(list(stage.checklist)),
                },
            )
        )
    for key, value in DEFAULT_SETTINGS.items():
        rows.append(("settings", key, {"value": json.dumps(value)}))
    for table, record_id, values in rows:
        record = {
            "id": record_id,
            **values,
            "created_at": SEED_TIME,
            "updated_at": SEED_TIME,
            "updated_by": "salesdesk",
            "version": 1,
            "deleted_at": None,
        }
        columns = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(record.values()))
        db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
            [SEED_DEVICE, SEED_CLOCK, table, record_id, json.dumps(record, ensure_ascii=False)],
        )


def _v2_care(db: Database) -> None:
    """Care reminders: lunar birthdays, and what was done or dismissed so it does not nag."""
    db.executescript(f"""
    ALTER TABLE customers ADD COLUMN lunar_birthday TEXT;  -- 'MM-DD' of the Chinese calendar
    CREATE TABLE reminder_dismissals (
        id TEXT PRIMARY KEY,  -- kind:customer:occurrence, so two devices agree on it
        kind TEXT NOT NULL,
        customer_id TEXT REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        occurrence TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'dismissed')),
        {RECORD}
    );
    """)


def _v3_checklists(db: Database) -> None:
    """Which items of its current stage's exit checklist a deal has met."""
    db.execute("ALTER TABLE deals ADD COLUMN checklist_done TEXT NOT NULL DEFAULT '[]'")


def _v4_phone_search(db: Database) -> None:
    """Index the normalised phone too, so any run of its digits finds the customer
    however the number was typed ('1380013' finds '+86 138-0013-8000')."""
    db["customers"].enable_fts(
        ["name", "company", "phone", "phone_key", "email", "notes"],
        create_triggers=True,
        tokenize="trigram",
        replace=True,
    )


def _v5_agenda(db: Database) -> None:
    """The Today agenda: indexes for its care reminders, and the settings added for them.

    Each index answers one kind of reminder from a narrow range instead of a scan of
    every customer: birthdays by day of the year (with or without the year of birth),
    lunar birthdays, contract ends, customers nobody has contacted yet, and won deals
    (repeat buyers and value tiers) without reading the deals themselves.
    """
    db.executescript("""
    CREATE INDEX customers_birthday_day ON customers(substr(birthday, -5))
        WHERE birthday IS NOT NULL;
    CREATE INDEX customers_lunar_birthday ON customers(lunar_birthday)
        WHERE lunar_birthday IS NOT NULL;
    CREATE INDEX customers_contract_end ON customers(contract_end)
        WHERE contract_end IS NOT NULL;
    CREATE INDEX customers_uncontacted ON customers(created_at)
        WHERE last_contact_at IS NULL;
    -- Won deals per customer, with what repeat buyers and value tiers are read from.
    CREATE INDEX deals_won ON deals(stage_id, customer_id, closed_on, currency, amount)
        WHERE deleted_at IS NULL;
    """)
    # A database made before these settings existed gets them as a new one does (the
    # seed rows of _v1_initial), so copies of a team hold the same records.
    present = {row[0] for row in db.execute("SELECT id FROM settings")}
    for key, value in DEFAULT_SETTINGS.items():
        if key in present:
            continue
        record = {
            "id": key,
            "value": json.dumps(value),
            "created_at": SEED_TIME,
            "updated_at": SEED_TIME,
            "updated_by": "salesdesk",
            "version": 1,
            "deleted_at": None,
        }
        db.execute(
            "INSERT INTO settings (id, value, created_at, updated_at, updated_by, version, "
            "deleted_at) VALUES (:id, :value, :created_at, :updated_at, :updated_by, "
            ":version, :deleted_at)",
            record,
        )
        db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
            [SEED_DEVICE, SEED_CLOCK, "settings", key, json.dumps(record, ensure_ascii=False)],
        )


def _v6_sync(db: Database) -> None:
    """Team sync: change-log entries are identified by (clock, table, row) so a merge can
    tell what it already has; concurrent edits of one field keep the losing value here."""
    db.executescript("""
    CREATE INDEX changes_identity ON changes(clock, tbl, row_id);
    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY,
        tbl TEXT NOT NULL,
        row_id TEXT NOT NULL,
        field TEXT NOT NULL,
        kept_value TEXT,
        kept_clock TEXT NOT NULL,
        lost_value TEXT,
        lost_clock TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        resolved_at TEXT,
        UNIQUE (tbl, row_id, field, lost_clock)
    );
    """)


def _v7_activity(db: Database) -> None:
    """Reports count activity per person and kind from this index, not every row of a period."""
    db.execute(
        "CREATE INDEX interactions_activity ON interactions(by_user, kind, at) WHERE deleted_at IS NULL"
    )


def _v8_board_owner(db: Database) -> None:
    """The board's column sums, "mine" included, from the index alone.

    Without the owner (and `deleted_at`, which SQLite wants in the index to call it
    covering) "mine" read every deal's row: 27 ms on 30,000 deals, most of a stage
    move; from the index it is 7 ms.
    """
    db.executescript("""
    DROP INDEX deals_board;
    CREATE INDEX deals_board ON deals(stage_id, currency, amount, probability, owner, deleted_at)
        WHERE deleted_at IS NULL;
    """)


# What a search shorter than the trigram index's three characters looks through: the
# contact fields in one lower-case string, scanned in this index rather than the table.
CONTACT_TEXT = "lower(name || ' ' || company || ' ' || email || ' ' || phone)"


def _v9_short_search(db: Database) -> None:
    """Searches of one or two characters (华信, 王) find any part of a name, company,
    email or phone. A scan of the table reads every customer's notes too: 180 ms on
    100,000 customers; a scan of this index, 25 ms."""
    db.execute(f"CREATE INDEX customers_contact ON customers({CONTACT_TEXT}) WHERE deleted_at IS NULL")


def _v10_short_search_in_name_order(db: Database) -> None:
    """Searches of one or two characters read a page of the list from an index alone.

    The index of migration 9 holds the contact text in its own order: a page of the list
    in name order then either walked the names and read each customer's row to test it
    (on the large demo 'x' took 590 ms, its customers last in name order), or found every
    match and read its row to sort it ('li', 23,682 of them: 220 ms). This one holds the
    contact text in the list's name order (`customers_name` plus the rowid for ties), so
    a page walks it without reading a row, and the count scans it as it scanned the old
    one, which it replaces.
    """
    db.execute(
        f"CREATE INDEX customers_contact_by_name ON customers(name COLLATE NOCASE, rid, {CONTACT_TEXT}) "
        "WHERE deleted_at IS NULL"
    )
    db.execute("DROP INDEX customers_contact")


def _v11_seen_and_tags(db: Database) -> None:
    """Nothing vanishes in a merge, and tags are one per name whatever its case.

    Each change-log entry carries `seen`: per field it writes, the clock of the newest
    value its writer had (and, under `deleted_at`, the newest clock of the record). A
    merge compares it with the other entries of the record to tell an edit made over a
    value from one made without seeing it, the same way on every copy: such a value,
    a delete undone by a later edit, or an edit into a record deleted later, is kept
    as a conflict to review. Entries from before carry none (NULL: not known).

    Tags whose names differ only in case are folded into the first created, through
    the change log (so copies learn of it) under this copy's device and clock.

    The Trash lists deleted records, latest first, from an index of the deleted ones.
    """
    from datetime import datetime

    from salesdesk.core.dates import parse_timestamp
    from salesdesk.store.records import Records
    from salesdesk.store.tags import fold_duplicate_tags

    db.execute("ALTER TABLE changes ADD COLUMN seen TEXT")
    for table in ("customers", "deals", "followups", "interactions"):
        db.execute(f"CREATE INDEX {table}_trash ON {table}(deleted_at) WHERE deleted_at IS NOT NULL")
    newest = db.execute("SELECT max(updated_at) FROM tags").fetchone()[0]
    moment: datetime = parse_timestamp(newest or SEED_TIME)
    device = db.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()[0]
    fold_duplicate_tags(Records(db, "salesdesk", lambda: moment, device))


def _v12_held(db: Database) -> None:
    """Team sync that no copy can break: a change from a teammate that fails a check is
    kept aside here with the reason, never applied and never lost; it is tried again at
    every merge (its deal may arrive later). Local to this copy: never merged.

    `devices` pins the user of each device as first seen (from the device's own
    published copy, or a copy that relayed it), so the author of a change comes from
    the device that published it, never from a field the change carries. `direct` says
    this copy has merged the device's own file: changes under its id that arrive
    through someone else's file wait until its own file confirms them.
    """
    db.executescript("""
    CREATE TABLE held (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        clock TEXT NOT NULL,
        tbl TEXT NOT NULL,
        row_id TEXT NOT NULL,
        data TEXT,  -- NULL when the change is too big to keep
        size INTEGER NOT NULL,
        seen TEXT,  -- what the change's writer had seen (changes.seen), when it said
        author TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        held_at TEXT NOT NULL,
        UNIQUE (device, clock, tbl, row_id)
    );
    CREATE INDEX held_kind ON held(kind);
    CREATE TABLE devices (
        device TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        direct INTEGER NOT NULL DEFAULT 0,
        first_seen_at TEXT NOT NULL
    );
    """)


def _v13_team_trust(db: Database) -> None:
    """An encrypted, signed team folder (issue 17): who may write, and what was read.

    Each device of the team signs its files with a key of its own; its public key is
    pinned here on first contact (`public_key`, and `fingerprint` as ssh shows it), and
    a later file under another key for the same device is refused. `state` says whether
    its files are merged: `trusted` (this copy, or the first device seen of its user),
    `pending` (a new device of a user already known, until someone accepts it: by whom
    in `accepted_by`) or `revoked` (its segments after `revoked_after` are ignored).
    Devices known before (merged from plain copies) stay trusted.

    The read marks: `read_number` is the last segment of the device merged here and
    `read_digest` the hash of its body (the next segment must chain to it); `read_ours`
    is how far that device says it has read this copy's segments (from its device
    record: the owner removes segments everyone has), `published` and `published_at`
    what its record said last. Local to this copy: never merged.
    """
    db.executescript("""
    ALTER TABLE devices ADD COLUMN public_key TEXT;
    ALTER TABLE devices ADD COLUMN fingerprint TEXT;
    ALTER TABLE devices ADD COLUMN state TEXT NOT NULL DEFAULT 'trusted'
        CHECK (state IN ('trusted', 'pending', 'revoked'));
    ALTER TABLE devices ADD COLUMN accepted_by TEXT;
    ALTER TABLE devices ADD COLUMN revoked_after INTEGER;
    ALTER TABLE devices ADD COLUMN read_number INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE devices ADD COLUMN read_digest TEXT;
    ALTER TABLE devices ADD COLUMN read_ours INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE devices ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE devices ADD COLUMN published_at TEXT;
    """)


def _v14_products_and_quotes(db: Database) -> None:
    """Products, the lines of a deal, and quotes (issue 19).

    Money is integer minor units of the deal's currency. A line's quantity is kept in
    thousandths (`quantity_milli`: 2.5 hours is 2500), its discount in basis points of
    a percent (1250 is 12.5 %) or in minor units off the line, and its `total` as
    `core.lines.line_total` makes it: stored for the reports' sums, and made again after
    every merge (`store.lines.refresh`), with the deal's amount (the sum of its lines,
    when it has any), so edits of one line on two devices end with one right total.

    A quote is a frozen copy: its lines (JSON of `core.quotes.QuoteLine`), the customer
    and seller as they were, its totals. A new version of a sent quote is a new record
    with the same number and the next `revision`. `device` is the device that numbered
    it: only that device renumbers it, should a teammate have taken the same number.
    """
    db.executescript(f"""
    CREATE TABLE products (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
        currency TEXT NOT NULL,
        category TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        {RECORD}
    );
    CREATE INDEX products_name ON products(name COLLATE NOCASE) WHERE deleted_at IS NULL;
    CREATE INDEX products_code ON products(code COLLATE NOCASE) WHERE code != '';

    CREATE TABLE deal_lines (
        id TEXT PRIMARY KEY,
        deal_id TEXT NOT NULL REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        product_id TEXT REFERENCES products(id) DEFERRABLE INITIALLY DEFERRED,
        position INTEGER NOT NULL DEFAULT 0,
        description TEXT NOT NULL,
        quantity_milli INTEGER NOT NULL DEFAULT 1000 CHECK (quantity_milli >= 0),
        unit TEXT NOT NULL DEFAULT '',
        unit_price INTEGER NOT NULL DEFAULT 0 CHECK (unit_price >= 0),
        discount_kind TEXT NOT NULL DEFAULT 'none' CHECK (discount_kind IN ('none', 'percent', 'amount')),
        discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),
        total INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
        {RECORD}
    );
    CREATE INDEX deal_lines_deal ON deal_lines(deal_id, position) WHERE deleted_at IS NULL;
    CREATE INDEX deal_lines_product ON deal_lines(product_id, deal_id)
        WHERE deleted_at IS NULL AND product_id IS NOT NULL;

    CREATE TABLE quotes (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL,
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL CHECK (seq > 0),
        revision INTEGER NOT NULL DEFAULT 1 CHECK (revision > 0),
        deal_id TEXT NOT NULL REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent')),
        issued_on TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        sent_at TEXT,
        currency TEXT NOT NULL,
        subtotal INTEGER NOT NULL DEFAULT 0,
        discount_total INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        lines TEXT NOT NULL DEFAULT '[]',
        terms TEXT NOT NULL DEFAULT '',
        seller TEXT NOT NULL DEFAULT '{{}}',
        buyer TEXT NOT NULL DEFAULT '{{}}',
        language TEXT NOT NULL DEFAULT 'en',
        device TEXT NOT NULL,
        {RECORD}
    );
    CREATE INDEX quotes_number ON quotes(year, seq, revision);
    CREATE INDEX quotes_deal ON quotes(deal_id, revision) WHERE deleted_at IS NULL;
    CREATE INDEX quotes_customer ON quotes(customer_id) WHERE deleted_at IS NULL;
    CREATE INDEX quotes_sent ON quotes(sent_at) WHERE sent_at IS NOT NULL AND deleted_at IS NULL;
    """)


def _v15_quote_expiry(db: Database) -> None:
    """Reports count the quotes that expired in a period from this index, not every quote
    sent before the period ended."""
    db.execute(
        "CREATE INDEX quotes_valid ON quotes(valid_until) WHERE sent_at IS NOT NULL AND deleted_at IS NULL"
    )


def _v16_bought_lines(db: Database) -> None:
    """The agenda's reorder rows read each repeat buyer's product lines from this index
    alone (the deal and the product), not from every line's row."""
    db.execute(
        "CREATE INDEX deal_lines_bought ON deal_lines(deal_id, product_id)"
        " WHERE deleted_at IS NULL AND product_id IS NOT NULL"
    )


def _v17_contracts_and_collections(db: Database) -> None:
    """Contracts, their payment plans, the money received, and after-sales cases (issue 20).

    Money is integer minor units of the contract's currency; an instalment and a receipt
    are in their contract's. What a receipt pays is worked out, never stored
    (`core.contracts.allocate`): receipts in the order received go to the instalment
    they name, then to the oldest open one, so two devices that each record a receipt
    end, after a merge, with both receipts and the same statuses. A refund is a negative
    receipt. `instalments.snoozed_until` hides an instalment's reminder on Today until
    that day; the debt stays.

    A contract's `deal_id` is NULL for one carried over from a customer's contract end:
    each customer's `contract_end` of the schema before becomes a contract of that end,
    with the id `contract-end-<customer id>` and the seed's clock, so every device
    that migrates makes the same record and an edit anywhere wins over it.
    """
    db.executescript(f"""
    CREATE TABLE contracts (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL DEFAULT '',
        deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        quote_id TEXT REFERENCES quotes(id) DEFERRABLE INITIALLY DEFERRED,
        signed_on TEXT,
        starts_on TEXT,
        ends_on TEXT,
        amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
        currency TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        {RECORD}
    );
    CREATE INDEX contracts_deal ON contracts(deal_id) WHERE deleted_at IS NULL AND deal_id IS NOT NULL;
    CREATE INDEX contracts_customer ON contracts(customer_id) WHERE deleted_at IS NULL;
    CREATE INDEX contracts_end ON contracts(ends_on) WHERE deleted_at IS NULL AND ends_on IS NOT NULL;
    CREATE INDEX contracts_signed ON contracts(signed_on) WHERE deleted_at IS NULL;

    CREATE TABLE instalments (
        id TEXT PRIMARY KEY,
        contract_id TEXT NOT NULL REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
        position INTEGER NOT NULL DEFAULT 0,
        due_on TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount >= 0),
        label TEXT NOT NULL DEFAULT '',
        snoozed_until TEXT,
        {RECORD}
    );
    CREATE INDEX instalments_contract ON instalments(contract_id, due_on) WHERE deleted_at IS NULL;
    CREATE INDEX instalments_due ON instalments(due_on, contract_id) WHERE deleted_at IS NULL;

    CREATE TABLE receipts (
        id TEXT PRIMARY KEY,
        contract_id TEXT NOT NULL REFERENCES contracts(id) DEFERRABLE INITIALLY DEFERRED,
        instalment_id TEXT REFERENCES instalments(id) DEFERRABLE INITIALLY DEFERRED,
        received_on TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount != 0),
        method TEXT NOT NULL DEFAULT '',
        reference TEXT NOT NULL DEFAULT '',
        {RECORD}
    );
    CREATE INDEX receipts_contract ON receipts(contract_id, received_on) WHERE deleted_at IS NULL;
    CREATE INDEX receipts_received ON receipts(received_on) WHERE deleted_at IS NULL;

    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,
        product_id TEXT REFERENCES products(id) DEFERRABLE INITIALLY DEFERRED,
        deal_id TEXT REFERENCES deals(id) DEFERRABLE INITIALLY DEFERRED,
        title TEXT NOT NULL,
        opened_on TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'waiting', 'closed')),
        closed_on TEXT,
        owner TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        {RECORD}
    );
    CREATE INDEX cases_customer ON cases(customer_id, opened_on) WHERE deleted_at IS NULL;
    CREATE INDEX cases_opened ON cases(opened_on) WHERE deleted_at IS NULL;
    """)
    # Each customer's contract end becomes a contract of that end (see the docstring),
    # in the change log as the seed's, so it reaches a teammate as any record does.
    currency = json.loads(
        (db.execute("SELECT value FROM settings WHERE id = 'currency'").fetchone() or ['"USD"'])[0]
    )
    ends = db.execute(
        "SELECT id, contract_end FROM customers WHERE contract_end IS NOT NULL AND contract_end != ''"
    ).fetchall()
    for customer_id, ends_on in ends:
        record = {
            "id": f"contract-end-{customer_id}",
            "number": "",
            "deal_id": None,
            "customer_id": customer_id,
            "quote_id": None,
            "signed_on": None,
            "starts_on": None,
            "ends_on": ends_on,
            "amount": 0,
            "currency": currency,
            "notes": "",
            "created_at": SEED_TIME,
            "updated_at": SEED_TIME,
            "updated_by": "salesdesk",
            "version": 1,
            "deleted_at": None,
        }
        columns = ", ".join(record)
        marks = ", ".join(f":{column}" for column in record)
        db.execute(f"INSERT INTO contracts ({columns}) VALUES ({marks})", record)
        db.execute(
            "INSERT INTO changes (device, clock, tbl, row_id, data) VALUES (?, ?, ?, ?, ?)",
            [SEED_DEVICE, SEED_CLOCK, "contracts", record["id"], json.dumps(record, ensure_ascii=False)],
        )


def _v18_owed_instalments(db: Database) -> None:
    """What each instalment still wants, kept by this copy for Today and the reports
    (`store.owed`): never synced, worked out again from the records. Triggers mark a
    contract dirty on any write of its record, instalments or receipts, whoever writes."""
    db.executescript("""
    CREATE TABLE owed_instalments (
        instalment_id TEXT PRIMARY KEY,
        contract_id TEXT NOT NULL,
        due_on TEXT NOT NULL,
        outstanding INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX owed_instalments_due ON owed_instalments(due_on);
    CREATE INDEX owed_instalments_contract ON owed_instalments(contract_id);
    CREATE TABLE owed_dirty (contract_id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER owed_instalments_insert AFTER INSERT ON instalments BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (NEW.contract_id);
    END;
    CREATE TRIGGER owed_instalments_update AFTER UPDATE ON instalments BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (NEW.contract_id), (OLD.contract_id);
    END;
    CREATE TRIGGER owed_instalments_delete AFTER DELETE ON instalments BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (OLD.contract_id);
    END;
    CREATE TRIGGER owed_receipts_insert AFTER INSERT ON receipts BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (NEW.contract_id);
    END;
    CREATE TRIGGER owed_receipts_update AFTER UPDATE ON receipts BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (NEW.contract_id), (OLD.contract_id);
    END;
    CREATE TRIGGER owed_receipts_delete AFTER DELETE ON receipts BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (OLD.contract_id);
    END;
    CREATE TRIGGER owed_contracts_insert AFTER INSERT ON contracts BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (NEW.id);
    END;
    CREATE TRIGGER owed_contracts_update AFTER UPDATE ON contracts BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (NEW.id), (OLD.id);
    END;
    CREATE TRIGGER owed_contracts_delete AFTER DELETE ON contracts BEGIN
        INSERT OR IGNORE INTO owed_dirty (contract_id) VALUES (OLD.id);
    END;
    INSERT INTO owed_dirty (contract_id) SELECT id FROM contracts;
    """)
    from salesdesk.store.owed import refresh

    refresh(db)


def _v19_team_selling(db: Database) -> None:
    """Targets and the lead pool (issue 21).

    A target is a person's (or, with `person` empty, the team's) amount for one month
    and one measure, won value or collected value, in one currency. Its id is made from
    those four (`core.targets.target_id`), so two people setting the same target before
    syncing end with one record, the later amount winning.

    `customers.owned_since` is when the current owner took the customer (NULL: since it
    was created), written with every change of owner (`store.records`): the lead pool's
    clocks run from it, so it is a record field, merged like any other, the same on
    every device.
    """
    db.executescript(f"""
    ALTER TABLE customers ADD COLUMN owned_since TEXT;

    CREATE TABLE targets (
        id TEXT PRIMARY KEY,
        person TEXT NOT NULL DEFAULT '',
        month TEXT NOT NULL,
        measure TEXT NOT NULL CHECK (measure IN ('won', 'collected')),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        currency TEXT NOT NULL,
        {RECORD}
    );
    CREATE INDEX targets_month ON targets(month, person) WHERE deleted_at IS NULL;

    -- Team performance (store.performance): the customers made in a period per owner,
    -- and the deals closed in a period, each from its index alone. Without them a
    -- period's new leads read every customer, and its closed deals every won deal.
    -- deleted_at is a column of customers_created, not its condition: a partial index on
    -- live customers is one the planner took for the customer search's counts.
    CREATE INDEX customers_created ON customers(created_at, owner, deleted_at);
    CREATE INDEX deals_closed ON deals(closed_on, stage_id, owner, currency, amount, created_at)
        WHERE deleted_at IS NULL AND closed_on IS NOT NULL;
    """)


# The triggers of migration 20 that mark a new record's customer for the pool to work out
# again, by table: the column naming the customer. A bulk insert may drop one and mark its
# rows' customers in one statement instead (`sync.merge`), as the full-text index's.
POOL_INSERT_TRIGGERS = {"customers": "id", "deals": "customer_id", "interactions": "customer_id"}


def pool_insert_trigger(table: str) -> str:
    return f"pool_{table}_insert"


def _v20_pool_kept(db: Database) -> None:
    """When each lead and prospect goes back to the pool, kept by this copy (`store.pool`):
    never synced, worked out again from the records. Working it out from a million
    interactions on every read would cost the Pool view and Today seconds; triggers mark
    a customer dirty on any write of its record, deals or interactions, whoever writes.

    `pool_kept` holds the eligible live customers only (an open deal, or never won): the
    owner, S, the tier the day was worked out for, the day it goes back (`back_on`), why,
    and the day the rule's clock ran from. `pool_kept_meta` holds the rules and the day
    the rows were worked out for: another rule or day works them out again.
    """
    db.executescript("""
    CREATE TABLE pool_kept (
        customer_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        start TEXT NOT NULL,
        has_won INTEGER NOT NULL,
        tier TEXT NOT NULL,
        back_on TEXT NOT NULL,
        reason TEXT NOT NULL,
        since TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX pool_kept_back_on ON pool_kept(back_on);
    CREATE INDEX pool_kept_owner ON pool_kept(owner, back_on);
    CREATE TABLE pool_kept_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE pool_dirty (customer_id TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO pool_dirty (customer_id) SELECT id FROM customers;
    CREATE TRIGGER pool_customers_insert AFTER INSERT ON customers BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (NEW.id);
    END;
    CREATE TRIGGER pool_customers_update AFTER UPDATE OF owner, owned_since, created_at, deleted_at
    ON customers BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (NEW.id);
    END;
    CREATE TRIGGER pool_customers_delete AFTER DELETE ON customers BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (OLD.id);
    END;
    CREATE TRIGGER pool_interactions_insert AFTER INSERT ON interactions BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (NEW.customer_id);
    END;
    CREATE TRIGGER pool_interactions_update AFTER UPDATE OF customer_id, at, by_user, deleted_at
    ON interactions BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (NEW.customer_id), (OLD.customer_id);
    END;
    CREATE TRIGGER pool_interactions_delete AFTER DELETE ON interactions BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (OLD.customer_id);
    END;
    CREATE TRIGGER pool_deals_insert AFTER INSERT ON deals BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (NEW.customer_id);
    END;
    CREATE TRIGGER pool_deals_update
    AFTER UPDATE OF customer_id, stage_id, created_at, closed_on, amount, currency, deleted_at
    ON deals BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (NEW.customer_id), (OLD.customer_id);
    END;
    CREATE TRIGGER pool_deals_delete AFTER DELETE ON deals BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id) VALUES (OLD.customer_id);
    END;
    CREATE TRIGGER pool_stages_update AFTER UPDATE OF kind, deleted_at ON stages BEGIN
        INSERT OR IGNORE INTO pool_dirty (customer_id)
            SELECT customer_id FROM deals WHERE stage_id = NEW.id;
    END;
    """)


def _v21_held_said(db: Database) -> None:
    """A held change's reason kept to be said in the language it is read in (`i18n.Phrase`,
    as JSON): `reason` holds it as it was said in English, and is what a change held
    before this migration keeps."""
    db.execute("ALTER TABLE held ADD COLUMN said TEXT")


MIGRATIONS = (
    _v1_initial,
    _v2_care,
    _v3_checklists,
    _v4_phone_search,
    _v5_agenda,
    _v6_sync,
    _v7_activity,
    _v8_board_owner,
    _v9_short_search,
    _v10_short_search_in_name_order,
    _v11_seen_and_tags,
    _v12_held,
    _v13_team_trust,
    _v14_products_and_quotes,
    _v15_quote_expiry,
    _v16_bought_lines,
    _v17_contracts_and_collections,
    _v18_owed_instalments,
    _v19_team_selling,
    _v20_pool_kept,
    _v21_held_said,
)
SCHEMA_VERSION = len(MIGRATIONS)
