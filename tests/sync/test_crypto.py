"""The envelope, the team keys, the join codes and the device keys (sync.crypto)."""

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.core.errors import SalesdeskError
from salesdesk.sync import crypto
from salesdesk.sync.crypto import (
    HEADER_SIZE,
    MAGIC,
    Altered,
    BadJoinCode,
    Incomplete,
    UnknownKey,
    WrongSigner,
)

TEAM = "7e3a9c0d5b1f2e48"
DEVICE = "3fa2c81d09be4f77"
HERE = crypto.address(TEAM, DEVICE, crypto.SEGMENT, 5)


@pytest.fixture(scope="module")
def keys():
    return crypto.new_team_key(), crypto.new_device_key()


def sealed(keys, body=b"the body", where=HERE):
    team_key, device_key = keys
    return crypto.seal(body, team_key=team_key, address=where, device_key=device_key)


def opened(data, keys, where=HERE):
    return crypto.open_envelope(data, team_keys=[keys[0]], address=where)


def test_an_envelope_opens_to_its_body_signed_by_its_device(keys):
    data = sealed(keys)
    result = opened(data, keys)
    assert result.body == b"the body"
    assert result.key_id == crypto.key_id(keys[0])
    result.check_signer(crypto.public_key(keys[1]), DEVICE)
    assert data[:4] == MAGIC and data[4:12] == crypto.key_id(keys[0])


def test_two_envelopes_of_one_body_differ_everywhere_past_the_key_id(keys):
    first, second = sealed(keys), sealed(keys)
    assert first[:12] == second[:12]
    assert first[12:24] != second[12:24]  # a fresh nonce each time
    assert first[HEADER_SIZE:] != second[HEADER_SIZE:]


def test_the_body_is_not_in_the_file(keys):
    body = b"Hangzhou Tea Trading Co. 13800138000 li.wei@example.com" * 3
    data = sealed(keys, body)
    assert b"Hangzhou" not in data and b"13800138000" not in data and b"example" not in data


# The header (0-31), the nonce (12-23) inside it, the ciphertext, the tag (the last 16).
@pytest.mark.parametrize(
    "position",
    [0, 3, 4, 11, 12, 23, 24, 31, HEADER_SIZE, HEADER_SIZE + 100, -17, -16, -1],
    ids=lambda p: f"byte {p}",
)
def test_one_byte_changed_anywhere_is_refused(keys, position):
    data = bytearray(sealed(keys))
    data[position] ^= 0x01
    with pytest.raises((Altered, UnknownKey, Incomplete)) as raised:
        opened(bytes(data), keys)
    # Changing the key id names a key we do not have; a larger length claims more bytes
    # than are there (a file still arriving); anything else is altered.
    if 4 <= position % len(data) < 12:
        assert raised.type is UnknownKey
    elif 24 <= position % len(data) < 32:
        assert raised.type in (Altered, Incomplete)
    else:
        assert raised.type is Altered
    assert "\n" not in str(raised.value)


def test_every_single_byte_change_is_refused(keys):
    data = sealed(keys, b"x" * 100)
    for position in range(len(data)):
        changed = bytearray(data)
        changed[position] ^= 0x80
        with pytest.raises(crypto.EnvelopeError):
            opened(bytes(changed), keys)


