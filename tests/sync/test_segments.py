"""The records of the team folder (sync.segments): round trips, strict checks, padding."""

import json
import random
import zlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.core.errors import SalesdeskError
from salesdesk.store.store import Store
from salesdesk.sync import crypto, segments
from salesdesk.sync.crypto import CHECKPOINT, DEVICE, HEADER_SIZE, SEGMENT, Altered, Incomplete, UnknownKey
from salesdesk.sync.merge import merge_entries
from salesdesk.sync.reading import CHANGE_LIMIT
from salesdesk.sync.segments import (
    Accept,
    DeviceRecord,
    Forged,
    KeyChanged,
    Malformed,
    NewerFormat,
    Revoke,
)
from tests.conftest import FakeClock

TEAM = "7e3a9c0d5b1f2e48"
ME = "3fa2c81d09be4f77"
OTHER = "a0b1c2d3e4f50617"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
NAMES = (
    "Li",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Anna",
    "Marek",
    "Sofia",
)


@pytest.fixture(scope="module")
def keys():
    return crypto.new_team_key(), crypto.new_device_key()


def entry(n=0, device=ME, data=None):
    """A change as the log holds one: a random id, a name, a phone, an email (so zlib gains what it would)."""
    noise = random.Random(n)
    record_id = f"01J{noise.getrandbits(80):020X}"
    values = {
        "id": record_id,
        "name": f"{noise.choice(NAMES)} {noise.choice(NAMES)}",
        "phone": f"+86 1{noise.randrange(10**9, 10**10)}",
        "email": f"{noise.getrandbits(40):x}@example.com",
        "updated_at": f"2026-11-27T09:{n % 60:02d}:{noise.randrange(60):02d}Z",
    }
    change = data if data is not None else json.dumps(values, ensure_ascii=False)
    return [device, f"2026-11-27T09:00:00.{n:06d}Z-0000-{device}", "customers", f"c{n}", change, None]


def segment(keys, entries, number=1, previous=None, kind=SEGMENT, **extra):
    return segments.encode_segment(
        team=TEAM,
        device=ME,
        number=number,
        previous=previous,
        published_at=NOW,
        entries=entries,
        team_key=keys[0],
        device_key=keys[1],
        kind=kind,
        **extra,
    )


def read(keys, data, number=1, kind=SEGMENT, team=TEAM, device=ME, public=None):
    return segments.decode_segment(
        data,
        team_keys=[keys[0]],
        team=team,
        device=device,
        number=number,
        kind=kind,
        public_key=public or crypto.public_key(keys[1]),
    )


def record(keys, **changes):
    fields = {
        "team": TEAM,
        "device": ME,
        "user": "ann",
        "public_key": crypto.public_key(keys[1]),
        "created_at": NOW.isoformat(),
        "published": 7,
        "checkpoint": 4,
        "read": {OTHER: 12},
        "statements": (Accept(OTHER, crypto.public_key(crypto.new_device_key())), Revoke("b" * 16, 3)),
        "written_at": NOW.isoformat(),
    }
    fields.update(changes)
    return DeviceRecord(**fields)


def crafted(keys, body, kind=SEGMENT, number=1, raw=None):
    """A body of our choosing, sealed and signed as a member would: only the checks stop it."""
    packed = zlib.compress(raw if raw is not None else json.dumps(body).encode())
    where = crypto.address(TEAM, ME, kind, number) if kind != "team" else crypto.TEAM_ADDRESS
    return crypto.seal(packed, team_key=keys[0], address=where, device_key=keys[1])


def good_body(**changes):
    body = {
        "kind": SEGMENT,
        "team": TEAM,
        "device": ME,
        "number": 1,
        "previous": None,
        "published_at": NOW.isoformat(),
        "entries": [entry(1)],
    }
    body.update(changes)
    return body


# Round trips ------------------------------------------------------------------------


