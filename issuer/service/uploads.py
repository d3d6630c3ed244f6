"""Achievement images uploaded from the console: checked, size-capped, stored by content hash.

Files live in ``<data_dir>/images/<org slug>/<sha256>.<ext>`` and are served publicly at
``<org base>/images/<name>`` (the URL becomes the OB 3.0 ``Achievement.image``). Only PNG,
JPEG and SVG are accepted, recognised by their bytes, not by the name or the browser's type.
SVG is parsed and refused if it carries scripts, event handlers, external references or a
DOCTYPE; it is also served with a sandboxing Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from xml.etree import ElementTree

from shared.errors import InvalidInputError, NotFoundError

MAX_IMAGE_BYTES = 512 * 1024
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}
IMAGE_NAME = re.compile(r"[0-9a-f]{64}\.(png|jpg|svg)")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_SVG_TAGS = {"script", "foreignObject", "iframe", "embed", "object"}


def _rejected(detail: str, reason: str) -> InvalidInputError:
    """An upload that is not a PNG, JPEG or safe SVG of the allowed size (``reason`` says why)."""
    return InvalidInputError(detail, reason=reason)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_svg(data: bytes) -> None:
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise _rejected("SVG with a DOCTYPE or entities is refused", "unsafe-svg")
    try:
        # no DOCTYPE (refused above), so no entity can be declared or expanded
        root = ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError as err:
        raise _rejected("the SVG is not well-formed XML", "not-image") from err
    if root.tag not in {f"{_SVG_NS}svg", "svg"}:
        raise _rejected("the file is not an SVG image", "not-image")
    for element in root.iter():
        if _local(element.tag) in _FORBIDDEN_SVG_TAGS:
            raise _rejected("SVG scripts and embedded content are refused", "unsafe-svg")
        for name, value in element.attrib.items():
            local = _local(name).lower()
            if local.startswith("on"):
                raise _rejected("SVG event handlers are refused", "unsafe-svg")
            if local == "href" and not value.startswith(("#", "data:image/")):
                raise _rejected("SVG links to other files are refused", "unsafe-svg")


def sniff_image(data: bytes) -> str:
    """The file extension (png, jpg, svg) of an acceptable image, or InvalidInputError (``reason``: empty, too-large, not-image, unsafe-svg)."""
    if not data:
        raise _rejected("the image file is empty", "empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise _rejected(f"images are limited to {MAX_IMAGE_BYTES // 1024} kB", "too-large")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    text_start = data.lstrip()[:256].lower()
    if text_start.startswith((b"<?xml", b"<svg", b"<!--")):
        _check_svg(data)
        return "svg"
    raise _rejected("only PNG, JPEG and SVG images are accepted", "not-image")


def _folder(data_dir: str | Path, org_slug: str) -> Path:
    return Path(data_dir) / "images" / org_slug


def store_image(data_dir: str | Path, org_slug: str, data: bytes) -> str:
    """Check and store an image; its file name (``<sha256>.<ext>``)."""
    ext = sniff_image(data)
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    folder = _folder(data_dir, org_slug)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_bytes(data)
    return name


def load_image(data_dir: str | Path, org_slug: str, name: str) -> tuple[bytes, str]:
    """(bytes, media type) of a stored image."""
    match = IMAGE_NAME.fullmatch(name)
    path = _folder(data_dir, org_slug) / name
    if match is None or not path.is_file():
        raise NotFoundError(f"no image {name}")
    return path.read_bytes(), MEDIA_TYPES[match.group(1)]
