"""Stable, time-ordered record ids (ULID layout: 48-bit milliseconds, 80 random bits)."""

import os

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _random_bits(bits: int) -> int:
    """As secrets.randbits, from the same os.urandom, without importing secrets (which
    loads the OpenSSL library: 9 ms of every start-up)."""
    return int.from_bytes(os.urandom((bits + 7) // 8), "big") >> (-bits % 8)


def new_id(epoch_ms: int, randomness: int | None = None) -> str:
    """A 26-character id that sorts by creation time; the caller supplies the time."""
    if randomness is None:
        randomness = _random_bits(80)
    value = (epoch_ms & ((1 << 48) - 1)) << 80 | (randomness & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def id_time_ms(record_id: str) -> int:
    """The creation time, in epoch milliseconds, encoded in an id."""
    value = 0
    for char in record_id[:10]:
        value = value * 32 + _CROCKFORD.index(char)
    return value


class MonotonicIds:
    """Ids that also sort in creation order within one millisecond (ULID monotonic mode)."""

    def __init__(self) -> None:
        self._last_ms = -1
        self._last_random = 0

    def __call__(self, epoch_ms: int) -> str:
        if epoch_ms <= self._last_ms:
            epoch_ms = self._last_ms
            self._last_random += 1
        else:
            self._last_ms = epoch_ms
            self._last_random = _random_bits(79)  # headroom for increments
        return new_id(epoch_ms, self._last_random)