def test_a_segment_comes_back_as_entries_in_order(keys):
    sealed = segment(keys, [entry(n) for n in range(3)], number=5, previous="ab" * 32)
    got = read(keys, sealed.data, number=5)
    assert got.number == 5 and got.previous == "ab" * 32 and got.digest == sealed.digest
    assert [e.seq for e in got.entries] == [1, 2, 3]
    assert [e.row_id for e in got.entries] == ["c0", "c1", "c2"]
    assert got.entries[1].device == ME and got.entries[1].tbl == "customers"
    assert json.loads(got.entries[2].data) == json.loads(entry(2)[4])
    assert got.entries[0].size == len(entry(0)[4])


def test_a_checkpoint_keeps_its_head(keys):
    sealed = segment(keys, [entry(1)], number=64, kind=CHECKPOINT, head="cd" * 32)
    got = read(keys, sealed.data, number=64, kind=CHECKPOINT)
    assert got.kind == CHECKPOINT and got.head == "cd" * 32
    with pytest.raises(Altered):  # a checkpoint renamed as the segment of that number
        read(keys, sealed.data, number=64, kind=SEGMENT)


def test_a_change_longer_than_the_bound_arrives_without_its_data(keys):
    big = json.dumps({"id": "c1", "notes": "x" * (CHANGE_LIMIT + 10)})
    got = read(keys, segment(keys, [entry(1, data=big)]).data)
    assert got.entries[0].data is None and got.entries[0].size == len(big)


def test_a_device_record_round_trips(keys):
    written = record(keys)
    data = segments.encode_device(written, team_key=keys[0], device_key=keys[1])
    got = segments.decode_device(data, team_keys=[keys[0]], team=TEAM, device=ME)
    assert got == written
    pinned = segments.decode_device(
        data, team_keys=[keys[0]], team=TEAM, device=ME, pinned=crypto.public_key(keys[1])
    )
    assert pinned.statements == written.statements


def test_a_device_record_with_another_key_than_the_pinned_one_is_refused(keys):
    data = segments.encode_device(record(keys), team_key=keys[0], device_key=keys[1])
    first_seen = crypto.public_key(crypto.new_device_key())
    with pytest.raises(KeyChanged, match="other than the one first seen for device"):
        segments.decode_device(data, team_keys=[keys[0]], team=TEAM, device=ME, pinned=first_seen)


def test_a_team_record_round_trips_and_tells_a_wrong_code(keys):
    data = segments.encode_team(TEAM, NOW, team_key=keys[0], device=ME, device_key=keys[1])
    got = segments.decode_team(data, team_keys=[keys[0]])
    assert (got.team, got.device, got.format) == (TEAM, ME, 2)
    assert got.public_key == crypto.public_key(keys[1])
    with pytest.raises(UnknownKey):
        segments.decode_team(data, team_keys=[crypto.new_team_key()])


def test_a_team_record_of_a_newer_format_says_to_upgrade(keys):
    body = {
        "kind": "team",
        "team": TEAM,
        "format": 3,
        "created_at": NOW.isoformat(),
        "device": ME,
        "public_key": "A" * 43 + "=",
    }
    with pytest.raises(NewerFormat, match="newer salesdesk"):
        segments.decode_team(crafted(keys, body, kind="team"), team_keys=[keys[0]])


def test_changes_of_a_real_store_travel_in_a_segment_and_merge(tmp_path, keys):
    ann = Store.open(tmp_path / "ann.db", "ann", FakeClock())
    bob = Store.open(tmp_path / "bob.db", "bob", FakeClock())
    try:
        customer = ann.add_customer("Li Wei", phone="+86 138 0013 8000")
        device = ann.device
        rows = ann.db.execute(
            "SELECT device, clock, tbl, row_id, data, seen FROM changes WHERE device = ? ORDER BY seq",
            [device],
        ).fetchall()
        sealed = segments.encode_segment(
            team=TEAM,
            device=device,
            number=1,
            previous=None,
            published_at=NOW,
            entries=rows,
            team_key=keys[0],
            device_key=keys[1],
        )
        got = read(keys, sealed.data, device=device)
        report = merge_entries(bob, got.entries, source="segment 1", publisher=device, publisher_user="ann")
        assert report.created["customers"] == 1 and not report.held
        assert bob.customer(customer).name == "Li Wei"
    finally:
        ann.close()
        bob.close()


# What a file's place and signer must be -----------------------------------------------


