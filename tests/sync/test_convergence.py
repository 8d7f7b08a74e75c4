"""Three devices, random work, random sync order and repetition, skewed clocks:
everyone ends with the same data (stamps included), no change is missing, and every
value overwritten or undone without its overwriter having seen it is a conflict on
every device, the same conflicts everywhere.

Clocks are off by up to a day between any two devices; sometimes one device runs a
year ahead: its changes are held back by the others (never adopted into their clocks)
until their time comes, and then everyone converges. A "burst" leaves a device's
hybrid clock where 100,000 edits within one millisecond would (its counter full), so
the edits after it cross the counter's limit."""

import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.store.cases import CaseStore
from salesdesk.store.changelog import COUNTER_LIMIT, format_clock, parse_clock
from salesdesk.store.connection import write
from salesdesk.store.contracts import ContractStore
from salesdesk.store.trash import TrashStore
from salesdesk.sync.merge import BOOKKEEPING, LATEST_VALUE
from tests.sync.conftest import Device

OPS = st.lists(
    st.tuples(
        st.integers(0, 2),  # device
        st.sampled_from(
            [
                "create",
                "edit",
                "edit",
                "tag",
                "untag",
                "deal",
                "move",
                "delete",
                "delete_deal",
                "restore",
                "case",
                "case_status",
                "sync",
                "sync",
                "burst",
                "contract",
                "receipt",
                "end",
            ]
        ),
        st.integers(0, 1000),  # picks a record / a value / a peer
    ),
    min_size=5,
    max_size=40,
)
SKEW = st.integers(-12 * 60, 12 * 60)  # minutes: any two devices within a day


def _burst(device: Device, pick: int) -> None:
    """The clock as 100,000 edits in its current millisecond leave it: the counter at its end."""
    store = device.store
    last = store.meta("clock")
    if last is None:
        return
    ms, counter, own = parse_clock(last)
    # Only ever forward, as 100,000 real edits would move it: a clock set back would give
    # the next edit a clock this device has used already.
    full = max(counter, COUNTER_LIMIT - pick % 3)
    with write(store.db):
        store.db.execute("UPDATE meta SET value = ? WHERE key = 'clock'", [format_clock(ms, full, own)])


def _share(devices):
    """Customers everyone has, so what follows races on shared records."""
    for n in range(3):
        devices[0].store.add_customer(f"shared{n}")
    for device in devices[1:]:
        device.merge_from(devices[0])


