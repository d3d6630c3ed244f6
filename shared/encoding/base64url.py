"""Base64url without padding. Implements: RFC 4648 §5 (as used by RFC 7515 §2)."""

from __future__ import annotations

import base64
import binascii

import pybase64

from shared.errors import InvalidInputError


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url with the padding stripped."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raise InvalidInputError on any other alphabet."""
    if (
        not isinstance(text, str)
        or len(text) % 4 == 1
        or "+" in text
        or "/" in text
        or "=" in text
        or not text.isascii()
    ):
        raise InvalidInputError("value is not base64url (RFC 4648 §5, no padding)")
    # validate=True refuses every other character (whitespace included); "+" and "/", which
    # altchars would let through, were refused above
    try:
        return pybase64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidInputError("value is not base64url (RFC 4648 §5, no padding)") from err
