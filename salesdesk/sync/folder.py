"""The encrypted team folder: each device publishes what changed, signed; the others read
only what they have not read yet.

`FOLDER/salesdesk-team/` holds, every file an envelope (`sync.crypto`) sealed under the
team key and signed by the device that wrote it:

- `team`: the team record (its id), which `join` opens to check a join code;
- `<device>/device`: the device record (who, its public key, how far it published and
  read, what it accepted or revoked), rewritten in place at a publish that changes it;
- `<device>/<n:08d>`: segment n, this device's change-log entries not published before,
  immutable once written, chained to segment n-1 by the hash of its body;
- `<device>/c<n:08d>`: a checkpoint: every change of this device up to segment n, from
  which a device that has read nothing of it (or whose segments are gone) starts.

Publishing reads the change log from `published_seq` on (the `changes_device` index):
after one edit it writes one small segment and the device record, nothing else. A
checkpoint is written on the first publish, under a new key, and when more than
`CHECKPOINT_SEGMENTS` segments (or `CHECKPOINT_BYTES` of them) lie since the last one
and they are at least 1/`CHECKPOINT_SHARE` of its size;
the owner then removes its segments up to the checkpoint once every trusted device's
record says it has read them, or once they are `KEEP_DAYS` old.

Pulling reads each other device's record first (small), pins its key on first contact,
decides whether it is trusted (`devices.state`, migration 13) and applies the accept and
revoke statements of trusted devices; then it reads, opens, checks and decodes only the
segments after this copy's read mark of that device, all of them before merging, and
merges them (`merge.merge_entries`) without holding the write lock while reading files.
A name matching none of the above (a sync tool's conflict copy, a `.tmp`) is never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _, ngettext
from salesdesk.sync import crypto

if TYPE_CHECKING:
    from salesdesk.store.store import Store
    from salesdesk.sync.reading import Entry
    from salesdesk.sync.team import SyncReport

TEAM_DIR = "salesdesk-team"
TEAM_FILE = "team"
DEVICE_FILE = "device"
FORMAT = 2
SEGMENT_ENTRIES = 5000  # entries of one segment at most
SEGMENT_BYTES = 4 * 1024 * 1024  # and about this many bytes of their data
CHECKPOINT_SEGMENTS = 64  # a checkpoint when more segments than this lie since the last
CHECKPOINT_BYTES = 8 * 1024 * 1024  # or more bytes than this
# ... and they are at least this fraction of the last checkpoint's size: a big copy's
# checkpoint (92 MB on the large demo) is not written again for a few hundred edits.
CHECKPOINT_SHARE = 8
KEEP_DAYS = 30  # segments a checkpoint covers are removed after this, read by all or not
DEVICE_LIMIT = 16 * 1024 * 1024  # bytes of a device record file
TRUSTED, PENDING, REVOKED = "trusted", "pending", "revoked"
_SEGMENT = re.compile(r"[0-9]{8}")
_CHECKPOINT = re.compile(r"c([0-9]{8})")
_DEVICE_DIR = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z._-]{0,79}")


class NotInTeam(SalesdeskError):
    """This copy holds no key of an encrypted team."""


# -- the folder ----------------------------------------------------------------------


def shared(folder: Path) -> Path:
    return Path(folder) / TEAM_DIR


def is_encrypted(folder: Path) -> bool:
    """A folder holding a team record: a team of the encrypted format."""
    return os.path.lexists(shared(folder) / TEAM_FILE)


def plain_files(folder: Path) -> list[Path]:
    """The files of the plain format (one database and manifest per device), if any."""
    try:
        return sorted(
            p for p in shared(folder).iterdir() if p.suffix in (".db", ".json") and not p.name.startswith(".")
        )
    except OSError:
        return []


def _read(path: Path, limit: int = crypto.ENVELOPE_LIMIT) -> bytes:
    """A file of the folder, never through a symbolic link, never more than it may hold."""
    info = os.lstat(path)
    name = _shown(path)
    if not stat.S_ISREG(info.st_mode):
        raise crypto.Altered(_("{name} is not a regular file; it was not read.").format(name=name))
    if info.st_size > limit:
        raise crypto.Altered(
            _("{name} is bigger than a file of the team may be; it was not read.").format(name=name)
        )
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    handle = os.open(path, flags)
    try:
        header = os.read(handle, crypto.HEADER_SIZE)
        size = crypto.envelope_size(header, name)
        chunks, total = [header], len(header)
        while total < size + 1:
            block = os.read(handle, min(1 << 20, size + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
    finally:
        os.close(handle)
    return b"".join(chunks)


def _shown(path: Path) -> str:
    """A file as a sentence names it: its device folder and name."""
    return f"{path.parent.name}/{path.name}" if path.parent.name != TEAM_DIR else path.name


def _write(path: Path, data: bytes) -> None:
    """Write under a temporary name beside the target, fsync, then rename into place."""
    temporary = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        with open(temporary, "wb") as writer:
            writer.write(data)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    with suppress(OSError):  # not every filesystem lets a folder be fsynced
        handle = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@contextmanager
def _locked(store: Store) -> Iterator[Path]:
    """The private work folder, locked for this publish or pull."""
    from salesdesk.sync.merge import work_dir

    work = work_dir(store)
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None  # type: ignore[assignment]
    with open(work / "lock", "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield work
        finally:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


# -- this copy's part in a team --------------------------------------------------------


@dataclass
class Team:
    """What this copy needs to read and write the folder: the team, its keys, its own key."""

    id: str
    keys: list[bytes]  # newest first
    device_key: bytes
    folder: Path

    @property
    def key(self) -> bytes:
        return self.keys[0]

    def address(self, device: str, kind: str, number: int) -> str:
        return crypto.address(self.id, device, kind, number)


def team_of(store: Store, folder: Path) -> Team:
    from salesdesk.sync import keystore

    team_id = store.meta("team_id")
    if not team_id:
        raise NotInTeam(
            _(
                "The team in {folder} is encrypted and this copy has no key of it; ask a teammate for the "
                "join code and run 'salesdesk team join {folder}'."
            ).format(folder=folder)
        )
    keys = keystore.load_keys(_work(store), team_id, store.device)
    if not keys:
        raise NotInTeam(
            _(
                "This copy has lost the key of its team; ask a teammate for the join code and run "
                "'salesdesk team join {folder}'."
            ).format(folder=folder)
        )
    return Team(team_id, keys, _device_key(store), Path(folder))


def _work(store: Store) -> Path:
    from salesdesk.sync.merge import work_dir

    return work_dir(store)


def _device_key(store: Store) -> bytes:
    """This copy's own signing key, made the first time (local: never synced)."""
    value = store.meta("device_key")
    if value:
        return bytes.fromhex(value)
    key = crypto.new_device_key()
    store.set_meta("device_key", key.hex())
    return key