def _run(devices, ops, sync=lambda device, peer, pick: device.merge_from(peer)):
    for index, op, pick in ops:
        device = devices[index]
        store = device.store
        device.clock.advance(seconds=pick % 7 + 1)
        customers = [
            r[0] for r in store.db.execute("SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id")
        ]
        deals = [
            r[0]
            for r in store.db.execute(
                "SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id "
                "WHERE d.deleted_at IS NULL AND s.kind = 'open' ORDER BY d.id"
            )
        ]
        if op == "create" or not customers:
            store.add_customer(f"c{pick}", company=f"co{pick % 3}")
        elif op == "edit":
            store.update_customer(
                customers[pick % len(customers)],
                {["company", "notes", "title"][pick % 3]: f"v{pick}-{index}"},
            )
        elif op == "tag":  # the same tag in another case on another device
            name = f"t{pick % 3}"
            store.add_tag(customers[pick % len(customers)], name.upper() if pick % 2 else name)
        elif op == "untag":
            customer = customers[pick % len(customers)]
            tags = store.tags_of(customer)
            if tags:
                store.remove_tag(customer, tags[pick % len(tags)].swapcase())
        elif op == "deal":
            store.add_deal(customers[pick % len(customers)], f"d{pick}", pick * 100)
        elif op == "move" and deals:
            store.step_deal(deals[pick % len(deals)], 1)
        elif op == "delete":
            store.delete_customer(customers[pick % len(customers)])
        elif op == "delete_deal" and deals:
            store.delete_deal(deals[pick % len(deals)])
        elif op == "restore":
            trash = TrashStore(store).items()
            if trash:
                TrashStore(store).restore([trash[pick % len(trash)].id])
        elif op == "case":
            CaseStore(store).open_case(customers[pick % len(customers)], f"k{pick}", opened_on="2026-11-27")
        elif op == "case_status":
            found = store.db.execute(  # as the app reaches them: on a live customer's pane
                "SELECT k.id FROM cases k JOIN customers c ON c.id = k.customer_id "
                "AND c.deleted_at IS NULL WHERE k.deleted_at IS NULL ORDER BY k.id"
            )
            cases = [r[0] for r in found]
            if cases:
                status = ("open", "waiting", "closed")[pick % 3]
                CaseStore(store).set_status(cases[pick % len(cases)], status, device.clock().date())
        elif op == "burst":
            _burst(device, pick)
            store.update_customer(customers[pick % len(customers)], {"notes": f"b{pick}-{index}"})
        elif op == "contract" and deals:  # a contract, its deal sometimes Signed first
            deal = deals[pick % len(deals)]
            if pick % 2:
                store.move_deal(deal, "stage-signed")
            ContractStore(store).make(deal, {"amount": (pick % 5 + 1) * 100, "signed_on": "2026-11-27"})
        elif op == "receipt":  # on whichever copy, for a contract it knows; may complete it
            contracts = [
                r[0]
                for r in store.db.execute(
                    "SELECT id FROM contracts WHERE deleted_at IS NULL AND deal_id IS NOT NULL ORDER BY id"
                )
            ]
            if contracts:
                day = date(2026, 11, 20) + timedelta(days=pick % 10)
                ContractStore(store).record_receipt(contracts[pick % len(contracts)], pick % 300 + 1, day)
        elif op == "end":  # a customer's contract end, set or cleared, and its contract with it
            ends = "" if pick % 4 == 0 else f"2027-0{pick % 9 + 1}-15"
            store.update_customer(customers[pick % len(customers)], {"contract_end": ends})
        elif op == "sync":
            peer = devices[(index + 1 + pick % 2) % 3]
            sync(device, peer, pick)


def _expected_conflicts(devices) -> set:
    """Every value overwritten unseen, worked out from each writer's own log.

    In a device's log, the entries before one of its own (by sequence number) are what
    it had when it wrote it. A value is lost when a newer entry writes another value of
    that field and its writer had no value of the field at least as new; a record's life
    (`deleted_at`) is lost when a newer entry says the other thing about it and its
    writer had not, for every field the older one wrote, a value at least as new.
    """
    knowledge = {}  # (clock, table, row) of an entry -> the clocks its writer had per field
    for device in devices:
        own = device.store.device
        history: dict[tuple[str, str], list[tuple[str, dict]]] = {}
        for seq_device, clock, table, row_id, data in device.store.db.execute(
            "SELECT device, clock, tbl, row_id, data FROM changes ORDER BY seq"
        ):
            values = json.loads(data)
            earlier = history.setdefault((table, row_id), [])
            if seq_device == own:
                knowledge[(clock, table, row_id)] = list(earlier)
            earlier.append((clock, values))
    entries: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for clock, table, row_id, data in devices[0].store.db.execute(
        "SELECT clock, tbl, row_id, data FROM changes WHERE device != 'seed'"
    ):
        entries.setdefault((table, row_id), []).append((clock, json.loads(data)))

    def fields(table, values):
        names = {n for n in values if n not in BOOKKEEPING and (table, n) not in LATEST_VALUE}
        return names | {"deleted_at"}

    expected = set()
    for (table, row_id), found in entries.items():
        for older_clock, older in found:
            for newer_clock, newer in found:
                if newer_clock <= older_clock:
                    continue
                had = knowledge[(newer_clock, table, row_id)]
                for name in fields(table, older) & fields(table, newer):
                    if name == "deleted_at":  # had it seen every field the older one wrote?
                        differ = (older.get(name) is None) != (newer.get(name) is None)
                        written = fields(table, older) - {"deleted_at"} | {"deleted_at"} & set(older)
                    else:
                        differ = older[name] != newer[name]
                        written = {name}
                    seen = all(
                        any(clock >= older_clock and field in values for clock, values in had)
                        for field in written
                    )
                    if differ and not seen:
                        expected.add((table, row_id, name, older_clock))
    return expected


