"""A team folder: the encrypted one (`sync.folder`), or the plain one of before.

A folder holding a team record is of the encrypted format, and every call here goes to
`sync.folder`. The plain format (below) is kept to read a team that has not upgraded
yet (`salesdesk team upgrade` turns it into an encrypted one, nothing lost): one
published snapshot per device, merged by everyone else.

Nothing inside the shared folder is ever opened as a database: a device publishes a
consistent snapshot (VACUUM INTO a private file), copies it in under a temporary
name, fsyncs and renames it into place, then does the same for a small manifest
with its checksum. Readers copy a file out first and check it against its manifest,
so a half-synced or damaged file is skipped and tried again next time.

A manifest is read like any file from others: never through a symbolic link, at most
`MANIFEST_LIMIT` bytes, its fields checked. A file is never copied beyond the size its
manifest gives. Private working files (`incoming-*`, `publish-*`, `manifest-*` in the
`.sync` folder beside the database) are removed when done, and any left by a crash are
removed at the next sync, under a lock of the folder so no running sync loses its own;
a `.tmp` a crash left in the shared folder is never read, and its owner removes it.
The checksums of this device's last published files are kept, so an older file of
its own that the sync tool brings back is recognised as its own, not as a clone.
"""

import json
import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _
from salesdesk.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from salesdesk.store.store import Store
    from salesdesk.sync.merge import MergeReport