def _meta_int(store: Store, key: str) -> int:
    value = store.meta(key)
    try:
        return int(value) if value else 0
    except ValueError:
        return 0


# -- the records -----------------------------------------------------------------------


def _read_team_record(folder: Path, keys: list[bytes]) -> Any:
    from salesdesk.sync import segments

    path = shared(folder) / TEAM_FILE
    return segments.decode_team(_read(path, DEVICE_LIMIT), team_keys=keys, name=TEAM_FILE)


def _seal_team_record(store: Store, team: Team, created_at: str) -> None:
    from salesdesk.sync import segments

    sealed = segments.encode_team(
        team.id, created_at, team_key=team.key, device=store.device, device_key=team.device_key
    )
    _write(shared(team.folder) / TEAM_FILE, sealed)


# -- create and join -------------------------------------------------------------------


def create(store: Store, folder: Path) -> tuple[str, str]:
    """Start an encrypted team in `folder`: a new key, the team record, the first publish.

    Returns the join code and where the key is kept (a phrase).
    """
    from salesdesk.sync import keystore

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise SalesdeskError(
            _(
                "The folder {folder} does not exist; create it (or let the sync tool create it) and "
                "try again."
            ).format(folder=folder)
        )
    if is_encrypted(folder):
        raise SalesdeskError(
            _(
                "{folder} holds a team already; ask a member for the join code and run "
                "'salesdesk team join {folder}'."
            ).format(folder=folder)
        )
    if plain_files(folder):
        raise SalesdeskError(
            _(
                "{folder} holds a team of the old, unencrypted format; join it with "
                "'salesdesk team join {folder}' and run 'salesdesk team upgrade'."
            ).format(folder=folder)
        )
    if store.meta("team_id") and store.meta("team_folder"):
        raise SalesdeskError(
            _("This copy is in the team in {folder} already; a copy is in one team at a time.").format(
                folder=store.meta("team_folder")
            )
        )
    shared(folder).mkdir(exist_ok=True)
    key = crypto.new_team_key()
    team = Team(os.urandom(8).hex(), [key], _device_key(store), folder.resolve())
    where = keystore.save_keys(_work(store), team.id, store.device, team.keys)
    _seal_team_record(store, team, timestamp(store.clock()))
    _enter(store, team)
    publish(store, folder)
    return crypto.join_code(key), where


def _enter(store: Store, team: Team) -> None:
    from salesdesk.store.connection import write

    with write(store.db):
        for key, value in (("team_id", team.id), ("team_folder", str(team.folder))):
            store.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                "excluded.value",
                [key, value],
            )
        _own_row(store)


def _own_row(store: Store) -> None:
    public = crypto.public_key(_device_key(store))
    store.db.execute(
        "INSERT INTO devices (device, user, direct, first_seen_at) VALUES (?, ?, 1, ?) ON CONFLICT "
        "DO NOTHING",
        [store.device, store.user, timestamp(store.clock())],
    )
    store.db.execute(
        "UPDATE devices SET public_key = ?, fingerprint = ?, state = 'trusted' WHERE device = ?",
        [public.hex(), crypto.fingerprint(public), store.device],
    )


