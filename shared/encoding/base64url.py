"""Base64url without padding. Implements: RFC 4648 §5 (as used by RFC 7515 §2)."""

from __future__ import annotations

import base64
import binascii
import re

from shared.errors import InvalidInputError

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url with the padding stripped."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raise InvalidInputError on any other alphabet."""
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise InvalidInputError("value is not base64url (RFC 4648 §5, no padding)")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise InvalidInputError("value is not base64url (RFC 4648 §5, no padding)") from err
