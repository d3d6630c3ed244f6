"""Achievement images uploaded from the console: checked, size-capped, stored by content hash.

Files live in ``<data_dir>/images/<org slug>/<sha256>.<ext>`` and are served publicly at
``<org base>/images/<name>`` (the URL becomes the OB 3.0 ``Achievement.image``). Only PNG,
JPEG and SVG are accepted, recognised by their bytes, not by the name or the browser's type.
SVG is parsed with defusedxml and refused if it carries scripts, event handlers,
foreignObject, external references or a DOCTYPE (docs/decisions/svg-uploads.md); it is also
served with a sandboxing Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from shared.errors import InvalidInputError, NotFoundError

MAX_IMAGE_BYTES = 512 * 1024
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}
IMAGE_NAME = re.compile(r"[0-9a-f]{64}\.(png|jpg|svg)")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_SVG_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "handler"}
#: the only data: URLs an SVG may carry: raster images (an SVG in a data: URL could nest
#: anything this check refuses)
_RASTER_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
#: url(...) in a style attribute or a <style> element, and CSS @import
_CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


def _rejected(detail: str, reason: str) -> InvalidInputError:
    """An upload that is not a PNG, JPEG or safe SVG of the allowed size (``reason`` says why)."""
    return InvalidInputError(detail, reason=reason)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _local_reference(value: str) -> bool:
    """A reference inside the image itself (``#id``) or a raster ``data:`` image."""
    value = value.strip()
    return value.startswith("#") or value.lower().startswith(_RASTER_DATA)


class _Builder(ElementTree.TreeBuilder):
    """The element tree, and whether any processing instruction came, inside the root or
    before it (where ``<?xml-stylesheet?>`` goes, and where TreeBuilder keeps nothing)."""

    saw_pi = False

    def pi(self, target: str, text: str | None = None) -> ElementTree.Element:
        self.saw_pi = True
        return super().pi(target, text)


def _parse_svg(data: bytes) -> ElementTree.Element:
    """The SVG's element tree, parsed by defusedxml: a DTD, an entity declaration or an
    external reference stops the parser before anything is expanded or fetched (billion
    laughs, XXE); a processing instruction (a style sheet) is refused."""
    builder = _Builder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as err:
        raise _rejected("SVG with a DOCTYPE or entities is refused", "unsafe-svg") from err
    except ElementTree.ParseError as err:
        raise _rejected("the SVG is not well-formed XML", "not-image") from err
    if builder.saw_pi:
        raise _rejected("SVG processing instructions (style sheets) are refused", "unsafe-svg")
    return root  # type: ignore[no-any-return]


def _check_svg_element(element: ElementTree.Element) -> None:
    tag: object = element.tag
    if not isinstance(tag, str):  # a comment or a PI has a factory function as its tag
        return
    local_tag = _local(tag).lower()
    if local_tag in _FORBIDDEN_SVG_TAGS:
        raise _rejected("SVG scripts and embedded content are refused", "unsafe-svg")
    for name, value in element.attrib.items():
        local = _local(name).lower()
        if local.startswith("on"):
            raise _rejected("SVG event handlers are refused", "unsafe-svg")
        if local == "href" and not _local_reference(value):
            raise _rejected("SVG links to other files are refused", "unsafe-svg")
        if local == "attributename" and (value.lower().startswith("on") or "href" in value.lower()):
            # <set>/<animate> rewriting a link or a handler after the check
            raise _rejected("SVG links to other files are refused", "unsafe-svg")
        if local == "style":
            _check_css(value)
    if local_tag == "style":
        _check_css(element.text or "")


def _check_css(css: str) -> None:
    if _CSS_IMPORT.search(css) or any(not _local_reference(u) for u in _CSS_URL.findall(css)):
        raise _rejected("SVG links to other files are refused", "unsafe-svg")


def _check_svg(data: bytes) -> None:
    """Refuse an SVG that could run code or fetch anything once opened (SVG 2 §3.6 script
    processing; CSP still sandboxes what is served): scripts, event handlers, foreignObject
    and embedded documents, links outside the image, CSS imports and remote url(), DTDs
    and entities, processing instructions."""
    root = _parse_svg(data)
    if root.tag not in {f"{_SVG_NS}svg", "svg"}:
        raise _rejected("the file is not an SVG image", "not-image")
    for element in root.iter():
        _check_svg_element(element)


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