def check_code(folder: Path, code: str) -> tuple[bytes, Any]:
    """The key a join code holds and the team record it opens; nothing is written.

    One sentence when the folder holds no team, the code is mistyped or is not this team's.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise SalesdeskError(
            _(
                "The folder {folder} does not exist; create it (or let the sync tool create it) and "
                "try again."
            ).format(folder=folder)
        )
    if not is_encrypted(folder):
        if plain_files(folder):
            raise SalesdeskError(
                _(
                    "{folder} holds a team of the old, unencrypted format, which needs no code; join it with "
                    "'salesdesk team join {folder}' and run 'salesdesk team upgrade'."
                ).format(folder=folder)
            )
        raise SalesdeskError(
            _(
                "{folder} holds no team yet; run 'salesdesk team create {folder}' to start a team there."
            ).format(folder=folder)
        )
    key = crypto.key_from_code(code)
    try:
        record = _read_team_record(folder, [key])
    except crypto.UnknownKey:
        raise SalesdeskError(
            _(
                "That join code is not the key of the team in {folder} (a code of another team, or of a key "
                "changed since); ask a member for the current code. Nothing was written."
            ).format(folder=folder)
        ) from None
    except crypto.Incomplete:
        raise SalesdeskError(
            _("The team record in {folder} is not completely synced yet; try again in a moment.").format(
                folder=folder
            )
        ) from None
    except OSError as error:
        raise SalesdeskError(
            _("The team record in {folder} cannot be read ({error}).").format(
                folder=folder, error=error.strerror
            )
        ) from None
    return key, record


def join(store: Store, folder: Path, key: bytes, record: Any) -> str:
    """Join the team whose record `check_code` opened (or add a new key of one's own team).

    Returns where the key is kept. The first publish and pull are the caller's (sync_once).
    """
    from salesdesk.sync import keystore

    folder = Path(folder).expanduser().resolve()
    team_id = str(record.team)
    current = store.meta("team_id")
    if current and current != team_id and store.meta("team_folder"):
        raise SalesdeskError(
            _(
                "This copy is in another team (in {folder}); a copy is in one team at a time. "
                "Nothing was written."
            ).format(folder=store.meta("team_folder"))
        )
    keys = keystore.load_keys(_work(store), team_id, store.device) if current == team_id else []
    keys = [key, *(k for k in keys if k != key)]
    where = keystore.save_keys(_work(store), team_id, store.device, keys)
    _enter(store, Team(team_id, keys, _device_key(store), folder))
    return where


# -- publish ---------------------------------------------------------------------------


@dataclass
class Published:
    """What a publish wrote: files and bytes, for the report and the benchmark."""

    folder: Path
    files: list[str] = field(default_factory=list)
    bytes: int = 0
    removed: list[str] = field(default_factory=list)
    rekeyed_from: str | None = None


def publish(store: Store, folder: Path) -> Published:
    with _locked(store):
        return _publish(store, team_of(store, folder))


_Row = tuple[int, str, str, str, str, str, str | None]  # seq, device, clock, tbl, row_id, data, seen


def _own_entries(store: Store, after: int) -> Iterator[_Row]:
    """This device's change-log entries after seq `after` (the `changes_device` index)."""
    yield from store.db.execute(
        "SELECT seq, device, clock, tbl, row_id, data, seen FROM changes WHERE device = ? AND seq > "
        "? ORDER BY seq",
        [store.device, after],
    )


def _checkpoint_entries(store: Store, relay: dict[str, str]) -> Iterator[_Row]:
    """Every change of this device, then those of the devices it relays (after an upgrade)."""
    yield from _own_entries(store, 0)
    for device in relay:
        if device != store.device:
            yield from store.db.execute(
                "SELECT seq, device, clock, tbl, row_id, data, seen FROM changes WHERE device = ? "
                "ORDER BY seq",
                [device],
            )


def _chunks(rows: Iterator[_Row]) -> Iterator[list[_Row]]:
    chunk: list[_Row] = []
    size = 0
    for row in rows:
        chunk.append(row)
        size += len(row[5]) + 200
        if len(chunk) >= SEGMENT_ENTRIES or size >= SEGMENT_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _relays(store: Store) -> dict[str, str]:
    """The devices whose changes this copy relays in its checkpoints (it upgraded the folder)."""
    try:
        value = json.loads(store.meta("relayed_devices") or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict) or not value:
        return {}
    relay = {str(d): str(u) for d, u in value.items()}
    relay[store.device] = store.user
    return relay


def _publish(store: Store, team: Team) -> Published:
    from salesdesk.store.connection import write as writing
    from salesdesk.sync import segments

    result = Published(shared(team.folder) / store.device)
    rekeyed = _check_own_folder(store, team, result.folder)
    if rekeyed:
        result.rekeyed_from = rekeyed
        result.folder = shared(team.folder) / store.device
    own = result.folder
    own.mkdir(parents=True, exist_ok=True)
    for leftover in own.glob(".*.tmp"):  # of a publish a crash cut short
        leftover.unlink(missing_ok=True)
    now = timestamp(store.clock())
    number = _meta_int(store, "published_number")
    seq = _meta_int(store, "published_seq")
    checkpoint = _meta_int(store, "checkpoint_number")
    since = _meta_int(store, "since_checkpoint")
    checkpoint_bytes = _meta_int(store, "checkpoint_bytes")
    previous = store.meta("published_digest") or None
    kid = crypto.key_id(team.key).hex()

    def write(kind: str, n: int, rows: Iterator[_Row] | list[_Row], **extra: Any) -> tuple[str, int]:
        sealed = segments.encode_segment(
            team=team.id,
            device=store.device,
            number=n,
            previous=None if kind == crypto.CHECKPOINT else previous,
            published_at=now,
            entries=(row[1:] for row in rows),
            team_key=team.key,
            device_key=team.device_key,
            kind=kind,
            **extra,
        )
        name = segments.file_name(kind, n)
        _write(own / name, sealed.data)
        result.files.append(name)
        result.bytes += len(sealed.data)
        return sealed.digest, len(sealed.data)

    last_seq = seq
    newest = store.db.execute("SELECT max(seq) FROM changes WHERE device = ?", [store.device]).fetchone()[0]
    if checkpoint == 0 or store.meta("published_key_id") != kid:
        # The first publish of this copy, or under a new key: everything, as a checkpoint.
        relay = _relays(store)
        number += 1
        checkpoint_bytes = write(
            crypto.CHECKPOINT, number, _checkpoint_entries(store, relay), head=None, relay_from=relay or None
        )[1]
        checkpoint, previous, since = number, None, 0
        last_seq = max(seq, int(newest or 0))
    else:
        for chunk in _chunks(_own_entries(store, seq)):
            number += 1
            previous = write(crypto.SEGMENT, number, chunk)[0]
            last_seq = int(chunk[-1][0])
        since += result.bytes
        many = number - checkpoint >= CHECKPOINT_SEGMENTS or since >= CHECKPOINT_BYTES
        if many and since * CHECKPOINT_SHARE >= checkpoint_bytes:
            relay = _relays(store)
            checkpoint_bytes = write(
                crypto.CHECKPOINT,
                number,
                _checkpoint_entries(store, relay),
                head=previous,
                relay_from=relay or None,
            )[1]
            checkpoint, since = number, 0
    for old in own.iterdir():
        parsed = segments.parse_name(old.name)
        if parsed and parsed[0] == crypto.CHECKPOINT and parsed[1] < checkpoint:
            old.unlink(missing_ok=True)
            result.removed.append(old.name)
    result.removed += _compact(store, own, checkpoint)
    record = _device_record(store, team, number, checkpoint, now)
    if record is not None:
        sealed_record, said = record
        _write(own / DEVICE_FILE, sealed_record)
        result.files.append(DEVICE_FILE)
        result.bytes += len(sealed_record)
    with writing(store.db):
        for key, value in (
            ("published_number", str(number)),
            ("published_seq", str(last_seq)),
            ("checkpoint_number", str(checkpoint)),
            ("since_checkpoint", str(since)),
            ("checkpoint_bytes", str(checkpoint_bytes)),
            ("published_digest", previous or ""),
            ("published_key_id", kid),
            ("published_at", now),
            *((("published_record", record[1]),) if record else ()),
        ):
            store.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                "excluded.value",
                [key, value],
            )
    return result


