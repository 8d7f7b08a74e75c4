"""The records of the team folder: what a team, device, segment or checkpoint file holds.

Pure functions over bytes (no store, no files): `encode_*` builds a body (UTF-8 JSON,
zlib-compressed) and seals it (`sync.crypto.seal`) at its address; `decode_*` opens an
envelope, checks who signed it, and checks every field of the body strictly: a crafted
body (wrong shapes, wrong types, huge or deeply nested) is refused with one sentence
(`Malformed`, an `Altered`), never with a traceback. The bodies (README, "Sharing with
a team")::

    team        {"kind": "team", "team", "format": 2, "created_at", "device", "public_key"}
    device      {"kind": "device", "team", "device", "user", "public_key", "created_at",
                 "published", "checkpoint", "read": {device: n}, "statements": [...],
                 "written_at"}
    segment     {"kind": "segment", "team", "device", "number", "previous", "published_at",
                 "entries": [[device, clock, tbl, row_id, data, seen], ...]}
    checkpoint  like a segment, "kind": "checkpoint", "number": the last segment covered,
                 "head": the digest of that segment (or null), "entries": all of the device's

Keys are base64 (raw Ed25519, 32 bytes); `previous` and `head` are hex SHA-256 of a
segment's body (`Segment.digest`, `Sealed.digest`). A relay (only `team upgrade` writes
them) has "relay": true and "from": {device: user}, whose changes it carries.

API:

- `encode_team(team, created_at, *, team_key, device, device_key) -> bytes`;
  `decode_team(data, *, team_keys, name=None) -> TeamRecord` (self-signed by its writer).
- `encode_device(record: DeviceRecord, *, team_key, device_key) -> bytes`;
  `decode_device(data, *, team_keys, team, device, pinned=None, name=None) -> DeviceRecord`:
  self-signed by the key inside it; with `pinned` (the key first seen for the device) a
  record with another key raises `KeyChanged`. Statements: `Accept(device, public_key)`,
  `Revoke(device, after)`.
- `encode_segment(*, team, device, number, previous, published_at, entries, team_key,
  device_key, kind=SEGMENT, head=None, relay_from=None) -> Sealed` (the file's bytes and
  its digest); `entries` are sequences (device, clock, tbl, row_id, data, seen), each
  change's device the signer's (or one of `relay_from`'s).
- `decode_segment(data, *, team_keys, team, device, number, public_key, kind=SEGMENT,
  name=None, first_seq=1) -> Segment`: checks the signature with `public_key` (the device's
  pinned key: `WrongSigner`), the body, and that every change is the signer's own
  (`Forged` otherwise, or one of a relay's); `Segment.entries` are `sync.reading.Entry`s,
  seq counting from `first_seq`, data None (with its size) past `reading.CHANGE_LIMIT`.
- `file_name(kind, number) -> str` and `parse_name(name) -> (kind, number) | None`: the
  names in a device's folder ("device", "00000007", "c00000064"); any other name is None.
"""

import base64
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from salesdesk.i18n import N_, _
from salesdesk.sync import crypto
from salesdesk.sync.crypto import CHECKPOINT, DEVICE, SEGMENT, TEAM, Altered
from salesdesk.sync.reading import CHANGE_LIMIT, SEEN_LIMIT, Entry, collector_paused

FORMAT = 2
BODY_LIMIT = 2 * 1024**3  # bytes of one body's JSON, once decompressed
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")  # team and device ids (they go in names)
TEXT_LIMIT = 200  # characters of a user name or a stamp
LIST_LIMIT = 100_000  # read marks or statements in one device record
NUMBER_LIMIT = 2**53  # segment numbers
_LONE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_DEVICE_NAME = "device"
_SEGMENT_NAME = re.compile(r"(c?)(\d{8})")

