"""Byte encodings: base64url, multibase, multicodec varints."""

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.multibase import (
    multibase_decode,
    multibase_encode,
    varint_decode,
    varint_encode,
)

__all__ = [
    "b64url_decode",
    "b64url_encode",
    "multibase_decode",
    "multibase_encode",
    "varint_decode",
    "varint_encode",
]