def _device_record(
    store: Store, team: Team, number: int, checkpoint: int, now: str
) -> tuple[bytes, str] | None:
    """The sealed device record, and a digest of what it says (but when it was written);
    None when the one in the folder says that already."""
    from salesdesk.sync import segments

    reads = {
        device: int(read)
        for device, read in store.db.execute(
            "SELECT device, read_number FROM devices WHERE public_key IS NOT NULL AND device != ? "
            "AND read_number > 0",
            [store.device],
        )
    }
    statements = _statements(store)
    public = crypto.public_key(team.device_key)
    said = json.dumps(
        [number, checkpoint, reads, statements, public.hex(), store.user, crypto.key_id(team.key).hex()],
        sort_keys=True,
    )
    said = digest(said.encode())
    last = (store.meta("published_record") or ":").partition(":")
    if last[0] == said and _file_digest(shared(team.folder) / store.device / DEVICE_FILE) == last[2]:
        return None  # (an older record the sync tool brought back is written over)
    joined = store.meta("team_joined_at")
    if not joined:
        joined = now
        store.set_meta("team_joined_at", now)
    record = segments.DeviceRecord(
        team=team.id,
        device=store.device,
        user=store.user[: segments.TEXT_LIMIT],
        public_key=public,
        created_at=joined,
        published=number,
        checkpoint=checkpoint,
        read=reads,
        statements=tuple(_statement(s) for s in statements),
        written_at=now,
    )
    sealed = segments.encode_device(record, team_key=team.key, device_key=team.device_key)
    return sealed, f"{said}:{digest(sealed)}"


def _file_digest(path: Path) -> str | None:
    try:
        return digest(_read(path, DEVICE_LIMIT))
    except (OSError, SalesdeskError):
        return None


