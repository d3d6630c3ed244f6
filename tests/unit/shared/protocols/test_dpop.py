"""DPoP proofs (RFC 9449 §4.2) and the server-nonce signals (§8, §9)."""

from __future__ import annotations

import pytest

from shared.keys import PrivateKey
from shared.proofs.jose import parse_jws, verify_jws
from shared.protocols.dpop import (
    access_token_hash,
    build_dpop_proof,
    choose_dpop_alg,
    wants_new_nonce,
)
from tests.conftest import FIXED_NOW


def test_proof_shape_and_signature() -> None:
    key = PrivateKey.generate("P-256")
    token = build_dpop_proof(
        key,
        method="post",
        url="https://as.example/token?x=1#f",
        issued_at=FIXED_NOW,
        nonce="n1",
        access_token="tok",
    )
    jws = parse_jws(token)
    verify_jws(jws, key.public_key)
    assert jws.header["typ"] == "dpop+jwt"
    assert jws.header["jwk"] == key.public_key.to_jwk()
    assert "d" not in jws.header["jwk"]
    claims = jws.payload
    assert claims["htm"] == "POST"
    assert claims["htu"] == "https://as.example/token"  # no query, no fragment
    assert claims["iat"] == int(FIXED_NOW.timestamp())
    assert claims["nonce"] == "n1"
    # RFC 9449 §4.2 / Appendix: ath is base64url(SHA-256(ASCII token)), no padding
    assert claims["ath"] == access_token_hash("tok")
    assert access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU") == (
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    )
    again = parse_jws(
        build_dpop_proof(key, method="POST", url="https://a.example/", issued_at=FIXED_NOW)
    )
    assert again.payload["jti"] != claims["jti"]
    assert "nonce" not in again.payload
    assert "ath" not in again.payload


@pytest.mark.parametrize(
    ("supported", "alg"),
    [
        (["ES256"], "ES256"),
        (["EdDSA", "ES256"], "ES256"),
        (["EdDSA"], "EdDSA"),
        (["RS256"], None),
        ("ES256", None),
        (None, None),
        ([], None),
    ],
)
def test_alg_choice(supported: object, alg: str | None) -> None:
    assert choose_dpop_alg(supported) == alg


def test_nonce_signals() -> None:
    nonce = {"DPoP-Nonce": "abc"}
    assert wants_new_nonce(400, nonce, "use_dpop_nonce") == "abc"
    challenge = {"dpop-nonce": "abc", "WWW-Authenticate": 'DPoP error="use_dpop_nonce"'}
    assert wants_new_nonce(401, challenge, None) == "abc"
    assert wants_new_nonce(400, {}, "use_dpop_nonce") is None  # no nonce to use
    assert wants_new_nonce(400, nonce, "invalid_grant") is None
    assert wants_new_nonce(200, nonce, None) is None