def _conflicts(device) -> set:
    return set(
        device.store.db.execute(
            "SELECT tbl, row_id, field, kept_value, kept_clock, lost_value, lost_clock FROM conflicts"
        ).fetchall()
    )


def _rounds(devices, order, sync=lambda device, peer: device.merge_from(peer), times=2):
    for _ in range(times):  # two full rounds in a random order reach everyone
        for i in order:
            for j in order:
                if i != j:
                    sync(devices[i], devices[j])


def _held(device):
    return set(device.store.db.execute("SELECT clock, tbl, row_id FROM held").fetchall())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, order=st.permutations([0, 1, 2]), skews=st.tuples(SKEW, SKEW), far=st.booleans())
def test_everyone_converges(tmp_path_factory, ops, order, skews, far):
    folder = tmp_path_factory.mktemp("team")
    devices = [
        Device(folder, "ann"),
        Device(folder, "bob", timedelta(minutes=skews[0])),
        Device(folder, "cai", timedelta(days=365) if far else timedelta(minutes=skews[1])),
    ]
    try:
        _share(devices)
        _run(devices, ops)
        _rounds(devices, order)
        if far:
            # The others hold cai's own changes back (a year ahead), and agree on the rest.
            ann, bob, cai = devices
            assert ann.digest() == bob.digest() and ann.entries() == bob.entries()
            cai_own = {e for e in cai.entries() if parse_clock(e[0])[2] == cai.store.device} - ann.entries()
            assert cai_own <= _held(ann) and cai_own <= _held(bob)
            first_ahead = min((parse_clock(clock)[0] for clock, _, _ in cai_own), default=None)
            for device in (ann, bob):
                if first_ahead is not None:  # never adopted into their clocks
                    assert parse_clock(device.store.meta("clock"))[0] < first_ahead
                device.clock.advance(days=366)  # their time comes
            _rounds(devices, order)
        digests = {device.digest() for device in devices}
        assert len(digests) == 1  # updated_at and updated_by included
        entries = [device.entries() for device in devices]
        assert entries[0] == entries[1] == entries[2]
        conflicts = [_conflicts(device) for device in devices]
        assert conflicts[0] == conflicts[1] == conflicts[2]
        assert {row[:3] + row[6:] for row in conflicts[0]} == _expected_conflicts(devices)
        for device in devices:  # tags differing only in case are one
            names = [r[0] for r in device.store.db.execute("SELECT name FROM tags WHERE deleted_at IS NULL")]
            assert len(names) == len({name.casefold() for name in names})
        assert all(not _held(device) for device in devices)
    finally:
        for device in devices:
            device.store.close()


# -- over the encrypted team folder, as sync tools carry it ------------------------------
#
# Each device has its own copy of the shared folder, as a sync tool keeps one on each
# computer, and publishes into it; the "tool" copies the other devices' files across,
# sometimes late (a file not there yet), cut short (still being copied), or with a
# conflict copy beside it, as Dropbox and Syncthing leave them.


def _view(device):
    return device.folder / f"view-{device.store.user}"


