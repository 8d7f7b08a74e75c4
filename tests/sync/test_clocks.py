"""Clocks stay ordered forever: text order is numeric order, whatever the counter."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from salesdesk.core.dates import epoch_ms
from salesdesk.store.changelog import (
    COUNTER_LIMIT,
    MalformedClock,
    format_clock,
    next_clock,
    parse_clock,
    received,
)

CLOCKS = st.builds(
    format_clock,
    st.integers(0, 10**15 - 1),
    st.integers(0, COUNTER_LIMIT),
    st.sampled_from(["seed", "0a1b2c3d4e5f6071", "0a1b2c3d4e5f6071~ffeeddcopy", "ff"]),
)


@given(CLOCKS, CLOCKS)
def test_text_order_is_numeric_order(a, b):
    assert (a < b) == (parse_clock(a) < parse_clock(b))
    assert (a == b) == (parse_clock(a) == parse_clock(b))


@given(st.integers(0, 10**13), st.integers(0, COUNTER_LIMIT), st.integers(0, 10**13))
def test_the_next_clock_is_always_later(ms, counter, now):
    last = format_clock(ms, counter, "dev")
    following = next_clock(last, now, "dev")
    assert following > last and parse_clock(following) > parse_clock(last)


def test_a_full_counter_moves_on_to_the_next_millisecond():
    assert next_clock(format_clock(5, COUNTER_LIMIT, "d"), 0, "d") == format_clock(6, 0, "d")
    assert received(format_clock(5, 1, "me"), format_clock(7, COUNTER_LIMIT, "you"), "me") == format_clock(
        7, COUNTER_LIMIT, "me"
    )
    assert received(format_clock(9, 0, "me"), format_clock(7, 3, "you"), "me") is None


def test_a_malformed_clock_is_refused():
    for bad in ("000000000000001-100000-d", "1-2-d", "", None, 7, "000000000000001-00001-", "x" * 30):
        try:
            parse_clock(bad)
        except MalformedClock:
            continue
        raise AssertionError(f"{bad!r} was taken for a clock")


def test_100001_edits_after_syncing_with_a_device_a_day_ahead_stay_in_order(team):
    ann, bob, cai = team  # cai's clock is 12 hours ahead, bob's 11 behind
    customer = cai.store.add_customer("Li Na")
    ann.merge_from(cai)  # ann's clock now runs at cai's time: her edits only move the counter
    bob.merge_from(ann)
    bob.store.update_customer(customer, {"notes": "bob's, earlier"})
    store = ann.store
    log = store.records.log
    with store.records.transaction():  # 100,001 edits of the notes, as the write path logs them
        seen = log.seen_of("customers", customer, ["notes"])
        for n in range(100_000):
            clock = log.tick(epoch_ms(ann.clock()))
            log.record(clock, "customers", customer, {"notes": f"edit {n}"}, dict(seen))
            seen["notes"] = clock  # each edit is made over the one before
    store.update_customer(customer, {"notes": "edit 100000"})
    clocks = [
        r[0]
        for r in store.db.execute(
            "SELECT clock FROM changes WHERE row_id = ? AND device = ? ORDER BY seq", [customer, store.device]
        )
    ]
    assert len(clocks) == 100_001
    assert all(a < b and parse_clock(a) < parse_clock(b) for a, b in pairwise(clocks))
    assert (
        parse_clock(clocks[-1])[1] < COUNTER_LIMIT and parse_clock(clocks[-1])[0] > parse_clock(clocks[0])[0]
    )
    bob.merge_from(ann)  # the last edit wins there too, and no conflict is made up
    assert bob.store.customer(customer).notes == "edit 100000"
    assert bob.digest() == ann.digest()
    # Bob's edit, made without seeing ann's, is lost to her next one. Bob merged ann's copy
    # before editing, so his clock shares her millisecond and counter: when his device id
    # sorts after hers his edit is the newer of her first two, and her first is lost too.
    bobs = bob.store.db.execute(
        "SELECT clock FROM changes WHERE row_id = ? AND device = ?", [customer, bob.store.device]
    ).fetchone()[0]
    lost = 1 if bobs < clocks[0] else 2
    assert bob.store.db.execute("SELECT count(*) FROM conflicts").fetchone()[0] == lost
