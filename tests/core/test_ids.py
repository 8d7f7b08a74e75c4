"""Record ids: 26 characters, ordered by creation time (ULID layout)."""

from hypothesis import given
from hypothesis import strategies as st

from salesdesk.core.ids import MonotonicIds, id_time_ms, new_id

MS = 1_795_770_000_000  # 2026-11-27 in epoch milliseconds, roughly


def test_id_is_26_crockford_characters():
    record_id = new_id(MS)
    assert len(record_id) == 26
    assert set(record_id) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_ids_sort_by_time_whatever_the_random_part():
    assert new_id(MS, randomness=(1 << 80) - 1) < new_id(MS + 1, randomness=0)


def test_ids_of_one_millisecond_differ():
    assert new_id(MS) != new_id(MS)


def test_monotonic_ids_sort_within_one_millisecond():
    ids = MonotonicIds()
    made = [ids(MS) for _ in range(1000)]
    assert made == sorted(made)
    assert len(set(made)) == 1000


def test_monotonic_ids_stay_ordered_when_the_clock_goes_back():
    ids = MonotonicIds()
    first = ids(MS)
    second = ids(MS - 5000)
    assert second > first


def test_id_time_round_trips():
    assert id_time_ms(new_id(MS)) == MS


@given(st.integers(min_value=0, max_value=(1 << 48) - 1), st.integers(min_value=0, max_value=(1 << 80) - 1))
def test_id_time_round_trips_for_any_time(ms, randomness):
    record_id = new_id(ms, randomness)
    assert len(record_id) == 26
    assert id_time_ms(record_id) == ms


@given(st.integers(min_value=0, max_value=(1 << 48) - 2), st.integers(min_value=1, max_value=10**6))
def test_later_ids_sort_after(ms, later):
    ms_later = min(ms + later, (1 << 48) - 1)
    assert new_id(ms) < new_id(ms_later)


@given(st.integers(min_value=0, max_value=(1 << 48) - 1), st.integers(min_value=0, max_value=(1 << 80) - 1))
def test_an_id_is_its_128_bits_in_crockford_base32(ms, randomness):
    value = 0
    for char in new_id(ms, randomness):
        value = value * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(char)
    assert value == ms << 80 | randomness


def test_an_id_known_from_the_ulid_specification():
    # The specification's example: time 01ARYZ6S41 is 1469918176385 ms.
    assert new_id(1469918176385, 0)[:10] == "01ARYZ6S41"
    assert new_id(0, (1 << 80) - 1) == "0000000000" + "Z" * 16
