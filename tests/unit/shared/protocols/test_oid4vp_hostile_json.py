"""Hostile JSON in OpenID4VP messages is a MalformedCredentialError, never a RecursionError."""

from __future__ import annotations

import pytest

from shared.encoding import b64url_encode
from shared.errors import MalformedCredentialError
from shared.protocols.oid4vp import decode_request_object, parse_vp_token

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "text", [DEEP, '{"q": ' + DEEP + "}", "{nope", "NaN", '{"q": [1e999]}'], ids=range(5)
)
def test_vp_token_with_hostile_json(text: str) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_vp_token(text)


@pytest.mark.parametrize("part", [0, 1])
def test_request_object_with_deep_json(part: int) -> None:
    parts = [b64url_encode(b'{"alg": "none"}'), b64url_encode(b'{"nonce": "n"}'), ""]
    parts[part] = b64url_encode(DEEP.encode())
    with pytest.raises(MalformedCredentialError):
        decode_request_object(".".join(parts))


def test_vp_token_still_reads_a_normal_answer() -> None:
    assert parse_vp_token('{"q": ["eyJ.x.y"]}') == {"q": ["eyJ.x.y"]}
