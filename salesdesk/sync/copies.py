"""Conflict copies made by sync tools, and databases left inside a sync folder."""

import re
import shutil
from datetime import datetime
from pathlib import Path

# How sync tools name the copy they make when two machines wrote one file.
CONFLICT_PATTERNS = (
    ("Dropbox", re.compile(r"\(.*conflicted copy.*\)", re.IGNORECASE)),
    ("Syncthing", re.compile(r"\.sync-conflict-\d{8}-\d{6}(-[A-Z0-9]+)?", re.IGNORECASE)),
    ("Google Drive", re.compile(r"\(\d+\)$")),
    ("OneDrive", re.compile(r"-[A-Z0-9][A-Za-z0-9]{1,14}$")),
)

# Path parts that mean "this folder is synced by a tool".
SYNC_MARKERS = (
    ("Dropbox", re.compile(r"^Dropbox( \(.+\))?$")),
    ("OneDrive", re.compile(r"^OneDrive( - .+)?$")),
    ("iCloud Drive", re.compile(r"^(Mobile Documents|iCloud Drive|iCloudDrive)$")),
    ("Google Drive", re.compile(r"^(Google Drive|GoogleDrive|My Drive)$")),
)


def conflict_copy_kind(path: Path, original_stem: str | None = None) -> str | None:
    """Which sync tool's conflict copy this file looks like, if any."""
    stem = Path(path).stem
    for tool, pattern in CONFLICT_PATTERNS:
        if tool in ("OneDrive", "Google Drive"):
            # Only recognisable next to the original's name: 'salesdesk-LAPTOP7'.
            if (
                original_stem
                and stem.startswith(original_stem)
                and pattern.search(stem[len(original_stem) :])
            ):
                return tool
            continue
        if pattern.search(stem):
            return tool
    return None


def sync_tool_of(path: Path) -> str | None:
    """The sync tool whose folder holds `path`, or None."""
    path = Path(path).resolve()
    for folder in (path, *path.parents):
        for tool, pattern in SYNC_MARKERS:
            if pattern.match(folder.name):
                return tool
        if (folder / ".stfolder").exists():
            return "Syncthing"
    return None


def archive(path: Path, moment: datetime) -> Path:
    """Move a merged copy aside into `salesdesk-merged/` beside it; never delete it."""
    folder = path.parent / "salesdesk-merged"
    folder.mkdir(exist_ok=True)
    target = folder / f"{moment:%Y%m%d-%H%M%S}-{path.name}"
    shutil.move(str(path), target)
    for suffix in ("-wal", "-shm", "-journal"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            shutil.move(str(sidecar), target.with_name(target.name + suffix))
    return target
