"""A team folder: one published snapshot per device, merged by everyone else.

Nothing inside the shared folder is ever opened as a database: a device publishes a
consistent snapshot (VACUUM INTO a private file), copies it in under a temporary
name, fsyncs and renames it into place, then does the same for a small manifest
with its checksum. Readers copy a file out first and check it against its manifest,
so a half-synced or damaged file is skipped and tried again next time.
"""

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.core.dates import timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.store.schema import SCHEMA_VERSION
from salesdesk.sync.merge import MergeReport, merge_database

if TYPE_CHECKING:
    from salesdesk.store.store import Store

TEAM_DIR = "salesdesk-team"


@dataclass
class Peer:
    device: str
    user: str
    published_at: str
    entries: int
    path: Path


@dataclass
class SyncReport:
    merged: list[MergeReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one sentence each
    published: Path | None = None
    rekeyed_from: str | None = None

    def lines(self) -> list[str]:
        out = [report.summary() for report in self.merged]
        out += self.skipped
        if self.rekeyed_from:
            out.append(
                f"Another copy was publishing as this device ({self.rekeyed_from}); "
                "this copy now has a device id of its own."
            )
        if self.published:
            out.append(f"Published this copy to {self.published}.")
        return out


def team_folder(store: "Store") -> Path | None:
    value = store.meta("team_folder")
    return Path(value) if value else None


def _shared(folder: Path) -> Path:
    return folder / TEAM_DIR


def join(store: "Store", folder: Path) -> SyncReport:
    """Join (or start) the team sharing `folder`, then sync once."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise SalesdeskError(
            f"The folder {folder} does not exist; create it (or let the sync tool create it) and try again."
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


def _work_dir(store: "Store") -> Path:
    """A private folder beside the working database for snapshots and copies."""
    main = next(row[2] for row in store.db.execute("PRAGMA database_list") if row[1] == "main")
    work = Path(main).with_name(Path(main).stem + ".sync")
    work.mkdir(exist_ok=True)
    return work


def publish(store: "Store", folder: Path) -> Path:
    shared = _shared(folder)
    shared.mkdir(exist_ok=True)
    work = _work_dir(store)
    snapshot = work / f"publish-{os.urandom(4).hex()}.db"
    try:
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
        store.set_meta("published_at", manifest["published_at"])
        return target
    finally:
        snapshot.unlink(missing_ok=True)


def peers(folder: Path) -> list[Peer]:
    found = []
    for manifest in sorted(_shared(folder).glob("*.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            found.append(
                Peer(
                    data["device"],
                    data.get("user", "?"),
                    data.get("published_at", "?"),
                    data.get("entries", 0),
                    manifest.with_suffix(".db"),
                )
            )
        except (OSError, ValueError, KeyError):
            continue
    return found


def pull(store: "Store", folder: Path, report: SyncReport) -> None:
    """Merge every other device's published file whose content is new to us."""
    work = _work_dir(store)
    for manifest_path in sorted(_shared(folder).glob("*.json")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            device, checksum = manifest["device"], manifest["sha256"]
        except (OSError, ValueError, KeyError):
            report.skipped.append(f"Skipped {manifest_path.name}: its manifest cannot be read yet.")
            continue
        if device == store.device:
            if checksum != store.meta("published_sha256"):
                # Someone else publishes under our id: a copied database. Take a new id;
                # their file is then merged like anyone's.
                report.rekeyed_from = device
                rekey(store)
            else:
                continue
        if store.meta(f"merged:{device}") == checksum:
            continue  # nothing new from that device
        source = manifest_path.with_suffix(".db")
        copy = work / f"incoming-{os.urandom(4).hex()}.db"
        try:
            try:
                shutil.copyfile(source, copy)
            except OSError:
                report.skipped.append(f"Skipped {source.name}: it is not there yet; will try again.")
                continue
            if _sha256(copy) != checksum:
                report.skipped.append(
                    f"Skipped {source.name} from {manifest.get('user', device)}: "
                    "it is not completely synced yet (checksum differs); will try again."
                )
                continue
            try:
                merged = merge_database(store, copy)
            except SalesdeskError as error:
                report.skipped.append(f"Skipped {source.name}: {error}")
                continue
            merged.source = f"{manifest.get('user', '?')} ({device})"
            report.merged.append(merged)
            store.set_meta(f"merged:{device}", checksum)
        finally:
            copy.unlink(missing_ok=True)


def rekey(store: "Store") -> str:
    """Give this copy a new device id (its old entries keep theirs)."""
    device = os.urandom(8).hex()
    store.set_meta("device", device)
    store.records.log.device = device
    return device


def sync_once(store: "Store") -> SyncReport:
    folder = team_folder(store)
    if folder is None:
        raise SalesdeskError("This database is not in a team yet; run 'salesdesk team join FOLDER' first.")
    if not folder.is_dir():
        raise SalesdeskError(
            f"The team folder {folder} is not there (is the sync tool running, or the share mounted?)."
        )
    report = SyncReport()
    pull(store, folder, report)
    report.published = publish(store, folder)
    return report