@pytest.mark.parametrize(
    ("number", "kind", "team", "device"),
    [
        (2, SEGMENT, TEAM, ME),
        (1, CHECKPOINT, TEAM, ME),
        (1, SEGMENT, TEAM, OTHER),
        (1, SEGMENT, "f" * 16, ME),
    ],
    ids=["other number", "other kind", "other device", "other team"],
)
def test_a_renamed_or_moved_segment_is_altered(keys, number, kind, team, device):
    data = segment(keys, [entry(1)]).data
    with pytest.raises(Altered, match="altered or is not of this team"):
        read(keys, data, number=number, kind=kind, team=team, device=device)


def test_a_segment_under_a_key_we_do_not_hold_asks_for_the_code(keys):
    data = segment(keys, [entry(1)]).data
    with pytest.raises(UnknownKey):
        segments.decode_segment(
            data,
            team_keys=[crypto.new_team_key()],
            team=TEAM,
            device=ME,
            number=1,
            public_key=crypto.public_key(keys[1]),
        )


def test_a_segment_signed_by_another_key_is_refused(keys):
    data = segment(keys, [entry(1)]).data
    stranger = crypto.public_key(crypto.new_device_key())
    with pytest.raises(crypto.WrongSigner, match=f"not device {ME}'s"):
        read(keys, data, public=stranger)


def test_changes_under_another_device_id_are_refused(keys):
    with pytest.raises(Forged, match=f"under device {OTHER}'s id"):
        read(keys, crafted(keys, good_body(entries=[entry(1), entry(2, device=OTHER)])))
    with pytest.raises(ValueError):  # nor does this side write one
        segment(keys, [entry(1, device=OTHER)])


def test_a_relay_carries_the_changes_of_the_devices_it_names(keys):
    sealed = segment(keys, [entry(1, device=OTHER)], relay_from={OTHER: "bob"})
    got = read(keys, sealed.data)
    assert got.relayed_users == {OTHER: "bob"} and got.entries[0].device == OTHER
    with pytest.raises(Forged):
        read(
            keys,
            crafted(
                keys, good_body(relay=True, entries=[entry(1, device="c" * 16)], **{"from": {OTHER: "bob"}})
            ),
        )


@pytest.mark.parametrize(
    "position",
    [0, 5, 14, 27, HEADER_SIZE, HEADER_SIZE + 7, 2000, -17, -9, -1],
    ids=lambda p: f"byte {p}",
)
def test_a_segment_altered_by_one_byte_is_refused(keys, position):
    data = bytearray(segment(keys, [entry(1)]).data)
    data[position] = (data[position] + 1) % 256
    with pytest.raises((Altered, UnknownKey, Incomplete)):
        read(keys, bytes(data))


def test_a_truncated_segment_is_incomplete(keys):
    data = segment(keys, [entry(1)]).data
    for length in (0, 10, HEADER_SIZE, len(data) - 1):
        with pytest.raises(Incomplete):
            read(keys, data[:length])


# Crafted bodies: a sentence each, never a traceback ------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([1, 2, 3], "its (body) is not of the right type"),
        ("a string", "its (body) is not of the right type"),
        (good_body(kind="checkpoint"), "its kind does not match"),
        (good_body(team="0" * 16), "its team does not match"),
        (good_body(device=OTHER), "its device does not match"),
        (good_body(number=2), "its number does not match"),
        (good_body(number="1"), "its number does not match"),
        (good_body(previous="zz"), "its previous is not of the right type"),
        (good_body(previous=7), "its previous is not of the right type"),
        (good_body(published_at=None), "its published_at is not of the right type"),
        (good_body(published_at="yesterday"), "its published_at is not of the right type"),
        (good_body(published_at="2026-11-27" * 100), "its published_at is too long"),
        (good_body(entries={"a": 1}), "its entries is not of the right type"),
        (good_body(entries=[[ME, "c", "customers", "x", "{}"]]), "its entries is not of the right type"),
        (good_body(entries=[[ME, 5, "customers", "x", "{}", None]]), "its entries is not of the right type"),
        (
            good_body(entries=[[ME, "c", "customers", "x", {"id": 1}, None]]),
            "its entries is not of the right type",
        ),
        (good_body(entries=[[ME, "c", "customers", "x", "{}", 12]]), "its entries is not of the right type"),
        (
            good_body(entries=[[ME, "c", "customers", ["x"], "{}", None]]),
            "its entries is not of the right type",
        ),
        (good_body(entries=[None]), "its entries is not of the right type"),
        (good_body(relay="yes"), "its relay is not of the right type"),
        (good_body(extra=1), "its 'extra' is not a field of it"),
        ({k: v for k, v in good_body().items() if k != "entries"}, "its entries is missing"),
    ],
)
def test_a_crafted_segment_body_is_refused_with_a_sentence(keys, body, words):
    with pytest.raises(Malformed, match=words.replace("(", r"\(").replace(")", r"\)")) as raised:
        read(keys, crafted(keys, body))
    assert str(raised.value).startswith(f"{ME}/00000001 is not a segment file")


