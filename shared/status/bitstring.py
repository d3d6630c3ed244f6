"""Bitstring Status List: the bitstring, its GZIP + multibase encoding, and its entries.

Implements: W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025)
https://www.w3.org/TR/vc-bitstring-status-list/

Bit order: index 0 is the left-most bit of the bitstring, that is the most
significant bit of the first byte (section 7.1, "Bitstring Encoding"). With
``statusSize`` > 1, entry ``i`` occupies bits ``i * statusSize`` to
``(i + 1) * statusSize - 1`` and is read as an unsigned integer whose left-most bit
is the most significant.

Hostile input: an ``encodedList`` comes from a remote server. Decoding never
allocates more than :data:`MAX_BITSTRING_BYTES` (16 MiB, i.e. 134 million bits),
whatever the compressed input claims; a gzip bomb is refused with a
:class:`~shared.errors.MalformedCredentialError` as soon as the cap is passed.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from typing import Final

from shared.errors import InvalidInputError, MalformedCredentialError

__all__ = [
    "MAX_BITSTRING_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_BITSTRING_BITS",
    "MIN_ENTRIES",
    "STATUS_ERROR_BASE",
    "StatusList",
    "expand_bitstring",
    "generate_encoded_list",
]

MIN_BITSTRING_BITS: Final = 131_072  # "The uncompressed bitstring MUST be at least 16KB in size."
MIN_ENTRIES: Final = 131_072  # "Let minimumNumberOfEntries be 131,072" (Validate Algorithm)
MAX_BITSTRING_BYTES: Final = 16 * 1024 * 1024  # our cap on the *uncompressed* bitstring
# SPEC-DEVIATION(vc-bitstring-status-list#statusSize): the spec allows any positive
# statusSize, but then requires 2**statusSize statusMessage entries; we refuse
# more than 16 bits (65,536 messages) rather than process absurd lists.
MAX_STATUS_SIZE: Final = 16
STATUS_ERROR_BASE: Final = "https://www.w3.org/ns/credentials/status-list#"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_CHUNK = 64 * 1024
# base64url of the largest acceptable compressed stream: incompressible data grows a
# little under deflate, so allow some slack over the uncompressed cap.
_MAX_ENCODED_CHARS: Final = (MAX_BITSTRING_BYTES + 64 * 1024) * 4 // 3 + 4


def _malformed(detail: str, error: str = "MALFORMED_VALUE_ERROR") -> MalformedCredentialError:
    return MalformedCredentialError(detail, status_error=STATUS_ERROR_BASE + error)


def _gunzip_bounded(data: bytes, max_bytes: int) -> bytes:
    """Decompress one GZIP member, refusing output larger than ``max_bytes``.

    Uses ``zlib.decompressobj(...).decompress(data, max_length)`` so that no call
    produces more than one chunk past the cap, whatever the input.
    """
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header required
    out = bytearray()
    pending = data
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, _CHUNK)
            out += chunk
            if len(out) > max_bytes:
                raise _malformed(
                    f"encodedList expands to more than {max_bytes} bytes; refused "
                    "(possible gzip bomb)"
                )
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                raise _malformed("encodedList is a truncated GZIP stream")
    except zlib.error as err:
        raise _malformed(f"encodedList is not valid GZIP data ({err})") from err
    if inflater.unused_data:
        raise _malformed("encodedList has trailing data after the GZIP stream")
    return bytes(out)


def expand_bitstring(encoded_list: object, *, max_bytes: int = MAX_BITSTRING_BYTES) -> bytes:
    """Decode an ``encodedList`` value into the uncompressed bitstring bytes.

    Spec: Bitstring Status List v1.0, "Bitstring Expansion Algorithm"
    https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm

    Raises:
        MalformedCredentialError: not a string, no ``u`` multibase prefix, not
            unpadded base64url, not GZIP, larger than ``max_bytes`` once
            expanded, or shorter than 16KB (``STATUS_LIST_LENGTH_ERROR``).
    """
    if not isinstance(encoded_list, str):
        raise _malformed(f"encodedList must be a string, not {type(encoded_list).__name__}")
    # "Multibase-encoded base64url (with no padding)": multibase prefix "u".
    if not encoded_list.startswith("u"):
        prefix = repr(encoded_list[:1]) if encoded_list else "nothing"
        raise _malformed(
            f"encodedList must start with the multibase base64url prefix 'u', found {prefix}"
        )
    body = encoded_list[1:]
    if len(body) > _MAX_ENCODED_CHARS:
        raise _malformed(f"encodedList is longer than {_MAX_ENCODED_CHARS} characters; refused")
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        raise _malformed("encodedList is not unpadded base64url")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as err:  # pragma: no cover - regex filters first
        raise _malformed("encodedList is not unpadded base64url") from err
    bitstring = _gunzip_bounded(compressed, max_bytes)
    if len(bitstring) * 8 < MIN_BITSTRING_BITS:
        raise _malformed(
            f"status list has {len(bitstring) * 8} bits; the spec requires at least "
            f"{MIN_BITSTRING_BITS} (16KB)",
            "STATUS_LIST_LENGTH_ERROR",
        )
    return bitstring


def generate_encoded_list(bitstring: bytes) -> str:
    """Compress and encode bitstring bytes as an ``encodedList`` value.

    Spec: Bitstring Status List v1.0, "Bitstring Generation Algorithm"
    https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm

    The GZIP header carries ``mtime=0`` so the same bitstring always encodes to
    the same string.
    """
    if len(bitstring) * 8 < MIN_BITSTRING_BITS:
        raise InvalidInputError(
            f"a status list bitstring MUST be at least 16KB; got {len(bitstring)} bytes"
        )
    compressed = gzip.compress(bitstring, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


class StatusList:
    """A mutable bitstring of fixed-width status entries.

    ``status_size`` bits per entry (1 for revocation/suspension lists). Entry
    values are integers in ``range(2 ** status_size)``.
    """

    __slots__ = ("_bits", "_length_bits", "_status_size")

    def __init__(self, bitstring: bytes | bytearray, *, status_size: int = 1) -> None:
        _check_status_size(status_size)
        self._bits = bytearray(bitstring)
        self._length_bits = len(self._bits) * 8
        self._status_size = status_size
        if self.entries < MIN_ENTRIES:
            raise _malformed(
                f"status list holds {self.entries} entries of {status_size} bit(s); the "
                f"spec requires at least {MIN_ENTRIES}",
                "STATUS_LIST_LENGTH_ERROR",
            )

    @classmethod
    def create(cls, length_bits: int = MIN_BITSTRING_BITS, status_size: int = 1) -> StatusList:
        """Return an all-zero list of ``length_bits`` bits.

        ``length_bits`` must be a multiple of 8 and hold at least
        :data:`MIN_ENTRIES` entries of ``status_size`` bits.
        """
        _check_status_size(status_size)
        if isinstance(length_bits, bool) or not isinstance(length_bits, int):
            raise InvalidInputError("length_bits must be an integer")
        if length_bits % 8:
            raise InvalidInputError(f"length_bits must be a multiple of 8, got {length_bits}")
        if length_bits < MIN_ENTRIES * status_size:
            raise InvalidInputError(
                f"a status list needs at least {MIN_ENTRIES} entries: length_bits must be "
                f">= {MIN_ENTRIES * status_size} for statusSize {status_size}"
            )
        if length_bits > MAX_BITSTRING_BYTES * 8:
            raise InvalidInputError(f"length_bits must be <= {MAX_BITSTRING_BYTES * 8}")
        return cls(bytes(length_bits // 8), status_size=status_size)

    @classmethod
    def decode(
        cls,
        encoded_list: object,
        *,
        status_size: int = 1,
        max_bytes: int = MAX_BITSTRING_BYTES,
    ) -> StatusList:
        """Parse an untrusted ``encodedList`` (see :func:`expand_bitstring`)."""
        _check_status_size(status_size)
        return cls(expand_bitstring(encoded_list, max_bytes=max_bytes), status_size=status_size)

    def encode(self) -> str:
        """Return the ``encodedList`` value for this list."""
        return generate_encoded_list(bytes(self._bits))

    @property
    def length_bits(self) -> int:
        """Size of the bitstring in bits."""
        return self._length_bits

    @property
    def status_size(self) -> int:
        """Bits per entry."""
        return self._status_size

    @property
    def entries(self) -> int:
        """Number of whole entries the bitstring holds."""
        return self._length_bits // self._status_size

    def to_bytes(self) -> bytes:
        """Return a copy of the uncompressed bitstring."""
        return bytes(self._bits)

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise InvalidInputError(f"status list index must be an integer, not {index!r}")
        if not 0 <= index < self.entries:
            raise InvalidInputError(
                f"status list index {index} is outside the list (0..{self.entries - 1})",
                status_error=STATUS_ERROR_BASE + "RANGE_ERROR",
            )

    def get(self, index: int) -> int:
        """Return the value of entry ``index`` (left-most bit most significant)."""
        self._check_index(index)
        value = 0
        start = index * self._status_size
        for pos in range(start, start + self._status_size):
            bit = (self._bits[pos >> 3] >> (7 - (pos & 7))) & 1
            value = (value << 1) | bit
        return value

    def set(self, index: int, value: int | bool) -> None:
        """Set entry ``index`` to ``value`` (``True``/``False`` allowed for 1-bit lists)."""
        self._check_index(index)
        if not isinstance(value, int):
            raise InvalidInputError(f"status value must be an integer, not {value!r}")
        value = int(value)
        if not 0 <= value < (1 << self._status_size):
            raise InvalidInputError(
                f"status value {value} does not fit in {self._status_size} bit(s)"
            )
        start = index * self._status_size
        for offset in range(self._status_size):
            pos = start + offset
            bit = (value >> (self._status_size - 1 - offset)) & 1
            mask = 1 << (7 - (pos & 7))
            if bit:
                self._bits[pos >> 3] |= mask
            else:
                self._bits[pos >> 3] &= ~mask & 0xFF

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusList):
            return NotImplemented
        return self._status_size == other._status_size and self._bits == other._bits

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"StatusList(length_bits={self._length_bits}, status_size={self._status_size})"


def _check_status_size(status_size: object) -> None:
    if isinstance(status_size, bool) or not isinstance(status_size, int):
        raise _malformed(f"statusSize must be an integer, not {status_size!r}")
    # "If present, statusSize MUST be an integer greater than zero."
    if not 1 <= status_size <= MAX_STATUS_SIZE:
        raise _malformed(f"statusSize must be between 1 and {MAX_STATUS_SIZE}, got {status_size}")
