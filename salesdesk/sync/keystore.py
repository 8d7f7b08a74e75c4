"""Where this copy keeps its team keys: the user's keyring, or a file only they can read.

The keys of a team (newest first; the older ones still open older files) are kept per
copy: in the `keyring` package's backend when a usable one exists (service
"salesdesk", user name "{team}:{device}"), else in `team-keys` in the copy's work
folder (`sync.merge.work_dir(store)`, the `.sync` folder beside the database), written
atomically with mode 0600. A keyring that cannot be used (keyring's fail or null
backend, a chainer with nothing to chain, or one that raises) means the file. The
`keyring` package is imported when first needed. No key is ever logged or printed here.

API:

- `save_keys(work, team, device, keys) -> str`: keep `keys` (32-byte team keys, newest
  first), replacing what was kept; returns where, as the sentence "The team key is kept
  in {where}." says it.
- `load_keys(work, team, device) -> list[bytes]`: the keys kept (newest first), [] when none;
  a damaged file or keyring entry raises `KeystoreError` (one sentence).
- `add_key(work, team, device, key) -> str`: `key` first, the others kept after it.
- `keyring_usable() -> bool`.
"""

import json
import os
from collections.abc import Sequence
from pathlib import Path

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _
from salesdesk.sync.crypto import KEY_BYTES

SERVICE = "salesdesk"
FILE_NAME = "team-keys"
_KEYS_LIMIT = 1000  # keys kept for one team (one per rotation)


class KeystoreError(SalesdeskError):
    """The keys kept cannot be read (a damaged file or keyring entry)."""


def _username(team: str, device: str) -> str:
    return f"{team}:{device}"


def _backend() -> object | None:
    """The keyring backend, when one that can keep a secret is there; else None."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring installation is no keyring
        return None
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def keyring_usable() -> bool:
    return _backend() is not None


def _describe_keyring(backend: object) -> str:
    name = getattr(backend, "name", None) or type(backend).__name__
    return _("your keyring ({name})").format(name=name)


def _encode(team: str, keys: Sequence[bytes]) -> str:
    for key in keys:
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise ValueError("a team key is 32 bytes")
    return json.dumps({"team": team, "keys": [key.hex() for key in keys]})


def _decode(text: object, team: str, where: str) -> list[bytes]:
    damaged = KeystoreError(
        _(
            "The team keys kept in {where} are damaged; run 'salesdesk team join' with the join code again."
        ).format(where=where)
    )
    if not isinstance(text, str) or len(text) > 200 * _KEYS_LIMIT:
        raise damaged
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise damaged from None
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list):
        raise damaged
    if value.get("team") != team:
        return []  # the keys of a team this copy was in before
    keys = []
    for item in value["keys"]:
        if not isinstance(item, str) or len(item) != 2 * KEY_BYTES:
            raise damaged
        try:
            keys.append(bytes.fromhex(item))
        except ValueError:
            raise damaged from None
    return keys


def save_keys(work: Path, team: str, device: str, keys: Sequence[bytes]) -> str:
    """Keep `keys` for this copy of `team` (newest first); returns where they are kept."""
    text = _encode(team, keys)
    backend = _backend()
    if backend is not None:
        try:
            backend.set_password(SERVICE, _username(team, device), text)  # type: ignore[attr-defined]
        except Exception:  # locked, refused, no session bus: the file instead
            pass
        else:
            (work / FILE_NAME).unlink(missing_ok=True)  # kept in one place only
            return _describe_keyring(backend)
    path = work / FILE_NAME
    _write_private(path, text)
    return _("the file {path}, readable by you only").format(path=path)


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600, atomically (a temporary file, fsync, rename)."""
    temporary = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as writer:
            writer.write(text)
            writer.flush()
            os.fsync(writer.fileno())
        os.chmod(temporary, 0o600)  # whatever the umask
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_keys(work: Path, team: str, device: str) -> list[bytes]:
    """The team keys this copy keeps (newest first); [] when it keeps none."""
    backend = _backend()
    if backend is not None:
        try:
            text = backend.get_password(SERVICE, _username(team, device))  # type: ignore[attr-defined]
        except Exception:
            text = None
        if text is not None:
            return _decode(text, team, _describe_keyring(backend))
    path = work / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError):
        text = None
    return _decode(text, team, str(path))


def add_key(work: Path, team: str, device: str, key: bytes) -> str:
    """Keep `key` as the newest key of `team`, the others after it; returns where."""
    keys = [key] + [old for old in load_keys(work, team, device) if old != key]
    return save_keys(work, team, device, keys[:_KEYS_LIMIT])
