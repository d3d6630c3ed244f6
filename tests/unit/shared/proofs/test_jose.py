"""Compact JWS core: RFC 7515 structure, the algorithm allow-list, hostile inputs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.encoding.base64url import b64url_decode
from shared.errors import (
    InvalidProofError,
    KeyFormatError,
    MalformedCredentialError,
    UnsupportedAlgorithmError,
)
from shared.keys.keypair import PrivateKey, PublicKey
from shared.proofs.jose import (
    MAX_TOKEN_CHARS,
    check_jws_header,
    jwk_thumbprint,
    parse_jws,
    sign_jws,
    verify_jws,
)

DATA = Path(__file__).parents[3] / "data" / "jose"


def _key(label: str, kind: str = "Ed25519") -> PrivateKey:
    return PrivateKey.from_raw(kind, hashlib.sha256(f"musette-test/{label}".encode()).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


EDDSA_HEAD = _b64(b'{"alg":"EdDSA"}')


def _token(header: dict[str, object], payload: object, signature: bytes = b"\x00" * 64) -> str:
    return ".".join(
        [_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), _b64(signature)]
    )


@pytest.mark.parametrize("kind", ["Ed25519", "P-256"])
def test_sign_then_verify_round_trip(kind: str) -> None:
    key = _key("issuer", kind)
    token = sign_jws({"hello": "world"}, key, {"typ": "JWT", "kid": "did:example:1#k"})
    jws = parse_jws(token)
    assert jws.alg == key.jws_alg
    assert jws.kid == "did:example:1#k"
    assert jws.payload == {"hello": "world"}
    verify_jws(jws, key.public_key)


@pytest.mark.parametrize("kind", ["Ed25519", "P-256"])
def test_our_tokens_verify_with_pyjwt(kind: str) -> None:
    key = _key("issuer", kind)
    token = sign_jws({"sub": "x"}, key, {"typ": "JWT"})
    pem = key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert jwt.decode(token, pem, algorithms=[key.jws_alg]) == {"sub": "x"}


def test_pyjwt_rs256_and_ps256_tokens_verify_here() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = PublicKey("RSA", private.public_key())
    for alg in ("RS256", "PS256"):
        token = jwt.encode({"sub": "x"}, private, algorithm=alg)
        verify_jws(parse_jws(token), public)


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "abc", "", "..", "a.b.c.d.e"])
def test_hostile_not_three_parts(token: str) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_jws(token)


@pytest.mark.parametrize(
    ("suffix", "parts"), [("", 3), (".", 4), (".x.y", 5), ("..", 5), (". ", 4)]
)
def test_parts_are_cut_at_the_dots_and_counted_in_the_refusal(suffix: str, parts: int) -> None:
    token = sign_jws({"sub": "x"}, _key("issuer", "Ed25519"), {"typ": "JWT"})
    header, payload, signature = token.split(".")
    if parts == 3:
        jws = parse_jws(token + suffix)
        assert jws.signing_input == f"{header}.{payload}".encode()
        assert jws.payload == {"sub": "x"}
        assert jws.signature == b64url_decode(signature)
        return
    with pytest.raises(MalformedCredentialError, match=f"three dot-separated parts, not {parts}"):
        parse_jws(token + suffix)


@pytest.mark.parametrize(
    "token", ["eyJhbGciOiJFZERTQSJ9=.e30.AA", "eyJ+bGciOiJFZERTQSJ9.e30.AA", "e30.e30.A"]
)
def test_hostile_bad_base64url(token: str) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_jws(token)


@pytest.mark.parametrize("header", [b"not json", b"[1, 2]", b'"EdDSA"', b"\xff\xfe"])
def test_hostile_header_not_a_json_object(header: bytes) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_jws(f"{_b64(header)}.{_b64(b'{}')}.AA")


def test_hostile_payload_not_a_json_object() -> None:
    with pytest.raises(MalformedCredentialError):
        parse_jws(EDDSA_HEAD + "." + _b64(b"[1]") + ".AA")


def test_hostile_huge_token_refused_before_decoding() -> None:
    token = "e30." + "A" * MAX_TOKEN_CHARS + ".AA"
    with pytest.raises(MalformedCredentialError, match="larger than"):
        parse_jws(token)


def test_hostile_deeply_nested_payload() -> None:
    payload = b"[" * 10_000 + b"]" * 10_000
    with pytest.raises(MalformedCredentialError, match="nested"):
        parse_jws(EDDSA_HEAD + "." + _b64(payload) + ".AA")


def test_hostile_deeply_nested_header() -> None:
    header = b'{"alg":"EdDSA","x":' + b"[" * 50 + b"]" * 50 + b"}"
    with pytest.raises(MalformedCredentialError, match="nested"):
        parse_jws(f"{_b64(header)}.{_b64(b'{}')}.AA")


def test_hostile_alg_none_refused() -> None:
    key = _key("issuer")
    jws = parse_jws(_token({"alg": "none"}, {"sub": "x"}, b""))
    with pytest.raises(UnsupportedAlgorithmError, match="none"):
        verify_jws(jws, key.public_key)


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512", "ES256K", "RS512", "FOO", "eddsa"])
def test_hostile_algorithms_not_on_the_allow_list(alg: str) -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        check_jws_header({"alg": alg})


def test_hostile_hs256_with_the_public_key_as_secret_is_refused() -> None:
    """Key confusion: an HMAC made with the verifier's public key must never verify."""
    key = _key("issuer", "P-256")
    secret = key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head, body = _b64(b'{"alg":"HS256","typ":"JWT"}'), _b64(b'{"sub":"x"}')
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(UnsupportedAlgorithmError, match="HS256"):
        verify_jws(parse_jws(f"{head}.{body}.{_b64(mac)}"), key.public_key)


