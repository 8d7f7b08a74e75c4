"""The bulk merge (records written in batches) ends exactly where the entry-by-entry
merge does: the same records (their row numbers and versions too), the same change log
in the same order, the same held changes with the same reasons, the same conflicts, the
same devices and clock, the same report.

The streams are three devices' random work (edits of one record on several devices,
deletes, revivals, tags, deals), joined by entries that fail a check, wait for their
customer, are refused by the schema, or edit a record whose creation never came; the
receiving copy is new (a device joining) or already holds part of it."""

import json

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from salesdesk.core.dates import epoch_ms
from salesdesk.store.changelog import format_clock
from salesdesk.store.schema import SYNCED_TABLES
from salesdesk.store.store import Store
from salesdesk.sync import merge as merging
from salesdesk.sync.merge import merge_entries
from salesdesk.sync.reading import Entry
from tests.conftest import FakeClock
from tests.sync.conftest import Device
from tests.sync.test_convergence import OPS, _run

STRANGER = "stranger0000dev"
INJECTED = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "waits",  # a deal before its customer, both new
                "never",  # a deal whose customer never comes
                "refused",  # an interaction the schema refuses (its kind)
                "twin",  # a link of a customer and tag already linked under another id
                "orphan",  # an edit of a record whose creation never came
                "malformed",
                "table",
                "empty",  # a customer without a name
                "ahead",
                "fresh",  # a customer of its own
                "edited",  # a customer of its own, then edited from another device
            ]
        ),
        st.integers(0, 1000),
    ),
    max_size=8,
)


def _entries(store: Store) -> list[Entry]:
    return [
        Entry(seq, device, clock, tbl, row_id, data, len(data), seen)
        for seq, device, clock, tbl, row_id, data, seen in store.db.execute(
            "SELECT seq, device, clock, tbl, row_id, data, seen FROM changes ORDER BY seq"
        )
    ]


def _created(entries: list[Entry], table: str) -> dict:
    for entry in entries:
        if entry.tbl == table and isinstance(entry.data, str) and "created_at" in json.loads(entry.data):
            return json.loads(entry.data)
    raise AssertionError(f"no {table} created")


def _injected(devices, entries, injected) -> list[Entry]:
    base = epoch_ms(devices[0].clock())
    customer, deal = _created(entries, "customers"), _created(entries, "deals")
    link = _created(entries, "customer_tags") if any(e.tbl == "customer_tags" for e in entries) else None
    made: list[Entry] = []

    def add(n, tbl, row_id, values, *, ms=None, device=STRANGER, clock=None):
        data = json.dumps(values)
        clock = clock or format_clock(base + (ms if ms is not None else n), n % 5, device)
        made.append(Entry(None, device, clock, tbl, row_id, data, len(data), None))

    for n, (kind, pick) in enumerate(injected):
        key = f"inj{n}x{pick}"
        if kind == "waits":
            add(n, "deals", f"{key}d", {**deal, "id": f"{key}d", "customer_id": f"{key}c"}, ms=pick)
            add(n, "customers", f"{key}c", {**customer, "id": f"{key}c", "name": key}, ms=pick + 5)
        elif kind == "never":
            add(n, "deals", f"{key}d", {**deal, "id": f"{key}d", "customer_id": "nobody"})
        elif kind == "refused":
            values = {
                "id": key,
                "customer_id": customer["id"],
                "kind": "carrier pigeon",
                "at": customer["created_at"],
                "summary": "s",
                "by_user": "ann",
                "updated_at": customer["created_at"],
                "updated_by": "ann",
                "created_at": customer["created_at"],
            }
            add(n, "interactions", key, values, ms=pick)
        elif kind == "twin" and link is not None:
            add(n, "customer_tags", key, {**link, "id": key}, ms=pick)
        elif kind == "orphan":
            add(n, "customers", key, {"notes": f"n{pick}"}, ms=pick)
        elif kind == "malformed":
            add(n, "customers", key, {**customer, "id": key}, clock=f"not a clock {pick}")
        elif kind == "table":
            add(n, "passwords", key, {"id": key})
        elif kind == "empty":
            add(n, "customers", key, {**customer, "id": key, "name": None}, ms=pick)
        elif kind == "ahead":
            add(n, "customers", key, {**customer, "id": key}, ms=pick + 40 * 86_400_000)
        elif kind in ("fresh", "edited"):
            add(n, "customers", key, {**customer, "id": key, "name": key}, ms=pick)
            if kind == "edited":
                add(n, "customers", key, {"phone": f"{pick}"}, ms=pick + 3, device="other0000000dev")
    return made


def _state(store: Store) -> dict:
    db = store.db
    state = {table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in SYNCED_TABLES}
    for table in ("changes", "held", "conflicts", "devices"):
        state[table] = db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall()
    state["clock"] = db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchall()
    # Every index and trigger there, as declared, each index holding exactly its table's
    # rows; the customers the pool works out again, whether triggers marked them or not.
    state["schema"] = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name"
    ).fetchall()
    state["pool_dirty"] = db.execute("SELECT customer_id FROM pool_dirty ORDER BY 1").fetchall()
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for fts in ("customers_fts", "interactions_fts"):
        # The index holds exactly the records' text (an error if not), and finds the same.
        db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")
        state[fts] = db.execute(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid", ['"c" OR "s" OR "inj" OR "v"']
        ).fetchall()
    return state