def _statements(store: Store) -> list[dict[str, Any]]:
    """This copy's accepts and revokes, as its device record carries them."""
    try:
        value = json.loads(store.meta("statements") or "[]")
    except ValueError:
        return []
    return [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []


def _statement(value: dict[str, Any]) -> Any:
    from salesdesk.sync import segments

    if "accept" in value:
        return segments.Accept(str(value["accept"]), bytes.fromhex(str(value["public_key"])))
    return segments.Revoke(str(value["revoke"]), int(value["after"]))


def _check_own_folder(store: Store, team: Team, own: Path) -> str | None:
    """Whether another copy publishes under this device's id (a cloned database, a restored
    backup): its record is ahead of this copy's, or holds another key. Then this copy takes
    a new device id and key of its own, and the old id is returned."""
    from salesdesk.store.changelog import format_clock, parse_clock
    from salesdesk.store.connection import write
    from salesdesk.sync import keystore, segments

    path = own / DEVICE_FILE
    if not os.path.lexists(path):
        return None
    try:
        record = segments.decode_device(
            _read(path, DEVICE_LIMIT),
            team_keys=team.keys,
            team=team.id,
            device=store.device,
            name=_shown(path),
        )
    except (SalesdeskError, OSError):
        return None  # not completely synced, or under a key we lack: ours is written over it
    ours = crypto.public_key(team.device_key)
    if record.public_key == ours and record.published <= _meta_int(store, "published_number"):
        return None
    old = store.device
    device = os.urandom(8).hex()
    key = crypto.new_device_key()
    unpublished = store.db.execute(
        "SELECT seq, clock FROM changes WHERE device = ? AND seq > ?",
        [old, _meta_int(store, "published_seq")],
    ).fetchall()
    with write(store.db):
        # What this copy wrote since it last published, the other copy never had: it goes
        # out under the new id (its clocks re-stamped with it), so nobody misses it.
        for seq, clock in unpublished:
            ms, counter, _ = parse_clock(clock)
            moved = format_clock(ms, counter, device)
            store.db.execute("UPDATE changes SET device = ?, clock = ? WHERE seq = ?", [device, moved, seq])
            for column in ("kept_clock", "lost_clock"):
                store.db.execute(f"UPDATE conflicts SET {column} = ? WHERE {column} = ?", [moved, clock])
        for name, value in (
            ("device", device),
            ("device_key", key.hex()),
            ("published_number", "0"),
            ("published_seq", "0"),
            ("checkpoint_number", "0"),
            ("published_digest", ""),
            ("published_record", ""),
        ):
            store.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                "excluded.value",
                [name, value],
            )
        store.records.log.device = device
        team.device_key = key
        _own_row(store)
    keystore.save_keys(_work(store), team.id, device, team.keys)
    return old


def _compact(store: Store, own: Path, checkpoint: int) -> list[str]:
    """Remove this device's segments up to its checkpoint that every trusted device has
    read, or that are older than `KEEP_DAYS`."""
    from salesdesk.sync import segments

    row = store.db.execute(
        "SELECT min(read_ours), count(*) FROM devices WHERE public_key IS NOT NULL AND device != ? "
        "AND state = ?",
        [store.device, TRUSTED],
    ).fetchone()
    bound = min(int(row[0]) if row[1] else checkpoint, checkpoint)
    old = (store.clock() - timedelta(days=KEEP_DAYS)).timestamp()
    removed = []
    try:
        names = sorted(os.listdir(own))
    except OSError:
        return []
    for name in names:
        parsed = segments.parse_name(name)
        if parsed is None or parsed[0] != crypto.SEGMENT or parsed[1] > checkpoint:
            continue
        path = own / name
        try:
            stale = os.lstat(path).st_mtime < old
        except OSError:
            continue
        if parsed[1] <= bound or stale:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed


# -- pull ------------------------------------------------------------------------------


@dataclass
class _Device:
    """One other device's folder as this pull found it."""

    device: str
    path: Path
    record: Any = None
    user: str = ""
    state: str = TRUSTED
    public_key: bytes = b""
    read_number: int = 0
    read_digest: str | None = None
    revoked_after: int | None = None
    entries: list[Entry] = field(default_factory=list)
    relayed: dict[str, str] = field(default_factory=dict)
    mark: int = 0
    mark_digest: str | None = None


def pull(store: Store, folder: Path, report: SyncReport) -> None:
    """Read and merge what other devices published since this copy last read them."""
    from salesdesk.store.connection import rollback_journal
    from salesdesk.sync import held
    from salesdesk.sync.merge import retry_held

    team = team_of(store, folder)
    with _locked(store):
        joining = not store.meta("team_pulled")
        found = _records(store, team, report)
        _trust(store, found, report)
        readable = [d for d in found if d.state != PENDING]
        say = report.progress
        for device in readable:  # every file read and checked before anything is merged
            if say is not None and device.read_number < device.record.published:
                say(_("Reading {user}'s files…").format(user=device.user))
            _unseen(team, device, report)
        # A copy joining merges the team's whole history: each page written once, not twice.
        with rollback_journal(store.db) if joining else nullcontext():
            _merge_unseen(store, readable, report)
        if not report.merged and held.count(store.db):
            released = retry_held(store)
            if released.released:
                report.merged.append(released)
    report.held = held.summary(store.db) + report.held


def _merge_unseen(store: Store, readable: list[_Device], report: SyncReport) -> None:
    """Merge what `_unseen` read of each device, and mark how far it was read."""
    from salesdesk.store.connection import write
    from salesdesk.sync.merge import merge_entries, said_progress

    say = report.progress
    for device in readable:
        if device.mark == device.read_number and device.mark_digest == device.read_digest:
            continue
        if device.entries:
            merged = merge_entries(
                store,
                device.entries,
                source=f"{device.user} ({device.device})",
                publisher=device.device,
                publisher_user=device.user,
                relayed_users=device.relayed,
                progress=None
                if say is None
                else said_progress(
                    say,
                    _("Merging {user}'s changes: {done} of {total}…"),
                    _("Merged {total} of {user}'s changes; saving them…"),
                    user=device.user,
                ),
            )
            merged.source = f"{device.user} ({device.device})"
            report.merged.append(merged)
        with write(store.db):
            store.db.execute(
                "UPDATE devices SET read_number = ?, read_digest = ? WHERE device = ?",
                [device.mark, device.mark_digest, device.device],
            )


