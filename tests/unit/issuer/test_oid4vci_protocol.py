"""shared.protocols.oid4vci: key proofs (both sides), requests, offers, metadata URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.did import did_jwk_from_public, did_key_from_public
from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import InvalidInputError, VcError
from shared.keys import PrivateKey
from shared.protocols.oid4vci import (
    PROOF_TYP,
    Oid4vciError,
    TxCode,
    build_credential_offer,
    build_proof_jwt,
    credential_offer_link,
    parse_credential_offer,
    parse_credential_request,
    validate_proof_jwt,
    well_known_url,
)

AUD = "https://issuer.example/orgs/a"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def kid_of(key: PrivateKey) -> str:
    did = did_key_from_public(key.public_key)
    return f"{did}#{did.removeprefix('did:key:')}"


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256"])
def test_build_then_validate_with_kid(key_type: str) -> None:
    key = PrivateKey.generate(key_type)
    token = build_proof_jwt(key, audience=AUD, nonce="n1", issued_at=NOW, kid=kid_of(key))
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header["typ"] == PROOF_TYP
    assert header["alg"] == key.jws_alg
    result = validate_proof_jwt(token, audience=AUD, nonces={"n1"}, now=NOW)
    assert result.holder_did == did_key_from_public(key.public_key)
    assert result.kid == kid_of(key)
    assert result.nonce == "n1"


def test_validate_with_jwk_and_callable_nonce() -> None:
    key = PrivateKey.generate()
    token = build_proof_jwt(key, audience=AUD, nonce="n", issued_at=NOW)
    seen: list[str] = []

    def accept(nonce: str) -> bool:
        seen.append(nonce)
        return True

    result = validate_proof_jwt(token, audience=AUD, nonces=accept, now=NOW)
    assert seen == ["n"]
    assert result.holder_did == did_jwk_from_public(key.public_key)
    assert result.jwk == key.public_key.to_jwk()


def test_nonce_is_not_consumed_by_a_forged_proof() -> None:
    key, other = PrivateKey.generate(), PrivateKey.generate()
    token = build_proof_jwt(
        key, audience=AUD, nonce="n", issued_at=NOW, jwk=other.public_key.to_jwk()
    )
    seen: list[str] = []

    def consume(nonce: str) -> bool:
        seen.append(nonce)
        return True

    with pytest.raises(Oid4vciError) as err:
        validate_proof_jwt(token, audience=AUD, nonces=consume, now=NOW)
    assert err.value.error == "invalid_proof"
    assert seen == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"audience": "https://other.example"}, "invalid_proof"),
        ({"nonce": "stale"}, "invalid_nonce"),
        ({"nonce": None}, "invalid_proof"),
        ({"issued_at": NOW - timedelta(hours=1)}, "invalid_proof"),
        ({"issued_at": NOW + timedelta(minutes=5)}, "invalid_proof"),
    ],
)
def test_refusals(change: dict[str, object], error: str) -> None:
    key = PrivateKey.generate()
    args: dict[str, object] = {"audience": AUD, "nonce": "n1", "issued_at": NOW, **change}
    token = build_proof_jwt(key, **args)  # type: ignore[arg-type]
    with pytest.raises(Oid4vciError) as err:
        validate_proof_jwt(token, audience=AUD, nonces={"n1"}, now=NOW)
    assert err.value.error == error
    assert isinstance(err.value, VcError)


def _forge(header: dict[str, object], payload: dict[str, object], sig: bytes = b"x") -> str:
    parts = [b64url_encode(json.dumps(p).encode()) for p in (header, payload)]
    return ".".join([*parts, b64url_encode(sig)])


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": PROOF_TYP, "jwk": {"kty": "OKP"}},
        {"alg": "HS256", "typ": PROOF_TYP, "jwk": {"kty": "OKP"}},
        {"alg": "EdDSA", "typ": "JWT", "kid": "did:key:z#z"},
        {"alg": "EdDSA", "typ": PROOF_TYP},
        {"alg": "EdDSA", "typ": PROOF_TYP, "kid": "did:key:z6Mk#x", "jwk": {"kty": "OKP"}},
        {"alg": "EdDSA", "typ": PROOF_TYP, "kid": "https://example.org/key"},
        {
            "alg": "EdDSA",
            "typ": PROOF_TYP,
            "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"},
        },
    ],
)
def test_malformed_headers(header: dict[str, object]) -> None:
    token = _forge(header, {"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n"})
    with pytest.raises(Oid4vciError) as err:
        validate_proof_jwt(token, audience=AUD, nonces={"n"}, now=NOW)
    assert err.value.error == "invalid_proof"


def test_build_refuses_both_kid_and_jwk() -> None:
    key = PrivateKey.generate()
    with pytest.raises(InvalidInputError):
        build_proof_jwt(key, audience=AUD, nonce=None, issued_at=NOW, kid="did:x#1", jwk={})


def test_parse_credential_request_leniency() -> None:
    one = parse_credential_request(
        {"credential_configuration_id": "c", "proofs": {"jwt": ["a.b.c"]}}
    )
    assert one.proof_jwts == ("a.b.c",)
    assert not one.legacy_single_proof
    legacy = parse_credential_request(
        {"credential_configuration_id": "c", "proof": {"proof_type": "jwt", "jwt": "a.b.c"}}
    )
    assert legacy.legacy_single_proof
    with pytest.raises(Oid4vciError):
        parse_credential_request(
            {"credential_configuration_id": "c", "proof": {"proof_type": "jwt", "jwt": "a.b.c"}},
            allow_single_proof=False,
        )
    for bad, error in [
        ([], "invalid_credential_request"),
        ({"proofs": {"jwt": ["x"]}}, "invalid_credential_request"),
        (
            {"credential_configuration_id": "c", "credential_identifier": "d"},
            "invalid_credential_request",
        ),
        ({"format": "ldp_vc", "credential_configuration_id": "c"}, "invalid_credential_request"),
        ({"credential_configuration_id": "c"}, "invalid_proof"),
        ({"credential_configuration_id": "c", "proofs": {"jwt": []}}, "invalid_proof"),
        ({"credential_configuration_id": "c", "proofs": {"ldp_vp": [{}]}}, "invalid_proof"),
        (
            {"credential_configuration_id": "c", "proofs": {"jwt": ["a", "b"]}},
            "invalid_credential_request",
        ),
    ]:
        with pytest.raises(Oid4vciError) as err:
            parse_credential_request(bad)
        assert err.value.error == error, bad


def test_offer_and_urls() -> None:
    offer = build_credential_offer(
        AUD, ["a_ldp_vc"], pre_authorized_code="c", tx_code=TxCode(length=6)
    )
    parsed = parse_credential_offer(offer)
    assert parsed.credential_issuer == AUD
    assert parsed.pre_authorized_code == "c"
    assert parsed.tx_code == {"input_mode": "numeric", "length": 6}
    with pytest.raises(InvalidInputError):
        parse_credential_offer(
            {"credential_issuer": "ftp://x", "credential_configuration_ids": ["a"]}
        )
    link = credential_offer_link("https://h/orgs/a/offers/1")
    assert (
        link
        == "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fh%2Forgs%2Fa%2Foffers%2F1"
    )
    assert (
        well_known_url("https://h/orgs/a")
        == "https://h/.well-known/openid-credential-issuer/orgs/a"
    )
    assert (
        well_known_url("https://h/orgs/a/")
        == "https://h/.well-known/openid-credential-issuer/orgs/a"
    )
    assert (
        well_known_url("https://h:8443", "oauth-authorization-server")
        == "https://h:8443/.well-known/oauth-authorization-server"
    )
