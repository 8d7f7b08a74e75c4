"""Three devices, random work, random sync order and repetition, skewed clocks:
everyone ends with the same data and no change is missing.

Clocks are off by up to a day between any two devices; sometimes one device runs a
year ahead: its changes are held back by the others (never adopted into their clocks)
until their time comes, and then everyone converges. A "burst" leaves a device's
hybrid clock where 100,000 edits within one millisecond would (its counter full), so
the edits after it cross the counter's limit."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.store.changelog import COUNTER_LIMIT, format_clock, parse_clock
from salesdesk.store.connection import write
from tests.sync.conftest import Device

OPS = st.lists(
    st.tuples(
        st.integers(0, 2),  # device
        st.sampled_from(["create", "edit", "tag", "untag", "deal", "move", "delete", "sync", "burst"]),
        st.integers(0, 1000),  # picks a record / a value / a peer
    ),
    min_size=5,
    max_size=30,
)
SKEW = st.integers(-12 * 60, 12 * 60)  # minutes: any two devices within a day


def _burst(device: Device, pick: int) -> None:
    """The clock as 100,000 edits in its current millisecond leave it: the counter at its end."""
    store = device.store
    last = store.meta("clock")
    if last is None:
        return
    ms, _, own = parse_clock(last)
    with write(store.db):
        store.db.execute(
            "UPDATE meta SET value = ? WHERE key = 'clock'", [format_clock(ms, COUNTER_LIMIT - pick % 3, own)]
        )


def _run(devices, ops):
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
        elif op == "tag":
            store.add_tag(customers[pick % len(customers)], f"t{pick % 4}")
        elif op == "untag":
            customer = customers[pick % len(customers)]
            tags = store.tags_of(customer)
            if tags:
                store.remove_tag(customer, tags[pick % len(tags)])
        elif op == "deal":
            store.add_deal(customers[pick % len(customers)], f"d{pick}", pick * 100)
        elif op == "move" and deals:
            store.step_deal(deals[pick % len(deals)], 1)
        elif op == "delete":
            store.delete_customer(customers[pick % len(customers)])
        elif op == "burst":
            _burst(device, pick)
            store.update_customer(customers[pick % len(customers)], {"notes": f"b{pick}-{index}"})
        elif op == "sync":
            peer = devices[(index + 1 + pick % 2) % 3]
            device.merge_from(peer)


def _rounds(devices, order):
    for _ in range(2):  # two full rounds in a random order reach everyone
        for i in order:
            for j in order:
                if i != j:
                    devices[i].merge_from(devices[j])


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
        assert len(digests) == 1
        entries = [device.entries() for device in devices]
        assert entries[0] == entries[1] == entries[2]
        assert all(not _held(device) for device in devices)
    finally:
        for device in devices:
            device.store.close()