TEAM_DIR = "salesdesk-team"
MANIFEST_LIMIT = 64 * 1024  # bytes of a manifest
PUBLISHED_KEPT = 20  # checksums of this device's own published files remembered
_WORK_FILES = ("incoming-*", "publish-*", "manifest-*")
_DEVICE = re.compile(r"[0-9A-Za-z~._-]{1,80}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Peer:
    device: str
    user: str
    published_at: str
    entries: int
    path: Path


@dataclass
class SyncReport:
    merged: list["MergeReport"] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one sentence each
    published: Path | None = None
    rekeyed_from: str | None = None
    held: list[str] = field(default_factory=list)  # who is held back and why, one line each
    notes: list[str] = field(default_factory=list)  # what to do about the folder, one line each
    # Told what a long sync is doing, as a sentence, while it does it (a terminal shows it).
    progress: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    def lines(self) -> list[str]:
        out = [report.summary() for report in self.merged]
        out += self.skipped
        out += self.held
        out += self.notes
        if self.rekeyed_from:
            out.append(
                _(
                    "Another copy was publishing as this device ({device}); "
                    "this copy now has a device id of its own."
                ).format(device=self.rekeyed_from)
            )
        if self.published:
            out.append(_("Published this copy to {folder}.").format(folder=self.published))
        return out


def team_folder(store: "Store") -> Path | None:
    value = store.meta("team_folder")
    return Path(value) if value else None


def _shared(folder: Path) -> Path:
    return folder / TEAM_DIR


def join(
    store: "Store", folder: Path, code: str | None = None, progress: Callable[[str], None] | None = None
) -> tuple[SyncReport, str | None]:
    """Join the team sharing `folder` (with its join code, for an encrypted one), then sync
    once. Returns the sync's report and where the team key is kept (None: a plain team)."""
    from salesdesk.sync import folder as encrypted

    folder = Path(folder).expanduser()
    if encrypted.is_encrypted(folder):
        if code is None:
            raise SalesdeskError(
                _("The team in {folder} is encrypted; give its join code.").format(folder=folder)
            )
        key, record = encrypted.check_code(folder, code)
        where = encrypted.join(store, folder, key, record)
        report = sync_once(store, progress)
        _pool_ready(store, progress)
        return report, where
    if not encrypted.plain_files(folder):
        encrypted.check_code(folder, code or "")  # says what the folder is, and what to do
    report = join_plain(store, folder)
    _pool_ready(store, progress)
    return report, None


def _pool_ready(store: "Store", progress: Callable[[str], None] | None) -> None:
    """Work out the pool's rows of the customers a join brought, while the person waits for
    the join anyway: else the app's first Today waits for them (the large demo's 100,000
    customers: 6.6 s). A copy that cannot take it now works them out when first read."""
    from salesdesk.store.pool import Pool

    if store.db.execute("SELECT 1 FROM pool_dirty LIMIT 1").fetchone() is None:
        return
    if progress is not None:
        progress(_("Working out which customers go back to the pool…"))
    with suppress(sqlite3.Error):
        Pool(store).refresh(store.clock().astimezone().date())


def join_plain(store: "Store", folder: Path) -> SyncReport:
    """Join (or start) a team of the plain format in `folder`, then sync once: what `team join`
    did before the encrypted folder. Kept for the teams that have not upgraded yet."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise SalesdeskError(
            _(
                "The folder {folder} does not exist; create it (or let the sync tool create it) "
                "and try again."
            ).format(folder=folder)
        )
    _shared(folder).mkdir(exist_ok=True)
    store.set_meta("team_folder", str(folder.resolve()))
    return sync_once(store)


def _fsync_copy(source: Path, target: Path) -> None:
    """Copy under a temporary name beside the target, fsync, then rename into place."""
    temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    try:
        with open(source, "rb") as reader, open(temporary, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    try:
        handle = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError:
        pass  # not every filesystem lets a folder be fsynced


def _sha256(path: Path) -> str:
    import hashlib  # here: it loads the OpenSSL library, which the app's start-up does not need

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _working(store: "Store") -> Iterator[Path]:
    """The private work folder, locked for this sync; leftovers of a crash removed first."""
    from salesdesk.sync.merge import work_dir

    work = work_dir(store)
    try:
        import fcntl
    except ImportError:  # Windows: a file another sync still has open cannot be removed
        fcntl = None  # type: ignore[assignment]
    with open(work / "lock", "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            _remove_leftovers(work)
            yield work
        finally:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _remove_leftovers(work: Path) -> None:
    for pattern in _WORK_FILES:
        for leftover in work.glob(pattern):
            with suppress(OSError):
                leftover.unlink()


def publish(store: "Store", folder: Path) -> Path:
    """Publish this copy into the team folder; the folder (or file) written."""
    from salesdesk.sync import folder as encrypted

    if encrypted.is_encrypted(folder):
        return encrypted.publish(store, folder).folder
    return plain_publish(store, folder)


def plain_publish(store: "Store", folder: Path) -> Path:
    with _working(store) as work:
        return _publish(store, folder, work)


def _publish(store: "Store", folder: Path, work: Path) -> Path:
    shared = _shared(folder)
    shared.mkdir(exist_ok=True)
    for name in (f"{store.device}.db", f"{store.device}.json"):
        for leftover in shared.glob(f".{name}.*.tmp"):  # of a publish a crash cut short
            leftover.unlink(missing_ok=True)
    snapshot = work / f"publish-{os.urandom(4).hex()}.db"
    try:
        store.set_meta("user", store.user)  # who this copy's own changes are by
        store.db.execute("VACUUM INTO ?", [str(snapshot)])
        conn = sqlite3.connect(snapshot)
        try:
            # A published file must be one self-contained file: no -wal beside it.
            conn.execute("PRAGMA journal_mode=DELETE")
            entries = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
        finally:
            conn.close()
        checksum = _sha256(snapshot)
        target = shared / f"{store.device}.db"
        _fsync_copy(snapshot, target)
        manifest = {
            "device": store.device,
            "user": store.user,
            "schema": SCHEMA_VERSION,
            "sha256": checksum,
            "size": snapshot.stat().st_size,
            "entries": entries,
            "published_at": timestamp(store.clock()),
        }
        manifest_file = work / f"manifest-{os.urandom(4).hex()}.json"
        manifest_file.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _fsync_copy(manifest_file, shared / f"{store.device}.json")
        manifest_file.unlink(missing_ok=True)
        store.set_meta("published_sha256", checksum)
        history = [checksum, *(h for h in _published(store) if h != checksum)][:PUBLISHED_KEPT]
        store.set_meta("published_history", json.dumps(history))
        store.set_meta("published_at", manifest["published_at"])
        return target
    finally:
        snapshot.unlink(missing_ok=True)


def _published(store: "Store") -> list[str]:
    """The checksums of this device's last published files, newest first."""
    try:
        history = json.loads(store.meta("published_history") or "[]")
    except ValueError:
        history = []
    current = store.meta("published_sha256")
    found = [h for h in history if isinstance(h, str)] if isinstance(history, list) else []
    return ([current] if current and current not in found else []) + found


def _manifest(path: Path) -> dict[str, object]:
    """A manifest's fields, checked; ValueError or OSError when it cannot be used (yet)."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_LIMIT:
        raise ValueError("not a manifest file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    handle = os.open(path, flags)
    try:
        raw = os.read(handle, MANIFEST_LIMIT + 1)
    finally:
        os.close(handle)
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not an object")
    device, checksum, size = data.get("device"), data.get("sha256"), data.get("size")
    if not isinstance(device, str) or not _DEVICE.fullmatch(device) or device != path.stem:
        raise ValueError("no device of its own name")
    if not isinstance(checksum, str) or not _SHA256.fullmatch(checksum):
        raise ValueError("no checksum")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError("no size")
    user = data.get("user")
    data["user"] = user[:100] if isinstance(user, str) and user.strip() else device
    entries = data.get("entries")
    data["entries"] = entries if isinstance(entries, int) and not isinstance(entries, bool) else 0
    published = data.get("published_at")
    data["published_at"] = published[:40] if isinstance(published, str) else "?"
    return data


def peers(folder: Path, store: "Store | None" = None) -> list[Peer]:
    """The devices publishing into the folder (of an encrypted one: those this copy knows)."""
    from salesdesk.sync import folder as encrypted

    if encrypted.is_encrypted(folder):
        if store is None:
            return []
        return [
            Peer(row.device, row.user, row.published_at or "?", 0, encrypted.shared(folder) / row.device)
            for row in encrypted.devices(store)
            if row.state != encrypted.REVOKED
        ]
    found = []
    for manifest in sorted(_shared(folder).glob("*.json")):
        try:
            data = _manifest(manifest)
        except (OSError, ValueError):
            continue
        found.append(
            Peer(
                str(data["device"]),
                str(data["user"]),
                str(data["published_at"]),
                int(data["entries"]),  # type: ignore[call-overload]
                manifest.with_suffix(".db"),
            )
        )
    return found


def pull(store: "Store", folder: Path, report: SyncReport) -> None:
    """Merge what other devices published that is new to this copy; then say what is held
    back. A file that cannot be read is skipped with a sentence."""
    from salesdesk.sync import folder as encrypted

    if encrypted.is_encrypted(folder):
        encrypted.pull(store, folder, report)
        if encrypted.plain_files(folder):
            report.notes.append(
                _(
                    "The team folder still holds files of the old format (a teammate runs an older "
                    "salesdesk); "
                    "they are not read: ask them to update and join with the join code."
                )
            )
        return
    plain_pull(store, folder, report)
    report.notes.append(
        _(
            "This team folder is of the old format, unencrypted: anyone who gets hold of it can read it. "
            "Run 'salesdesk team upgrade' to encrypt it."
        )
    )


def plain_pull(store: "Store", folder: Path, report: SyncReport) -> None:
    """Merge every other device's plain file whose content is new to us."""
    from salesdesk.sync import held
    from salesdesk.sync.merge import fetch, merge_copy, remove_database, retry_held
    from salesdesk.sync.reading import UnreadableCopy

    with _working(store) as work:
        for manifest_path in sorted(_shared(folder).glob("*.json")):
            try:
                manifest = _manifest(manifest_path)
            except (OSError, ValueError, UnicodeDecodeError):
                report.skipped.append(
                    _("Skipped {name}: its manifest cannot be read yet.").format(name=manifest_path.name)
                )
                continue
            device, checksum, user = str(manifest["device"]), str(manifest["sha256"]), str(manifest["user"])
            if device == store.device:
                if checksum in _published(store):
                    continue  # our own file (an older one, if the sync tool brought one back)
                # Someone else publishes under our id: a copied database. Take a new id;
                # their file is then merged like anyone's.
                report.rekeyed_from = device
                rekey(store)
            if store.meta(f"merged:{device}") == checksum:
                continue  # nothing new from that device
            source = manifest_path.with_suffix(".db")
            copy = work / f"incoming-{os.urandom(4).hex()}.db"
            try:
                try:
                    fetch(source, copy, exact_size=int(manifest["size"]), with_wal=False)  # type: ignore[call-overload]
                except SalesdeskError as error:
                    if not source.exists():
                        report.skipped.append(
                            _("Skipped {name}: it is not there yet; will try again.").format(name=source.name)
                        )
                    else:
                        report.skipped.append(
                            _("Skipped {name} from {user}: {error}").format(
                                name=source.name, user=user, error=error
                            )
                        )
                    continue
                if _sha256(copy) != checksum:
                    report.skipped.append(
                        _(
                            "Skipped {name} from {user}: "
                            "it is not completely synced yet (checksum differs); will try again."
                        ).format(name=source.name, user=user)
                    )
                    continue
                try:
                    merged = merge_copy(store, copy, source.name, publisher=(device, user))
                except UnreadableCopy as error:
                    report.skipped.append(
                        _("Skipped {name} from {user}: {error}").format(
                            name=source.name, user=user, error=error
                        )
                    )
                    continue
                merged.source = f"{user} ({device})"
                report.merged.append(merged)
                store.set_meta(f"merged:{device}", checksum)
            finally:
                remove_database(copy)
        if not report.merged and held.count(store.db):
            released = retry_held(store)
            if released.released:
                report.merged.append(released)
    report.held = held.summary(store.db)


def is_encrypted(folder: Path) -> bool:
    from salesdesk.sync import folder as encrypted

    return encrypted.is_encrypted(folder)


def rekey(store: "Store") -> str:
    """Give this copy a new device id (its old entries keep theirs)."""
    device = os.urandom(8).hex()
    store.set_meta("device", device)
    store.records.log.device = device
    return device


def sync_once(store: "Store", progress: Callable[[str], None] | None = None) -> SyncReport:
    folder = team_folder(store)
    if folder is None:
        raise SalesdeskError(_("This database is not in a team yet; run 'salesdesk team join FOLDER' first."))
    if not folder.is_dir():
        raise SalesdeskError(
            _(
                "The team folder {folder} is not there (is the sync tool running, or the share mounted?)."
            ).format(folder=folder)
        )
    report = SyncReport(progress=progress)
    pull(store, folder, report)
    from salesdesk.sync import folder as encrypted

    if encrypted.is_encrypted(folder):
        published = encrypted.publish(store, folder)
        report.published = published.folder
        report.rekeyed_from = report.rekeyed_from or published.rekeyed_from
    else:
        report.published = plain_publish(store, folder)
    return report
