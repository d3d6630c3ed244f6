"""Images without an imaging library: a minimal PNG encoder, QR codes, a default badge.

PNG: RFC 2083 / ISO 15948, 8-bit RGB, no interlace, one IDAT. QR codes come from the
``qrcode`` library's matrix; SVG output uses its pure-Python path renderer.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.image.svg

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(width: int, height: int, pixels: list[bytes]) -> bytes:
    """An RGB PNG from rows of ``3 * width`` bytes."""
    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw, 9))
        + png_chunk(b"IEND", b"")
    )


def _qr(data: str) -> qrcode.QRCode[Any]:  # callers read the matrix or name a factory
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, *, scale: int = 8) -> bytes:
    matrix = _qr(data).get_matrix()
    rows = []
    for line in matrix:
        row = b"".join((b"\x00\x00\x00" if cell else b"\xff\xff\xff") * scale for cell in line)
        rows.extend([row] * scale)
    size = len(matrix) * scale
    return encode_png(size, size, rows)


def qr_svg(data: str) -> bytes:
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def badge_png(size: int = 256, color: tuple[int, int, int] = (32, 96, 160)) -> bytes:
    """A plain round badge (a disc on white) used when an achievement has no image."""
    r2 = (size / 2 - 4) ** 2
    c = size / 2
    disc = bytes(color)
    white = b"\xff\xff\xff"
    rows = []
    for y in range(size):
        dy = (y + 0.5 - c) ** 2
        rows.append(b"".join(disc if (x + 0.5 - c) ** 2 + dy <= r2 else white for x in range(size)))
    return encode_png(size, size, rows)


def badge_svg(title: str) -> str:
    """A plain round SVG badge with the achievement's name."""
    text = escape(title[:40])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
        f"<title>{text}</title>"
        '<circle cx="128" cy="128" r="124" fill="#2060a0"/>'
        '<text x="128" y="136" font-family="sans-serif" font-size="16" fill="#fff" '
        f'text-anchor="middle">{text}</text></svg>'
    )
