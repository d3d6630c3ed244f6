"""Bake a credential into a PNG or SVG badge (Open Badges 3.0 §5.3 "Baked Badges").

PNG: an ``iTXt`` chunk, keyword ``openbadgecredential``, uncompressed, inserted before
``IEND``; the text is the JSON credential or the compact JWT. An existing
``openbadgecredential`` chunk is replaced (one credential per image).
SVG: an ``<openbadges:credential>`` element right after the root ``<svg>`` start tag, with
the ``xmlns:openbadges`` declaration on the root; a JWT goes in its ``verify`` attribute, a
JSON credential in a CDATA section. Both round-trip through
``shared.encoding.baked.extract_baked``.
"""

from __future__ import annotations

import re
import struct
from xml.sax.saxutils import quoteattr

from issuer.service.images import PNG_SIGNATURE, png_chunk
from shared.errors import InvalidInputError

KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_EXISTING = re.compile(
    r"<openbadges:credential\b[^>]*?(/>|>.*?</openbadges:credential\s*>)", re.DOTALL
)


def bake_png(image: bytes, credential: str) -> bytes:
    if not image.startswith(PNG_SIGNATURE):
        raise InvalidInputError("the badge image is not a PNG")
    chunks = []
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(image):
        (length,) = struct.unpack(">I", image[pos : pos + 4])
        kind = image[pos + 4 : pos + 8]
        whole = image[pos : pos + 12 + length]
        if len(whole) != 12 + length:
            raise InvalidInputError("the PNG is truncated")
        pos += 12 + length
        if kind == b"iTXt" and whole[8:].startswith(KEYWORD + b"\x00"):
            continue  # replaced below
        if kind == b"IEND":
            # keyword, null, compression flag 0, method 0, no language tag, no translated keyword
            text = KEYWORD + b"\x00\x00\x00\x00\x00" + credential.encode("utf-8")
            chunks.append(png_chunk(b"iTXt", text))
            chunks.append(whole)
            return PNG_SIGNATURE + b"".join(chunks)
        chunks.append(whole)
    raise InvalidInputError("the PNG has no IEND chunk")


def bake_svg(svg: str, credential: str) -> str:
    svg = _EXISTING.sub("", svg)
    root = _SVG_ROOT.search(svg)
    if root is None:
        raise InvalidInputError("the badge image is not an SVG")
    tag = root.group(0)
    if "xmlns:openbadges" not in tag:
        tag = tag[:-1].rstrip("/") + f' xmlns:openbadges="{OB_NAMESPACE}">'
    if credential.lstrip().startswith("{"):
        # "]]>" can only occur inside a JSON string, where \u003e means the same ">"
        credential = credential.replace("]]>", "]]\\u003e")
        element = f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
    else:
        element = f"<openbadges:credential verify={quoteattr(credential)}/>"
    return svg[: root.start()] + tag + element + svg[root.end() :]
