"""Every filesystem location salesdesk uses; nowhere else builds a path."""

import os
from datetime import date, datetime
from pathlib import Path

from salesdesk.i18n import _

APP_NAME = "salesdesk"
DB_ENV = "SALESDESK_DB"
USER_ENV = "SALESDESK_USER"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "salesdesk.db"


def resolve_db_path(option: str | None) -> Path:
    """--db, else $SALESDESK_DB, else the user data directory (created on first use)."""
    if option:
        return Path(option).expanduser()
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).expanduser()
    path = default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def resolve_user(option: str | None) -> str:
    """--user, else $SALESDESK_USER, else the login name."""
    if option:
        return option
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "me"


def migration_backup_path(folder: Path, db_path: Path, from_version: int) -> Path:
    """Where the copy made before a migration goes: beside the database, never overwritten."""
    base = folder / f"{db_path.stem}.schema{from_version}.bak"
    candidate, n = base.with_suffix(".bak.db"), 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{db_path.stem}.schema{from_version}.bak{n}.db"
    return candidate


def migration_backups(folder: Path, db_path: Path) -> list[Path]:
    """The copies made before migrations of `db_path` in `folder`, newest first."""
    import re

    pattern = re.compile(rf"{re.escape(db_path.stem)}\.schema\d+\.bak\d*\.db")
    found = [path for path in folder.glob(f"{db_path.stem}.schema*.bak*.db") if pattern.fullmatch(path.name)]
    return sorted(found, key=lambda path: (path.stat().st_mtime_ns, path.name), reverse=True)


def partial_path(target: Path) -> Path:
    """The temporary name a copy is written under, beside `target`, until it is verified."""
    return target.with_name(f".{target.name}.partial")


def private_copy_folder(db_path: Path) -> Path:
    """A new folder only this user can read, in the system's temporary folder, for a private
    copy of a database that cannot be read where it is (see `store.connection.private_copy`)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"salesdesk-{db_path.stem}-")).resolve()


def default_backup_path(db_path: Path, now: datetime) -> Path:
    return db_path.with_name(f"{db_path.stem}-backup-{now:%Y%m%d-%H%M%S}.db")


def demo_build_path(db_path: Path) -> Path:
    """The temporary file a demo is built in before it replaces the target."""
    return db_path.with_name(f".{db_path.name}.building")


def default_export_dir() -> Path:
    """Where the app's exports go unless the export folder setting says otherwise: a
    folder of salesdesk's own in the user's documents folder."""
    from platformdirs import user_documents_path

    return user_documents_path() / APP_NAME


def export_dir(setting: str | None) -> Path:
    """The export folder: the setting (a folder, `~` allowed), or the default when it is blank."""
    text = (setting or "").strip()
    return Path(text).expanduser() if text else default_export_dir()


def check_export_dir(setting: str) -> str | None:
    """Why `setting` cannot be the export folder (one sentence), or None when it can.
    Blank is the default, whatever the platform makes of it: an export says if it fails."""
    if not setting.strip():
        return None
    folder = export_dir(setting)
    if not folder.is_absolute():
        return _("{folder} is not a whole path; start it with / or ~ (blank: {default}).").format(
            folder=setting.strip(), default=default_export_dir()
        )
    for step in (folder, *folder.parents):
        if step.exists():
            if not step.is_dir():
                return _("{folder} is a file, not a folder; name a folder (blank: {default}).").format(
                    folder=step, default=default_export_dir()
                )
            if not os.access(step, os.W_OK):
                return _(
                    "{folder} cannot be written; name a folder you can write (blank: {default})."
                ).format(folder=step, default=default_export_dir())
            return None
    return None


def export_target(setting: str | None, file_name: str) -> Path:
    """Where an export named `file_name` is written, its folder created when needed."""
    folder = export_dir(setting)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / file_name


def vcard_file_name(today: date) -> str:
    return f"salesdesk-customers-{today.isoformat()}.vcf"


def calendar_file_name(today: date) -> str:
    return f"salesdesk-follow-ups-{today.isoformat()}.ics"