def _records(store: Store, team: Team, report: SyncReport) -> list[_Device]:
    """Every other device's record that can be read and is signed by the key inside it."""
    from salesdesk.sync import segments

    pinned = {
        device: bytes.fromhex(key)
        for device, key in store.db.execute(
            "SELECT device, public_key FROM devices WHERE public_key IS NOT NULL"
        )
    }
    found = []
    try:
        entries = sorted(os.scandir(shared(team.folder)), key=lambda e: e.name)
    except OSError:
        return []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False) or not segments.ID_PATTERN.fullmatch(entry.name):
            continue
        if entry.name == store.device:
            continue
        path = Path(entry.path)
        device = entry.name
        record_path = path / DEVICE_FILE
        try:
            record = segments.decode_device(
                _read(record_path, DEVICE_LIMIT),
                team_keys=team.keys,
                team=team.id,
                device=device,
                pinned=pinned.get(device),
                name=_shown(record_path),
            )
        except FileNotFoundError:
            report.skipped.append(
                _("Skipped {device}: its device record is not there yet; will try again.").format(
                    device=device
                )
            )
            continue
        except SalesdeskError as error:
            report.skipped.append(str(error))
            continue
        except OSError as error:
            report.skipped.append(
                _("Skipped {name}: it cannot be read ({error}).").format(
                    name=_shown(record_path), error=error.strerror
                )
            )
            continue
        found.append(_Device(device, path, record, user=record.user, public_key=record.public_key))
    return found


def _trust(store: Store, found: list[_Device], report: SyncReport) -> None:
    """Pin each device's key on first contact and decide its state; apply the statements
    of trusted devices. A record naming another user than its device's is not read."""
    from salesdesk.store.connection import write

    moment = timestamp(store.clock())
    keep = []
    # The team as this copy found it when it joined is the team it joined (as ssh trusts a
    # host on first contact): at its first pull every device there is trusted, its own
    # user's other devices too. After that, a new device of a user already known waits.
    joining = not store.meta("team_pulled")
    with write(store.db):
        for device in found:
            row = store.db.execute(
                "SELECT user, public_key, state, read_number, read_digest, revoked_after FROM "
                "devices WHERE device = ?",
                [device.device],
            ).fetchone()
            fingerprint = crypto.fingerprint(device.public_key)
            if row is not None and row[0] != device.user:
                report.skipped.append(
                    _(
                        "The record of device {device} names {user}, but that device is {known}'s; its files "
                        "are not read."
                    ).format(device=device.device, user=device.user, known=row[0])
                )
                continue
            if row is None:
                known = store.db.execute(
                    "SELECT 1 FROM devices WHERE user = ? LIMIT 1", [device.user]
                ).fetchone()
                device.state = PENDING if known and not joining else TRUSTED
                store.db.execute(
                    "INSERT INTO devices (device, user, direct, first_seen_at, public_key, "
                    "fingerprint, state) "
                    "VALUES (?, ?, 0, ?, ?, ?, ?)",
                    [device.device, device.user, moment, device.public_key.hex(), fingerprint, device.state],
                )
            else:
                if row[1] is None:  # known from the plain format: its key is pinned now
                    store.db.execute(
                        "UPDATE devices SET public_key = ?, fingerprint = ? WHERE device = ?",
                        [device.public_key.hex(), fingerprint, device.device],
                    )
                device.state, device.read_number, device.read_digest = row[2], int(row[3]), row[4]
                device.revoked_after = row[5]
            store.db.execute(
                "UPDATE devices SET read_ours = ?, published = ?, published_at = ? WHERE device = ?",
                [
                    device.record.read.get(store.device, 0),
                    device.record.published,
                    device.record.written_at,
                    device.device,
                ],
            )
            keep.append(device)
        found[:] = keep
        _statements_of_trusted(store, found)
        if joining:
            store.db.execute(
                "INSERT INTO meta (key, value) VALUES ('team_pulled', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [moment],
            )
    for device in found:
        if device.state == PENDING:
            report.held.append(
                pending_sentence(device.user, device.device, crypto.fingerprint(device.public_key))
            )


def pending_sentence(user: str, device: str, fingerprint: str) -> str:
    return _(
        "{user} has a new device {device} ({fingerprint}); its changes are not merged until someone "
        "accepts it "
        "with 'salesdesk team accept {device}'."
    ).format(user=user, device=device, fingerprint=fingerprint)