def test_a_truncated_file_is_incomplete_not_altered(keys):
    data = sealed(keys)
    for length in (0, 1, 3, 4, 20, HEADER_SIZE, HEADER_SIZE + 1, len(data) // 2, len(data) - 1):
        with pytest.raises(Incomplete, match="not completely synced yet"):
            opened(data[:length], keys)


def test_a_file_longer_than_its_header_says_is_altered(keys):
    with pytest.raises(Altered):
        opened(sealed(keys) + b"\0", keys)


def test_a_file_that_is_not_an_envelope_is_refused_with_a_sentence(keys):
    with pytest.raises(Altered, match="not a file of a salesdesk team"):
        opened(b"SQLite format 3\0" + b"\0" * 5000, keys)


@pytest.mark.parametrize(
    "elsewhere",
    [
        crypto.address(TEAM, DEVICE, crypto.SEGMENT, 6),  # renamed to another number
        crypto.address(TEAM, "0" * 16, crypto.SEGMENT, 5),  # moved into another device's folder
        crypto.address(TEAM, DEVICE, crypto.CHECKPOINT, 5),  # renamed to another kind
        crypto.address("another-team", DEVICE, crypto.SEGMENT, 5),  # another team's folder
    ],
    ids=["number", "device", "kind", "team"],
)
def test_a_file_read_at_another_address_is_altered(keys, elsewhere):
    with pytest.raises(Altered, match="altered or is not of this team"):
        opened(sealed(keys), keys, elsewhere)


def test_a_key_this_copy_does_not_hold_is_named(keys):
    other = crypto.new_team_key()
    with pytest.raises(UnknownKey, match="new join code") as raised:
        crypto.open_envelope(sealed(keys), team_keys=[other], address=HERE)
    assert raised.value.key_id == crypto.key_id(keys[0])


def test_old_keys_still_open_old_files(keys):
    newer = crypto.new_team_key()
    result = crypto.open_envelope(sealed(keys), team_keys=[newer, keys[0]], address=HERE)
    assert result.body == b"the body"


def test_a_signature_by_another_device_is_refused(keys):
    other = crypto.public_key(crypto.new_device_key())
    result = opened(sealed(keys), keys)
    assert not result.signed_by(other)
    with pytest.raises(WrongSigner, match=f"not device {DEVICE}'s"):
        result.check_signer(other, DEVICE)
    assert not result.signed_by(b"short")


def test_a_signature_made_for_another_address_does_not_verify(keys):
    signature = crypto.sign(keys[1], HERE, b"body")
    public = crypto.public_key(keys[1])
    assert crypto.verify(public, HERE, b"body", signature)
    assert not crypto.verify(public, crypto.address(TEAM, DEVICE, crypto.SEGMENT, 6), b"body", signature)
    assert not crypto.verify(public, HERE, b"bodY", signature)


def test_sizes_fall_in_buckets(keys):
    assert [crypto.bucket(n) for n in (0, 1, 4096, 4097, 8192, 9000)] == [4096, 4096, 4096, 8192, 8192, 16384]
    assert crypto.bucket(1024 * 1024) == 1024 * 1024
    assert crypto.bucket(1024 * 1024 + 1) == 2 * 1024 * 1024
    assert crypto.bucket(5 * 1024 * 1024 - 3) == 5 * 1024 * 1024
    overhead = HEADER_SIZE + crypto.TAG_BYTES
    assert len(sealed(keys, b"")) == len(sealed(keys, b"y" * 3000)) == 4096 + overhead
    assert len(sealed(keys, b"y" * 5000)) == 8192 + overhead


def test_the_header_tells_the_size_before_the_file_is_read(keys):
    data = sealed(keys)
    assert crypto.envelope_size(data[:HEADER_SIZE]) == len(data)
    forged = data[:24] + (2**40).to_bytes(8, "big")
    with pytest.raises(Altered):
        crypto.envelope_size(forged)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=6000))
def test_random_bytes_are_refused_with_a_sentence(keys, data):
    with pytest.raises(SalesdeskError) as raised:
        opened(data, keys)
    assert str(raised.value)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_behind_a_true_header_are_refused(keys, tail):
    header = sealed(keys)[:HEADER_SIZE]
    with pytest.raises(crypto.EnvelopeError):
        opened(header + tail, keys)


def test_the_key_id_is_the_documented_hash():
    key = bytes(range(32))
    assert crypto.key_id(key) == hashlib.sha256(b"salesdesk key id" + key).digest()[:8]


def test_a_fingerprint_is_written_as_ssh_writes_it():
    public = crypto.public_key(bytes(range(32)))
    expected = base64.b64encode(hashlib.sha256(public).digest()).decode().rstrip("=")
    assert crypto.fingerprint(public) == "SHA256:" + expected
    assert len(crypto.fingerprint(public)) == len("SHA256:") + 43


# Join codes ---------------------------------------------------------------------------


def test_a_join_code_holds_the_key():
    key = crypto.new_team_key()
    code = crypto.join_code(key)
    groups = code.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups[:-1]) and len(groups[-1]) == 3
    assert crypto.key_from_code(code) == key


def test_case_spaces_and_dashes_do_not_matter():
    key = crypto.new_team_key()
    code = crypto.join_code(key)
    assert crypto.key_from_code(code.lower()) == key
    assert crypto.key_from_code(code.replace("-", " ")) == key
    assert crypto.key_from_code("  " + code.replace("-", "") + "\n") == key
    assert crypto.key_from_code(code.replace("-", " - ")) == key


def test_a_typo_is_caught():
    key = crypto.new_team_key()
    code = crypto.join_code(key)
    caught = 0
    for position in range(len(code)):
        if code[position] == "-":
            continue
        typo = "B" if code[position] != "B" else "C"
        try:
            got = crypto.key_from_code(code[:position] + typo + code[position + 1 :])
        except BadJoinCode as error:
            assert "typo" in str(error)
            caught += 1
        else:  # the last letter's spare bits carry nothing: it still reads the same key
            assert got == key
    assert caught >= len(code.replace("-", "")) - 1


def test_two_letters_swapped_are_caught():
    key = crypto.new_team_key()
    letters = crypto.join_code(key).replace("-", "")
    first = next(i for i in range(len(letters) - 1) if letters[i] != letters[i + 1])
    swapped = letters[:first] + letters[first + 1] + letters[first] + letters[first + 2 :]
    with pytest.raises(BadJoinCode, match="has a typo in it"):
        crypto.key_from_code(swapped)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("ABCD-EFGH", "has 8 letters"),
        ("ABCD-EFG0-" + "A" * 47, "'0'"),
        ("AAAA!" + "A" * 50, "'!'"),
    ],
)
def test_what_is_not_a_join_code_is_said(text, words):
    with pytest.raises(BadJoinCode, match=words) as raised:
        crypto.key_from_code(text)
    assert "\n" not in str(raised.value)
