"""The team folder's cryptography: envelopes, team keys, join codes, device keys.

Everything here is a pure function over bytes; the folder, the store and the keyring
are elsewhere (`sync.folder`, `sync.keystore`). Nothing is invented: the cipher is
ChaCha20-Poly1305 and the signatures Ed25519, both from the `cryptography` package,
imported when first used (never at start-up).

The envelope (every file of `salesdesk-team/` is one)::

    MAGIC b"SDT2" | key id (8) | nonce (12, random) | length (8, big endian) | ciphertext

The ciphertext (`length` bytes, the 16-byte tag included) is ChaCha20-Poly1305 under
the team key, with associated data MAGIC + key id + the file's *address* (`address()`:
``"{team}/{device}/{kind}/{number}"``), so a file renamed, moved into another device's
folder or into another team's folder no longer opens. Its plaintext::

    length of the body (4, big endian) | Ed25519 signature (64) | body | zero padding

with the signature over ``b"salesdesk-signed-v2" + address + b"\\0" + body`` by the writing
device's key, and the plaintext padded to a size bucket (`bucket()`: 4 KiB, 8, 16, ... 1 MiB,
then whole MiB), so a file's size says little about what it holds. What the body is
(zlib-compressed JSON) is `sync.segments`' business.

API (what `sync.segments` and `sync.folder` use):

- `new_team_key() -> bytes` (32 random bytes); `key_id(key) -> bytes` (8 bytes, the first
  of SHA-256(b"salesdesk key id" + key): a name for the key, not derived from it).
- `join_code(key) -> str` and `key_from_code(text) -> bytes`: the key and a 2-byte check,
  in base32, in groups of 4 letters joined by "-"; read back ignoring case, spaces and
  dashes (a typo -> `BadJoinCode`, one sentence).
- `new_device_key() -> bytes` (a raw 32-byte Ed25519 private key, kept as hex in this
  copy's meta and never synced), `public_key(private) -> bytes` (raw, 32 bytes),
  `fingerprint(public) -> str` ("SHA256:" + unpadded base64, as ssh shows it);
  `sign(private, address, body)` and `verify(public, address, body, signature) -> bool`.
- `address(team, device, kind, number) -> str`; kinds `DEVICE` (number 0), `SEGMENT`,
  `CHECKPOINT`. The team record (`team` at the top of the folder) is opened before the
  team id is known (a joiner has only the code), so its address is `TEAM_ADDRESS`.
- `seal(body, *, team_key, address, device_key) -> bytes`: the envelope of `body`.
- `open_envelope(data, *, team_keys, address, name=None) -> Opened`: the body and its
  signature (checked by `Opened.check_signer(public_key, device)`, which raises
  `WrongSigner`). Raises `Incomplete` (the file is shorter than its header says: a sync
  tool is still writing it; try again later), `UnknownKey` (`.key_id`: sealed under a
  key this copy does not hold; ask for the new join code) or `Altered` (anything else:
  altered, or not of this team). `name` is how a sentence names the file (default: the
  address).
- `envelope_size(header) -> int`: the size a file must have, from its first
  `HEADER_SIZE` bytes (so a reader can refuse an oversized file before reading it).

All errors are `SalesdeskError`s carrying one sentence: a crafted file is refused with
it, never with a traceback.
"""

import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _

MAGIC = b"SDT2"
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
LENGTH_BYTES = 8
HEADER_SIZE = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES + LENGTH_BYTES  # 32
TAG_BYTES = 16
SIGNATURE_BYTES = 64
PUBLIC_KEY_BYTES = 32
_BODY_LENGTH_BYTES = 4
_SIGNED = b"salesdesk-signed-v2"
_KEY_ID_LABEL = b"salesdesk key id"
_CHECK_BYTES = 2

KIB, MIB = 1024, 1024 * 1024
SMALLEST_BUCKET = 4 * KIB
ENVELOPE_LIMIT = 1024 * MIB  # the largest file read at all (a checkpoint of ~10M changes)

TEAM, DEVICE, SEGMENT, CHECKPOINT = "team", "device", "segment", "checkpoint"
KINDS = (TEAM, DEVICE, SEGMENT, CHECKPOINT)
TEAM_ADDRESS = "salesdesk-team/team"  # the team record is opened to learn the team id


class EnvelopeError(SalesdeskError):
    """A file of the team folder that cannot be used (now or at all); one sentence."""


class Incomplete(EnvelopeError):
    """Shorter than its header says: the sync tool has not finished bringing it; wait."""


