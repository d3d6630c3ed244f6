from __future__ import annotations

import json

import pytest

from issuer.service.baking import bake_png, bake_svg
from issuer.service.images import badge_png, badge_svg, qr_png, qr_svg
from shared.encoding.baked import extract_baked
from shared.errors import InvalidInputError

JSON_CREDENTIAL = json.dumps(
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "a ]]> b & <c>"}
)
JWT = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2ln"


@pytest.mark.parametrize("credential", [JSON_CREDENTIAL, JWT])
def test_png_round_trip(credential: str) -> None:
    baked = bake_png(badge_png(32), credential)
    assert baked.startswith(b"\x89PNG")
    extracted = extract_baked(baked)
    assert extracted == credential
    # baking again replaces the credential instead of adding a second one
    assert extract_baked(bake_png(baked, JWT)) == JWT
    assert bake_png(baked, JWT).count(b"openbadgecredential") == 1


@pytest.mark.parametrize("credential", [JSON_CREDENTIAL, JWT])
def test_svg_round_trip(credential: str) -> None:
    baked = bake_svg(badge_svg("Bénévole <encadrement>"), credential)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    extracted = extract_baked(baked.encode())
    assert extracted is not None
    assert (
        json.loads(extracted) == json.loads(credential)
        if credential.startswith("{")
        else extracted == credential
    )
    again = bake_svg(baked, JWT)
    assert again.count("<openbadges:credential") == 1
    assert extract_baked(again.encode()) == JWT


def test_refuses_non_images() -> None:
    with pytest.raises(InvalidInputError):
        bake_png(b"GIF89a", JWT)
    with pytest.raises(InvalidInputError):
        bake_svg("<html></html>", JWT)


def test_qr_codes() -> None:
    png = qr_png("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fx")
    assert png.startswith(b"\x89PNG")
    assert b"IEND" in png
    assert b"<svg" in qr_svg("openid-credential-offer://?x=1")
