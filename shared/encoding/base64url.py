"""Base64url without padding. Implements: RFC 4648 §5 (as used by RFC 7515 §2)."""

from __future__ import annotations

import base64
import binascii

import pybase64

from shared.errors import InvalidInputError

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
#: bits of the last character that fall beyond the data, by ``len(text) % 4``
_PAD_BITS = {2: 0x0F, 3: 0x03}


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
    # RFC 4648 §3.5: "decoders MAY chose to reject an encoding if the pad bits have not been
    # set to zero". Refused: otherwise "AB" and "AA" both decode to b"\x00", and a signature
    # or token would have several spellings (a replay that does not look like one).
    pad_mask = _PAD_BITS.get(len(text) % 4)
    if pad_mask is not None and _VALUE.get(text[-1], 0) & pad_mask:
        raise InvalidInputError("value is not canonical base64url: its unused bits are not zero")
    # validate=True refuses every other character (whitespace included); "+" and "/", which
    # altchars would let through, were refused above
    try:
        return pybase64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidInputError("value is not base64url (RFC 4648 §5, no padding)") from err