class UnknownKey(EnvelopeError):
    """Sealed under a team key this copy does not hold (rotated since): ask for the code."""

    def __init__(self, message: str, key_id: bytes):
        super().__init__(message)
        self.key_id = key_id


class Altered(EnvelopeError):
    """Altered, truncated in its header, renamed or moved, or of another team: refused."""


class WrongSigner(Altered):
    """Opened under the team key, but not signed by the key of the device it claims."""


class BadJoinCode(SalesdeskError):
    """A join code that is not one (a typo, a missing group): one sentence."""


@dataclass(frozen=True)
class Opened:
    """An envelope opened: the body (not yet checked against a signer) and its signature."""

    address: str
    key_id: bytes
    body: bytes
    signature: bytes
    name: str

    def signed_by(self, public: bytes) -> bool:
        """Whether `public` (a raw Ed25519 public key) signed this body at this address."""
        return verify(public, self.address, self.body, self.signature)

    def check_signer(self, public: bytes, device: str) -> None:
        """Raise `WrongSigner` unless `public` (device `device`'s pinned key) signed it."""
        if not self.signed_by(public):
            raise WrongSigner(
                _("{name} is signed by a key that is not device {device}'s; it was refused.").format(
                    name=self.name, device=device
                )
            )


def new_team_key() -> bytes:
    """A new team key: 32 bytes from the operating system's random source."""
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> bytes:
    """The 8-byte name of a team key, written in each envelope's header."""
    import hashlib

    return hashlib.sha256(_KEY_ID_LABEL + key).digest()[:KEY_ID_BYTES]


def address(team: str, device: str, kind: str, number: int) -> str:
    """Where a file belongs: its team, its device's folder, its kind and its number."""
    if kind not in KINDS:
        raise ValueError(f"not a kind of file: {kind!r}")
    return f"{team}/{device}/{kind}/{number}"