def _carry(source, target, pick, faults=True):
    """The sync tool brings `source`'s copy of the folder's files to `target`'s copy."""
    from salesdesk.sync import folder as teamfolder

    here, there = _view(source) / teamfolder.TEAM_DIR, _view(target) / teamfolder.TEAM_DIR
    own = target.store.device
    for n, path in enumerate(sorted(p for p in here.rglob("*") if p.is_file())):
        relative = path.relative_to(here)
        if relative.parts[0] == own or relative.name.startswith(".") or "conflict" in relative.name:
            continue  # its own files are the target's to write; temporary files stay where they are
        destination = there / relative
        data = path.read_bytes()
        if destination.exists() and destination.read_bytes() == data:
            continue
        fault = (pick * 7 + n * 3) % 6 if faults else 5
        if fault == 0:
            continue  # not there yet
        destination.parent.mkdir(parents=True, exist_ok=True)
        if fault == 1:
            destination.write_bytes(data[: max(1, len(data) // (2 + pick % 3))])  # half copied
            continue
        if fault == 2 and destination.exists():  # two versions met: one kept beside as a copy
            conflict = destination.with_name(f"{destination.name}.sync-conflict-20261127-{pick}")
            conflict.write_bytes(destination.read_bytes())
        if fault == 3:
            copy = destination.with_name(f"{destination.name} (cai's conflicted copy 2026-11-27)")
            copy.write_bytes(data[::-1])
        destination.write_bytes(data)


def _folder_sync(device, peer, pick):
    from salesdesk.sync import team as teamsync

    _carry(peer, device, pick)
    teamsync.sync_once(device.store)


def _folder_round(device, peer):
    from salesdesk.sync import team as teamsync

    _carry(peer, device, 0, faults=False)
    teamsync.sync_once(device.store)
    _carry(device, peer, 0, faults=False)


def _folder_team(devices):
    from salesdesk.sync import folder as teamfolder
    from salesdesk.sync import team as teamsync

    for device in devices:
        _view(device).mkdir()
    code, _ = teamfolder.create(devices[0].store, _view(devices[0]))
    for n in range(3):
        devices[0].store.add_customer(f"shared{n}")
    teamsync.sync_once(devices[0].store)
    for device in devices[1:]:
        _carry(devices[0], device, 0, faults=False)
        teamsync.join(device.store, _view(device), code)
    for device in devices:
        for other in devices:
            if other is not device:
                _carry(other, device, 0, faults=False)
        teamsync.sync_once(device.store)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, order=st.permutations([0, 1, 2]), skews=st.tuples(SKEW, SKEW), far=st.booleans())
def test_everyone_converges_through_the_encrypted_folder(tmp_path_factory, ops, order, skews, far):
    folder = tmp_path_factory.mktemp("team")
    devices = [
        Device(folder, "ann"),
        Device(folder, "bob", timedelta(minutes=skews[0])),
        Device(folder, "cai", timedelta(days=365) if far else timedelta(minutes=skews[1])),
    ]
    try:
        _folder_team(devices)
        _run(devices, ops, _folder_sync)
        _rounds(devices, order, _folder_round)
        if far:
            ann, bob, cai = devices
            # Only cai can fold its tag into a teammate's (the others hold its tag back),
            # and through the folder it may read the teammate's only at its turn in the
            # second round: those whose turn came before read the fold in a third.
            _rounds(devices, order, _folder_round, times=1)
            published = cai.store.meta("published_number")
            for device in (ann, bob):  # they have read all cai published
                row = device.store.db.execute(
                    "SELECT read_number FROM devices WHERE device = ?", [cai.store.device]
                )
                assert str(row.fetchone()[0]) == published
            assert ann.digest() == bob.digest() and ann.entries() == bob.entries()
            cai_own = {e for e in cai.entries() if parse_clock(e[0])[2] == cai.store.device} - ann.entries()
            assert cai_own <= _held(ann) and cai_own <= _held(bob)
            for device in (ann, bob):
                device.clock.advance(days=366)
            _rounds(devices, order, _folder_round)
        assert len({device.digest() for device in devices}) == 1
        entries = [device.entries() for device in devices]
        assert entries[0] == entries[1] == entries[2]
        conflicts = [_conflicts(device) for device in devices]
        assert conflicts[0] == conflicts[1] == conflicts[2]
        assert {row[:3] + row[6:] for row in conflicts[0]} == _expected_conflicts(devices)
        assert all(not _held(device) for device in devices)
        for device in devices:  # every file of the folder is an envelope: nothing in the clear
            for path in (_view(device) / "salesdesk-team").rglob("*"):
                if path.is_file() and "conflict" not in path.name:
                    assert path.read_bytes()[:4] in (b"SDT2", b"SDT2"[: path.stat().st_size])
    finally:
        for device in devices:
            device.store.close()