def test_hostile_missing_alg() -> None:
    with pytest.raises(MalformedCredentialError, match="alg"):
        check_jws_header({"typ": "JWT"})


@pytest.mark.parametrize("crit", [["exp"], ["b64"], ["urn:example:ext"]])
def test_hostile_unknown_crit_refused(crit: list[str]) -> None:
    with pytest.raises(UnsupportedAlgorithmError, match="critical"):
        check_jws_header({"alg": "EdDSA", "crit": crit})


@pytest.mark.parametrize("crit", [[], "exp", [1]])
def test_hostile_malformed_crit(crit: object) -> None:
    with pytest.raises(MalformedCredentialError, match="crit"):
        check_jws_header({"alg": "EdDSA", "crit": crit})


@pytest.mark.parametrize("name", ["jku", "x5u"])
def test_hostile_key_url_headers_refused(name: str) -> None:
    with pytest.raises(UnsupportedAlgorithmError, match="never fetched"):
        check_jws_header({"alg": "EdDSA", name: "https://attacker.example/keys"})


def test_hostile_jwk_with_private_member_refused() -> None:
    jwk = _key("issuer").to_jwk()
    with pytest.raises(KeyFormatError, match="private"):
        check_jws_header({"alg": "EdDSA", "jwk": jwk})


def test_signing_refuses_to_leak_a_private_jwk() -> None:
    key = _key("issuer")
    with pytest.raises(KeyFormatError):
        sign_jws({}, key, {"jwk": key.to_jwk()})


@pytest.mark.parametrize("name", ["kid", "typ", "cty"])
def test_hostile_header_members_of_the_wrong_type(name: str) -> None:
    with pytest.raises(MalformedCredentialError, match=name):
        check_jws_header({"alg": "EdDSA", name: {"x": 1}})


def test_hostile_tampered_payload() -> None:
    key = _key("issuer")
    head, _, sig = sign_jws({"name": "Alice"}, key, {}).split(".")
    forged = f"{head}.{_b64(json.dumps({'name': 'Mallory'}).encode())}.{sig}"
    with pytest.raises(InvalidProofError):
        verify_jws(parse_jws(forged), key.public_key)


@pytest.mark.parametrize("kind", ["Ed25519", "P-256"])
def test_hostile_signature_from_another_key(kind: str) -> None:
    token = sign_jws({"sub": "x"}, _key("attacker", kind), {})
    with pytest.raises(InvalidProofError):
        verify_jws(parse_jws(token), _key("issuer", kind).public_key)


def test_hostile_alg_that_does_not_fit_the_key() -> None:
    token = sign_jws({"sub": "x"}, _key("issuer", "P-256"), {})
    with pytest.raises(UnsupportedAlgorithmError, match="cannot be verified"):
        verify_jws(parse_jws(token), _key("issuer").public_key)


def test_hostile_es256_signature_of_the_wrong_length() -> None:
    key = _key("issuer", "P-256")
    head, body, sig = sign_jws({"sub": "x"}, key, {}).split(".")
    truncated = _b64(base64.urlsafe_b64decode(sig + "==")[:63])
    with pytest.raises(InvalidProofError):
        verify_jws(parse_jws(f"{head}.{body}.{truncated}"), key.public_key)


def test_allow_list_can_be_narrowed_but_not_widened() -> None:
    token = sign_jws({"sub": "x"}, _key("issuer"), {})
    with pytest.raises(UnsupportedAlgorithmError):
        verify_jws(parse_jws(token), _key("issuer").public_key, algorithms={"ES256"})
    with pytest.raises(UnsupportedAlgorithmError):
        check_jws_header({"alg": "HS256"}, algorithms={"HS256", "EdDSA"})


@pytest.mark.parametrize("vm", ["vm-ed25519.json", "vm-p256.json"])
def test_vc_jose_cose_suite_vm_kid_is_the_rfc7638_thumbprint(vm: str) -> None:
    method = json.loads((DATA / vm).read_text())
    key = PublicKey.from_jwk(method["publicKeyJwk"])
    assert jwk_thumbprint(key) == method["publicKeyJwk"]["kid"]