def _statements_of_trusted(store: Store, found: list[_Device]) -> None:
    """Accepts and revokes in trusted devices' records, honoured by everyone (a revoke wins)."""
    from salesdesk.sync import segments

    by_id = {d.device: d for d in found}
    for _round in range(len(found) + 1):
        changed = False
        for device in [d for d in found if d.state == TRUSTED]:
            for statement in device.record.statements:
                if not isinstance(statement, segments.Accept):
                    continue
                row = store.db.execute(
                    "SELECT state, public_key FROM devices WHERE device = ?", [statement.device]
                )
                state = row.fetchone()
                if state and state[0] == PENDING and state[1] == statement.public_key.hex():
                    store.db.execute(
                        "UPDATE devices SET state = ?, accepted_by = ? WHERE device = ?",
                        [TRUSTED, device.user, statement.device],
                    )
                    if statement.device in by_id:
                        by_id[statement.device].state = TRUSTED
                    changed = True
        for device in [d for d in found if d.state == TRUSTED]:
            for statement in device.record.statements:
                if not isinstance(statement, segments.Revoke) or statement.device == store.device:
                    continue
                state = store.db.execute(
                    "SELECT state FROM devices WHERE device = ?", [statement.device]
                ).fetchone()
                if state and state[0] != REVOKED:
                    store.db.execute(
                        "UPDATE devices SET state = ?, revoked_after = ? WHERE device = ?",
                        [REVOKED, statement.after, statement.device],
                    )
                    if statement.device in by_id:
                        by_id[statement.device].state = REVOKED
                        by_id[statement.device].revoked_after = statement.after
                    changed = True
        if not changed:
            break


def _unseen(team: Team, device: _Device, report: SyncReport) -> None:
    """Read, open, check and decode the segments of `device` after this copy's mark (or its
    checkpoint), in order, stopping at a gap or at a file that cannot be used (yet)."""
    from salesdesk.sync import segments

    record = device.record
    mark, chained = device.read_number, device.read_digest or None
    device.mark, device.mark_digest = mark, chained
    published = record.published
    limit = published
    if device.state == REVOKED:
        limit = min(published, int(device.revoked_after or 0))
        if published > max(limit, mark):
            n = published - max(limit, mark)
            report.skipped.append(
                ngettext(
                    "Ignored {n} segment of {user}'s revoked device {device}.",
                    "Ignored {n} segments of {user}'s revoked device {device}.",
                    n,
                ).format(n=n, user=device.user, device=device.device)
            )
    if published < mark:
        report.skipped.append(
            _(
                "{user}'s device {device} says it published {n} segments, but {mark} were read here already "
                "(its older files came back?); they are skipped."
            ).format(user=device.user, device=device.device, n=published, mark=mark)
        )
        return
    if limit <= mark:
        return
    try:
        names = set(os.listdir(device.path))
    except OSError:
        return
    checkpoint = record.checkpoint
    missing = any(f"{n:08d}" not in names for n in range(mark + 1, min(checkpoint, limit) + 1))
    entries: list[Entry] = []
    relayed: dict[str, str] = {}

    def load(kind: str, number: int) -> Any:
        path = device.path / segments.file_name(kind, number)
        return segments.decode_segment(
            _read(path),
            team_keys=team.keys,
            team=team.id,
            device=device.device,
            number=number,
            public_key=device.public_key,
            kind=kind,
            name=_shown(path),
            first_seq=len(entries) + 1,
        )

    try:
        if (mark == 0 or missing) and mark < checkpoint <= limit:
            if segments.file_name(crypto.CHECKPOINT, checkpoint) not in names:
                raise crypto.Incomplete(
                    _("{user}'s checkpoint {n} is not there yet (it is not completely synced yet).").format(
                        user=device.user, n=checkpoint
                    )
                )
            decoded = load(crypto.CHECKPOINT, checkpoint)
            entries += decoded.entries
            relayed.update(decoded.relayed_users)
            mark, chained = checkpoint, decoded.head
        while mark < limit:
            number = mark + 1
            if segments.file_name(crypto.SEGMENT, number) not in names:
                report.skipped.append(
                    _(
                        "{user}'s segment {n} is not there yet (it is not completely synced yet); "
                        "what follows it waits."
                    ).format(user=device.user, n=number)
                )
                break
            decoded = load(crypto.SEGMENT, number)
            if decoded.previous != chained:
                raise crypto.Altered(
                    _(
                        "{user}'s segment {n} does not follow on from the one before it (replayed or "
                        "reordered); it was refused."
                    ).format(user=device.user, n=number)
                )
            entries += decoded.entries
            mark, chained = number, decoded.digest
    except FileNotFoundError:
        report.skipped.append(
            _("{user}'s files changed while they were read; will try again.").format(user=device.user)
        )
    except SalesdeskError as error:
        report.skipped.append(str(error))
    except OSError as error:
        report.skipped.append(
            _("Skipped {user}'s files: they cannot be read ({error}).").format(
                user=device.user, error=error.strerror
            )
        )
    device.entries, device.relayed = entries, relayed
    device.mark, device.mark_digest = mark, chained


# -- devices, accept, revoke, rotate ---------------------------------------------------


@dataclass
class DeviceRow:
    device: str
    user: str
    fingerprint: str
    state: str
    published_at: str
    this: bool


def devices(store: Store) -> list[DeviceRow]:
    rows = store.db.execute(
        "SELECT device, user, fingerprint, state, published_at FROM devices WHERE public_key IS NOT NULL "
        "ORDER BY user, device"
    ).fetchall()
    own_at = store.meta("published_at") or ""
    return [
        DeviceRow(d, u, f or "", s, (own_at if d == store.device else p) or "", d == store.device)
        for d, u, f, s, p in rows
    ]


