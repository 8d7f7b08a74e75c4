"""Three devices, random work, random sync order and repetition, skewed clocks:
everyone ends with the same data and no change is missing."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.conftest import Device

OPS = st.lists(
    st.tuples(
        st.integers(0, 2),  # device
        st.sampled_from(["create", "edit", "tag", "untag", "deal", "move", "delete", "sync"]),
        st.integers(0, 1000),  # picks a record / a value / a peer
    ),
    min_size=5,
    max_size=30,
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
        elif op == "sync":
            peer = devices[(index + 1 + pick % 2) % 3]
            device.merge_from(peer)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, order=st.permutations([0, 1, 2]))
def test_everyone_converges(tmp_path_factory, ops, order):
    folder = tmp_path_factory.mktemp("team")
    devices = [
        Device(folder, "ann"),
        Device(folder, "bob", timedelta(hours=-20)),
        Device(folder, "cai", timedelta(hours=23)),
    ]
    try:
        _run(devices, ops)
        for _ in range(2):  # two full rounds in a random order reach everyone
            for i in order:
                for j in order:
                    if i != j:
                        devices[i].merge_from(devices[j])
        digests = {device.digest() for device in devices}
        assert len(digests) == 1
        entries = [device.entries() for device in devices]
        assert entries[0] == entries[1] == entries[2]
    finally:
        for device in devices:
            device.store.close()