def test_deep_nesting_huge_numbers_and_lone_surrogates_are_refused(keys):
    deep = b'{"kind": "segment", "entries": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(Malformed):
        read(keys, crafted(keys, None, raw=deep))
    huge = json.dumps(good_body(number=1)).replace('"number": 1', '"number": ' + "9" * 5000).encode()
    with pytest.raises(Malformed):
        read(keys, crafted(keys, None, raw=huge))
    surrogate = json.dumps(
        good_body(entries=[[ME, "c", "customers", "x", '{"name": "\ud800"}', None]])
    ).encode()
    assert b"\\ud800" in surrogate
    with pytest.raises(Malformed):
        read(keys, crafted(keys, None, raw=surrogate))
    for number in (-1, 2**60, True, 1.0):
        with pytest.raises(Malformed):
            read(keys, crafted(keys, good_body(number=number)))


def test_a_body_is_read_as_the_standard_parser_reads_it(keys):
    """Bodies are parsed by orjson where it can; what it reads otherwise is read again by
    json: an integer beyond 64 bits, a lone surrogate written as UTF-8 bytes."""
    big = json.dumps(good_body()).replace('"number": 1', '"number": ' + str(2**70)).encode()
    with pytest.raises(Malformed, match="its number does not match"):
        read(keys, crafted(keys, None, raw=big))
    raw_surrogate = json.dumps(good_body(entries=[entry(1)]), ensure_ascii=False).encode()
    raw_surrogate = raw_surrogate.replace(b'"customers"', b'"cust\xed\xa0\x80omers"')
    with pytest.raises(Malformed, match=r"its \(body\) is not of the right type"):
        read(keys, crafted(keys, None, raw=raw_surrogate))
    text = json.dumps(good_body(entries=[[ME, "c", "customers", "x", None, None]]), ensure_ascii=False)
    assert read(keys, crafted(keys, None, raw=text.encode())).entries[0].data is None


def test_a_body_that_is_not_zlib_or_not_utf8_is_refused(keys):
    where = crypto.address(TEAM, ME, SEGMENT, 1)
    for packed in (
        b"plain bytes",
        zlib.compress(b"\xff\xfe{}"),
        zlib.compress(b"{}")[:-3],
        zlib.compress(b"{}") + b"x",
    ):
        data = crypto.seal(packed, team_key=keys[0], address=where, device_key=keys[1])
        with pytest.raises(Malformed):
            read(keys, data)