def _find(store: Store, text: str) -> tuple[str, str, str, str]:
    text = text.strip()
    rows = store.db.execute(
        "SELECT device, user, state, public_key FROM devices WHERE public_key IS NOT NULL AND device "
        "LIKE ? || '%'",
        [text],
    ).fetchall()
    exact = [r for r in rows if r[0] == text]
    rows = exact or rows
    if not text or not rows:
        raise SalesdeskError(
            _("No device of the team has an id starting {id}; 'salesdesk team devices' lists them.").format(
                id=text
            )
        )
    if len(rows) > 1:
        raise SalesdeskError(
            _("Several devices have an id starting {id}; give more of it ('salesdesk team devices').").format(
                id=text
            )
        )
    device, user, state, public = rows[0]
    return str(device), str(user), str(state), str(public)


def _add_statement(store: Store, statement: dict[str, Any]) -> None:
    statements = [
        s for s in _statements(store) if s.get("accept") != statement.get("accept") or "accept" not in s
    ]
    statements = [s for s in statements if "revoke" not in s or s.get("revoke") != statement.get("revoke")]
    statements.append(statement)
    store.set_meta("statements", json.dumps(statements))


def accept(store: Store, text: str) -> tuple[str, str]:
    """Trust a pending device: here at once, for everyone once this copy publishes."""
    device, user, state, public = _find(store, text)
    if state == REVOKED:
        raise SalesdeskError(
            _("{user}'s device {device} was revoked; a revoked device is not accepted again.").format(
                user=user, device=device
            )
        )
    _add_statement(store, {"accept": device, "public_key": public})
    from salesdesk.store.connection import write

    with write(store.db):
        store.db.execute(
            "UPDATE devices SET state = ?, accepted_by = ? WHERE device = ?", [TRUSTED, store.user, device]
        )
    return device, user


def revoke(store: Store, text: str) -> tuple[str, str, int]:
    device, user, state, _public = _find(store, text)
    if device == store.device:
        raise SalesdeskError(_("This is this copy's own device; revoke it from another device of the team."))
    row = store.db.execute("SELECT read_number FROM devices WHERE device = ?", [device]).fetchone()
    after = int(row[0]) if row else 0
    _add_statement(store, {"revoke": device, "after": after})
    from salesdesk.store.connection import write

    with write(store.db):
        store.db.execute(
            "UPDATE devices SET state = ?, revoked_after = ? WHERE device = ?", [REVOKED, after, device]
        )
    return device, user, after


def rotate_key(store: Store, folder: Path) -> tuple[str, str]:
    """A new team key: the team record and this device's files sealed under it (a new
    checkpoint and device record at the next publish, done here). Returns the code and where."""
    from salesdesk.sync import keystore

    team = team_of(store, folder)
    record = _read_team_record(team.folder, team.keys)
    key = crypto.new_team_key()
    team.keys = [key, *team.keys]
    where = keystore.save_keys(_work(store), team.id, store.device, team.keys)
    _seal_team_record(store, team, str(record.created_at))
    publish(store, folder)
    return crypto.join_code(key), where


def upgrade(store: Store, folder: Path, report: SyncReport) -> tuple[str, str, list[str]]:
    """Turn a plain team folder into an encrypted one, nothing lost: every plain file merged,
    the team key made, this copy's checkpoint published with a relay of every other
    device's changes (for a device that joins later), then the plain files removed."""
    from salesdesk.sync import keystore
    from salesdesk.sync import team as plain

    folder = Path(folder).expanduser().resolve()
    if is_encrypted(folder):
        raise SalesdeskError(
            _("The team in {folder} is encrypted already; nothing to upgrade.").format(folder=folder)
        )
    if not plain_files(folder):
        raise SalesdeskError(
            _(
                "{folder} holds no team of the old format; start one with 'salesdesk team create {folder}'."
            ).format(folder=folder)
        )
    plain.plain_pull(store, folder, report)
    unreadable = [line for line in report.skipped]
    if unreadable:
        raise SalesdeskError(
            _(
                "Not every plain file could be merged ({first}); nothing was upgraded. Try again "
                "when the sync "
                "tool is done."
            ).format(first=unreadable[0])
        )
    from salesdesk.sync import segments

    users = dict(store.db.execute("SELECT device, user FROM devices").fetchall())
    relay = {
        d: str(users.get(d) or "someone")[: segments.TEXT_LIMIT]
        for (d,) in store.db.execute("SELECT DISTINCT device FROM changes")
        if d not in (store.device, "seed") and segments.ID_PATTERN.fullmatch(d)
    }
    key = crypto.new_team_key()
    team = Team(os.urandom(8).hex(), [key], _device_key(store), folder)
    where = keystore.save_keys(_work(store), team.id, store.device, team.keys)
    store.set_meta("relayed_devices", json.dumps(relay))
    _seal_team_record(store, team, timestamp(store.clock()))
    _enter(store, team)
    publish(store, folder)
    removed = []
    for path in plain_files(folder):
        for suffix in ("", "-wal", "-shm", "-journal"):
            extra = path.with_name(path.name + suffix)
            if os.path.lexists(extra):
                extra.unlink()
                removed.append(extra.name)
    return crypto.join_code(key), where, removed
