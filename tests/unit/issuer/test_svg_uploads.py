"""Hostile SVG uploads (achievement images): refused before anything is expanded or fetched.

docs/decisions/svg-uploads.md says what is kept and what is refused.
"""

from __future__ import annotations

import pytest

from issuer.service.uploads import MAX_IMAGE_BYTES, sniff_image
from shared.errors import InvalidInputError

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
PNG_DATA = "data:image/png;base64,iVBORw0KGgo="


def svg(body: str, attrs: str = "") -> bytes:
    return f'<svg {NS} width="8" height="8" {attrs}>{body}</svg>'.encode()


def reason(data: bytes) -> str:
    with pytest.raises(InvalidInputError) as caught:
        sniff_image(data)
    return str(caught.value.extensions["reason"])


@pytest.mark.parametrize(
    "data",
    [
        svg('<rect width="8" height="8" fill="#123456"/>'),
        svg('<defs><circle id="c" r="2"/></defs><use href="#c"/><use xlink:href="#c"/>'),
        svg(f'<image href="{PNG_DATA}" width="8" height="8"/>'),
        svg('<rect style="fill: url(#g)" width="8" height="8"/>'),
        svg("<style>rect { fill: #fff }</style><rect/>"),
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + svg("<!-- a comment --><g/>"),
    ],
)
def test_a_plain_svg_is_kept(data: bytes) -> None:
    assert sniff_image(data) == "svg"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b"]><svg "
    + NS.encode()
    + b"><text>&j;</text></svg>"
)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (BILLION_LAUGHS, "unsafe-svg"),
        (  # XXE: an external entity naming a local file
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + svg("<text>&x;</text>"),
            "unsafe-svg",
        ),
        (  # an external DTD
            b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + svg("<g/>"),
            "unsafe-svg",
        ),
        (  # a DOCTYPE after 4 kB of comment (the old check read only the first 4 kB)
            b"<!--" + b"x" * 5000 + b'--><!DOCTYPE svg [<!ENTITY a "b">]>' + svg("<g/>"),
            "unsafe-svg",
        ),
        (svg("<script>alert(1)</script>"), "unsafe-svg"),
        (svg('<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>'), "unsafe-svg"),
        (svg("<foreignObject><div>hi</div></foreignObject>"), "unsafe-svg"),
        (svg("<foreignobject/>"), "unsafe-svg"),
        (svg("<g/>", 'onload="alert(1)"'), "unsafe-svg"),
        (svg('<rect ONCLICK="alert(1)"/>'), "unsafe-svg"),
        (svg('<image href="https://tracker.example/p.png"/>'), "unsafe-svg"),
        (svg('<use xlink:href="other.svg#c"/>'), "unsafe-svg"),
        (svg('<a href="javascript:alert(1)"><rect/></a>'), "unsafe-svg"),
        (svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'), "unsafe-svg"),
        (svg('<rect style="fill: url(https://tracker.example/x)"/>'), "unsafe-svg"),
        (svg("<style>@import 'https://tracker.example/x.css';</style>"), "unsafe-svg"),
        (svg("<style>rect { fill: url( 'http://x.example/a' ) }</style>"), "unsafe-svg"),
        (b'<?xml-stylesheet href="https://x.example/s.css"?>' + svg("<g/>"), "unsafe-svg"),
        (b'<?xml version="1.0"?><?xml-stylesheet href="s.css"?>' + svg("<g/>"), "unsafe-svg"),
        (
            svg('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a>'),
            "unsafe-svg",
        ),
        (svg('<g><animate attributeName="onclick" values="alert(1)"/></g>'), "unsafe-svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "not-image"),
        (b"<html><body/></html>", "not-image"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "not-image"),
        (b"<svg " + NS.encode() + b">" + b" " * MAX_IMAGE_BYTES + b"</svg>", "too-large"),
    ],
)
def test_a_hostile_svg_is_refused(data: bytes, why: str) -> None:
    assert reason(data) == why


def test_a_deeply_nested_svg_within_the_size_cap_is_answered() -> None:
    depth = MAX_IMAGE_BYTES // 8 - 100
    data = svg("<g>" * depth + "</g>" * depth)
    assert len(data) <= MAX_IMAGE_BYTES
    assert sniff_image(data) == "svg"