def test_a_body_that_decompresses_past_the_bound_is_refused(keys, monkeypatch):
    monkeypatch.setattr(segments, "BODY_LIMIT", 10_000)
    with pytest.raises(Malformed, match="too long"):
        read(keys, crafted(keys, good_body(entries=[entry(n) for n in range(200)])))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"user": ""}, "its user is missing"),
        ({"user": 5}, "its user is not of the right type"),
        ({"user": "x" * 500}, "its user is too long"),
        ({"public_key": "short"}, "its public_key is not of the right type"),
        ({"published": -1}, "its published is out of range"),
        ({"checkpoint": 9}, "its checkpoint is out of range"),
        ({"read": [1]}, "its read is not of the right type"),
        ({"read": {OTHER: "12"}}, "its read is not of the right type"),
        ({"read": {"../etc": 1}}, "its read is not of the right type"),
        ({"statements": [{"accept": OTHER}]}, "its statements is not of the right type"),
        ({"statements": [{"revoke": OTHER, "after": "3"}]}, "its statements is not of the right type"),
        ({"statements": {"revoke": OTHER}}, "its statements is not of the right type"),
        ({"written_at": 0}, "its written_at is not of the right type"),
    ],
)
def test_a_crafted_device_record_is_refused_with_a_sentence(keys, changes, words):
    body = {
        "kind": DEVICE,
        "team": TEAM,
        "device": ME,
        "user": "ann",
        "public_key": segments._b64(crypto.public_key(keys[1])),
        "created_at": NOW.isoformat(),
        "published": 7,
        "checkpoint": 4,
        "read": {},
        "statements": [],
        "written_at": NOW.isoformat(),
    }
    body.update(changes)
    with pytest.raises(Malformed, match=words) as raised:
        segments.decode_device(
            crafted(keys, body, kind=DEVICE, number=0), team_keys=[keys[0]], team=TEAM, device=ME
        )
    assert "device record" in str(raised.value)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
        max_leaves=40,
    )
)
def test_any_json_in_a_sealed_body_is_a_record_or_a_sentence(keys, value):
    for kind, number, decode in (
        (SEGMENT, 1, lambda data: read(keys, data)),
        (DEVICE, 0, lambda data: segments.decode_device(data, team_keys=[keys[0]], team=TEAM, device=ME)),
    ):
        try:
            decode(crafted(keys, value, kind=kind, number=number))
        except SalesdeskError as error:
            assert str(error) and "\n" not in str(error)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=5000))
def test_random_bytes_are_a_sentence(keys, data):
    with pytest.raises(SalesdeskError):
        read(keys, data)
    with pytest.raises(SalesdeskError):
        segments.decode_team(data, team_keys=[keys[0]])


# Padding ----------------------------------------------------------------------------


def test_the_size_of_a_file_hides_how_many_changes_it_holds(keys):
    counts = (1, 2, 10, 20, 250, 300, 350, 1000)
    sizes = {n: len(segment(keys, [entry(i) for i in range(n)]).data) for n in counts}
    overhead = HEADER_SIZE + crypto.TAG_BYTES
    assert all(size - overhead in {4096 * 2**k for k in range(9)} for size in sizes.values())
    # One edit and a few dozen are one bucket: a file does not say how much was typed.
    assert sizes[1] == sizes[2] == sizes[10] == sizes[20] == 4096 + overhead
    # Hundreds of changes share a bucket too, which grows only by doubling.
    assert sizes[250] == sizes[300] == sizes[350] > sizes[1]
    assert sizes[1000] in (2 * sizes[300] - overhead, 4 * sizes[300] - 3 * overhead)


def test_a_device_record_is_one_small_bucket(keys):
    data = segments.encode_device(record(keys, read={}), team_key=keys[0], device_key=keys[1])
    many = segments.encode_device(
        record(keys, read={f"{n:016x}": n for n in range(20)}), team_key=keys[0], device_key=keys[1]
    )
    assert len(data) == len(many) == 4096 + HEADER_SIZE + crypto.TAG_BYTES


# Names ------------------------------------------------------------------------------


def test_file_names_and_what_is_not_one():
    assert segments.file_name(SEGMENT, 7) == "00000007"
    assert segments.file_name(CHECKPOINT, 64) == "c00000064"
    assert segments.file_name(DEVICE) == "device"
    for name in ("00000007", "c00000064", "device"):
        kind, number = segments.parse_name(name)
        assert segments.file_name(kind, number) == name
    for name in (
        "00000007 (conflicted copy)",
        "00000007.tmp",
        ".device.tmp",
        "00000000",
        "c0000064",
        "x.db",
        "Device",
    ):
        assert segments.parse_name(name) is None


def test_the_cycle_collector_runs_again_after_a_decode_good_or_bad(keys):
    import gc

    read(keys, segment(keys, [entry(1)]).data)
    assert gc.isenabled()
    with pytest.raises(Malformed):
        read(keys, crafted(keys, good_body(entries=None)))
    assert gc.isenabled()
    gc.disable()
    try:
        read(keys, segment(keys, [entry(1)]).data)
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