def _report(report) -> dict:
    values = dict(report.__dict__)
    values["devices"] = sorted(values["devices"])
    return values


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failure is shown as found
)
@given(ops=OPS, injected=INJECTED, part=st.integers(0, 3), cut=st.integers(0, 100), index=st.integers(1, 3))
def test_the_bulk_merge_ends_where_the_merge_entry_by_entry_does(
    tmp_path_factory, ops, injected, part, cut, index
):
    folder = tmp_path_factory.mktemp("bulk")
    devices = [Device(folder, name) for name in ("ann", "bob", "cai")]
    devices[0].store.add_customer("first", company="co")
    devices[0].store.add_deal(
        devices[0].store.db.execute("SELECT id FROM customers").fetchone()[0], "first deal", 100
    )
    _run(devices, ops)
    entries = {(e.device, e.clock, e.tbl, e.row_id): e for d in devices for e in _entries(d.store)}
    stream = list(entries.values())
    stream += _injected(devices, stream, injected)
    # The receiving copy: new, or holding part of the stream already (merged entry by entry).
    receiver = Device(folder, "dan")
    if part:
        prefix = sorted(stream, key=lambda e: str(e.clock))[: len(stream) * cut // 100]
        merge_entries(receiver.store, prefix[::part], source="part", publisher=None, publisher_user=None)
    copies = []
    for name in ("bulk", "each"):
        path = folder / f"{name}.db"
        receiver.store.db.execute("VACUUM INTO ?", [str(path)])
        copies.append(Store.open(path, "dan", FakeClock(receiver.clock())))
    merging.INDEX_IN_ONE, kept = index, merging.INDEX_IN_ONE  # few new records: indexed in one
    merging.DEFER_INDEXES, deferred = index, merging.DEFER_INDEXES  # and their indexes built after
    merging.ROWS_BATCH, batch = index + 1, merging.ROWS_BATCH  # and batches written as they fill
    chunk = merging.CHUNK_ROWS
    reports = []
    try:
        for copy, bulk in zip(copies, (True, False), strict=True):
            # The stream compared with the copy's log a few entries at a time, or all at once.
            merging.CHUNK_ROWS = index if bulk else 10_000
            reports.append(
                merge_entries(
                    copy,
                    iter(stream),
                    source="stream",
                    publisher=devices[0].store.device,
                    publisher_user="ann",
                    relayed_users={d.store.device: d.store.user for d in devices[1:]},
                    bulk=bulk,
                )
            )
    finally:
        merging.INDEX_IN_ONE, merging.DEFER_INDEXES, merging.ROWS_BATCH = kept, deferred, batch
        merging.CHUNK_ROWS = chunk
    assert _report(reports[0]) == _report(reports[1])
    assert _state(copies[0]) == _state(copies[1])


def test_a_batch_the_schema_refuses_is_merged_again_entry_by_entry(tmp_path, monkeypatch):
    """The refused interaction is held with the schema's reason; the rest still merges."""
    ann = Device(tmp_path, "ann")
    customer = ann.store.add_customer("Wang Fang")
    ann.store.add_deal(customer, "Renewal", 100)
    entries = _entries(ann.store)
    refused = _injected([ann], entries, [("refused", 7)])
    redone = []
    real = merging._Merge._reset

    def counted(self):
        redone.append(self.bulk)
        real(self)

    monkeypatch.setattr(merging._Merge, "_reset", counted)
    monkeypatch.setattr(merging, "DEFER_INDEXES", 1)  # dropped in the bulk merge: back after its undoing
    bob = Device(tmp_path, "bob")
    indexes = _indexes(bob.store)
    report = merge_entries(
        bob.store, entries + refused, source="ann", publisher=ann.store.device, publisher_user="ann"
    )
    assert redone == [True, False], report  # begun in bulk, done again entry by entry
    assert report.held == {"invalid": 1}
    assert bob.store.db.execute("SELECT id FROM customers").fetchall() == [(customer,)]
    (reason,) = bob.store.db.execute("SELECT reason FROM held").fetchone()
    assert "schema refuses it" in reason
    assert bob.store.db.execute("SELECT tbl FROM held").fetchall() == [("interactions",)]
    assert not bob.store.db.execute("SELECT 1 FROM interactions").fetchall()
    assert _indexes(bob.store) == indexes
    assert bob.store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _indexes(store: Store) -> list[tuple[str, str]]:
    return store.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    ).fetchall()


def test_a_join_builds_the_plain_indexes_of_its_many_new_records_once_at_its_end(tmp_path, monkeypatch):
    """Dropped while the records go in, built again before the merge ends; the unique
    ones and those led by a reference stay all along (a refusal and the deferred
    references are checked through them)."""
    ann = Device(tmp_path, "ann")
    customer = ann.store.add_customer("Wang Fang")
    for n in range(5):
        ann.store.log_interaction(customer, "call", f"Call {n}")
    bob = Device(tmp_path, "bob")
    before = _indexes(bob.store)
    during = []
    real = merging._Merge._flush

    def flush(self):
        during.append({name for name, _sql in _indexes(self.store)})
        real(self)

    monkeypatch.setattr(merging._Merge, "_flush", flush)
    monkeypatch.setattr(merging, "DEFER_INDEXES", 5)  # five interactions, one customer
    report = merge_entries(
        bob.store, _entries(ann.store), source="ann", publisher=ann.store.device, publisher_user="ann"
    )
    assert report.created["interactions"] == 5
    assert "interactions_at" not in during[0] and "interactions_activity" not in during[0]
    kept = {"sqlite_autoindex_interactions_1", "interactions_customer", "interactions_deal"}
    assert kept <= during[0] and "customers_created" in during[0]  # one customer: as it was
    assert _indexes(bob.store) == before
    assert bob.store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    plan = bob.store.db.execute("EXPLAIN QUERY PLAN SELECT id FROM interactions WHERE at > '2026'").fetchall()
    assert any("interactions_at" in str(step) for step in plan)
