"""Read a credential baked into a PNG or SVG image.

Implements: Open Badges 3.0 §5.3 "Baked Badges" (PNG ``iTXt`` chunk with keyword
``openbadgecredential``; SVG ``<openbadges:credential>`` element, the credential as
element text or, for a JWT, in its ``verify`` attribute).
"""

from __future__ import annotations

import html
import re
import struct
import zlib

from shared.errors import MalformedCredentialError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
MAX_TEXT_BYTES = 5_000_000
_SVG_ELEMENT = re.compile(
    rb"<openbadges:credential\b([^>]*?)(/>|>(.*?)</openbadges:credential\s*>)", re.DOTALL
)
_VERIFY_ATTR = re.compile(rb"""\bverify\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CDATA = re.compile(rb"^\s*<!\[CDATA\[(.*)\]\]>\s*$", re.DOTALL)


def is_png(data: bytes) -> bool:
    """True for PNG bytes."""
    return data.startswith(PNG_SIGNATURE)


def is_svg(data: bytes) -> bool:
    """True for bytes that look like an SVG document."""
    head = data[:2048].lstrip()
    return head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:65536]


def extract_from_png(data: bytes) -> str:
    """The credential text (JSON or JWT) of a baked PNG."""
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise MalformedCredentialError("the PNG is truncated")
        if kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\x00"):
            return _itxt_text(body[len(PNG_KEYWORD) + 1 :])
        if kind == b"IEND":
            break
        pos += 12 + length
    raise MalformedCredentialError("this PNG carries no Open Badges credential (no iTXt chunk)")


def _itxt_text(rest: bytes) -> str:
    if len(rest) < 2:
        raise MalformedCredentialError("the PNG iTXt chunk is truncated")
    compressed = rest[0] == 1
    try:
        _language, _translated, text = rest[2:].split(b"\x00", 2)
    except ValueError as err:
        raise MalformedCredentialError("the PNG iTXt chunk is malformed") from err
    if compressed:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_TEXT_BYTES + 1)
        except zlib.error as err:
            raise MalformedCredentialError("the PNG iTXt chunk does not inflate") from err
        if len(text) > MAX_TEXT_BYTES:
            raise MalformedCredentialError("the baked credential is larger than 5 MB")
    try:
        return text.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise MalformedCredentialError("the baked credential is not UTF-8") from err


def extract_from_svg(data: bytes) -> str:
    """The credential text (JSON or JWT) of a baked SVG."""
    match = _SVG_ELEMENT.search(data)
    if match is None:
        raise MalformedCredentialError(
            "this SVG carries no Open Badges credential (no <openbadges:credential>)"
        )
    attrs, content = match.group(1), match.group(3) or b""
    verify = _VERIFY_ATTR.search(attrs)
    if verify is not None:
        raw = verify.group(1) if verify.group(1) is not None else verify.group(2)
        return html.unescape(raw.decode("utf-8", "replace")).strip()
    cdata = _CDATA.match(content)
    text = cdata.group(1) if cdata else content
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedCredentialError("the baked credential is not UTF-8") from err
    return (decoded if cdata else html.unescape(decoded)).strip()


def extract_baked(data: bytes) -> str | None:
    """The baked credential of a PNG or SVG, or None when ``data`` is neither."""
    if is_png(data):
        return extract_from_png(data)
    if is_svg(data):
        return extract_from_svg(data)
    return None