def bucket(size: int) -> int:
    """The padded size of a plaintext of `size` bytes: 4 KiB, 8, 16, ... 1 MiB, then whole MiB."""
    padded = SMALLEST_BUCKET
    while padded < size and padded < MIB:
        padded *= 2
    if size > padded:
        padded = -(-size // MIB) * MIB
    return padded


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError("a team key is 32 bytes")


def seal(body: bytes, *, team_key: bytes, address: str, device_key: bytes) -> bytes:
    """The envelope of `body`: signed by `device_key`, padded, sealed under `team_key`."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    _check_key(team_key)
    signature = sign(device_key, address, body)
    used = _BODY_LENGTH_BYTES + SIGNATURE_BYTES + len(body)
    if used + TAG_BYTES + HEADER_SIZE > ENVELOPE_LIMIT:
        raise ValueError("a body too big for one file of the team folder")
    plain = bytearray(bucket(used))
    plain[:used] = len(body).to_bytes(_BODY_LENGTH_BYTES, "big") + signature + body
    kid = key_id(team_key)
    nonce = os.urandom(NONCE_BYTES)
    sealed = ChaCha20Poly1305(team_key).encrypt(nonce, bytes(plain), _associated(kid, address))
    return MAGIC + kid + nonce + len(sealed).to_bytes(LENGTH_BYTES, "big") + sealed


def _associated(kid: bytes, address: str) -> bytes:
    return MAGIC + kid + address.encode("utf-8")


def envelope_size(header: bytes, name: str = "the file") -> int:
    """The whole size a file must have, read from its first `HEADER_SIZE` bytes.

    Raises `Incomplete` when fewer bytes than a header are there (and those match the
    start of one), `Altered` when they are not a header or claim an impossible size.
    """
    if len(header) < HEADER_SIZE:
        if MAGIC.startswith(header[: len(MAGIC)]):
            raise Incomplete(_incomplete(name))
        raise Altered(_not_ours(name))
    if header[: len(MAGIC)] != MAGIC:
        raise Altered(_not_ours(name))
    length = int.from_bytes(header[HEADER_SIZE - LENGTH_BYTES : HEADER_SIZE], "big")
    total = HEADER_SIZE + length
    if length < SMALLEST_BUCKET + TAG_BYTES or total > ENVELOPE_LIMIT:
        raise Altered(_altered(name))
    return total


def open_envelope(
    data: bytes, *, team_keys: Iterable[bytes], address: str, name: str | None = None
) -> Opened:
    """Open an envelope read from the folder; the signature is left to `Opened.check_signer`.

    Raises `Incomplete`, `UnknownKey` or `Altered` (see the module's docstring).
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    shown = name or address
    total = envelope_size(bytes(data[:HEADER_SIZE]), shown)
    if len(data) < total:
        raise Incomplete(_incomplete(shown))
    if len(data) > total:
        raise Altered(_altered(shown))
    kid = bytes(data[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES])
    keys = {key_id(key): key for key in team_keys}
    if kid not in keys:
        raise UnknownKey(
            _(
                "{name} is sealed under a team key this copy does not have (key {key}); "
                "ask a teammate for the new join code and run 'salesdesk team join' with it."
            ).format(name=shown, key=kid.hex()),
            kid,
        )
    nonce = bytes(data[len(MAGIC) + KEY_ID_BYTES : len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES])
    try:
        cipher = ChaCha20Poly1305(keys[kid])
        plain = cipher.decrypt(nonce, bytes(data[HEADER_SIZE:]), _associated(kid, address))
    except InvalidTag:
        raise Altered(_altered(shown)) from None
    # Authenticated from here on: a team member wrote it, so only a bug (or a member's
    # crafted file) reaches the checks below, which still never trust it.
    length = int.from_bytes(plain[:_BODY_LENGTH_BYTES], "big")
    start = _BODY_LENGTH_BYTES + SIGNATURE_BYTES
    if start + length > len(plain) or any(plain[start + length :]):
        raise Altered(_altered(shown))
    return Opened(address, kid, plain[start : start + length], plain[_BODY_LENGTH_BYTES:start], shown)


def _incomplete(name: str) -> str:
    return _("{name} is not completely synced yet; it will be read when it is.").format(name=name)


def _altered(name: str) -> str:
    return _("{name} was altered or is not of this team; it was not read.").format(name=name)


def _not_ours(name: str) -> str:
    return _("{name} is not a file of a salesdesk team; it was not read.").format(name=name)


# Device keys (Ed25519) ----------------------------------------------------------------


def new_device_key() -> bytes:
    """A new device's private key, raw (32 bytes): kept in this copy only."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_key(private: bytes) -> bytes:
    """The raw public key (32 bytes) of a raw private key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def _signed_message(address: str, body: bytes) -> bytes:
    return _SIGNED + address.encode("utf-8") + b"\0" + body


def sign(private: bytes, address: str, body: bytes) -> bytes:
    """The 64-byte signature of `body` at `address` by the raw private key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private).sign(_signed_message(address, body))


def verify(public: bytes, address: str, body: bytes, signature: bytes) -> bool:
    """Whether `signature` is the raw public key's signature of `body` at `address`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if len(public) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, _signed_message(address, body))
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public: bytes) -> str:
    """A public key as ssh shows one: "SHA256:" and the unpadded base64 of its SHA-256."""
    import hashlib

    return "SHA256:" + base64.b64encode(hashlib.sha256(public).digest()).decode("ascii").rstrip("=")


# Join codes ---------------------------------------------------------------------------

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
CODE_LETTERS = -(-(KEY_BYTES + _CHECK_BYTES) * 8 // 5)  # 55
_GROUP = 4


def _check(key: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(key).digest()[:_CHECK_BYTES]


def join_code(key: bytes) -> str:
    """The team key as a person can read it out or paste it: 14 groups of base32 letters."""
    _check_key(key)
    letters = base64.b32encode(key + _check(key)).decode("ascii").rstrip("=")
    return "-".join(letters[i : i + _GROUP] for i in range(0, len(letters), _GROUP))


def key_from_code(text: str) -> bytes:
    """The team key a join code holds; `BadJoinCode` (one sentence) when it is not one.

    Case, spaces and dashes are ignored; a typo is caught by the code's check.
    """
    letters = "".join(text.split()).replace("-", "").upper()
    if not letters:
        raise BadJoinCode(_("The join code is empty; paste the code a teammate gave you."))
    wrong = sorted({c for c in letters if c not in _ALPHABET})
    if wrong:
        raise BadJoinCode(
            _(
                "The join code holds {chars}, which no join code has (only letters A to Z and "
                "digits 2 to 7); ask for it again."
            ).format(chars=" ".join(repr(c) for c in wrong[:5]))
        )
    if len(letters) != CODE_LETTERS:
        raise BadJoinCode(
            _("The join code has {n} letters and digits, a join code has {want}; ask for it again.").format(
                n=len(letters), want=CODE_LETTERS
            )
        )
    raw = base64.b32decode(letters + "=" * (-len(letters) % 8))
    key, check = raw[:KEY_BYTES], raw[KEY_BYTES:]
    if len(raw) != KEY_BYTES + _CHECK_BYTES or check != _check(key):
        raise BadJoinCode(_("The join code has a typo in it (its check does not match); ask for it again."))
    return key