# What is wrong with a field, as a sentence says it.
MISSING = N_("is missing")
WRONG_TYPE = N_("is not of the right type")
OUT_OF_RANGE = N_("is out of range")
TOO_LONG = N_("is too long")
ELSEWHERE = N_("does not match where the file is")
UNKNOWN = N_("is not a field of it")
_KIND_WORDS = {
    TEAM: N_("team record"),
    DEVICE: N_("device record"),
    SEGMENT: N_("segment file"),
    CHECKPOINT: N_("checkpoint file"),
}


class Malformed(Altered):
    """A body that opened and verified, but is not what a record of its kind holds."""


class KeyChanged(Altered):
    """A device record with a key other than the one first seen for that device."""


class Forged(Altered):
    """A segment carrying changes under another device's id than its signer's."""


class NewerFormat(Altered):
    """A team record of a format this salesdesk does not know."""


@dataclass(frozen=True)
class TeamRecord:
    team: str
    created_at: str
    device: str  # who wrote it (it is signed with this device's key, inside it)
    public_key: bytes
    format: int = FORMAT


@dataclass(frozen=True)
class Accept:
    """A statement: device `device`, with this key, is trusted (accepted by the record's writer)."""

    device: str
    public_key: bytes


@dataclass(frozen=True)
class Revoke:
    """A statement: device `device` is revoked; its segments after `after` are ignored."""

    device: str
    after: int


Statement = Accept | Revoke


@dataclass(frozen=True)
class DeviceRecord:
    team: str
    device: str
    user: str
    public_key: bytes
    created_at: str
    published: int  # the last segment written (0: none)
    checkpoint: int  # the latest checkpoint's number (0: none)
    read: dict[str, int] = field(default_factory=dict)  # device -> last segment read of it
    statements: tuple[Statement, ...] = ()
    written_at: str = ""


@dataclass(frozen=True)
class Sealed:
    """An encoded file: its bytes, and the digest of its body (the next one's `previous`)."""

    data: bytes
    digest: str


@dataclass
class Segment:
    team: str
    device: str
    kind: str  # SEGMENT or CHECKPOINT
    number: int
    previous: str | None
    published_at: str
    entries: list[Entry]
    digest: str  # hex SHA-256 of this body
    head: str | None = None  # a checkpoint's: the digest of the last segment it covers
    relayed_users: dict[str, str] = field(default_factory=dict)  # a relay's: device -> user


# File names -------------------------------------------------------------------------


def file_name(kind: str, number: int = 0) -> str:
    """The name of a file in a device's folder."""
    if kind == DEVICE:
        return _DEVICE_NAME
    if kind == SEGMENT:
        return f"{number:08d}"
    if kind == CHECKPOINT:
        return f"c{number:08d}"
    raise ValueError(f"no file name for a {kind}")


def parse_name(name: str) -> tuple[str, int] | None:
    """(kind, number) of a name in a device's folder; None for any other (a conflict copy, a temp)."""
    if name == _DEVICE_NAME:
        return DEVICE, 0
    match = _SEGMENT_NAME.fullmatch(name)
    if match is None or int(match[2]) == 0:
        return None
    return (CHECKPOINT if match[1] else SEGMENT), int(match[2])


# Encoding ---------------------------------------------------------------------------


