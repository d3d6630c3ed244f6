"""shared.protocols.response_encryption: OpenID4VP 1.0 §8.3 encrypted responses (JWE, ECDH-ES)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    KeyFormatError,
    MalformedCredentialError,
    PayloadTooLargeError,
    UnsupportedAlgorithmError,
)
from shared.protocols import response_encryption as rx

PAYLOAD = {"vp_token": {"badge": ["eyJhbGciOi.payload.sig"]}, "state": "st-1"}


@pytest.fixture
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    return rx.public_encryption_jwk(key)


def _header(token: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(b64url_decode(token.split(".")[0]))
    return out


def _forge(header: dict[str, Any], rest: str) -> str:
    """A token whose protected header is replaced (the rest kept as is)."""
    return b64url_encode(json.dumps(header).encode()) + "." + rest.split(".", 1)[1]


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_round_trip(key: ec.EllipticCurvePrivateKey, jwk: dict[str, str], enc: str) -> None:
    token = rx.encrypt_response(PAYLOAD, jwk, enc=enc)
    assert token.count(".") == 4
    parts = token.split(".")
    assert parts[1] == ""  # ECDH-ES: direct key agreement, no encrypted key
    header = _header(token)
    assert header["alg"] == "ECDH-ES"
    assert header["enc"] == enc
    assert header["kid"] == jwk["kid"]  # §8.3: the chosen key's kid is copied
    assert header["epk"]["crv"] == "P-256"
    assert "d" not in header["epk"]
    assert rx.decrypt_response(token, key, expected_kid=jwk["kid"]) == PAYLOAD


def test_decrypts_with_a_private_jwk(key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]) -> None:
    private = JWK.from_pyca(key).export_private(as_dict=True)
    assert rx.decrypt_response(rx.encrypt_response(PAYLOAD, jwk), private) == PAYLOAD


def test_interoperates_with_plain_jwcrypto(
    key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]
) -> None:
    # produced by jwcrypto on its own: what another wallet would send
    other = JWE(
        json.dumps(PAYLOAD).encode(),
        protected=json.dumps({"alg": "ECDH-ES", "enc": "A256GCM", "kid": jwk["kid"]}),
    )
    other.add_recipient(JWK(**jwk))
    assert rx.decrypt_response(other.serialize(compact=True), key) == PAYLOAD
    # and what we produce, jwcrypto on its own decrypts
    mine = JWE()
    mine.deserialize(rx.encrypt_response(PAYLOAD, jwk), key=JWK.from_pyca(key))
    assert json.loads(mine.payload) == PAYLOAD


def test_public_jwk_and_client_metadata(key: ec.EllipticCurvePrivateKey) -> None:
    jwk = rx.public_encryption_jwk(key)
    assert set(jwk) == {"kty", "crv", "x", "y", "use", "alg", "kid"}
    assert (jwk["use"], jwk["alg"]) == ("enc", "ECDH-ES")
    assert jwk["kid"] == JWK.from_pyca(key.public_key()).thumbprint()  # RFC 7638
    assert rx.public_encryption_jwk(key, kid="k1")["kid"] == "k1"
    # §5.1: the enc values are written only when not the single default A128GCM
    assert rx.encryption_client_metadata(jwk) == {"jwks": {"keys": [jwk]}}
    both = rx.encryption_client_metadata(jwk, ["A128GCM", "A256GCM"])
    assert both["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]
    with pytest.raises(UnsupportedAlgorithmError):
        rx.encryption_client_metadata(jwk, ["A128CBC-HS256"])


# --------------------------------------------------------------------------- refused


def test_wrong_key(jwk: dict[str, str]) -> None:
    token = rx.encrypt_response(PAYLOAD, jwk)
    with pytest.raises(InvalidProofError, match="does not decrypt"):
        rx.decrypt_response(token, ec.generate_private_key(ec.SECP256R1()))


def test_kid_of_another_key(key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]) -> None:
    token = rx.encrypt_response(PAYLOAD, jwk)
    with pytest.raises(InvalidProofError, match="kid"):
        rx.decrypt_response(token, key, expected_kid="another")


@pytest.mark.parametrize("part", [0, 2, 3, 4])
def test_tampered(key: ec.EllipticCurvePrivateKey, jwk: dict[str, str], part: int) -> None:
    parts = rx.encrypt_response(PAYLOAD, jwk).split(".")
    if part == 0:  # the header is authenticated data: a changed member breaks the tag
        parts[0] = b64url_encode(json.dumps({**_header(".".join(parts)), "x": 1}).encode())
    else:
        raw = bytearray(b64url_decode(parts[part]))
        raw[0] ^= 1
        parts[part] = b64url_encode(bytes(raw))
    with pytest.raises(InvalidProofError):
        rx.decrypt_response(".".join(parts), key)


def test_not_a_compact_jwe(key: ec.EllipticCurvePrivateKey) -> None:
    for token in ("", "a.b.c", "a.b.c.d.e.f", "!!.x.y.z.w"):
        with pytest.raises(MalformedCredentialError):
            rx.decrypt_response(token, key)
    header = b64url_encode(b'"just a string"')
    with pytest.raises(MalformedCredentialError):
        rx.decrypt_response(f"{header}..a.b.c", key)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "enc": "A128GCM"},
        {"alg": "dir", "enc": "A128GCM"},
        {"alg": "RSA-OAEP-256", "enc": "A128GCM"},
        {"alg": "RSA1_5", "enc": "A128GCM"},
        {"alg": "ECDH-ES+A128KW", "enc": "A128GCM"},
        {"alg": "ECDH-ES", "enc": "A128CBC-HS256"},
        {"alg": "ECDH-ES", "enc": "A192GCM"},
        {"alg": "ECDH-ES", "enc": "A128GCM", "zip": "DEF"},
        {"alg": "ECDH-ES", "enc": "A128GCM", "crit": ["exp"], "exp": 1},
    ],
)
def test_refused_algorithms(
    key: ec.EllipticCurvePrivateKey, jwk: dict[str, str], header: dict[str, Any]
) -> None:
    token = rx.encrypt_response(PAYLOAD, jwk)
    forged = _forge({**_header(token), **header}, token)
    with pytest.raises(UnsupportedAlgorithmError):
        rx.decrypt_response(forged, key)


def test_real_dir_and_rsa_jwes_are_refused(key: ec.EllipticCurvePrivateKey) -> None:
    plaintext = json.dumps(PAYLOAD).encode()
    direct = JWE(plaintext, protected=json.dumps({"alg": "dir", "enc": "A128GCM"}))
    direct.add_recipient(JWK.generate(kty="oct", size=128))
    rsa_key = JWK.from_pyca(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    wrapped = JWE(plaintext, protected=json.dumps({"alg": "RSA-OAEP-256", "enc": "A128GCM"}))
    wrapped.add_recipient(rsa_key)
    for token in (direct.serialize(compact=True), wrapped.serialize(compact=True)):
        with pytest.raises(InvalidInputError):  # refused before any key is used
            rx.decrypt_response(token, key)


def test_allow_list_can_be_narrowed_not_widened(
    key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]
) -> None:
    token = rx.encrypt_response(PAYLOAD, jwk, enc="A128GCM")
    with pytest.raises(UnsupportedAlgorithmError):
        rx.decrypt_response(token, key, allowed_encs={"A256GCM"})
    with pytest.raises(UnsupportedAlgorithmError):
        rx.decrypt_response(token, key, allowed_algs={"ECDH-ES", "dir"})
    with pytest.raises(UnsupportedAlgorithmError):
        rx.decrypt_response(token, key, allowed_encs={"A128GCM", "A128CBC-HS256"})


def test_ephemeral_key_off_the_curve_or_private(
    key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]
) -> None:
    token = rx.encrypt_response(PAYLOAD, jwk)
    header = _header(token)
    off = {**header, "epk": {**header["epk"], "y": header["epk"]["x"]}}
    with pytest.raises(KeyFormatError):
        rx.decrypt_response(_forge(off, token), key)
    p384 = JWK.generate(kty="EC", crv="P-384").export_public(as_dict=True)
    with pytest.raises(UnsupportedAlgorithmError):
        rx.decrypt_response(_forge({**header, "epk": p384}, token), key)
    with pytest.raises(MalformedCredentialError):
        rx.decrypt_response(_forge({k: v for k, v in header.items() if k != "epk"}, token), key)
    leaked = {**header, "epk": {**header["epk"], "d": "AAAA"}}
    with pytest.raises(MalformedCredentialError):
        rx.decrypt_response(_forge(leaked, token), key)


def test_oversized(key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]) -> None:
    with pytest.raises(PayloadTooLargeError):
        rx.decrypt_response("a" * (rx.MAX_RESPONSE_CHARS + 1), key)
    with pytest.raises(PayloadTooLargeError):
        rx.encrypt_response({"vp_token": {"q": ["x" * rx.MAX_PAYLOAD_BYTES]}}, jwk)
    big = rx.encrypt_response({"vp_token": {"q": ["x" * 5000]}}, jwk)
    with pytest.raises(PayloadTooLargeError):
        rx.decrypt_response(big, key, max_payload_bytes=4096)


def test_payload_must_be_a_json_object(
    key: ec.EllipticCurvePrivateKey, jwk: dict[str, str]
) -> None:
    for plaintext in (b"[1]", b"not json", b'{"a": NaN}', b"[" * 100 + b"]" * 100):
        token = JWE(
            plaintext, protected=json.dumps({"alg": "ECDH-ES", "enc": "A128GCM", "kid": jwk["kid"]})
        )
        token.add_recipient(JWK(**jwk))
        with pytest.raises(MalformedCredentialError):
            rx.decrypt_response(token.serialize(compact=True), key)


@pytest.mark.parametrize(
    ("members", "error"),
    [
        ({"alg": "RSA-OAEP-256"}, UnsupportedAlgorithmError),
        ({"alg": "dir"}, UnsupportedAlgorithmError),
        ({"alg": None}, UnsupportedAlgorithmError),
        ({"use": "sig"}, UnsupportedAlgorithmError),
        ({"kty": "RSA"}, UnsupportedAlgorithmError),
        ({"crv": "P-384"}, UnsupportedAlgorithmError),
        ({"x": "AAAA"}, KeyFormatError),
        ({"x": "not base64!"}, KeyFormatError),
    ],
)
def test_encrypt_refuses_unsuitable_keys(
    jwk: dict[str, str], members: dict[str, Any], error: type[Exception]
) -> None:
    bad = {k: v for k, v in {**jwk, **members}.items() if v is not None}
    with pytest.raises(error):
        rx.encrypt_response(PAYLOAD, bad)


def test_encrypt_refuses_other_encs(jwk: dict[str, str]) -> None:
    for enc in ("A128CBC-HS256", "A192GCM", "none"):
        with pytest.raises(UnsupportedAlgorithmError):
            rx.encrypt_response(PAYLOAD, jwk, enc=enc)


# --------------------------------------------------------------------------- key selection


def test_select_encryption_key(jwk: dict[str, str]) -> None:
    sig = {**jwk, "use": "sig", "kid": "sig"}
    no_use = {k: v for k, v in jwk.items() if k != "use"}  # §5.1: no use means encryption
    assert rx.select_encryption_key({"jwks": {"keys": [sig, jwk]}}) == (jwk, "A128GCM")
    assert rx.select_encryption_key({"jwks": {"keys": [no_use]}})[0] == no_use
    meta = {
        "jwks": {"keys": [jwk]},
        "encrypted_response_enc_values_supported": ["A128CBC-HS256", "A256GCM", "A128GCM"],
    }
    assert rx.select_encryption_key(meta) == (jwk, "A256GCM")


@pytest.mark.parametrize(
    "meta",
    [
        None,
        {},
        {"jwks": {"keys": []}},
        {"jwks": {"keys": ["x"]}},
        {"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ECDH-ES"}]}},
        {"jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": "RSA-OAEP"}]}},
    ],
)
def test_select_without_a_usable_key(meta: Any) -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        rx.select_encryption_key(meta)


def test_select_refuses_keys_without_alg_or_kid(jwk: dict[str, str]) -> None:
    for member in ("alg", "kid"):  # §8.3: alg MUST be present; §5.1: each JWK MUST have a kid
        with pytest.raises(UnsupportedAlgorithmError, match=member):
            rx.select_encryption_key(
                {"jwks": {"keys": [{k: v for k, v in jwk.items() if k != member}]}}
            )
    with pytest.raises(UnsupportedAlgorithmError, match="enc"):
        rx.select_encryption_key(
            {"jwks": {"keys": [jwk]}, "encrypted_response_enc_values_supported": ["A128CBC-HS256"]}
        )
    with pytest.raises(MalformedCredentialError):
        rx.select_encryption_key(
            {"jwks": {"keys": [jwk]}, "encrypted_response_enc_values_supported": []}
        )
