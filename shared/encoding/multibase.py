"""Multibase (base58btc ``z`` and base64url ``u``) and multicodec varint prefixes.

Implements: draft-multiformats-multibase-08 §2 and the multicodec table entries
used by Controlled Identifiers v1.0 §2.2.2 (Multikey).
"""

from __future__ import annotations

import base58

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import InvalidInputError, KeyFormatError

_B58_ALPHABET = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")


def multibase_encode(data: bytes, base: str = "z") -> str:
    """Encode bytes with a multibase prefix: ``z`` (base58btc) or ``u`` (base64url)."""
    if base == "z":
        return "z" + base58.b58encode(data).decode("ascii")
    if base == "u":
        return "u" + b64url_encode(data)
    raise InvalidInputError(f"unsupported multibase prefix {base!r}")


def multibase_decode(text: str) -> bytes:
    """Decode a ``z`` or ``u`` multibase string, raising InvalidInputError when malformed."""
    if not isinstance(text, str) or len(text) < 2:
        raise InvalidInputError("multibase value is empty or not a string")
    prefix, body = text[0], text[1:]
    if prefix == "z":
        if not set(body) <= _B58_ALPHABET:
            raise InvalidInputError("multibase value has characters outside base58btc")
        return bytes(base58.b58decode(body))
    if prefix == "u":
        return b64url_decode(body)
    raise InvalidInputError(f"unsupported multibase prefix {prefix!r} (expected 'z' or 'u')")


def varint_encode(value: int) -> bytes:
    """Unsigned LEB128 varint, as multicodec uses."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint_decode(data: bytes) -> tuple[int, int]:
    """Return (value, bytes consumed) of the varint at the start of ``data``."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, i + 1
    raise KeyFormatError("multicodec prefix is not a valid varint")