def _stamp(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _compress(parts: Iterable[str]) -> bytes:
    packer = zlib.compressobj(6)
    chunks = [packer.compress(part.encode("utf-8")) for part in parts]
    chunks.append(packer.flush())
    return b"".join(chunks)


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _digest(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()


def _check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise ValueError(f"not a {what} id: {value!r}")


def encode_team(
    team: str, created_at: datetime | str, *, team_key: bytes, device: str, device_key: bytes
) -> bytes:
    """The team record, sealed under `team_key` and signed by the creating device."""
    _check_id(team, "team")
    _check_id(device, "device")
    body = {
        "kind": TEAM,
        "team": team,
        "format": FORMAT,
        "created_at": _stamp(created_at),
        "device": device,
        "public_key": _b64(crypto.public_key(device_key)),
    }
    packed = _compress([_dump(body)])
    return crypto.seal(packed, team_key=team_key, address=crypto.TEAM_ADDRESS, device_key=device_key)


def encode_device(record: DeviceRecord, *, team_key: bytes, device_key: bytes) -> bytes:
    """A device record, sealed and signed by its own device (whose public key it holds)."""
    _check_id(record.team, "team")
    _check_id(record.device, "device")
    if crypto.public_key(device_key) != record.public_key:
        raise ValueError("a device record is signed by the key it publishes")
    statements: list[dict[str, object]] = []
    for statement in record.statements:
        if isinstance(statement, Accept):
            statements.append({"accept": statement.device, "public_key": _b64(statement.public_key)})
        else:
            statements.append({"revoke": statement.device, "after": statement.after})
    body = {
        "kind": DEVICE,
        "team": record.team,
        "device": record.device,
        "user": record.user,
        "public_key": _b64(record.public_key),
        "created_at": record.created_at,
        "published": record.published,
        "checkpoint": record.checkpoint,
        "read": dict(record.read),
        "statements": statements,
        "written_at": record.written_at,
    }
    where = crypto.address(record.team, record.device, DEVICE, 0)
    return crypto.seal(_compress([_dump(body)]), team_key=team_key, address=where, device_key=device_key)


def encode_segment(
    *,
    team: str,
    device: str,
    number: int,
    previous: str | None,
    published_at: datetime | str,
    entries: Iterable[Sequence[object]],
    team_key: bytes,
    device_key: bytes,
    kind: str = SEGMENT,
    head: str | None = None,
    relay_from: Mapping[str, str] | None = None,
) -> Sealed:
    """A segment (or checkpoint) of `entries`, each (device, clock, tbl, row_id, data, seen).

    The JSON is compressed as it is written, so a checkpoint of a million changes is
    never one string in memory.
    """
    _check_id(team, "team")
    _check_id(device, "device")
    if kind not in (SEGMENT, CHECKPOINT) or not 0 < number < NUMBER_LIMIT:
        raise ValueError(f"not a segment: {kind} {number}")
    allowed = set(relay_from) if relay_from is not None else {device}
    head_fields: dict[str, object] = {
        "kind": kind,
        "team": team,
        "device": device,
        "number": number,
        "previous": previous,
        "published_at": _stamp(published_at),
    }
    if kind == CHECKPOINT:
        head_fields["head"] = head
    if relay_from is not None:
        head_fields["relay"] = True
        head_fields["from"] = dict(relay_from)

    def parts() -> Iterable[str]:
        yield _dump(head_fields)[:-1] + ',"entries":['
        for position, entry in enumerate(entries):
            row = list(entry)
            if len(row) != 6 or row[0] not in allowed:
                raise ValueError(f"entry {position} is not one of this device's changes: {row[:1]!r}")
            yield ("," if position else "") + _dump(row)
        yield "]}"

    packed = _compress(parts())
    where = crypto.address(team, device, kind, number)
    return Sealed(
        crypto.seal(packed, team_key=team_key, address=where, device_key=device_key), _digest(packed)
    )


# Decoding ---------------------------------------------------------------------------


_FIELD = object()  # "the field of this name", as opposed to a value given


class _Reader:
    """Checks one decoded body's fields, naming the file and field in what it raises."""

    def __init__(self, body: object, kind: str, name: str):
        self.kind, self.name = kind, name
        if not isinstance(body, dict):
            raise self.wrong("(body)", WRONG_TYPE)
        self.body: dict[str, Any] = body

    def wrong(self, field_name: str, problem: str) -> Malformed:
        return Malformed(
            _(
                "{name} is not a {kind} this salesdesk can read (its {field} {problem}); it was not read."
            ).format(name=self.name, kind=_(_KIND_WORDS[self.kind]), field=field_name, problem=_(problem))
        )

    def get(self, key: str) -> object:
        if key not in self.body:
            raise self.wrong(key, MISSING)
        return self.body[key]

    def text(self, key: str, value: object = _FIELD, *, limit: int = TEXT_LIMIT) -> Any:
        value = self.get(key) if value is _FIELD else value
        if not isinstance(value, str):
            raise self.wrong(key, WRONG_TYPE)
        if len(value) > limit:
            raise self.wrong(key, TOO_LONG)
        return value

    def ident(self, key: str, value: object = _FIELD) -> str:
        text: str = self.text(key, value, limit=80)
        if not ID_PATTERN.fullmatch(text):
            raise self.wrong(key, WRONG_TYPE)
        return text

    def expect(self, key: str, wanted: object) -> None:
        value = self.get(key)
        if type(value) is not type(wanted) or value != wanted:  # (True == 1 == 1.0)
            raise self.wrong(key, ELSEWHERE)

    def number(self, key: str, value: object = _FIELD, *, low: int = 0) -> int:
        value = self.get(key) if value is _FIELD else value
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.wrong(key, WRONG_TYPE)
        if not low <= value < NUMBER_LIMIT:
            raise self.wrong(key, OUT_OF_RANGE)
        return value

    def stamp(self, key: str) -> str:
        value: str = self.text(key, limit=40)
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise self.wrong(key, WRONG_TYPE) from None
        return value

    def key(self, key: str, value: object = _FIELD) -> bytes:
        value = self.get(key) if value is _FIELD else value
        if not isinstance(value, str) or len(value) != 44:
            raise self.wrong(key, WRONG_TYPE)
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            raise self.wrong(key, WRONG_TYPE) from None
        if len(raw) != crypto.PUBLIC_KEY_BYTES:
            raise self.wrong(key, WRONG_TYPE)
        return raw

    def digest(self, key: str) -> str | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
            raise self.wrong(key, WRONG_TYPE)
        return value

    def only(self, keys: set[str]) -> None:
        extra = sorted(set(self.body) - keys)
        if extra:
            raise self.wrong(repr(extra[0][:40]), UNKNOWN)


def _unpack(packed: bytes, kind: str, name: str) -> object:
    """The JSON value of a body: decompressed within `BODY_LIMIT`, parsed, surrogates refused."""
    reader = zlib.decompressobj()
    try:
        raw = reader.decompress(packed, BODY_LIMIT + 1)
    except zlib.error:
        raise _Reader({}, kind, name).wrong("(body)", WRONG_TYPE) from None
    if len(raw) > BODY_LIMIT or reader.unconsumed_tail:
        raise _Reader({}, kind, name).wrong("(body)", TOO_LONG)
    if not reader.eof or reader.unused_data:
        raise _Reader({}, kind, name).wrong("(body)", WRONG_TYPE)
    try:
        if kind in (SEGMENT, CHECKPOINT):
            value = _fast_body(raw)
        else:
            value = json.loads(raw)
            if _LONE_SURROGATE.search(raw):
                _check_strings(value)
    except (ValueError, RecursionError):
        raise _Reader({}, kind, name).wrong("(body)", WRONG_TYPE) from None
    return value


def _fast_body(raw: bytes) -> object:
    """A segment's body by orjson, parsed as `json.loads` parses it (`reading.parse_json`
    does the same for a change's data, but cannot say which parser read it, and here that
    decides whether the strings need checking for lone surrogates).

    What orjson refuses, and a body it made a float of a field in (an integer beyond 64
    bits, where `json.loads` keeps it whole: its only field of numbers is "number"), is
    parsed again by `json.loads` and its strings checked for lone surrogates. Entries hold
    only strings and nulls, so a number there is refused whichever parser read it."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = None
    else:
        if not (isinstance(value, dict) and any(isinstance(item, float) for item in value.values())):
            return value  # orjson refuses lone surrogates: nothing to check
    value = json.loads(raw)
    _check_strings(value)
    return value


def _check_strings(value: object) -> None:
    """Raise ValueError for a string that is not text (a lone surrogate, from a \\u escape)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")  # UnicodeEncodeError is a ValueError
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())


def decode_team(data: bytes, *, team_keys: Iterable[bytes], name: str | None = None) -> TeamRecord:
    """The team record; opening it is how a join code is checked (`UnknownKey`: wrong code)."""
    shown = name or "team"
    opened = crypto.open_envelope(data, team_keys=team_keys, address=crypto.TEAM_ADDRESS, name=shown)
    fields = _Reader(_unpack(opened.body, TEAM, shown), TEAM, shown)
    fields.expect("kind", TEAM)
    version = fields.number("format", low=1)
    if version > FORMAT:
        raise NewerFormat(
            _(
                "{name} was written by a newer salesdesk (format {n}); upgrade salesdesk to use this team."
            ).format(name=shown, n=version)
        )
    if version != FORMAT:
        raise fields.wrong("format", OUT_OF_RANGE)
    fields.only({"kind", "team", "format", "created_at", "device", "public_key"})
    record = TeamRecord(
        team=fields.ident("team"),
        created_at=fields.stamp("created_at"),
        device=fields.ident("device"),
        public_key=fields.key("public_key"),
    )
    opened.check_signer(record.public_key, record.device)
    return record


def decode_device(
    data: bytes,
    *,
    team_keys: Iterable[bytes],
    team: str,
    device: str,
    pinned: bytes | None = None,
    name: str | None = None,
) -> DeviceRecord:
    """Device `device`'s record, read from its folder: checked, and signed by its own key."""
    shown = name or f"{device}/device"
    where = crypto.address(team, device, DEVICE, 0)
    opened = crypto.open_envelope(data, team_keys=team_keys, address=where, name=shown)
    fields = _Reader(_unpack(opened.body, DEVICE, shown), DEVICE, shown)
    fields.only(
        {
            "kind",
            "team",
            "device",
            "user",
            "public_key",
            "created_at",
            "published",
            "checkpoint",
            "read",
            "statements",
            "written_at",
        }
    )
    fields.expect("kind", DEVICE)
    fields.expect("team", team)
    fields.expect("device", device)
    public = fields.key("public_key")
    if pinned is not None and public != pinned:
        raise KeyChanged(
            _(
                "{name} holds a key ({new}) other than the one first seen for device {device} ({old}); "
                "it was refused."
            ).format(
                name=shown, new=crypto.fingerprint(public), device=device, old=crypto.fingerprint(pinned)
            )
        )
    opened.check_signer(public, device)
    user = fields.text("user")
    if not user.strip():
        raise fields.wrong("user", MISSING)
    published = fields.number("published")
    checkpoint = fields.number("checkpoint")
    if checkpoint > published:
        raise fields.wrong("checkpoint", OUT_OF_RANGE)
    read = fields.get("read")
    if not isinstance(read, dict):
        raise fields.wrong("read", WRONG_TYPE)
    if len(read) > LIST_LIMIT:
        raise fields.wrong("read", TOO_LONG)
    marks = {fields.ident("read", other): fields.number("read", mark) for other, mark in read.items()}
    raw_statements = fields.get("statements")
    if not isinstance(raw_statements, list):
        raise fields.wrong("statements", WRONG_TYPE)
    if len(raw_statements) > LIST_LIMIT:
        raise fields.wrong("statements", TOO_LONG)
    statements: list[Statement] = []
    for item in raw_statements:
        if isinstance(item, dict) and set(item) == {"accept", "public_key"}:
            statements.append(
                Accept(
                    fields.ident("statements", item["accept"]), fields.key("statements", item["public_key"])
                )
            )
        elif isinstance(item, dict) and set(item) == {"revoke", "after"}:
            statements.append(
                Revoke(fields.ident("statements", item["revoke"]), fields.number("statements", item["after"]))
            )
        else:
            raise fields.wrong("statements", WRONG_TYPE)
    return DeviceRecord(
        team=team,
        device=device,
        user=user,
        public_key=public,
        created_at=fields.stamp("created_at"),
        published=published,
        checkpoint=checkpoint,
        read=marks,
        statements=tuple(statements),
        written_at=fields.stamp("written_at"),
    )


def decode_segment(
    data: bytes,
    *,
    team_keys: Iterable[bytes],
    team: str,
    device: str,
    number: int,
    public_key: bytes,
    kind: str = SEGMENT,
    name: str | None = None,
    first_seq: int = 1,
) -> Segment:
    """Segment (or checkpoint) `number` of device `device`, signed with its pinned key."""
    shown = name or f"{device}/{file_name(kind, number)}"
    where = crypto.address(team, device, kind, number)
    opened = crypto.open_envelope(data, team_keys=team_keys, address=where, name=shown)
    opened.check_signer(public_key, device)
    with collector_paused():
        return _segment(opened, kind, shown, team, device, number, first_seq)


def _segment(
    opened: crypto.Opened, kind: str, shown: str, team: str, device: str, number: int, first_seq: int
) -> Segment:
    fields = _Reader(_unpack(opened.body, kind, shown), kind, shown)
    allowed_keys = {
        "kind",
        "team",
        "device",
        "number",
        "previous",
        "published_at",
        "entries",
        "relay",
        "from",
    }
    if kind == CHECKPOINT:
        allowed_keys.add("head")
    fields.only(allowed_keys)
    fields.expect("kind", kind)
    fields.expect("team", team)
    fields.expect("device", device)
    fields.expect("number", number)
    previous = fields.digest("previous")
    head = fields.digest("head") if kind == CHECKPOINT else None
    published_at = fields.stamp("published_at")
    relayed: dict[str, str] = {}
    if "relay" in fields.body or "from" in fields.body:
        if fields.get("relay") is not True:
            raise fields.wrong("relay", WRONG_TYPE)
        origins = fields.get("from")
        if not isinstance(origins, dict) or len(origins) > LIST_LIMIT:
            raise fields.wrong("from", WRONG_TYPE)
        relayed = {fields.ident("from", other): fields.text("from", user) for other, user in origins.items()}
    raw = fields.get("entries")
    if not isinstance(raw, list):
        raise fields.wrong("entries", WRONG_TYPE)
    allowed = set(relayed) if relayed else {device}
    entries = []
    for position, item in enumerate(raw):
        if not isinstance(item, list) or len(item) != 6:
            raise fields.wrong("entries", WRONG_TYPE)
        author, clock, tbl, row_id, change, seen = item
        if not (isinstance(author, str) and isinstance(clock, str) and isinstance(tbl, str)):
            raise fields.wrong("entries", WRONG_TYPE)
        if (
            not isinstance(row_id, str)
            or not isinstance(change, str | None)
            or not isinstance(seen, str | None)
        ):
            raise fields.wrong("entries", WRONG_TYPE)
        if author not in allowed:
            raise Forged(
                _(
                    "{name} carries changes under device {other}'s id, which only that device may sign; "
                    "it was refused."
                ).format(name=shown, other=author[:80])
            )
        size = len(change) if change is not None else 0
        if size > CHANGE_LIMIT:
            change = None
        if seen is not None and len(seen) > SEEN_LIMIT:
            seen = seen[: SEEN_LIMIT + 1]  # too long: the checks hold the change back
        entries.append(Entry(first_seq + position, author, clock, tbl, row_id, change, size, seen))
    return Segment(
        team=team,
        device=device,
        kind=kind,
        number=number,
        previous=previous,
        published_at=published_at,
        entries=entries,
        digest=_digest(opened.body),
        head=head,
        relayed_users=relayed,
    )
